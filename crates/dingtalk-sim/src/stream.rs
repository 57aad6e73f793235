//! Stream mode (API.md §4): `POST /v1.0/gateway/connections/open` hands out a ticket, the app
//! opens `ws://<addr>/connect?ticket=`, and the simulator pushes frames
//! `{"specVersion":"1.0","type","headers","data":"<JSON string>"}` and waits for ACKs
//! `{"code","headers":{"messageId"},"message","data"}`.
//!
//! Each message goes to one randomly chosen connection with a matching subscription
//! (`EVENT` + `*` for events; `CALLBACK` + the exact topic for card actions).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rand::seq::SliceRandom;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio::sync::{mpsc, oneshot};

use crate::delivery::OutboundEvent;
use crate::ids;
use crate::state::{Sim, StreamGrant};
use crate::wire::api;

/// Topic of card action callbacks.
pub const CARD_CALLBACK_TOPIC: &str = "/v1.0/card/instances/callback";

/// An ACK from the app, as far as it could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Ack {
    /// `code` (200 = OK); `None` when absent or not an integer.
    pub code: Option<i64>,
    /// `data`, parsed from its JSON string (or `Null` when absent).
    pub data: Value,
    /// Why the ACK is malformed (a frame with a `messageId` that is otherwise not an ACK).
    pub malformed: Option<String>,
}

/// What a connection task is told to do.
#[derive(Debug)]
enum Command {
    Send(String),
    Drop,
    Disconnect(Duration),
}

struct Conn {
    connection_id: String,
    subscriptions: Vec<(String, String)>,
    tx: mpsc::UnboundedSender<Command>,
    pending: HashMap<String, oneshot::Sender<Ack>>,
}

/// Open Stream connections.
#[derive(Default)]
pub struct StreamHub {
    inner: Mutex<(u64, BTreeMap<u64, Conn>)>,
}

/// A frame sent and the ACK to wait for.
pub struct PendingAck {
    /// Connection the frame went to.
    pub connection_id: String,
    /// Resolves with the ACK (errors when the connection closes first).
    pub ack: oneshot::Receiver<Ack>,
}

impl StreamHub {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, BTreeMap<u64, Conn>)> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn register(
        &self,
        subscriptions: Vec<(String, String)>,
        tx: mpsc::UnboundedSender<Command>,
    ) -> (u64, String) {
        let mut guard = self.lock();
        guard.0 += 1;
        let id = guard.0;
        let connection_id = ids::uuid();
        guard.1.insert(
            id,
            Conn {
                connection_id: connection_id.clone(),
                subscriptions,
                tx,
                pending: HashMap::new(),
            },
        );
        (id, connection_id)
    }

    fn unregister(&self, id: u64) {
        self.lock().1.remove(&id);
    }

    fn resolve(&self, id: u64, message_id: &str, ack: Ack) {
        if let Some(sender) = self
            .lock()
            .1
            .get_mut(&id)
            .and_then(|c| c.pending.remove(message_id))
        {
            let _ = sender.send(ack);
        }
    }

    /// Sends a frame built for a randomly chosen connection subscribed to `(kind, topic)`.
    fn send(
        &self,
        kind: &str,
        topic: &str,
        build: impl FnOnce(&str) -> (String, Value),
    ) -> Option<PendingAck> {
        let mut guard = self.lock();
        let candidates: Vec<u64> = guard
            .1
            .iter()
            .filter(|(_, conn)| {
                conn.subscriptions.iter().any(|(k, t)| {
                    k.eq_ignore_ascii_case(kind) && (t == topic || (kind == "EVENT" && t == "*"))
                })
            })
            .map(|(id, _)| *id)
            .collect();
        let id = *candidates.choose(&mut rand::thread_rng())?;
        let conn = guard.1.get_mut(&id)?;
        let (message_id, frame) = build(&conn.connection_id);
        let (tx, rx) = oneshot::channel();
        conn.pending.insert(message_id, tx);
        conn.tx.send(Command::Send(frame.to_string())).ok()?;
        Some(PendingAck {
            connection_id: conn.connection_id.clone(),
            ack: rx,
        })
    }

    /// Open connections with their subscriptions.
    pub fn list(&self) -> Vec<Value> {
        self.lock()
            .1
            .values()
            .map(|c| {
                json!({
                    "connectionId": c.connection_id,
                    "subscriptions": c.subscriptions.iter()
                        .map(|(k, t)| json!({"type": k, "topic": t})).collect::<Vec<_>>(),
                    "pendingAcks": c.pending.len(),
                })
            })
            .collect()
    }

    /// Closes every connection abruptly (no close frame). Returns how many.
    pub fn drop_all(&self) -> usize {
        let guard = self.lock();
        guard
            .1
            .values()
            .filter(|c| c.tx.send(Command::Drop).is_ok())
            .count()
    }

    /// Sends the SYSTEM `disconnect` frame to every connection, closing each after `grace`.
    pub fn disconnect_all(&self, grace: Duration) -> usize {
        let guard = self.lock();
        guard
            .1
            .values()
            .filter(|c| c.tx.send(Command::Disconnect(grace)).is_ok())
            .count()
    }

    /// Sends a SYSTEM `ping` to every connection; returns each connection's pending reply and
    /// the opaque value it must echo.
    pub fn ping_all(&self) -> Vec<(PendingAck, String)> {
        let ids: Vec<u64> = self.lock().1.keys().copied().collect();
        ids.into_iter()
            .filter_map(|id| {
                let opaque = ids::uuid();
                let mut guard = self.lock();
                let conn = guard.1.get_mut(&id)?;
                let message_id = message_id();
                let frame = frame(
                    "SYSTEM",
                    headers("ping", &message_id, &conn.connection_id, None),
                    json!({"opaque": opaque}),
                );
                let (tx, rx) = oneshot::channel();
                conn.pending.insert(message_id, tx);
                conn.tx.send(Command::Send(frame.to_string())).ok()?;
                Some((
                    PendingAck {
                        connection_id: conn.connection_id.clone(),
                        ack: rx,
                    },
                    opaque,
                ))
            })
            .collect()
    }
}

fn message_id() -> String {
    format!(
        "{}_{}_{}_{}",
        ids::hex_lower(8),
        rand::random::<u16>() % 1000,
        ids::hex_lower(11),
        ids::hex_lower(4)
    )
}

fn headers(
    topic: &str,
    message_id: &str,
    connection_id: &str,
    extra: Option<Map<String, Value>>,
) -> Map<String, Value> {
    let mut headers = Map::new();
    headers.insert("topic".into(), json!(topic));
    headers.insert("messageId".into(), json!(message_id));
    headers.insert("contentType".into(), json!("application/json"));
    headers.insert(
        "time".into(),
        json!(chrono::Utc::now().timestamp_millis().to_string()),
    );
    headers.insert("connectionId".into(), json!(connection_id));
    if let Some(extra) = extra {
        headers.extend(extra);
    }
    headers
}

fn frame(kind: &str, headers: Map<String, Value>, data: Value) -> Value {
    json!({ "specVersion": "1.0", "type": kind, "headers": headers, "data": data.to_string() })
}

/// Sends an EVENT frame when a connection subscribes to events.
pub fn send_event(sim: &Sim, event: &OutboundEvent) -> Option<PendingAck> {
    let app_key = sim.config().app_key.clone();
    sim.streams().send("EVENT", "*", |connection_id| {
        let message_id = message_id();
        let mut extra = Map::new();
        extra.insert("appId".into(), json!(app_key));
        extra.insert("eventType".into(), json!(event.event_type));
        extra.insert("eventId".into(), json!(event.event_id));
        extra.insert("eventCorpId".into(), json!(event.corp_id));
        extra.insert("eventBornTime".into(), json!(event.born_ms.to_string()));
        extra.insert("eventUnifiedAppId".into(), json!(app_key));
        let frame = frame(
            "EVENT",
            headers("*", &message_id, connection_id, Some(extra)),
            event.data.clone(),
        );
        (message_id, frame)
    })
}

/// Sends a CALLBACK frame on `topic` when a connection subscribes to it.
pub fn send_callback(sim: &Sim, topic: &str, data: &Value) -> Option<PendingAck> {
    let app_key = sim.config().app_key.clone();
    sim.streams().send("CALLBACK", topic, |connection_id| {
        let message_id = message_id();
        let mut extra = Map::new();
        extra.insert("appId".into(), json!(app_key));
        let frame = frame(
            "CALLBACK",
            headers(topic, &message_id, connection_id, Some(extra)),
            data.clone(),
        );
        (message_id, frame)
    })
}

/// `GET /connect?ticket=`.
#[derive(Deserialize)]
pub struct ConnectQuery {
    ticket: Option<String>,
}

/// WebSocket handshake: the ticket must be valid (90 s, single use).
pub async fn connect(
    State(sim): State<Sim>,
    Query(query): Query<ConnectQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let now = sim.clock().now();
    let grant = query
        .ticket
        .and_then(|ticket| sim.with_data(|data| data.tickets.redeem(&ticket, now)));
    let Some(grant) = grant else {
        return api::error(
            StatusCode::UNAUTHORIZED,
            "invalidTicket",
            "ticket 无效或已过期",
        );
    };
    upgrade
        .on_upgrade(move |socket| run_connection(sim, socket, grant))
        .into_response()
}

async fn run_connection(sim: Sim, mut socket: WebSocket, grant: StreamGrant) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (id, connection_id) = sim.streams().register(grant.subscriptions, tx);
    tracing::debug!(%connection_id, "simulator stream connection opened");
    let mut closing_at: Option<tokio::time::Instant> = None;
    let shutdown = sim.shutdown_token().clone();
    loop {
        let close_timer = async {
            match closing_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = close_timer => {
                let _ = socket.send(Message::Close(None)).await;
                break;
            }
            command = rx.recv() => match command {
                Some(Command::Send(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(Command::Disconnect(grace)) => {
                    let message_id = message_id();
                    let frame = frame("SYSTEM", headers("disconnect", &message_id, &connection_id, None),
                        json!({"reason": "connection is expired"}));
                    if socket.send(Message::Text(frame.to_string().into())).await.is_err() {
                        break;
                    }
                    closing_at = Some(tokio::time::Instant::now() + grace);
                }
                Some(Command::Drop) | None => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if let Some((message_id, ack)) = parse_ack(text.as_str()) {
                        sim.streams().resolve(id, &message_id, ack);
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    sim.streams().unregister(id);
    tracing::debug!(%connection_id, "simulator stream connection closed");
}

/// Reads an ACK frame. `None` without `headers.messageId` (nothing to match it to: the attempt
/// then times out). An ACK whose `code` is not an integer, or whose `data` is neither a JSON
/// string holding JSON nor a JSON object, is kept as malformed (a delivery failure).
fn parse_ack(text: &str) -> Option<(String, Ack)> {
    let value: Value = serde_json::from_str(text).ok()?;
    let message_id = value.pointer("/headers/messageId")?.as_str()?.to_owned();
    let mut malformed = None;
    let code = value.get("code").and_then(Value::as_i64);
    if code.is_none() {
        malformed = Some("ACK 缺少整数 code".to_owned());
    }
    let data = match value.get("data") {
        Some(Value::String(s)) if s.is_empty() => Value::Null,
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or_else(|_| {
            malformed.get_or_insert_with(|| "ACK data 不是 JSON 字符串".to_owned());
            Value::String(s.clone())
        }),
        Some(Value::Null) | None => Value::Null,
        Some(object @ Value::Object(_)) => object.clone(),
        Some(other) => {
            malformed.get_or_insert_with(|| "ACK data 既不是字符串也不是对象".to_owned());
            other.clone()
        }
    };
    Some((
        message_id,
        Ack {
            code,
            data,
            malformed,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acks_parse_with_string_data() {
        let (id, ack) = parse_ack(
            r#"{"code":200,"headers":{"messageId":"m1","contentType":"application/json"},"message":"OK","data":"{\"status\":\"SUCCESS\"}"}"#,
        )
        .expect("ack parses");
        assert_eq!(id, "m1");
        assert_eq!(ack.code, Some(200));
        assert_eq!(ack.data["status"], "SUCCESS");
        assert_eq!(ack.malformed, None);
        assert!(parse_ack("{\"code\":200}").is_none(), "messageId required");
    }

    #[test]
    fn malformed_acks_are_kept_as_malformed() {
        for text in [
            r#"{"headers":{"messageId":"m1"},"data":"{}"}"#,
            r#"{"code":"200","headers":{"messageId":"m1"},"data":"{}"}"#,
            r#"{"code":200,"headers":{"messageId":"m1"},"data":"not json"}"#,
            r#"{"code":200,"headers":{"messageId":"m1"},"data":[1]}"#,
        ] {
            let (_, ack) = parse_ack(text).expect("has a message id");
            assert!(ack.malformed.is_some(), "{text}");
        }
    }
}
