//! The DingTalk side of the end-to-end kit: fast workers, the simulator's control API (users,
//! auth codes, decisions, its clock, what it received), sealed callback pushes, the inbox, and
//! polling with a deadline. Requests to the service itself are in `kit`.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aidazu_testkit::{TestApp, TestAppOptions, TestDb};
use dingtalk::callback::CallbackCrypto;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

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

/// Fast inbox and outbox workers (50 ms polls, short back-off, many attempts) so the DingTalk
/// loop and its fault tests finish quickly.
pub fn fast_workers() -> Vec<(String, String)> {
    vec![
        env("AIDAZU__DINGTALK__WORKERS__POLL_MS", "50"),
        env("AIDAZU__DINGTALK__WORKERS__BACKOFF_BASE_MS", "50"),
        env("AIDAZU__DINGTALK__WORKERS__BACKOFF_MAX_MS", "400"),
        env("AIDAZU__DINGTALK__WORKERS__MAX_ATTEMPTS", "50"),
    ]
}

/// Starts the service with `fast_workers()` and then `extra` overrides.
pub async fn spawn_fast(db: TestDb, extra: Vec<(String, String)>) -> TestApp {
    let mut env = fast_workers();
    env.extend(extra);
    TestApp::spawn_with(
        db,
        TestAppOptions {
            env,
            ..TestAppOptions::default()
        },
    )
    .await
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
    sim_send(t, Method::POST, path, Some(body)).await
}

/// `PUT <sim><path>` with a JSON body → status and JSON.
pub async fn sim_put(t: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    sim_send(t, Method::PUT, path, Some(body)).await
}

/// `DELETE <sim><path>` → status and JSON.
pub async fn sim_delete(t: &TestApp, path: &str) -> (StatusCode, Value) {
    sim_send(t, Method::DELETE, path, None).await
}

/// Any request to the simulator, with an optional JSON body → status and JSON (`null` if none).
pub async fn sim_send(
    t: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let sim = t.sim_url.clone().expect("sim mode");
    let mut req = t.http.request(method, format!("{sim}{path}"));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// `POST <sim>/sim/auth-codes`: what `dd.getAuthCode` yields on the phone.
pub async fn auth_code(t: &TestApp, user_id: &str) -> String {
    let (status, body) = sim_post(t, "/sim/auth-codes", json!({ "userId": user_id })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["code"].as_str().unwrap().to_owned()
}

/// Adds a user to the simulator's organisation without pushing a contact event.
pub async fn sim_put_user(t: &TestApp, user_id: &str, name: &str, mobile: &str) {
    let (status, body) = sim_put(
        t,
        &format!("/sim/users/{user_id}"),
        json!({ "name": name, "mobile": mobile, "silent": true }),
    )
    .await;
    assert!(status.is_success(), "{status} {body}");
}

/// Moves the simulator's clock (DingTalk's own time, e.g. its 15 s before a terminate).
pub async fn sim_advance(t: &TestApp, seconds: u64) {
    let (status, body) = sim_post(t, "/sim/clock/advance", json!({ "seconds": seconds })).await;
    assert!(status.is_success(), "{status} {body}");
}

/// The approver (`demo-admin`) decides the approval `instance` in DingTalk; returns the status.
pub async fn sim_decide(t: &TestApp, instance: &str, result: &str, remark: &str) -> StatusCode {
    let (status, _) = sim_post(
        t,
        &format!("/sim/approvals/{instance}/decide"),
        json!({ "result": result, "remark": remark, "staffId": "demo-admin" }),
    )
    .await;
    status
}

/// The form of an approval the simulator holds: `(label, value)` in form order.
pub fn approval_form(approval: &Value) -> Vec<(String, String)> {
    approval["formValues"]
        .as_array()
        .or_else(|| approval["form_values"].as_array())
        .unwrap_or_else(|| panic!("no form values: {approval}"))
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap().to_owned(),
                v["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The simulator's events of one approval instance, as pushed.
pub async fn sim_events_of(t: &TestApp, instance: &str, event_type: &str) -> Vec<Value> {
    sim_get(t, "/sim/events")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["eventType"] == event_type && e["payload"]["processInstanceId"] == instance)
        .map(|e| e["payload"].clone())
        .collect()
}

/// Texts of the work notifications the simulator holds that contain `needle`, to `user` only
/// when given.
pub async fn sim_notifications(t: &TestApp, user: Option<&str>, needle: &str) -> Vec<String> {
    sim_get(t, "/sim/work-notifications")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| {
            user.is_none_or(|user| n["userIds"].as_array().unwrap().iter().any(|u| u == user))
        })
        .filter_map(|n| n["msg"]["markdown"]["text"].as_str())
        .filter(|text| text.contains(needle))
        .map(str::to_owned)
        .collect()
}

/// Waits for a work notification to `user` whose text contains `needle`; returns all such.
pub async fn notifications_to(t: &TestApp, user: &str, needle: &str) -> Vec<String> {
    poll(Duration::from_secs(20), || async {
        let found = sim_notifications(t, Some(user), needle).await;
        (!found.is_empty()).then_some(found)
    })
    .await
}

/// Waits until the service holds a Stream connection to the simulator.
pub async fn wait_stream_connection(t: &TestApp) {
    poll(Duration::from_secs(30), || async {
        let list = sim_get(t, "/sim/stream/connections").await;
        (!list.as_array().unwrap().is_empty()).then_some(())
    })
    .await;
}

/// Waits until every stored inbound event is applied; returns (key, type, outcome) of each.
pub async fn applied_events(t: &TestApp) -> Vec<(String, String, String)> {
    poll(Duration::from_secs(20), || async {
        let events = t.app.inbound_events().await.unwrap();
        events.iter().all(|e| e.applied_at.is_some()).then(|| {
            events
                .iter()
                .map(|e| {
                    (
                        e.event_key.clone(),
                        e.event_type.clone(),
                        e.outcome.clone().unwrap_or_default(),
                    )
                })
                .collect()
        })
    })
    .await
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
