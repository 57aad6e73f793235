//! Honours (R18, D5, D7) and the year close (R14, D4): the list explains itself (mean, n, every
//! household's reason); the committee nominates eligible households only; a veto item excludes;
//! the year close is refused before its date, reminds unspent balances in the month before,
//! freezes the honours first and zeroes every balance once (two replicas), and the closed year
//! keeps answering.

use aidazu_app::year_close::YearCloseOutcome;
use aidazu_domain::VillageId;
use aidazu_domain::calendar::PointsYear;
use aidazu_testkit::{TestDb, dual_db_test};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::kit::*;
use crate::support::env;

fn lines(list: &Value) -> Vec<Value> {
    list["lines"].as_array().unwrap().clone()
}

dual_db_test!(
    async fn r18_d4_honours_explain_themselves_and_the_year_close_zeroes_every_balance_once(
        db: TestDb,
    ) {
        // 20 Dec 2026: Q1–Q3 are full quarters of the 2026 points-year.
        let start = "2026-12-20T02:00:00Z".parse().unwrap();
        let (t, clock) = spawn_at(db, start, vec![]).await;
        let heping = village_id(&t, "heping").await;
        let admin = login(&t, "demo-admin").await;
        let committee = login(&t, "demo-committee").await;
        let villager = login(&t, "demo-villager").await;
        let path = format!("/api/v1/admin/villages/{heping}/honours/2026");

        let (status, list) = get(&t, &path, Some(&committee.token)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["frozen"], false);
        let n = list["n"].as_u64().unwrap();
        let sum = list["sum"].as_i64().unwrap();
        assert!(n > 0 && list["mean"].as_str().is_some(), "{list}");
        // D5: eligible iff score × n > sum, exactly.
        for l in lines(&list) {
            if l["exclusion"].is_null() {
                let above =
                    i128::from(l["score"].as_i64().unwrap()) * i128::from(n) > i128::from(sum);
                assert_eq!(l["eligible"].as_bool().unwrap(), above, "{l}");
            } else {
                assert_eq!(l["eligible"], false);
            }
        }
        let skip = ["heping-02-001", "heping-03-001"]; // the admin's and the committee member's
        let eligible: Vec<Value> = lines(&list)
            .into_iter()
            .filter(|l| {
                l["eligible"] == true && !skip.contains(&l["householdCode"].as_str().unwrap())
            })
            .collect();
        assert!(eligible.len() >= 2, "{list}");
        let below = lines(&list)
            .into_iter()
            .find(|l| l["eligible"] == false && l["exclusion"].is_null())
            .unwrap();

        // D7: a DE-07 finding vetoes the household's honours for the year.
        let vetoed = &eligible[1];
        let (member, _) = member_by_code(
            &t,
            &format!("{}-1", vetoed["householdCode"].as_str().unwrap()),
        )
        .await;
        let (status, body) = post(
            &t,
            "/api/v1/admin/entries",
            Some(&admin.token),
            json!({"itemCode": "DE-07", "memberId": member, "points": -20,
                   "reason": "经村调委会认定存在家庭暴力", "photoIds": []}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (_, list) = get(&t, &path, Some(&committee.token)).await;
        let line = lines(&list)
            .into_iter()
            .find(|l| l["householdId"] == vetoed["householdId"])
            .unwrap();
        assert_eq!(
            (line["eligible"].as_bool(), line["exclusion"].as_str()),
            (Some(false), Some("veto"))
        );

        // Nominations: eligible → 201; below the mean or vetoed → refused with the reason.
        let nominate = |household: &Value, honour: &str| json!({"honour": honour, "householdId": household["householdId"]});
        let npath = format!("{path}/nominations");
        let (status, body) = post(
            &t,
            &npath,
            Some(&committee.token),
            nominate(&eligible[0], "beautiful_family"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = post(
            &t,
            &npath,
            Some(&committee.token),
            nominate(&below, "clean_courtyard"),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "honours.not_eligible",
        );
        assert_eq!(body["details"]["reason"], "not_above_mean");
        let (status, body) = post(
            &t,
            &npath,
            Some(&committee.token),
            nominate(vetoed, "star_civilised_household"),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "honours.not_eligible",
        );
        assert_eq!(body["details"]["reason"], "veto");
        let (status, body) = post(
            &t,
            &npath,
            Some(&villager.token),
            nominate(&eligible[0], "beautiful_courtyard"),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        let (_, list) = get(&t, &path, Some(&committee.token)).await;
        assert_eq!(
            list["nominations"].as_array().unwrap().len(),
            1,
            "refusals wrote nothing"
        );
        let xlsx = get_response(&t, &format!("{npath}.xlsx"), Some(&committee.token)).await;
        assert_eq!(xlsx.status(), StatusCode::OK);
        assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));

        // The household sees its own line and why.
        let (status, mine) = get(&t, "/api/v1/me/honours?year=2026", Some(&villager.token)).await;
        assert_eq!(status, StatusCode::OK, "{mine}");
        assert_eq!(mine["n"], list["n"]);
        assert!(mine["mine"]["eligible"].is_boolean(), "{mine}");

        // D4: not before the close date (31 Jan 2027).
        let early = t
            .app
            .close_year(VillageId(heping), PointsYear(2026), "cli")
            .await
            .unwrap_err();
        assert_eq!(early.code(), "year_close.too_early");
        let (_, jobs) = get(&t, "/api/v1/admin/jobs", Some(&admin.token)).await;
        assert_eq!(jobs["runs"], json!([]), "nothing written");

        // The month before the close: unspent balances are reminded, once.
        clock.set("2027-01-05T02:00:00Z".parse().unwrap());
        let reminded = t
            .app
            .year_close_reminders(VillageId(heping), PointsYear(2026))
            .await
            .unwrap();
        assert!(reminded > 0);
        assert_eq!(
            t.app
                .year_close_reminders(VillageId(heping), PointsYear(2026))
                .await
                .unwrap(),
            0
        );

        // The close date: two replicas, one close.
        clock.set("2027-01-31T02:00:00Z".parse().unwrap());
        let villager = login(&t, "demo-villager").await;
        let (_, before) = get(&t, "/api/v1/me/household?year=2026", Some(&villager.token)).await;
        let replica = t
            .spawn_replica(vec![env("AIDAZU__DINGTALK__WORKERS__ENABLED", "false")])
            .await;
        let (a, b) = tokio::join!(
            t.app
                .close_year(VillageId(heping), PointsYear(2026), "schedule"),
            replica
                .app
                .close_year(VillageId(heping), PointsYear(2026), "schedule")
        );
        let closed = [a.unwrap(), b.unwrap()]
            .into_iter()
            .filter(|o| matches!(o, YearCloseOutcome::Closed { .. }))
            .count();
        assert_eq!(closed, 1);
        let again = t
            .app
            .close_year(VillageId(heping), PointsYear(2026), "cli")
            .await
            .unwrap();
        assert_eq!(again, YearCloseOutcome::AlreadyClosed);
        let totals = t
            .store()
            .village_totals(VillageId(heping), PointsYear(2026))
            .await
            .unwrap();
        assert!(
            totals.iter().all(|h| h.totals.balance.get() == 0),
            "every balance 0"
        );
        assert!(
            totals.iter().any(|h| h.totals.score.get() > 0),
            "scores kept"
        );

        // The archive keeps answering with the closed figures; the honours list is frozen.
        let (status, after) =
            get(&t, "/api/v1/me/household?year=2026", Some(&villager.token)).await;
        assert_eq!(status, StatusCode::OK, "{after}");
        assert_eq!(after["yearScore"], before["yearScore"]);
        assert_eq!(after["balance"], 0);
        let committee = login(&t, "demo-committee").await;
        let (_, frozen) = get(&t, &path, Some(&committee.token)).await;
        assert_eq!(frozen["frozen"], true, "{frozen}");
        assert_eq!(frozen["asOf"], "2026-12-31");
        drop(replica);
    }
);
