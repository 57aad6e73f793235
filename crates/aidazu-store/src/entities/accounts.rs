//! `accounts`: A person who logs in through DingTalk.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub dingtalk_user_id: String,
    pub name: String,
    pub member_id: Option<i64>,
    pub mobile_ciphertext: Option<Vec<u8>>,
    pub mobile_key_id: Option<String>,
    pub mobile_lookup: Option<String>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
