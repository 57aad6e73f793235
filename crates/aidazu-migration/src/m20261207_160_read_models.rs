//! Read models maintained in the writing transaction (issue 11):
//!
//! - `household_year_totals`: per household and points-year the year score, balance, net score
//!   points per quarter (q1..q4) and the number of entries, updated by the store's single ledger
//!   append with the deltas `aidazu_domain::ledger::TotalsDelta` decides; the village rank is
//!   counted over it with an index on (village, year, score);
//! - `household_participation`: the periods in which a household takes part
//!   (`aidazu_domain::org::participation_spans`), rewritten whenever its members or their
//!   participation changes are written, so "takes part today" is a lookup, not a fold;
//! - an index on `ledger_entries (household_id, id)` for the newest-first ledger page.
//!
//! Existing databases are filled by the store right after the schema migrations
//! (`Store::migrate`), from the ledger and the participation history.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HouseholdYearTotals {
    Table,
    HouseholdId,
    PointsYear,
    VillageId,
    Score,
    Balance,
    Q1,
    Q2,
    Q3,
    Q4,
    Entries,
}

#[derive(DeriveIden)]
enum HouseholdParticipation {
    Table,
    Id,
    HouseholdId,
    VillageId,
    FromOn,
    UntilOn,
}

#[derive(DeriveIden)]
enum LedgerEntries {
    Table,
    HouseholdId,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HouseholdYearTotals::Table)
                    .col(big_integer(HouseholdYearTotals::HouseholdId))
                    .col(string_len(HouseholdYearTotals::PointsYear, 16))
                    .col(big_integer(HouseholdYearTotals::VillageId))
                    .col(big_integer(HouseholdYearTotals::Score))
                    .col(big_integer(HouseholdYearTotals::Balance))
                    .col(big_integer(HouseholdYearTotals::Q1))
                    .col(big_integer(HouseholdYearTotals::Q2))
                    .col(big_integer(HouseholdYearTotals::Q3))
                    .col(big_integer(HouseholdYearTotals::Q4))
                    .col(big_integer(HouseholdYearTotals::Entries))
                    .primary_key(
                        Index::create()
                            .col(HouseholdYearTotals::HouseholdId)
                            .col(HouseholdYearTotals::PointsYear),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_household_year_totals_village_score")
                    .table(HouseholdYearTotals::Table)
                    .col(HouseholdYearTotals::VillageId)
                    .col(HouseholdYearTotals::PointsYear)
                    .col(HouseholdYearTotals::Score)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HouseholdParticipation::Table)
                    .col(
                        big_integer(HouseholdParticipation::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(HouseholdParticipation::HouseholdId))
                    .col(big_integer(HouseholdParticipation::VillageId))
                    .col(date_null(HouseholdParticipation::FromOn))
                    .col(date_null(HouseholdParticipation::UntilOn))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_household_participation_household")
                    .table(HouseholdParticipation::Table)
                    .col(HouseholdParticipation::HouseholdId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_household_participation_village")
                    .table(HouseholdParticipation::Table)
                    .col(HouseholdParticipation::VillageId)
                    .col(HouseholdParticipation::HouseholdId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ledger_entries_household_id")
                    .table(LedgerEntries::Table)
                    .col(LedgerEntries::HouseholdId)
                    .col(LedgerEntries::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_ledger_entries_household_id")
                    .table(LedgerEntries::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(
                Table::drop()
                    .table(HouseholdParticipation::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(HouseholdYearTotals::Table).to_owned())
            .await
    }
}
