//! Connecting, migrating, reconnecting.

use aidazu_store::{Backend, ConnectSettings, Store, StoreError};
use aidazu_testdb::{TestBackend, TestDb, dual_db_test};

use crate::support::{migrated, seeded};

dual_db_test!(
    async fn migrates_from_empty_and_nothing_stays_pending(db: TestDb) {
        let store = Store::connect(db.url()).await.unwrap();
        store.ping().await.unwrap();
        let expected = match db.backend() {
            TestBackend::Sqlite => Backend::Sqlite,
            TestBackend::Postgres => Backend::Postgres,
        };
        assert_eq!(store.backend(), expected);
        let pending = store.pending_migrations().await.unwrap();
        assert!(pending.len() >= 7, "{pending:?}");
        assert_eq!(pending[0], "m20261129_000001_org");
        store.migrate().await.unwrap();
        assert!(store.pending_migrations().await.unwrap().is_empty());
        // Running it again is a no-op.
        store.migrate().await.unwrap();
        assert!(store.list_villages().await.unwrap().is_empty());
    }
);

dual_db_test!(
    async fn restart_keeps_data(db: TestDb) {
        let (store, report) = seeded(&db).await;
        store.close().await.unwrap();
        let reopened = Store::connect(db.url()).await.unwrap();
        assert!(reopened.pending_migrations().await.unwrap().is_empty());
        let villages = reopened.list_villages().await.unwrap();
        assert_eq!(villages.len(), 4);
        assert_eq!(report.totals.villages, 4);
        let account = reopened
            .account_by_dingtalk_user_id("demo-admin")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(account.name, "王光明");
    }
);

dual_db_test!(
    async fn foreign_keys_are_enforced(db: TestDb) {
        use aidazu_store::ConnectionTrait;
        let store = migrated(&db).await;
        let err = store
            .connection()
            .execute_unprepared(
                "INSERT INTO households (village_id, code, address) VALUES (999, 'x-01-001', '无')",
            )
            .await;
        assert!(
            err.is_err(),
            "a household of a missing village must be refused"
        );
        let system = store.system_account().await.unwrap();
        assert_eq!(
            store.system_account().await.unwrap(),
            system,
            "created once"
        );
    }
);

#[tokio::test]
async fn sqlite_creates_missing_directories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/aidazu.db");
    let store = Store::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    assert!(path.exists());
    let wal: String = {
        use aidazu_store::ConnectionTrait;
        let row = store
            .connection()
            .query_one(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Sqlite,
                "PRAGMA journal_mode",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index(0).unwrap()
    };
    assert_eq!(wal.to_lowercase(), "wal");
}

#[tokio::test]
async fn connect_errors_never_show_the_password() {
    let settings = ConnectSettings {
        acquire_timeout: std::time::Duration::from_secs(1),
        ..ConnectSettings::default()
    };
    let err = Store::connect_with("postgres://app:hunter2@127.0.0.1:1/aidazu", settings)
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(matches!(err, StoreError::Connect { .. }));
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("app:***@127.0.0.1:1"), "{text}");
    assert!(matches!(
        Store::connect("mysql://x").await.unwrap_err(),
        StoreError::UnsupportedUrl { .. }
    ));
}
