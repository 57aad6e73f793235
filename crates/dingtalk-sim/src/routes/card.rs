//! Interactive cards (API.md §6): create, deliver, create-and-deliver, update, callback route
//! registration, and simulated button presses delivered as card callbacks.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::State;
use axum::response::Response;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::extract::ApiCall;
use crate::ids;
use crate::records::{Card, CardCallbackRoute, OpenSpace, parse_open_space_id};
use crate::state::Sim;
use crate::stream::{self, CARD_CALLBACK_TOPIC};
use crate::wire::api;

/// DingTalk's deadline for card callbacks (API.md §6.4).
pub const CARD_CALLBACK_DEADLINE: Duration = Duration::from_secs(2);

fn param_map(value: Option<&Value>) -> Result<BTreeMap<String, String>, Response> {
    let Some(map) = value.and_then(|v| v.get("cardParamMap")) else {
        return Ok(BTreeMap::new());
    };
    let Some(map) = map.as_object() else {
        return Err(api::bad_request(
            "param.cardParamMapInvalid",
            "cardParamMap 必须是对象",
        ));
    };
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            _ => Err(api::bad_request(
                "param.cardParamMapInvalid",
                &format!("cardParamMap 的值必须是字符串：{k}"),
            )),
        })
        .collect()
}

fn new_card(sim: &Sim, call: &ApiCall) -> Result<Card, Response> {
    let Some(template) = call.text("cardTemplateId") else {
        return Err(api::bad_request(
            "param.cardTemplateIdEmpty",
            "cardTemplateId 不能为空",
        ));
    };
    let Some(out_track_id) = call.text("outTrackId") else {
        return Err(api::bad_request(
            "param.outTrackIdEmpty",
            "outTrackId 不能为空",
        ));
    };
    let now = sim.clock().now();
    Ok(Card {
        out_track_id,
        card_template_id: template,
        callback_type: call
            .text("callbackType")
            .unwrap_or_else(|| "STREAM".into())
            .to_ascii_uppercase(),
        callback_route_key: call.text("callbackRouteKey"),
        card_data: param_map(call.body.get("cardData"))?,
        private_data: call.body.get("privateData").cloned().unwrap_or(json!({})),
        spaces: Vec::new(),
        created_at: now,
        updated_at: now,
        update_count: 0,
        actions: Vec::new(),
    })
}

fn insert_card(sim: &Sim, card: Card) -> Result<(), Response> {
    sim.with_data(|data| {
        if data
            .cards
            .iter()
            .any(|c| c.out_track_id == card.out_track_id)
        {
            return Err(api::bad_request("param.cardAlreadyExist", "卡片已存在"));
        }
        data.cards.push(card);
        Ok(())
    })
}

fn deliver_to(sim: &Sim, call: &ApiCall, out_track_id: &str) -> Result<Vec<Value>, Response> {
    let Some(open_space_id) = call.text("openSpaceId") else {
        return Err(api::bad_request(
            "param.openSpaceIdInvalid",
            "openSpaceId 不能为空",
        ));
    };
    let Some(spaces) = parse_open_space_id(&open_space_id) else {
        return Err(api::bad_request(
            "param.openSpaceIdInvalid",
            "openSpaceId 格式错误",
        ));
    };
    sim.with_data(|data| {
        let mut results = Vec::new();
        let mut delivered: Vec<OpenSpace> = Vec::new();
        for space in spaces {
            let model = match space.space_type.as_str() {
                "IM_GROUP" => "imGroupOpenDeliverModel",
                "IM_ROBOT" => "imRobotOpenDeliverModel",
                "IM_SINGLE" => "imSingleOpenDeliverModel",
                "ONE_BOX" => "topOpenDeliverModel",
                _ => "",
            };
            let error = if model.is_empty() {
                Some("不支持的场域类型".to_owned())
            } else if call.body.get(model).is_none() {
                Some(format!("缺少 {model}"))
            } else if space.space_type == "IM_ROBOT" && data.org.user(&space.space_id).is_none() {
                Some("用户不存在".to_owned())
            } else {
                None
            };
            let mut result = json!({
                "spaceType": space.space_type,
                "spaceId": space.space_id,
                "success": error.is_none(),
                "carrierId": if error.is_none() { ids::alnum(24) } else { String::new() },
            });
            if let Some(message) = error {
                result["errorMsg"] = json!(message);
            } else {
                delivered.push(space);
            }
            results.push(result);
        }
        let card = data
            .card_mut(out_track_id)
            .ok_or_else(|| api::bad_request("param.cardNotExist", "卡片不存在"))?;
        card.spaces.extend(delivered);
        Ok(results)
    })
}

/// `POST /v1.0/card/instances`.
pub async fn create(State(sim): State<Sim>, call: ApiCall) -> Response {
    let card = match new_card(&sim, &call) {
        Ok(card) => card,
        Err(response) => return response,
    };
    let id = card.out_track_id.clone();
    match insert_card(&sim, card) {
        Ok(()) => api::ok(json!({ "success": true, "result": id })),
        Err(response) => response,
    }
}

/// `POST /v1.0/card/instances/deliver`.
pub async fn deliver(State(sim): State<Sim>, call: ApiCall) -> Response {
    let Some(id) = call.text("outTrackId") else {
        return api::bad_request("param.outTrackIdEmpty", "outTrackId 不能为空");
    };
    match deliver_to(&sim, &call, &id) {
        Ok(results) => api::ok(json!({ "success": true, "result": results })),
        Err(response) => response,
    }
}

/// `POST /v1.0/card/instances/createAndDeliver`.
pub async fn create_and_deliver(State(sim): State<Sim>, call: ApiCall) -> Response {
    let card = match new_card(&sim, &call) {
        Ok(card) => card,
        Err(response) => return response,
    };
    let id = card.out_track_id.clone();
    if parse_open_space_id(&call.text("openSpaceId").unwrap_or_default()).is_none() {
        return api::bad_request("param.openSpaceIdInvalid", "openSpaceId 格式错误");
    }
    if let Err(response) = insert_card(&sim, card) {
        return response;
    }
    match deliver_to(&sim, &call, &id) {
        Ok(results) => api::ok(json!({
            "success": true,
            "result": { "outTrackId": id, "deliverResults": results },
        })),
        Err(response) => response,
    }
}

/// Applies `cardData` / `privateData` (or `userPrivateData` for `user_id`) with
/// `cardUpdateOptions` (default: overwrite).
fn apply_update(
    card: &mut Card,
    update: &Value,
    user_id: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, Response> {
    let options = update.get("cardUpdateOptions");
    let by_key = |name: &str| {
        options
            .and_then(|o| o.get(name))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    let mut changed = false;
    if let Some(card_data) = update.get("cardData") {
        let params = param_map(Some(card_data))?;
        if by_key("updateCardDataByKey") {
            card.card_data.extend(params);
        } else {
            card.card_data = params;
        }
        changed = true;
    }
    let private = match (
        update.get("privateData"),
        user_id,
        update.get("userPrivateData"),
    ) {
        (Some(private), _, _) => Some(private.clone()),
        (None, Some(user), Some(data)) => Some(json!({ user: data })),
        _ => None,
    };
    if let Some(private) = private {
        if by_key("updatePrivateDataByKey") {
            if let (Some(target), Some(source)) =
                (card.private_data.as_object_mut(), private.as_object())
            {
                for (user, data) in source {
                    target.insert(user.clone(), data.clone());
                }
            }
        } else {
            card.private_data = private;
        }
        changed = true;
    }
    if changed {
        card.update_count += 1;
        card.updated_at = now;
    }
    Ok(changed)
}

/// `PUT /v1.0/card/instances`.
pub async fn update(State(sim): State<Sim>, call: ApiCall) -> Response {
    let Some(id) = call.text("outTrackId") else {
        return api::bad_request("param.outTrackIdEmpty", "outTrackId 不能为空");
    };
    let now = sim.clock().now();
    let result = sim.with_data(|data| {
        let card = data
            .card_mut(&id)
            .ok_or_else(|| api::bad_request("param.cardNotExist", "卡片不存在"))?;
        apply_update(card, &call.body, None, now)
    });
    match result {
        Ok(_) => api::ok(json!({ "success": true, "result": true })),
        Err(response) => response,
    }
}

/// `POST /v1.0/card/callbacks/register`.
pub async fn register_callback(State(sim): State<Sim>, call: ApiCall) -> Response {
    let (Some(url), Some(key), Some(secret)) = (
        call.text("callbackUrl"),
        call.text("callbackRouteKey"),
        call.text("apiSecret"),
    ) else {
        return api::bad_request(
            "invalidParameter",
            "callbackUrl、callbackRouteKey、apiSecret 不能为空",
        );
    };
    let force = call
        .body
        .get("forceUpdate")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let result = sim.with_data(|data| {
        if data.card_routes.contains_key(&key) && !force {
            return Err(api::bad_request(
                "callbackRouteKeyExist",
                "callbackRouteKey 已存在",
            ));
        }
        data.card_routes.insert(
            key.clone(),
            CardCallbackRoute {
                callback_route_key: key.clone(),
                callback_url: url.clone(),
                api_secret: secret,
            },
        );
        Ok(())
    });
    match result {
        Ok(()) => api::ok(
            json!({ "success": true, "result": { "callbackRouteKey": key, "callbackUrl": url } }),
        ),
        Err(response) => response,
    }
}

/// `x-ddpaas-signature = base64(HmacSHA256(key = apiSecret, msg = timestamp))`.
pub fn ddpaas_signature(api_secret: &str, timestamp: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(api_secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Simulates a user pressing a card button: delivers the card callback (Stream CALLBACK frame
/// when the card is STREAM-mode and a connection subscribes to the card topic, else HTTP to
/// the registered route), applies a card update found in the answer, and records the press.
/// Card callbacks are never retried (DingTalk does not redeliver CALLBACK frames).
pub async fn press(
    sim: &Sim,
    out_track_id: &str,
    user_id: &str,
    params: Value,
) -> Result<Value, String> {
    let (card, route) = sim
        .with_data(|data| {
            let card = data.card_mut(out_track_id)?.clone();
            let route = card
                .callback_route_key
                .as_ref()
                .and_then(|k| data.card_routes.get(k))
                .cloned();
            Some((card, route))
        })
        .ok_or_else(|| "卡片不存在".to_owned())?;
    let corp_id = sim.config().corp_id.clone();
    let content = json!({ "cardPrivateData": { "actionIds": params.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default(), "params": params } });
    let space = card.spaces.first().cloned();
    let mut payload = json!({
        "type": "actionCallback",
        "outTrackId": out_track_id,
        "corpId": corp_id,
        "userId": user_id,
        "content": content.to_string(),
    });
    let outcome: Result<(String, Value), String> = if card.callback_type == "STREAM" {
        payload["extension"] = json!("{}");
        payload["spaceType"] = json!(
            space
                .as_ref()
                .map(|s| s.space_type.clone())
                .unwrap_or_default()
        );
        payload["spaceId"] = json!(
            space
                .as_ref()
                .map(|s| s.space_id.clone())
                .unwrap_or_default()
        );
        payload["userIdType"] = json!(1);
        match stream::send_callback(sim, CARD_CALLBACK_TOPIC, &payload) {
            None => Err("没有订阅卡片回调的 Stream 连接".to_owned()),
            Some(pending) => {
                match tokio::time::timeout(CARD_CALLBACK_DEADLINE, pending.ack).await {
                    Ok(Ok(ack)) if ack.code == Some(200) && ack.malformed.is_none() => {
                        let response = match ack.data.get("response") {
                            Some(Value::String(s)) => {
                                serde_json::from_str(s).unwrap_or(Value::Null)
                            }
                            Some(other) => other.clone(),
                            None => Value::Null,
                        };
                        Ok((format!("stream:{}", pending.connection_id), response))
                    }
                    Ok(Ok(ack)) => Err(format!("ACK code={:?}", ack.code)),
                    Ok(Err(_)) => Err("连接在确认前关闭".to_owned()),
                    Err(_) => Err("2 秒内未收到 ACK".to_owned()),
                }
            }
        }
    } else {
        match route {
            None => Err("callbackRouteKey 未注册回调地址".to_owned()),
            Some(route) => http_callback(sim, &route, &payload)
                .await
                .map(|v| (route.callback_url.clone(), v)),
        }
    };
    let now = sim.clock().now();
    let record = match &outcome {
        Ok((target, response)) => {
            json!({ "userId": user_id, "params": payload["content"], "target": target, "delivered": true, "response": response, "at": now })
        }
        Err(detail) => {
            json!({ "userId": user_id, "params": payload["content"], "delivered": false, "detail": detail, "at": now })
        }
    };
    sim.with_data(|data| {
        if let Some(card) = data.card_mut(out_track_id) {
            if let Ok((_, response)) = &outcome {
                let _ = apply_update(card, response, Some(user_id), now);
            }
            card.actions.push(record.clone());
        }
    });
    outcome.map(|_| record)
}

async fn http_callback(
    sim: &Sim,
    route: &CardCallbackRoute,
    payload: &Value,
) -> Result<Value, String> {
    let timestamp = chrono::Utc::now().timestamp_millis().to_string();
    let response = sim
        .http()
        .post(&route.callback_url)
        .header("x-ddpaas-signature-timestamp", &timestamp)
        .header(
            "x-ddpaas-signature",
            ddpaas_signature(&route.api_secret, &timestamp),
        )
        .json(payload)
        .timeout(CARD_CALLBACK_DEADLINE)
        .send()
        .await
        .map_err(|error| format!("回调请求失败：{error}"))?;
    if !response.status().is_success() {
        return Err(format!("回调应答状态 {}", response.status()));
    }
    let text = response
        .text()
        .await
        .map_err(|error| format!("读取应答失败：{error}"))?;
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ddpaas_signature_matches_the_published_vector() {
        assert_eq!(
            ddpaas_signature("ACTION", "1700000000000"),
            "ZDl1TSqcOZvcWEsqqUm1kbBYI8Lv5ssEdzZ3QsjoP9c="
        );
    }
}
