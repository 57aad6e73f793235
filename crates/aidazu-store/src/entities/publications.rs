//! `publications`: a frozen, versioned quarterly snapshot of a village (R16).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "publications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub village_id: i64,
    pub quarter: String,
    pub version: i32,
    pub digest: String,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub published_on: Date,
    pub objection_last_day: Date,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
