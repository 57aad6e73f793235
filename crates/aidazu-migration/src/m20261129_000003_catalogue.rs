//! Versioned catalogues (R5–R7): a version belongs to a district, or to one village of it when the
//! village has its own; items are rows of exactly one version and never change once written.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Villages {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CatalogueVersions {
    Table,
    Id,
    DistrictId,
    VillageId,
    /// `district:<id>` or `village:<id>`: NULL-free owner key so version numbers are unique per owner
    /// on both backends.
    OwnerKey,
    Version,
    EffectiveFrom,
    Status,
    Note,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CatalogueItems {
    Table,
    Id,
    VersionId,
    Position,
    Code,
    CategoryCode,
    CategoryName,
    Subcategory,
    Direction,
    Title,
    Description,
    PointsMin,
    PointsMax,
    PhotoRequired,
    EvidenceText,
    SelfDeclarable,
    CapKind,
    CapValue,
    Recorder,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CatalogueVersions::Table)
                    .col(
                        big_integer(CatalogueVersions::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(CatalogueVersions::DistrictId))
                    .col(big_integer_null(CatalogueVersions::VillageId))
                    .col(string(CatalogueVersions::OwnerKey))
                    .col(integer(CatalogueVersions::Version))
                    .col(date(CatalogueVersions::EffectiveFrom))
                    .col(string(CatalogueVersions::Status).check(
                        Expr::col(CatalogueVersions::Status).is_in([
                            "requested",
                            "approved",
                            "rejected",
                            "withdrawn",
                        ]),
                    ))
                    .col(text_null(CatalogueVersions::Note))
                    .col(big_integer_null(CatalogueVersions::CreatedBy))
                    .col(
                        timestamp_with_time_zone(CatalogueVersions::CreatedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_catalogue_versions_district")
                            .from(CatalogueVersions::Table, CatalogueVersions::DistrictId)
                            .to(Districts::Table, Districts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_catalogue_versions_village")
                            .from(CatalogueVersions::Table, CatalogueVersions::VillageId)
                            .to(Villages::Table, Villages::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_catalogue_versions_owner_version")
                    .table(CatalogueVersions::Table)
                    .col(CatalogueVersions::OwnerKey)
                    .col(CatalogueVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_catalogue_versions_owner_effective")
                    .table(CatalogueVersions::Table)
                    .col(CatalogueVersions::OwnerKey)
                    .col(CatalogueVersions::EffectiveFrom)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CatalogueItems::Table)
                    .col(
                        big_integer(CatalogueItems::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(CatalogueItems::VersionId))
                    .col(integer(CatalogueItems::Position))
                    .col(string(CatalogueItems::Code))
                    .col(string(CatalogueItems::CategoryCode))
                    .col(string(CatalogueItems::CategoryName))
                    .col(string_null(CatalogueItems::Subcategory))
                    .col(string(CatalogueItems::Direction).check(
                        Expr::col(CatalogueItems::Direction).is_in(["positive", "negative"]),
                    ))
                    .col(string(CatalogueItems::Title))
                    .col(text(CatalogueItems::Description))
                    .col(big_integer(CatalogueItems::PointsMin))
                    .col(big_integer(CatalogueItems::PointsMax))
                    .col(boolean(CatalogueItems::PhotoRequired))
                    .col(text(CatalogueItems::EvidenceText))
                    .col(boolean(CatalogueItems::SelfDeclarable))
                    .col(string(CatalogueItems::CapKind))
                    .col(big_integer_null(CatalogueItems::CapValue))
                    .col(string(CatalogueItems::Recorder))
                    .check(
                        Expr::col(CatalogueItems::PointsMin)
                            .lte(Expr::col(CatalogueItems::PointsMax)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_catalogue_items_version")
                            .from(CatalogueItems::Table, CatalogueItems::VersionId)
                            .to(CatalogueVersions::Table, CatalogueVersions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_catalogue_items_version_code")
                    .table(CatalogueItems::Table)
                    .col(CatalogueItems::VersionId)
                    .col(CatalogueItems::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CatalogueItems::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(CatalogueVersions::Table).to_owned())
            .await
    }
}
