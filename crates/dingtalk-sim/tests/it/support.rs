//! Shared helpers: start a simulator with the sample organisation, call it, and a callback
//! receiver that plays the service's `/dingtalk/callback`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::post;
use axum::{Json, Router};
use dingtalk::callback::CallbackCrypto;
use dingtalk_sim::{CallbackTarget, Organisation, SimConfig, SimHandle};
use serde_json::{Value, json};

pub const APP_KEY: &str = "dingtestappkey";
pub const APP_SECRET: &str = "test-app-secret";
pub const CORP_ID: &str = "dingtestcorp";
pub const AGENT_ID: i64 = 100_000_001;
pub const CB_TOKEN: &str = "tokenxxxx";
pub const CB_AES_KEY: &str = "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus";

/// Villager with a DingTalk account in the sample organisation (group 1000 of village 100).
pub const VILLAGER: &str = "u-wangqiang";
/// Village admin of village 100.
pub const ADMIN: &str = "u-admin-heping";

pub struct TestSim {
    pub handle: SimHandle,
    pub base: String,
    pub http: reqwest::Client,
}

pub fn sample_org() -> Organisation {
    Organisation::from_json(include_str!("../../src/fixtures/sample-organisation.json"))
        .expect("sample organisation parses")
}

pub async fn start_with(adjust: impl FnOnce(&mut SimConfig)) -> TestSim {
    let mut config = SimConfig::new(APP_KEY, APP_SECRET, CORP_ID, AGENT_ID);
    config.organisation = sample_org();
    config.retry_delays = vec![Duration::from_millis(50), Duration::from_millis(100)];
    config.event_timeout = Duration::from_secs(2);
    adjust(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let handle = dingtalk_sim::spawn(config, listener)
        .await
        .expect("simulator starts");
    let base = handle.base_url();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    TestSim { handle, base, http }
}

pub async fn start() -> TestSim {
    start_with(|_| {}).await
}

impl TestSim {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Value {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json")
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("post")
            .json()
            .await
            .expect("json")
    }

    pub async fn oapi_token(&self) -> String {
        let body = self
            .get(&format!(
                "/gettoken?appkey={APP_KEY}&appsecret={APP_SECRET}"
            ))
            .await;
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    pub async fn api_token(&self) -> String {
        let body = self
            .post(
                "/v1.0/oauth2/accessToken",
                json!({"appKey": APP_KEY, "appSecret": APP_SECRET}),
            )
            .await;
        body["accessToken"]
            .as_str()
            .expect("accessToken")
            .to_owned()
    }

    /// oapi POST with the token in the query.
    pub async fn oapi(&self, path: &str, body: Value) -> Value {
        let token = self.oapi_token().await;
        self.post(&format!("{path}?access_token={token}"), body)
            .await
    }

    /// api call with the token header; returns status and body.
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let token = self.api_token().await;
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("x-acs-dingtalk-access-token", token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("api call");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json"))
    }

    pub async fn advance(&self, seconds: u64) {
        self.post("/sim/clock/advance", json!({ "seconds": seconds }))
            .await;
    }

    /// Polls `GET /sim/events` until `done` holds (or ~5 s pass).
    pub async fn events_until(&self, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        for _ in 0..100 {
            let events = self.get("/sim/events").await;
            let list = events.as_array().cloned().unwrap_or_default();
            if done(&list) {
                return list;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("events did not reach the expected state");
    }
}

/// How the fake service answers callbacks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// Encrypted, signed `success` (what DingTalk requires).
    Sealed,
    /// Plain text `success` (wrong).
    Plain,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    /// Decrypted payloads with the query each arrived with.
    pub received: Arc<Mutex<Vec<(Value, Value)>>>,
}

#[derive(Clone)]
struct ReceiverState {
    crypto: Arc<CallbackCrypto>,
    reply: Reply,
    received: Arc<Mutex<Vec<(Value, Value)>>>,
}

async fn receive(
    State(state): State<ReceiverState>,
    Query(query): Query<Value>,
    Json(body): Json<Value>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let encrypt = body["encrypt"].as_str().unwrap_or("");
    let signature = query["signature"].as_str().unwrap_or("");
    let timestamp = query["timestamp"].as_str().unwrap_or("");
    let nonce = query["nonce"].as_str().unwrap_or("");
    if state.crypto.signature(timestamp, nonce, encrypt) != signature {
        return (axum::http::StatusCode::BAD_REQUEST, "bad signature").into_response();
    }
    let Ok(plaintext) = state.crypto.decrypt(encrypt) else {
        return (axum::http::StatusCode::BAD_REQUEST, "cannot decrypt").into_response();
    };
    let payload: Value = serde_json::from_str(&plaintext).expect("payload is JSON");
    state.received.lock().expect("lock").push((payload, query));
    match state.reply {
        Reply::Sealed => {
            Json(state.crypto.seal_success(std::time::SystemTime::now())).into_response()
        }
        Reply::Plain => "success".into_response(),
    }
}

impl Receiver {
    pub async fn start(reply: Reply) -> Self {
        let crypto = CallbackCrypto::new(CB_TOKEN, CB_AES_KEY, APP_KEY).expect("crypto");
        let received = Arc::new(Mutex::new(Vec::new()));
        let state = ReceiverState {
            crypto: Arc::new(crypto),
            reply,
            received: Arc::clone(&received),
        };
        let app = Router::new()
            .route("/dingtalk/callback", post(receive))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}/dingtalk/callback"),
            received,
        }
    }

    pub fn target(&self) -> CallbackTarget {
        CallbackTarget {
            url: self.url.clone(),
            token: CB_TOKEN.into(),
            aes_key: CB_AES_KEY.into(),
            owner_key: APP_KEY.into(),
        }
    }

    pub fn payloads(&self) -> Vec<Value> {
        self.received
            .lock()
            .expect("lock")
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }

    pub fn queries(&self) -> Vec<Value> {
        self.received
            .lock()
            .expect("lock")
            .iter()
            .map(|(_, q)| q.clone())
            .collect()
    }
}

/// Starts a receiver and a simulator pushing to it.
pub async fn start_with_receiver(reply: Reply) -> (TestSim, Receiver) {
    let receiver = Receiver::start(reply).await;
    let target = receiver.target();
    let sim = start_with(move |config| config.callback = Some(target)).await;
    (sim, receiver)
}
