//! The one error envelope of the API: `{ "code": "stable.english_code", "message": "中文说明",
//! "details": … }`. Internal causes are logged once here, never sent to clients.

use std::borrow::Cow;

use aidazu_app::{AppError, ErrorKind};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// The JSON body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, English, dotted code (`village.not_found`); clients branch on it.
    pub code: Cow<'static, str>,
    /// Human-readable explanation in Simplified Chinese.
    pub message: Cow<'static, str>,
    /// Structured details (which field, limits…), or `null` when there are none.
    #[schema(value_type = Option<Object>)]
    pub details: Option<Value>,
}

/// An error answer: HTTP status plus envelope.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    /// An error with an explicit status, code and message.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            body: ErrorBody {
                code: code.into(),
                message: message.into(),
                details: None,
            },
        }
    }

    /// Adds structured details.
    #[must_use]
    pub fn with_details(mut self, details: Value) -> Self {
        self.body.details = Some(details);
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> &str {
        &self.body.code
    }

    /// 400 with a code and message.
    pub fn bad_request(
        code: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 500 without leaking anything.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal.error",
            "服务器内部错误，请稍后再试",
        )
    }

    /// The envelope for a bare status produced by a layer (timeout, body limit, panic…).
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => ("route.not_found", "接口不存在"),
            StatusCode::METHOD_NOT_ALLOWED => ("route.method_not_allowed", "不支持该请求方法"),
            StatusCode::PAYLOAD_TOO_LARGE => ("request.too_large", "请求内容过大"),
            StatusCode::REQUEST_TIMEOUT => ("request.timeout", "请求超时，请稍后再试"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ("request.unsupported_media_type", "不支持的内容类型")
            }
            StatusCode::UNAUTHORIZED => ("auth.required", "请先登录"),
            StatusCode::FORBIDDEN => ("auth.forbidden", "没有权限执行此操作"),
            StatusCode::SERVICE_UNAVAILABLE => {
                ("service.unavailable", "服务暂时不可用，请稍后再试")
            }
            s if s.is_client_error() => ("request.invalid", "请求无效"),
            _ => ("internal.error", "服务器内部错误，请稍后再试"),
        };
        Self::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        // Marks the body as already in the envelope, so the envelope layer leaves it alone.
        response.extensions_mut().insert(EnvelopeDone);
        response
    }
}

/// Response extension: this error body already is the envelope.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EnvelopeDone;

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        let status = match err.kind() {
            ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            // Logged once, here, with the cause chain; the client gets the code only.
            tracing::error!(error = %err, code = err.code(), "request failed");
        } else {
            tracing::debug!(error = %err, code = err.code(), "request refused");
        }
        let details = err.details();
        let mut out = Self::new(status, err.code(), err.message());
        out.body.details = details;
        out
    }
}
