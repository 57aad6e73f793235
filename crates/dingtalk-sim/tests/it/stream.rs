//! Stream mode (API.md §4): open, ticket, frames, ACKs, redelivery, SYSTEM frames.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{APP_KEY, APP_SECRET, TestSim, start};

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn open(sim: &TestSim, subscriptions: Value) -> (u16, Value) {
    let response = sim
        .http
        .post(sim.url("/v1.0/gateway/connections/open"))
        .json(&json!({"clientId": APP_KEY, "clientSecret": APP_SECRET, "subscriptions": subscriptions, "ua": "test/1.0", "localIp": "127.0.0.1"}))
        .send()
        .await
        .expect("open");
    (
        response.status().as_u16(),
        response.json().await.expect("json"),
    )
}

pub(crate) async fn connect(sim: &TestSim) -> Socket {
    let (_, body) = open(sim, json!([{"type": "EVENT", "topic": "*"}, {"type": "CALLBACK", "topic": "/v1.0/card/instances/callback"}])).await;
    let url = format!(
        "{}?ticket={}",
        body["endpoint"].as_str().expect("endpoint"),
        body["ticket"].as_str().expect("ticket")
    );
    let (socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("websocket connects");
    socket
}

pub(crate) async fn next_frame(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame arrives")
            .expect("stream open")
            .expect("frame ok");
        if let Message::Text(text) = message {
            return serde_json::from_str(text.as_str()).expect("frame is JSON");
        }
    }
}

async fn ack(socket: &mut Socket, frame: &Value, data: Value) {
    let reply = json!({
        "code": 200,
        "headers": {"messageId": frame["headers"]["messageId"], "contentType": "application/json"},
        "message": "OK",
        "data": data.to_string(),
    });
    socket
        .send(Message::text(reply.to_string()))
        .await
        .expect("ack sent");
}

pub(crate) async fn wait_for_connection(sim: &TestSim) {
    for _ in 0..100 {
        if sim
            .get("/sim/stream/connections")
            .await
            .as_array()
            .is_some_and(|c| !c.is_empty())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("connection not registered");
}

#[tokio::test]
async fn open_checks_credentials_and_tickets_are_single_use() {
    let sim = start().await;
    let response = sim
        .http
        .post(sim.url("/v1.0/gateway/connections/open"))
        .json(&json!({"clientId": APP_KEY, "clientSecret": "wrong", "subscriptions": [{"type": "EVENT", "topic": "*"}]}))
        .send()
        .await
        .expect("open");
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["code"], "authFailed");

    let (status, body) = open(&sim, json!([{"type": "EVENT", "topic": "*"}])).await;
    assert_eq!(status, 200);
    let endpoint = body["endpoint"].as_str().expect("endpoint");
    assert_eq!(
        endpoint,
        format!("ws://{}/connect", sim.handle.local_addr())
    );
    let url = format!(
        "{endpoint}?ticket={}",
        body["ticket"].as_str().expect("ticket")
    );
    let (_socket, _) = tokio_tungstenite::connect_async(url.clone())
        .await
        .expect("first use");
    assert!(
        tokio_tungstenite::connect_async(url).await.is_err(),
        "ticket used twice"
    );

    let (_, body) = open(&sim, json!([{"type": "EVENT", "topic": "*"}])).await;
    sim.advance(91).await;
    let url = format!(
        "{endpoint}?ticket={}",
        body["ticket"].as_str().expect("ticket")
    );
    assert!(
        tokio_tungstenite::connect_async(url).await.is_err(),
        "ticket expired"
    );
}

#[tokio::test]
async fn f3_events_arrive_as_event_frames_and_are_redelivered_until_acked() {
    let sim = start().await;
    let mut socket = connect(&sim).await;
    wait_for_connection(&sim).await;
    let body = sim
        .post(
            "/sim/contacts/events",
            json!({"eventType": "user_add_org", "userIds": ["u-wangqiang"]}),
        )
        .await;
    let event_id = body["eventId"].as_str().expect("eventId").to_owned();

    let first = next_frame(&mut socket).await;
    assert_eq!(first["specVersion"], "1.0");
    assert_eq!(first["type"], "EVENT");
    let headers = &first["headers"];
    assert_eq!(headers["eventType"], "user_add_org");
    assert_eq!(headers["eventId"], event_id.as_str());
    assert_eq!(headers["eventCorpId"], "dingtestcorp");
    assert_eq!(headers["contentType"], "application/json");
    for name in ["messageId", "time", "eventBornTime", "connectionId"] {
        assert!(headers[name].is_string(), "header {name} is a string");
    }
    let data: Value =
        serde_json::from_str(first["data"].as_str().expect("data is a string")).expect("json");
    assert_eq!(data["UserId"], json!(["u-wangqiang"]));

    // Answer LATER: DingTalk redelivers the same event.
    ack(
        &mut socket,
        &first,
        json!({"status": "LATER", "message": "busy"}),
    )
    .await;
    let second = next_frame(&mut socket).await;
    assert_eq!(second["headers"]["eventId"], event_id.as_str());
    ack(
        &mut socket,
        &second,
        json!({"status": "SUCCESS", "message": "OK"}),
    )
    .await;

    let events = sim
        .events_until(|events| {
            events
                .iter()
                .any(|e| e["eventId"] == event_id.as_str() && e["status"] == "delivered")
        })
        .await;
    let event = events
        .iter()
        .find(|e| e["eventId"] == event_id.as_str())
        .expect("event");
    let attempts = event["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 2);
    assert!(attempts.iter().all(|a| a["mode"] == "stream"));
}

#[tokio::test]
async fn system_ping_expects_the_opaque_echoed() {
    let sim = start().await;
    let mut socket = connect(&sim).await;
    wait_for_connection(&sim).await;
    let http = sim.http.clone();
    let url = sim.url("/sim/stream/ping");
    let pinger = tokio::spawn(async move {
        http.post(url)
            .send()
            .await
            .expect("ping")
            .json::<Value>()
            .await
            .expect("json")
    });
    let frame = next_frame(&mut socket).await;
    assert_eq!(frame["type"], "SYSTEM");
    assert_eq!(frame["headers"]["topic"], "ping");
    let data: Value = serde_json::from_str(frame["data"].as_str().expect("string")).expect("json");
    ack(&mut socket, &frame, data).await;
    let result = pinger.await.expect("join");
    assert_eq!(result[0]["ok"], true);
}

#[tokio::test]
async fn disconnect_sends_the_system_frame_and_drop_closes() {
    let sim =
        crate::support::start_with(|c| c.stream_disconnect_grace = Duration::from_millis(100))
            .await;
    let mut socket = connect(&sim).await;
    wait_for_connection(&sim).await;
    let notified = sim.post("/sim/stream/disconnect", json!({})).await;
    assert_eq!(notified["notified"], 1);
    let frame = next_frame(&mut socket).await;
    assert_eq!(frame["type"], "SYSTEM");
    assert_eq!(frame["headers"]["topic"], "disconnect");
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(message)) = socket.next().await {
            if message.is_close() {
                break;
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "closed after the grace period");

    let mut socket = connect(&sim).await;
    wait_for_connection(&sim).await;
    assert_eq!(sim.post("/sim/stream/drop", json!({})).await["closed"], 1);
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "dropped connection ends");
}

#[tokio::test]
async fn stream_cards_get_callback_frames_and_the_response_updates_the_card() {
    let sim = start().await;
    let mut socket = connect(&sim).await;
    wait_for_connection(&sim).await;
    let (status, _) = sim
        .api(
            reqwest::Method::POST,
            "/v1.0/card/instances/createAndDeliver",
            Some(json!({
                "cardTemplateId": "tpl", "outTrackId": "s-1", "callbackType": "STREAM",
                "cardData": {"cardParamMap": {"status": "待审核"}},
                "openSpaceId": "dtv1.card//IM_ROBOT.u-admin-heping",
                "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT"}
            })),
        )
        .await;
    assert_eq!(status, 200);
    let http = sim.http.clone();
    let url = sim.url("/sim/cards/s-1/press");
    let press = tokio::spawn(async move {
        http.post(url)
            .json(&json!({"userId": "u-admin-heping", "params": {"action": "agree"}}))
            .send()
            .await
            .expect("press")
            .json::<Value>()
            .await
            .expect("json")
    });
    let frame = next_frame(&mut socket).await;
    assert_eq!(frame["type"], "CALLBACK");
    assert_eq!(frame["headers"]["topic"], "/v1.0/card/instances/callback");
    let data: Value = serde_json::from_str(frame["data"].as_str().expect("string")).expect("json");
    assert_eq!(data["outTrackId"], "s-1");
    assert_eq!(data["spaceType"], "IM_ROBOT");
    ack(
        &mut socket,
        &frame,
        json!({"response": {"cardData": {"cardParamMap": {"status": "已同意"}}}}),
    )
    .await;
    let record = press.await.expect("join");
    assert_eq!(record["delivered"], true);
    let cards = sim.get("/sim/cards").await;
    assert_eq!(cards[0]["cardData"], json!({"status": "已同意"}));
}
