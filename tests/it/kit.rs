//! The one end-to-end kit: request helpers over the real service (login as a demo user through
//! the simulator's auth codes, JSON post/get, photo upload, declare, decide, the error envelope
//! assertion) and direct reads of the outbox, ledger and audit. Every e2e file uses these; none
//! keeps its own copy.

use std::io::Cursor;

use aidazu_domain::calendar::{PointsYear, business_date};
use aidazu_domain::{DeclarationId, HouseholdId};
use aidazu_store::outbox::{self, OutboxMessage};
use aidazu_testkit::TestApp;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

/// A logged-in demo user.
pub struct Session {
    pub token: String,
    pub member_id: i64,
    pub household_id: i64,
    pub village_id: i64,
}

pub async fn login(t: &TestApp, user_id: &str) -> Session {
    let sim = t.sim_url.clone().expect("sim mode");
    let resp = t
        .http
        .post(format!("{sim}/sim/auth-codes"))
        .json(&json!({ "userId": user_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let code: Value = resp.json().await.unwrap();
    let (status, body) = post(
        t,
        "/api/v1/auth/dingtalk",
        None,
        json!({ "authCode": code["code"], "client": "miniapp" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "login {user_id}: {body}");
    Session {
        token: body["accessToken"].as_str().unwrap().to_owned(),
        member_id: body["member"]["id"].as_i64().unwrap_or_default(),
        household_id: body["member"]["householdId"].as_i64().unwrap_or_default(),
        village_id: body["member"]["villageId"].as_i64().unwrap_or_default(),
    }
}

pub async fn post(
    t: &TestApp,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut req = t.http.post(t.url(path)).json(&body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

pub async fn get(t: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    let resp = t
        .http
        .get(t.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

pub fn assert_envelope(status: StatusCode, body: &Value, want: StatusCode, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
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

pub async fn upload_retrying_resets(
    t: &TestApp,
    token: &str,
    name: &str,
    len: usize,
) -> (StatusCode, Value) {
    for _ in 0..5 {
        let part = Part::bytes(vec![0xFF; len])
            .file_name(name.to_owned())
            .mime_str("image/jpeg")
            .unwrap();
        let sent = t
            .http
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
    outbox::get_by_key(t.app.store().connection(), key)
        .await
        .unwrap()
}

pub async fn outbox_count(t: &TestApp) -> usize {
    outbox::list(t.app.store().connection(), None)
        .await
        .unwrap()
        .len()
}

/// Ledger entries of a household booked for a declaration.
pub async fn entries_for(t: &TestApp, household: i64, declaration: i64) -> Vec<i64> {
    let year = PointsYear(
        business_date(t.app.clock().now())
            .format("%Y")
            .to_string()
            .parse()
            .unwrap(),
    );
    let mut out = Vec::new();
    for y in [year, PointsYear(year.0 - 1)] {
        for e in t
            .app
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
        &admin.token,
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
    let db = t.app.store().connection();
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
        token,
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
