//! `past_bindings`: every binding of an account to a member that has ended (moved to another
//! member, unbound, deactivated), so recusal holds by person across the points-year (D6): nobody
//! decides for a household they were bound to in that year, even after moving away.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PastBindings {
    Table,
    Id,
    AccountId,
    MemberId,
    HouseholdId,
    VillageId,
    EndedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PastBindings::Table)
                    .col(big_integer(PastBindings::Id).auto_increment().primary_key())
                    .col(big_integer(PastBindings::AccountId))
                    .col(big_integer(PastBindings::MemberId))
                    .col(big_integer(PastBindings::HouseholdId))
                    .col(big_integer(PastBindings::VillageId))
                    .col(timestamp_with_time_zone(PastBindings::EndedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("past_bindings_account")
                    .table(PastBindings::Table)
                    .col(PastBindings::AccountId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("past_bindings_household")
                    .table(PastBindings::Table)
                    .col(PastBindings::HouseholdId)
                    .col(PastBindings::EndedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PastBindings::Table).to_owned())
            .await
    }
}
