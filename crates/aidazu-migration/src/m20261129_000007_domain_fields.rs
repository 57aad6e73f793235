//! Fields the domain model needs beyond the first schema, added rather than edited in (append-only):
//!
//! - `districts.points_year_start_month` (R14: the points-year start month, configurable per
//!   district; 1 = calendar year);
//! - `villages.board_names` (R4: `masked` unless the village chooses `full`);
//! - `catalogue_versions`: version numbers unique per district, shared by the district's versions
//!   and its villages' own versions, so an entry's (code, version) names one row (R7);
//! - `catalogue_items`: the suggested amount of a range (`NULL` = fixed points), the least number
//!   of photos, the sub-category (项) name;
//! - `ledger_entries`: the booking instant (`occurred_at`, which decides quarter and year) and the
//!   non-item sources of an entry (declaration, shop order, objection). Their tables arrive with
//!   later migrations; SQLite cannot add foreign keys to an existing table, so the store checks them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Districts {
    Table,
    PointsYearStartMonth,
}

#[derive(DeriveIden)]
enum Villages {
    Table,
    BoardNames,
}

#[derive(DeriveIden)]
enum CatalogueVersions {
    Table,
    DistrictId,
    Version,
}

#[derive(DeriveIden)]
enum CatalogueItems {
    Table,
    PointsSuggested,
    EvidenceMinPhotos,
    SubcategoryName,
}

#[derive(DeriveIden)]
enum LedgerEntries {
    Table,
    OccurredAt,
    DeclarationId,
    OrderId,
    ObjectionId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite accepts one column per ALTER TABLE, so every column is its own statement.
        let columns: Vec<(DynIden, ColumnDef)> = vec![
            (
                Districts::Table.into_iden(),
                integer(Districts::PointsYearStartMonth).default(1).take(),
            ),
            (
                Villages::Table.into_iden(),
                string(Villages::BoardNames).default("masked").take(),
            ),
            (
                CatalogueItems::Table.into_iden(),
                big_integer_null(CatalogueItems::PointsSuggested),
            ),
            (
                CatalogueItems::Table.into_iden(),
                integer(CatalogueItems::EvidenceMinPhotos).default(1).take(),
            ),
            (
                CatalogueItems::Table.into_iden(),
                string_null(CatalogueItems::SubcategoryName),
            ),
            (
                LedgerEntries::Table.into_iden(),
                timestamp_with_time_zone_null(LedgerEntries::OccurredAt),
            ),
            (
                LedgerEntries::Table.into_iden(),
                big_integer_null(LedgerEntries::DeclarationId),
            ),
            (
                LedgerEntries::Table.into_iden(),
                big_integer_null(LedgerEntries::OrderId),
            ),
            (
                LedgerEntries::Table.into_iden(),
                big_integer_null(LedgerEntries::ObjectionId),
            ),
        ];
        for (table, mut column) in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("uq_catalogue_versions_district_version")
                    .table(CatalogueVersions::Table)
                    .col(CatalogueVersions::DistrictId)
                    .col(CatalogueVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            (
                "idx_ledger_entries_declaration",
                LedgerEntries::DeclarationId,
            ),
            ("idx_ledger_entries_order", LedgerEntries::OrderId),
            ("idx_ledger_entries_objection", LedgerEntries::ObjectionId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(LedgerEntries::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "idx_ledger_entries_objection",
            "idx_ledger_entries_order",
            "idx_ledger_entries_declaration",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(LedgerEntries::Table)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("uq_catalogue_versions_district_version")
                    .table(CatalogueVersions::Table)
                    .to_owned(),
            )
            .await?;
        let columns: Vec<(DynIden, DynIden)> = vec![
            (
                LedgerEntries::Table.into_iden(),
                LedgerEntries::ObjectionId.into_iden(),
            ),
            (
                LedgerEntries::Table.into_iden(),
                LedgerEntries::OrderId.into_iden(),
            ),
            (
                LedgerEntries::Table.into_iden(),
                LedgerEntries::DeclarationId.into_iden(),
            ),
            (
                LedgerEntries::Table.into_iden(),
                LedgerEntries::OccurredAt.into_iden(),
            ),
            (
                CatalogueItems::Table.into_iden(),
                CatalogueItems::SubcategoryName.into_iden(),
            ),
            (
                CatalogueItems::Table.into_iden(),
                CatalogueItems::EvidenceMinPhotos.into_iden(),
            ),
            (
                CatalogueItems::Table.into_iden(),
                CatalogueItems::PointsSuggested.into_iden(),
            ),
            (
                Villages::Table.into_iden(),
                Villages::BoardNames.into_iden(),
            ),
            (
                Districts::Table.into_iden(),
                Districts::PointsYearStartMonth.into_iden(),
            ),
        ];
        for (table, column) in columns {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
