//! EVENT ACKs as DingTalk's SDKs send them (issue 13, point 1): `code == 200` with `status`
//! absent or `SUCCESS` is delivered; `LATER`, another status, a non-200 code or a malformed ACK is
//! a failure and the event is redelivered with the same `eventId`.

use futures::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::stream::{Socket, connect, next_frame, wait_for_connection};
use crate::support::{TestSim, start};

async fn send(socket: &mut Socket, reply: Value) {
    socket
        .send(Message::text(reply.to_string()))
        .await
        .expect("ack sent");
}

fn message_id(frame: &Value) -> Value {
    frame["headers"]["messageId"].clone()
}

/// `open-dingtalk/dingtalk-stream-sdk-nodejs`: `{code:200, headers:{contentType, messageId},
/// message:'OK', data: JSON.stringify({status: EventAck.SUCCESS, message})}`.
fn node_ack(frame: &Value, status: &str) -> Value {
    json!({
        "code": 200,
        "headers": {"contentType": "application/json", "messageId": message_id(frame)},
        "message": "OK",
        "data": json!({"status": status, "message": "OK"}).to_string(),
    })
}

/// `dingtalk-stream` 0.24.3 (Python) for a handler returning `AckMessage.STATUS_OK, 'OK'`:
/// `{"code":200,"headers":{...},"message":"OK","data":<the event's data echoed>}`, no status.
fn python_ack(frame: &Value, code: i64) -> Value {
    json!({
        "code": code,
        "headers": {"contentType": "application/json", "messageId": message_id(frame)},
        "message": "OK",
        "data": frame["data"].clone(),
    })
}

/// `crates/dingtalk` (`stream::frame::ack` + `event_status`).
fn own_client_ack(frame: &Value, success: bool) -> Value {
    let data = if success {
        json!({"status": "SUCCESS", "message": "success"})
    } else {
        json!({"status": "LATER", "message": "handler failed; redeliver later"})
    };
    json!({
        "code": 200,
        "headers": {"messageId": message_id(frame), "contentType": "application/json"},
        "message": "OK",
        "data": data.to_string(),
    })
}

async fn push_contact_event(sim: &TestSim) -> String {
    let body = sim
        .post(
            "/sim/contacts/events",
            json!({"eventType": "user_modify_org", "userIds": ["u-wangqiang"]}),
        )
        .await;
    body["eventId"].as_str().expect("eventId").to_owned()
}

/// Pushes one event, answers each delivery with the next reply of `replies`, and returns the
/// event's record once it is delivered or failed.
async fn deliver_with(replies: Vec<fn(&Value) -> Value>) -> Value {
    let sim = start().await;
    let mut socket = connect(&sim).await;
    wait_for_connection(&sim).await;
    let event_id = push_contact_event(&sim).await;
    for reply in &replies {
        let frame = next_frame(&mut socket).await;
        assert_eq!(frame["headers"]["eventId"], event_id.as_str());
        send(&mut socket, reply(&frame)).await;
    }
    let events = sim
        .events_until(|events| {
            events
                .iter()
                .any(|e| e["eventId"] == event_id.as_str() && e["status"] != "pending")
        })
        .await;
    events
        .into_iter()
        .find(|e| e["eventId"] == event_id.as_str())
        .expect("event")
}

fn attempts(record: &Value) -> Vec<bool> {
    record["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| a["delivered"] == true)
        .collect()
}

#[tokio::test]
async fn node_sdk_success_ack_is_delivered_once() {
    let record = deliver_with(vec![|f| node_ack(f, "SUCCESS")]).await;
    assert_eq!(record["status"], "delivered");
    assert_eq!(attempts(&record), [true]);
}

#[tokio::test]
async fn python_sdk_echo_without_status_is_delivered_once() {
    let record = deliver_with(vec![|f| python_ack(f, 200)]).await;
    assert_eq!(record["status"], "delivered", "{record}");
    assert_eq!(attempts(&record), [true]);
}

#[tokio::test]
async fn own_client_acks_later_then_success() {
    let record = deliver_with(vec![|f| own_client_ack(f, false), |f| {
        own_client_ack(f, true)
    }])
    .await;
    assert_eq!(record["status"], "delivered");
    assert_eq!(attempts(&record), [false, true]);
}

#[tokio::test]
async fn node_later_and_non_200_codes_are_redelivered_until_failed() {
    // Three attempts (first + two retries), each refused another way: LATER, Python's 500 echo,
    // a 200 with an unknown status.
    let record = deliver_with(vec![
        |f| node_ack(f, "LATER"),
        |f| python_ack(f, 500),
        |f| node_ack(f, "MAYBE"),
    ])
    .await;
    assert_eq!(record["status"], "failed", "{record}");
    assert_eq!(attempts(&record), [false, false, false]);
}

#[tokio::test]
async fn malformed_acks_are_failures() {
    let record = deliver_with(vec![
        // code missing
        |f| json!({"headers": {"messageId": message_id(f)}, "message": "OK", "data": "{}"}),
        // data is not JSON
        |f| json!({"code": 200, "headers": {"messageId": message_id(f)}, "data": "SUCCESS"}),
        // code as a string, then a correct ACK would come too late: the budget is spent
        |f| json!({"code": "200", "headers": {"messageId": message_id(f)}, "data": "{}"}),
    ])
    .await;
    assert_eq!(record["status"], "failed", "{record}");
    let details: Vec<String> = record["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| a["detail"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(
        details.iter().all(|d| d.contains("格式错误")),
        "{details:?}"
    );
}
