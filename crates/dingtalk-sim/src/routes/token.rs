//! App access tokens (API.md §1): `GET /gettoken` and `POST /v1.0/oauth2/accessToken`, sharing
//! one token per app.

use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::extract::api_json_body;
use crate::state::Sim;
use crate::wire::{api, oapi};

fn count(sim: &Sim, style: &str) {
    sim.with_stats(|stats| *stats.token_calls.entry(style.to_owned()).or_default() += 1);
}

fn issue(sim: &Sim) -> (String, u64) {
    let ttl = sim.config().token_ttl;
    let now = sim.clock().now();
    let (token, issued) = sim.with_data(|data| (data.tokens.fetch(now, ttl), data.tokens.issued()));
    sim.with_stats(|stats| stats.tokens_issued = issued);
    (token, ttl.as_secs())
}

/// `GET /gettoken?appkey=&appsecret=` (query only; bad pair → 40096, missing → 40035).
pub async fn gettoken(
    State(sim): State<Sim>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    count(&sim, "oapi");
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let (Some(app_key), Some(app_secret)) = (param("appkey"), param("appsecret")) else {
        return oapi::error(40035, "缺少参数 corpid or appkey");
    };
    let config = sim.config();
    if app_key != config.app_key || app_secret != config.app_secret {
        return oapi::error(40096, "不合法的appKey或appSecret");
    }
    let (token, expires_in) = issue(&sim);
    oapi::ok(json!({ "access_token": token, "expires_in": expires_in }))
}

/// `POST /v1.0/oauth2/accessToken {"appKey","appSecret"}` → `{"accessToken","expireIn"}`.
pub async fn access_token(State(sim): State<Sim>, request: Request) -> Response {
    count(&sim, "api");
    let (parts, body) = request.into_parts();
    let body = match api_json_body(&parts, body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let field = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or("");
    let config = sim.config();
    if field("appKey") != config.app_key || field("appSecret") != config.app_secret {
        return api::error(
            StatusCode::BAD_REQUEST,
            "invalidClientIdOrSecret",
            "无效的clientId或者clientSecret",
        );
    }
    let (token, expires_in) = issue(&sim);
    api::ok(json!({ "accessToken": token, "expireIn": expires_in }))
}
