//! The holes of the declaration loop, closed (issue 7): safe binding across villages (F1, R1),
//! recusal by person across the points-year (D6), recusal routing to the committee (D6, R9).
//! Every case runs on SQLite and PostgreSQL against the real service and its simulator.

use aidazu_testkit::{TestApp, TestDb, dual_db_test};
use reqwest::StatusCode;
use serde_json::json;

use crate::kit::*;

async fn bind(
    t: &TestApp,
    token: &str,
    member: i64,
    user: &str,
) -> (StatusCode, serde_json::Value) {
    post(
        t,
        &format!("/api/v1/admin/members/{member}/binding"),
        Some(token),
        json!({ "dingtalkUserId": user }),
    )
    .await
}

dual_db_test!(
    async fn f1_r1_binding_never_moves_an_account_of_another_village_and_refusals_are_audited(
        db: TestDb,
    ) {
        let t = TestApp::spawn(db).await;
        let admin = login(&t, "demo-admin").await;
        // A 和平村 member without a DingTalk account.
        let (member, _) = member_by_code(&t, "heping-04-001-1").await;
        // Logging the 慈航社区 admin in makes sure the account exists (it does from the seed too).
        let cihang = login(&t, "admin-cihang").await;
        for user in ["admin-cihang", "demo-district", "demo-town"] {
            let (status, body) = bind(&t, &admin.token, member, user).await;
            assert_envelope(status, &body, StatusCode::CONFLICT, "binding.other_village");
        }
        // Nobody binds their own account (that would let an admin sit next to a household).
        let (status, body) = bind(&t, &admin.token, member, "demo-admin").await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "binding.self");
        // Nothing changed: the 慈航社区 admin still logs in as himself, in his village.
        let again = login(&t, "admin-cihang").await;
        assert_eq!(again.member_id, cihang.member_id);
        assert_eq!(again.village_id, cihang.village_id);
        // Every refusal is audited.
        let refused: Vec<_> = village_audit(&t, &admin.token, admin.village_id)
            .await
            .into_iter()
            .filter(|e| e["action"] == "account.binding_refused")
            .collect();
        assert_eq!(refused.len(), 4, "{refused:?}");
        // The district may move an account across villages.
        let district = login(&t, "demo-district").await;
        let (status, body) = bind(&t, &district.token, member, "admin-cihang").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
);

dual_db_test!(
    async fn d6_r9_sole_admin_household_goes_to_the_committee_and_recusal_follows_the_person(
        db: TestDb,
    ) {
        let t = TestApp::spawn(db).await;
        let admin = login(&t, "demo-admin").await;
        let committee = login(&t, "demo-committee").await;
        // A member of the admin's own household (heping-02-001) declares.
        let son = login(&t, "u-heping-02-001-3").await;
        assert_eq!(son.household_id, admin.household_id);
        let photo = photo_id(&t, &son.token, 41).await;
        let (status, first) = declare(&t, &son, "PA-02", &[photo], "帮邻居收稻谷").await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        let first = first["id"].as_i64().unwrap();
        // The card goes to the committee, not to the recused sole admin.
        let card = outbox_by_key(&t, &format!("card.send:{first}"))
            .await
            .unwrap();
        assert_eq!(
            card.payload["userIds"],
            json!(["demo-committee"]),
            "{:?}",
            card.payload
        );
        let (status, body) = decide(&t, &admin.token, first, json!({ "outcome": "approve" })).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "declaration.recusal");
        let (status, body) =
            decide(&t, &committee.token, first, json!({ "outcome": "approve" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["declaration"]["state"], "approved", "{body}");
        assert_eq!(entries_for(&t, son.household_id, first).await.len(), 1);

        // The district moves the admin's account to another household of the village; he is
        // still recused for his former household for the rest of the points-year.
        let district = login(&t, "demo-district").await;
        let (elsewhere, elsewhere_household) = member_by_code(&t, "heping-04-001-1").await;
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/members/{elsewhere}/binding"),
            Some(&district.token),
            json!({ "dingtalkUserId": "demo-admin" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let moved = login(&t, "demo-admin").await;
        assert_eq!(moved.household_id, elsewhere_household);
        let photo = photo_id(&t, &son.token, 42).await;
        let (status, second) = declare(&t, &son, "PA-02", &[photo], "打扫村道").await;
        assert_eq!(status, StatusCode::CREATED, "{second}");
        let second = second["id"].as_i64().unwrap();
        let (status, body) =
            decide(&t, &moved.token, second, json!({ "outcome": "approve" })).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "declaration.recusal");
        // The only admin is still recused, so the committee reviews again.
        let (status, body) = decide(
            &t,
            &committee.token,
            second,
            json!({ "outcome": "reject", "reason": "重复" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["declaration"]["state"], "rejected");
    }
);

dual_db_test!(
    async fn d6_the_committee_cannot_decide_while_an_admin_is_eligible(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let villager = login(&t, "demo-villager").await;
        let committee = login(&t, "demo-committee").await;
        let photo = photo_id(&t, &villager.token, 43).await;
        let (status, decl) = declare(&t, &villager, "PA-02", &[photo], "清理水沟").await;
        assert_eq!(status, StatusCode::CREATED, "{decl}");
        let id = decl["id"].as_i64().unwrap();
        let (status, body) =
            decide(&t, &committee.token, id, json!({ "outcome": "approve" })).await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        let card = outbox_by_key(&t, &format!("card.send:{id}")).await.unwrap();
        assert_eq!(card.payload["userIds"], json!(["demo-admin"]));
    }
);
