//! F6 for objections (R17, D6): filing an objection opens a DingTalk OA approval for the village
//! committee (without anyone of the households concerned); the approval's result is applied
//! through the inbox exactly once, whichever channel (console or DingTalk) decides first; a
//! console decision terminates the instance and a late DingTalk result changes nothing. Real
//! simulator, real HTTP, SQLite and PostgreSQL.

use std::time::{Duration, SystemTime};

use aidazu_domain::calendar::PointsYear;
use aidazu_domain::ledger::EntrySource;
use aidazu_domain::{HouseholdId, ObjectionId, VillageId};
use aidazu_testkit::{TestApp, TestDb, dual_db_test};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::kit::*;
use crate::support::{
    applied_events, approval_form, crypto, fast_workers, notifications_to, poll, push_event,
    sim_events_of, sim_get, sim_post,
};

/// Thu 8 Oct 2026, 10:00 Shanghai: the first working day after Q3.
const START: &str = "2026-10-08T02:00:00Z";

async fn published(db: TestDb) -> (TestApp, i64) {
    let (t, _clock) = spawn_at(db, START.parse().unwrap(), fast_workers()).await;
    let heping = village_id(&t, "heping").await;
    t.app
        .publish_quarter(VillageId(heping), "2026-Q3".parse().unwrap(), "cli")
        .await
        .unwrap();
    (t, heping)
}

async fn file(t: &TestApp, s: &Session, body: Value) -> i64 {
    let (status, filed) = post(t, "/api/v1/objections", Some(&s.token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    filed["id"].as_i64().unwrap()
}

/// The objection as the committee's console lists it.
async fn objection(t: &TestApp, s: &Session, village: i64, id: i64) -> Value {
    let (status, body) = get(
        t,
        &format!("/api/v1/admin/objections?villageId={village}"),
        Some(&s.token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["objections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("objection {id} not listed: {body}"))
        .clone()
}

/// Waits until the objection's approval exists in DingTalk; returns its instance id.
async fn approval_of_objection(t: &TestApp, id: i64) -> String {
    poll(Duration::from_secs(20), || async {
        aidazu_store::objections::get(t.store().connection(), ObjectionId(id))
            .await
            .unwrap()
            .and_then(|o| o.process_instance_id)
    })
    .await
}

async fn wait_objection_state(
    t: &TestApp,
    s: &Session,
    village: i64,
    id: i64,
    state: &str,
) -> Value {
    poll(Duration::from_secs(20), || async {
        let o = objection(t, s, village, id).await;
        (o["state"] == state).then_some(o)
    })
    .await
}

/// The committee member decides in DingTalk.
async fn committee_decides(t: &TestApp, instance: &str, result: &str, remark: &str) -> StatusCode {
    let (status, _) = sim_post(
        t,
        &format!("/sim/approvals/{instance}/decide"),
        json!({ "result": result, "remark": remark, "staffId": "demo-committee" }),
    )
    .await;
    status
}

/// Correction entries booked for objection `id` on `household` (points-year 2026).
async fn corrections(t: &TestApp, household: i64, id: i64) -> Vec<i64> {
    let mut out = Vec::new();
    for year in [PointsYear(2025), PointsYear(2026)] {
        for e in t
            .store()
            .household_entries(HouseholdId(household), year)
            .await
            .unwrap()
        {
            if e.entry.source == EntrySource::Objection(ObjectionId(id)) {
                out.push(e.entry.amount.get());
            }
        }
    }
    out
}

async fn publication_versions(t: &TestApp, village: i64) -> Vec<i64> {
    let (_, list) = get(t, &format!("/api/v1/villages/{village}/publications"), None).await;
    list["publications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["quarter"] == "2026-Q3")
        .map(|p| p["version"].as_i64().unwrap())
        .collect()
}

// F6, R17: filed → an approval for the committee; agreed in DingTalk with `更正 +3 分` → upheld
// once (one correction entry, version 2 更正), however often DingTalk repeats the result.
dual_db_test!(
    async fn f6_objection_upheld_in_dingtalk_is_applied_once_with_its_correction(db: TestDb) {
        let (t, heping) = published(db).await;
        let villager = login(&t, "demo-villager").await;
        let committee = login(&t, "demo-committee").await;
        let id = file(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "text": "7月参加防汛值守未计分"}),
        )
        .await;

        // The approval, for the committee only, with the objection's form.
        let instance = approval_of_objection(&t, id).await;
        let approval = sim_get(&t, &format!("/sim/approvals/{instance}")).await;
        let form = approval_form(&approval);
        let labels: Vec<&str> = form.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            labels,
            [
                "季度",
                "异议对象户",
                "异议人",
                "异议内容",
                "照片",
                "处理说明"
            ],
            "{approval}"
        );
        assert_eq!(form[0].1, "2026-Q3");
        assert!(form[3].1.contains("防汛值守"), "{}", form[3].1);
        assert!(form[5].1.contains("更正"), "{}", form[5].1);
        let text = approval.to_string();
        assert!(text.contains("demo-committee"), "approver: {approval}");
        assert!(
            !text.contains("demo-admin"),
            "only the committee: {approval}"
        );
        assert_eq!(
            objection(&t, &committee, heping, id).await["approvalInstanceId"],
            instance
        );

        // Agreed in DingTalk with the correction in the remark.
        assert_eq!(
            committee_decides(&t, &instance, "agree", "更正 +3 分：核实有值守记录").await,
            StatusCode::OK
        );
        let upheld = wait_objection_state(&t, &committee, heping, id, "upheld").await;
        assert_eq!(upheld["correction"], 3, "{upheld}");
        assert_eq!(
            upheld["committeeDecision"]["reason"],
            "更正 +3 分：核实有值守记录"
        );
        assert!(upheld["correctionEntryId"].as_i64().is_some());
        assert_eq!(corrections(&t, villager.household_id, id).await, vec![3]);
        // The amended publication follows the committed decision (its own job run): wait for it.
        poll(Duration::from_secs(20), || async {
            (publication_versions(&t, heping).await == vec![2, 1]).then_some(())
        })
        .await;
        let told = notifications_to(&t, "demo-villager", "采纳").await;
        assert_eq!(told.len(), 1, "{told:?}");

        // DingTalk repeats the result three times: nothing more is booked or published.
        let finish = sim_events_of(&t, &instance, "bpms_instance_change")
            .await
            .into_iter()
            .find(|p| p["type"] == "finish")
            .expect("finish event");
        for n in 0..3 {
            let mut again = finish.clone();
            again["eventId"] = json!(format!("again-{n}-{instance}"));
            let (status, _) = push_event(&t, &crypto(), &again, SystemTime::now()).await;
            assert_eq!(status, StatusCode::OK);
        }
        let events = applied_events(&t).await;
        let applied: Vec<_> = events
            .iter()
            .filter(|(_, kind, outcome)| {
                kind == "bpms_instance_change" && outcome.starts_with("applied: objection")
            })
            .collect();
        assert_eq!(applied.len(), 1, "one result applied: {events:?}");
        assert!(
            events
                .iter()
                .filter(|(key, _, _)| key.starts_with("again-"))
                .all(|(_, _, outcome)| outcome.starts_with("refused")),
            "{events:?}"
        );
        assert_eq!(corrections(&t, villager.household_id, id).await, vec![3]);
        assert_eq!(publication_versions(&t, heping).await, vec![2, 1]);
        // Nothing to close: the approval decided.
        assert!(
            outbox_by_key(&t, &format!("objection.approval.terminate:{id}"))
                .await
                .is_none()
        );
    }
);

// F6: refused in DingTalk → rejected with the remark as the reason; an agreement without an
// amount decides nothing (the approver is sent to the console); D6: no approval for a
// committee member about their own household.
dual_db_test!(
    async fn f6_objection_refused_in_dingtalk_carries_the_remark(db: TestDb) {
        let (t, heping) = published(db).await;
        let villager = login(&t, "demo-villager").await;
        let committee = login(&t, "demo-committee").await;

        let id = file(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "text": "8月也有值守"}),
        )
        .await;
        let instance = approval_of_objection(&t, id).await;
        assert_eq!(
            committee_decides(&t, &instance, "refuse", "8月无值守记录").await,
            StatusCode::OK
        );
        let rejected = wait_objection_state(&t, &committee, heping, id, "rejected").await;
        assert_eq!(rejected["committeeDecision"]["reason"], "8月无值守记录");
        assert!(corrections(&t, villager.household_id, id).await.is_empty());
        let told = notifications_to(&t, "demo-villager", "8月无值守记录").await;
        assert!(told[0].contains("未被"), "{}", told[0]);
        assert_eq!(publication_versions(&t, heping).await, vec![1]);

        // Agreed without an amount: refused, still open, the approver told to use the console.
        let second = file(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "text": "9月也有值守"}),
        )
        .await;
        let instance = approval_of_objection(&t, second).await;
        assert_eq!(
            committee_decides(&t, &instance, "agree", "同意").await,
            StatusCode::OK
        );
        let hint = notifications_to(&t, "demo-committee", "未写明更正分值").await;
        assert!(hint[0].contains(&second.to_string()), "{}", hint[0]);
        let events = applied_events(&t).await;
        assert!(
            events
                .iter()
                .any(|(_, _, outcome)| outcome.contains("without a correction amount")),
            "{events:?}"
        );
        assert_eq!(
            objection(&t, &committee, heping, second).await["state"],
            "open"
        );
        // The console decides it then (the finished instance needs no closing).
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/objections/{second}/decision"),
            Some(&committee.token),
            json!({"outcome": "uphold", "correction": 2, "reason": "核实有值守记录"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let closed = outbox_settled(&t, &format!("objection.approval.terminate:{second}")).await;
        assert_eq!(closed.status, "sent", "{closed:?}");

        // Where the approver edits the form, the number field 更正分值 gives the correction.
        let third = file(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "text": "9月清扫未计分"}),
        )
        .await;
        let instance = approval_of_objection(&t, third).await;
        let (status, body) = sim_post(
            &t,
            &format!("/sim/approvals/{instance}/decide"),
            json!({
                "result": "agree",
                "remark": "核实有清扫记录",
                "staffId": "demo-committee",
                "formValues": [{ "name": "更正分值", "value": "2" }],
            }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let upheld = wait_objection_state(&t, &committee, heping, third, "upheld").await;
        assert_eq!(upheld["correction"], 2, "{upheld}");
        assert_eq!(upheld["committeeDecision"]["reason"], "核实有清扫记录");
        assert_eq!(corrections(&t, villager.household_id, third).await, vec![2]);

        // D6: a report about the committee member's own household gets no approval (she is the
        // only committee member who could decide it in DingTalk).
        let (_, committee_household) = member_by_code(&t, "heping-03-001-2").await;
        let report = file(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "aboutHouseholdId": committee_household, "text": "该户9月乱堆柴草未扣分"}),
        )
        .await;
        // Nothing is enqueued for it (the filing transaction already knows nobody may decide).
        assert!(
            outbox_by_key(&t, &format!("objection.approval.create:{report}"))
                .await
                .is_none()
        );
        assert!(objection(&t, &committee, heping, report).await["approvalInstanceId"].is_null());
    }
);

// F6, R9-like: the console decides first → the instance is terminated in DingTalk; a late
// DingTalk result changes nothing.
dual_db_test!(
    async fn f6_console_first_terminates_the_approval_and_a_late_result_changes_nothing(
        db: TestDb,
    ) {
        let (t, heping) = published(db).await;
        let villager = login(&t, "demo-villager").await;
        let committee = login(&t, "demo-committee").await;
        let id = file(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "text": "7月值守未计分"}),
        )
        .await;
        let instance = approval_of_objection(&t, id).await;

        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/objections/{id}/decision"),
            Some(&committee.token),
            json!({"outcome": "reject", "reason": "经核实无值守记录"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // DingTalk refuses to terminate an instance in its first seconds: move its clock.
        crate::support::sim_advance(&t, 30).await;
        let closed = outbox_settled(&t, &format!("objection.approval.terminate:{id}")).await;
        assert_eq!(closed.status, "sent", "{closed:?}");
        let approval = poll(Duration::from_secs(20), || async {
            let a = sim_get(&t, &format!("/sim/approvals/{instance}")).await;
            (a["status"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("TERMINATED")))
            .then_some(a)
        })
        .await;
        assert!(
            approval.to_string().contains("TERMINATED")
                || approval.to_string().contains("terminated")
        );
        // The simulator refuses a decision on the closed instance …
        assert_ne!(
            committee_decides(&t, &instance, "agree", "更正 +5 分").await,
            StatusCode::OK
        );
        // … and a result pushed late anyway changes nothing.
        let late = json!({
            "EventType": "bpms_instance_change",
            "eventId": format!("late-{instance}"),
            "processInstanceId": instance,
            "type": "finish",
            "result": "agree",
            "staffId": "demo-committee",
        });
        let late_task = json!({
            "EventType": "bpms_task_change",
            "eventId": format!("late-task-{instance}"),
            "processInstanceId": instance,
            "taskId": 99,
            "type": "finish",
            "result": "agree",
            "remark": "更正 +5 分",
            "staffId": "demo-committee",
        });
        for event in [&late_task, &late] {
            let (status, _) = push_event(&t, &crypto(), event, SystemTime::now()).await;
            assert_eq!(status, StatusCode::OK);
        }
        let events = applied_events(&t).await;
        let outcome = events
            .iter()
            .find(|(key, _, _)| key == &format!("late-{instance}"))
            .map(|(_, _, o)| o.clone())
            .unwrap();
        assert!(outcome.starts_with("refused"), "{outcome}");
        let o = objection(&t, &committee, heping, id).await;
        assert_eq!(o["state"], "rejected");
        assert_eq!(o["committeeDecision"]["reason"], "经核实无值守记录");
        assert!(corrections(&t, villager.household_id, id).await.is_empty());
        assert_eq!(publication_versions(&t, heping).await, vec![1]);
    }
);

// F6, issue 7 point 6: an objection's approval result whose push was lost is recovered by the
// reconciler's re-check of the instance, and applied once.
dual_db_test!(
    async fn f6_a_lost_objection_result_is_recovered_by_the_reconciler(db: TestDb) {
        let (t, heping) = published(db).await;
        let villager = login(&t, "demo-villager").await;
        let committee = login(&t, "demo-committee").await;
        let id = file(
            &t,
            &villager,
            json!({"quarter": "2026-Q3", "text": "7月值守未计分"}),
        )
        .await;
        let instance = approval_of_objection(&t, id).await;
        let (status, _) = sim_post(&t, "/sim/faults", json!({ "callbacksDown": true })).await;
        assert!(status.is_success());
        assert_eq!(
            committee_decides(&t, &instance, "refuse", "核实无值守记录").await,
            StatusCode::OK
        );
        // Someone else drained the failed list: only the instance itself tells.
        poll(Duration::from_secs(10), || async {
            let page = t.app.dingtalk().failed_callbacks().await.unwrap();
            (!page.failed_list.is_empty()).then_some(())
        })
        .await;
        assert_eq!(objection(&t, &committee, heping, id).await["state"], "open");
        let report = aidazu_app::reconcile::reconcile(&t.app, chrono::Duration::zero())
            .await
            .unwrap();
        assert_eq!((report.rechecked, report.recovered), (1, 1), "{report:?}");
        let rejected = wait_objection_state(&t, &committee, heping, id, "rejected").await;
        assert_eq!(rejected["committeeDecision"]["reason"], "核实无值守记录");
        let again = aidazu_app::reconcile::reconcile(&t.app, chrono::Duration::zero())
            .await
            .unwrap();
        assert_eq!((again.rechecked, again.recovered), (0, 0), "{again:?}");
    }
);
