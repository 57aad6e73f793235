//! Tokens and envelopes of both families (API.md §0.1, §1, §12 "Transport", "Tokens").

use futures::stream;
use serde_json::{Value, json};

use crate::support::{APP_KEY, APP_SECRET, start};

#[tokio::test]
async fn gettoken_answers_the_documented_shape() {
    let sim = start().await;
    let response = sim
        .http
        .get(sim.url(&format!(
            "/gettoken?appkey={APP_KEY}&appsecret={APP_SECRET}"
        )))
        .send()
        .await
        .expect("gettoken");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["server"], "DingTalk/1.0.0");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["errcode"], 0);
    assert_eq!(body["errmsg"], "ok");
    assert_eq!(body["expires_in"], 7200);
    assert!(body["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    let mut keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["access_token", "errcode", "errmsg", "expires_in"]);
}

#[tokio::test]
async fn access_token_answers_business_fields_and_request_id_header() {
    let sim = start().await;
    let response = sim
        .http
        .post(sim.url("/v1.0/oauth2/accessToken"))
        .json(&json!({"appKey": APP_KEY, "appSecret": APP_SECRET}))
        .send()
        .await
        .expect("accessToken");
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-acs-request-id"));
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["expireIn"], 7200);
    assert!(body["accessToken"].is_string());
    assert!(
        body.get("errcode").is_none(),
        "api family has no errcode on success"
    );
}

#[tokio::test]
async fn refetch_within_validity_returns_the_same_token_in_both_styles_and_is_counted() {
    let sim = start().await;
    let first = sim.oapi_token().await;
    assert_eq!(sim.oapi_token().await, first);
    assert_eq!(
        sim.api_token().await,
        first,
        "one app token behind both endpoints"
    );
    let stats = sim.get("/sim/stats").await;
    assert_eq!(stats["tokenCalls"]["oapi"], 2);
    assert_eq!(stats["tokenCalls"]["api"], 1);
    assert_eq!(stats["tokensIssued"], 1);
}

#[tokio::test]
async fn wrong_credentials_fail_in_each_dialect() {
    let sim = start().await;
    let body = sim
        .get(&format!("/gettoken?appkey={APP_KEY}&appsecret=wrong"))
        .await;
    assert_eq!(
        body,
        json!({"errcode": 40096, "errmsg": "不合法的appKey或appSecret"})
    );
    let body = sim.get("/gettoken").await;
    assert_eq!(body["errcode"], 40035);

    let response = sim
        .http
        .post(sim.url("/v1.0/oauth2/accessToken"))
        .json(&json!({"appKey": APP_KEY, "appSecret": "wrong"}))
        .send()
        .await
        .expect("accessToken");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["code"], "invalidClientIdOrSecret");
    assert_eq!(body["message"], "无效的clientId或者clientSecret");
    assert!(body["requestid"].is_string());
}

#[tokio::test]
async fn expired_token_is_rejected_and_a_new_one_issued() {
    let sim = start().await;
    let old = sim.oapi_token().await;
    sim.advance(7201).await;

    let body = sim
        .post(
            &format!("/topapi/v2/user/get?access_token={old}"),
            json!({"userid": "u-wangqiang"}),
        )
        .await;
    assert_eq!(body["errcode"], 88);
    assert_eq!(body["sub_code"], "40014", "sub_code is a string");
    assert_eq!(body["sub_msg"], "不合法的access_token");
    assert!(body["request_id"].is_string());

    let response = sim
        .http
        .get(sim.url("/v1.0/workflow/processInstances?processInstanceId=x"))
        .header("x-acs-dingtalk-access-token", &old)
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["code"], "InvalidAuthentication");

    let new = sim.oapi_token().await;
    assert_ne!(new, old);
}

#[tokio::test]
async fn missing_or_misplaced_tokens_fail_like_the_real_gateways() {
    let sim = start().await;
    let body = sim
        .post("/topapi/v2/user/get", json!({"userid": "u-wangqiang"}))
        .await;
    assert_eq!(body["errcode"], 88);
    assert_eq!(body["sub_code"], "40000");
    assert_eq!(body["sub_msg"], "access_token is blank");

    let token = sim.api_token().await;
    for request in [
        sim.http.get(sim.url(&format!(
            "/v1.0/workflow/processInstances?processInstanceId=x&access_token={token}"
        ))),
        sim.http
            .get(sim.url("/v1.0/workflow/processInstances?processInstanceId=x"))
            .bearer_auth(&token),
    ] {
        let response = request.send().await.expect("get");
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["code"], "AuthenticationFailed.MissingParameter");
        assert_eq!(body["message"], "缺少参数：x-acs-dingtalk-access-token");
    }
}

#[tokio::test]
async fn oapi_token_may_also_come_as_a_form_field() {
    let sim = start().await;
    let token = sim.oapi_token().await;
    let body: Value = sim
        .http
        .post(sim.url("/topapi/v2/user/get"))
        .form(&[("access_token", token.as_str()), ("userid", "u-wangqiang")])
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(body["errcode"], 0);
    assert_eq!(body["result"]["userid"], "u-wangqiang");
}

#[tokio::test]
async fn unknown_paths_answer_in_the_host_dialect() {
    let sim = start().await;
    let token = sim.oapi_token().await;
    let body = sim
        .post(
            &format!("/topapi/v2/user/notexist?access_token={token}"),
            json!({}),
        )
        .await;
    assert_eq!(body["errcode"], 22);
    assert!(
        body["sub_msg"]
            .as_str()
            .is_some_and(|m| m.contains("dingtalk.oapi.v2.user.notexist"))
    );

    let response = sim
        .http
        .post(sim.url("/workflow/processInstances"))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({"errcode": 404, "errmsg": "请求的URI地址不存在"})
    );
}

#[tokio::test]
async fn api_requires_json_and_accepts_chunked_bodies() {
    let sim = start().await;
    let token = sim.api_token().await;
    let response = sim
        .http
        .post(sim.url("/v1.0/workflow/forms"))
        .header("x-acs-dingtalk-access-token", &token)
        .form(&[("name", "积分申报")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["message"], "body is mandatory");

    // A streamed body is sent with Transfer-Encoding: chunked and no Content-Length.
    let chunks: Vec<Result<&'static str, std::io::Error>> =
        vec![Ok("{\"name\":"), Ok("\"积分申报\",\"formComponents\":[]}")];
    let response = sim
        .http
        .post(sim.url("/v1.0/workflow/forms"))
        .header("x-acs-dingtalk-access-token", &token)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream::iter(chunks)))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert!(
        body["result"]["processCode"]
            .as_str()
            .is_some_and(|c| c.starts_with("PROC-"))
    );
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let sim = start().await;
    let url = sim.url("/sim/stats");
    assert!(sim.http.get(&url).send().await.is_ok());
    let http = sim.http.clone();
    sim.handle.shutdown().await;
    assert!(http.get(&url).send().await.is_err());
}

#[tokio::test]
async fn stats_count_calls_per_path_across_methods() {
    let sim = start().await;
    let token = sim.api_token().await;
    for method in [reqwest::Method::GET, reqwest::Method::POST] {
        sim.http
            .request(
                method,
                sim.url("/v1.0/workflow/processInstances?processInstanceId=x"),
            )
            .header("x-acs-dingtalk-access-token", &token)
            .send()
            .await
            .expect("get");
    }
    let stats = sim.get("/sim/stats").await;
    assert_eq!(stats["calls"]["/v1.0/workflow/processInstances"], 2);
    assert_eq!(stats["calls"]["/v1.0/oauth2/accessToken"], 1);
}
