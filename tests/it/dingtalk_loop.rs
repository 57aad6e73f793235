//! The DingTalk integration end to end (F3 callbacks, F4 outbox): the real service and its
//! embedded simulator over loopback, on SQLite and PostgreSQL.
//!
//! - callbacks are verified, stored once under their identity, answered with the sealed
//!   `success`, and refused in the one error format when forged, stale or foreign (nothing
//!   stored);
//! - outbox messages reach DingTalk despite 5xx, rate limits and revoked tokens, exactly once,
//!   also with two replicas on one database;
//! - an event stored by an instance that died before applying it is applied after restart.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use aidazu_store::outbox::{
    ApprovalTerminate, Markdown, NewOutboxMessage, OutboxCommand, WorkNotice, enqueue,
};
use aidazu_testkit::{TestApp, TestDb, dual_db_test};
use dingtalk::callback::CallbackCrypto;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::kit::*;
use crate::support::*;

fn task_change(event_id: &str, instance: &str) -> Value {
    json!({
        "EventType": "bpms_task_change",
        "eventId": event_id,
        "CorpId": "dingaidazudemo0001",
        "processInstanceId": instance,
        "taskId": 7,
        "type": "start",
        "staffId": "demo-admin",
    })
}

// F3: check_url, a pushed event stored once however often DingTalk repeats it.
dual_db_test!(
    async fn f3_callbacks_are_verified_stored_once_and_answered(db: TestDb) {
        let t = spawn_fast(db, vec![]).await;
        let (status, body) = sim_post(&t, "/sim/check-url", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["ok"], true, "check_url handshake: {body}");

        let event = task_change("evt-f3-1", "PI-f3");
        for _ in 0..4 {
            let (status, reply) = push_event(&t, &crypto(), &event, SystemTime::now()).await;
            assert_eq!(status, StatusCode::OK, "{reply}");
            let sealed = reply["encrypt"].as_str().expect("sealed reply");
            assert_eq!(crypto().decrypt(sealed).unwrap(), "success");
            assert!(reply["msg_signature"].is_string() && reply["timeStamp"].is_string());
        }
        // An event without eventId is identified by its fields: repeated, still one row.
        let legacy = json!({
            "EventType": "bpms_instance_change",
            "processInstanceId": "PI-f3",
            "type": "start",
            "staffId": "demo-villager",
        });
        for _ in 0..2 {
            let (status, _) = push_event(&t, &crypto(), &legacy, SystemTime::now()).await;
            assert_eq!(status, StatusCode::OK);
        }
        let events = t.app.inbound_events().await.unwrap();
        let keys: Vec<&str> = events.iter().map(|e| e.event_key.as_str()).collect();
        assert_eq!(
            keys,
            ["evt-f3-1", "bpms_instance_change:PI-f3:start::"],
            "one row per event"
        );
        assert!(events.iter().all(|e| e.source == "http"));
        // The worker applies them (task changes are recorded, no effect).
        applied_events(&t).await;
    }
);

// Forged, stale, foreign and incomplete callbacks: refused in the envelope, nothing stored.
dual_db_test!(
    async fn f3_forged_stale_and_foreign_callbacks_are_refused(db: TestDb) {
        let t = spawn_fast(db, vec![]).await;
        let event = task_change("evt-bad", "PI-bad");

        // Forged: signed with another token.
        let forger = CallbackCrypto::new("not-the-token", AES_KEY, APP_KEY).unwrap();
        let (status, body) = push_event(&t, &forger, &event, SystemTime::now()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["code"], "dingtalk.callback_signature");
        assert!(body["message"].as_str().unwrap().contains("签名"));

        // Stale: a replay from ten minutes ago.
        let old = SystemTime::now() - Duration::from_secs(600);
        let (status, body) = push_event(&t, &crypto(), &event, old).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["code"], "dingtalk.callback_stale");

        // Foreign: right token and key, but sealed for another app (owner key).
        let foreign = CallbackCrypto::new(TOKEN, AES_KEY, "dingsomeoneelse").unwrap();
        let (status, body) = push_event(&t, &foreign, &event, SystemTime::now()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["code"], "dingtalk.callback_invalid");

        // No signature at all.
        let resp = t
            .http
            .post(t.url("/dingtalk/callback?timestamp=1&nonce=x"))
            .json(&json!({ "encrypt": "abc" }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "dingtalk.callback_query");

        // A card callback with a wrong signature.
        let resp = t
            .http
            .post(t.url("/dingtalk/card-callback"))
            .header("x-ddpaas-signature-timestamp", now_ms().to_string())
            .header("x-ddpaas-signature", "AAAA")
            .json(&json!({ "outTrackId": "decl-1-x", "userId": "demo-admin", "content": "{}" }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "dingtalk.callback_signature");

        assert!(
            t.app.inbound_events().await.unwrap().is_empty(),
            "nothing stored"
        );
    }
);

fn notify_message(i: usize, user: &str, marker: &str) -> NewOutboxMessage {
    NewOutboxMessage::new(
        OutboxCommand::NotifyWork(WorkNotice {
            user_ids: vec![user.into()],
            markdown: Markdown {
                title: "积分通知".into(),
                text: format!("{marker}-{i} 您的申报已处理"),
            },
            declaration_id: None,
            ledger_entry_id: None,
            order_id: None,
        }),
        format!("test.notify:{marker}:{i}"),
        None,
    )
}

async fn enqueue_notifications(t: &TestApp, marker: &str, n: usize) {
    let txn = t.store().begin().await.unwrap();
    for i in 0..n {
        enqueue(&txn, notify_message(i, "demo-villager", marker))
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
    t.app.wake_workers();
}

async fn outbox_statuses(t: &TestApp) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for m in aidazu_store::outbox::list(t.store().connection(), Some("notify.work"))
        .await
        .unwrap()
    {
        *counts.entry(m.status).or_insert(0) += 1;
    }
    counts
}

// F4: 5xx, rate limits and revoked tokens delay work notifications but lose none, and none
// is sent twice.
dual_db_test!(
    async fn f4_faults_delay_notifications_but_lose_none(db: TestDb) {
        let t = spawn_fast(db, vec![]).await;
        let (status, _) = sim_post(
            &t,
            "/sim/faults",
            json!({ "errorRate": 0.6, "rateLimitNext": 4, "invalidateTokens": true }),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        enqueue_notifications(&t, "fault", 6).await;

        // While faults bite, some attempts fail and are rescheduled.
        poll(Duration::from_secs(20), || async {
            let msgs = aidazu_store::outbox::list(t.store().connection(), Some("notify.work"))
                .await
                .unwrap();
            msgs.iter().any(|m| m.attempts > 0).then_some(())
        })
        .await;
        sim_post(&t, "/sim/faults", json!({ "errorRate": 0.0 })).await;

        let statuses = poll(Duration::from_secs(30), || async {
            let s = outbox_statuses(&t).await;
            (s.get("sent") == Some(&6)).then_some(s)
        })
        .await;
        assert_eq!(statuses.len(), 1, "all sent, none failed: {statuses:?}");
        let mut texts = sim_notifications(&t, None, "fault").await;
        texts.sort();
        let expected: Vec<String> = (0..6)
            .map(|i| format!("fault-{i} 您的申报已处理"))
            .collect();
        assert_eq!(texts, expected, "each notification exactly once");
        let stats = sim_get(&t, "/sim/stats").await;
        assert!(
            stats["injectedErrors"].as_u64().unwrap_or(0) > 0
                || stats["rateLimited"].as_u64().unwrap_or(0) > 0,
            "faults were injected: {stats}"
        );
    }
);

// F4: two replicas on one database share the outbox without sending anything twice.
dual_db_test!(
    async fn f4_two_replicas_never_send_the_same_message_twice(db: TestDb) {
        let first = spawn_fast(db, vec![]).await;
        let second = first.spawn_replica(vec![]).await;
        // Many messages at once, both workers awake.
        let txn = first.store().begin().await.unwrap();
        for i in 0..24 {
            enqueue(&txn, notify_message(i, "demo-villager", "replica"))
                .await
                .unwrap();
        }
        txn.commit().await.unwrap();
        first.app.wake_workers();
        second.app.wake_workers();

        poll(Duration::from_secs(30), || async {
            (outbox_statuses(&first).await.get("sent") == Some(&24)).then_some(())
        })
        .await;
        let mut texts = sim_notifications(&first, None, "replica").await;
        texts.extend(sim_notifications(&second, None, "replica").await);
        texts.sort();
        let mut expected: Vec<String> = (0..24)
            .map(|i| format!("replica-{i} 您的申报已处理"))
            .collect();
        expected.sort();
        assert_eq!(texts, expected, "every message sent once, by one replica");
        drop(second);
    }
);

// F3: the service dies after storing an event and before applying it; after restart it is
// applied, once.
dual_db_test!(
    async fn f3_an_event_stored_before_a_crash_is_applied_after_restart(db: TestDb) {
        let t = spawn_fast(db, vec![env("AIDAZU__DINGTALK__WORKERS__ENABLED", "false")]).await;
        let event = task_change("evt-crash", "PI-crash");
        let (status, _) = push_event(&t, &crypto(), &event, SystemTime::now()).await;
        assert_eq!(status, StatusCode::OK);
        let stored = t.app.inbound_events().await.unwrap();
        assert_eq!(stored.len(), 1);
        assert!(stored[0].applied_at.is_none(), "no worker ran");
        // A DingTalk call enqueued before the crash is sent after the restart, once.
        enqueue_notifications(&t, "restart", 1).await;

        let t = t
            .restart_with_env(vec![env("AIDAZU__DINGTALK__WORKERS__ENABLED", "true")])
            .await;
        let applied = poll(Duration::from_secs(10), || async {
            let events = t.app.inbound_events().await.unwrap();
            events[0].applied_at.is_some().then_some(events)
        })
        .await;
        assert_eq!(applied.len(), 1);
        assert!(
            applied[0]
                .outcome
                .as_deref()
                .unwrap()
                .starts_with("recorded")
        );
        let texts = poll(Duration::from_secs(20), || async {
            let texts = sim_notifications(&t, None, "restart").await;
            (!texts.is_empty()).then_some(texts)
        })
        .await;
        assert_eq!(texts, ["restart-0 您的申报已处理"]);
    }
);

// F3: contact events pushed by DingTalk bind a new DingTalk user to the member with that mobile
// and, when the user leaves, end the account's sessions.
dual_db_test!(
    async fn f3_contact_events_through_the_callback_bind_and_unbind(db: TestDb) {
        let t = spawn_fast(db, vec![]).await;
        // 张静 (heping-01-009-2) has a mobile but no DingTalk user yet.
        let (status, _) = sim_put(
            &t,
            "/sim/users/u-zhangjing",
            json!({ "name": "张静", "mobile": "10060317458", "deptIds": [111] }),
        )
        .await;
        assert!(status.is_success());
        let bound = poll(Duration::from_secs(20), || async {
            t.app
                .inbound_events()
                .await
                .unwrap()
                .into_iter()
                .find(|e| e.event_type == "user_add_org" && e.applied_at.is_some())
        })
        .await;
        assert!(
            bound.outcome.as_deref().unwrap().contains("bound"),
            "{bound:?}"
        );

        // The new user logs in as that member.
        let session = login(&t, "u-zhangjing").await;
        assert_eq!(session.body["member"]["name"], "张静", "{}", session.body);

        // The user leaves the organisation: the account is disabled, the token stops working.
        let (status, _) = sim_delete(&t, "/sim/users/u-zhangjing").await;
        assert!(status.is_success());
        poll(Duration::from_secs(20), || async {
            t.app
                .inbound_events()
                .await
                .unwrap()
                .into_iter()
                .find(|e| e.event_type == "user_leave_org" && e.applied_at.is_some())
        })
        .await;
        let (status, body) = get(&t, "/api/v1/me/household", Some(&session.token)).await;
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN,
            "{status} {body}"
        );
    }
);

// F4: a message DingTalk keeps refusing for good is marked failed after the last attempt and
// recorded in the audit trail (R22); it is not retried for ever.
dual_db_test!(
    async fn f4_a_message_refused_for_good_is_marked_failed_and_audited(db: TestDb) {
        let t = spawn_fast(
            db,
            vec![env("AIDAZU__DINGTALK__WORKERS__MAX_ATTEMPTS", "3")],
        )
        .await;
        let txn = t.store().begin().await.unwrap();
        // An approval to terminate that DingTalk does not know: refused, permanently.
        enqueue(
            &txn,
            NewOutboxMessage::new(
                OutboxCommand::ApprovalTerminate(ApprovalTerminate {
                    declaration_id: aidazu_domain::DeclarationId(0),
                    process_instance_id: Some("no-such-instance".into()),
                    remark: None,
                }),
                "test.terminate:unknown",
                None,
            ),
        )
        .await
        .unwrap();
        txn.commit().await.unwrap();
        t.app.wake_workers();
        let failed = outbox_settled(&t, "test.terminate:unknown").await;
        assert_eq!(failed.status, "failed", "{failed:?}");
        assert!(failed.last_error.is_some(), "{failed:?}");
        assert_eq!(failed.attempts, 1, "a permanent refusal is not retried");
        let audit = t
            .store()
            .audit_trail(aidazu_store::audit::AuditFilter::default(), 50)
            .await
            .unwrap();
        assert!(
            audit.iter().any(|e| e.record.action == "outbox.failed"
                && e.record.entity_id.as_deref() == Some(failed.id.to_string().as_str())),
            "{audit:?}"
        );
    }
);

// F4 and shutdown: a stopping outbox worker ends its pass between messages; the message in hand is
// sent and recorded first, and none is left leased for another replica to wait out.
dual_db_test!(
    async fn f4_an_outbox_pass_told_to_stop_ends_between_messages_and_leaves_none_leased(
        db: TestDb,
    ) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let t = spawn_fast(db, vec![env("AIDAZU__DINGTALK__WORKERS__ENABLED", "false")]).await;
        enqueue_notifications(&t, "stopping", 3).await;
        let asked = AtomicUsize::new(0);
        let stop = || asked.fetch_add(1, Ordering::SeqCst) >= 1;
        let report = aidazu_app::outbox::dispatch_due_until(&t.app, "stopping-worker", &stop)
            .await
            .unwrap();
        assert!(!report.is_empty(), "{report:?}");
        assert_eq!(
            asked.load(Ordering::SeqCst),
            2,
            "stopped at the next message"
        );
        let statuses = outbox_statuses(&t).await;
        assert_eq!(statuses.get("sent"), Some(&1), "{statuses:?}");
        assert_eq!(statuses.get("pending"), Some(&2), "{statuses:?}");

        // The next pass (another worker, or this one after a restart) sends the rest at once,
        // once each: the stopping worker left nothing leased that would have to be waited out.
        aidazu_app::outbox::dispatch_due(&t.app, "next-worker")
            .await
            .unwrap();
        let statuses = outbox_statuses(&t).await;
        assert_eq!(statuses.get("sent"), Some(&3), "{statuses:?}");
        let mut texts = sim_notifications(&t, None, "stopping").await;
        texts.sort();
        assert_eq!(texts.len(), 3, "{texts:?}");
        texts.dedup();
        assert_eq!(texts.len(), 3, "none sent twice: {texts:?}");
    }
);
