//! The adapter behind `aidazu-ports` (issue 7): the use cases' `Database` and `Transaction` over this
//! store, and the identity epoch the per-replica caches compare (issue 11).

use std::sync::Arc;

use aidazu_ports::sessions::NewRefreshToken;
use aidazu_ports::{Database, accounts, dingtalk, sessions};
use aidazu_store::{PiiKeys, SeaStorage};
use aidazu_testdb::{TestDb, dual_db_test};
use chrono::{Duration, TimeZone, Utc};

use crate::support::seeded;

dual_db_test!(
    async fn an_identity_write_moves_the_epoch_again_once_committed(db: TestDb) {
        let (store, _) = seeded(&db).await;
        let database = Database::new(Arc::new(SeaStorage::new(store, PiiKeys::demo())));
        let account = accounts::account_by_dingtalk_user_id(&database, "demo-villager")
            .await
            .unwrap()
            .unwrap()
            .id;

        // A write to an identity table moves the epoch when it runs, and once more after the
        // commit: a cache refilled in between (old rows) cannot outlive the commit.
        let txn = database.begin().await.unwrap();
        let at_begin = database.identity_epoch();
        let issued = Utc.with_ymd_and_hms(2026, 11, 29, 8, 0, 0).unwrap();
        sessions::insert_refresh_token(
            &txn,
            &NewRefreshToken {
                account,
                family_id: "fam-port".to_owned(),
                token_hash: "hash-port".to_owned(),
                channel: "mini_app".to_owned(),
                issued_at: issued,
                expires_at: issued + Duration::days(30),
            },
        )
        .await
        .unwrap();
        let during = database.identity_epoch();
        assert!(during > at_begin);
        txn.commit().await.unwrap();
        assert!(database.identity_epoch() > during);
        assert!(
            sessions::refresh_token_by_hash(&database, "hash-port")
                .await
                .unwrap()
                .is_some()
        );

        // Other writes leave it alone; a rolled-back transaction writes nothing.
        let quiet = database.identity_epoch();
        let txn = database.begin().await.unwrap();
        dingtalk::state_put(&txn, "port-test", "1").await.unwrap();
        txn.commit().await.unwrap();
        assert_eq!(database.identity_epoch(), quiet);
        let txn = database.begin().await.unwrap();
        dingtalk::state_put(&txn, "port-test", "2").await.unwrap();
        txn.rollback().await.unwrap();
        assert_eq!(
            dingtalk::state_get(&database, "port-test")
                .await
                .unwrap()
                .as_deref(),
            Some("1")
        );
    }
);
