//! Query budget per request (issue 11 point 4), counted by the store's statement counter: the
//! catalogue in force costs its queries once a business day per village and none after (R7: a
//! version never changes; a new one takes effect at a quarter's start, never the day it is
//! written), and the next business day is read afresh.

use aidazu_testkit::{TestDb, dual_db_test};
use chrono::Duration;
use reqwest::StatusCode;

use crate::kit::*;
use crate::support::env;

dual_db_test!(
    async fn r7_a_cached_catalogue_costs_no_query_until_the_business_day_changes(db: TestDb) {
        // Workers off: their passes would run statements of their own between the reads.
        let (t, clock) = spawn_at(
            db,
            "2026-06-01T02:00:00Z".parse().unwrap(),
            vec![env("AIDAZU__DINGTALK__WORKERS__ENABLED", "false")],
        )
        .await;
        let heping = village_id(&t, "heping").await;
        let path = format!("/api/v1/villages/{heping}/catalogue");
        let statements = || t.store().statements();

        let before = statements();
        let (status, first) = get(&t, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        let cold = statements() - before;
        assert!(cold > 0, "the first read queries the database");

        let before = statements();
        let (status, second) = get(&t, &path, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(statements() - before, 0, "served from the cache");
        assert_eq!(second, first);

        // The next business day is read afresh (a version may take effect on a quarter's start).
        clock.advance(Duration::days(1));
        let before = statements();
        let (status, next_day) = get(&t, &path, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(statements() - before, cold);
        assert_eq!(next_day["asOf"], "2026-06-02");
    }
);

dual_db_test!(
    async fn r13_me_household_costs_at_most_three_queries_and_the_ledger_page_two(db: TestDb) {
        let (t, _clock) = spawn_at(
            db,
            "2026-06-01T02:00:00Z".parse().unwrap(),
            vec![env("AIDAZU__DINGTALK__WORKERS__ENABLED", "false")],
        )
        .await;
        let s = login(&t, "demo-villager").await;
        let statements = || t.store().statements();

        // The first read fills the per-replica caches (session, village).
        let (status, first) = get(&t, "/api/v1/me/household", Some(&s.token)).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        let before = statements();
        let (status, second) = get(&t, "/api/v1/me/household", Some(&s.token)).await;
        assert_eq!(status, StatusCode::OK);
        let spent = statements() - before;
        assert!(spent <= 3, "/me/household ran {spent} statements");
        assert_eq!(second, first);

        let (status, _) = get(&t, "/api/v1/me/household/ledger", Some(&s.token)).await;
        assert_eq!(status, StatusCode::OK);
        let before = statements();
        let (status, page) = get(&t, "/api/v1/me/household/ledger", Some(&s.token)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let spent = statements() - before;
        assert!(spent <= 2, "the ledger page ran {spent} statements");
    }
);

dual_db_test!(
    async fn r1_a_logout_ends_the_cached_session_at_once_in_this_replica(db: TestDb) {
        let (t, _clock) = spawn_at(
            db,
            "2026-06-01T02:00:00Z".parse().unwrap(),
            vec![env("AIDAZU__DINGTALK__WORKERS__ENABLED", "false")],
        )
        .await;
        let s = login(&t, "demo-villager").await;
        let (status, _) = get(&t, "/api/v1/me/household", Some(&s.token)).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = post(
            &t,
            "/api/v1/auth/logout",
            Some(&s.token),
            serde_json::json!({}),
        )
        .await;
        assert!(status.is_success(), "{status} {body}");
        let (status, body) = get(&t, "/api/v1/me/household", Some(&s.token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
);
