//! `members`: Member of a household; the mobile is stored encrypted (R4).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "members")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub household_id: i64,
    pub village_id: i64,
    pub code: Option<String>,
    pub name: String,
    pub relation: String,
    pub gender: Option<String>,
    pub birth_year: Option<i32>,
    pub kind: String,
    pub long_term_absent: bool,
    pub party_member: bool,
    pub mobile_ciphertext: Option<Vec<u8>>,
    pub mobile_key_id: Option<String>,
    pub mobile_lookup: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
