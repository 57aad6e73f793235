//! `objections`: an objection to a publication and its handling (R17).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "objections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub village_id: i64,
    pub quarter: String,
    pub publication_id: i64,
    pub raised_by_member: i64,
    pub raised_by_household: i64,
    pub about_household: i64,
    pub entry_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    /// Evidence photo ids, JSON array.
    #[sea_orm(column_type = "Text")]
    pub photo_ids: String,
    pub filed_on: Date,
    pub state: String,
    #[sea_orm(column_type = "Text")]
    pub status: String,
    pub correction_entry_id: Option<i64>,
    /// The DingTalk OA approval opened for the committee (F6), once created.
    pub process_instance_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
