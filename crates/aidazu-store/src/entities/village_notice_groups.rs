//! `village_notice_groups`: the DingTalk group and robot a village's notices go to (F5).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "village_notice_groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub village_id: i64,
    pub open_conversation_id: String,
    pub robot_code: String,
    pub updated_by: Option<i64>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
