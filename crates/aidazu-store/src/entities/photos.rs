//! `photos`: An uploaded evidence photo, content-addressed by SHA-256 (F2).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "photos")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub village_id: i64,
    pub household_id: Option<i64>,
    pub uploader_account_id: i64,
    pub sha256: String,
    pub size_bytes: i64,
    pub format: String,
    pub width: i32,
    pub height: i32,
    pub had_location: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
