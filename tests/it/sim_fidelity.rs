//! DingTalk fidelity through the real service and its embedded simulator (issue 13; issue 7,
//! point 7), on SQLite and PostgreSQL:
//!
//! - the simulator keeps its state in `<data dir>/dingtalk-sim.json`: after a restart of
//!   `serve` the approval template is still known and new approvals are created;
//! - when DingTalk answers that the remembered process code is unknown, the service creates the
//!   form template again and retries the approval (HTTP callbacks and Stream);
//! - over Stream, the service's own ACKs are accepted on the first delivery;
//! - the demo has one group per pilot village with the app's robot; a robot message to an
//!   unknown group or a group without the robot is refused as DingTalk refuses it, and the
//!   client reports it as a failed (permanent) delivery.

use std::time::Duration;

use aidazu_testkit::{TestApp, TestDb, dual_db_test};
use dingtalk::api::robot::RobotMessage;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::kit::{declare_with_photo, login, outbox_settled};
use crate::support::*;

async fn spawn(db: TestDb, events: &str) -> TestApp {
    spawn_fast(db, vec![env("AIDAZU__DINGTALK__EVENTS", events)]).await
}

/// Waits until the simulator holds an approval whose form carries `text`; returns it.
async fn approval_with(t: &TestApp, text: &str) -> Value {
    poll(Duration::from_secs(30), || async {
        sim_get(t, "/sim/approvals")
            .await
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["formValues"].to_string().contains(text))
            .cloned()
    })
    .await
}

async fn process_codes(t: &TestApp) -> Vec<String> {
    sim_get(t, "/sim/forms")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["processCode"].as_str().unwrap().to_owned())
        .collect()
}

// Issue 7.7: the embedded simulator remembers the template (and its approvals) across a restart
// of the service, as DingTalk does.
dual_db_test!(
    async fn sim_state_survives_a_restart_of_serve(db: TestDb) {
        let t = spawn(db, "http").await;
        let villager = login(&t, "demo-villager").await;
        declare_with_photo(&t, &villager, "ML-03", 91, "重启前的申报").await;
        let before = approval_with(&t, "重启前的申报").await;
        let codes = process_codes(&t).await;
        assert_eq!(codes.len(), 1, "{codes:?}");
        assert!(t.data_dir().join("dingtalk-sim.json").exists());

        let t = t.restart().await;
        assert_eq!(
            process_codes(&t).await,
            codes,
            "the template is still known"
        );
        let kept = sim_get(
            &t,
            &format!("/sim/approvals/{}", before["id"].as_str().unwrap()),
        )
        .await;
        assert_eq!(kept["status"], "RUNNING", "{kept}");

        let villager = login(&t, "demo-villager").await;
        declare_with_photo(&t, &villager, "ML-03", 92, "重启后的申报").await;
        let after = approval_with(&t, "重启后的申报").await;
        assert_eq!(after["processCode"], codes[0].as_str());
        assert_eq!(
            process_codes(&t).await,
            codes,
            "no second template was needed"
        );
    }
);

async fn unknown_process_code_is_recovered(db: TestDb, events: &str) {
    let t = spawn(db, events).await;
    if events == "stream" {
        wait_stream_connection(&t).await;
    }
    let villager = login(&t, "demo-villager").await;
    declare_with_photo(&t, &villager, "ML-03", 93, "模板存在时的申报").await;
    let first = approval_with(&t, "模板存在时的申报").await;

    // DingTalk forgets every template (the simulator's state was wiped).
    let (_, wiped) = sim_delete(&t, "/sim/forms").await;
    assert_eq!(wiped["removed"], 1, "{wiped}");

    declare_with_photo(&t, &villager, "ML-03", 94, "模板丢失后的申报").await;
    let second = approval_with(&t, "模板丢失后的申报").await;
    let codes = process_codes(&t).await;
    assert_eq!(codes.len(), 1, "the form was ensured again: {codes:?}");
    assert_eq!(second["processCode"], codes[0].as_str());
    assert_ne!(second["processCode"], first["processCode"]);

    // The new approval is decided in DingTalk and the decision comes back.
    let instance = second["id"].as_str().unwrap();
    assert_eq!(
        sim_decide(&t, instance, "agree", "同意").await,
        StatusCode::OK
    );
    let events_of_instance = poll(Duration::from_secs(30), || async {
        let events = sim_get(&t, "/sim/events").await;
        let list: Vec<Value> = events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["payload"]["processInstanceId"] == instance)
            .cloned()
            .collect();
        let finished = list
            .iter()
            .any(|e| e["eventType"] == "bpms_instance_change" && e["payload"]["type"] == "finish");
        (finished && list.iter().all(|e| e["status"] == "delivered")).then_some(list)
    })
    .await;
    for event in &events_of_instance {
        let attempts = event["attempts"].as_array().unwrap();
        assert_eq!(attempts[0]["mode"], events, "{event}");
        assert_eq!(
            attempts[0]["delivered"], true,
            "the service acknowledges on the first delivery: {event}"
        );
    }
}

// Issue 7.7: "processCode不存在" → the form template is ensured again and the approval retried;
// over HTTP callbacks.
dual_db_test!(
    async fn unknown_process_code_is_ensured_again_over_http(db: TestDb) {
        unknown_process_code_is_recovered(db, "http").await;
    }
);

// The same over Stream, where the service's own ACK (status SUCCESS) is accepted at once.
dual_db_test!(
    async fn unknown_process_code_is_ensured_again_over_stream(db: TestDb) {
        unknown_process_code_is_recovered(db, "stream").await;
    }
);

// Issue 13.2: one group per pilot village with the app's robot; refusals are DingTalk's and
// reach the caller as a permanent, typed failure.
dual_db_test!(
    async fn village_groups_take_robot_messages_and_refusals_are_failures(db: TestDb) {
        let t = spawn(db, "http").await;
        let groups = sim_get(&t, "/sim/groups").await;
        let groups = groups.as_array().unwrap();
        let titles: Vec<&str> = groups
            .iter()
            .map(|g| g["title"].as_str().unwrap())
            .collect();
        for village in ["和平村", "慈航社区", "长虹村", "旭光村"] {
            assert!(
                titles.iter().any(|t| t.starts_with(village)),
                "{village} has a group: {titles:?}"
            );
        }
        assert_eq!(groups.len(), 4);
        assert!(groups.iter().all(|g| g["robotCodes"] == json!([APP_KEY])));
        assert!(
            groups.iter().any(|g| g["memberUserIds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u == "demo-villager")),
            "the demo villager is in a village group"
        );

        let client = t.app.dingtalk();
        let heping = groups
            .iter()
            .find(|g| g["title"].as_str().unwrap().starts_with("和平村"))
            .unwrap()["openConversationId"]
            .as_str()
            .unwrap()
            .to_owned();
        let notice = RobotMessage::markdown("第三季度积分公示", "## 和平村 第三季度");
        client
            .send_group_message(&heping.as_str().into(), &notice)
            .await
            .unwrap();

        let unknown = client
            .send_group_message(&"cidNotAGroup==".into(), &notice)
            .await
            .unwrap_err();
        assert_eq!(unknown.api_code(), Some("invalid.openConversationId"));
        assert!(unknown.is_group_refusal() && !unknown.is_retryable());

        let (status, _) = sim_delete(&t, &format!("/sim/groups/{heping}/robots/{APP_KEY}")).await;
        assert!(status.is_success());
        let refused = client
            .send_group_message(&heping.as_str().into(), &notice)
            .await
            .unwrap_err();
        assert_eq!(
            refused.api_code(),
            Some("invalidParameter.robotCode.notExsit")
        );
        assert!(refused.is_group_refusal() && !refused.is_retryable());
        // The failure is the service's to report as a failed delivery (gateway: Permanent).
        let as_outbox = aidazu_app::gateway::SendError::from(refused);
        assert!(matches!(
            as_outbox,
            aidazu_app::gateway::SendError::Permanent(_)
        ));

        let kept = sim_get(
            &t,
            &format!(
                "/sim/group-messages?openConversationId={}",
                heping.replace('=', "%3D").replace('+', "%2B")
            ),
        )
        .await;
        assert_eq!(
            kept.as_array().unwrap().len(),
            1,
            "only the accepted message: {kept}"
        );
    }
);

dual_db_test!(
    async fn a_group_notice_through_the_outbox_is_delivered_or_fails_never_silently(db: TestDb) {
        use aidazu_store::outbox::{
            GroupNotice, Markdown, NewOutboxMessage, OutboxCommand, enqueue,
        };
        let t = spawn(db, "http").await;
        let groups = sim_get(&t, "/sim/groups").await;
        let heping = groups
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["title"].as_str().unwrap().starts_with("和平村"))
            .unwrap()["openConversationId"]
            .as_str()
            .unwrap()
            .to_owned();
        let notice = |key: &str, group: &str| {
            NewOutboxMessage::new(
                OutboxCommand::NotifyGroup(GroupNotice {
                    open_conversation_id: group.into(),
                    markdown: Markdown {
                        title: "积分公示".into(),
                        text: format!("## 公示 {key}"),
                    },
                    robot_code: None,
                }),
                key,
                None,
            )
        };
        let txn = t.store().begin().await.unwrap();
        enqueue(&txn, notice("test.group:ok", &heping))
            .await
            .unwrap();
        enqueue(&txn, notice("test.group:unknown", "cidNotAGroup=="))
            .await
            .unwrap();
        txn.commit().await.unwrap();
        t.app.wake_workers();
        let ok = outbox_settled(&t, "test.group:ok").await;
        assert_eq!(ok.status, "sent", "{ok:?}");
        let messages = sim_get(
            &t,
            &format!(
                "/sim/group-messages?openConversationId={}",
                urlencode(&heping)
            ),
        )
        .await;
        assert!(
            messages.to_string().contains("公示 test.group:ok"),
            "{messages}"
        );
        let refused = outbox_settled(&t, "test.group:unknown").await;
        assert_eq!(refused.status, "failed", "{refused:?}");
        assert_eq!(refused.attempts, 1, "a refusal is not retried");
        assert!(
            refused
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("invalid.openConversationId")),
            "{refused:?}"
        );

        // The robot removed from the group: the next notice fails too, visibly.
        let (status, _) = sim_delete(&t, &format!("/sim/groups/{heping}/robots/{APP_KEY}")).await;
        assert!(status.is_success());
        let txn = t.store().begin().await.unwrap();
        enqueue(&txn, notice("test.group:no-robot", &heping))
            .await
            .unwrap();
        txn.commit().await.unwrap();
        t.app.wake_workers();
        let refused = outbox_settled(&t, "test.group:no-robot").await;
        assert_eq!(refused.status, "failed", "{refused:?}");
    }
);

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
