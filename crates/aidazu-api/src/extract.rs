//! Extractors whose rejections use the API's error envelope.

mod auth;
pub mod text_safety;

pub use auth::AuthUser;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::ApiError;

/// `axum::Json` with envelope errors (`request.invalid_json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => v,
            Err(rejection) => return Err(json_rejection(rejection)),
        };
        if let Some(at) = text_safety::find_in_json(&value) {
            return Err(control_character(&at));
        }
        serde_path_to_error::deserialize(value)
            .map(Self)
            .map_err(|err| {
                ApiError::bad_request("request.invalid_body", "请求内容字段有误").with_details(
                    json!({ "reason": err.inner().to_string(), "field": err.path().to_string() }),
                )
            })
    }
}

/// 422 `request.control_character`: a text holds NUL or another control character.
fn control_character(at: &str) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "request.control_character",
        "内容中含有不可见的控制字符，请删除后重新提交",
    )
    .with_details(json!({ "field": at }))
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.unsupported_media_type",
            "请求须为 JSON（Content-Type: application/json）",
        ),
        JsonRejection::JsonDataError(e) => {
            ApiError::bad_request("request.invalid_body", "请求内容字段有误")
                .with_details(json!({ "reason": e.body_text() }))
        }
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::bad_request("request.invalid_json", "请求体不是有效的 JSON")
        }
        JsonRejection::BytesRejection(_) => {
            ApiError::from_status(axum::http::StatusCode::PAYLOAD_TOO_LARGE)
        }
        _ => ApiError::bad_request("request.invalid_json", "请求体不是有效的 JSON"),
    }
}

/// `axum::extract::Path` with envelope errors (`request.invalid_path`).
#[derive(Debug, Clone, Copy)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if text_safety::encoded_part_has_refused(parts.uri.path()) {
            return Err(control_character("path"));
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Self(v)),
            Err(rejection) => Err(path_rejection(rejection)),
        }
    }
}

fn path_rejection(rejection: PathRejection) -> ApiError {
    ApiError::bad_request("request.invalid_path", "路径参数无效")
        .with_details(json!({ "reason": rejection.body_text() }))
}

/// `axum::extract::Query` with envelope errors (`request.invalid_query`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts
            .uri
            .query()
            .is_some_and(text_safety::encoded_part_has_refused)
        {
            return Err(control_character("query"));
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(rejection) => Err(
                ApiError::bad_request("request.invalid_query", "查询参数无效")
                    .with_details(json!({ "reason": rejection.body_text() })),
            ),
        }
    }
}
