//! Answers for paths the simulator does not know, in the dialect of the host that would have
//! received them (API.md §0.1). Both hosts share one listener, so the host is inferred:
//!
//! * `/v1.0/...` → the api host: 404 `{code: "InvalidAction.NotFound"}` (shape inferred).
//! * `/topapi/...` or any request carrying `access_token` in the query → the oapi host:
//!   `errcode 22` "Invalid method" (PROBE P14).
//! * anything else → the api host without `/v1.0`: HTTP 200
//!   `{"errcode":404,"errmsg":"请求的URI地址不存在"}` (PROBE P12).

use axum::http::{StatusCode, Uri};
use axum::response::Response;

use crate::guard::is_api_path;
use crate::wire::{api, oapi};

/// Fallback handler of the DingTalk routes.
pub async fn unknown(uri: Uri) -> Response {
    let path = uri.path();
    if is_api_path(path) {
        return api::error(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            "请求的API不存在",
        );
    }
    let has_token = uri.query().is_some_and(|q| {
        url::form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "access_token")
    });
    if path.starts_with("/topapi/") || has_token {
        return oapi::unknown_method(path);
    }
    api::uri_not_found()
}
