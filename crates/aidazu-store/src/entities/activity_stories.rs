//! `activity_stories`: a points story (积分小故事) told at an activity (R21).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_stories")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub activity_id: i64,
    pub member_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    /// JSON array of photo ids.
    #[sea_orm(column_type = "Text")]
    pub photo_ids: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
