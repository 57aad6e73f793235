//! `declaration_photos`: The photos a declaration carries, in order.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "declaration_photos")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub declaration_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub photo_id: i64,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
