//! `household_year_totals`: the maintained score, balance and quarter points of a household for a
//! points-year (issue 11 read model).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "household_year_totals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub household_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub points_year: String,
    pub village_id: i64,
    pub score: i64,
    pub balance: i64,
    pub q1: i64,
    pub q2: i64,
    pub q3: i64,
    pub q4: i64,
    pub entries: i64,
    /// Net score points per quarter as the boards count them (R16, R17); NULL until the store
    /// fills a row written before the column existed (`read_models::rebuild_missing`).
    pub board_q1: Option<i64>,
    pub board_q2: Option<i64>,
    pub board_q3: Option<i64>,
    pub board_q4: Option<i64>,
    /// Balance change per quarter as the boards count it.
    pub board_balance_q1: Option<i64>,
    pub board_balance_q2: Option<i64>,
    pub board_balance_q3: Option<i64>,
    pub board_balance_q4: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
