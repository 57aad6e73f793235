//! Each district's own working-day calendar (issue 12): `districts.calendar_overrides`, the
//! district's local holidays and local working days laid over the national calendar, as JSON
//! (`{"holidays": [...], "workingDays": [...]}`); `NULL` = the national calendar as it is.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Districts {
    Table,
    CalendarOverrides,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Districts::Table)
                    .add_column(text_null(Districts::CalendarOverrides))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Districts::Table)
                    .drop_column(Districts::CalendarOverrides)
                    .to_owned(),
            )
            .await
    }
}
