//! `POST /v1.0/gateway/connections/open` (API.md §4.1): no token; app credentials in the body;
//! answers the WebSocket endpoint and a ticket valid 90 s for one connection.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::extract::api_json_body;
use crate::ids;
use crate::state::{Sim, StreamGrant};
use crate::wire::api;

/// Ticket lifetime.
pub const TICKET_TTL: Duration = Duration::from_secs(90);

/// Opens a Stream registration.
pub async fn open(State(sim): State<Sim>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match api_json_body(&parts, body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let field = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or("");
    let config = sim.config();
    if field("clientId") != config.app_key || field("clientSecret") != config.app_secret {
        return api::error(StatusCode::UNAUTHORIZED, "authFailed", "鉴权失败");
    }
    let subscriptions: Vec<(String, String)> = body
        .get("subscriptions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| {
            Some((
                s.get("type")?.as_str()?.to_ascii_uppercase(),
                s.get("topic")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    if subscriptions.is_empty() {
        return api::bad_request("invalidParameter", "subscriptions 不能为空");
    }
    let now = sim.clock().now();
    let ticket = sim.with_data(|data| {
        data.tickets
            .issue(ids::uuid(), StreamGrant { subscriptions }, now, TICKET_TTL)
    });
    api::ok(json!({
        "endpoint": format!("ws://{}/connect", sim.local_addr()),
        "ticket": ticket,
    }))
}
