//! Tamper evidence: a village's ledger entries form a hash chain written with each entry (also
//! by concurrent writers); publications record and print its head; `aidazu verify` finds the
//! first broken link after someone edits an entry behind the service's back.

use aidazu_domain::VillageId;
use aidazu_store::ConnectionTrait;
use aidazu_store::chain::Verification;
use aidazu_testkit::{TestDb, dual_db_test};
use reqwest::StatusCode;
use sea_orm::Statement;
use serde_json::json;

use crate::kit::*;

dual_db_test!(
    async fn ledger_hash_chain_is_intact_recorded_by_publications_and_breaks_visibly(db: TestDb) {
        let start = "2026-10-08T02:00:00Z".parse().unwrap();
        let (t, _clock) = spawn_at(db, start, vec![]).await;
        let heping = village_id(&t, "heping").await;
        // The demo's seeded entries are chained.
        let Verification::Intact { links, head } =
            t.app.verify_chain(VillageId(heping)).await.unwrap()
        else {
            panic!("intact after seeding");
        };
        assert!(links > 0);

        // Concurrent writers of one village chain one after another.
        let admin = login(&t, "demo-admin").await;
        let mut members = Vec::new();
        for code in [
            "heping-01-003-1",
            "heping-01-006-1",
            "heping-01-009-1",
            "heping-02-002-1",
        ] {
            members.push(member_by_code(&t, code).await.0);
        }
        let entry = |m: i64| {
            json!({"itemCode": "PA-01", "memberId": m, "points": 3,
            "reason": "参加防汛值守", "photoIds": []})
        };
        let (a, b, c, d) = tokio::join!(
            post(
                &t,
                "/api/v1/admin/entries",
                Some(&admin.token),
                entry(members[0])
            ),
            post(
                &t,
                "/api/v1/admin/entries",
                Some(&admin.token),
                entry(members[1])
            ),
            post(
                &t,
                "/api/v1/admin/entries",
                Some(&admin.token),
                entry(members[2])
            ),
            post(
                &t,
                "/api/v1/admin/entries",
                Some(&admin.token),
                entry(members[3])
            ),
        );
        for (status, body) in [a, b, c, d] {
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let Verification::Intact {
            links: after,
            head: new_head,
        } = t.app.verify_chain(VillageId(heping)).await.unwrap()
        else {
            panic!("intact after concurrent writes");
        };
        assert_eq!(after, links + 4);
        assert_ne!(new_head, head);

        // The publication records the head and prints its short form.
        let p = t
            .app
            .publish_quarter(VillageId(heping), "2026-Q3".parse().unwrap(), "cli")
            .await
            .unwrap();
        let p = p.publication().unwrap();
        assert_eq!(p.content.chain_head, new_head);
        let page = get_response(&t, &format!("/board/{heping}/2026-Q3"), None).await;
        assert!(page.text().await.unwrap().contains(&new_head[..16]));

        // Someone edits an amount behind the service's back (dropping the append-only guard).
        let conn = t.store().connection();
        let backend = conn.get_database_backend();
        let drop_guard = match backend {
            sea_orm::DatabaseBackend::Postgres => {
                "DROP TRIGGER trg_ledger_entries_append_only ON ledger_entries"
            }
            _ => "DROP TRIGGER trg_ledger_entries_no_update",
        };
        conn.execute(Statement::from_string(backend, drop_guard))
            .await
            .unwrap();
        let victim: i64 = conn
            .query_one(Statement::from_string(
                backend,
                format!("SELECT MIN(id) AS id FROM ledger_entries WHERE village_id = {heping}"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "id")
            .unwrap();
        conn.execute(Statement::from_string(
            backend,
            format!("UPDATE ledger_entries SET amount = amount + 100 WHERE id = {victim}"),
        ))
        .await
        .unwrap();
        match t.app.verify_chain(VillageId(heping)).await.unwrap() {
            Verification::Broken {
                seq,
                entry_id,
                problem,
            } => {
                assert_eq!((seq, entry_id), (1, Some(victim)), "{problem}");
                assert!(problem.contains("changed"), "{problem}");
            }
            other => panic!("the edit is found: {other:?}"),
        }
        // Other villages are untouched.
        let cihang = village_id(&t, "cihang").await;
        assert!(matches!(
            t.app.verify_chain(VillageId(cihang)).await.unwrap(),
            Verification::Intact { .. }
        ));
    }
);
