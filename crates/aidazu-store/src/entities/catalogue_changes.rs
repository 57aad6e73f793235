//! `catalogue_changes`: a catalogue change request of a village or of the district's template.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "catalogue_changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub district_id: i64,
    pub village_id: Option<i64>,
    pub status: String,
    pub reason: String,
    pub changes: String,
    pub items: String,
    pub base_version: i32,
    pub process_instance_id: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub effective_from: Option<Date>,
    pub version_id: Option<i64>,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
