//! `shop_orders`: a household's order in the village shop (R19).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "shop_orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub village_id: i64,
    pub household_id: i64,
    pub member_id: i64,
    pub item_id: i64,
    pub item_name: String,
    pub kind: String,
    pub quantity: i32,
    pub total: i64,
    pub pickup_code: String,
    pub status: String,
    pub placed_by: i64,
    pub placed_at: DateTimeUtc,
    pub placed_on: Date,
    pub due_on: Date,
    pub delivered_by: Option<i64>,
    pub delivered_at: Option<DateTimeUtc>,
    pub delivery_photo_id: Option<i64>,
    pub member_confirmed_at: Option<DateTimeUtc>,
    pub cancelled_by: Option<i64>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancel_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
