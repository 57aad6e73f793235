//! Small DingTalk facts the gateway learns once and keeps (the approval form's `processCode`,
//! whether the card callback route is registered), so a restart does not create them again.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DingtalkState {
    Table,
    Key,
    Value,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DingtalkState::Table)
                    .col(string(DingtalkState::Key).primary_key())
                    .col(text(DingtalkState::Value))
                    .col(
                        timestamp_with_time_zone(DingtalkState::UpdatedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DingtalkState::Table).to_owned())
            .await
    }
}
