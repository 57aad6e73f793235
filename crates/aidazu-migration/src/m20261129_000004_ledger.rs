//! The points ledger (R12, R13): append-only, one row per movement, per household and points-year.
//! Every entry keeps the catalogue item and version it was scored under (R7).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Villages {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Households {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Members {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CatalogueVersions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CatalogueItems {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum LedgerEntries {
    Table,
    Id,
    VillageId,
    HouseholdId,
    MemberId,
    PointsYear,
    Kind,
    Amount,
    ItemCode,
    CatalogueItemId,
    CatalogueVersionId,
    Reason,
    ActorAccountId,
    Channel,
    RequestId,
    OccurredOn,
    CreatedAt,
    IdempotencyKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LedgerEntries::Table)
                    .col(
                        big_integer(LedgerEntries::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(LedgerEntries::VillageId))
                    .col(big_integer(LedgerEntries::HouseholdId))
                    .col(big_integer_null(LedgerEntries::MemberId))
                    .col(string(LedgerEntries::PointsYear))
                    .col(
                        string(LedgerEntries::Kind).check(Expr::col(LedgerEntries::Kind).is_in([
                            "award",
                            "penalty",
                            "correction",
                            "redeem",
                            "refund",
                            "year_close",
                        ])),
                    )
                    .col(big_integer(LedgerEntries::Amount))
                    .col(string_null(LedgerEntries::ItemCode))
                    .col(big_integer_null(LedgerEntries::CatalogueItemId))
                    .col(big_integer_null(LedgerEntries::CatalogueVersionId))
                    .col(text(LedgerEntries::Reason))
                    .col(big_integer_null(LedgerEntries::ActorAccountId))
                    .col(string(LedgerEntries::Channel))
                    .col(string_null(LedgerEntries::RequestId))
                    .col(date(LedgerEntries::OccurredOn))
                    .col(
                        timestamp_with_time_zone(LedgerEntries::CreatedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .col(string_null(LedgerEntries::IdempotencyKey))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ledger_entries_village")
                            .from(LedgerEntries::Table, LedgerEntries::VillageId)
                            .to(Villages::Table, Villages::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ledger_entries_household")
                            .from(LedgerEntries::Table, LedgerEntries::HouseholdId)
                            .to(Households::Table, Households::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ledger_entries_member")
                            .from(LedgerEntries::Table, LedgerEntries::MemberId)
                            .to(Members::Table, Members::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ledger_entries_item")
                            .from(LedgerEntries::Table, LedgerEntries::CatalogueItemId)
                            .to(CatalogueItems::Table, CatalogueItems::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ledger_entries_version")
                            .from(LedgerEntries::Table, LedgerEntries::CatalogueVersionId)
                            .to(CatalogueVersions::Table, CatalogueVersions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_ledger_entries_actor")
                            .from(LedgerEntries::Table, LedgerEntries::ActorAccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_ledger_entries_idempotency_key")
                    .table(LedgerEntries::Table)
                    .col(LedgerEntries::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ledger_entries_household_year")
                    .table(LedgerEntries::Table)
                    .col(LedgerEntries::HouseholdId)
                    .col(LedgerEntries::PointsYear)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ledger_entries_village_year")
                    .table(LedgerEntries::Table)
                    .col(LedgerEntries::VillageId)
                    .col(LedgerEntries::PointsYear)
                    .col(LedgerEntries::OccurredOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ledger_entries_member")
                    .table(LedgerEntries::Table)
                    .col(LedgerEntries::MemberId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LedgerEntries::Table).to_owned())
            .await
    }
}
