//! `fund_entries`: an append-only movement of a village shop fund, in fen (R20).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fund_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub village_id: i64,
    pub kind: String,
    pub amount_fen: i64,
    pub reason: String,
    pub donor: Option<String>,
    pub receipt_photo_id: Option<i64>,
    pub occurred_on: Date,
    pub actor_account_id: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
