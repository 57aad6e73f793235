//! `honours_lists`: a village's frozen honours assessment for a points-year (R18, D5).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "honours_lists")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub village_id: i64,
    pub points_year: String,
    pub n: i32,
    pub sum: i64,
    pub mean: Option<String>,
    pub catalogue_version: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub taken_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
