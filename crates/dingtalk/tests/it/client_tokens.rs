//! Access tokens against the simulator: caching, single flight, expiry, rejection.

use std::time::Duration;

use dingtalk::{DingTalkError, TokenStyle};
use serde_json::json;

use crate::support::{NEIGHBOUR, Sim, VILLAGER};

#[tokio::test]
async fn token_is_fetched_once_and_reused_for_both_families() {
    let sim = Sim::start().await;
    let client = sim.client();
    let user = client.user_detail(&VILLAGER.into()).await.unwrap();
    assert_eq!(user.name, "张明");
    let instance = client
        .process_instance(&"no-such-instance".into())
        .await
        .unwrap_err();
    assert_eq!(instance.api_code(), Some("processInstanceIdError"));
    client.user_detail(&NEIGHBOUR.into()).await.unwrap();
    assert_eq!(sim.token_calls().await, 1);
    assert_eq!(sim.stats().await["tokenCalls"]["api"], 1);
}

#[tokio::test]
async fn oapi_token_style_uses_gettoken() {
    let sim = Sim::start().await;
    let client = sim
        .client_builder()
        .token_style(TokenStyle::Oapi)
        .build()
        .unwrap();
    client.user_detail(&VILLAGER.into()).await.unwrap();
    assert_eq!(sim.stats().await["tokenCalls"]["oapi"], 1);
}

#[tokio::test]
async fn burst_of_concurrent_calls_makes_one_token_call() {
    let sim = Sim::start().await;
    let client = sim.client();
    let calls = (0..12).map(|i| {
        let client = client.clone();
        async move {
            let user = if i % 2 == 0 { VILLAGER } else { NEIGHBOUR };
            client.user_detail(&user.into()).await
        }
    });
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(sim.token_calls().await, 1, "single flight");
}

#[tokio::test]
async fn token_expired_mid_run_is_refreshed_and_the_call_retried_once() {
    let sim = Sim::start().await;
    let client = sim.client();
    client.user_detail(&VILLAGER.into()).await.unwrap();
    // DingTalk's clock passes the 7200 s lifetime; our cache still believes the token valid.
    sim.handle.advance_clock(Duration::from_secs(7201));
    let user = client.user_detail(&VILLAGER.into()).await.unwrap();
    assert_eq!(user.name, "张明");
    // And the api family, whose rejection is 400 InvalidAuthentication.
    sim.handle.advance_clock(Duration::from_secs(7201));
    let error = client
        .process_instance(&"no-such-instance".into())
        .await
        .unwrap_err();
    assert_eq!(error.api_code(), Some("processInstanceIdError"));
    assert_eq!(sim.token_calls().await, 3);
}

#[tokio::test]
async fn invalidated_token_is_refreshed_once() {
    let sim = Sim::start().await;
    let client = sim.client();
    client.user_detail(&VILLAGER.into()).await.unwrap();
    sim.faults(json!({ "invalidateTokens": true })).await;
    client.user_detail(&VILLAGER.into()).await.unwrap();
    assert_eq!(sim.token_calls().await, 2);
}

#[tokio::test]
async fn short_token_lifetime_is_renewed_before_expiry() {
    let sim = Sim::start_with(|config| config.token_ttl = Duration::from_secs(2)).await;
    let client = sim.client();
    for _ in 0..4 {
        client.user_detail(&VILLAGER.into()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    // 2 s lifetime, refreshed at half-life: more than one fetch, and no call ever failed.
    assert!(sim.token_calls().await >= 2);
}

#[tokio::test]
async fn wrong_secret_is_a_permanent_api_error() {
    let sim = Sim::start().await;
    let client = sim
        .client_builder()
        .app_secret("wrong".into())
        .build()
        .unwrap();
    let error = client.user_detail(&VILLAGER.into()).await.unwrap_err();
    assert_eq!(error.api_code(), Some("invalidClientIdOrSecret"));
    assert!(!error.is_retryable());
    assert_eq!(sim.token_calls().await, 1, "not retried");
    let oapi = sim
        .client_builder()
        .app_secret("wrong".into())
        .token_style(TokenStyle::Oapi)
        .build()
        .unwrap();
    let error = oapi.user_detail(&VILLAGER.into()).await.unwrap_err();
    assert!(
        matches!(error, DingTalkError::Api { ref code, http_status: 200, .. } if code == "40096")
    );
}
