//! Request extractors that check credentials the way each API family does (API.md §0.1) and
//! answer failures in that family's dialect.
//!
//! * [`OapiCall`]: token in the query `access_token` (or a form-body field of that name); body
//!   JSON or form. Missing → `88/"40000"`, invalid or expired → `88/"40014"`.
//! * [`OapiToken`]: query token only (multipart uploads).
//! * [`ApiCall`]: token only in header `x-acs-dingtalk-access-token` (query and `Authorization`
//!   are ignored); POST/PUT bodies must be JSON. Missing → 400
//!   `AuthenticationFailed.MissingParameter`, invalid → 400 `InvalidAuthentication`.
//!
//! Bodies are read whole, so chunked requests without `Content-Length` work.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::response::Response;
use serde_json::{Map, Value};

use crate::state::Sim;
use crate::wire::{api, oapi};

/// Body size accepted by JSON endpoints.
const JSON_LIMIT: usize = 2 * 1024 * 1024;

fn query_param(parts: &Parts, name: &str) -> Option<String> {
    let query = parts.uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn content_type(parts: &Parts) -> String {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn check_oapi_token(sim: &Sim, token: Option<&str>) -> Result<(), Response> {
    match token {
        None | Some("") => Err(oapi::missing_token()),
        Some(token) if sim.with_data(|d| d.tokens.is_valid(token, sim.clock().now())) => Ok(()),
        Some(_) => Err(oapi::invalid_token()),
    }
}

/// An authenticated oapi call and its body (JSON object, or form fields as strings).
pub struct OapiCall {
    /// Request body (`Value::Object`, empty when there was none).
    pub body: Value,
}

impl OapiCall {
    /// A body field.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.body.get(name)
    }

    /// A body field as a string (numbers are printed).
    pub fn text(&self, name: &str) -> Option<String> {
        match self.body.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

impl FromRequest<Sim> for OapiCall {
    type Rejection = Response;

    async fn from_request(request: Request, sim: &Sim) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, JSON_LIMIT)
            .await
            .map_err(|_| oapi::topapi_error(40035, "缺少参数 json"))?;
        let is_form = content_type(&parts).starts_with("application/x-www-form-urlencoded");
        let body = if bytes.is_empty() {
            Value::Object(Map::new())
        } else if is_form {
            Value::Object(
                url::form_urlencoded::parse(&bytes)
                    .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                    .collect(),
            )
        } else {
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(value @ Value::Object(_)) => value,
                _ => {
                    let token = query_param(&parts, "access_token");
                    check_oapi_token(sim, token.as_deref())?;
                    return Err(oapi::topapi_error(40035, "缺少参数 json"));
                }
            }
        };
        let token = query_param(&parts, "access_token").or_else(|| {
            body.get("access_token")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        check_oapi_token(sim, token.as_deref())?;
        Ok(Self { body })
    }
}

/// An authenticated oapi call whose body the handler reads itself.
pub struct OapiToken;

impl FromRequestParts<Sim> for OapiToken {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, sim: &Sim) -> Result<Self, Self::Rejection> {
        check_oapi_token(sim, query_param(parts, "access_token").as_deref())?;
        Ok(Self)
    }
}

/// An authenticated api (`/v1.0`) call and its JSON body (`Null` for GET).
pub struct ApiCall {
    /// Request body.
    pub body: Value,
    /// Query string parameters.
    pub query: Vec<(String, String)>,
}

impl ApiCall {
    /// A string body field, when present and non-empty.
    pub fn text(&self, name: &str) -> Option<String> {
        match self.body.get(name)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A query parameter.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Checks the api token header; shared with endpoints that need no body.
pub fn check_api_token(sim: &Sim, parts: &Parts) -> Result<(), Response> {
    let token = parts
        .headers
        .get("x-acs-dingtalk-access-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if token.is_empty() {
        return Err(api::missing_token());
    }
    if !sim.with_data(|d| d.tokens.is_valid(token, sim.clock().now())) {
        return Err(api::invalid_token());
    }
    Ok(())
}

/// Reads a JSON body as the api gateway does: JSON content type required for POST/PUT.
pub async fn api_json_body(parts: &Parts, body: axum::body::Body) -> Result<Value, Response> {
    if parts.method == Method::GET || parts.method == Method::DELETE {
        return Ok(Value::Null);
    }
    if !content_type(parts).starts_with("application/json") {
        return Err(api::bad_request("MissingBody", "body is mandatory"));
    }
    let bytes: Bytes = axum::body::to_bytes(body, JSON_LIMIT)
        .await
        .map_err(|_| api::bad_request("InvalidParameter", "请求体过大或读取失败"))?;
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| api::bad_request("InvalidParameter", "body is mandatory"))
}

impl FromRequest<Sim> for ApiCall {
    type Rejection = Response;

    async fn from_request(request: Request, sim: &Sim) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        check_api_token(sim, &parts)?;
        let body = api_json_body(&parts, body).await?;
        let query = parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self { body, query })
    }
}
