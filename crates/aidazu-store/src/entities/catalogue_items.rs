//! `catalogue_items`: An item (条) of one catalogue version.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "catalogue_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub version_id: i64,
    pub position: i32,
    pub code: String,
    pub category_code: String,
    pub category_name: String,
    pub subcategory: Option<String>,
    pub direction: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub points_min: i64,
    pub points_max: i64,
    pub photo_required: bool,
    #[sea_orm(column_type = "Text")]
    pub evidence_text: String,
    pub self_declarable: bool,
    pub cap_kind: String,
    pub cap_value: Option<i64>,
    pub recorder: String,
    pub points_suggested: Option<i64>,
    pub evidence_min_photos: i32,
    pub subcategory_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
