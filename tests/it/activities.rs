//! R21: a sharing activity with check-in by a code that changes every 30 seconds — each attending
//! household credited once, a stale or forged code refused, manual marking with recusal, stories,
//! the attendance export; on both databases with the injected clock.

use aidazu_testkit::{TestApp, TestDb, dual_db_test};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::kit::*;

/// Monday 2026-06-01, 10:00 in Shanghai.
const START: &str = "2026-06-01T02:00:00Z";

async fn balance(t: &TestApp, s: &Session) -> i64 {
    let (status, body) = get(t, "/api/v1/me/household", Some(&s.token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["balance"].as_i64().unwrap()
}

async fn code_now(t: &TestApp, admin: &Session, activity: i64) -> String {
    let resp = get_response(
        t,
        &format!("/api/v1/admin/activities/{activity}/checkin-code"),
        Some(&admin.token),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body: Value = resp.json().await.unwrap();
    body["code"].as_str().unwrap().to_owned()
}

async fn scan(t: &TestApp, s: &Session, code: &str) -> (StatusCode, Value) {
    post(
        t,
        "/api/v1/me/activities/checkin",
        Some(&s.token),
        json!({ "code": code }),
    )
    .await
}

dual_db_test!(
    async fn r21_a_rotating_code_credits_each_household_once_and_refuses_stale_or_forged_codes(
        db: TestDb,
    ) {
        let (t, clock) = spawn_at(db, START.parse().unwrap(), vec![]).await;
        let admin = login_as(&t, "demo-admin", "console").await;
        let villager = login(&t, "demo-villager").await;
        let same_household = login(&t, "u-heping-01-001-2").await;
        let neighbour = login(&t, "u-heping-01-009-1").await;
        let heping = village_id(&t, "heping").await;
        let cihang_group = {
            use aidazu_store::ConnectionTrait;
            let db = t.store().connection();
            db.query_one(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT id FROM village_groups WHERE code LIKE 'cihang-%' ORDER BY id",
            ))
            .await
            .unwrap()
            .map(|row| row.try_get::<i64>("", "id").unwrap())
        };
        let path = format!("/api/v1/admin/villages/{heping}/activities");
        if let Some(group) = cihang_group {
            let (status, body) = post(
                &t,
                &path,
                Some(&admin.token),
                json!({ "groupId": group, "topic": "积分心得", "place": "村委会", "heldOn": "2026-06-01" }),
            )
            .await;
            assert_envelope(
                status,
                &body,
                StatusCode::UNPROCESSABLE_ENTITY,
                "request.invalid_field",
            );
        }
        let (status, activity) = post(
            &t,
            &path,
            Some(&admin.token),
            json!({ "topic": "积分小故事分享会", "place": "和平村村委会会议室", "heldOn": "2026-06-01", "itemCode": "PA-05" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{activity}");
        let id = activity["id"].as_i64().unwrap();
        assert_eq!(activity["checkinOpen"], false);

        // Closed: no code to show.
        let (status, body) = get(
            &t,
            &format!("/api/v1/admin/activities/{id}/checkin-code"),
            Some(&admin.token),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::CONFLICT,
            "activity.checkin_closed",
        );
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/activities/{id}/checkin"),
            Some(&admin.token),
            json!({ "open": true }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let (headers, svg) = download(
            &t,
            &format!("/api/v1/admin/activities/{id}/checkin-code.svg"),
            Some(&admin.token),
            "image/svg+xml",
        )
        .await;
        assert_eq!(headers["cache-control"], "no-store");
        assert!(String::from_utf8(svg).unwrap().contains("<svg"));

        // The villager scans: credited once for the household.
        let before = balance(&t, &villager).await;
        let code = code_now(&t, &admin, id).await;
        let (status, first) = scan(&t, &villager, &code).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        assert_eq!(first["recorded"], true);
        assert_eq!(first["points"], 2);
        assert_eq!(balance(&t, &villager).await, before + 2);
        let (status, again) = scan(&t, &villager, &code).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(
            (again["recorded"].clone(), again["points"].clone()),
            (json!(false), json!(0))
        );
        let (status, other_member) = scan(&t, &same_household, &code).await;
        assert_eq!(status, StatusCode::OK, "{other_member}");
        assert_eq!(other_member["recorded"], false, "one credit per household");
        assert_eq!(balance(&t, &villager).await, before + 2);

        // A photo of the code sent home is useless a minute later; a forged one never works.
        clock.advance(Duration::seconds(61));
        let (status, body) = scan(&t, &neighbour, &code).await;
        assert_envelope(status, &body, StatusCode::CONFLICT, "activity.code_expired");
        let fresh = code_now(&t, &admin, id).await;
        assert_ne!(fresh, code, "the code rotates");
        let mut forged = fresh.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == '0' { '1' } else { '0' });
        let (status, body) = scan(&t, &neighbour, &forged).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "activity.code_invalid",
        );
        let (status, body) = scan(&t, &neighbour, "AD1.99999.1.0011223344556677").await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "activity.code_invalid",
        );
        let neighbour_before = balance(&t, &neighbour).await;
        let (status, body) = scan(&t, &neighbour, &fresh).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["recorded"], true);
        assert_eq!(balance(&t, &neighbour).await, neighbour_before + 2);

        // The admin marks a household without a phone, never their own.
        let (member, _) = member_by_code(&t, "heping-01-003-1").await;
        let (status, marked) = post(
            &t,
            &format!("/api/v1/admin/activities/{id}/attendance"),
            Some(&admin.token),
            json!({ "memberId": member }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{marked}");
        assert_eq!(marked["recorded"], true);
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/activities/{id}/attendance"),
            Some(&admin.token),
            json!({ "memberId": admin.member_id }),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "declaration.recusal");

        // A story with a photo.
        let photo = photo_id(&t, &admin.token, 21).await;
        let (status, story) = post(
            &t,
            &format!("/api/v1/admin/activities/{id}/stories"),
            Some(&admin.token),
            json!({ "memberId": villager.member_id, "text": "唐平讲述了巡逻守夜的故事。", "photoIds": [photo] }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{story}");

        // The list, its export and the villager's view.
        let (status, detail) = get(
            &t,
            &format!("/api/v1/admin/activities/{id}"),
            Some(&admin.token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{detail}");
        assert_eq!(
            detail["attendance"].as_array().unwrap().len(),
            3,
            "{detail}"
        );
        assert_eq!(detail["stories"][0]["photoIds"], json!([photo]));
        let (_, bytes) = download(
            &t,
            &format!("/api/v1/admin/activities/{id}/attendance.csv"),
            Some(&admin.token),
            "text/csv",
        )
        .await;
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "BOM for Excel");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(
            text.contains("扫码") && text.contains("管理员登记"),
            "{text}"
        );
        let (_, mine) = get(&t, "/api/v1/me/activities", Some(&villager.token)).await;
        let listed = mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap();
        assert_eq!(listed["myHouseholdAttended"], true);
        assert_eq!(listed["attended"], 3);

        // Closed again: even a fresh code is refused; on another day scanning is refused.
        let (status, _) = post(
            &t,
            &format!("/api/v1/admin/activities/{id}/checkin"),
            Some(&admin.token),
            json!({ "open": false }),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let late = login(&t, "u-heping-01-006-1").await;
        let (status, body) = scan(&t, &late, &fresh).await;
        assert_envelope(
            status,
            &body,
            StatusCode::CONFLICT,
            "activity.checkin_closed",
        );
        clock.advance(Duration::days(1));
        let admin = login_as(&t, "demo-admin", "console").await;
        let late = login(&t, "u-heping-01-006-1").await;
        let (status, _) = post(
            &t,
            &format!("/api/v1/admin/activities/{id}/checkin"),
            Some(&admin.token),
            json!({ "open": true }),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let next_day = code_now(&t, &admin, id).await;
        let (status, body) = scan(&t, &late, &next_day).await;
        assert_envelope(status, &body, StatusCode::CONFLICT, "activity.not_today");

        let actions = audit_actions(&t, &admin, villager.household_id).await;
        assert!(
            actions.iter().any(|a| a == "activity.attend"),
            "{actions:?}"
        );
    }
);
