//! Issue 8's whole pilot year for 和平村 (points-year start month 9: September 2021 – August 2022)
//! on the injected clock: declarations and admin scores every quarter; four publications, each
//! with one group message, a board page, a poster PDF and an xlsx, published by two replicas at
//! once; an objection upheld → correction → version 2 with its notice, another rejected and
//! escalated to the town; the honours list with its explanation; the reminder and the year close
//! → every balance 0, the archive still readable; the ledger chain intact throughout.

use aidazu_domain::VillageId;
use aidazu_domain::calendar::PointsYear;
use aidazu_store::ConnectionTrait;
use aidazu_store::chain::Verification;
use aidazu_testkit::{TestApp, TestDb, dual_db_test};
use reqwest::StatusCode;
use sea_orm::Statement;
use serde_json::{Value, json};

use crate::kit::*;
use crate::support::{env, fast_workers};

/// One quarter's activity: the villager declares (the admin approves) and the admin scores
/// another household directly, both on `on`.
async fn activity(t: &TestApp, on: &str, seed: u8) {
    let villager = login(t, "demo-villager").await;
    let admin = login(t, "demo-admin").await;
    let photo = photo_id(t, &villager.token, seed).await;
    let (status, decl) = post(
        t,
        "/api/v1/declarations",
        Some(&villager.token),
        json!({"itemCode": "PA-05", "occurredOn": on, "memberId": villager.member_id,
               "text": "参加反诈安全教育", "photoIds": [photo]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{decl}");
    let (status, body) = decide(
        t,
        &admin.token,
        decl["id"].as_i64().unwrap(),
        json!({"outcome": "approve"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (member, _) = member_by_code(t, "heping-01-003-1").await;
    let (status, body) = post(
        t,
        "/api/v1/admin/entries",
        Some(&admin.token),
        json!({"itemCode": "PA-01", "memberId": member, "points": 3, "occurredOn": on,
               "reason": "参加防汛值守", "photoIds": []}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// Publishes what is due on both replicas at once; checks the quarter's documents.
async fn publish_due(t: &TestApp, replica: &TestApp, heping: i64, quarter: &str) -> Value {
    let (a, b) = tokio::join!(t.app.run_due_jobs(), replica.app.run_due_jobs());
    assert_eq!(a.unwrap() + b.unwrap(), 4, "{quarter}: each village once");
    let (status, board) = get(
        t,
        &format!("/api/v1/villages/{heping}/publications/{quarter}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(board["version"], 1);
    let page = get_response(t, &format!("/board/{heping}/{quarter}"), None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let base = format!("/api/v1/villages/{heping}/publications/{quarter}");
    let pdf = get_response(t, &format!("{base}/poster.pdf"), None).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let xlsx = get_response(t, &format!("{base}/board.xlsx"), None).await;
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let key = format!("notify.group:publication:{heping}:{quarter}:v1");
    assert_eq!(outbox_settled(t, &key).await.status, "sent");
    board
}

dual_db_test!(
    async fn issue8_a_whole_pilot_year_for_heping(db: TestDb) {
        // Mon 20 Dec 2021: the pilot has run since September (Q1 Sep–Nov is over).
        let start = "2021-12-20T02:00:00Z".parse().unwrap();
        let (t, clock) = spawn_at(db, start, fast_workers()).await;
        let conn = t.store().connection();
        conn.execute(Statement::from_string(
            conn.get_database_backend(),
            "UPDATE districts SET points_year_start_month = 9",
        ))
        .await
        .unwrap();
        let heping = village_id(&t, "heping").await;
        let admin = login(&t, "demo-admin").await;
        let group = set_notice_group(&t, &admin, heping, "和平村").await;
        let replica = t
            .spawn_replica(vec![env("AIDAZU__DINGTALK__WORKERS__ENABLED", "false")])
            .await;

        // Q1 (Sep–Nov 2021): activity late in November, published on 20 Dec.
        activity(&t, "2021-11-25", 1).await;
        let q1 = publish_due(&t, &replica, heping, "2021-Q1").await;
        assert_eq!(q1["quarterFirstDay"], "2021-09-01");
        assert_eq!(group_messages(&t, &group).await.len(), 1);

        // Objections to Q1: one upheld (→ version 2 and its notice), one rejected and escalated.
        let villager = login(&t, "demo-villager").await;
        let committee = login(&t, "demo-committee").await;
        let town = login(&t, "demo-town").await;
        let (status, upheld) = post(
            &t,
            "/api/v1/objections",
            Some(&villager.token),
            json!({"quarter": "2021-Q1", "text": "10月参加巡逻未计分"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{upheld}");
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/objections/{}/decision", upheld["id"]),
            Some(&committee.token),
            json!({"outcome": "uphold", "correction": 2, "reason": "有巡逻记录"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["amendedVersion"], 2);
        let v2_key = format!("notify.group:publication:{heping}:2021-Q1:v2");
        assert_eq!(outbox_settled(&t, &v2_key).await.status, "sent");
        assert_eq!(group_messages(&t, &group).await.len(), 2);
        let (status, rejected) = post(
            &t,
            "/api/v1/objections",
            Some(&villager.token),
            json!({"quarter": "2021-Q1", "text": "11月也有巡逻"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{rejected}");
        let rid = rejected["id"].as_i64().unwrap();
        let (status, _) = post(
            &t,
            &format!("/api/v1/admin/objections/{rid}/decision"),
            Some(&committee.token),
            json!({"outcome": "reject", "reason": "无记录"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = post(
            &t,
            &format!("/api/v1/objections/{rid}/escalate"),
            Some(&villager.token),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/objections/{rid}/town-decision"),
            Some(&town.token),
            json!({"outcome": "reject", "reason": "维持村支两委答复"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["state"], "town_rejected");

        // Q2 (Dec–Feb): activity in January; published Tue 1 Mar 2022, 09:00.
        clock.set("2022-01-20T02:00:00Z".parse().unwrap());
        activity(&t, "2022-01-20", 2).await;
        clock.set("2022-03-01T01:00:00Z".parse().unwrap());
        publish_due(&t, &replica, heping, "2021-Q2").await;

        // Q3 (Mar–May): published Wed 1 Jun 2022.
        clock.set("2022-04-20T02:00:00Z".parse().unwrap());
        activity(&t, "2022-04-20", 3).await;
        clock.set("2022-06-01T01:00:00Z".parse().unwrap());
        publish_due(&t, &replica, heping, "2021-Q3").await;

        // Q4 (Jun–Aug): published Thu 1 Sep 2022.
        clock.set("2022-07-20T02:00:00Z".parse().unwrap());
        activity(&t, "2022-07-20", 4).await;
        clock.set("2022-09-01T01:00:00Z".parse().unwrap());
        let q4 = publish_due(&t, &replica, heping, "2021-Q4").await;
        assert_eq!(q4["quarterLastDay"], "2022-08-31");
        assert_eq!(
            group_messages(&t, &group).await.len(),
            5,
            "four quarters and one correction"
        );
        let (_, list) = get(&t, &format!("/api/v1/villages/{heping}/publications"), None).await;
        assert_eq!(list["publications"].as_array().unwrap().len(), 5);

        // The honours list with its explanation.
        let committee = login(&t, "demo-committee").await;
        let (status, honours) = get(
            &t,
            &format!("/api/v1/admin/villages/{heping}/honours/2021"),
            Some(&committee.token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{honours}");
        assert!(
            honours["n"].as_u64().unwrap() > 0 && honours["mean"].is_string(),
            "{honours}"
        );
        let villager_line = honours["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["householdCode"] == "heping-01-001")
            .unwrap()
            .clone();
        assert_eq!(villager_line["eligible"], true, "{villager_line}");

        // The month before the close (30 Sep 2022): reminders; then the close, on both replicas.
        clock.set("2022-09-15T02:00:00Z".parse().unwrap());
        let (a, b) = tokio::join!(t.app.run_due_jobs(), replica.app.run_due_jobs());
        assert_eq!(a.unwrap() + b.unwrap(), 0, "nothing to publish");
        let reminder = outbox_by_key(
            &t,
            &format!(
                "notify.work:year-close.remind:2021:{}",
                login(&t, "demo-villager").await.household_id
            ),
        )
        .await;
        assert!(reminder.is_some(), "the villager's household is reminded");
        let villager = login(&t, "demo-villager").await;
        let (_, before) = get(&t, "/api/v1/me/household?year=2021", Some(&villager.token)).await;
        assert!(before["balance"].as_i64().unwrap() > 0, "{before}");
        clock.set("2022-09-30T02:00:00Z".parse().unwrap());
        let (a, b) = tokio::join!(t.app.run_due_jobs(), replica.app.run_due_jobs());
        a.unwrap();
        b.unwrap();
        let totals = t
            .store()
            .village_totals(VillageId(heping), PointsYear(2021))
            .await
            .unwrap();
        assert!(
            totals.iter().all(|h| h.totals.balance.get() == 0),
            "every balance 0"
        );
        let villager = login(&t, "demo-villager").await;
        let (status, after) =
            get(&t, "/api/v1/me/household?year=2021", Some(&villager.token)).await;
        assert_eq!(status, StatusCode::OK, "{after}");
        assert_eq!(after["balance"], 0);
        assert_eq!(
            after["yearScore"], before["yearScore"],
            "the archive keeps the score"
        );
        let (_, ledger) = get(
            &t,
            "/api/v1/me/household/ledger?perPage=100",
            Some(&villager.token),
        )
        .await;
        assert!(
            ledger.to_string().contains("year_close"),
            "the close is in the ledger"
        );
        let committee = login(&t, "demo-committee").await;
        let (_, frozen) = get(
            &t,
            &format!("/api/v1/admin/villages/{heping}/honours/2021"),
            Some(&committee.token),
        )
        .await;
        assert_eq!(frozen["frozen"], true);
        let admin = login(&t, "demo-admin").await;
        let (_, jobs) = get(&t, "/api/v1/admin/jobs", Some(&admin.token)).await;
        let runs = jobs["runs"].as_array().unwrap();
        let count = |job: &str| runs.iter().filter(|r| r["job"] == job).count();
        assert_eq!(
            (count("publish"), count("amend"), count("year-close-remind")),
            (4, 1, 1),
            "{jobs}"
        );
        let close = runs
            .iter()
            .find(|r| r["job"] == "year-close" && r["period"] == "2021")
            .unwrap();
        assert_eq!(close["detail"]["households"], 50, "{close}");
        // 2020 (before the pilot) had nothing to close: recorded once, nothing booked.
        let empty = runs
            .iter()
            .find(|r| r["job"] == "year-close" && r["period"] == "2020")
            .unwrap();
        assert_eq!(empty["detail"]["households"], 0, "{empty}");
        assert!(runs.iter().all(|r| r["status"] == "done"), "{jobs}");
        assert!(matches!(
            t.app.verify_chain(VillageId(heping)).await.unwrap(),
            Verification::Intact { .. }
        ));
        drop(replica);
    }
);
