//! `dingtalk_events`: A verified inbound DingTalk event, applied exactly once (F3).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dingtalk_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub event_key: String,
    pub event_type: String,
    pub source: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub received_at: DateTimeUtc,
    pub applied_at: Option<DateTimeUtc>,
    pub outcome: Option<String>,
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
