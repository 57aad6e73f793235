//! `participation_changes`: Append-only opt-in / opt-out record (R3).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "participation_changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    pub household_id: i64,
    pub village_id: i64,
    pub participating: bool,
    pub reason: String,
    pub effective_on: Date,
    pub recorded_by: Option<i64>,
    pub channel: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
