//! The DingTalk outbox (F4) and callback inbox (F3).
//!
//! `outbox`: every outbound DingTalk call, written in the same transaction as the change that
//! causes it; a worker claims due rows with a lease and sends them. `dingtalk_events`: every
//! verified inbound event, stored under a stable identity and applied exactly once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    Kind,
    DedupeKey,
    VillageId,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LockedBy,
    LastError,
    Result,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum DingtalkEvents {
    Table,
    Id,
    EventKey,
    EventType,
    Source,
    Payload,
    ReceivedAt,
    AppliedAt,
    Outcome,
    Attempts,
    LastError,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(big_integer(Outbox::Id).auto_increment().primary_key())
                    .col(string(Outbox::Kind))
                    .col(string(Outbox::DedupeKey).unique_key())
                    .col(big_integer_null(Outbox::VillageId))
                    .col(text(Outbox::Payload))
                    .col(string(Outbox::Status).default("pending"))
                    .col(integer(Outbox::Attempts).default(0))
                    .col(
                        timestamp_with_time_zone(Outbox::NextAttemptAt)
                            .default(Expr::current_timestamp()),
                    )
                    .col(timestamp_with_time_zone_null(Outbox::LockedUntil))
                    .col(string_null(Outbox::LockedBy))
                    .col(text_null(Outbox::LastError))
                    .col(text_null(Outbox::Result))
                    .col(
                        timestamp_with_time_zone(Outbox::CreatedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_status_next_attempt")
                    .table(Outbox::Table)
                    .col(Outbox::Status)
                    .col(Outbox::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DingtalkEvents::Table)
                    .col(
                        big_integer(DingtalkEvents::Id)
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(string(DingtalkEvents::EventKey).unique_key())
                    .col(string(DingtalkEvents::EventType))
                    .col(string(DingtalkEvents::Source))
                    .col(text(DingtalkEvents::Payload))
                    .col(
                        timestamp_with_time_zone(DingtalkEvents::ReceivedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .col(timestamp_with_time_zone_null(DingtalkEvents::AppliedAt))
                    .col(string_null(DingtalkEvents::Outcome))
                    .col(integer(DingtalkEvents::Attempts).default(0))
                    .col(text_null(DingtalkEvents::LastError))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_dingtalk_events_applied_id")
                    .table(DingtalkEvents::Table)
                    .col(DingtalkEvents::AppliedAt)
                    .col(DingtalkEvents::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DingtalkEvents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await
    }
}
