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
        let statements = || t.app.store().statements();

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
