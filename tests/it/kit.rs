//! The one end-to-end kit: request helpers over the real service (login as a demo user through
//! the simulator's auth codes, JSON post/get/any method, photo upload, declare, decide, the error
//! envelope assertion), declaration reads (record, state, approval and card in DingTalk) and
//! direct reads of the outbox, ledger and audit. Simulator control, callbacks and polling are in
//! `support`. Every e2e file uses these two; none keeps its own copy.

use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;

use aidazu_app::ManualClock;

use aidazu_domain::calendar::{PointsYear, business_date};
use aidazu_domain::{DeclarationId, HouseholdId};
use aidazu_store::declarations::{self as store_decl, DeclarationRecord};
use aidazu_store::outbox::{self, OutboxMessage};
use aidazu_testkit::{TestApp, TestAppOptions, TestDb};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::support::{auth_code, poll, sim_get};

/// Starts the service with the injected clock at `start` (moved by the test, never slept on) and
/// `env` overrides (e.g. `support::fast_workers()`).
pub async fn spawn_at(
    db: TestDb,
    start: chrono::DateTime<chrono::Utc>,
    env: Vec<(String, String)>,
) -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(start));
    let t = TestApp::spawn_with(
        db,
        TestAppOptions {
            env,
            clock: Some(clock.clone()),
            ..TestAppOptions::default()
        },
    )
    .await;
    (t, clock)
}

/// A logged-in DingTalk user: the tokens and ids of the session, and the whole answer of the
/// login (or refresh) for what a test inspects beyond them. Staff without a member have `0` ids.
pub struct Session {
    pub token: String,
    pub refresh_token: String,
    pub member_id: i64,
    pub household_id: i64,
    pub village_id: i64,
    pub body: Value,
}

impl Session {
    /// The session of a login or refresh answer.
    pub fn from_body(body: Value) -> Session {
        Session {
            token: body["accessToken"]
                .as_str()
                .unwrap_or_else(|| panic!("no accessToken: {body}"))
                .to_owned(),
            refresh_token: body["refreshToken"].as_str().unwrap_or_default().to_owned(),
            member_id: body["member"]["id"].as_i64().unwrap_or_default(),
            household_id: body["member"]["householdId"].as_i64().unwrap_or_default(),
            village_id: body["member"]["villageId"].as_i64().unwrap_or_default(),
            body,
        }
    }
}

/// F1: logs `user_id` in from the mini app with a fresh simulator auth code.
pub async fn login(t: &TestApp, user_id: &str) -> Session {
    login_as(t, user_id, "miniapp").await
}

/// F1: logs `user_id` in from `client` (`miniapp`, `console`) with a fresh simulator auth code.
pub async fn login_as(t: &TestApp, user_id: &str, client: &str) -> Session {
    let code = auth_code(t, user_id).await;
    let (status, body) = post(
        t,
        "/api/v1/auth/dingtalk",
        None,
        json!({ "authCode": code, "client": client }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "login {user_id}: {body}");
    Session::from_body(body)
}

/// The id of a village by its code, as the public village list shows it.
pub async fn village_id(t: &TestApp, code: &str) -> i64 {
    let (status, body) = get(t, "/api/v1/villages", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["villages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == code)
        .unwrap_or_else(|| panic!("village {code} listed"))["id"]
        .as_i64()
        .unwrap()
}

/// `POST` JSON with an optional bearer token → status and JSON (`null` when none).
pub async fn post(
    t: &TestApp,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    send(t, reqwest::Method::POST, path, token, body).await
}

/// `GET` with an optional bearer token → status and JSON (`null` when none).
pub async fn get(t: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let resp = get_response(t, path, token).await;
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// `GET` with an optional bearer token → the response itself (bytes, headers).
pub async fn get_response(t: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = t.http.get(t.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap()
}

/// The one error envelope: the status, the code, a Chinese message and the `details` key.
pub fn assert_envelope(status: StatusCode, body: &Value, want: StatusCode, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["code"], code, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "message is Chinese: {body}"
    );
    assert!(body.get("details").is_some(), "details key present: {body}");
}

/// A real JPEG of one colour (different seeds give different content).
pub fn jpeg(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([
            seed,
            u8::try_from(x * 3 % 256).unwrap(),
            u8::try_from(y * 5 % 256).unwrap(),
        ])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

pub async fn upload(t: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let part = Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str("image/jpeg")
        .unwrap();
    let resp = t
        .http
        .post(t.url("/api/v1/photos"))
        .bearer_auth(token)
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// An oversize upload the server may refuse before reading it all (resetting the connection
/// while the body is still being sent): retried until the refusal is read. It goes over a client
/// of its own without a connection pool, so the connection the server drops is never reused by
/// the test's next request.
pub async fn upload_retrying_resets(
    t: &TestApp,
    token: &str,
    name: &str,
    len: usize,
) -> (StatusCode, Value) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    for _ in 0..5 {
        let part = Part::bytes(vec![0xFF; len])
            .file_name(name.to_owned())
            .mime_str("image/jpeg")
            .unwrap();
        let sent = http
            .post(t.url("/api/v1/photos"))
            .bearer_auth(token)
            .multipart(Form::new().part("file", part))
            .send()
            .await;
        match sent {
            Ok(resp) => {
                let status = resp.status();
                return (status, resp.json().await.unwrap_or(Value::Null));
            }
            Err(e) if e.is_request() => continue,
            Err(e) => panic!("upload failed: {e}"),
        }
    }
    panic!("the server never answered the oversize upload");
}

pub async fn photo_id(t: &TestApp, token: &str, seed: u8) -> i64 {
    let (status, body) = upload(t, token, &format!("p{seed}.jpg"), jpeg(seed)).await;
    assert!(status.is_success(), "{body}");
    body["id"].as_i64().unwrap()
}

pub fn today(t: &TestApp) -> String {
    business_date(t.app.clock().now()).to_string()
}

pub async fn declare(
    t: &TestApp,
    s: &Session,
    item: &str,
    photos: &[i64],
    text: &str,
) -> (StatusCode, Value) {
    post(
        t,
        "/api/v1/declarations",
        Some(&s.token),
        json!({
            "itemCode": item,
            "occurredOn": today(t),
            "memberId": s.member_id,
            "text": text,
            "photoIds": photos,
        }),
    )
    .await
}

/// R8: declares `item` with `photos` for the caller and expects it created; returns its id.
pub async fn declared(t: &TestApp, s: &Session, item: &str, photos: &[i64], text: &str) -> i64 {
    let (status, body) = declare(t, s, item, photos, text).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// Uploads a photo of `seed` and declares `item` with it; returns the declaration id.
pub async fn declare_with_photo(t: &TestApp, s: &Session, item: &str, seed: u8, text: &str) -> i64 {
    let photo = photo_id(t, &s.token, seed).await;
    declared(t, s, item, &[photo], text).await
}

pub async fn decide(t: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    post(
        t,
        &format!("/api/v1/admin/declarations/{id}/decision"),
        Some(token),
        body,
    )
    .await
}

pub async fn outbox_by_key(t: &TestApp, key: &str) -> Option<OutboxMessage> {
    outbox::get_by_key(t.store().connection(), key)
        .await
        .unwrap()
}

/// Waits until the outbox message `key` is done (sent or failed for good); returns it.
pub async fn outbox_settled(t: &TestApp, key: &str) -> OutboxMessage {
    poll(Duration::from_secs(20), || async {
        outbox_by_key(t, key)
            .await
            .filter(|m| m.status == "sent" || m.status == "failed")
    })
    .await
}

/// The declaration as stored.
pub async fn record(t: &TestApp, id: i64) -> DeclarationRecord {
    store_decl::declaration(t.store().connection(), DeclarationId(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no declaration {id}"))
}

/// Waits until the declaration is in `state` (`approved`, `rejected`, …); returns it.
pub async fn wait_state(t: &TestApp, id: i64, state: &str) -> DeclarationRecord {
    poll(Duration::from_secs(20), || async {
        let r = record(t, id).await;
        (r.state.to_string() == state).then_some(r)
    })
    .await
}

/// F4: waits until the declaration's approval exists in DingTalk; returns its instance id.
pub async fn approval_of(t: &TestApp, id: i64) -> String {
    poll(Duration::from_secs(20), || async {
        record(t, id).await.process_instance_id
    })
    .await
}

/// F4: waits until the admins' card of the declaration exists in DingTalk; returns it.
pub async fn card_of(t: &TestApp, id: i64) -> Value {
    let out_track_id = record(t, id).await.card_out_track_id;
    poll(Duration::from_secs(20), || async {
        sim_get(t, "/sim/cards")
            .await
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["outTrackId"] == out_track_id.as_str())
            .cloned()
    })
    .await
}

pub async fn outbox_count(t: &TestApp) -> usize {
    outbox::list(t.store().connection(), None)
        .await
        .unwrap()
        .len()
}

/// The calendar year of today's business date (the demo villages' points-year).
pub fn points_year(t: &TestApp) -> PointsYear {
    PointsYear(
        business_date(t.app.clock().now())
            .format("%Y")
            .to_string()
            .parse()
            .unwrap(),
    )
}

/// Amounts of the ledger entries of a household booked for a declaration (R12: at most one).
pub async fn entries_for(t: &TestApp, household: i64, declaration: i64) -> Vec<i64> {
    let year = points_year(t);
    let mut out = Vec::new();
    for y in [year, PointsYear(year.0 - 1)] {
        for e in t
            .store()
            .household_entries(HouseholdId(household), y)
            .await
            .unwrap()
        {
            if e.entry.declaration == Some(DeclarationId(declaration)) {
                out.push(e.entry.amount.get());
            }
        }
    }
    out
}

pub async fn audit_actions(t: &TestApp, admin: &Session, household: i64) -> Vec<String> {
    let (status, body) = get(
        t,
        &format!(
            "/api/v1/admin/audit?villageId={}&householdId={household}&perPage=100",
            admin.village_id
        ),
        Some(&admin.token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// Ids `(member, household)` of a demo member by its code (`heping-02-001-1`), read from the
/// database the service uses.
pub async fn member_by_code(t: &TestApp, code: &str) -> (i64, i64) {
    use aidazu_store::ConnectionTrait;
    use sea_orm::Statement;
    assert!(
        code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
        "plain member code"
    );
    let db = t.store().connection();
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT id, household_id FROM members WHERE code = '{code}'"),
        ))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no member {code}"));
    (
        row.try_get::<i64>("", "id").unwrap(),
        row.try_get::<i64>("", "household_id").unwrap(),
    )
}

/// Audit actions recorded by `actor_token`'s scope for a village, newest first.
pub async fn village_audit(t: &TestApp, token: &str, village: i64) -> Vec<Value> {
    let (status, body) = get(
        t,
        &format!("/api/v1/admin/audit?villageId={village}&perPage=100"),
        Some(token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["entries"].as_array().unwrap().clone()
}

/// Any JSON request with an optional bearer token → status and JSON.
pub async fn send(
    t: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut req = t.http.request(method, t.url(path)).json(&body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// F5: the openConversationId of a village's group in the simulator (the demo has one group per
/// pilot village, titled after it).
pub async fn sim_group_of(t: &TestApp, village_name: &str) -> String {
    let groups = crate::support::sim_get(t, "/sim/groups").await;
    groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["title"].as_str().unwrap().starts_with(village_name))
        .unwrap_or_else(|| panic!("a group for {village_name}"))["openConversationId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// F5: the admin points the village's notices at its simulator group; returns the group id.
pub async fn set_notice_group(
    t: &TestApp,
    admin: &Session,
    village: i64,
    village_name: &str,
) -> String {
    let group = sim_group_of(t, village_name).await;
    let (status, body) = send(
        t,
        reqwest::Method::PUT,
        &format!("/api/v1/admin/villages/{village}/notice-group"),
        Some(&admin.token),
        json!({ "openConversationId": group }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    group
}

/// F5: the robot messages a simulator group received.
pub async fn group_messages(t: &TestApp, group: &str) -> Vec<Value> {
    crate::support::sim_get(
        t,
        &format!(
            "/sim/group-messages?openConversationId={}",
            group.replace('=', "%3D").replace('+', "%2B")
        ),
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

/// `GET` a file (export, poster, QR image): asserts 200 and a `content-type` starting with
/// `content_type`; returns the headers and the bytes.
pub async fn download(
    t: &TestApp,
    path: &str,
    token: Option<&str>,
    content_type: &str,
) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let resp = get_response(t, path, token).await;
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    let headers = resp.headers().clone();
    let got = headers["content-type"].to_str().unwrap();
    assert!(got.starts_with(content_type), "{path}: {got}");
    (headers, resp.bytes().await.unwrap().to_vec())
}
