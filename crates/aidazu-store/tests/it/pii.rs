//! R4: mobiles are stored encrypted and found through the keyed hash.

use aidazu_store::{ConnectionTrait, PiiKeys};
use aidazu_testdb::{TestDb, dual_db_test};
use sea_orm::{DatabaseBackend, Statement};

use crate::support::seeded;

dual_db_test!(
    async fn r4_mobile_round_trips_and_is_found_by_hash_only(db: TestDb) {
        let (store, _) = seeded(&db).await;
        let keys = PiiKeys::demo();
        // 唐平 (demo-villager) has mobile 10043349769 in the demo file.
        let found = store
            .members_by_mobile(&keys, "100-4334-9769")
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "唐平");
        assert_eq!(
            store
                .member_mobile(&keys, found[0].id)
                .await
                .unwrap()
                .as_deref(),
            Some("10043349769")
        );
        let villager = store
            .account_by_dingtalk_user_id("demo-villager")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(villager.member, Some(found[0].id));

        // A different lookup key finds nothing: the hash is keyed.
        let other = PiiKeys::new("demo-1", [0x5a; 32], [0x01; 32]);
        assert!(
            store
                .members_by_mobile(&other, "10043349769")
                .await
                .unwrap()
                .is_empty()
        );

        // No plaintext mobile anywhere in the members or accounts tables.
        let backend = store.connection().get_database_backend();
        let sql = match backend {
            DatabaseBackend::Postgres => {
                "SELECT COUNT(*) AS n FROM members m WHERE encode(m.mobile_ciphertext, 'escape') \
                 LIKE '%10043349769%' OR m.mobile_lookup LIKE '%10043349769%'"
            }
            _ => {
                "SELECT COUNT(*) AS n FROM members m WHERE CAST(m.mobile_ciphertext AS TEXT) \
                 LIKE '%10043349769%' OR m.mobile_lookup LIKE '%10043349769%'"
            }
        };
        let row = store
            .connection()
            .query_one(Statement::from_string(backend, sql))
            .await
            .unwrap()
            .unwrap();
        let n: i64 = row.try_get("", "n").unwrap();
        assert_eq!(n, 0);
    }
);

dual_db_test!(
    async fn r4_rotated_keys_still_read_old_ciphertext(db: TestDb) {
        let (store, _) = seeded(&db).await;
        let found = store
            .members_by_mobile(&PiiKeys::demo(), "10043349769")
            .await
            .unwrap();
        let mut rotated = PiiKeys::new("k2", [0x77; 32], PiiKeys::demo().lookup_key);
        assert!(store.member_mobile(&rotated, found[0].id).await.is_err());
        rotated
            .others
            .insert("demo-1".into(), PiiKeys::demo().current.1);
        assert_eq!(
            store
                .member_mobile(&rotated, found[0].id)
                .await
                .unwrap()
                .as_deref(),
            Some("10043349769")
        );
    }
);
