//! The quarterly cycle (R16, R17, D3, F5):
//!
//! - `job_runs`: one row per run of a clock-driven job, unique by (job, village, period), so two
//!   replicas or a rerun never do the same work twice; its status and progress are visible;
//! - `publications`: the frozen, versioned snapshot of a village's quarter (canonical JSON and its
//!   SHA-256 digest), unique by (village, quarter, version);
//! - `village_notice_groups`: the DingTalk group (openConversationId) and robot code a village's
//!   notices go to, set by the admin;
//! - `objections`: objections to a publication and their handling (state and decisions as JSON).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum JobRuns {
    Table,
    Id,
    Job,
    VillageId,
    Period,
    Status,
    Trigger,
    ProgressDone,
    ProgressTotal,
    Attempts,
    Detail,
    Error,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Publications {
    Table,
    Id,
    VillageId,
    Quarter,
    Version,
    Digest,
    Content,
    PublishedOn,
    ObjectionLastDay,
    CreatedAt,
}

#[derive(DeriveIden)]
enum VillageNoticeGroups {
    Table,
    VillageId,
    OpenConversationId,
    RobotCode,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Objections {
    Table,
    Id,
    VillageId,
    Quarter,
    PublicationId,
    RaisedByMember,
    RaisedByHousehold,
    AboutHousehold,
    EntryId,
    Text,
    FiledOn,
    State,
    Status,
    CorrectionEntryId,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(JobRuns::Table)
                    .col(big_integer(JobRuns::Id).auto_increment().primary_key())
                    .col(string(JobRuns::Job))
                    .col(big_integer(JobRuns::VillageId))
                    .col(string(JobRuns::Period))
                    .col(string(JobRuns::Status))
                    .col(string(JobRuns::Trigger))
                    .col(integer(JobRuns::ProgressDone).default(0))
                    .col(integer(JobRuns::ProgressTotal).default(0))
                    .col(integer(JobRuns::Attempts).default(1))
                    .col(text(JobRuns::Detail))
                    .col(text_null(JobRuns::Error))
                    .col(timestamp_with_time_zone(JobRuns::StartedAt))
                    .col(timestamp_with_time_zone_null(JobRuns::FinishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_job_runs_job_village_period")
                    .table(JobRuns::Table)
                    .col(JobRuns::Job)
                    .col(JobRuns::VillageId)
                    .col(JobRuns::Period)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Publications::Table)
                    .col(big_integer(Publications::Id).auto_increment().primary_key())
                    .col(big_integer(Publications::VillageId))
                    .col(string(Publications::Quarter))
                    .col(integer(Publications::Version))
                    .col(string(Publications::Digest))
                    .col(text(Publications::Content))
                    .col(date(Publications::PublishedOn))
                    .col(date(Publications::ObjectionLastDay))
                    .col(timestamp_with_time_zone(Publications::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_publications_village_quarter_version")
                    .table(Publications::Table)
                    .col(Publications::VillageId)
                    .col(Publications::Quarter)
                    .col(Publications::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(VillageNoticeGroups::Table)
                    .col(big_integer(VillageNoticeGroups::VillageId).primary_key())
                    .col(string(VillageNoticeGroups::OpenConversationId))
                    .col(string(VillageNoticeGroups::RobotCode))
                    .col(big_integer_null(VillageNoticeGroups::UpdatedBy))
                    .col(timestamp_with_time_zone(VillageNoticeGroups::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Objections::Table)
                    .col(big_integer(Objections::Id).auto_increment().primary_key())
                    .col(big_integer(Objections::VillageId))
                    .col(string(Objections::Quarter))
                    .col(big_integer(Objections::PublicationId))
                    .col(big_integer(Objections::RaisedByMember))
                    .col(big_integer(Objections::RaisedByHousehold))
                    .col(big_integer(Objections::AboutHousehold))
                    .col(big_integer_null(Objections::EntryId))
                    .col(text(Objections::Text))
                    .col(date(Objections::FiledOn))
                    .col(string(Objections::State))
                    .col(text(Objections::Status))
                    .col(big_integer_null(Objections::CorrectionEntryId))
                    .col(timestamp_with_time_zone(Objections::CreatedAt))
                    .col(timestamp_with_time_zone(Objections::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_objections_village_quarter")
                    .table(Objections::Table)
                    .col(Objections::VillageId)
                    .col(Objections::Quarter)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Objections::Table.into_iden(),
            VillageNoticeGroups::Table.into_iden(),
            Publications::Table.into_iden(),
            JobRuns::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
