//! Issue 4 "Done when", played as people would, over the real service and its embedded DingTalk
//! simulator, on SQLite and PostgreSQL: a villager logs in with a simulator auth code, uploads
//! two photos and declares (F1, F2, R8); the approval and the card reach the admins through the
//! outbox (F4); the admin decides in DingTalk (approval or card button) or in the console; the
//! result comes back as a callback (F3, with duplicates and a late task change) and is applied
//! once (R9); the household is credited once (R12) and the villager's work notification is in the
//! simulator. Also: refusal, withdrawal, a console decision racing a DingTalk decision, an admin
//! deduction (R10), and a crash between callback receipt and ledger write.

use std::io::Cursor;
use std::time::{Duration, SystemTime};

use aidazu_domain::calendar::{PointsYear, business_date};
use aidazu_domain::{DeclarationId, HouseholdId};
use aidazu_store::declarations::{self as store_decl, DeclarationRecord};
use aidazu_testkit::{TestApp, TestAppOptions, TestDb, dual_db_test};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::support::*;

// ---------------------------------------------------------------------------------------------
// helpers

struct Session {
    token: String,
    member_id: i64,
    household_id: i64,
}

fn fast() -> Vec<(String, String)> {
    vec![
        env("AIDAZU__DINGTALK__WORKERS__POLL_MS", "50"),
        env("AIDAZU__DINGTALK__WORKERS__BACKOFF_BASE_MS", "50"),
        env("AIDAZU__DINGTALK__WORKERS__BACKOFF_MAX_MS", "400"),
        env("AIDAZU__DINGTALK__WORKERS__MAX_ATTEMPTS", "50"),
    ]
}

async fn spawn(db: TestDb) -> TestApp {
    TestApp::spawn_with(
        db,
        TestAppOptions {
            env: fast(),
            ..TestAppOptions::default()
        },
    )
    .await
}

async fn post(t: &TestApp, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut req = t.http.post(t.url(path)).json(&body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// F1: the phone gets a 免登 code from DingTalk (the simulator) and logs in with it.
async fn login(t: &TestApp, user_id: &str) -> Session {
    let (status, code) = sim_post(t, "/sim/auth-codes", json!({ "userId": user_id })).await;
    assert_eq!(status, StatusCode::OK, "{code}");
    let (status, body) = post(
        t,
        "/api/v1/auth/dingtalk",
        None,
        json!({ "authCode": code["code"] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "login {user_id}: {body}");
    Session {
        token: body["accessToken"].as_str().unwrap().to_owned(),
        member_id: body["member"]["id"].as_i64().unwrap_or_default(),
        household_id: body["member"]["householdId"].as_i64().unwrap_or_default(),
    }
}

/// A real JPEG, different for each seed.
fn jpeg(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(48, 32, |x, y| {
        image::Rgb([
            seed,
            u8::try_from((x * 7 + u32::from(seed)) % 256).unwrap(),
            u8::try_from(y * 3 % 256).unwrap(),
        ])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

/// F2: uploads a photo as the phone does (multipart, part `file`).
async fn upload(t: &TestApp, token: &str, seed: u8) -> i64 {
    let part = Part::bytes(jpeg(seed))
        .file_name(format!("IMG_{seed}.jpg"))
        .mime_str("image/jpeg")
        .unwrap();
    let resp = t
        .http
        .post(t.url("/api/v1/photos"))
        .bearer_auth(token)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert!(status.is_success(), "{body}");
    body["id"].as_i64().unwrap()
}

/// R8: declares `item` for the caller with `photos`; returns the declaration id.
async fn declare(t: &TestApp, s: &Session, item: &str, photos: &[i64], text: &str) -> i64 {
    let (status, body) = post(
        t,
        "/api/v1/declarations",
        Some(&s.token),
        json!({
            "itemCode": item,
            "occurredOn": business_date(t.app.clock().now()).to_string(),
            "memberId": s.member_id,
            "text": text,
            "photoIds": photos,
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

async fn record(t: &TestApp, id: i64) -> DeclarationRecord {
    store_decl::declaration(t.app.store().connection(), DeclarationId(id))
        .await
        .unwrap()
        .unwrap()
}

/// F4: waits until the approval exists in DingTalk; returns its instance id.
async fn approval_of(t: &TestApp, id: i64) -> String {
    poll(Duration::from_secs(20), || async {
        record(t, id).await.process_instance_id
    })
    .await
}

/// F4: waits until the admins' card exists in DingTalk; returns it.
async fn card_of(t: &TestApp, id: i64) -> Value {
    let out_track_id = record(t, id).await.card_out_track_id;
    poll(Duration::from_secs(20), || async {
        sim_get(t, "/sim/cards")
            .await
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["outTrackId"] == out_track_id.as_str())
            .cloned()
    })
    .await
}

async fn wait_state(t: &TestApp, id: i64, state: &str) -> DeclarationRecord {
    poll(Duration::from_secs(20), || async {
        let r = record(t, id).await;
        (r.state.to_string() == state).then_some(r)
    })
    .await
}

/// Amounts of the ledger entries booked for a declaration (R12: at most one).
async fn entries_for(t: &TestApp, household: i64, declaration: i64) -> Vec<i64> {
    let year: i32 = business_date(t.app.clock().now())
        .format("%Y")
        .to_string()
        .parse()
        .unwrap();
    let mut out = Vec::new();
    for y in [PointsYear(year), PointsYear(year - 1)] {
        for e in t
            .app
            .store()
            .household_entries(HouseholdId(household), y)
            .await
            .unwrap()
        {
            if e.entry.declaration == Some(DeclarationId(declaration)) {
                out.push(e.entry.amount.get());
            }
        }
    }
    out
}

/// Waits for a work notification to `user` whose text contains `needle`; returns all such.
async fn notifications_to(t: &TestApp, user: &str, needle: &str) -> Vec<String> {
    poll(Duration::from_secs(20), || async {
        let found: Vec<String> = sim_get(t, "/sim/work-notifications")
            .await
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["userIds"].as_array().unwrap().iter().any(|u| u == user))
            .filter_map(|n| n["msg"]["markdown"]["text"].as_str())
            .filter(|text| text.contains(needle))
            .map(str::to_owned)
            .collect();
        (!found.is_empty()).then_some(found)
    })
    .await
}

/// Waits until every stored event is applied; returns (key, type, outcome) of each.
async fn applied_events(t: &TestApp) -> Vec<(String, String, String)> {
    poll(Duration::from_secs(20), || async {
        let events = t.app.inbound_events().await.unwrap();
        events.iter().all(|e| e.applied_at.is_some()).then(|| {
            events
                .iter()
                .map(|e| {
                    (
                        e.event_key.clone(),
                        e.event_type.clone(),
                        e.outcome.clone().unwrap_or_default(),
                    )
                })
                .collect()
        })
    })
    .await
}

/// The simulator's events of one approval instance, as pushed.
async fn sim_events_of(t: &TestApp, instance: &str, event_type: &str) -> Vec<Value> {
    sim_get(t, "/sim/events")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["eventType"] == event_type && e["payload"]["processInstanceId"] == instance)
        .map(|e| e["payload"].clone())
        .collect()
}

async fn sim_decide(t: &TestApp, instance: &str, result: &str, remark: &str) -> StatusCode {
    let (status, _) = sim_post(
        t,
        &format!("/sim/approvals/{instance}/decide"),
        json!({ "result": result, "remark": remark, "staffId": "demo-admin" }),
    )
    .await;
    status
}

// ---------------------------------------------------------------------------------------------
// stories

// F1–F4, R8, R9, R12: agree in DingTalk; the callback, three duplicates and a late task change
// credit the household once; the villager is notified; the card shows the outcome.
dual_db_test!(
    async fn f3_admin_agrees_in_dingtalk_and_the_household_is_credited_once(db: TestDb) {
        let t = spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let photos = [
            upload(&t, &villager.token, 11).await,
            upload(&t, &villager.token, 12).await,
        ];
        let id = declare(&t, &villager, "ML-03", &photos, "参加村里人居环境集中整治").await;

        // F4: the OA approval for the village admin, with the form of the design.
        let instance = approval_of(&t, id).await;
        let approval = sim_get(&t, &format!("/sim/approvals/{instance}")).await;
        let form: Vec<(String, String)> = approval["formValues"]
            .as_array()
            .or_else(|| approval["form_values"].as_array())
            .map(|values| {
                values
                    .iter()
                    .map(|v| {
                        (
                            v["name"].as_str().unwrap().to_owned(),
                            v["value"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let labels: Vec<&str> = form.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            labels,
            ["户", "成员", "项目", "积分", "说明", "照片"],
            "{approval}"
        );
        assert!(form[2].1.starts_with("ML-03"));
        assert_eq!(form[3].1, "3");
        for p in photos {
            assert!(
                form[5].1.contains(&format!("/api/v1/photos/{p}")),
                "{}",
                form[5].1
            );
        }
        assert!(
            approval.to_string().contains("demo-admin"),
            "approver: {approval}"
        );
        // … and the interactive card with the buttons' data.
        let card = card_of(&t, id).await;
        assert_eq!(card["cardData"]["status"], "待审核", "{card}");

        // The admin agrees in DingTalk.
        assert_eq!(
            sim_decide(&t, &instance, "agree", "同意").await,
            StatusCode::OK
        );
        wait_state(&t, id, "approved").await;
        assert_eq!(entries_for(&t, villager.household_id, id).await, vec![3]);

        // DingTalk repeats the result three times, then a task change arrives late.
        let finish = sim_events_of(&t, &instance, "bpms_instance_change")
            .await
            .into_iter()
            .find(|p| p["type"] == "finish")
            .expect("finish event");
        for _ in 0..3 {
            let (status, _) = push_event(&t, &crypto(), &finish, SystemTime::now()).await;
            assert_eq!(status, StatusCode::OK);
        }
        let late = json!({
            "EventType": "bpms_task_change",
            "eventId": format!("late-task-{instance}"),
            "processInstanceId": instance,
            "taskId": 99,
            "type": "finish",
            "result": "refuse",
            "staffId": "demo-admin",
        });
        let (status, _) = push_event(&t, &crypto(), &late, SystemTime::now()).await;
        assert_eq!(status, StatusCode::OK);

        let events = applied_events(&t).await;
        let finishes: Vec<_> = events
            .iter()
            .filter(|(_, kind, outcome)| {
                kind == "bpms_instance_change" && outcome.starts_with("applied")
            })
            .collect();
        assert_eq!(finishes.len(), 1, "one finish applied: {events:?}");
        assert!(
            events
                .iter()
                .any(|(key, _, outcome)| key.starts_with("late-task")
                    && outcome.starts_with("recorded")),
            "the late task change changes nothing: {events:?}"
        );
        assert_eq!(
            entries_for(&t, villager.household_id, id).await,
            vec![3],
            "credited once"
        );
        let r = record(&t, id).await;
        assert_eq!(r.decision_channel.as_deref(), Some("dingtalk_approval"));

        // The villager's work notification, once; the card shows the outcome.
        let texts = notifications_to(&t, "demo-villager", "审核通过").await;
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(texts[0].contains("3 分"), "{}", texts[0]);
        poll(Duration::from_secs(20), || async {
            (card_of(&t, id).await["cardData"]["status"] == "已通过").then_some(())
        })
        .await;
    }
);

// R9: refusal in DingTalk carries the approver's remark to the villager; nothing is credited.
dual_db_test!(
    async fn r9_refusal_in_dingtalk_carries_the_reason(db: TestDb) {
        let t = spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let photo = upload(&t, &villager.token, 21).await;
        let id = declare(&t, &villager, "ML-03", &[photo], "清理房前屋后").await;
        let instance = approval_of(&t, id).await;
        assert_eq!(
            sim_decide(&t, &instance, "refuse", "照片看不清，请重新拍摄").await,
            StatusCode::OK
        );
        let r = wait_state(&t, id, "rejected").await;
        assert_eq!(r.reason.as_deref(), Some("照片看不清，请重新拍摄"));
        assert!(entries_for(&t, villager.household_id, id).await.is_empty());
        let texts = notifications_to(&t, "demo-villager", "未通过").await;
        assert!(texts[0].contains("照片看不清"), "{}", texts[0]);
    }
);

// R9: the villager withdraws; the approval is terminated in DingTalk and the card updated.
dual_db_test!(
    async fn r9_withdrawal_terminates_the_approval_in_dingtalk(db: TestDb) {
        let t = spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let photo = upload(&t, &villager.token, 31).await;
        let id = declare(&t, &villager, "ML-03", &[photo], "打扫公共区域").await;
        let instance = approval_of(&t, id).await;
        card_of(&t, id).await;
        // DingTalk refuses to terminate in an instance's first 15 s: let that time pass.
        sim_post(&t, "/sim/clock/advance", json!({ "seconds": 20 })).await;
        let (status, body) = post(
            &t,
            &format!("/api/v1/declarations/{id}/withdraw"),
            Some(&villager.token),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        poll(Duration::from_secs(20), || async {
            let a = sim_get(&t, &format!("/sim/approvals/{instance}")).await;
            (a["status"] == "TERMINATED").then_some(())
        })
        .await;
        poll(Duration::from_secs(20), || async {
            (card_of(&t, id).await["cardData"]["status"] == "已撤回").then_some(())
        })
        .await;
        // The terminate event comes back and changes nothing.
        let events = applied_events(&t).await;
        assert!(
            events.iter().all(|(_, _, o)| !o.starts_with("applied")),
            "{events:?}"
        );
        assert_eq!(record(&t, id).await.state.to_string(), "withdrawn");
        assert!(entries_for(&t, villager.household_id, id).await.is_empty());
    }
);

// R9: the admin approves with the card button; the approval is closed in DingTalk.
dual_db_test!(
    async fn r9_card_button_decides_and_closes_the_approval(db: TestDb) {
        let t = spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let photo = upload(&t, &villager.token, 41).await;
        let id = declare(&t, &villager, "ML-03", &[photo], "帮助邻居清扫").await;
        let instance = approval_of(&t, id).await;
        let card = card_of(&t, id).await;
        sim_post(&t, "/sim/clock/advance", json!({ "seconds": 20 })).await;
        let out_track_id = card["outTrackId"].as_str().unwrap();
        let (status, press) = sim_post(
            &t,
            &format!("/sim/cards/{out_track_id}/press"),
            json!({ "userId": "demo-admin", "params": { "action": "approve" } }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{press}");
        assert_eq!(press["delivered"], true, "{press}");
        let r = wait_state(&t, id, "approved").await;
        assert_eq!(r.decision_channel.as_deref(), Some("card"));
        assert_eq!(entries_for(&t, villager.household_id, id).await, vec![3]);
        poll(Duration::from_secs(20), || async {
            let a = sim_get(&t, &format!("/sim/approvals/{instance}")).await;
            (a["status"] == "TERMINATED").then_some(())
        })
        .await;
        notifications_to(&t, "demo-villager", "审核通过").await;
        // A second press (another admin's phone, a double tap) changes nothing.
        sim_post(
            &t,
            &format!("/sim/cards/{out_track_id}/press"),
            json!({ "userId": "demo-admin", "params": { "action": "reject", "reason": "重复" } }),
        )
        .await;
        let events = applied_events(&t).await;
        assert!(
            events
                .iter()
                .any(|(_, kind, o)| kind == "card_action"
                    && o.starts_with("refused: already decided")),
            "{events:?}"
        );
        assert_eq!(entries_for(&t, villager.household_id, id).await, vec![3]);
    }
);

// R9: the console and DingTalk decide at the same moment: one wins, the other is refused, the
// household is credited once.
dual_db_test!(
    async fn r9_console_racing_dingtalk_credits_once(db: TestDb) {
        let t = spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let admin = login(&t, "demo-admin").await;
        let photo = upload(&t, &villager.token, 51).await;
        let id = declare(&t, &villager, "ML-03", &[photo], "参加义务劳动").await;
        let instance = approval_of(&t, id).await;

        let path = format!("/api/v1/admin/declarations/{id}/decision");
        let console = post(
            &t,
            &path,
            Some(&admin.token),
            json!({ "outcome": "approve" }),
        );
        let dingtalk = sim_decide(&t, &instance, "agree", "同意");
        let ((console_status, console_body), dingtalk_status) = tokio::join!(console, dingtalk);
        assert_eq!(dingtalk_status, StatusCode::OK);
        // The approval's finish event, once applied.
        let finish = poll(Duration::from_secs(20), || async {
            t.app
                .inbound_events()
                .await
                .unwrap()
                .into_iter()
                .find(|e| {
                    e.event_type == "bpms_instance_change"
                        && e.payload["type"] == "finish"
                        && e.applied_at.is_some()
                })
                .and_then(|e| e.outcome)
        })
        .await;
        if console_status == StatusCode::OK {
            assert!(finish.starts_with("refused: already decided"), "{finish}");
        } else {
            assert_eq!(console_status, StatusCode::CONFLICT, "{console_body}");
            assert_eq!(console_body["code"], "declaration.already_decided");
            assert!(finish.starts_with("applied"), "{finish}");
        }
        assert_eq!(record(&t, id).await.state.to_string(), "approved");
        assert_eq!(
            entries_for(&t, villager.household_id, id).await,
            vec![3],
            "credited once"
        );
        let texts = notifications_to(&t, "demo-villager", "审核通过").await;
        assert_eq!(texts.len(), 1, "{texts:?}");
    }
);

// R10: an admin deduction reaches the villager as a work notification.
dual_db_test!(
    async fn r10_admin_deduction_is_notified_through_dingtalk(db: TestDb) {
        let t = spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let admin = login(&t, "demo-admin").await;
        let evidence = upload(&t, &admin.token, 61).await;
        let (status, body) = post(
            &t,
            "/api/v1/admin/entries",
            Some(&admin.token),
            json!({
                "itemCode": "ML-06",
                "memberId": villager.member_id,
                "points": -5,
                "reason": "垃圾未分类投放，劝导后仍未改正",
                "photoIds": [evidence],
                "occurredOn": business_date(t.app.clock().now()).to_string(),
            }),
        )
        .await;
        assert!(status.is_success(), "{body}");
        let texts = notifications_to(&t, "demo-villager", "扣减").await;
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(texts[0].contains("5 分"), "{}", texts[0]);
    }
);

// F3: the service stops after DingTalk's callback was stored and before the ledger write; after
// restart the approval is applied and credited once.
dual_db_test!(
    async fn f3_crash_between_callback_and_ledger_write_credits_once_after_restart(db: TestDb) {
        let t = spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let photo = upload(&t, &villager.token, 71).await;
        let id = declare(&t, &villager, "ML-03", &[photo], "修剪公共绿化").await;
        let instance = approval_of(&t, id).await;
        applied_events(&t).await;

        // Same database, workers off: callbacks are received and stored, nothing is applied.
        let sim_approvals_before = sim_get(&t, "/sim/approvals").await;
        assert!(sim_approvals_before.to_string().contains(&instance));
        // The admin agrees while the inbox worker is not running (it "died").
        let mut stopped = fast();
        stopped.push(env("AIDAZU__DINGTALK__WORKERS__ENABLED", "false"));
        let t = t.restart_with_env(stopped).await;
        // The restarted simulator does not know the old instance; replay DingTalk's pushes of
        // the decision (task finish, then instance finish) as DingTalk would send them.
        let task = json!({
            "EventType": "bpms_task_change", "eventId": format!("t-{instance}"),
            "processInstanceId": instance, "taskId": 1, "type": "finish",
            "result": "agree", "staffId": "demo-admin", "remark": "同意",
        });
        let finish = json!({
            "EventType": "bpms_instance_change", "eventId": format!("f-{instance}"),
            "processInstanceId": instance, "type": "finish",
            "result": "agree", "staffId": "demo-villager",
        });
        for event in [&task, &finish] {
            let (status, _) = push_event(&t, &crypto(), event, SystemTime::now()).await;
            assert_eq!(status, StatusCode::OK);
        }
        let stored: Vec<_> = t
            .app
            .inbound_events()
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event_key.ends_with(instance.as_str()))
            .collect();
        assert_eq!(stored.len(), 2, "both stored");
        assert!(
            stored.iter().all(|e| e.applied_at.is_none()),
            "stored, not applied"
        );
        assert!(entries_for(&t, villager.household_id, id).await.is_empty());

        let mut running = fast();
        running.push(env("AIDAZU__DINGTALK__WORKERS__ENABLED", "true"));
        let t = t.restart_with_env(running).await;
        wait_state(&t, id, "approved").await;
        applied_events(&t).await;
        // DingTalk retries the push after the restart: still credited once.
        let (status, _) = push_event(&t, &crypto(), &finish, SystemTime::now()).await;
        assert_eq!(status, StatusCode::OK);
        applied_events(&t).await;
        assert_eq!(
            entries_for(&t, villager.household_id, id).await,
            vec![3],
            "credited once"
        );
        notifications_to(&t, "demo-villager", "审核通过").await;
    }
);

// F3 over Stream mode: the same inbox is fed by the Stream connection (events and card
// presses); a dropped connection is re-opened and nothing is lost.
dual_db_test!(
    async fn f3_stream_mode_feeds_the_same_inbox(db: TestDb) {
        let mut env = fast();
        env.push(crate::support::env("AIDAZU__DINGTALK__EVENTS", "stream"));
        let t = TestApp::spawn_with(
            db,
            TestAppOptions {
                env,
                ..TestAppOptions::default()
            },
        )
        .await;
        let connected = || async {
            let list = sim_get(&t, "/sim/stream/connections").await;
            (!list.as_array().unwrap().is_empty()).then_some(())
        };
        poll(Duration::from_secs(20), connected).await;

        let villager = login(&t, "demo-villager").await;
        let photo = upload(&t, &villager.token, 81).await;
        let first = declare(&t, &villager, "ML-03", &[photo], "清理河道垃圾").await;
        let instance = approval_of(&t, first).await;
        assert_eq!(
            sim_decide(&t, &instance, "agree", "同意").await,
            StatusCode::OK
        );
        wait_state(&t, first, "approved").await;
        let events = t.app.inbound_events().await.unwrap();
        assert!(!events.is_empty() && events.iter().all(|e| e.source == "stream"));

        // The connection drops; the service reconnects; a card press arrives over Stream.
        sim_post(&t, "/sim/stream/drop", json!({})).await;
        let second = declare(&t, &villager, "ML-03", &[photo], "清理沟渠").await;
        let card = card_of(&t, second).await;
        assert_eq!(card["callbackType"], "STREAM", "{card}");
        poll(Duration::from_secs(30), connected).await;
        let out_track_id = card["outTrackId"].as_str().unwrap().to_owned();
        let (status, press) = sim_post(
            &t,
            &format!("/sim/cards/{out_track_id}/press"),
            json!({ "userId": "demo-admin", "params": { "action": "reject", "reason": "与上次重复" } }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{press}");
        let r = wait_state(&t, second, "rejected").await;
        assert_eq!(r.reason.as_deref(), Some("与上次重复"));
        assert_eq!(entries_for(&t, villager.household_id, first).await, vec![3]);
        assert!(
            entries_for(&t, villager.household_id, second)
                .await
                .is_empty()
        );
    }
);

// F4 under faults: 5xx, rate limits and revoked tokens on every DingTalk call delay the approval,
// the card and the notification, but lose none and duplicate none.
dual_db_test!(
    async fn f4_faults_delay_the_loop_but_lose_nothing(db: TestDb) {
        let t = spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let photo = upload(&t, &villager.token, 91).await;
        let (status, _) = sim_post(
            &t,
            "/sim/faults",
            json!({ "errorRate": 0.5, "rateLimitNext": 3, "invalidateTokens": true }),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let id = declare(&t, &villager, "ML-03", &[photo], "冬季森林防火值守").await;
        let instance = approval_of(&t, id).await;
        card_of(&t, id).await;
        assert_eq!(
            sim_decide(&t, &instance, "agree", "同意").await,
            StatusCode::OK
        );
        wait_state(&t, id, "approved").await;
        let texts = notifications_to(&t, "demo-villager", "审核通过").await;
        poll(Duration::from_secs(30), || async {
            (card_of(&t, id).await["cardData"]["status"] == "已通过").then_some(())
        })
        .await;
        sim_post(&t, "/sim/faults", json!({ "errorRate": 0.0 })).await;
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert_eq!(entries_for(&t, villager.household_id, id).await, vec![3]);
        let approvals = sim_get(&t, "/sim/approvals").await;
        assert_eq!(
            approvals.as_array().unwrap().len(),
            1,
            "one approval instance"
        );
        let stats = sim_get(&t, "/sim/stats").await;
        assert!(stats["injectedErrors"].as_u64().unwrap_or(0) > 0, "{stats}");
        let failed: Vec<_> = aidazu_store::outbox::list(t.app.store().connection(), None)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.status != "sent")
            .collect();
        assert!(failed.is_empty(), "{failed:?}");
    }
);

// R9: the villager revokes the approval in DingTalk itself; the declaration is withdrawn and the
// admins' card shows it.
dual_db_test!(
    async fn r9_revoking_the_approval_in_dingtalk_withdraws_the_declaration(db: TestDb) {
        use dingtalk::api::workflow::TerminateProcessInstance;
        let t = spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let photo = upload(&t, &villager.token, 95).await;
        let id = declare(&t, &villager, "ML-03", &[photo], "参加植树").await;
        let instance = approval_of(&t, id).await;
        card_of(&t, id).await;
        sim_post(&t, "/sim/clock/advance", json!({ "seconds": 20 })).await;
        // What the DingTalk app does when the originator presses 撤销.
        let revoked = t
            .app
            .dingtalk()
            .terminate_process_instance(&TerminateProcessInstance {
                process_instance_id: instance.as_str().into(),
                is_system: false,
                remark: Some("不申报了".into()),
                operating_user_id: Some("demo-villager".into()),
            })
            .await
            .unwrap();
        assert!(revoked);
        wait_state(&t, id, "withdrawn").await;
        poll(Duration::from_secs(20), || async {
            (card_of(&t, id).await["cardData"]["status"] == "已撤回").then_some(())
        })
        .await;
        let events = applied_events(&t).await;
        assert!(
            events
                .iter()
                .any(|(_, _, o)| o.contains("withdrawn (approval revoked in DingTalk)")),
            "{events:?}"
        );
        assert!(entries_for(&t, villager.household_id, id).await.is_empty());
    }
);

// R9: for a range item the admin picks the points on the card, inside the range; a pick outside
// it is refused and changes nothing.
dual_db_test!(
    async fn r9_card_button_picks_points_of_a_range_item(db: TestDb) {
        let t = spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let photo = upload(&t, &villager.token, 97).await;
        // DE-05: 表彰, 5–30 points (镇级 5 … 省级 30), photo of the certificate.
        let id = declare(&t, &villager, "DE-05", &[photo], "获评区级“最美家庭”").await;
        let card = card_of(&t, id).await;
        let out_track_id = card["outTrackId"].as_str().unwrap().to_owned();
        let press = |points: i64| {
            let path = format!("/sim/cards/{out_track_id}/press");
            let t = &t;
            async move {
                sim_post(
                    t,
                    &path,
                    json!({ "userId": "demo-admin", "params": { "action": "approve", "points": points } }),
                )
                .await
            }
        };
        let (status, _) = press(40).await;
        assert_eq!(status, StatusCode::OK);
        let events = applied_events(&t).await;
        assert!(
            events.iter().any(|(_, kind, o)| kind == "card_action"
                && o.starts_with("refused: catalogue.points_not_allowed")),
            "{events:?}"
        );
        assert_eq!(record(&t, id).await.state.to_string(), "in_review");
        let (status, _) = press(10).await;
        assert_eq!(status, StatusCode::OK);
        let r = wait_state(&t, id, "approved").await;
        assert_eq!(r.points.map(|p| p.get()), Some(10));
        assert_eq!(entries_for(&t, villager.household_id, id).await, vec![10]);
    }
);
