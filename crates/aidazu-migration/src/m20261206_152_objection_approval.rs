//! F6 for objections: `objections.process_instance_id`, the DingTalk OA approval opened for the
//! committee when the objection was filed (unique, so an approval result names one objection).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Objections {
    Table,
    ProcessInstanceId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Objections::Table)
                    .add_column(string_null(Objections::ProcessInstanceId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_objections_process_instance")
                    .table(Objections::Table)
                    .col(Objections::ProcessInstanceId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("uq_objections_process_instance")
                    .table(Objections::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Objections::Table)
                    .drop_column(Objections::ProcessInstanceId)
                    .to_owned(),
            )
            .await
    }
}
