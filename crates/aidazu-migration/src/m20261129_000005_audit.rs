//! The audit trail (R22): who did what, in which role, through which channel, under which request id.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorAccountId,
    Role,
    Channel,
    RequestId,
    Action,
    Entity,
    EntityId,
    VillageId,
    HouseholdId,
    Detail,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No foreign keys on purpose: the trail must outlive and never block the rows it describes.
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_integer(AuditLog::Id).auto_increment().primary_key())
                    .col(big_integer_null(AuditLog::ActorAccountId))
                    .col(string_null(AuditLog::Role))
                    .col(string(AuditLog::Channel))
                    .col(string_null(AuditLog::RequestId))
                    .col(string(AuditLog::Action))
                    .col(string(AuditLog::Entity))
                    .col(string_null(AuditLog::EntityId))
                    .col(big_integer_null(AuditLog::VillageId))
                    .col(big_integer_null(AuditLog::HouseholdId))
                    .col(json_binary(AuditLog::Detail))
                    .col(timestamp_with_time_zone(AuditLog::At).default(Expr::current_timestamp()))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_audit_log_household_at",
                [AuditLog::HouseholdId, AuditLog::At],
            ),
            (
                "idx_audit_log_actor_at",
                [AuditLog::ActorAccountId, AuditLog::At],
            ),
            (
                "idx_audit_log_village_at",
                [AuditLog::VillageId, AuditLog::At],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(AuditLog::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}
