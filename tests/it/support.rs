//! Shared helpers of the DingTalk end-to-end stories: the simulator's control API, sealed
//! callback pushes, and polling with a deadline.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aidazu_testkit::TestApp;
use dingtalk::callback::CallbackCrypto;
use reqwest::StatusCode;
use serde_json::Value;

/// `dingtalk.callback.token` of `config/default.toml`.
pub const TOKEN: &str = "aidazudemotoken";
/// `dingtalk.callback.aes_key` of `config/default.toml`.
pub const AES_KEY: &str = "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus";
/// `dingtalk.app_key` of `config/default.toml` (the owner key of callbacks).
pub const APP_KEY: &str = "dingaidazudemoapp";

/// An `AIDAZU__…` override.
pub fn env(key: &str, value: &str) -> (String, String) {
    (key.to_owned(), value.to_owned())
}

/// The callback crypto DingTalk (the simulator) uses for this app.
pub fn crypto() -> CallbackCrypto {
    CallbackCrypto::new(TOKEN, AES_KEY, APP_KEY).unwrap()
}

/// Milliseconds since the epoch.
pub fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

/// `GET <sim><path>` → JSON.
pub async fn sim_get(t: &TestApp, path: &str) -> Value {
    let sim = t.sim_url.clone().expect("sim mode");
    let resp = t.http.get(format!("{sim}{path}")).send().await.unwrap();
    assert!(resp.status().is_success(), "GET {path}: {}", resp.status());
    resp.json().await.unwrap()
}

/// `POST <sim><path>` with a JSON body → status and JSON.
pub async fn sim_post(t: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    let sim = t.sim_url.clone().expect("sim mode");
    let resp = t
        .http
        .post(format!("{sim}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Pushes `event` to `/dingtalk/callback` as DingTalk does, sealed with `crypto` at `at`.
pub async fn push_event(
    t: &TestApp,
    crypto: &CallbackCrypto,
    event: &Value,
    at: SystemTime,
) -> (StatusCode, Value) {
    let sealed = crypto.seal_at(&event.to_string(), at);
    let resp = t
        .http
        .post(t.url(&format!("/dingtalk/callback?{}", sealed.query_string())))
        .json(&sealed.push_body())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Polls `check` every 50 ms until it yields a value; panics after `deadline`.
pub async fn poll<T, F, Fut>(deadline: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let end = tokio::time::Instant::now() + deadline;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < end,
            "condition not reached within {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
