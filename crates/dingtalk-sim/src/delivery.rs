//! Event delivery, as DingTalk does it (API.md §3.3–3.5, §4.2–4.3).
//!
//! Mode, chosen again for every attempt: **Stream** when the app holds an open Stream
//! connection subscribed to `EVENT`; otherwise **HTTP** to the configured callback URL. Without
//! either the attempt fails ("none").
//!
//! * HTTP: `POST <url>?signature&timestamp&nonce&msg_signature&timeStamp` with body
//!   `{"encrypt"}`; delivered only when the app answers HTTP 200 with JSON
//!   `{msg_signature,timeStamp,nonce,encrypt}` whose signature is right and whose `encrypt`
//!   decrypts (with the owner key) to `success`, within `event_timeout`.
//! * Stream: an `EVENT` frame; delivered on an ACK with code 200 whose `status` is absent or
//!   `SUCCESS` within `event_timeout` (see [`judge_event_ack`]).
//!
//! First attempts go out in the order events were emitted; a failed event is retried after each
//! of `retry_delays` (same `eventId` every time), then marked failed and kept for
//! `call_back/get_call_back_failed_result`. Every attempt is recorded (`GET /sim/events`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use dingtalk::callback::CallbackCrypto;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::config::CallbackTarget;
use crate::ids;
use crate::state::Sim;
use crate::stream::{self, Ack};

/// The deadline DingTalk gives `check_url` (API.md §3.3).
pub const CHECK_URL_DEADLINE: Duration = Duration::from_millis(1500);

/// An event waiting to be delivered.
#[derive(Debug, Clone)]
pub struct OutboundEvent {
    /// `eventId`, the same on every retry.
    pub event_id: String,
    /// `EventType`.
    pub event_type: String,
    /// Corp id.
    pub corp_id: String,
    /// When the event was born (simulated clock, ms).
    pub born_ms: i64,
    /// Stream `data`.
    pub data: Value,
    /// Decrypted HTTP payload.
    pub http_payload: Value,
}

/// How an attempt was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Encrypted HTTP push.
    Http,
    /// Stream frame.
    Stream,
    /// No Stream connection and no callback URL.
    None,
}

/// One delivery attempt.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// 1 = first delivery, 2.. = retries.
    pub attempt: u32,
    /// When it started (wall clock).
    pub at: DateTime<Utc>,
    /// Transport.
    pub mode: Mode,
    /// URL or connection id.
    pub target: String,
    /// Whether the app acknowledged correctly.
    pub delivered: bool,
    /// What happened, in words.
    pub detail: String,
}

/// Delivery state of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventStatus {
    /// Not yet acknowledged, retries remain.
    Pending,
    /// Acknowledged.
    Delivered,
    /// Every attempt failed.
    Failed,
}

/// An event and its attempts, as listed by `GET /sim/events`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    /// `eventId`.
    pub event_id: String,
    /// `EventType`.
    pub event_type: String,
    /// Decrypted HTTP payload.
    pub payload: Value,
    /// Status.
    pub status: EventStatus,
    /// Attempts so far.
    pub attempts: Vec<Attempt>,
}

struct Outcome {
    mode: Mode,
    target: String,
    delivered: bool,
    detail: String,
}

/// Drains the outbox: first attempts in order, retries in the background.
pub async fn run_dispatcher(sim: Sim, mut outbox: mpsc::UnboundedReceiver<OutboundEvent>) {
    while let Some(event) = outbox.recv().await {
        sim.with_data(|data| {
            data.events.push(EventRecord {
                event_id: event.event_id.clone(),
                event_type: event.event_type.clone(),
                payload: event.http_payload.clone(),
                status: EventStatus::Pending,
                attempts: Vec::new(),
            });
        });
        if sim.with_faults(|faults| faults.callbacks_down) {
            mark_failed(&sim, &event);
            continue;
        }
        if attempt(&sim, &event, 1).await {
            maybe_duplicate(&sim, &event, 2).await;
            continue;
        }
        let retry_sim = sim.clone();
        sim.spawn(async move { retry(retry_sim, event).await });
    }
}

async fn retry(sim: Sim, event: OutboundEvent) {
    let delays = sim.config().retry_delays.clone();
    for (index, delay) in delays.iter().enumerate() {
        tokio::time::sleep(*delay).await;
        let number = u32::try_from(index + 2).unwrap_or(u32::MAX);
        if attempt(&sim, &event, number).await {
            maybe_duplicate(&sim, &event, number + 1).await;
            return;
        }
    }
    mark_failed(&sim, &event);
}

/// After the last retry: the event is failed and kept for `get_call_back_failed_result`.
fn mark_failed(sim: &Sim, event: &OutboundEvent) {
    sim.with_data(|data| {
        if let Some(record) = data
            .events
            .iter_mut()
            .find(|r| r.event_id == event.event_id)
        {
            record.status = EventStatus::Failed;
        }
        data.failed_events.push(failed_entry(event));
    });
}

/// Fault knob `duplicateRate`: delivers an acknowledged event once more, same `eventId`.
async fn maybe_duplicate(sim: &Sim, event: &OutboundEvent, number: u32) {
    let rate = sim
        .with_faults(|faults| faults.duplicate_rate)
        .clamp(0.0, 1.0);
    if rand::Rng::gen_bool(&mut rand::thread_rng(), rate) {
        attempt(sim, event, number).await;
    }
}

/// An entry of `get_call_back_failed_result` (API.md §3.5): payload under a key per tag.
fn failed_entry(event: &OutboundEvent) -> Value {
    let (key, payload) = if event.event_type.starts_with("bpms_") {
        ("bpmsCallBackData".to_owned(), event.http_payload.clone())
    } else if event.event_type.starts_with("user_") {
        let users = event
            .http_payload
            .get("UserId")
            .cloned()
            .unwrap_or(Value::Null);
        (
            event.event_type.clone(),
            json!({ "userid": users, "corpid": event.corp_id }),
        )
    } else {
        ("callbackData".to_owned(), event.http_payload.clone())
    };
    json!({
        "call_back_tag": event.event_type,
        "event_time": event.born_ms,
        key: payload,
    })
}

async fn attempt(sim: &Sim, event: &OutboundEvent, number: u32) -> bool {
    let started = Utc::now();
    let outcome = deliver_once(sim, event).await;
    let delivered = outcome.delivered;
    tracing::debug!(
        event.id = %event.event_id,
        event.kind = %event.event_type,
        attempt = number,
        mode = ?outcome.mode,
        delivered,
        "simulator event delivery attempt"
    );
    sim.with_data(|data| {
        if let Some(record) = data
            .events
            .iter_mut()
            .find(|r| r.event_id == event.event_id)
        {
            record.attempts.push(Attempt {
                attempt: number,
                at: started,
                mode: outcome.mode,
                target: outcome.target,
                delivered,
                detail: outcome.detail,
            });
            let retries_left =
                number <= u32::try_from(sim.config().retry_delays.len()).unwrap_or(u32::MAX);
            record.status = if delivered || record.status == EventStatus::Delivered {
                EventStatus::Delivered
            } else if retries_left {
                EventStatus::Pending
            } else {
                EventStatus::Failed
            };
        }
    });
    delivered
}

async fn deliver_once(sim: &Sim, event: &OutboundEvent) -> Outcome {
    let timeout = sim.config().event_timeout;
    if let Some(pending) = stream::send_event(sim, event) {
        let (delivered, detail) = match tokio::time::timeout(timeout, pending.ack).await {
            Ok(Ok(ack)) => judge_event_ack(&ack),
            Ok(Err(_)) => (false, "连接在确认前关闭".to_owned()),
            Err(_) => (false, format!("{} ms 内未收到 ACK", timeout.as_millis())),
        };
        return Outcome {
            mode: Mode::Stream,
            target: pending.connection_id,
            delivered,
            detail,
        };
    }
    let Some(target) = sim.callback() else {
        return Outcome {
            mode: Mode::None,
            target: String::new(),
            delivered: false,
            detail: "没有 Stream 连接，也没有配置回调地址".to_owned(),
        };
    };
    let plaintext = event.http_payload.to_string();
    let result = push_http(sim.http(), &target, &plaintext, timeout).await;
    Outcome {
        mode: Mode::Http,
        target: target.url.clone(),
        delivered: result.is_ok(),
        detail: result.unwrap_or_else(|detail| detail),
    }
}

/// Whether an EVENT ACK means "delivered".
///
/// * `code == 200` and `data.status` absent or `SUCCESS` → delivered. DingTalk's Stream
///   protocol lets the SDKs turn the handler's result into the ACK, so DingTalk accepts what its
///   SDKs send: the Node and Java SDKs send `{"status":"SUCCESS"}`, the Python SDK
///   (`dingtalk-stream` 0.24.3) echoes the event's own payload with no `status` at all.
/// * `status` `LATER` (or any other status), or a code other than 200 (the Go SDK sends 500 +
///   `LATER`, the Python SDK 400/500 on handler errors) → failed, redelivered later.
/// * A malformed ACK (no integer `code`, `data` not JSON) → failed.
pub(crate) fn judge_event_ack(ack: &Ack) -> (bool, String) {
    if let Some(reason) = &ack.malformed {
        return (false, format!("ACK 格式错误：{reason}"));
    }
    let code = ack.code.unwrap_or_default();
    let status = match ack.data.get("status") {
        None | Some(Value::Null) => None,
        Some(Value::String(status)) => Some(status.as_str()),
        Some(_) => return (false, format!("ACK code={code} status 不是字符串")),
    };
    match (code, status) {
        (200, None) => (true, "ACK code=200（无 status，按成功处理）".to_owned()),
        (200, Some("SUCCESS")) => (true, "ACK SUCCESS".to_owned()),
        (code, status) => (
            false,
            format!("ACK code={code} status={}", status.unwrap_or("")),
        ),
    }
}

#[cfg(test)]
mod ack_tests {
    use serde_json::json;

    use super::*;

    fn ack(code: Option<i64>, data: Value) -> Ack {
        Ack {
            code,
            data,
            malformed: None,
        }
    }

    #[test]
    fn sdk_acks_are_judged_as_dingtalk_accepts_them() {
        // Node / Java SDK and our client.
        assert!(
            judge_event_ack(&ack(
                Some(200),
                json!({"status": "SUCCESS", "message": "OK"})
            ))
            .0
        );
        // Python SDK: the event payload echoed, no status.
        assert!(judge_event_ack(&ack(Some(200), json!({"EventType": "user_add_org"}))).0);
        assert!(judge_event_ack(&ack(Some(200), Value::Null)).0);
        // Failures: LATER, other statuses, non-200 codes, malformed.
        assert!(!judge_event_ack(&ack(Some(200), json!({"status": "LATER"}))).0);
        assert!(!judge_event_ack(&ack(Some(200), json!({"status": "FAIL"}))).0);
        assert!(!judge_event_ack(&ack(Some(200), json!({"status": 1}))).0);
        assert!(!judge_event_ack(&ack(Some(500), json!({"status": "LATER"}))).0);
        assert!(!judge_event_ack(&ack(Some(400), json!({"status": "SUCCESS"}))).0);
        let malformed = Ack {
            code: None,
            data: Value::Null,
            malformed: Some("ACK 缺少整数 code".into()),
        };
        assert!(!judge_event_ack(&malformed).0);
    }
}

/// Pushes one encrypted message and checks the sealed `success` reply.
/// `Ok(detail)` when delivered, `Err(detail)` otherwise.
pub async fn push_http(
    http: &reqwest::Client,
    target: &CallbackTarget,
    plaintext: &str,
    timeout: Duration,
) -> Result<String, String> {
    let crypto = CallbackCrypto::new(&target.token, &target.aes_key, &target.owner_key)
        .map_err(|error| format!("回调配置无效：{error}"))?;
    let encrypt = crypto.encrypt(plaintext);
    // Wall-clock timestamp: the receiver checks freshness against its own clock.
    let timestamp = Utc::now().timestamp_millis().to_string();
    let nonce = ids::alnum(16);
    let signature = crypto.signature(&timestamp, &nonce, &encrypt);
    let request = http
        .post(&target.url)
        .query(&[
            ("signature", signature.as_str()),
            ("msg_signature", signature.as_str()),
            ("timestamp", timestamp.as_str()),
            ("timeStamp", timestamp.as_str()),
            ("nonce", nonce.as_str()),
        ])
        .json(&json!({ "encrypt": encrypt }))
        .timeout(timeout);
    let response = request.send().await.map_err(|error| {
        if error.is_timeout() {
            format!("{} ms 内未应答", timeout.as_millis())
        } else {
            format!("请求失败：{error}")
        }
    })?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|error| format!("读取应答失败：{error}"))?;
    if status != reqwest::StatusCode::OK {
        return Err(format!("应答状态 {status}"));
    }
    verify_reply(&crypto, &body)
}

/// Checks an app's reply: JSON `{msg_signature,timeStamp,nonce,encrypt}`, right signature,
/// decrypting to `success` with the expected owner key.
pub fn verify_reply(crypto: &CallbackCrypto, body: &str) -> Result<String, String> {
    let reply: Value = serde_json::from_str(body).map_err(|_| "应答不是 JSON".to_owned())?;
    let field = |name: &str| {
        reply
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("应答缺少字段 {name}"))
    };
    let (signature, time_stamp, nonce, encrypt) = (
        field("msg_signature")?,
        field("timeStamp")?,
        field("nonce")?,
        field("encrypt")?,
    );
    if crypto.signature(time_stamp, nonce, encrypt) != signature.to_ascii_lowercase() {
        return Err("应答签名错误".to_owned());
    }
    match crypto.decrypt(encrypt) {
        Ok(text) if text == "success" => Ok("应答 success 校验通过".to_owned()),
        Ok(text) => Err(format!(
            "应答解密后不是 success：{}",
            text.chars().take(40).collect::<String>()
        )),
        Err(error) => Err(format!("应答无法解密：{error}")),
    }
}

/// Sends `check_url` to the current callback URL with DingTalk's 1500 ms deadline; records it
/// as an event with one attempt.
pub async fn check_url(sim: &Sim) -> (bool, String) {
    let payload = json!({ "EventType": "check_url" });
    let event_id = ids::hex_lower(32);
    let started = Utc::now();
    let (target_url, result) = match sim.callback() {
        Some(target) => {
            let result = push_http(
                sim.http(),
                &target,
                &payload.to_string(),
                CHECK_URL_DEADLINE,
            )
            .await;
            (target.url, result)
        }
        None => (String::new(), Err("没有配置回调地址".to_owned())),
    };
    let delivered = result.is_ok();
    let detail = result.unwrap_or_else(|detail| detail);
    sim.with_data(|data| {
        data.events.push(EventRecord {
            event_id,
            event_type: "check_url".into(),
            payload,
            status: if delivered {
                EventStatus::Delivered
            } else {
                EventStatus::Failed
            },
            attempts: vec![Attempt {
                attempt: 1,
                at: started,
                mode: Mode::Http,
                target: target_url,
                delivered,
                detail: detail.clone(),
            }],
        });
    });
    (delivered, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crypto() -> CallbackCrypto {
        CallbackCrypto::new(
            "tokenxxxx",
            "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus",
            "dingxxxxxx",
        )
        .expect("valid key")
    }

    #[test]
    fn sealed_success_reply_is_accepted() {
        let crypto = crypto();
        let reply = crypto.seal_success(std::time::SystemTime::now());
        let body = serde_json::to_string(&reply).expect("serialises");
        assert!(verify_reply(&crypto, &body).is_ok());
    }

    #[test]
    fn wrong_replies_are_rejected() {
        let crypto = crypto();
        assert!(
            verify_reply(&crypto, "success").is_err(),
            "plain text is not enough"
        );
        let not_success = crypto.seal("fail", "1", "n");
        let body = serde_json::to_string(&not_success).expect("serialises");
        assert!(verify_reply(&crypto, &body).is_err());
        let mut forged = crypto.seal("success", "1", "n");
        forged.msg_signature = "0".repeat(40);
        let body = serde_json::to_string(&forged).expect("serialises");
        assert_eq!(verify_reply(&crypto, &body), Err("应答签名错误".to_owned()));
        let other_owner = CallbackCrypto::new(
            "tokenxxxx",
            "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus",
            "other",
        )
        .expect("valid key")
        .seal("success", "1", "n");
        let body = serde_json::to_string(&other_owner).expect("serialises");
        assert!(
            verify_reply(&crypto, &body).is_err(),
            "owner key must match"
        );
    }
}
