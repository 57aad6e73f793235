//! Database-level guards for the append-only tables (R3, R12, R22): an UPDATE or DELETE on
//! `ledger_entries`, `participation_changes` or `audit_log` is refused by a trigger, whatever code
//! issues it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 3] = ["ledger_entries", "participation_changes", "audit_log"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for table in TABLES {
                    for op in ["UPDATE", "DELETE"] {
                        let lower = op.to_lowercase();
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER trg_{table}_no_{lower} BEFORE {op} ON {table} \
                             BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
                        ))
                        .await?;
                    }
                }
            }
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION aidazu_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME \
                     USING ERRCODE = 'restrict_violation'; END; $$;",
                )
                .await?;
                for table in TABLES {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                         FOR EACH ROW EXECUTE FUNCTION aidazu_refuse_change();"
                    ))
                    .await?;
                }
            }
            other => {
                return Err(DbErr::Migration(format!(
                    "unsupported database backend {other:?}"
                )));
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for table in TABLES {
                    for op in ["update", "delete"] {
                        db.execute_unprepared(&format!(
                            "DROP TRIGGER IF EXISTS trg_{table}_no_{op};"
                        ))
                        .await?;
                    }
                }
            }
            _ => {
                for table in TABLES {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS trg_{table}_append_only ON {table};"
                    ))
                    .await?;
                }
                db.execute_unprepared("DROP FUNCTION IF EXISTS aidazu_refuse_change();")
                    .await?;
            }
        }
        Ok(())
    }
}
