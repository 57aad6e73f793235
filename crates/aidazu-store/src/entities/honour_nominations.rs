//! `honour_nominations`: the committee's nominations (R18).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "honour_nominations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub village_id: i64,
    pub points_year: String,
    pub honour: String,
    pub household_id: i64,
    /// 0 for household honours; the member for 最美党员.
    pub member_id: i64,
    pub nominated_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
