//! 免登 and user details (API.md §2.1–2.3; docs/rules.md F1).

use serde_json::{Value, json};

use crate::support::{VILLAGER, start};

async fn auth_code(sim: &crate::support::TestSim, user: &str) -> String {
    let body = sim.post("/sim/auth-codes", json!({ "userId": user })).await;
    body["code"].as_str().expect("code").to_owned()
}

#[tokio::test]
async fn f1_auth_code_resolves_the_user_once() {
    let sim = start().await;
    let code = auth_code(&sim, VILLAGER).await;
    let body = sim
        .oapi("/topapi/v2/user/getuserinfo", json!({ "code": code }))
        .await;
    assert_eq!(body["errcode"], 0);
    assert_eq!(body["errmsg"], "ok");
    assert!(body["request_id"].is_string());
    let result = &body["result"];
    assert_eq!(result["userid"], VILLAGER);
    assert_eq!(result["name"], "王强");
    for field in ["unionid", "device_id"] {
        assert!(result[field].is_string(), "{field}");
    }
    assert_eq!(result["sys"], false);
    assert_eq!(result["sys_level"], 0);

    let again = sim
        .oapi("/topapi/v2/user/getuserinfo", json!({ "code": code }))
        .await;
    assert_eq!(again["errcode"], 40078);
    assert_eq!(again["errmsg"], "不存在的临时授权码");
}

#[tokio::test]
async fn f1_auth_code_expires_after_five_minutes() {
    let sim = start().await;
    let code = auth_code(&sim, VILLAGER).await;
    sim.advance(301).await;
    let body = sim
        .oapi("/topapi/v2/user/getuserinfo", json!({ "code": code }))
        .await;
    assert_eq!(body["errcode"], 40078);
}

#[tokio::test]
async fn auth_codes_are_only_issued_for_known_users() {
    let sim = start().await;
    let response = sim
        .http
        .post(sim.url("/sim/auth-codes"))
        .json(&json!({ "userId": "nobody" }))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn user_get_returns_mobile_and_departments() {
    let sim = start().await;
    let body = sim
        .oapi(
            "/topapi/v2/user/get",
            json!({ "userid": "u-zhangming", "language": "zh_CN" }),
        )
        .await;
    assert_eq!(body["errcode"], 0);
    let result = &body["result"];
    assert_eq!(result["userid"], "u-zhangming");
    assert_eq!(result["mobile"], "13800000001");
    assert_eq!(result["dept_id_list"], json!([1000, 100]));
    assert_eq!(result["active"], true);
    assert!(
        result["dept_order_list"]
            .as_array()
            .is_some_and(|l| l.len() == 2)
    );

    let missing = sim
        .oapi("/topapi/v2/user/get", json!({ "userid": "nobody" }))
        .await;
    assert_eq!(missing["errcode"], 60121);
}

#[tokio::test]
async fn f3_org_changes_are_visible_and_pushed_as_contact_events() {
    let sim = start().await;
    let response = sim
        .http
        .put(sim.url("/sim/users/u-new"))
        .json(&json!({ "name": "新村民", "mobile": "13800009999", "deptIds": [1000] }))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), 200);
    let body = sim
        .oapi("/topapi/v2/user/get", json!({ "userid": "u-new" }))
        .await;
    assert_eq!(body["result"]["name"], "新村民");
    let events = sim
        .events_until(|events| events.iter().any(|e| e["eventType"] == "user_add_org"))
        .await;
    let add = events
        .iter()
        .find(|e| e["eventType"] == "user_add_org")
        .expect("event");
    assert_eq!(add["payload"]["UserId"], json!(["u-new"]));
    assert_eq!(add["payload"]["CorpId"], "dingtestcorp");

    let response = sim
        .http
        .delete(sim.url("/sim/users/u-new"))
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), 200);
    let gone = sim
        .oapi("/topapi/v2/user/get", json!({ "userid": "u-new" }))
        .await;
    assert_eq!(gone["errcode"], 60121);
    sim.events_until(|events| events.iter().any(|e| e["eventType"] == "user_leave_org"))
        .await;
    let users: Value = sim.get("/sim/users").await;
    assert!(
        users
            .as_array()
            .is_some_and(|u| u.iter().all(|u| u["userId"] != "u-new"))
    );
}
