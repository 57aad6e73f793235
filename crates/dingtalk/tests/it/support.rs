//! Starts the real simulator on 127.0.0.1:0 and builds the real client against it.

use std::time::Duration;

use dingtalk::{Client, ClientBuilder, RetryBudget};
use dingtalk_sim::{Department, Organisation, ROOT_DEPT_ID, SimConfig, SimHandle, User};
use serde_json::{Value, json};

pub const APP_KEY: &str = "dingappkey0001";
pub const APP_SECRET: &str = "app-secret-0001";
pub const CORP_ID: &str = "dingaidazudemo0001";
pub const AGENT_ID: i64 = 3_000_001;
/// A villager with a mobile number.
pub const VILLAGER: &str = "u-villager";
/// A second villager.
pub const NEIGHBOUR: &str = "u-neighbour";
/// The village administrator (approver).
pub const ADMIN: &str = "u-admin";
const VILLAGE_DEPT: i64 = 100;

/// A small organisation owned by these tests (independent of the demo data).
fn organisation() -> Organisation {
    let mut org = Organisation::empty(CORP_ID);
    org.departments.insert(
        VILLAGE_DEPT,
        Department {
            dept_id: VILLAGE_DEPT,
            name: "和平村".into(),
            parent_id: Some(ROOT_DEPT_ID),
            code: "500111001201".into(),
        },
    );
    let mut villager = User::new(VILLAGER, "张明");
    villager.mobile = Some("13800000001".into());
    villager.dept_ids = vec![VILLAGE_DEPT];
    org.upsert_user(villager);
    let mut neighbour = User::new(NEIGHBOUR, "王强");
    neighbour.dept_ids = vec![VILLAGE_DEPT];
    org.upsert_user(neighbour);
    let mut admin = User::new(ADMIN, "陈村管");
    admin.dept_ids = vec![VILLAGE_DEPT];
    admin.role = Some("village_admin".into());
    admin.staff_dept_id = Some(VILLAGE_DEPT);
    org.upsert_user(admin);
    org
}

/// A running simulator plus a plain HTTP client for its `/sim` control API.
pub struct Sim {
    pub handle: SimHandle,
    control: reqwest::Client,
}

impl Sim {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(configure: impl FnOnce(&mut SimConfig)) -> Self {
        let mut config = SimConfig::new(APP_KEY, APP_SECRET, CORP_ID, AGENT_ID);
        config.organisation = organisation();
        configure(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let handle = dingtalk_sim::spawn(config, listener).await.unwrap();
        let control = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        Self { handle, control }
    }

    pub fn base_url(&self) -> String {
        self.handle.base_url()
    }

    /// A client builder pointed at the simulator for both families, with fast retries.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .app_key(APP_KEY)
            .app_secret(APP_SECRET.into())
            .corp_id(CORP_ID)
            .agent_id(AGENT_ID)
            .oapi_base(self.base_url())
            .api_base(self.base_url())
            .timeout(Duration::from_secs(5))
            .retry_budget(fast_retries())
    }

    pub fn client(&self) -> Client {
        self.client_builder().build().unwrap()
    }

    pub async fn get(&self, path: &str) -> Value {
        self.control
            .get(format!("{}{path}", self.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .control
            .post(format!("{}{path}", self.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    pub async fn put(&self, path: &str, body: Value) -> Value {
        let response = self
            .control
            .put(format!("{}{path}", self.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    pub async fn faults(&self, faults: Value) {
        self.post("/sim/faults", faults).await;
    }

    pub async fn stats(&self) -> Value {
        self.get("/sim/stats").await
    }

    /// Token endpoint calls of both styles.
    pub async fn token_calls(&self) -> u64 {
        let stats = self.stats().await;
        stats["tokenCalls"]
            .as_object()
            .map(|calls| calls.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0)
    }

    pub async fn calls_to(&self, path: &str) -> u64 {
        self.stats().await["calls"][path].as_u64().unwrap_or(0)
    }

    pub async fn emit_contact_event(&self, user_id: &str) -> String {
        let answer = self
            .post(
                "/sim/contacts/events",
                json!({ "eventType": "user_modify_org", "userIds": [user_id] }),
            )
            .await;
        answer["eventId"].as_str().unwrap().to_owned()
    }
}

/// Small delays so fault tests stay quick; still exercises the real policy.
pub fn fast_retries() -> RetryBudget {
    RetryBudget {
        max_attempts: 4,
        max_elapsed: Duration::from_secs(10),
        base_delay: Duration::from_millis(20),
        rate_limit_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(500),
    }
}

/// Polls `check` until it holds (panics after 10 s).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
