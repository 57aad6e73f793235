//! `declarations`: A member's declaration of a deed, reviewed once (R8, R9).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "declarations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub village_id: i64,
    pub household_id: i64,
    pub member_id: i64,
    pub declarant_account_id: i64,
    pub item_code: String,
    pub catalogue_version_id: i64,
    pub catalogue_version: i32,
    pub item_title: String,
    pub suggested_points: i64,
    pub min_points: i64,
    pub max_points: i64,
    pub occurred_on: Date,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub state: String,
    pub submitted_at: DateTimeUtc,
    pub review_deadline: Date,
    pub channel: String,
    pub request_id: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub decider_account_id: Option<i64>,
    pub decision_channel: Option<String>,
    pub points: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub process_instance_id: Option<String>,
    pub card_out_track_id: String,
    pub ledger_entry_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
