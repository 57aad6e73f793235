//! Honours (R18, D5, D7):
//!
//! - `honours_lists`: the assessment of a village's points-year, frozen (taken before the year
//!   close, D4): n, sum, the mean shown, the catalogue version, every household's score and
//!   exclusion (JSON), so a household can see why; unique per (village, year);
//! - `honour_nominations`: the committee's nominations, unique per (village, year, honour,
//!   household, member).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HonoursLists {
    Table,
    Id,
    VillageId,
    PointsYear,
    N,
    Sum,
    Mean,
    CatalogueVersion,
    Content,
    TakenAt,
}

#[derive(DeriveIden)]
enum HonourNominations {
    Table,
    Id,
    VillageId,
    PointsYear,
    Honour,
    HouseholdId,
    MemberId,
    NominatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HonoursLists::Table)
                    .col(big_integer(HonoursLists::Id).auto_increment().primary_key())
                    .col(big_integer(HonoursLists::VillageId))
                    .col(string(HonoursLists::PointsYear))
                    .col(integer(HonoursLists::N))
                    .col(big_integer(HonoursLists::Sum))
                    .col(string_null(HonoursLists::Mean))
                    .col(integer_null(HonoursLists::CatalogueVersion))
                    .col(text(HonoursLists::Content))
                    .col(timestamp_with_time_zone(HonoursLists::TakenAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_honours_lists_village_year")
                    .table(HonoursLists::Table)
                    .col(HonoursLists::VillageId)
                    .col(HonoursLists::PointsYear)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HonourNominations::Table)
                    .col(
                        big_integer(HonourNominations::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(HonourNominations::VillageId))
                    .col(string(HonourNominations::PointsYear))
                    .col(string(HonourNominations::Honour))
                    .col(big_integer(HonourNominations::HouseholdId))
                    .col(big_integer(HonourNominations::MemberId).default(0))
                    .col(big_integer_null(HonourNominations::NominatedBy))
                    .col(timestamp_with_time_zone(HonourNominations::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_honour_nominations")
                    .table(HonourNominations::Table)
                    .col(HonourNominations::VillageId)
                    .col(HonourNominations::PointsYear)
                    .col(HonourNominations::Honour)
                    .col(HonourNominations::HouseholdId)
                    .col(HonourNominations::MemberId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HonourNominations::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(HonoursLists::Table).to_owned())
            .await
    }
}
