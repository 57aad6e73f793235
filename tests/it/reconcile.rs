//! Nothing approved in DingTalk is lost (issue 7 point 6): DingTalk cannot reach the service for
//! longer than its retry window, so its pushes end in DingTalk's failed list; after a restart the
//! reconciler reads that list and every decision applies once. An approval whose push was lost
//! without a trace is found by re-checking the instance. Runs on SQLite and PostgreSQL.

use std::time::Duration;

use aidazu_app::reconcile::reconcile;
use aidazu_testkit::{TestDb, dual_db_test};
use reqwest::StatusCode;
use serde_json::json;

use crate::kit::*;
use crate::support::{poll, sim_decide, sim_get, sim_post, spawn_fast};

dual_db_test!(
    async fn f3_approvals_made_while_dingtalk_cannot_reach_us_apply_once_after_restart(db: TestDb) {
        let t = spawn_fast(db, vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let agreed = declare_with_photo(&t, &villager, "PA-02", 120, "打扫公共区域").await;
        let agreed_pi = approval_of(&t, agreed).await;
        let refused = declare_with_photo(&t, &villager, "PA-02", 121, "打扫公共区域").await;
        let refused_pi = approval_of(&t, refused).await;

        // DingTalk cannot reach the service past its retries: the pushes end in the failed list.
        let (status, _) = sim_post(&t, "/sim/faults", json!({ "callbacksDown": true })).await;
        assert!(status.is_success());
        assert_eq!(
            sim_decide(&t, &agreed_pi, "agree", "核实不符").await,
            StatusCode::OK
        );
        assert_eq!(
            sim_decide(&t, &refused_pi, "refuse", "核实不符").await,
            StatusCode::OK
        );
        let failed = poll(Duration::from_secs(10), || async {
            let events = sim_get(&t, "/sim/events").await;
            let n = events
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["status"] == "failed")
                .count();
            (n >= 2).then_some(n)
        })
        .await;
        assert!(failed >= 2);
        assert_eq!(record(&t, agreed).await.state.to_string(), "in_review");
        assert_eq!(record(&t, refused).await.state.to_string(), "in_review");

        // The service restarts; DingTalk (the simulator, its state kept) is reachable again; the
        // reconciler reads the failed list at start and both decisions apply.
        let t = t.restart().await;
        wait_state(&t, agreed, "approved").await;
        wait_state(&t, refused, "rejected").await;
        assert_eq!(
            entries_for(&t, villager.household_id, agreed).await,
            vec![5]
        );
        assert!(
            entries_for(&t, villager.household_id, refused)
                .await
                .is_empty()
        );
        // Running it again changes nothing.
        let again = reconcile(&t.app, chrono::Duration::zero()).await.unwrap();
        assert_eq!((again.failed_stored, again.recovered), (0, 0), "{again:?}");
        assert_eq!(
            entries_for(&t, villager.household_id, agreed).await,
            vec![5]
        );
    }
);

dual_db_test!(
    async fn f3_a_push_lost_without_a_trace_is_recovered_by_re_checking_the_instance(db: TestDb) {
        let t = spawn_fast(db, vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let id = declare_with_photo(&t, &villager, "PA-02", 122, "打扫公共区域").await;
        let instance = approval_of(&t, id).await;
        let (status, _) = sim_post(&t, "/sim/faults", json!({ "callbacksDown": true })).await;
        assert!(status.is_success());
        assert_eq!(
            sim_decide(&t, &instance, "agree", "核实不符").await,
            StatusCode::OK
        );
        // Someone else drained the failed list: only the instance itself tells.
        poll(Duration::from_secs(10), || async {
            let page = t.app.dingtalk().failed_callbacks().await.unwrap();
            (!page.failed_list.is_empty()).then_some(())
        })
        .await;
        assert_eq!(record(&t, id).await.state.to_string(), "in_review");
        let report = reconcile(&t.app, chrono::Duration::zero()).await.unwrap();
        assert_eq!(report.recovered, 1, "{report:?}");
        wait_state(&t, id, "approved").await;
        assert_eq!(entries_for(&t, villager.household_id, id).await, vec![5]);
        let again = reconcile(&t.app, chrono::Duration::zero()).await.unwrap();
        assert_eq!((again.rechecked, again.recovered), (0, 0), "{again:?}");
    }
);
