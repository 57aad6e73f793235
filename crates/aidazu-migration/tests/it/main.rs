//! The migrations apply from empty, roll back completely and apply again, on SQLite and (when
//! `TEST_DATABASE_URL` is set) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aidazu_migration::{Migrator, MigratorTrait};
use aidazu_testdb::{TestDb, dual_db_test};
use sea_orm_migration::sea_orm::{ConnectionTrait, Database};

const TABLES: [&str; 13] = [
    "districts",
    "towns",
    "villages",
    "village_groups",
    "households",
    "members",
    "participation_changes",
    "accounts",
    "role_grants",
    "catalogue_versions",
    "catalogue_items",
    "ledger_entries",
    "audit_log",
];

dual_db_test!(
    async fn up_down_up_round_trips(db: TestDb) {
        let conn = Database::connect(db.url()).await.unwrap();
        let all = Migrator::migrations().len();
        assert_eq!(
            Migrator::get_pending_migrations(&conn).await.unwrap().len(),
            all
        );
        Migrator::up(&conn, None).await.unwrap();
        assert!(
            Migrator::get_pending_migrations(&conn)
                .await
                .unwrap()
                .is_empty()
        );
        let manager = sea_orm_migration::SchemaManager::new(&conn);
        for table in TABLES {
            assert!(manager.has_table(table).await.unwrap(), "{table} missing");
        }
        assert!(
            manager
                .has_column("ledger_entries", "occurred_at")
                .await
                .unwrap()
        );

        Migrator::down(&conn, None).await.unwrap();
        for table in TABLES {
            assert!(
                !manager.has_table(table).await.unwrap(),
                "{table} left behind"
            );
        }
        Migrator::up(&conn, None).await.unwrap();
        assert_eq!(
            Migrator::get_applied_migrations(&conn).await.unwrap().len(),
            all
        );
        conn.execute_unprepared("SELECT 1").await.unwrap();
    }
);

#[test]
fn migration_names_are_ordered_and_unique() {
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        names, sorted,
        "append new migrations at the end with a later timestamp"
    );
}
