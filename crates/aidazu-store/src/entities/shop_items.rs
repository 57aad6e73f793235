//! `shop_items`: an item on a village shop's shelf (R19).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "shop_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub village_id: i64,
    pub name: String,
    pub kind: String,
    pub price: i64,
    pub stock: i32,
    pub household_limit: Option<i32>,
    pub limit_period: String,
    pub paused: bool,
    pub photo_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
