//! Issue 4 "Done when", played as people would, over the real service and its embedded DingTalk
//! simulator, on SQLite and PostgreSQL: a villager logs in with a simulator auth code, uploads
//! two photos and declares (F1, F2, R8); the approval and the card reach the admins through the
//! outbox (F4); the admin decides in DingTalk (approval or card button) or in the console; the
//! result comes back as a callback (F3, with duplicates and a late task change) and is applied
//! once (R9); the household is credited once (R12) and the villager's work notification is in the
//! simulator. Also: refusal, withdrawal, a console decision racing a DingTalk decision, an admin
//! deduction (R10), and a crash between callback receipt and ledger write.

use std::time::{Duration, SystemTime};

use aidazu_testkit::{TestDb, dual_db_test};
use reqwest::StatusCode;
use serde_json::json;

use crate::kit::*;
use crate::support::*;

// ---------------------------------------------------------------------------------------------
// stories

// F1–F4, R8, R9, R12: agree in DingTalk; the callback, three duplicates and a late task change
// credit the household once; the villager is notified; the card shows the outcome.
dual_db_test!(
    async fn f3_admin_agrees_in_dingtalk_and_the_household_is_credited_once(db: TestDb) {
        let t = spawn_fast(db, vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let photos = [
            photo_id(&t, &villager.token, 11).await,
            photo_id(&t, &villager.token, 12).await,
        ];
        let id = declared(&t, &villager, "ML-03", &photos, "参加村里人居环境集中整治").await;

        // F4: the OA approval for the village admin, with the form of the design.
        let instance = approval_of(&t, id).await;
        let approval = sim_get(&t, &format!("/sim/approvals/{instance}")).await;
        let form = approval_form(&approval);
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
        let t = spawn_fast(db, vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let photo = photo_id(&t, &villager.token, 21).await;
        let id = declared(&t, &villager, "ML-03", &[photo], "清理房前屋后").await;
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
        let t = spawn_fast(db, vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let photo = photo_id(&t, &villager.token, 31).await;
        let id = declared(&t, &villager, "ML-03", &[photo], "打扫公共区域").await;
        let instance = approval_of(&t, id).await;
        card_of(&t, id).await;
        // DingTalk refuses to terminate in an instance's first 15 s: let that time pass.
        sim_advance(&t, 20).await;
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
        let t = spawn_fast(db, vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let photo = photo_id(&t, &villager.token, 41).await;
        let id = declared(&t, &villager, "ML-03", &[photo], "帮助邻居清扫").await;
        let instance = approval_of(&t, id).await;
        let card = card_of(&t, id).await;
        sim_advance(&t, 20).await;
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
        let t = spawn_fast(db, vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let admin = login(&t, "demo-admin").await;
        let photo = photo_id(&t, &villager.token, 51).await;
        let id = declared(&t, &villager, "ML-03", &[photo], "参加义务劳动").await;
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
        let t = spawn_fast(db, vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let admin = login(&t, "demo-admin").await;
        let evidence = photo_id(&t, &admin.token, 61).await;
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
                "occurredOn": today(&t),
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
        let t = spawn_fast(db, vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let photo = photo_id(&t, &villager.token, 71).await;
        let id = declared(&t, &villager, "ML-03", &[photo], "修剪公共绿化").await;
        let instance = approval_of(&t, id).await;
        applied_events(&t).await;

        // Same database, workers off: callbacks are received and stored, nothing is applied.
        let sim_approvals_before = sim_get(&t, "/sim/approvals").await;
        assert!(sim_approvals_before.to_string().contains(&instance));
        // The admin agrees while the inbox worker is not running (it "died").
        let t = t
            .restart_with_env(vec![env("AIDAZU__DINGTALK__WORKERS__ENABLED", "false")])
            .await;
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

        let t = t
            .restart_with_env(vec![env("AIDAZU__DINGTALK__WORKERS__ENABLED", "true")])
            .await;
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
        let t = spawn_fast(db, vec![env("AIDAZU__DINGTALK__EVENTS", "stream")]).await;
        wait_stream_connection(&t).await;

        let villager = login(&t, "demo-villager").await;
        let photo = photo_id(&t, &villager.token, 81).await;
        let first = declared(&t, &villager, "ML-03", &[photo], "清理河道垃圾").await;
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
        let second = declared(&t, &villager, "ML-03", &[photo], "清理沟渠").await;
        let card = card_of(&t, second).await;
        assert_eq!(card["callbackType"], "STREAM", "{card}");
        wait_stream_connection(&t).await;
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
        let t = spawn_fast(db, vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let photo = photo_id(&t, &villager.token, 91).await;
        let (status, _) = sim_post(
            &t,
            "/sim/faults",
            json!({ "errorRate": 0.5, "rateLimitNext": 3, "invalidateTokens": true }),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let id = declared(&t, &villager, "ML-03", &[photo], "冬季森林防火值守").await;
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
        let failed: Vec<_> = aidazu_store::outbox::list(t.store().connection(), None)
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
        let t = spawn_fast(db, vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let photo = photo_id(&t, &villager.token, 95).await;
        let id = declared(&t, &villager, "ML-03", &[photo], "参加植树").await;
        let instance = approval_of(&t, id).await;
        card_of(&t, id).await;
        sim_advance(&t, 20).await;
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
        let t = spawn_fast(db, vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let photo = photo_id(&t, &villager.token, 97).await;
        // DE-05: 表彰, 5–30 points (镇级 5 … 省级 30), photo of the certificate.
        let id = declared(&t, &villager, "DE-05", &[photo], "获评区级“最美家庭”").await;
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
