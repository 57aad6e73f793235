//! Response envelopes of the two DingTalk API families (API.md §0.1), written with
//! `serde_json::Value` so the simulator never shares wire types with the client crate.
//!
//! * oapi (`oapi.dingtalk.com`): always HTTP 200; `{"errcode":0,"errmsg":"ok",...}` on success,
//!   `{"errcode":N,"errmsg":...}` on failure, auth failures wrapped as `errcode 88` with a string
//!   `sub_code`; `request_id` on `/topapi/` calls. Header `Server: DingTalk/1.0.0`.
//! * api (`api.dingtalk.com/v1.0`): business fields only on 2xx, `{code, message, requestid}` with
//!   a 4xx/5xx status on failure; every answer carries `x-acs-request-id` and `x-acs-trace-id`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::ids;

const JSON_UTF8: &str = "application/json;charset=UTF-8";

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    response
}

/// Builds oapi answers.
pub mod oapi {
    use super::*;

    fn respond(body: Value) -> Response {
        let mut response = json_response(StatusCode::OK, &body);
        response
            .headers_mut()
            .insert(header::SERVER, HeaderValue::from_static("DingTalk/1.0.0"));
        response
    }

    fn object(fields: Value) -> Map<String, Value> {
        match fields {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// Success without `request_id` (e.g. `gettoken`, `media/upload`).
    pub fn ok(fields: Value) -> Response {
        let mut body = Map::new();
        body.insert("errcode".into(), json!(0));
        body.insert("errmsg".into(), json!("ok"));
        body.extend(object(fields));
        respond(Value::Object(body))
    }

    /// Success of a `/topapi/` call: adds `request_id`.
    pub fn topapi_ok(fields: Value) -> Response {
        let mut body = Map::new();
        body.insert("errcode".into(), json!(0));
        body.insert("errmsg".into(), json!("ok"));
        body.extend(object(fields));
        body.insert("request_id".into(), json!(ids::oapi_request_id()));
        respond(Value::Object(body))
    }

    /// A plain business error (`gettoken` style, no `request_id`).
    pub fn error(errcode: i64, errmsg: &str) -> Response {
        respond(json!({ "errcode": errcode, "errmsg": errmsg }))
    }

    /// A business error of a `/topapi/` call (with `request_id`).
    pub fn topapi_error(errcode: i64, errmsg: &str) -> Response {
        respond(json!({
            "errcode": errcode,
            "errmsg": errmsg,
            "request_id": ids::oapi_request_id(),
        }))
    }

    /// Gateway-level failure wrapped in `errcode 88` with a string `sub_code` (PROBE P8/P9).
    pub fn wrapped(sub_code: &str, sub_msg: &str) -> Response {
        respond(json!({
            "errcode": 88,
            "sub_code": sub_code,
            "sub_msg": sub_msg,
            "errmsg": format!("ding talk error[subcode={sub_code},submsg={sub_msg}]"),
            "request_id": ids::oapi_request_id(),
        }))
    }

    /// `errcode 88 / sub_code "40014"`: invalid or expired token.
    pub fn invalid_token() -> Response {
        wrapped("40014", "不合法的access_token")
    }

    /// `errcode 88 / sub_code "40000"`: token missing.
    pub fn missing_token() -> Response {
        wrapped("40000", "access_token is blank")
    }

    /// `errcode 22`: unknown API name (PROBE P14).
    pub fn unknown_method(path: &str) -> Response {
        let api_name = format!(
            "dingtalk.oapi.{}",
            path.trim_start_matches('/')
                .trim_start_matches("topapi/")
                .replace('/', ".")
        );
        let sub_msg = format!("不合法ApiName，ApiName = {api_name}");
        respond(json!({
            "errcode": 22,
            "sub_msg": sub_msg,
            "errmsg": format!("Invalid method[submsg={sub_msg}]"),
            "request_id": ids::oapi_request_id(),
        }))
    }

    /// `errcode -1`: system busy.
    pub fn busy() -> Response {
        topapi_error(-1, "系统繁忙")
    }

    /// `errcode 90018`: per-app per-API QPS limit.
    pub fn qps_limited() -> Response {
        topapi_error(90018, "当前企业调用该接口超过每秒调用次数限制，请稍后重试")
    }
}

/// Builds api (`/v1.0`) answers.
pub mod api {
    use super::*;

    fn with_acs_headers(mut response: Response, request_id: &str) -> Response {
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(request_id) {
            headers.insert("x-acs-request-id", value);
        }
        if let Ok(value) = HeaderValue::from_str(&ids::hex_lower(32)) {
            headers.insert("x-acs-trace-id", value);
        }
        response
    }

    /// 200 with business fields only.
    pub fn ok(body: Value) -> Response {
        with_acs_headers(json_response(StatusCode::OK, &body), &ids::api_request_id())
    }

    /// An error with `{requestid, code, message}`.
    pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
        let request_id = ids::api_request_id();
        let body = json!({ "requestid": request_id, "code": code, "message": message });
        with_acs_headers(json_response(status, &body), &request_id)
    }

    /// 400 `InvalidAuthentication`: invalid or expired token (PROBE P6).
    pub fn invalid_token() -> Response {
        error(
            StatusCode::BAD_REQUEST,
            "InvalidAuthentication",
            "不合法的access_token",
        )
    }

    /// 400 `AuthenticationFailed.MissingParameter`: no token header (PROBE P7).
    pub fn missing_token() -> Response {
        error(
            StatusCode::BAD_REQUEST,
            "AuthenticationFailed.MissingParameter",
            "缺少参数：x-acs-dingtalk-access-token",
        )
    }

    /// 403 `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`.
    pub fn qps_limited() -> Response {
        error(
            StatusCode::FORBIDDEN,
            "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
            "应用调用该接口的并发量超过限制",
        )
    }

    /// 500 `systemError` (injected fault).
    pub fn system_error() -> Response {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "systemError",
            "系统错误，请稍后重试",
        )
    }

    /// 400 invalid parameter with a specific code.
    pub fn bad_request(code: &str, message: &str) -> Response {
        error(StatusCode::BAD_REQUEST, code, message)
    }

    /// The answer of the api host to a path without `/v1.0` (PROBE P12): HTTP 200.
    pub fn uri_not_found() -> Response {
        json_response(
            StatusCode::OK,
            &json!({ "errcode": 404, "errmsg": "请求的URI地址不存在" }),
        )
    }
}
