//! Stream mode against the simulator's WebSocket: delivery, ACKs, redelivery, reconnects.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dingtalk::api::card::CreateAndDeliverCard;
use dingtalk::event::{CardAction, Event, EventHandler, HandlerError};
use dingtalk::ids::{OutTrackId, RobotCode};
use dingtalk::stream::{StreamClient, StreamConfig};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::support::{ADMIN, APP_KEY, NEIGHBOUR, Sim, VILLAGER, eventually};

/// Records what the handler saw; can fail an event's first delivery or be slow.
#[derive(Default)]
struct Recorder {
    /// Completed `handle` calls per event id (successful or not).
    handled: Mutex<HashMap<String, u32>>,
    /// Event ids whose handling has started.
    started: Mutex<Vec<String>>,
    /// Event types to fail once (the first delivery of that type fails).
    fail_once: Mutex<Vec<String>>,
    /// Delay inside `handle`.
    delay: Mutex<Duration>,
    /// Card actions seen.
    cards: Mutex<Vec<CardAction>>,
    /// Events seen (last delivery of each).
    events: Mutex<Vec<Event>>,
}

impl Recorder {
    fn handled(&self, event_id: &str) -> u32 {
        self.handled
            .lock()
            .unwrap()
            .get(event_id)
            .copied()
            .unwrap_or(0)
    }

    fn started(&self, event_id: &str) -> bool {
        self.started.lock().unwrap().iter().any(|id| id == event_id)
    }
}

impl EventHandler for Recorder {
    async fn handle(&self, event: Event) -> Result<(), HandlerError> {
        let id = event.event_id.clone().unwrap_or_default();
        self.started.lock().unwrap().push(id.clone());
        let delay = *self.delay.lock().unwrap();
        tokio::time::sleep(delay).await;
        *self.handled.lock().unwrap().entry(id.clone()).or_default() += 1;
        let mut fail_once = self.fail_once.lock().unwrap();
        let fail = fail_once.iter().position(|f| *f == event.event_type);
        self.events.lock().unwrap().push(event);
        if let Some(position) = fail {
            fail_once.remove(position);
            return Err(HandlerError::new("数据库暂不可用"));
        }
        Ok(())
    }

    async fn handle_card_action(&self, action: CardAction) -> Result<Option<Value>, HandlerError> {
        let decision = action
            .params
            .get("action")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        self.cards.lock().unwrap().push(action);
        Ok(Some(json!({
            "cardData": { "cardParamMap": { "status": format!("已{decision}") } },
            "cardUpdateOptions": { "updateCardDataByKey": true }
        })))
    }
}

struct Running {
    recorder: Arc<Recorder>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), dingtalk::DingTalkError>>,
}

impl Running {
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.await.unwrap().unwrap();
    }
}

async fn sim_for_stream() -> Sim {
    Sim::start_with(|config| {
        config.event_timeout = Duration::from_millis(800);
        config.retry_delays = vec![Duration::from_millis(300); 6];
        config.stream_disconnect_grace = Duration::from_millis(200);
    })
    .await
}

fn stream_config() -> StreamConfig {
    StreamConfig {
        reconnect_base: Duration::from_millis(50),
        ..StreamConfig::default()
    }
}

async fn connections(sim: &Sim) -> Vec<String> {
    sim.get("/sim/stream/connections")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["connectionId"].as_str().unwrap().to_owned())
        .collect()
}

async fn start_stream(sim: &Sim, recorder: Arc<Recorder>) -> Running {
    let stream = StreamClient::new(sim.client(), stream_config());
    let (stop, stopped) = oneshot::channel::<()>();
    let handler = recorder.clone();
    let task = tokio::spawn(async move {
        stream
            .run(handler, async {
                let _ = stopped.await;
            })
            .await
    });
    eventually("a stream connection", || async {
        connections(sim).await.len() == 1
    })
    .await;
    Running {
        recorder,
        stop: Some(stop),
        task,
    }
}

async fn event_status(sim: &Sim, event_id: &str) -> String {
    let events = sim.get("/sim/events").await;
    events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["eventId"] == event_id)
        .map(|e| e["status"].as_str().unwrap_or("").to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn event_is_received_parsed_and_acknowledged() {
    let sim = sim_for_stream().await;
    let running = start_stream(&sim, Arc::new(Recorder::default())).await;
    let event_id = sim.emit_contact_event(VILLAGER).await;
    eventually("the sim to see the ACK", || async {
        event_status(&sim, &event_id).await == "delivered"
    })
    .await;
    assert_eq!(running.recorder.handled(&event_id), 1);
    let event = running.recorder.events.lock().unwrap()[0].clone();
    assert_eq!(event.event_type, "user_modify_org");
    assert_eq!(event.corp_id.as_deref(), Some(crate::support::CORP_ID));
    assert_eq!(event.payload["EventType"], "user_modify_org");
    assert!(event.born_at_ms.is_some());
    running.stop().await;
}

#[tokio::test]
async fn handler_failure_answers_later_and_the_redelivery_is_handled() {
    let sim = sim_for_stream().await;
    let recorder = Arc::new(Recorder::default());
    let running = start_stream(&sim, recorder.clone()).await;
    recorder
        .fail_once
        .lock()
        .unwrap()
        .push("user_modify_org".into());
    let event_id = sim.emit_contact_event(VILLAGER).await;
    eventually("redelivery after LATER", || async {
        event_status(&sim, &event_id).await == "delivered"
    })
    .await;
    // First delivery failed (LATER), the redelivery succeeded: two calls, one success.
    assert_eq!(recorder.handled(&event_id), 2);
    let events = sim.get("/sim/events").await;
    let attempts = events[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts[0]["delivered"], false, "{events}");
    assert_eq!(attempts[1]["delivered"], true, "{events}");
    running.stop().await;
}

#[tokio::test]
async fn dropped_connection_reconnects_without_losing_or_repeating_events() {
    let sim = sim_for_stream().await;
    let recorder = Arc::new(Recorder::default());
    *recorder.delay.lock().unwrap() = Duration::from_millis(300);
    let running = start_stream(&sim, recorder.clone()).await;
    let first_connection = connections(&sim).await;

    let event_id = sim.emit_contact_event(VILLAGER).await;
    eventually("the handler to start", || async {
        recorder.started(&event_id)
    })
    .await;
    // The connection dies while the handler runs: its ACK is lost, so DingTalk redelivers
    // the same eventId on the next connection.
    sim.post("/sim/stream/drop", json!({})).await;
    eventually("a new connection", || async {
        let now = connections(&sim).await;
        now.len() == 1 && now != first_connection
    })
    .await;
    eventually("the redelivery to be acknowledged", || async {
        event_status(&sim, &event_id).await == "delivered"
    })
    .await;
    assert_eq!(recorder.handled(&event_id), 1, "handled exactly once");
    let attempts = sim.get("/sim/events").await;
    let record = attempts
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["eventId"] == event_id.as_str())
        .unwrap()
        .clone();
    assert!(
        record["attempts"].as_array().unwrap().len() >= 2,
        "{record}"
    );

    // Events after the reconnect arrive too.
    *recorder.delay.lock().unwrap() = Duration::ZERO;
    let later = sim.emit_contact_event(NEIGHBOUR).await;
    eventually("the next event", || async {
        event_status(&sim, &later).await == "delivered"
    })
    .await;
    assert_eq!(recorder.handled(&later), 1);
    running.stop().await;
}

#[tokio::test]
async fn ping_is_echoed_and_disconnect_leads_to_a_new_connection() {
    let sim = sim_for_stream().await;
    let running = start_stream(&sim, Arc::new(Recorder::default())).await;
    let pings = sim.post("/sim/stream/ping", json!({})).await;
    assert_eq!(pings.as_array().unwrap().len(), 1);
    assert_eq!(pings[0]["ok"], true, "{pings}");

    let before = connections(&sim).await;
    sim.post("/sim/stream/disconnect", json!({})).await;
    eventually("a replacement connection", || async {
        let now = connections(&sim).await;
        now.len() == 1 && now != before
    })
    .await;
    let event_id = sim.emit_contact_event(VILLAGER).await;
    eventually("delivery on the new connection", || async {
        event_status(&sim, &event_id).await == "delivered"
    })
    .await;
    running.stop().await;
}

#[tokio::test]
async fn card_action_reaches_the_handler_and_its_response_updates_the_card() {
    let sim = sim_for_stream().await;
    let recorder = Arc::new(Recorder::default());
    let running = start_stream(&sim, recorder.clone()).await;
    let client = sim.client();
    let request = CreateAndDeliverCard::to_user(
        "tpl-claim.schema",
        OutTrackId::new("claim-7"),
        &ADMIN.into(),
        RobotCode::new(APP_KEY),
        BTreeMap::from([("status".to_owned(), "待审核".to_owned())]),
    );
    client.create_and_deliver_card(&request).await.unwrap();
    let record = sim
        .post(
            "/sim/cards/claim-7/press",
            json!({ "userId": ADMIN, "params": { "action": "通过" } }),
        )
        .await;
    assert_eq!(record["delivered"], true, "{record}");
    let action = recorder.cards.lock().unwrap()[0].clone();
    assert_eq!(action.out_track_id.as_str(), "claim-7");
    assert_eq!(action.user_id.as_str(), ADMIN);
    assert_eq!(action.params["action"], "通过");
    let cards = sim.get("/sim/cards").await;
    assert_eq!(cards[0]["cardData"]["status"], "已通过", "{cards}");
    running.stop().await;
}

#[tokio::test]
async fn wrong_credentials_end_the_stream_with_auth_failed() {
    let sim = sim_for_stream().await;
    let client = sim
        .client_builder()
        .app_secret("wrong".into())
        .build()
        .unwrap();
    let stream = StreamClient::new(client, stream_config());
    let error = stream
        .run(Arc::new(Recorder::default()), std::future::pending())
        .await
        .unwrap_err();
    assert_eq!(error.api_code(), Some("authFailed"));
}
