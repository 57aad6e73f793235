//! QPS limit and fault knobs (API.md §10, §12 "Throttling knobs").

use serde_json::{Value, json};

use crate::support::{APP_KEY, APP_SECRET, start, start_with};

fn gettoken_path() -> String {
    format!("/gettoken?appkey={APP_KEY}&appsecret={APP_SECRET}")
}

#[tokio::test]
async fn per_api_qps_limit_refuses_in_each_dialect() {
    let sim = start_with(|c| c.qps_limit_per_api = 3).await;
    let mut codes = Vec::new();
    for _ in 0..5 {
        codes.push(
            sim.get(&gettoken_path()).await["errcode"]
                .as_i64()
                .expect("errcode"),
        );
    }
    assert_eq!(&codes[..3], [0, 0, 0], "the first calls of the second pass");
    assert!(codes[3..].contains(&90018), "{codes:?}");

    let mut statuses = Vec::new();
    for _ in 0..5 {
        let response = sim
            .http
            .post(sim.url("/v1.0/oauth2/accessToken"))
            .json(&json!({"appKey": APP_KEY, "appSecret": APP_SECRET}))
            .send()
            .await
            .expect("post");
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("json");
        if status == 403 {
            assert_eq!(
                body["code"],
                "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"
            );
        }
        statuses.push(status);
    }
    assert_eq!(&statuses[..3], [200, 200, 200], "limits are per API");
    assert!(statuses[3..].contains(&403), "{statuses:?}");
    assert!(sim.get("/sim/stats").await["rateLimited"].as_u64() >= Some(2));
}

#[tokio::test]
async fn forced_rate_limit_refuses_exactly_the_next_n_calls() {
    let sim = start().await;
    sim.post("/sim/faults", json!({"rateLimitNext": 2})).await;
    assert_eq!(sim.get(&gettoken_path()).await["errcode"], 90018);
    let response = sim
        .http
        .post(sim.url("/v1.0/oauth2/accessToken"))
        .json(&json!({"appKey": APP_KEY, "appSecret": APP_SECRET}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 403);
    assert_eq!(sim.get(&gettoken_path()).await["errcode"], 0);
}

#[tokio::test]
async fn error_rate_one_answers_busy_and_server_errors() {
    let sim = start().await;
    let token = sim.oapi_token().await;
    let faults = sim.post("/sim/faults", json!({"errorRate": 1.0})).await;
    assert_eq!(faults["errorRate"], 1.0);
    let body = sim
        .post(
            &format!("/topapi/v2/user/get?access_token={token}"),
            json!({"userid": "u-wangqiang"}),
        )
        .await;
    assert_eq!(body["errcode"], -1);
    let response = sim
        .http
        .post(sim.url("/v1.0/oauth2/accessToken"))
        .json(&json!({"appKey": APP_KEY, "appSecret": APP_SECRET}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 500);
    sim.post("/sim/faults", json!({"errorRate": 0.0})).await;
    assert_eq!(sim.get(&gettoken_path()).await["errcode"], 0);
}

#[tokio::test]
async fn drop_rate_one_closes_the_connection_without_an_answer() {
    let sim = start().await;
    sim.post("/sim/faults", json!({"dropRate": 1.0})).await;
    let result = sim.http.get(sim.url(&gettoken_path())).send().await;
    let error = result.expect_err("no HTTP answer at all");
    assert!(!error.is_status());
    // The control API is not subject to faults.
    let stats = sim.get("/sim/stats").await;
    assert_eq!(stats["droppedConnections"], 1);
    sim.post("/sim/faults", json!({"dropRate": 0.0})).await;
    assert_eq!(sim.get(&gettoken_path()).await["errcode"], 0);
}

#[tokio::test]
async fn invalidate_tokens_forces_a_new_token() {
    let sim = start().await;
    let old = sim.oapi_token().await;
    sim.post("/sim/faults", json!({"invalidateTokens": true}))
        .await;
    let body = sim
        .post(
            &format!("/topapi/v2/user/get?access_token={old}"),
            json!({"userid": "u-wangqiang"}),
        )
        .await;
    assert_eq!(body["sub_code"], "40014");
    assert_ne!(sim.oapi_token().await, old);
}

#[tokio::test]
async fn fault_knobs_are_validated_and_readable() {
    let sim = start().await;
    let response = sim
        .http
        .post(sim.url("/sim/faults"))
        .json(&json!({"errorRate": 1.5}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 400);
    sim.post("/sim/faults", json!({"latencyMs": 5})).await;
    let faults = sim.get("/sim/faults").await;
    assert_eq!(
        faults,
        json!({"errorRate": 0.0, "latencyMs": 5, "dropRate": 0.0, "rateLimitNext": 0, "duplicateRate": 0.0, "callbacksDown": false})
    );
}
