//! Sharing activities (积分分享活动, R21): `activities`, `activity_attendance` (one row per
//! attending household: the unique key is what credits a household once) and `activity_stories`
//! (积分小故事, text and photos).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Activities {
    Table,
    Id,
    VillageId,
    GroupId,
    Topic,
    Place,
    HeldOn,
    ItemCode,
    CheckinOpen,
    CheckinSecret,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ActivityAttendance {
    Table,
    Id,
    ActivityId,
    HouseholdId,
    MemberId,
    Via,
    LedgerEntryId,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum ActivityStories {
    Table,
    Id,
    ActivityId,
    MemberId,
    Text,
    PhotoIds,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Activities::Table)
                    .col(big_integer(Activities::Id).auto_increment().primary_key())
                    .col(big_integer(Activities::VillageId))
                    .col(big_integer_null(Activities::GroupId))
                    .col(string_len(Activities::Topic, 100))
                    .col(string_len(Activities::Place, 100))
                    .col(date(Activities::HeldOn))
                    .col(string_len_null(Activities::ItemCode, 8))
                    .col(boolean(Activities::CheckinOpen))
                    .col(string_len(Activities::CheckinSecret, 64))
                    .col(big_integer(Activities::CreatedBy))
                    .col(timestamp_with_time_zone(Activities::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("activities_village_date")
                    .table(Activities::Table)
                    .col(Activities::VillageId)
                    .col(Activities::HeldOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivityAttendance::Table)
                    .col(
                        big_integer(ActivityAttendance::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(ActivityAttendance::ActivityId))
                    .col(big_integer(ActivityAttendance::HouseholdId))
                    .col(big_integer(ActivityAttendance::MemberId))
                    .col(string_len(ActivityAttendance::Via, 10))
                    .col(big_integer_null(ActivityAttendance::LedgerEntryId))
                    .col(big_integer(ActivityAttendance::RecordedBy))
                    .col(timestamp_with_time_zone(ActivityAttendance::RecordedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("activity_attendance_once")
                    .table(ActivityAttendance::Table)
                    .col(ActivityAttendance::ActivityId)
                    .col(ActivityAttendance::HouseholdId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivityStories::Table)
                    .col(
                        big_integer(ActivityStories::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(big_integer(ActivityStories::ActivityId))
                    .col(big_integer_null(ActivityStories::MemberId))
                    .col(text(ActivityStories::Text))
                    .col(text(ActivityStories::PhotoIds))
                    .col(big_integer(ActivityStories::CreatedBy))
                    .col(timestamp_with_time_zone(ActivityStories::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("activity_stories_activity")
                    .table(ActivityStories::Table)
                    .col(ActivityStories::ActivityId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["activity_stories", "activity_attendance", "activities"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
