//! D2 review reminders: day 5 reminds the reviewers, day 7 escalates to the town, each exactly
//! once even when two replicas run the job at the same moment. Time moves on the injected clock.

use aidazu_app::reminders::send_review_reminders;
use aidazu_testkit::{TestDb, dual_db_test};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::kit::*;
use crate::support::env;

dual_db_test!(
    async fn d2_day_5_reminds_the_reviewers_day_7_escalates_to_the_town_once(db: TestDb) {
        // 10:00 Shanghai, so day boundaries are far.
        let start = "2026-06-01T02:00:00Z".parse().unwrap();
        let (t, clock) = spawn_at(db, start, vec![]).await;
        let villager = login(&t, "demo-villager").await;
        let photo = photo_id(&t, &villager.token, 70).await;
        let (status, decl) = declare(&t, &villager, "PA-02", &[photo], "帮邻居修屋顶").await;
        assert_eq!(status, StatusCode::CREATED, "{decl}");
        let id = decl["id"].as_i64().unwrap();
        let remind_key = format!("notify.work:review.remind:{id}");
        let escalate_key = format!("notify.work:review.escalate:{id}");

        clock.advance(Duration::days(4));
        let report = send_review_reminders(&t.app).await.unwrap();
        assert_eq!((report.reminded, report.escalated), (0, 0));
        assert!(outbox_by_key(&t, &remind_key).await.is_none());

        // Day 5, two replicas at once: one reminder.
        clock.advance(Duration::days(1));
        // The replica's own reminder worker would run the job as it starts, racing the two calls
        // below (then both find the reminder sent): its workers stay off, the calls are the test.
        let replica = t
            .spawn_replica(vec![env("AIDAZU__DINGTALK__WORKERS__ENABLED", "false")])
            .await;
        let (a, b) = tokio::join!(
            send_review_reminders(&t.app),
            send_review_reminders(&replica.app)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(a.reminded + b.reminded >= 1);
        let reminder = outbox_by_key(&t, &remind_key).await.unwrap();
        assert_eq!(reminder.payload["userIds"], json!(["demo-admin"]));
        assert!(
            reminder.payload["markdown"]["text"]
                .as_str()
                .unwrap()
                .contains("5 天"),
            "{:?}",
            reminder.payload
        );
        assert!(outbox_by_key(&t, &escalate_key).await.is_none());
        let again = send_review_reminders(&t.app).await.unwrap();
        assert_eq!((again.reminded, again.escalated), (0, 0));

        // Day 7: escalated to the town officer of 棠香街道.
        clock.advance(Duration::days(2));
        let report = send_review_reminders(&t.app).await.unwrap();
        assert_eq!((report.reminded, report.escalated), (0, 1));
        let escalation = outbox_by_key(&t, &escalate_key).await.unwrap();
        assert_eq!(escalation.payload["userIds"], json!(["demo-town"]));

        // A decided declaration is not reminded any more.
        let admin = login(&t, "demo-admin").await;
        let (status, body) = decide(&t, &admin.token, id, json!({ "outcome": "approve" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        clock.advance(Duration::days(1));
        let after = send_review_reminders(&t.app).await.unwrap();
        assert_eq!(after.checked, 0);
        drop(replica);
    }
);
