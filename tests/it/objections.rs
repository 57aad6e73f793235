//! Objections to a publication (R17, D3, D6): filed in the window about one's own household or
//! reporting another; the committee upholds (correction entry → amended publication version 2,
//! 更正, with its own notice; version 1 stays readable) or rejects; the objector escalates a
//! rejection to the town, which decides. Every refusal is a clear error and changes nothing.

use aidazu_domain::VillageId;
use aidazu_testkit::{TestDb, dual_db_test};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::kit::*;
use crate::support::fast_workers;

async fn object(t: &aidazu_testkit::TestApp, s: &Session, body: Value) -> (StatusCode, Value) {
    post(t, "/api/v1/objections", Some(&s.token), body).await
}

async fn decide_obj(
    t: &aidazu_testkit::TestApp,
    s: &Session,
    id: i64,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    post(
        t,
        &format!("/api/v1/admin/objections/{id}/{path}"),
        Some(&s.token),
        body,
    )
    .await
}

async fn objection_count(t: &aidazu_testkit::TestApp, s: &Session, village: i64) -> usize {
    let (status, body) = get(
        t,
        &format!("/api/v1/admin/objections?villageId={village}"),
        Some(&s.token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["objections"].as_array().unwrap().len()
}

/// Thu 8 Oct 2026, 10:00 Shanghai, the first working day after Q3: a service whose 和平村 has
/// published 2026-Q3; with `group`, the admin first pointed its notices at the village's group
/// (returned).
async fn heping_q3_published(
    db: TestDb,
    env: Vec<(String, String)>,
    group: bool,
) -> (
    aidazu_testkit::TestApp,
    std::sync::Arc<aidazu_app::ManualClock>,
    i64,
    Option<String>,
) {
    let start = "2026-10-08T02:00:00Z".parse().unwrap();
    let (t, clock) = spawn_at(db, start, env).await;
    let heping = village_id(&t, "heping").await;
    let group = if group {
        let admin = login(&t, "demo-admin").await;
        Some(set_notice_group(&t, &admin, heping, "和平村").await)
    } else {
        None
    };
    t.app
        .publish_quarter(VillageId(heping), "2026-Q3".parse().unwrap(), "cli")
        .await
        .unwrap();
    (t, clock, heping, group)
}

dual_db_test!(
    async fn r17_objection_upheld_amends_the_board_rejected_goes_to_the_town_refusals_change_nothing(
        db: TestDb,
    ) {
        let (t, clock, heping, group) = heping_q3_published(db, fast_workers(), true).await;
        let group = group.unwrap();
        let cihang = village_id(&t, "cihang").await;
        let admin = login(&t, "demo-admin").await;
        let villager = login(&t, "demo-villager").await;
        let committee = login(&t, "demo-committee").await;
        let town = login(&t, "demo-town").await;
        let (_, committee_household) = member_by_code(&t, "heping-03-001-2").await;
        let (_, cihang_household) = member_by_code(&t, "cihang-01-001-1").await;
        let (_, board_v1) = get(
            &t,
            &format!("/api/v1/villages/{heping}/publications/2026-Q3"),
            None,
        )
        .await;

        // Refusals first: none writes anything.
        let (status, body) =
            object(&t, &villager, json!({"quarter": "2026-Q3", "text": "  "})).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            body["code"].as_str().unwrap(),
        );
        let (status, body) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "aboutHouseholdId": cihang_household, "text": "他村的积分不对"}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "objection.other_village",
        );
        let (status, body) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "villageId": cihang, "text": "他村的积分不对"}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "objection.other_village",
        );
        let (status, body) =
            object(&t, &town, json!({"quarter": "2026-Q3", "text": "有异议"})).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "objection.not_member");
        let (status, body) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q2", "text": "有异议"}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::NOT_FOUND,
            "publication.not_found",
        );
        assert_eq!(
            objection_count(&t, &committee, heping).await,
            0,
            "nothing written"
        );

        // A photo another household uploaded is not usable.
        let foreign_photo = photo_id(&t, &admin.token, 41).await;
        let (status, body) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "text": "有异议", "photoIds": [foreign_photo]}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "declaration.photo_not_usable",
        );
        assert_eq!(objection_count(&t, &committee, heping).await, 0);

        // 1. About the villager's own household, with a photo: upheld with +3.
        let photo = photo_id(&t, &villager.token, 42).await;
        let (status, first) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "text": "7月参加防汛值守未计分", "photoIds": [photo]}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(first["photoIds"], json!([photo]));
        assert_eq!(first["state"], "open");
        assert_eq!(first["aboutHouseholdId"], villager.household_id);
        // D3: 5 working days; Sat 10 Oct 2026 is a make-up working day.
        assert_eq!(first["committeeDue"], "2026-10-14");
        let first_id = first["id"].as_i64().unwrap();

        // 2. A report about the committee member's own household: she must not decide it (D6).
        let (status, report) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "aboutHouseholdId": committee_household, "text": "该户9月乱堆柴草未扣分"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{report}");
        let (status, body) = decide_obj(
            &t,
            &committee,
            report["id"].as_i64().unwrap(),
            "decision",
            json!({"outcome": "reject", "reason": "经核实不属实"}),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "declaration.recusal");
        // Villagers and admins do not decide objections.
        let (status, body) = decide_obj(
            &t,
            &admin,
            first_id,
            "decision",
            json!({"outcome": "reject", "reason": "x"}),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");

        let (status, upheld) = decide_obj(
            &t,
            &committee,
            first_id,
            "decision",
            json!({"outcome": "uphold", "correction": 3, "reason": "核实有值守记录，补记 3 分"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{upheld}");
        assert_eq!(upheld["state"], "upheld");
        assert_eq!(upheld["correction"], 3);
        assert!(upheld["correctionEntryId"].as_i64().is_some());
        assert_eq!(upheld["amendedVersion"], 2);
        // A second decision is refused and changes nothing.
        let (status, body) = decide_obj(
            &t,
            &committee,
            first_id,
            "decision",
            json!({"outcome": "reject", "reason": "改判"}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::CONFLICT,
            "objection.already_decided",
        );
        let (_, mine) = get(&t, "/api/v1/me/objections", Some(&villager.token)).await;
        let stored = mine["objections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == first_id)
            .unwrap()
            .clone();
        assert_eq!(stored["state"], "upheld");
        assert_eq!(stored["correction"], 3);

        // Version 2 (更正) with its own notice; version 1 stays readable.
        let (_, list) = get(&t, &format!("/api/v1/villages/{heping}/publications"), None).await;
        let pubs = list["publications"].as_array().unwrap();
        assert_eq!(pubs.len(), 2, "{list}");
        assert_eq!(
            (pubs[0]["version"].as_i64(), pubs[0]["amended"].as_bool()),
            (Some(2), Some(true))
        );
        assert_eq!(pubs[1]["version"], 1);
        assert_ne!(pubs[0]["digest"], pubs[1]["digest"]);
        let (_, board_v2) = get(
            &t,
            &format!("/api/v1/villages/{heping}/publications/2026-Q3"),
            None,
        )
        .await;
        let (_, again_v1) = get(
            &t,
            &format!("/api/v1/villages/{heping}/publications/2026-Q3?version=1"),
            None,
        )
        .await;
        assert_eq!(
            again_v1["digest"], board_v1["digest"],
            "version 1 unchanged"
        );
        let line = |board: &Value| {
            board["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["householdCode"] == "heping-01-001")
                .unwrap()
                .clone()
        };
        assert_eq!(
            line(&board_v2)["score"].as_i64().unwrap(),
            line(&board_v1)["score"].as_i64().unwrap() + 3
        );
        assert_eq!(
            line(&board_v2)["quarterPoints"].as_i64().unwrap(),
            line(&board_v1)["quarterPoints"].as_i64().unwrap() + 3,
            "the correction counts in the quarter objected to"
        );
        let page = get_response(&t, &format!("/board/{heping}/2026-Q3"), None).await;
        assert!(page.text().await.unwrap().contains("更正"));
        let v2_key = format!("notify.group:publication:{heping}:2026-Q3:v2");
        assert_eq!(outbox_settled(&t, &v2_key).await.status, "sent");
        let messages = group_messages(&t, &group).await;
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[1].to_string().contains("更正"));
        // The objector is told in DingTalk.
        let told = outbox_by_key(&t, &format!("notify.work:objection.decided:{first_id}"))
            .await
            .unwrap();
        assert!(told.payload.to_string().contains("采纳"));

        // 3. Rejected, escalated to the town, rejected there.
        let (_, third) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "text": "8月也有值守"}),
        )
        .await;
        let third_id = third["id"].as_i64().unwrap();
        let (status, rejected) = decide_obj(
            &t,
            &committee,
            third_id,
            "decision",
            json!({"outcome": "reject", "reason": "8月无值守记录"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{rejected}");
        assert_eq!(rejected["state"], "rejected");
        let (status, body) = decide_obj(
            &t,
            &town,
            third_id,
            "town-decision",
            json!({"outcome": "reject", "reason": "未申请复核"}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::CONFLICT,
            "objection.not_escalable",
        );
        let (status, escalated) = post(
            &t,
            &format!("/api/v1/objections/{third_id}/escalate"),
            Some(&villager.token),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{escalated}");
        assert_eq!(escalated["state"], "escalated");
        assert!(escalated["townDue"].as_str().is_some());
        let (status, town_rejected) = decide_obj(
            &t,
            &town,
            third_id,
            "town-decision",
            json!({"outcome": "reject", "reason": "复核维持原答复"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{town_rejected}");
        assert_eq!(town_rejected["state"], "town_rejected");

        // 4. Rejected today; escalated too late (D3: 3 days after the answer).
        let (_, fourth) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "text": "9月也有值守"}),
        )
        .await;
        let fourth_id = fourth["id"].as_i64().unwrap();
        let (status, _) = decide_obj(
            &t,
            &committee,
            fourth_id,
            "decision",
            json!({"outcome": "reject", "reason": "无记录"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        clock.advance(Duration::days(4));
        let villager = login(&t, "demo-villager").await;
        let (status, body) = post(
            &t,
            &format!("/api/v1/objections/{fourth_id}/escalate"),
            Some(&villager.token),
            json!({}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "objection.escalation_closed",
        );

        // After the window (last day 15 Oct) nothing is accepted.
        clock.set("2026-10-16T02:00:00Z".parse().unwrap());
        let villager = login(&t, "demo-villager").await;
        let committee = login(&t, "demo-committee").await;
        let before = objection_count(&t, &committee, heping).await;
        let (status, body) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "text": "迟到的异议"}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "objection.window_closed",
        );
        assert_eq!(objection_count(&t, &committee, heping).await, before);
    }
);

dual_db_test!(
    async fn d3_the_committee_is_reminded_on_working_days_3_and_5_once(db: TestDb) {
        let (t, clock, _, _) = heping_q3_published(db, vec![], false).await;
        let villager = login(&t, "demo-villager").await;
        let (status, filed) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "text": "7月值守未计分"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{filed}");
        let id = filed["id"].as_i64().unwrap();
        let remind3 = format!("notify.work:objection.remind3:{id}");
        let remind5 = format!("notify.work:objection.remind5:{id}");
        // Fri 9 Oct is working day 1, Sat 10 Oct (make-up) day 2, Mon 12 Oct day 3, Wed 14 Oct day 5.
        clock.set("2026-10-10T02:00:00Z".parse().unwrap());
        assert_eq!(t.app.objection_reminders().await.unwrap(), 0);
        clock.set("2026-10-12T02:00:00Z".parse().unwrap());
        assert_eq!(t.app.objection_reminders().await.unwrap(), 1);
        let sent = outbox_by_key(&t, &remind3).await.unwrap();
        assert_eq!(sent.payload["userIds"], json!(["demo-committee"]));
        assert_eq!(t.app.objection_reminders().await.unwrap(), 0, "once");
        clock.set("2026-10-14T02:00:00Z".parse().unwrap());
        assert_eq!(t.app.objection_reminders().await.unwrap(), 1);
        assert!(outbox_by_key(&t, &remind5).await.is_some());
        // A decided objection is not reminded any more.
        let committee = login(&t, "demo-committee").await;
        let (status, _) = decide_obj(
            &t,
            &committee,
            id,
            "decision",
            json!({"outcome": "reject", "reason": "无记录"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        clock.set("2026-10-16T02:00:00Z".parse().unwrap());
        assert_eq!(t.app.objection_reminders().await.unwrap(), 0);
    }
);

dual_db_test!(
    async fn r17_a_member_reports_another_household_picked_from_the_board_by_its_code(db: TestDb) {
        let (t, _clock, heping, _) = heping_q3_published(db, fast_workers(), false).await;
        let villager = login(&t, "demo-villager").await;
        let committee = login(&t, "demo-committee").await;
        let (_, board) = get(
            &t,
            &format!("/api/v1/villages/{heping}/publications/2026-Q3"),
            None,
        )
        .await;
        // Another household as the public board shows it (its code, not an id).
        let own = villager.body["household"]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let other = board["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["householdCode"].as_str().unwrap().to_owned())
            .find(|code| *code != own)
            .unwrap();
        let (_, other_household) = member_by_code(&t, &format!("{other}-1")).await;

        // Refused, nothing written: a code of another village, both identifiers at once.
        let (status, body) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "aboutHouseholdCode": "cihang-01-001", "text": "积分不对"}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "objection.other_village",
        );
        let (status, body) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "aboutHouseholdCode": other, "aboutHouseholdId": other_household, "text": "积分不对"}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "request.invalid_field",
        );
        assert_eq!(objection_count(&t, &committee, heping).await, 0);

        // The report: about that household, raised by the villager's.
        let (status, filed) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "aboutHouseholdCode": other, "text": "该户上季度的环境卫生加分与实际不符"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{filed}");
        assert_eq!(filed["aboutHouseholdId"], other_household);
        assert_eq!(
            filed["raisedByHouseholdId"],
            villager.body["household"]["id"]
        );
        assert_eq!(objection_count(&t, &committee, heping).await, 1);
    }
);

// R17: the committee's decision stands even when its amended publication fails (here the
// database refuses the publication insert, as an outage would); the scheduler publishes the
// amendment on its next pass, once, with its one notice.
dual_db_test!(
    async fn r17_a_failed_amended_publication_is_published_by_the_next_scheduler_pass_once(
        db: TestDb,
    ) {
        use aidazu_store::ConnectionTrait;
        use sea_orm::Statement;

        let (t, _clock, heping, group) = heping_q3_published(db, fast_workers(), true).await;
        let group = group.unwrap();
        // The other villages' Q3 publications, so the passes below count amendments only.
        t.app.run_due_jobs().await.unwrap();
        let villager = login(&t, "demo-villager").await;
        let committee = login(&t, "demo-committee").await;
        let (status, filed) = object(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "text": "7月参加防汛值守未计分"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{filed}");

        // Publications cannot be written for now.
        let conn = t.store().connection();
        let backend = conn.get_database_backend();
        let (block, unblock) = match backend {
            sea_orm::DatabaseBackend::Postgres => (
                vec![
                    "CREATE FUNCTION test_refuse_publication() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN RAISE EXCEPTION 'publications are refused (test)'; END $$",
                    "CREATE TRIGGER test_refuse_publication BEFORE INSERT ON publications \
                     FOR EACH ROW EXECUTE FUNCTION test_refuse_publication()",
                ],
                vec![
                    "DROP TRIGGER test_refuse_publication ON publications",
                    "DROP FUNCTION test_refuse_publication()",
                ],
            ),
            _ => (
                vec![
                    "CREATE TRIGGER test_refuse_publication BEFORE INSERT ON publications \
                     BEGIN SELECT RAISE(ABORT, 'publications are refused (test)'); END",
                ],
                vec!["DROP TRIGGER test_refuse_publication"],
            ),
        };
        for sql in block {
            conn.execute(Statement::from_string(backend, sql))
                .await
                .unwrap();
        }
        let (status, upheld) = decide_obj(
            &t,
            &committee,
            filed["id"].as_i64().unwrap(),
            "decision",
            json!({"outcome": "uphold", "correction": 3, "reason": "核实有值守记录，补记 3 分"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "the decision stands: {upheld}");
        assert_eq!(upheld["state"], "upheld");
        assert!(upheld["correctionEntryId"].as_i64().is_some());
        assert_eq!(upheld["amendedVersion"], Value::Null);
        // A scheduler pass while the outage lasts publishes nothing and loses nothing.
        t.app.run_due_jobs().await.unwrap();
        let (_, list) = get(&t, &format!("/api/v1/villages/{heping}/publications"), None).await;
        assert_eq!(list["publications"].as_array().unwrap().len(), 1, "{list}");

        for sql in unblock {
            conn.execute(Statement::from_string(backend, sql))
                .await
                .unwrap();
        }
        assert_eq!(t.app.run_due_jobs().await.unwrap(), 1, "the amendment");
        assert_eq!(t.app.run_due_jobs().await.unwrap(), 0, "once");
        let (_, list) = get(&t, &format!("/api/v1/villages/{heping}/publications"), None).await;
        let pubs = list["publications"].as_array().unwrap();
        assert_eq!(pubs.len(), 2, "{list}");
        assert_eq!(
            (pubs[0]["version"].as_i64(), pubs[0]["amended"].as_bool()),
            (Some(2), Some(true))
        );
        let (_, board) = get(
            &t,
            &format!("/api/v1/villages/{heping}/publications/2026-Q3"),
            None,
        )
        .await;
        let canonical: Value = serde_json::from_str(board["canonical"].as_str().unwrap()).unwrap();
        assert_eq!(canonical["corrections"][0]["amount"], 3, "{canonical}");
        // One 更正 notice in the group, after the first publication's.
        let notices = loop {
            let m = group_messages(&t, &group).await;
            if m.len() >= 2 {
                break m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(group_messages(&t, &group).await.len(), 2, "{notices:?}");
        assert!(notices[1].to_string().contains("更正"), "{}", notices[1]);
    }
);
