//! Nothing approved in DingTalk is lost (issue 7 point 6): DingTalk cannot reach the service for
//! longer than its retry window, so its pushes end in DingTalk's failed list; after a restart the
//! reconciler reads that list and every decision applies once. An approval whose push was lost
//! without a trace is found by re-checking the instance. Runs on SQLite and PostgreSQL.

use std::time::Duration;

use aidazu_app::reconcile::reconcile;
use aidazu_domain::DeclarationId;
use aidazu_store::declarations as store_decl;
use aidazu_testkit::{TestApp, TestAppOptions, TestDb, dual_db_test};
use reqwest::StatusCode;
use serde_json::json;

use crate::kit::*;
use crate::support::{env, poll, sim_get, sim_post};

fn fast() -> Vec<(String, String)> {
    vec![
        env("AIDAZU__DINGTALK__WORKERS__POLL_MS", "50"),
        env("AIDAZU__DINGTALK__WORKERS__BACKOFF_BASE_MS", "50"),
        env("AIDAZU__DINGTALK__WORKERS__BACKOFF_MAX_MS", "400"),
    ]
}

async fn state_of(t: &TestApp, id: i64) -> (String, Option<String>) {
    let r = store_decl::declaration(t.app.store().connection(), DeclarationId(id))
        .await
        .unwrap()
        .unwrap();
    (r.state.to_string(), r.process_instance_id)
}

async fn declared_with_approval(t: &TestApp, villager: &Session, seed: u8) -> (i64, String) {
    let photo = photo_id(t, &villager.token, seed).await;
    let (status, decl) = declare(t, villager, "PA-02", &[photo], "打扫公共区域").await;
    assert_eq!(status, StatusCode::CREATED, "{decl}");
    let id = decl["id"].as_i64().unwrap();
    let instance = poll(Duration::from_secs(20), || async {
        state_of(t, id).await.1
    })
    .await;
    (id, instance)
}

async fn sim_decide(t: &TestApp, instance: &str, result: &str) {
    let (status, body) = sim_post(
        t,
        &format!("/sim/approvals/{instance}/decide"),
        json!({ "result": result, "remark": "核实不符", "staffId": "demo-admin" }),
    )
    .await;
    assert!(status.is_success(), "{body}");
}

async fn wait_for(t: &TestApp, id: i64, want: &str) {
    poll(Duration::from_secs(20), || async {
        (state_of(t, id).await.0 == want).then_some(())
    })
    .await;
}

dual_db_test!(
    async fn f3_approvals_made_while_dingtalk_cannot_reach_us_apply_once_after_restart(db: TestDb) {
        let t = TestApp::spawn_with(
            db,
            TestAppOptions {
                env: fast(),
                ..TestAppOptions::default()
            },
        )
        .await;
        let villager = login(&t, "demo-villager").await;
        let (agreed, agreed_pi) = declared_with_approval(&t, &villager, 120).await;
        let (refused, refused_pi) = declared_with_approval(&t, &villager, 121).await;

        // DingTalk cannot reach the service past its retries: the pushes end in the failed list.
        let (status, _) = sim_post(&t, "/sim/faults", json!({ "callbacksDown": true })).await;
        assert!(status.is_success());
        sim_decide(&t, &agreed_pi, "agree").await;
        sim_decide(&t, &refused_pi, "refuse").await;
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
        assert_eq!(state_of(&t, agreed).await.0, "in_review");
        assert_eq!(state_of(&t, refused).await.0, "in_review");

        // The service restarts; DingTalk (the simulator, its state kept) is reachable again; the
        // reconciler reads the failed list at start and both decisions apply.
        let t = t.restart().await;
        wait_for(&t, agreed, "approved").await;
        wait_for(&t, refused, "rejected").await;
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
        let t = TestApp::spawn_with(
            db,
            TestAppOptions {
                env: fast(),
                ..TestAppOptions::default()
            },
        )
        .await;
        let villager = login(&t, "demo-villager").await;
        let (id, instance) = declared_with_approval(&t, &villager, 122).await;
        let (status, _) = sim_post(&t, "/sim/faults", json!({ "callbacksDown": true })).await;
        assert!(status.is_success());
        sim_decide(&t, &instance, "agree").await;
        // Someone else drained the failed list: only the instance itself tells.
        poll(Duration::from_secs(10), || async {
            let page = t.app.dingtalk().failed_callbacks().await.unwrap();
            (!page.failed_list.is_empty()).then_some(())
        })
        .await;
        assert_eq!(state_of(&t, id).await.0, "in_review");
        let report = reconcile(&t.app, chrono::Duration::zero()).await.unwrap();
        assert_eq!(report.recovered, 1, "{report:?}");
        wait_for(&t, id, "approved").await;
        assert_eq!(entries_for(&t, villager.household_id, id).await, vec![5]);
        let again = reconcile(&t.app, chrono::Duration::zero()).await.unwrap();
        assert_eq!((again.rechecked, again.recovered), (0, 0), "{again:?}");
    }
);
