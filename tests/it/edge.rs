//! The edge refuses what must never be stored (issue 7): control characters in any text
//! (422 `request.control_character`, nothing changed), overlong declarations (R8), declarations of
//! a household that left the scheme (R3), unacceptable request ids (replaced) and oversized
//! headers (431); and the declarant hears of a decision on a declaration made for someone else.
//! Every case runs on SQLite and PostgreSQL.

use aidazu_testkit::{TestApp, TestDb, dual_db_test};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::kit::*;

async fn audit_count(t: &TestApp, token: &str, village: i64) -> usize {
    village_audit(t, token, village).await.len()
}

dual_db_test!(
    async fn nul_and_control_characters_in_any_text_field_are_refused_and_change_nothing(
        db: TestDb,
    ) {
        let t = TestApp::spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let admin = login(&t, "demo-admin").await;
        let photo = photo_id(&t, &villager.token, 90).await;
        let (status, decl) = declare(&t, &villager, "PA-02", &[photo], "正常申报").await;
        assert_eq!(status, StatusCode::CREATED, "{decl}");
        let decl = decl["id"].as_i64().unwrap();
        let (member, household) = (villager.member_id, villager.household_id);
        let village = admin.village_id;
        let today = today(&t);
        let outbox_before = outbox_count(&t).await;
        let audit_before = audit_count(&t, &admin.token, village).await;
        for bad in ["\u{0}", "a\u{0}b", "\u{1b}[2J", "\u{7f}", "\u{85}"] {
            let cases: Vec<(Method, String, &str, Value)> = vec![
                (
                    Method::POST,
                    "/api/v1/auth/dingtalk".into(),
                    "",
                    json!({ "authCode": bad }),
                ),
                (
                    Method::POST,
                    "/api/v1/auth/refresh".into(),
                    "",
                    json!({ "refreshToken": bad }),
                ),
                (
                    Method::POST,
                    "/api/v1/declarations".into(),
                    &villager.token,
                    json!({ "itemCode": "PA-02", "occurredOn": today, "memberId": member,
                            "text": format!("帮忙{bad}"), "photoIds": [photo] }),
                ),
                (
                    Method::POST,
                    "/api/v1/declarations".into(),
                    &villager.token,
                    json!({ "itemCode": format!("PA-02{bad}"), "occurredOn": today,
                            "memberId": member, "text": "帮忙", "photoIds": [photo] }),
                ),
                (
                    Method::POST,
                    format!("/api/v1/admin/declarations/{decl}/decision"),
                    &admin.token,
                    json!({ "outcome": "reject", "reason": format!("不符{bad}") }),
                ),
                (
                    Method::POST,
                    "/api/v1/admin/entries".into(),
                    &admin.token,
                    json!({ "itemCode": "PA-04", "memberId": member, "points": 5,
                            "reason": format!("调解{bad}") }),
                ),
                (
                    Method::POST,
                    format!("/api/v1/admin/villages/{village}/households"),
                    &admin.token,
                    json!({ "code": format!("heping-09-9{bad}"), "address": "九组" }),
                ),
                (
                    Method::POST,
                    format!("/api/v1/admin/villages/{village}/households"),
                    &admin.token,
                    json!({ "code": "heping-09-901", "address": format!("九组{bad}") }),
                ),
                (
                    Method::POST,
                    format!("/api/v1/admin/households/{household}/members"),
                    &admin.token,
                    json!({ "name": format!("张{bad}三"), "relation": "子" }),
                ),
                (
                    Method::POST,
                    format!("/api/v1/admin/households/{household}/members"),
                    &admin.token,
                    json!({ "name": "张三", "relation": format!("子{bad}") }),
                ),
                (
                    Method::PATCH,
                    format!("/api/v1/admin/members/{member}"),
                    &admin.token,
                    json!({ "name": format!("唐{bad}平") }),
                ),
                (
                    Method::POST,
                    format!("/api/v1/admin/members/{member}/participation"),
                    &admin.token,
                    json!({ "participating": false, "effectiveOn": today,
                            "reason": format!("退出{bad}") }),
                ),
                (
                    Method::POST,
                    format!("/api/v1/admin/members/{member}/binding"),
                    &admin.token,
                    json!({ "dingtalkUserId": format!("u{bad}") }),
                ),
            ];
            for (method, path, token, body) in cases {
                let token = (!token.is_empty()).then_some(token);
                let (status, reply) = send(&t, method.clone(), &path, token, body).await;
                assert_envelope(
                    status,
                    &reply,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "request.control_character",
                );
                assert!(
                    reply["details"]["field"].is_string(),
                    "{method} {path}: {reply}"
                );
            }
            // Query strings and path segments too.
            let (status, reply) = get(
                &t,
                &format!("/api/v1/admin/declarations?villageId={village}&state=in%00review"),
                Some(&admin.token),
            )
            .await;
            assert_envelope(
                status,
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "request.control_character",
            );
        }
        // Nothing changed: no outbox message, no audit record, the declaration still in review.
        assert_eq!(outbox_count(&t).await, outbox_before);
        assert_eq!(audit_count(&t, &admin.token, village).await, audit_before);
        let (status, still) = get(
            &t,
            &format!("/api/v1/declarations/{decl}"),
            Some(&villager.token),
        )
        .await;
        assert_eq!(
            (status, still["state"].clone()),
            (StatusCode::OK, json!("in_review"))
        );
        // Line breaks and tabs are fine.
        let p2 = photo_id(&t, &villager.token, 91).await;
        let (status, ok) = declare(&t, &villager, "PA-02", &[p2], "第一段\n第二段\t完").await;
        assert_eq!(status, StatusCode::CREATED, "{ok}");
        assert_eq!(ok["text"], "第一段\n第二段\t完");
    }
);

dual_db_test!(
    async fn r8_r3_overlong_text_and_a_household_that_left_are_refused(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let admin = login(&t, "demo-admin").await;
        let photo = photo_id(&t, &villager.token, 92).await;
        let (status, body) = declare(&t, &villager, "PA-02", &[photo], &"好".repeat(501)).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "declaration.text_too_long",
        );
        let (status, body) = declare(&t, &villager, "PA-02", &[photo], &"好".repeat(500)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // The whole household leaves today: a self-declaration is refused with a clear error.
        let (status, household) = get(
            &t,
            &format!("/api/v1/admin/households/{}", villager.household_id),
            Some(&admin.token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{household}");
        for m in household["members"].as_array().unwrap() {
            let (status, body) = post(
                &t,
                &format!("/api/v1/admin/members/{}/participation", m["id"]),
                Some(&admin.token),
                json!({ "participating": false, "effectiveOn": today(&t), "reason": "本户申请退出" }),
            )
            .await;
            assert!(status.is_success(), "{body}");
        }
        let p2 = photo_id(&t, &villager.token, 93).await;
        let (status, body) = declare(&t, &villager, "PA-02", &[p2], "退出后申报").await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "participation.household_not_participating",
        );
    }
);

dual_db_test!(
    async fn request_ids_are_kept_only_when_sane_and_huge_headers_get_431(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let id_of = |resp: &reqwest::Response| {
            resp.headers()
                .get("x-request-id")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap()
        };
        let ok = t
            .http
            .get(t.url("/healthz"))
            .header("x-request-id", "abc-123")
            .send()
            .await
            .unwrap();
        assert_eq!(id_of(&ok), "abc-123");
        let long = "x".repeat(129);
        for bad in [long.as_str(), "has space", "tab\there"] {
            let resp = t
                .http
                .get(t.url("/healthz"))
                .header("x-request-id", bad)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            let got = id_of(&resp);
            assert_ne!(got, bad);
            assert!(!got.is_empty() && got.len() <= 128, "{got}");
        }
        let resp = t
            .http
            .get(t.url("/api/v1/villages"))
            .header("x-padding", "a".repeat(20 * 1024))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "request.headers_too_large", "{body}");
    }
);

dual_db_test!(
    async fn r9_the_declarant_hears_the_decision_on_a_declaration_for_another_member(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let admin = login(&t, "demo-admin").await;
        let (status, household) = get(
            &t,
            &format!("/api/v1/admin/households/{}", villager.household_id),
            Some(&admin.token),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let other = household["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .find(|id| *id != villager.member_id)
            .expect("the demo villager's household has several members");
        let photo = photo_id(&t, &villager.token, 94).await;
        let (status, decl) = post(
            &t,
            "/api/v1/declarations",
            Some(&villager.token),
            json!({ "itemCode": "PA-02", "occurredOn": today(&t), "memberId": other,
                    "text": "替家人申报", "photoIds": [photo] }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{decl}");
        let id = decl["id"].as_i64().unwrap();
        let (status, body) = decide(&t, &admin.token, id, json!({ "outcome": "approve" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let notice = outbox_by_key(&t, &format!("notify.work:decl:{id}"))
            .await
            .unwrap();
        let users: Vec<&str> = notice.payload["userIds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_str().unwrap())
            .collect();
        assert!(users.contains(&"demo-villager"), "{users:?}");
    }
);
