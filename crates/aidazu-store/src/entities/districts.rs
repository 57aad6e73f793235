//! `districts`: District (区).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "districts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub dept_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub points_year_start_month: i32,
    pub max_item_points: i32,
    /// The district's own days over the national calendar (JSON of
    /// `aidazu_domain::calendar::CalendarOverrides`); `None` = national as it is.
    pub calendar_overrides: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
