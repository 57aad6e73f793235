//! `ledger_entries`: An append-only points movement (R12).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub village_id: i64,
    pub household_id: i64,
    pub member_id: Option<i64>,
    pub points_year: String,
    pub kind: String,
    pub amount: i64,
    pub item_code: Option<String>,
    pub catalogue_item_id: Option<i64>,
    pub catalogue_version_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub actor_account_id: Option<i64>,
    pub channel: String,
    pub request_id: Option<String>,
    pub occurred_on: Date,
    pub created_at: DateTimeUtc,
    pub idempotency_key: Option<String>,
    pub occurred_at: Option<DateTimeUtc>,
    pub declaration_id: Option<i64>,
    pub order_id: Option<i64>,
    pub objection_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
