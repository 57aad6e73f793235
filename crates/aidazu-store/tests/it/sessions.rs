//! F1 refresh tokens: rotation is a compare-and-set, families revoke together, liveness.

use aidazu_store::sessions::{
    NewRefreshToken, family_is_live, insert_refresh_token, mark_rotated, refresh_token_by_hash,
    revoke_account, revoke_family,
};
use aidazu_testdb::{TestDb, dual_db_test};
use chrono::Duration;

use crate::support::seeded;

fn token(account: aidazu_domain::AccountId, family: &str, hash: &str) -> NewRefreshToken {
    let now = test_now();
    NewRefreshToken {
        account,
        family_id: family.to_owned(),
        token_hash: hash.to_owned(),
        channel: "mini_app".to_owned(),
        issued_at: now,
        expires_at: now + Duration::days(30),
    }
}

dual_db_test!(
    async fn f1_rotation_is_compare_and_set_and_families_revoke_together(db: TestDb) {
        let (store, _) = seeded(&db).await;
        let db = store.connection();
        let account = store
            .account_by_dingtalk_user_id("demo-villager")
            .await
            .unwrap()
            .unwrap()
            .id;
        let now = test_now();
        let first = insert_refresh_token(db, &token(account, "fam-a", "h1"))
            .await
            .unwrap();
        let second = insert_refresh_token(db, &token(account, "fam-a", "h2"))
            .await
            .unwrap();
        let other = insert_refresh_token(db, &token(account, "fam-b", "h3"))
            .await
            .unwrap();
        assert!(other > second);
        // The same hash cannot be stored twice.
        assert!(
            insert_refresh_token(db, &token(account, "fam-c", "h1"))
                .await
                .unwrap_err()
                .is_conflict()
        );

        assert!(mark_rotated(db, first, second, now).await.unwrap());
        assert!(
            !mark_rotated(db, first, second, now).await.unwrap(),
            "a second rotation of the same token loses"
        );
        let row = refresh_token_by_hash(db, "h1").await.unwrap().unwrap();
        assert_eq!(row.replaced_by, Some(second));
        assert!(row.revoked_at.is_some());

        assert!(family_is_live(db, "fam-a", now).await.unwrap());
        assert_eq!(
            revoke_family(db, "fam-a", now, "reuse_detected")
                .await
                .unwrap(),
            1
        );
        assert!(!family_is_live(db, "fam-a", now).await.unwrap());
        assert!(family_is_live(db, "fam-b", now).await.unwrap());
        // Expired tokens do not keep a family alive.
        assert!(
            !family_is_live(db, "fam-b", now + Duration::days(31))
                .await
                .unwrap()
        );
        assert_eq!(revoke_account(db, account, now, "logout").await.unwrap(), 1);
        assert!(!family_is_live(db, "fam-b", now).await.unwrap());
        assert!(refresh_token_by_hash(db, "nope").await.unwrap().is_none());
    }
);

/// A fixed instant for stored timestamps (tests do not read the wall clock).
fn test_now() -> chrono::DateTime<chrono::Utc> {
    "2026-06-01T02:00:00Z".parse().unwrap()
}
