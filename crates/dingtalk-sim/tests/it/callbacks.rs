//! Encrypted HTTP callbacks: wire format, reply verification, retries, check_url (API.md §3).

use serde_json::{Value, json};

use crate::support::{APP_KEY, Receiver, Reply, start, start_with_receiver};

#[tokio::test]
async fn f3_push_is_signed_encrypted_and_accepted_with_a_sealed_success() {
    let (sim, receiver) = start_with_receiver(Reply::Sealed).await;
    let body = sim
        .post(
            "/sim/contacts/events",
            json!({"eventType": "user_modify_org", "userIds": ["u-wangqiang"]}),
        )
        .await;
    let event_id = body["eventId"].as_str().expect("eventId").to_owned();
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
    assert_eq!(event["attempts"].as_array().map(Vec::len), Some(1));
    assert_eq!(event["attempts"][0]["mode"], "http");

    let payloads = receiver.payloads();
    assert_eq!(payloads.len(), 1);
    assert_eq!(payloads[0]["EventType"], "user_modify_org");
    assert_eq!(payloads[0]["UserId"], json!(["u-wangqiang"]));
    assert_eq!(payloads[0]["eventId"], event_id.as_str());
    let query = &receiver.queries()[0];
    for name in [
        "signature",
        "timestamp",
        "nonce",
        "msg_signature",
        "timeStamp",
    ] {
        assert!(query[name].is_string(), "query has {name}");
    }
    assert_eq!(query["signature"], query["msg_signature"]);
}

#[tokio::test]
async fn a_wrong_reply_is_retried_with_the_same_event_id_then_reported_failed() {
    let (sim, receiver) = start_with_receiver(Reply::Plain).await;
    let body = sim
        .post(
            "/sim/contacts/events",
            json!({"eventType": "user_add_org", "userIds": ["u-wangqiang"]}),
        )
        .await;
    let event_id = body["eventId"].as_str().expect("eventId").to_owned();
    let events = sim
        .events_until(|events| {
            events
                .iter()
                .any(|e| e["eventId"] == event_id.as_str() && e["status"] == "failed")
        })
        .await;
    let event = events
        .iter()
        .find(|e| e["eventId"] == event_id.as_str())
        .expect("event");
    let attempts = event["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 3, "original + two retries");
    assert!(attempts.iter().all(|a| a["delivered"] == false));
    assert_eq!(attempts[0]["detail"], "应答不是 JSON");
    let pushed: Vec<Value> = receiver
        .payloads()
        .iter()
        .map(|p| p["eventId"].clone())
        .collect();
    assert_eq!(pushed, vec![json!(event_id); 3]);

    let token = sim.oapi_token().await;
    let failed = sim
        .get(&format!(
            "/call_back/get_call_back_failed_result?access_token={token}"
        ))
        .await;
    assert_eq!(failed["errcode"], 0);
    assert_eq!(failed["has_more"], false);
    assert_eq!(failed["failed_list"][0]["call_back_tag"], "user_add_org");
    let again = sim
        .get(&format!(
            "/call_back/get_call_back_failed_result?access_token={token}"
        ))
        .await;
    assert_eq!(
        again["failed_list"],
        json!([]),
        "returned entries are cleared"
    );
}

#[tokio::test]
async fn a_reply_sealed_with_the_wrong_owner_key_is_not_success() {
    // The receiver seals with the AppKey, the simulator expects the CorpId.
    let receiver = Receiver::start(Reply::Sealed).await;
    let mut target = receiver.target();
    target.owner_key = "dingtestcorp".into();
    let sim = crate::support::start_with(move |c| {
        c.callback = Some(target);
        c.retry_delays = Vec::new();
    })
    .await;
    let (ok, _) = check(&sim).await;
    assert!(!ok);
    assert!(
        receiver.payloads().is_empty(),
        "the receiver could not even decrypt the push"
    );
}

async fn check(sim: &crate::support::TestSim) -> (bool, String) {
    let body = sim.post("/sim/check-url", json!({})).await;
    (
        body["ok"].as_bool().expect("ok"),
        body["detail"].as_str().unwrap_or("").to_owned(),
    )
}

#[tokio::test]
async fn check_url_reports_the_handshake_result() {
    let (sim, receiver) = start_with_receiver(Reply::Sealed).await;
    assert!(check(&sim).await.0);
    assert_eq!(receiver.payloads(), vec![json!({"EventType": "check_url"})]);

    let (bad, _) = start_with_receiver(Reply::Plain).await;
    assert_eq!(check(&bad).await, (false, "应答不是 JSON".to_owned()));

    let none = start().await;
    assert!(!check(&none).await.0);
}

#[tokio::test]
async fn set_callback_switches_the_target_at_run_time() {
    let sim = start().await;
    let receiver = Receiver::start(Reply::Sealed).await;
    sim.handle.set_callback(Some(receiver.target()));
    assert!(check(&sim).await.0);
    assert_eq!(receiver.target().owner_key, APP_KEY);
}

#[tokio::test]
async fn duplicate_rate_one_delivers_acknowledged_events_twice_with_one_event_id() {
    let (sim, receiver) = start_with_receiver(Reply::Sealed).await;
    sim.post("/sim/faults", json!({"duplicateRate": 1.0})).await;
    let body = sim
        .post(
            "/sim/contacts/events",
            json!({"eventType": "user_modify_org", "userIds": ["u-wangqiang"]}),
        )
        .await;
    let event_id = body["eventId"].as_str().expect("eventId").to_owned();
    let events = sim
        .events_until(|events| {
            events.iter().any(|e| {
                e["eventId"] == event_id.as_str()
                    && e["attempts"].as_array().is_some_and(|a| a.len() == 2)
            })
        })
        .await;
    let event = events
        .iter()
        .find(|e| e["eventId"] == event_id.as_str())
        .expect("event");
    assert_eq!(event["status"], "delivered");
    let pushed: Vec<Value> = receiver
        .payloads()
        .iter()
        .map(|p| p["eventId"].clone())
        .collect();
    assert_eq!(pushed, vec![json!(event_id); 2]);
}
