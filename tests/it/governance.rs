//! Governance (issue 12): catalogue change requests approved in the simulator's DingTalk OA
//! approval (R7, F6) with their replay, bulk import of households (R2–R4), the group inspection
//! (R10, R6), and several districts isolated by role scope (R1). Real server, real simulator,
//! SQLite and PostgreSQL.

use std::collections::HashMap;
use std::time::Duration;

use aidazu_domain::calendar::{PointsYear, PointsYearConfig, business_date};
use aidazu_domain::ledger::EntryKind;
use aidazu_domain::{HouseholdId, VillageId};
use aidazu_testkit::{TestApp, TestDb, dual_db_test};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::kit::*;
use crate::support::{approval_form, fast_workers, poll, sim_get, sim_post, sim_put_user};

/// Mon 10 Aug 2026, 10:00 Shanghai: inside 2026-Q3 (the demo district's points-year starts in
/// January).
const IN_Q3: &str = "2026-08-10T02:00:00Z";
/// Mon 12 Oct 2026, 10:00 Shanghai: inside 2026-Q4.
const IN_Q4: &str = "2026-10-12T02:00:00Z";
/// Mon 11 Jan 2027, 10:00 Shanghai: inside 2027-Q1.
const IN_NEXT_Q1: &str = "2027-01-11T02:00:00Z";

async fn score(
    t: &TestApp,
    token: &str,
    member: i64,
    item: &str,
    points: i64,
) -> (StatusCode, Value) {
    post(
        t,
        "/api/v1/admin/entries",
        Some(token),
        json!({"itemCode": item, "memberId": member, "points": points,
               "reason": "门前三包抽查合格", "photoIds": []}),
    )
    .await
}

async fn change_of(t: &TestApp, token: &str, village: i64, id: i64) -> Value {
    let (status, body) = get(
        t,
        &format!("/api/v1/admin/villages/{village}/catalogue-changes/{id}"),
        Some(token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The version and amount of a household's entries of `item` in a points-year, booking order.
/// R7: the console decision on a catalogue change (`{"approve": …, "reason": …}`).
async fn decide_change(t: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    post(
        t,
        &format!("/api/v1/admin/catalogue-changes/{id}/decision"),
        Some(token),
        body,
    )
    .await
}

async fn item_entries(t: &TestApp, household: i64, year: i32, item: &str) -> Vec<(u32, i64)> {
    t.store()
        .household_entries(HouseholdId(household), PointsYear(year))
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| {
            let r = e.entry.item()?.clone();
            (r.code.as_str() == item).then_some((r.version, e.entry.amount.get()))
        })
        .collect()
}

// R7, F6: a village asks to re-value ML-02 (2 → 4); the replay shows last quarter under the new
// value, equal to a recomputation from the recorded entries; the district officer agrees in
// DingTalk; the new version is in force from the next quarter while this quarter's entries keep
// the old one.
dual_db_test!(
    async fn r7_change_approved_in_dingtalk_applies_next_quarter_and_replay_matches(db: TestDb) {
        let (t, clock) = spawn_at(db, IN_Q3.parse().unwrap(), fast_workers()).await;
        let heping = village_id(&t, "heping").await;
        let admin = login_as(&t, "demo-admin", "console").await;

        // Q3: a few ML-02 awards (2 points each) and one PA-01.
        let mut booked = 0;
        for (code, times) in [
            ("heping-01-003-1", 2),
            ("heping-01-006-1", 1),
            ("heping-02-002-1", 3),
        ] {
            let (member, _) = member_by_code(&t, code).await;
            for _ in 0..times {
                let (status, body) = score(&t, &admin.token, member, "ML-02", 2).await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
                booked += 1;
            }
        }
        assert_eq!(booked, 6);
        let (member, _) = member_by_code(&t, "heping-01-009-1").await;
        assert_eq!(
            score(&t, &admin.token, member, "PA-01", 3).await.0,
            StatusCode::CREATED
        );

        // Q4: the request (tokens are short-lived: log in again after the clock moved).
        clock.set(IN_Q4.parse().unwrap());
        let admin = login_as(&t, "demo-admin", "console").await;
        let district = login_as(&t, "demo-district", "console").await;
        let villager = login(&t, "demo-villager").await;
        let path = format!("/api/v1/admin/villages/{heping}/catalogue-changes");
        let request = json!({
            "reason": "门前三包是本村重点工作，提高分值",
            "changes": [{"op": "revalue", "code": "ML-02", "points": 4}]
        });
        // R1: a villager may not ask; R7: nor beyond the district's bounds.
        let (status, body) = post(&t, &path, Some(&villager.token), request.clone()).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        let (status, body) = post(
            &t,
            &path,
            Some(&admin.token),
            json!({"reason": "x", "changes": [{"op": "revalue", "code": "ML-02", "points": 40}]}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "catalogue_change.out_of_bounds",
        );
        let (status, draft) = post(&t, &path, Some(&admin.token), request).await;
        assert_eq!(status, StatusCode::CREATED, "{draft}");
        assert_eq!(draft["status"], "draft");
        let id = draft["id"].as_i64().unwrap();
        // A draft opens no approval.
        assert!(
            outbox_by_key(&t, &format!("catalogue.approval.create:{id}"))
                .await
                .is_none()
        );

        // The replay: last quarter (2026-Q3) under ML-02 = 4.
        let (status, replay) = get(&t, &format!("{path}/{id}/replay"), Some(&district.token)).await;
        assert_eq!(status, StatusCode::OK, "{replay}");
        assert_eq!(replay["quarter"], "2026-Q3");
        // The recomputation: every recorded entry of the village up to the end of Q3.
        let calendar = PointsYearConfig::default();
        let q3 = "2026-Q3".parse().unwrap();
        let entries = aidazu_store::ledger::village_entries(
            t.store().connection(),
            VillageId(heping),
            PointsYear(2026),
        )
        .await
        .unwrap();
        let mut actual_q: HashMap<i64, i64> = HashMap::new();
        let mut proposed_q: HashMap<i64, i64> = HashMap::new();
        let mut actual_score: HashMap<i64, i64> = HashMap::new();
        let mut proposed_score: HashMap<i64, i64> = HashMap::new();
        let mut changed = 0;
        for e in &entries {
            let e = &e.entry;
            let day = business_date(e.occurred_at);
            if day > calendar.quarter_last_day(q3) || !e.kind.counts_toward_score() {
                continue;
            }
            let h = e.household.get();
            let in_q3 = calendar.quarter_of(day) == q3;
            let is_ml02 = e.item().is_some_and(|r| r.code.as_str() == "ML-02");
            let new = if in_q3 && is_ml02 { 4 } else { e.amount.get() };
            if new != e.amount.get() {
                changed += 1;
            }
            *actual_score.entry(h).or_default() += e.amount.get();
            *proposed_score.entry(h).or_default() += new;
            if in_q3 {
                *actual_q.entry(h).or_default() += e.amount.get();
                *proposed_q.entry(h).or_default() += new;
            }
        }
        assert!(changed >= 6, "our six ML-02 awards change: {changed}");
        assert_eq!(replay["entriesChanged"], changed);
        assert_eq!(replay["entriesDropped"], 0);
        let lines = replay["lines"].as_array().unwrap();
        for line in lines {
            let h = line["householdId"].as_i64().unwrap();
            assert_eq!(
                line["actualQuarterPoints"],
                actual_q.get(&h).copied().unwrap_or(0),
                "{line}"
            );
            assert_eq!(
                line["proposedQuarterPoints"],
                proposed_q.get(&h).copied().unwrap_or(0),
                "{line}"
            );
            assert_eq!(
                line["actualScore"],
                actual_score.get(&h).copied().unwrap_or(0),
                "{line}"
            );
            assert_eq!(
                line["proposedScore"],
                proposed_score.get(&h).copied().unwrap_or(0),
                "{line}"
            );
        }
        let issued = |m: &HashMap<i64, i64>| m.values().sum::<i64>();
        assert_eq!(replay["actual"]["pointsIssued"], issued(&actual_q));
        assert_eq!(replay["proposed"]["pointsIssued"], issued(&proposed_q));
        assert_eq!(
            replay["proposed"]["pointsIssued"].as_i64().unwrap()
                - replay["actual"]["pointsIssued"].as_i64().unwrap(),
            2 * changed
        );
        // The honours line and the average over the population (lines without exclusion), and
        // the ranks, recomputed.
        for (side, scores) in [("actual", &actual_score), ("proposed", &proposed_score)] {
            let population: Vec<i64> = lines
                .iter()
                .filter(|l| l["exclusion"].is_null())
                .map(|l| {
                    scores
                        .get(&l["householdId"].as_i64().unwrap())
                        .copied()
                        .unwrap_or(0)
                })
                .collect();
            let n = population.len() as i64;
            let sum: i64 = population.iter().sum();
            assert_eq!(replay[side]["n"], n);
            assert_eq!(replay[side]["sum"], sum);
            let above = population.iter().filter(|s| **s * n > sum).count();
            assert_eq!(replay[side]["householdsAboveLine"], above, "{side}");
            let key = format!("{side}Rank");
            for line in lines.iter().filter(|l| l["participating"] == true) {
                let own = scores
                    .get(&line["householdId"].as_i64().unwrap())
                    .copied()
                    .unwrap_or(0);
                let higher = lines
                    .iter()
                    .filter(|l| l["participating"] == true)
                    .filter(|l| {
                        scores
                            .get(&l["householdId"].as_i64().unwrap())
                            .copied()
                            .unwrap_or(0)
                            > own
                    })
                    .count();
                assert_eq!(line[key.as_str()], higher + 1, "{line}");
            }
        }
        // More points issued, more owed against the same fund.
        assert!(
            replay["proposed"]["liabilityFen"].as_i64().unwrap()
                > replay["actual"]["liabilityFen"].as_i64().unwrap()
        );
        assert_eq!(
            replay["proposed"]["fundBalanceFen"],
            replay["actual"]["fundBalanceFen"]
        );

        // Submitted: a DingTalk approval for the district office.
        let (status, submitted) = post(
            &t,
            &format!("{path}/{id}/submit"),
            Some(&admin.token),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{submitted}");
        assert_eq!(submitted["status"], "submitted");
        let (status, again) = post(
            &t,
            &format!("{path}/{id}/submit"),
            Some(&admin.token),
            json!({}),
        )
        .await;
        assert_envelope(
            status,
            &again,
            StatusCode::CONFLICT,
            "catalogue_change.wrong_state",
        );
        let instance = poll(Duration::from_secs(20), || async {
            change_of(&t, &admin.token, heping, id).await["approvalInstanceId"]
                .as_str()
                .map(str::to_owned)
        })
        .await;
        let approval = sim_get(&t, &format!("/sim/approvals/{instance}")).await;
        let form = approval_form(&approval);
        let labels: Vec<&str> = form.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            labels,
            ["申请单位", "调整内容", "调整理由", "模拟测算", "生效说明"],
            "{approval}"
        );
        assert!(form[1].1.contains("ML-02"), "{}", form[1].1);
        assert!(form[3].1.contains("2026-Q3"), "{}", form[3].1);
        assert!(approval.to_string().contains("demo-district"), "{approval}");
        // The district console lists it.
        let (status, list) = get(
            &t,
            &format!("/api/v1/admin/districts/{}/catalogue-changes", 1),
            Some(&district.token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert!(
            list["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == id)
        );

        // The district officer agrees in DingTalk.
        let (status, _) = sim_post(
            &t,
            &format!("/sim/approvals/{instance}/decide"),
            json!({"result": "agree", "remark": "同意", "staffId": "demo-district"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let approved = poll(Duration::from_secs(20), || async {
            let c = change_of(&t, &admin.token, heping, id).await;
            (c["status"] == "approved").then_some(c)
        })
        .await;
        assert_eq!(approved["effectiveFrom"], "2027-01-01", "{approved}");
        let version = approved["version"].as_u64().unwrap() as u32;
        assert!(version > 1);
        // Decided once: the console cannot decide it again.
        let (status, body) = decide_change(
            &t,
            &district.token,
            id,
            json!({"approve": false, "reason": "再议"}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::CONFLICT,
            "catalogue_change.wrong_state",
        );

        // Still Q4: ML-02 gives 2 under the old version; 4 is refused.
        let (member, household) = member_by_code(&t, "heping-01-003-1").await;
        assert_eq!(
            score(&t, &admin.token, member, "ML-02", 4).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            score(&t, &admin.token, member, "ML-02", 2).await.0,
            StatusCode::CREATED
        );
        let old = item_entries(&t, household, 2026, "ML-02").await;
        assert_eq!(old.len(), 3);
        assert!(old.iter().all(|(v, p)| *v == 1 && *p == 2), "{old:?}");

        // Next quarter: the new version, 4 points; the old entries keep theirs.
        clock.set(IN_NEXT_Q1.parse().unwrap());
        let admin = login_as(&t, "demo-admin", "console").await;
        let (status, body) = score(&t, &admin.token, member, "ML-02", 4).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(
            item_entries(&t, household, 2027, "ML-02").await,
            vec![(version, 4)]
        );
        assert_eq!(item_entries(&t, household, 2026, "ML-02").await, old);
        let (_, catalogue) = get(&t, &format!("/api/v1/villages/{heping}/catalogue"), None).await;
        assert_eq!(catalogue["version"], version, "{catalogue}");
    }
);

// R7: a refusal in the console needs a reason, carries it, and closes the DingTalk approval.
dual_db_test!(
    async fn r7_change_refused_in_console_carries_the_reason(db: TestDb) {
        let (t, _clock) = spawn_at(db, IN_Q4.parse().unwrap(), fast_workers()).await;
        let heping = village_id(&t, "heping").await;
        let admin = login_as(&t, "demo-admin", "console").await;
        let district = login_as(&t, "demo-district", "console").await;
        let path = format!("/api/v1/admin/villages/{heping}/catalogue-changes");
        let (_, draft) = post(
            &t,
            &path,
            Some(&admin.token),
            json!({"reason": "本村无山林", "changes": [{"op": "retire", "code": "PA-07"}]}),
        )
        .await;
        let id = draft["id"].as_i64().unwrap();
        post(
            &t,
            &format!("{path}/{id}/submit"),
            Some(&admin.token),
            json!({}),
        )
        .await;
        // The village admin may not decide.
        let (status, body) = decide_change(&t, &admin.token, id, json!({"approve": true})).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        let (status, body) =
            decide_change(&t, &district.token, id, json!({"approve": false})).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "request.invalid_field",
        );
        let (status, refused) = decide_change(
            &t,
            &district.token,
            id,
            json!({"approve": false, "reason": "野外用火为全区禁止事项"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{refused}");
        assert_eq!(refused["status"], "rejected");
        assert_eq!(refused["decisionReason"], "野外用火为全区禁止事项");
        assert!(refused["effectiveFrom"].is_null());
        outbox_settled(&t, &format!("catalogue.approval.terminate:{id}")).await;
    }
);

// R7, R1: a change of the district's template shows its replay in a village that follows the
// template — the same figures as the village's own change with the same proposed value — for
// the district's officers only; a village holding its own approved catalogue is refused, as is
// a village of another district.
dual_db_test!(
    async fn r7_template_change_replay_matches_the_village_replay_and_refuses_own_catalogues(
        db: TestDb,
    ) {
        let (t, clock) = spawn_at(db, IN_Q3.parse().unwrap(), fast_workers()).await;
        let heping = village_id(&t, "heping").await;
        let dazu = district_of(&t, heping).await.get();
        let admin = login_as(&t, "demo-admin", "console").await;
        for code in ["heping-01-003-1", "heping-02-002-1", "heping-02-002-1"] {
            let (member, _) = member_by_code(&t, code).await;
            let (status, body) = score(&t, &admin.token, member, "ML-02", 2).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }

        clock.set(IN_Q4.parse().unwrap());
        let admin = login_as(&t, "demo-admin", "console").await;
        let district = login_as(&t, "demo-district", "console").await;
        let (_, guangfu) = second_district(&t, 1, 30).await;
        let other = login_as(&t, "rc-officer", "console").await;
        let request = json!({"reason": "门前三包全区提分",
                             "changes": [{"op": "revalue", "code": "ML-02", "points": 4}]});
        let template_path = format!("/api/v1/admin/districts/{dazu}/catalogue-changes");
        let (status, template) =
            post(&t, &template_path, Some(&district.token), request.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{template}");
        let template_id = template["id"].as_i64().unwrap();
        let village_path = format!("/api/v1/admin/villages/{heping}/catalogue-changes");
        let (status, own) = post(&t, &village_path, Some(&admin.token), request).await;
        assert_eq!(status, StatusCode::CREATED, "{own}");
        let own_id = own["id"].as_i64().unwrap();

        let replay_of =
            |id: i64, village: i64| format!("{template_path}/{id}/replay?villageId={village}");
        let (status, by_template) =
            get(&t, &replay_of(template_id, heping), Some(&district.token)).await;
        assert_eq!(status, StatusCode::OK, "{by_template}");
        let (status, by_village) = get(
            &t,
            &format!("{village_path}/{own_id}/replay"),
            Some(&district.token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{by_village}");
        assert_eq!(by_template["changeId"], template_id);
        assert_eq!(by_template["villageId"], heping);
        assert_eq!(by_template["quarter"], "2026-Q3");
        // Every ML-02 entry of 2 (the 3 above and the demo's own) becomes 4.
        let changed = by_template["entriesChanged"].as_i64().unwrap();
        assert!(changed >= 3, "{}", by_template["entriesChanged"]);
        assert_eq!(
            by_template["proposed"]["pointsIssued"].as_i64().unwrap()
                - by_template["actual"]["pointsIssued"].as_i64().unwrap(),
            2 * changed
        );
        for key in [
            "quarter",
            "actual",
            "proposed",
            "entriesChanged",
            "entriesDropped",
            "lines",
        ] {
            assert_eq!(by_template[key], by_village[key], "{key}");
        }

        // Refusals: a village admin and another district's officer (403), an unknown change or a
        // village's change (404), a village of another district (404), no village (400).
        let (status, body) = get(&t, &replay_of(template_id, heping), Some(&admin.token)).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        let (status, body) = get(&t, &replay_of(template_id, heping), Some(&other.token)).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        for id in [template_id + 1000, own_id] {
            let (status, body) = get(&t, &replay_of(id, heping), Some(&district.token)).await;
            assert_envelope(
                status,
                &body,
                StatusCode::NOT_FOUND,
                "catalogue_change.not_found",
            );
        }
        let (status, body) = get(&t, &replay_of(template_id, guangfu), Some(&district.token)).await;
        assert_envelope(status, &body, StatusCode::NOT_FOUND, "village.not_found");
        let (status, _) = get(
            &t,
            &format!("{template_path}/{template_id}/replay"),
            Some(&district.token),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // heping's own change approved: the template no longer applies there.
        let (status, body) = post(
            &t,
            &format!("{village_path}/{own_id}/submit"),
            Some(&admin.token),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) =
            decide_change(&t, &district.token, own_id, json!({"approve": true})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = get(&t, &replay_of(template_id, heping), Some(&district.token)).await;
        assert_envelope(
            status,
            &body,
            StatusCode::CONFLICT,
            "catalogue_change.village_has_own_catalogue",
        );
        assert!(
            body["message"].as_str().unwrap().contains("本村自己的"),
            "{body}"
        );
        outbox_settled(&t, &format!("catalogue.approval.terminate:{own_id}")).await;
    }
);

fn import_xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let header = [
        "户编号",
        "组编号",
        "地址",
        "姓名",
        "与户主关系",
        "性别",
        "出生年份",
        "类别",
        "长期在外",
        "党员",
        "手机号",
    ];
    sheet.write_string(0, 0, "农户批量导入").unwrap();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if c == 6 && !cell.is_empty() && cell.parse::<f64>().is_ok() {
                sheet
                    .write_number(3 + r as u32, c as u16, cell.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                sheet.write_string(3 + r as u32, c as u16, cell).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

async fn upload_import(
    t: &TestApp,
    token: &str,
    village: i64,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let part = Part::bytes(bytes)
        .file_name("households.xlsx")
        .mime_str("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .unwrap();
    let resp = t
        .http
        .post(t.url(&format!(
            "/api/v1/admin/villages/{village}/households/import"
        )))
        .bearer_auth(token)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The village's import template, downloaded and read (rows of cells).
async fn template_sheet(t: &TestApp, token: &str, village: i64) -> Vec<Vec<String>> {
    let (_, template) = download(
        t,
        &format!("/api/v1/admin/villages/{village}/households/import-template.xlsx"),
        Some(token),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await;
    aidazu_app::spreadsheet::read_first_sheet(&template).unwrap()
}

async fn household_total(t: &TestApp, token: &str, village: i64) -> i64 {
    let (status, body) = get(
        t,
        &format!("/api/v1/admin/villages/{village}/households?perPage=1"),
        Some(token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["total"].as_i64().unwrap()
}

// R2–R4: 50 households, 3 bad rows: refused whole with a report naming the 3 rows; accepted
// when fixed, mobiles encrypted (found through the keyed lookup, never stored in plain text).
dual_db_test!(
    async fn r3_import_of_50_households_refuses_bad_rows_whole_then_accepts(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let heping = village_id(&t, "heping").await;
        let admin = login_as(&t, "demo-admin", "console").await;
        let read = template_sheet(&t, &admin.token, heping).await;
        assert!(
            read.iter()
                .any(|r| r.first().is_some_and(|c| c == "户编号"))
        );
        let before = household_total(&t, &admin.token, heping).await;

        let mut rows: Vec<Vec<String>> = (1..=50)
            .map(|i| {
                vec![
                    format!("HP-IMP-{i:03}"),
                    "heping-03".into(),
                    format!("和平村三组新{i}号"),
                    format!("导入户{i}"),
                    "户主".into(),
                    if i % 2 == 0 { "男" } else { "女" }.into(),
                    format!("{}", 1950 + i),
                    "村民".into(),
                    "否".into(),
                    "否".into(),
                    format!("139{i:08}"),
                ]
            })
            .collect();
        rows[4][10] = "12345".into(); // row 8: a bad mobile
        rows[19][1] = "heping-99".into(); // row 23: no such group
        rows[41][3] = String::new(); // row 45: no name
        let (status, body) = upload_import(&t, &admin.token, heping, import_xlsx(&rows)).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "import.rows_refused",
        );
        let refused = body["details"]["rows"].as_array().unwrap();
        let numbers: Vec<i64> = refused.iter().map(|r| r["row"].as_i64().unwrap()).collect();
        assert_eq!(numbers, vec![8, 23, 45], "{body}");
        assert!(refused[0]["errors"][0].as_str().unwrap().contains("手机号"));
        assert!(refused[1]["errors"][0].as_str().unwrap().contains("组编号"));
        assert!(refused[2]["errors"][0].as_str().unwrap().contains("姓名"));
        assert_eq!(
            household_total(&t, &admin.token, heping).await,
            before,
            "nothing written"
        );

        rows[4][10] = "13900000905".into();
        rows[19][1] = "heping-03".into();
        rows[41][3] = "导入户42".into();
        let (status, body) = upload_import(&t, &admin.token, heping, import_xlsx(&rows)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"households": 50, "members": 50}));
        assert_eq!(household_total(&t, &admin.token, heping).await, before + 50);
        let found = t
            .store()
            .members_by_mobile(t.pii(), "13900000007")
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        // Never in plain text at rest.
        use sea_orm::{ConnectionTrait, Statement};
        let db = t.store().connection();
        let rows_plain = db
            .query_all(Statement::from_string(
                db.get_database_backend(),
                "SELECT id FROM members WHERE mobile_lookup = '13900000007' OR name = '13900000007'",
            ))
            .await
            .unwrap();
        assert!(rows_plain.is_empty());
        // The same file again: every household exists now.
        let (status, body) = upload_import(&t, &admin.token, heping, import_xlsx(&rows)).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "import.rows_refused",
        );
        assert_eq!(body["details"]["rows"].as_array().unwrap().len(), 50);
        // Not an xlsx.
        let (status, body) = upload_import(&t, &admin.token, heping, b"hello".to_vec()).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "import.unreadable",
        );
    }
);

// R10, R6: one inspection of a group scores each of its households once, in one transaction,
// with the evidence rule of each item enforced; a group is inspected once a quarter.
dual_db_test!(
    async fn r10_inspection_of_a_group_scores_each_household_once(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let heping = village_id(&t, "heping").await;
        let admin = login_as(&t, "demo-admin", "console").await;
        let (status, groups) = get(
            &t,
            &format!("/api/v1/admin/villages/{heping}/groups"),
            Some(&admin.token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{groups}");
        let group = groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["code"] == "heping-01")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let households: Vec<i64> = t
            .store()
            .households(VillageId(heping))
            .await
            .unwrap()
            .into_iter()
            .filter(|h| h.group.is_some_and(|g| g.get() == group))
            .map(|h| h.id.get())
            .collect();
        assert_eq!(households.len(), 10);
        let photo = photo_id(&t, &admin.token, 7).await;
        let on = today(&t);
        let year = points_year(&t).label();
        let before: Vec<usize> = {
            let mut v = Vec::new();
            for h in &households {
                v.push(item_entries(&t, *h, year, "ML-02").await.len());
            }
            v
        };
        let line = |h: i64, photos: Vec<i64>| json!({"householdId": h, "scores": [{"itemCode": "ML-02", "points": 2, "photoIds": photos}]});
        let path = format!("/api/v1/admin/groups/{group}/inspections");
        // A household missing: refused.
        let partial: Vec<Value> = households[1..]
            .iter()
            .map(|h| line(*h, vec![photo]))
            .collect();
        let (status, body) = post(
            &t,
            &path,
            Some(&admin.token),
            json!({"occurredOn": on, "households": partial}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "request.invalid_field",
        );
        // ML-02 needs a photo, even though it is positive: refused, nothing booked.
        let mut lines: Vec<Value> = households.iter().map(|h| line(*h, vec![photo])).collect();
        lines[9] = line(households[9], vec![]);
        let (status, body) = post(
            &t,
            &path,
            Some(&admin.token),
            json!({"occurredOn": on, "households": lines}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "declaration.photo_count",
        );
        // Not an inspection item (PA-02 is self-declared only).
        let mut lines: Vec<Value> = households.iter().map(|h| line(*h, vec![photo])).collect();
        lines[0] = json!({"householdId": households[0], "scores": [{"itemCode": "PA-02", "points": 5, "photoIds": [photo]}]});
        let (status, body) = post(
            &t,
            &path,
            Some(&admin.token),
            json!({"occurredOn": on, "households": lines}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "inspection.not_an_inspection_item",
        );
        for (h, n) in households.iter().zip(&before) {
            assert_eq!(
                item_entries(&t, *h, year, "ML-02").await.len(),
                *n,
                "nothing booked"
            );
        }

        let lines: Vec<Value> = households.iter().map(|h| line(*h, vec![photo])).collect();
        let (status, done) = post(
            &t,
            &path,
            Some(&admin.token),
            json!({"occurredOn": on, "households": lines.clone()}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{done}");
        assert_eq!(done["households"], 10);
        let entries = done["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 10);
        let mut scored: Vec<i64> = entries
            .iter()
            .map(|e| e["householdId"].as_i64().unwrap())
            .collect();
        scored.sort_unstable();
        let mut expected = households.clone();
        expected.sort_unstable();
        assert_eq!(scored, expected, "each household once");
        for (h, n) in households.iter().zip(&before) {
            let after = item_entries(&t, *h, year, "ML-02").await;
            assert_eq!(after.len(), n + 1);
            assert_eq!(after.last().unwrap().1, 2);
        }
        let (status, body) = post(
            &t,
            &path,
            Some(&admin.token),
            json!({"occurredOn": on, "households": lines}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::CONFLICT,
            "inspection.already_done",
        );
        // Every entry kind is an award of the item in force.
        let e = t
            .store()
            .household_entries(HouseholdId(households[0]), PointsYear(year))
            .await
            .unwrap();
        assert_eq!(e.last().unwrap().entry.kind, EntryKind::Award);
    }
);

// R1: a second district added by command (as `aidazu org add-district` / `add-town` /
// `add-village` / `add-group` / `add-officer` do) is invisible to the first's officers, and the
// first to the second's.
dual_db_test!(
    async fn r1_a_second_district_added_by_command_is_isolated(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let heping = village_id(&t, "heping").await;
        let (_, village) = second_district(&t, 3, 20).await;
        t.app
            .operator_add("group", "guangfu", "guangfu-01", "一组", None)
            .await
            .unwrap();
        // A code is used once.
        assert_eq!(
            t.app
                .add_district("500153", "重复", 1, 30, None)
                .await
                .unwrap_err()
                .code(),
            "org.code_taken"
        );

        let dazu = login_as(&t, "demo-district", "console").await;
        let rongchang = login_as(&t, "rc-officer", "console").await;
        // Each sees its own tree only.
        let (_, tree) = get(&t, "/api/v1/admin/org", Some(&dazu.token)).await;
        let names = |tree: &Value, level: &str| -> Vec<String> {
            tree[level]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["name"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(names(&tree, "districts"), vec!["大足区"]);
        assert!(!names(&tree, "villages").contains(&"广富村".to_owned()));
        assert!(names(&tree, "villages").contains(&"和平村".to_owned()));
        let (_, tree) = get(&t, "/api/v1/admin/org", Some(&rongchang.token)).await;
        assert_eq!(names(&tree, "districts"), vec!["荣昌区"]);
        assert_eq!(names(&tree, "villages"), vec!["广富村"]);
        assert_eq!(names(&tree, "groups"), vec!["一组"]);

        // The other district's village answers 404, as if it did not exist.
        for (session, other) in [(&dazu, village), (&rongchang, heping)] {
            for path in [
                format!("/api/v1/admin/villages/{other}/groups"),
                format!("/api/v1/admin/villages/{other}/catalogue-changes"),
                format!("/api/v1/admin/villages/{other}/households"),
            ] {
                let (status, body) = get(&t, &path, Some(&session.token)).await;
                // Out of scope: 404 as if it did not exist (the household list answers 403).
                assert!(
                    status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
                    "{path}: {status} {body}"
                );
                assert!(
                    !body.to_string().contains("广富村") && !body.to_string().contains("和平村")
                );
            }
        }
        // Nor may one add to the other's tree.
        let (status, _) = post(
            &t,
            "/api/v1/admin/districts/1/towns",
            Some(&rongchang.token),
            json!({"code": "x-town", "name": "越权镇"}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/villages/{village}/groups"),
            Some(&rongchang.token),
            json!({"code": "guangfu-02", "name": "二组"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // The new district has its own template (version 1), in force for its village.
        let (status, catalogue) =
            get(&t, &format!("/api/v1/villages/{village}/catalogue"), None).await;
        assert_eq!(status, StatusCode::OK, "{catalogue}");
        assert_eq!(catalogue["version"], 1);
    }
);

// R1: `aidazu org sync --dry-run` compares the district's DingTalk departments (区 → 镇 → 村 → 组)
// with the stored tree and shows the changes without writing; without `--dry-run` it adds and
// renames, and a second run finds nothing to do.
dual_db_test!(
    async fn r1_org_sync_from_dingtalk_departments_dry_run_then_apply(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let plan = t.app.sync_org("dazu", true).await.unwrap();
        assert!(
            plan.changes.is_empty(),
            "the demo is in sync: {:?}",
            plan.changes
        );
        let heping_dept = t
            .store()
            .village_by_code("heping")
            .await
            .unwrap()
            .map(|v| v.id)
            .unwrap();
        let tree = t
            .app
            .visible_org(&staff(&t, "demo-district").await)
            .await
            .unwrap();
        let heping = tree
            .villages
            .iter()
            .find(|v| v.id == heping_dept.get())
            .unwrap()
            .clone();
        let dept: i64 = heping.dept_id.as_deref().unwrap().parse().unwrap();
        let town_dept: i64 = tree
            .towns
            .iter()
            .find(|n| Some(n.id) == heping.parent)
            .and_then(|n| n.dept_id.as_deref())
            .unwrap()
            .parse()
            .unwrap();
        let root: i64 = tree.districts[0]
            .dept_id
            .as_deref()
            .unwrap()
            .parse()
            .unwrap();

        // DingTalk gains a town with a village, and renames 和平村.
        for (id, body) in [
            (9050, json!({"name": "新建镇", "parentId": root})),
            (9051, json!({"name": "新建村", "parentId": 9050})),
            (dept, json!({"name": "和平社区"})),
        ] {
            let (status, answer) =
                crate::support::sim_put(&t, &format!("/sim/departments/{id}"), body).await;
            assert!(status.is_success(), "{answer}");
        }
        let plan = t.app.sync_org("dazu", true).await.unwrap();
        let seen: Vec<(&str, &str, i64)> = plan
            .changes
            .iter()
            .map(|c| (c.level, c.action, c.dept_id))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("town", "add", 9050),
                ("village", "rename", dept),
                ("village", "add", 9051)
            ],
            "{:?}",
            plan.changes
        );
        assert_eq!(plan.changes[1].from.as_deref(), Some("和平村"));
        assert_eq!(plan.changes[2].parent_dept_id, 9050);
        assert!(!plan.applied);
        let after = t
            .app
            .visible_org(&staff(&t, "demo-district").await)
            .await
            .unwrap();
        assert_eq!(after, tree, "a dry run writes nothing");
        let _ = town_dept;

        let plan = t.app.sync_org("dazu", false).await.unwrap();
        assert!(plan.applied);
        let after = t
            .app
            .visible_org(&staff(&t, "demo-district").await)
            .await
            .unwrap();
        assert!(
            after
                .towns
                .iter()
                .any(|n| n.name == "新建镇" && n.code == "dt-9050")
        );
        assert!(
            after
                .villages
                .iter()
                .any(|n| n.name == "新建村" && n.code == "dt-9051")
        );
        assert!(
            after
                .villages
                .iter()
                .any(|n| n.id == heping.id && n.name == "和平社区")
        );
        assert!(
            t.app
                .sync_org("dazu", true)
                .await
                .unwrap()
                .changes
                .is_empty()
        );
    }
);

/// R1: a second district added as `aidazu org add-district` / `add-town` / `add-village` /
/// `add-officer` do: 荣昌区 (code 500153, the given start month and item bound) with 昌州街道 and
/// its village 广富村, and its officer `rc-officer`. Returns the district and the village.
async fn second_district(
    t: &TestApp,
    start_month: u32,
    max_item_points: i32,
) -> (aidazu_domain::DistrictId, i64) {
    let district = t
        .app
        .add_district("500153", "荣昌区", start_month, max_item_points, None)
        .await
        .unwrap();
    t.app
        .operator_add("town", "500153", "changzhou", "昌州街道", None)
        .await
        .unwrap();
    let village = t
        .app
        .operator_add("village", "changzhou", "guangfu", "广富村", None)
        .await
        .unwrap();
    sim_put_user(t, "rc-officer", "荣昌区干部", "13700000001").await;
    t.app
        .add_district_officer("500153", "rc-officer", "荣昌区干部")
        .await
        .unwrap();
    (district, village)
}

/// The actor of a staff member, as the API would build it.
async fn staff(t: &TestApp, user: &str) -> aidazu_app::Actor {
    t.app
        .actor_of_dingtalk_user(user, aidazu_domain::channel::Channel::Console)
        .await
        .unwrap()
        .unwrap()
}

dual_db_test!(
    async fn d3_each_district_keeps_its_own_working_days_for_publication(db: TestDb) {
        // Thu 1 Oct 2026 (National Day): Q3 has ended; nationally Thu 8 Oct is the first working
        // day, so the publication is due on 8 Oct 09:00.
        let (t, clock) = spawn_at(db, "2026-10-01T02:00:00Z".parse().unwrap(), vec![]).await;
        let heping = village_id(&t, "heping").await;
        let (_, villages) = get(&t, "/api/v1/villages", None).await;
        let dazu = villages["villages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["id"] == heping)
            .unwrap()["districtId"]
            .as_i64()
            .unwrap();
        // A second district on the national calendar.
        let (_, guangfu) = second_district(&t, 1, 30).await;
        let officer = login_as(&t, "demo-district", "console").await;
        let town = login_as(&t, "demo-town", "console").await;
        let calendar = format!("/api/v1/admin/districts/{dazu}/calendar");
        let (status, empty) = get(&t, &calendar, Some(&officer.token)).await;
        assert_eq!(status, StatusCode::OK, "{empty}");
        assert_eq!(empty["holidays"], json!([]));
        // The national calendar comes along for the console's month view: 元旦 2027 and the
        // make-up Sunday 4 Jan 2026.
        let national =
            |k: &str, d: &str| empty[k].as_array().is_some_and(|a| a.contains(&json!(d)));
        assert!(national("nationalHolidays", "2027-01-01"), "{empty}");
        assert!(national("nationalWorkingDays", "2026-01-04"), "{empty}");

        // Refusals change nothing: a town officer, a malformed day, an unknown kind, a long note.
        let day = |d: &str| format!("{calendar}/{d}");
        let put = |path: String, token: String, body: Value| {
            let t = &t;
            async move { send(t, reqwest::Method::PUT, &path, Some(&token), body).await }
        };
        let (status, body) = put(
            day("2026-10-08"),
            town.token.clone(),
            json!({"kind": "holiday"}),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        let (status, body) = put(
            day("2026-13-08"),
            officer.token.clone(),
            json!({"kind": "holiday"}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "request.invalid_path",
        );
        let (status, _) = put(
            day("2026-10-08"),
            officer.token.clone(),
            json!({"kind": "weekend"}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, body) = put(
            day("2026-10-08"),
            officer.token.clone(),
            json!({"kind": "holiday", "note": "长".repeat(201)}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "request.invalid_field",
        );
        let (_, still) = get(&t, &calendar, Some(&officer.token)).await;
        assert_eq!(still["holidays"], json!([]));

        // 大足区 makes 8 Oct a local holiday: its villages publish on Fri 9 Oct, 荣昌区's on 8 Oct.
        let (status, set) = put(
            day("2026-10-08"),
            officer.token.clone(),
            json!({"kind": "holiday", "note": "区级活动调休"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{set}");
        assert_eq!(set["holidays"], json!(["2026-10-08"]));
        let q3: aidazu_domain::calendar::Quarter = "2026-Q3".parse().unwrap();
        clock.set("2026-10-08T01:00:00Z".parse().unwrap());
        assert_eq!(
            t.app.due_publication(VillageId(heping)).await.unwrap(),
            None
        );
        assert_eq!(
            t.app.due_publication(VillageId(guangfu)).await.unwrap(),
            Some(q3)
        );
        clock.set("2026-10-09T01:00:00Z".parse().unwrap());
        assert_eq!(
            t.app.due_publication(VillageId(heping)).await.unwrap(),
            Some(q3)
        );

        // Given back to the national calendar, 8 Oct is a working day again.
        let officer = login_as(&t, "demo-district", "console").await;
        let (status, back) = put(
            day("2026-10-08"),
            officer.token.clone(),
            json!({"kind": "national"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{back}");
        assert_eq!(back["holidays"], json!([]));
        clock.set("2026-10-08T01:00:00Z".parse().unwrap());
        assert_eq!(
            t.app.due_publication(VillageId(heping)).await.unwrap(),
            Some(q3)
        );
    }
);

/// The district of a village.
async fn district_of(t: &TestApp, village: i64) -> aidazu_domain::DistrictId {
    t.store()
        .village(VillageId(village))
        .await
        .unwrap()
        .unwrap()
        .district
        .id
}

/// The number the district's next catalogue version would carry.
async fn next_version(t: &TestApp, district: aidazu_domain::DistrictId) -> u32 {
    aidazu_store::governance::next_version_number(t.store().connection(), district)
        .await
        .unwrap()
}

/// Drafts and submits a re-valuation of `code` in heping (village admin); returns the change id
/// and its DingTalk approval instance once created.
async fn submitted_change(
    t: &TestApp,
    token: &str,
    heping: i64,
    code: &str,
    points: i64,
) -> (i64, String) {
    let path = format!("/api/v1/admin/villages/{heping}/catalogue-changes");
    let (status, draft) = post(
        t,
        &path,
        Some(token),
        json!({"reason": "本村重点工作，调整分值",
               "changes": [{"op": "revalue", "code": code, "points": points}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let id = draft["id"].as_i64().unwrap();
    let (status, body) = post(t, &format!("{path}/{id}/submit"), Some(token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let instance = poll(Duration::from_secs(20), || async {
        change_of(t, token, heping, id).await["approvalInstanceId"]
            .as_str()
            .map(str::to_owned)
    })
    .await;
    (id, instance)
}

// F3, R7, F6: a catalogue change approved in DingTalk while DingTalk cannot reach the service
// (its pushes lost: the failed list drained by someone else) is found by the reconciler's
// re-check of the instance and applied exactly once, through the same approval path as a push;
// a second run and the late push itself change nothing.
dual_db_test!(
    async fn f6_a_lost_catalogue_change_approval_is_applied_once_by_the_reconciler(db: TestDb) {
        let (t, _clock) = spawn_at(db, IN_Q4.parse().unwrap(), fast_workers()).await;
        let heping = village_id(&t, "heping").await;
        let admin = login_as(&t, "demo-admin", "console").await;
        let (id, instance) = submitted_change(&t, &admin.token, heping, "ML-02", 4).await;
        let district = district_of(&t, heping).await;
        let next_before = next_version(&t, district).await;

        let (status, _) = sim_post(&t, "/sim/faults", json!({ "callbacksDown": true })).await;
        assert!(status.is_success());
        let (status, _) = sim_post(
            &t,
            &format!("/sim/approvals/{instance}/decide"),
            json!({"result": "agree", "remark": "同意", "staffId": "demo-district"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        // Someone else drains the failed list (keeping the instance's finish for later): only
        // the instance itself tells.
        let drained = std::cell::RefCell::new(Vec::<Value>::new());
        let finish = poll(Duration::from_secs(20), || async {
            let page = t.app.dingtalk().failed_callbacks().await.unwrap();
            let mut drained = drained.borrow_mut();
            drained.extend(page.failed_list.iter().filter_map(|e| e.event_json()));
            drained
                .iter()
                .find(|e| e["EventType"] == "bpms_instance_change" && e["type"] == "finish")
                .cloned()
        })
        .await;
        assert_eq!(finish["processInstanceId"], instance.as_str());
        let (status, _) = sim_post(&t, "/sim/faults", json!({ "callbacksDown": false })).await;
        assert!(status.is_success());
        assert_eq!(
            change_of(&t, &admin.token, heping, id).await["status"],
            "submitted"
        );

        let report = aidazu_app::reconcile::reconcile(&t.app, chrono::Duration::zero())
            .await
            .unwrap();
        assert_eq!((report.rechecked, report.recovered), (1, 1), "{report:?}");
        let approved = poll(Duration::from_secs(20), || async {
            let c = change_of(&t, &admin.token, heping, id).await;
            (c["status"] == "approved").then_some(c)
        })
        .await;
        assert_eq!(approved["effectiveFrom"], "2027-01-01", "{approved}");
        assert_eq!(approved["version"], next_before, "{approved}");
        let events = crate::support::applied_events(&t).await;
        let recheck = events
            .iter()
            .find(|(key, _, _)| key == &format!("recheck:{instance}:finish"))
            .unwrap_or_else(|| panic!("{events:?}"));
        assert!(
            recheck
                .2
                .starts_with(&format!("applied: catalogue change {id} approved")),
            "{recheck:?}"
        );

        // A second run finds nothing waiting.
        let again = aidazu_app::reconcile::reconcile(&t.app, chrono::Duration::zero())
            .await
            .unwrap();
        assert_eq!((again.rechecked, again.recovered), (0, 0), "{again:?}");
        // The late push: stored, refused, nothing decided twice.
        let (status, _) = crate::support::push_event(
            &t,
            &crate::support::crypto(),
            &finish,
            std::time::SystemTime::now(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let events = crate::support::applied_events(&t).await;
        let finishes: Vec<&(String, String, String)> = events
            .iter()
            .filter(|(key, kind, outcome)| {
                kind == "bpms_instance_change"
                    && !key.starts_with("recheck:")
                    && !outcome.starts_with("recorded:")
            })
            .collect();
        assert!(!finishes.is_empty(), "{events:?}");
        assert!(
            finishes
                .iter()
                .all(|(_, _, outcome)| outcome.starts_with("refused: already decided")),
            "{finishes:?}"
        );
        assert_eq!(
            next_version(&t, district).await,
            next_before + 1,
            "one version written"
        );
        let c = change_of(&t, &admin.token, heping, id).await;
        assert_eq!(
            (c["status"].as_str(), c["version"].as_u64()),
            (Some("approved"), Some(u64::from(next_before)))
        );
    }
);

// R2: the template's example row imports as it stands, and the group may be written as the
// village's short group number (`5`, `05`, `5组`, `第5组`) or the full code; an unknown group is
// still refused naming its row and why.
dual_db_test!(
    async fn r2_import_takes_the_templates_example_row_and_short_group_numbers(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let heping = village_id(&t, "heping").await;
        let admin = login_as(&t, "demo-admin", "console").await;
        let sheet = template_sheet(&t, &admin.token, heping).await;
        let header = sheet
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "户编号"))
            .unwrap();
        let example = sheet[header + 1].clone();
        assert_eq!(example[1], "01", "the example uses the short group number");
        let before = household_total(&t, &admin.token, heping).await;

        // The example as it is, and more households written the same way.
        let mut rows = vec![example.clone()];
        for (i, group) in ["5", "05", "5组", "第5组", "第 2 组", "heping-03"]
            .iter()
            .enumerate()
        {
            let mut row = example.clone();
            row[0] = format!("HP-SHORT-{i}");
            row[1] = (*group).to_owned();
            row[3] = format!("简写户{i}");
            row[10] = format!("1370000000{i}");
            rows.push(row);
        }
        // A second member of the example household leaves 组编号 empty.
        let mut spouse = example.clone();
        spouse[1] = String::new();
        spouse[2] = String::new();
        spouse[3] = "李四".into();
        spouse[4] = "配偶".into();
        spouse[5] = "女".into();
        spouse[10] = String::new();
        rows.push(spouse);
        let mut bad = example.clone();
        bad[0] = "HP-SHORT-BAD".into();
        bad[1] = "第9组".into();
        bad[10] = String::new();
        rows.push(bad);
        let (status, body) = upload_import(&t, &admin.token, heping, import_xlsx(&rows)).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "import.rows_refused",
        );
        let refused = body["details"]["rows"].as_array().unwrap();
        assert_eq!(refused.len(), 1, "{body}");
        assert_eq!(refused[0]["row"], 4 + rows.len() as i64 - 1, "{body}");
        assert_eq!(refused[0]["householdCode"], "HP-SHORT-BAD");
        assert!(
            refused[0]["errors"][0].as_str().unwrap().contains("组编号"),
            "{body}"
        );
        assert_eq!(household_total(&t, &admin.token, heping).await, before);

        rows.pop();
        let (status, body) = upload_import(&t, &admin.token, heping, import_xlsx(&rows)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"households": 7, "members": 8}));
        assert_eq!(household_total(&t, &admin.token, heping).await, before + 7);
        // Each household landed in the group it named.
        let groups =
            aidazu_store::governance::village_groups(t.store().connection(), VillageId(heping))
                .await
                .unwrap();
        let group_id = |code: &str| groups.iter().find(|g| g.code == code).unwrap().id;
        for (code, group) in [
            (example[0].as_str(), "heping-01"),
            ("HP-SHORT-0", "heping-05"),
            ("HP-SHORT-3", "heping-05"),
            ("HP-SHORT-4", "heping-02"),
            ("HP-SHORT-5", "heping-03"),
        ] {
            let household = t
                .store()
                .household_by_code(VillageId(heping), code)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{code}"));
            assert_eq!(household.group, Some(group_id(group)), "{code}");
        }
    }
);

// Issue 12 point 6, F5: each district has its own robot settings. Two districts each set their
// own DingTalk group for the quarterly summary (its officers only: neither reads nor sets the
// other's), and once every village of a district has published, its summary is posted in its own
// group. Audited.
dual_db_test!(
    async fn f5_each_district_summary_goes_to_its_own_group(db: TestDb) {
        // Fri 9 Oct 2026: Q3 has ended and may be published.
        let (t, _clock) =
            spawn_at(db, "2026-10-09T02:00:00Z".parse().unwrap(), fast_workers()).await;
        let heping = village_id(&t, "heping").await;
        let dazu = district_of(&t, heping).await.get();
        let (rongchang, guangfu) = second_district(&t, 1, 30).await;
        let rongchang = rongchang.get();
        for (id, title) in [
            ("cid-dazu-office", "大足区积分制工作群"),
            ("cid-rc-office", "荣昌区积分制工作群"),
        ] {
            let (status, body) =
                crate::support::sim_put(&t, &format!("/sim/groups/{id}"), json!({"title": title}))
                    .await;
            assert!(status.is_success(), "{body}");
        }
        let dazu_officer = login_as(&t, "demo-district", "console").await;
        let rc_officer = login_as(&t, "rc-officer", "console").await;
        let town = login_as(&t, "demo-town", "console").await;
        let path = |d: i64| format!("/api/v1/admin/districts/{d}/notice-group");
        let put = |d: i64, token: String, body: Value| {
            let t = &t;
            let path = path(d);
            async move { send(t, reqwest::Method::PUT, &path, Some(&token), body).await }
        };

        // Unset: `group: null`.
        let (status, body) = get(&t, &path(dazu), Some(&dazu_officer.token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"group": null}));
        // Neither district's officer reads or sets the other's; a town officer neither.
        for (d, token) in [
            (rongchang, &dazu_officer.token),
            (dazu, &rc_officer.token),
            (dazu, &town.token),
        ] {
            let (status, body) = get(&t, &path(d), Some(token)).await;
            assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
            let (status, body) = put(
                d,
                token.clone(),
                json!({"openConversationId": "cid-intruder"}),
            )
            .await;
            assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        }
        let (status, body) = put(
            dazu,
            dazu_officer.token.clone(),
            json!({"openConversationId": "  "}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "request.invalid_field",
        );
        // Each sets its own (the robot defaults to the app's own).
        let (status, set) = put(
            dazu,
            dazu_officer.token.clone(),
            json!({"openConversationId": "cid-dazu-office"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{set}");
        assert_eq!(set["districtId"], dazu);
        assert_eq!(set["openConversationId"], "cid-dazu-office");
        let app_key = set["robotCode"].as_str().unwrap().to_owned();
        assert!(!app_key.is_empty());
        let (status, set) = put(
            rongchang,
            rc_officer.token.clone(),
            json!({"openConversationId": "cid-rc-office", "robotCode": app_key}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{set}");
        let (status, body) = get(&t, &path(rongchang), Some(&rc_officer.token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["group"]["openConversationId"], "cid-rc-office");
        let audited: Vec<_> = t
            .store()
            .audit_trail(aidazu_store::audit::AuditFilter::default(), 200)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.record.action == "district.notice_group_set")
            .map(|e| e.record.entity_id.unwrap_or_default())
            .collect();
        assert_eq!(
            audited,
            vec![rongchang.to_string(), dazu.to_string()],
            "each setting audited, refusals not"
        );

        // Every village of both districts publishes 2026-Q3.
        let q3: aidazu_domain::calendar::Quarter = "2026-Q3".parse().unwrap();
        let (_, villages) = get(&t, "/api/v1/villages", None).await;
        let mut all: Vec<i64> = villages["villages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["districtId"] == dazu)
            .map(|v| v["id"].as_i64().unwrap())
            .collect();
        assert!(all.len() > 1);
        all.push(guangfu);
        for v in all {
            t.app
                .publish_quarter(VillageId(v), q3, "cli")
                .await
                .unwrap();
        }
        for d in [dazu, rongchang] {
            let sent = outbox_settled(
                &t,
                &format!("notify.group:publication.district:{d}:2026-Q3"),
            )
            .await;
            assert_eq!(sent.status, "sent", "{sent:?}");
            assert!(
                outbox_by_key(&t, &format!("notify.work:publication.district:{d}:2026-Q3"))
                    .await
                    .is_none(),
                "no work notification when the district has its group"
            );
        }
        let dazu_messages = group_messages(&t, "cid-dazu-office").await;
        assert_eq!(dazu_messages.len(), 1, "{dazu_messages:?}");
        let text = dazu_messages[0].to_string();
        assert!(text.contains("大足区") && text.contains("和平村"), "{text}");
        assert!(!text.contains("广富村"), "{text}");
        assert_eq!(dazu_messages[0]["robotCode"], app_key.as_str());
        let rc_messages = group_messages(&t, "cid-rc-office").await;
        assert_eq!(rc_messages.len(), 1, "{rc_messages:?}");
        let text = rc_messages[0].to_string();
        assert!(text.contains("荣昌区") && text.contains("广富村"), "{text}");
        assert!(!text.contains("和平村"), "{text}");
    }
);

// R7, F6: drafts made on version N are stale once another change of the same catalogue is
// approved (version N+1): the draft shows it, its submission is refused (409
// `catalogue_change.stale`, asking to draft again); a stale request already submitted cannot be
// approved in the console (409) and an agreement in DingTalk rejects it as stale, so nothing of
// N+1 is silently overwritten. A new draft is made on N+1.
dual_db_test!(
    async fn r7_a_draft_made_on_an_older_version_is_stale(db: TestDb) {
        let (t, _clock) = spawn_at(db, IN_Q4.parse().unwrap(), fast_workers()).await;
        let heping = village_id(&t, "heping").await;
        let admin = login_as(&t, "demo-admin", "console").await;
        let district = login_as(&t, "demo-district", "console").await;
        let path = format!("/api/v1/admin/villages/{heping}/catalogue-changes");
        let draft = |body: Value| {
            let t = &t;
            let path = path.clone();
            let token = admin.token.clone();
            async move {
                let (status, draft) = post(t, &path, Some(&token), body).await;
                assert_eq!(status, StatusCode::CREATED, "{draft}");
                draft
            }
        };
        let late = draft(json!({"reason": "本村无山林",
                                "changes": [{"op": "retire", "code": "PA-07"}]}))
        .await;
        let late_id = late["id"].as_i64().unwrap();
        let base = late["baseVersion"].as_u64().unwrap();
        assert_eq!(late["stale"], false, "{late}");
        assert_eq!(late["currentBaseVersion"], base);
        // Two requests submitted on the same version N.
        let (first, _) = submitted_change(&t, &admin.token, heping, "ML-02", 4).await;
        let (second, second_instance) =
            submitted_change(&t, &admin.token, heping, "ML-02", 3).await;

        // The district approves the first in the console: version N+1.
        let (status, approved) =
            decide_change(&t, &district.token, first, json!({"approve": true})).await;
        assert_eq!(status, StatusCode::OK, "{approved}");
        let newer = approved["version"].as_u64().unwrap();
        assert!(newer > base);

        // The draft shows it is stale; its submission is refused.
        let shown = change_of(&t, &admin.token, heping, late_id).await;
        assert_eq!(shown["stale"], true, "{shown}");
        assert_eq!(shown["currentBaseVersion"], newer);
        let (status, body) = post(
            &t,
            &format!("{path}/{late_id}/submit"),
            Some(&admin.token),
            json!({}),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::CONFLICT,
            "catalogue_change.stale",
        );
        assert!(
            body["message"].as_str().unwrap().contains("重新起草"),
            "{body}"
        );
        assert_eq!(
            change_of(&t, &admin.token, heping, late_id).await["status"],
            "draft"
        );

        // The stale submitted request: the console may not approve it …
        assert_eq!(
            change_of(&t, &admin.token, heping, second).await["stale"],
            true
        );

        let (status, body) =
            decide_change(&t, &district.token, second, json!({"approve": true})).await;
        assert_envelope(
            status,
            &body,
            StatusCode::CONFLICT,
            "catalogue_change.stale",
        );
        let dazu = aidazu_domain::DistrictId(1);
        let next_before = next_version(&t, dazu).await;
        // … and an agreement in DingTalk rejects it as stale, writing no version.
        let (status, _) = sim_post(
            &t,
            &format!("/sim/approvals/{second_instance}/decide"),
            json!({"result": "agree", "remark": "同意", "staffId": "demo-district"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let rejected = poll(Duration::from_secs(20), || async {
            let c = change_of(&t, &admin.token, heping, second).await;
            (c["status"] != "submitted").then_some(c)
        })
        .await;
        assert_eq!(rejected["status"], "rejected", "{rejected}");
        assert!(
            rejected["decisionReason"]
                .as_str()
                .unwrap()
                .contains("重新起草"),
            "{rejected}"
        );
        assert!(rejected["version"].is_null());
        assert_eq!(rejected["stale"], false, "decided: no longer a question");
        assert_eq!(
            next_version(&t, dazu).await,
            next_before,
            "no version written"
        );

        // Drafted again, on N+1: the approved ML-02 = 4 is kept beside the new change.
        let again = draft(json!({"reason": "本村无山林",
                                 "changes": [{"op": "retire", "code": "PA-07"}]}))
        .await;
        assert_eq!(again["baseVersion"], newer, "{again}");
        assert_eq!(again["stale"], false);
        let again_id = again["id"].as_i64().unwrap();
        let (status, body) = post(
            &t,
            &format!("{path}/{again_id}/submit"),
            Some(&admin.token),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let proposed = aidazu_store::governance::change(t.store().connection(), again_id)
            .await
            .unwrap()
            .unwrap();
        let ml02 = proposed
            .items
            .iter()
            .find(|i| i.code().as_str() == "ML-02")
            .unwrap();
        assert_eq!(
            ml02.spec().points,
            aidazu_domain::catalogue::PointsRule::Fixed(aidazu_domain::Points(4))
        );
        assert!(proposed.items.iter().all(|i| i.code().as_str() != "PA-07"));
    }
);
