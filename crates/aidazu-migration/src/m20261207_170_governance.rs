//! Governance (R7, F6, R1):
//!
//! - `catalogue_changes`: a village's (or the district's own template) change request: the
//!   changes asked for and the proposed items (JSON), the reason, its state (`draft`,
//!   `submitted`, `approved`, `rejected`, `withdrawn`), the DingTalk OA approval (unique, so an
//!   approval result names one request), the decision, and once approved the catalogue version
//!   it became and the first day it is in force;
//! - `districts.max_item_points`: the district's bound on any item's value (default 30);
//! - `inspections`: the quarterly door-to-door inspection of a group, once per group and quarter.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CatalogueChanges {
    Table,
    Id,
    DistrictId,
    VillageId,
    Status,
    Reason,
    Changes,
    Items,
    BaseVersion,
    ProcessInstanceId,
    DecisionReason,
    DecidedBy,
    DecidedAt,
    EffectiveFrom,
    VersionId,
    CreatedBy,
    CreatedAt,
    SubmittedAt,
}

#[derive(DeriveIden)]
enum Districts {
    Table,
    MaxItemPoints,
}

#[derive(DeriveIden)]
enum Inspections {
    Table,
    Id,
    VillageId,
    GroupId,
    Quarter,
    InspectedOn,
    Entries,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CatalogueChanges::Table)
                    .col(
                        big_integer(CatalogueChanges::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(CatalogueChanges::DistrictId))
                    .col(big_integer_null(CatalogueChanges::VillageId))
                    .col(string(CatalogueChanges::Status))
                    .col(text(CatalogueChanges::Reason))
                    .col(text(CatalogueChanges::Changes))
                    .col(text(CatalogueChanges::Items))
                    .col(integer(CatalogueChanges::BaseVersion))
                    .col(string_null(CatalogueChanges::ProcessInstanceId))
                    .col(text_null(CatalogueChanges::DecisionReason))
                    .col(big_integer_null(CatalogueChanges::DecidedBy))
                    .col(timestamp_with_time_zone_null(CatalogueChanges::DecidedAt))
                    .col(date_null(CatalogueChanges::EffectiveFrom))
                    .col(big_integer_null(CatalogueChanges::VersionId))
                    .col(big_integer(CatalogueChanges::CreatedBy))
                    .col(timestamp_with_time_zone(CatalogueChanges::CreatedAt))
                    .col(timestamp_with_time_zone_null(CatalogueChanges::SubmittedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_catalogue_changes_process_instance")
                    .table(CatalogueChanges::Table)
                    .col(CatalogueChanges::ProcessInstanceId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_catalogue_changes_district")
                    .table(CatalogueChanges::Table)
                    .col(CatalogueChanges::DistrictId)
                    .col(CatalogueChanges::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Districts::Table)
                    .add_column(integer(Districts::MaxItemPoints).default(30))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Inspections::Table)
                    .col(big_integer(Inspections::Id).auto_increment().primary_key())
                    .col(big_integer(Inspections::VillageId))
                    .col(big_integer(Inspections::GroupId))
                    .col(string(Inspections::Quarter))
                    .col(date(Inspections::InspectedOn))
                    .col(integer(Inspections::Entries))
                    .col(big_integer(Inspections::CreatedBy))
                    .col(timestamp_with_time_zone(Inspections::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_inspections_group_quarter")
                    .table(Inspections::Table)
                    .col(Inspections::GroupId)
                    .col(Inspections::Quarter)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Inspections::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Districts::Table)
                    .drop_column(Districts::MaxItemPoints)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(CatalogueChanges::Table).to_owned())
            .await
    }
}
