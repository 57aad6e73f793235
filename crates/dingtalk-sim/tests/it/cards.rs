//! Interactive cards (API.md §6; docs/rules.md F2, R9 "card button").

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::http::HeaderMap;
use axum::routing::post;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{ADMIN, TestSim, start};

fn card_body(out_track_id: &str) -> Value {
    json!({
        "cardTemplateId": "tpl-declaration.schema",
        "outTrackId": out_track_id,
        "callbackType": "HTTP",
        "callbackRouteKey": "aidazu",
        "cardData": {"cardParamMap": {"title": "积分申报", "status": "待审核"}},
        "openSpaceId": format!("dtv1.card//IM_ROBOT.{ADMIN}"),
        "imRobotOpenSpaceModel": {"supportForward": false},
        "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT", "robotCode": "dingtestappkey"}
    })
}

async fn create_and_deliver(sim: &TestSim, out_track_id: &str) -> (u16, Value) {
    sim.api(
        Method::POST,
        "/v1.0/card/instances/createAndDeliver",
        Some(card_body(out_track_id)),
    )
    .await
}

#[tokio::test]
async fn create_and_deliver_answers_per_space_results_and_ids_are_unique() {
    let sim = start().await;
    let (status, body) = create_and_deliver(&sim, "decl-1").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(body["result"]["outTrackId"], "decl-1");
    let result = &body["result"]["deliverResults"][0];
    assert_eq!(result["spaceType"], "IM_ROBOT");
    assert_eq!(result["spaceId"], ADMIN);
    assert_eq!(result["success"], true);
    assert!(result["carrierId"].is_string());

    let (status, body) = create_and_deliver(&sim, "decl-1").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("param.cardAlreadyExist"))
    );

    let mut bad = card_body("decl-2");
    bad["openSpaceId"] = json!("IM_ROBOT.someone");
    let (status, body) = sim
        .api(
            Method::POST,
            "/v1.0/card/instances/createAndDeliver",
            Some(bad),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("param.openSpaceIdInvalid"))
    );
}

#[tokio::test]
async fn separate_create_and_deliver_and_updates_overwrite_or_merge() {
    let sim = start().await;
    let mut create = card_body("decl-3");
    create.as_object_mut().map(|o| o.remove("openSpaceId"));
    let (status, body) = sim
        .api(Method::POST, "/v1.0/card/instances", Some(create))
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"success": true, "result": "decl-3"}))
    );
    let (status, body) = sim
        .api(
            Method::POST,
            "/v1.0/card/instances/deliver",
            Some(json!({"outTrackId": "decl-3", "openSpaceId": "dtv1.card//im_group.cidHeping", "imGroupOpenDeliverModel": {"robotCode": "dingtestappkey"}})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["result"][0]["spaceType"], "IM_GROUP");

    let update = |data: Value, by_key: bool| json!({"outTrackId": "decl-3", "cardData": {"cardParamMap": data}, "cardUpdateOptions": {"updateCardDataByKey": by_key}});
    let (status, _) = sim
        .api(
            Method::PUT,
            "/v1.0/card/instances",
            Some(update(json!({"status": "已通过"}), true)),
        )
        .await;
    assert_eq!(status, 200);
    let cards = sim.get("/sim/cards").await;
    assert_eq!(
        cards[0]["cardData"],
        json!({"title": "积分申报", "status": "已通过"})
    );
    sim.api(
        Method::PUT,
        "/v1.0/card/instances",
        Some(update(json!({"status": "已拒绝"}), false)),
    )
    .await;
    let cards = sim.get("/sim/cards").await;
    assert_eq!(
        cards[0]["cardData"],
        json!({"status": "已拒绝"}),
        "default update overwrites"
    );
    assert_eq!(cards[0]["updateCount"], 2);

    let (status, body) = sim
        .api(
            Method::PUT,
            "/v1.0/card/instances",
            Some(json!({"outTrackId": "nope", "cardData": {"cardParamMap": {}}})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("param.cardNotExist"))
    );
}

#[tokio::test]
async fn r9_card_press_posts_a_signed_callback_and_applies_the_answer() {
    let sim = start().await;
    let seen: Arc<Mutex<Vec<(HeaderMap, Value)>>> = Arc::default();
    let store = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/card/callback",
        post(move |headers: HeaderMap, Json(body): Json<Value>| {
            let store = Arc::clone(&store);
            async move {
                store.lock().expect("lock").push((headers, body));
                Json(json!({"cardData": {"cardParamMap": {"status": "已同意"}}, "cardUpdateOptions": {"updateCardDataByKey": true}}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/card/callback",
        listener.local_addr().expect("addr")
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let (status, _) = sim
        .api(
            Method::POST,
            "/v1.0/card/callbacks/register",
            Some(json!({"apiSecret": "ACTION", "callbackUrl": url, "callbackRouteKey": "aidazu"})),
        )
        .await;
    assert_eq!(status, 200);
    create_and_deliver(&sim, "decl-4").await;

    let record = sim
        .post(
            "/sim/cards/decl-4/press",
            json!({"userId": ADMIN, "params": {"action": "agree"}}),
        )
        .await;
    assert_eq!(record["delivered"], true, "{record}");

    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1);
    let (headers, body) = &seen[0];
    assert_eq!(body["type"], "actionCallback");
    assert_eq!(body["outTrackId"], "decl-4");
    assert_eq!(body["userId"], ADMIN);
    assert_eq!(body["corpId"], "dingtestcorp");
    let content: Value =
        serde_json::from_str(body["content"].as_str().expect("content is a string")).expect("json");
    assert_eq!(content["cardPrivateData"]["params"]["action"], "agree");
    let timestamp = headers["x-ddpaas-signature-timestamp"]
        .to_str()
        .expect("ts");
    assert_eq!(
        headers["x-ddpaas-signature"].to_str().expect("sig"),
        expected_signature("ACTION", timestamp)
    );

    let cards = sim.get("/sim/cards").await;
    assert_eq!(cards[0]["cardData"]["status"], "已同意");
    assert_eq!(cards[0]["cardData"]["title"], "积分申报");
}

fn expected_signature(secret: &str, timestamp: &str) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(timestamp.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn pressing_an_http_card_without_a_route_reports_failure() {
    let sim = start().await;
    create_and_deliver(&sim, "decl-5").await;
    let response = sim
        .http
        .post(sim.url("/sim/cards/decl-5/press"))
        .json(&json!({"userId": ADMIN, "params": {}}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 502);
    let cards = sim.get("/sim/cards").await;
    assert_eq!(cards[0]["actions"][0]["delivered"], false);
}
