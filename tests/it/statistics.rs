//! Statistics and fairness signals for the town and the district (issue 12, points 3 and 4), on a
//! fixture built through the API in the first quarter of 2027 in 和平村 (the demo's own awards are
//! in December 2026, another points-year). Every expected figure below is worked out by hand in
//! the comments, from the fixture's steps and from `config/demo/organisation.json` (和平村: 50
//! households, 170 members; R3 puts 13 long-term-absent villagers out, so 157 members and all 50
//! households take part), never by the code under test.

use aidazu_domain::VillageId;
use aidazu_testkit::{TestDb, dual_db_test};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::kit::*;

/// The row of `section` whose first cells are `prefix`.
fn row<'a>(report: &'a Value, section: &str, prefix: &[&str]) -> &'a Vec<Value> {
    let s = report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == section)
        .unwrap_or_else(|| panic!("no section {section}: {report}"));
    s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap())
        .find(|r| prefix.iter().zip(r.iter()).all(|(p, c)| c == p))
        .unwrap_or_else(|| panic!("no row {prefix:?} in {section}: {s}"))
}

fn rows(report: &Value, section: &str) -> usize {
    report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == section)
        .unwrap()["rows"]
        .as_array()
        .unwrap()
        .len()
}

/// The numbers of a row from `skip` on ("—" as `None`).
fn nums(r: &[Value], skip: usize) -> Vec<Option<f64>> {
    r.iter().skip(skip).map(Value::as_f64).collect()
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

dual_db_test!(
    async fn s12_statistics_and_fairness_match_hand_computed_figures(db: TestDb) {
        let (t, clock) = spawn_at(db, at("2026-12-20T02:00:00Z"), vec![]).await;
        let heping = village_id(&t, "heping").await;
        let summary = t.store().village(VillageId(heping)).await.unwrap().unwrap();
        let (town, district) = (summary.town.id.get(), summary.district.id.get());
        let score = |token: String, code: &'static str, item: &'static str, points: i64| {
            let t = &t;
            async move {
                let (status, body) = post(
                    t,
                    "/api/v1/admin/entries",
                    Some(&token),
                    json!({"itemCode": item, "memberId": member_by_code(t, code).await.0,
                           "points": points, "reason": format!("统计测试 {item}"), "photoIds": []}),
                )
                .await;
                assert_eq!(status, StatusCode::CREATED, "{item} {code}: {body}");
            }
        };

        // 10 Jan 2027 10:00 (Shanghai): 唐平 (一组) declares PA-01 (+3); approved at 20:00, 10 h.
        clock.set(at("2027-01-10T02:00:00Z"));
        let villager = login(&t, "demo-villager").await;
        let d1 = declared(&t, &villager, "PA-01", &[], "参加治安巡逻").await;
        clock.set(at("2027-01-10T12:00:00Z"));
        let admin = login_as(&t, "demo-admin", "console").await;
        let (status, body) = decide(&t, &admin.token, d1, json!({"outcome": "approve"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // 11 Jan: PA-05 (+2), refused on 19 Jan 12:00 — 194 h, after its deadline (18 Jan, D2).
        clock.set(at("2027-01-11T02:00:00Z"));
        let villager = login(&t, "demo-villager").await;
        let d2 = declared(&t, &villager, "PA-05", &[], "参加反诈宣传").await;
        // 12 Jan: DE-02, never decided (overdue by 31 March).
        clock.set(at("2027-01-12T02:00:00Z"));
        let villager = login(&t, "demo-villager").await;
        declared(&t, &villager, "DE-02", &[], "义务劳动").await;
        clock.set(at("2027-01-19T04:00:00Z"));
        let admin = login_as(&t, "demo-admin", "console").await;
        let (status, body) = decide(
            &t,
            &admin.token,
            d2,
            json!({"outcome": "reject", "reason": "未见签到"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // 1 Feb: 王光明 (the admin, 二组) awards PA-04 +5 to 王川 (二组), DE-03 +10 to 赵长林
        // (二组), PA-04 +5 to 王芳 (三组); six penalties on four households of 一组:
        // 刘勇's PA-08 −10, DE-09 −5, PA-06 −20; 杨红军 DE-09 −5; 李全 DE-09 −5; 杨学文 PA-08 −10.
        clock.set(at("2027-02-01T02:00:00Z"));
        let admin = login_as(&t, "demo-admin", "console").await;
        for (code, item, points) in [
            ("heping-02-006-1", "PA-04", 5),
            ("heping-02-011-1", "DE-03", 10),
            ("heping-03-003-2", "PA-04", 5),
            ("heping-01-009-1", "PA-08", -10),
            ("heping-01-009-1", "DE-09", -5),
            ("heping-01-009-1", "PA-06", -20),
            ("heping-01-012-1", "DE-09", -5),
            ("heping-01-015-1", "DE-09", -5),
            ("heping-01-016-1", "PA-08", -10),
        ] {
            score(admin.token.clone(), code, item, points).await;
        }
        // A shop item; 唐平's household (balance 3) orders it for 2 on 2 Feb: due 4 Feb, never
        // delivered.
        let (status, item) = post(
            &t,
            &format!("/api/v1/admin/villages/{heping}/shop/items"),
            Some(&admin.token),
            json!({ "name": "毛巾", "pointsPrice": 2, "stock": 10, "kind": "daily_goods" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{item}");
        clock.set(at("2027-02-02T02:00:00Z"));
        let villager = login(&t, "demo-villager").await;
        let (status, body) = post(
            &t,
            "/api/v1/me/orders",
            Some(&villager.token),
            json!({"itemId": item["id"], "quantity": 1}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // 20 Mar, in the last four weeks of the quarter: PA-03 +25 to 陈成 (一组), nothing before.
        clock.set(at("2027-03-20T02:00:00Z"));
        let admin = login_as(&t, "demo-admin", "console").await;
        score(admin.token.clone(), "heping-01-003-1", "PA-03", 25).await;

        // 31 Mar 2027 12:00: the town reads the first quarter.
        clock.set(at("2027-03-31T04:00:00Z"));
        let town_officer = login_as(&t, "demo-town", "console").await;
        let q = format!("townId={town}&period=2027-Q1");
        let (status, s) = get(
            &t,
            &format!("/api/v1/admin/statistics?{q}"),
            Some(&town_officer.token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{s}");
        assert_eq!(
            (&s["period"], &s["from"], &s["to"]),
            (
                &json!("2027-Q1"),
                &json!("2027-01-01"),
                &json!("2027-03-31")
            )
        );
        assert_eq!(s["villages"].as_array().unwrap().len(), 1, "{s}");

        // Participation: 50 households all in; 170 members, 157 in; one declarant (唐平);
        // active households: 唐平's, 王川's, 赵长林's, 王芳's, 陈成's = 5.
        let p = row(&s, "participation", &["和平村"]);
        assert_eq!(
            nums(p, 1),
            [50.0, 50.0, 0.0, 170.0, 157.0, 1.0, 5.0].map(Some)
        );
        // Ages in 2027 counted from the organisation file: <18: 26, 18–44: 52 (41 in), 45–59: 33
        // (31 in), 60–69: 13, 70+: 46; the declarant 唐平 is 49.
        let age = |band: &str| nums(row(&s, "participation_by_age", &["和平村", band]), 4);
        assert_eq!(age("18岁以下"), [26.0, 26.0, 0.0].map(Some));
        assert_eq!(age("18–44岁"), [52.0, 41.0, 0.0].map(Some));
        assert_eq!(age("45–59岁"), [33.0, 31.0, 1.0].map(Some));
        assert_eq!(age("60–69岁"), [13.0, 13.0, 0.0].map(Some));
        assert_eq!(age("70岁及以上"), [46.0, 46.0, 0.0].map(Some));
        assert_eq!(age("未登记"), [0.0, 0.0, 0.0].map(Some));
        let kind = |k: &str| nums(row(&s, "participation_by_kind", &["和平村", k]), 4);
        assert_eq!(kind("本村村民（常住）"), [141.0, 141.0, 1.0].map(Some));
        assert_eq!(kind("本村村民（长期在外）"), [20.0, 7.0, 0.0].map(Some));
        assert_eq!(kind("非本村居民"), [9.0, 9.0, 0.0].map(Some));
        // 一组: 10 households.
        let g1 = row(&s, "participation_by_group", &["和平村", "一组"]);
        assert_eq!(
            (g1[2].as_f64(), g1[3].as_f64(), g1[6].as_f64()),
            (Some(10.0), Some(10.0), Some(1.0))
        );

        // Points by category and list: 平安建设 + PA-01 3, PA-04 5, PA-04 5, PA-03 25 = 4 entries,
        // 38; 道德建设 + DE-03 10; 平安建设 − PA-08 −10 ×2, PA-06 −20 = 3 entries, −40; 道德建设 −
        // DE-09 −5 ×3 = −15.
        assert_eq!(rows(&s, "points_by_category"), 4);
        let cat = |c: &str, l: &str| nums(row(&s, "points_by_category", &["和平村", c, l]), 3);
        assert_eq!(cat("平安建设", "正面清单"), [Some(4.0), Some(38.0)]);
        assert_eq!(cat("道德建设", "正面清单"), [Some(1.0), Some(10.0)]);
        assert_eq!(cat("平安建设", "负面清单"), [Some(3.0), Some(-40.0)]);
        assert_eq!(cat("道德建设", "负面清单"), [Some(3.0), Some(-15.0)]);
        // Negative items: DE-09 3 entries −15 on 3 households; PA-06 1, −20, 1; PA-08 2, −20, 2.
        assert_eq!(rows(&s, "negative_items"), 3);
        let neg = |code: &str| nums(row(&s, "negative_items", &["和平村", code]), 3);
        assert_eq!(neg("DE-09"), [3.0, -15.0, 3.0].map(Some));
        assert_eq!(neg("PA-06"), [1.0, -20.0, 1.0].map(Some));
        assert_eq!(neg("PA-08"), [2.0, -20.0, 2.0].map(Some));
        // Declarations: one approved, one refused, one waiting (submitted or in review), 3 in all.
        let st = nums(row(&s, "declarations_by_state", &["和平村"]), 1);
        assert_eq!(st[0].unwrap() + st[1].unwrap(), 1.0, "{st:?}");
        assert_eq!(st[2..], [1.0, 1.0, 0.0, 3.0].map(Some));
        // Latency: 10 h and 194 h → median 102, p90 (nearest rank ⌈1.8⌉ = 2) 194; the refusal came
        // after the deadline; the waiting one is past its deadline on 31 March.
        assert_eq!(
            nums(row(&s, "review_latency", &["和平村"]), 1),
            [2.0, 1.0, 102.0, 194.0, 1.0, 1.0].map(Some)
        );
        // Orders: one placed for 2 points, open, past its 4 Feb deadline.
        assert_eq!(
            nums(row(&s, "orders", &["和平村"]), 1),
            [1.0, 0.0, 0.0, 1.0, 2.0, 1.0, 0.0].map(Some)
        );
        assert_eq!(
            nums(row(&s, "objections", &["和平村"]), 1),
            [0.0; 7].map(Some)
        );
        // Funds (R20, same figures as the fund report): issued 48 − 55 = −7, redeemed 2, nothing
        // bought, the demo's ¥24,000 allocation, outstanding balances 1 (唐平: 3 − 2) + 5 + 10 + 5
        // + 25 = 46 points, ¥46 at 1 point ≈ ¥1.
        let f = row(&s, "funds", &["和平村"]);
        assert_eq!(
            nums(f, 1)[..6],
            [-7.0, 2.0, 0.0, 24000.0, 46.0, 46.0].map(Some)
        );
        assert_eq!(f[7], "否");

        // Fairness, same quarter.
        let (status, fair) = get(
            &t,
            &format!("/api/v1/admin/fairness?{q}"),
            Some(&town_officer.token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{fair}");
        // 王光明: approved 1 (3 points), refused 1; 4 direct awards (45 points), 6 penalties;
        // granted 3 + 45 = 48; 3 per approval, the village's too; refusal rate 50 %; 5 grants, 2
        // to 二组 (王川, 赵长林), 2 to a 王 (王川, 王芳): no hint (not more than half).
        assert_eq!(rows(&fair, "reviewers"), 1);
        let r = row(&fair, "reviewers", &["和平村", "王光明"]);
        assert_eq!(
            nums(r, 2)[..12],
            [
                1.0, 1.0, 4.0, 6.0, 48.0, 3.0, 3.0, 50.0, 50.0, 5.0, 2.0, 2.0
            ]
            .map(Some)
        );
        assert_eq!(r[14], "");
        // Negatives: 6 entries on 4 households of 50; the top 3 (刘勇 3, then two with 1) hold 5:
        // 83.3 %, flagged.
        let n = row(&fair, "negative_concentration", &["和平村"]);
        assert_eq!(nums(n, 1)[..5], [6.0, 4.0, 50.0, 5.0, 83.3].map(Some));
        assert_eq!(n[6], "扣分集中在少数几户，请核实是否公平");
        // Gini over the 50 households' year scores (negatives as 0): 45 zeros, 3, 5, 5, 10, 25;
        // Σ(2i − 51)xᵢ = 41·3 + 43·5 + 45·5 + 47·10 + 49·25 = 2258; 2258 / (50·48) = 0.941.
        // Raw sum 48 − 55 = −7, top 25.
        let g = row(&fair, "gini", &["和平村"]);
        assert_eq!(nums(g, 1)[..4], [50.0, -7.0, 25.0, 0.941].map(Some));
        assert_eq!(g[5], "积分差距较大");
        // Surges: window 4–31 March; 陈成's household 25 there, nothing in the 62 days before.
        assert_eq!(rows(&fair, "surges"), 1);
        let sg = row(&fair, "surges", &["和平村", "heping-01-003"]);
        assert_eq!(nums(sg, 2)[..3], [25.0, 0.0, 62.0].map(Some));
        // Gaps: elders (60+ in 2027) 59, all in; active 赵长林, 王芳, 陈成 = 3 → 5.1 %; the others
        // 111 members, 98 in (88.3 %), active 唐平 and 王川 → 2.0 %.
        let e = row(&fair, "participation_gaps", &["和平村", "60岁及以上老人"]);
        assert_eq!(
            nums(e, 2)[..7],
            [59.0, 59.0, 3.0, 100.0, 88.3, 5.1, 2.0].map(Some)
        );
        // Long-term absent: 20, 7 in (35 %), none active; the others 150, all in, 5 active (3.3 %).
        let a = row(&fair, "participation_gaps", &["和平村", "长期在外人员"]);
        assert_eq!(
            nums(a, 2)[..7],
            [20.0, 7.0, 0.0, 35.0, 100.0, 0.0, 3.3].map(Some)
        );
        assert_eq!(a[9], "参与率明显低于其他人");

        // The district sees the four pilot villages; the others had nothing in the quarter.
        let officer = login_as(&t, "demo-district", "console").await;
        let dq = format!("districtId={district}&period=2027-Q1");
        let (status, ds) = get(
            &t,
            &format!("/api/v1/admin/statistics?{dq}"),
            Some(&officer.token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{ds}");
        assert_eq!(rows(&ds, "participation"), 4);
        assert_eq!(row(&ds, "participation", &["和平村"]), p);
        // The town asking for the district sees only its own village.
        let (status, ts) = get(
            &t,
            &format!("/api/v1/admin/statistics?{dq}"),
            Some(&town_officer.token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{ts}");
        assert_eq!(rows(&ts, "participation"), 1);

        // Excel: the whole report and one table, as attachments.
        for path in [
            format!("/api/v1/admin/statistics.xlsx?{q}"),
            format!("/api/v1/admin/statistics.xlsx?{q}&section=review_latency"),
            format!("/api/v1/admin/fairness.xlsx?{dq}"),
            format!("/api/v1/admin/fairness.xlsx?{dq}&section=gini"),
        ] {
            let (headers, bytes) = download(
                &t,
                &path,
                Some(&officer.token),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            .await;
            assert_eq!(&bytes[..2], b"PK", "{path}");
            let disposition = headers["content-disposition"].to_str().unwrap();
            assert!(
                disposition.starts_with("attachment; filename=\""),
                "{disposition}"
            );
        }

        // Town and district only; bad queries are refused in the envelope.
        let committee = login_as(&t, "demo-committee", "console").await;
        let admin = login_as(&t, "demo-admin", "console").await;
        let villager = login(&t, "demo-villager").await;
        for (who, token) in [
            ("villager", &villager.token),
            ("admin", &admin.token),
            ("committee", &committee.token),
        ] {
            for path in [
                format!("/api/v1/admin/statistics?{q}"),
                format!("/api/v1/admin/fairness?{dq}"),
                format!("/api/v1/admin/fairness.xlsx?{q}"),
            ] {
                let (status, body) = get(&t, &path, Some(token)).await;
                assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
                assert!(body["message"].as_str().is_some(), "{who} {path}: {body}");
            }
        }
        let (status, body) = get(&t, &format!("/api/v1/admin/statistics?{q}"), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        let other_town = town + 1000;
        let (status, body) = get(
            &t,
            &format!("/api/v1/admin/statistics?townId={other_town}"),
            Some(&town_officer.token),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        for bad in [
            "/api/v1/admin/statistics?period=2027".to_owned(),
            format!("/api/v1/admin/statistics?townId={town}&districtId={district}"),
            format!("/api/v1/admin/statistics?townId={town}&period=2027-Q5"),
            format!("/api/v1/admin/statistics?townId={town}&period=1800"),
            format!("/api/v1/admin/statistics.xlsx?townId={town}&section=nope"),
        ] {
            let (status, body) = get(&t, &bad, Some(&town_officer.token)).await;
            assert_envelope(
                status,
                &body,
                StatusCode::UNPROCESSABLE_ENTITY,
                "request.invalid_field",
            );
        }
        let (status, body) = get(
            &t,
            &format!("/api/v1/admin/statistics?townId={town}&colour=red"),
            Some(&town_officer.token),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
);
