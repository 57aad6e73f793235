//! Issue 11 / issue 8 (P4): the quarterly publication reads maintained figures instead of
//! rebuilding every household's ledger. `household_year_totals` gains, per quarter of the
//! points-year, the net score points and the balance change as the boards count them
//! (`aidazu_domain::ledger::TotalsDelta::board_quarter`: the entry's quarter, a correction in the
//! quarter its objection was about, R17), so a board "as of the quarter's last day" reads one row
//! per household (`YearTotals::as_of`).
//!
//! The columns are added empty (NULL); the store fills the rows of every village that has one
//! right after the schema migrations (`read_models::rebuild_missing`, from the ledger), and every
//! append keeps them from then on.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HouseholdYearTotals {
    Table,
    BoardQ1,
    BoardQ2,
    BoardQ3,
    BoardQ4,
    BoardBalanceQ1,
    BoardBalanceQ2,
    BoardBalanceQ3,
    BoardBalanceQ4,
}

const COLUMNS: [HouseholdYearTotals; 8] = [
    HouseholdYearTotals::BoardQ1,
    HouseholdYearTotals::BoardQ2,
    HouseholdYearTotals::BoardQ3,
    HouseholdYearTotals::BoardQ4,
    HouseholdYearTotals::BoardBalanceQ1,
    HouseholdYearTotals::BoardBalanceQ2,
    HouseholdYearTotals::BoardBalanceQ3,
    HouseholdYearTotals::BoardBalanceQ4,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(HouseholdYearTotals::Table)
                        .add_column(big_integer_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(HouseholdYearTotals::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
