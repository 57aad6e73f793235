//! `activities`: a sharing activity of a village group (R21).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub village_id: i64,
    pub group_id: Option<i64>,
    pub topic: String,
    pub place: String,
    pub held_on: Date,
    pub item_code: Option<String>,
    pub checkin_open: bool,
    pub checkin_secret: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
