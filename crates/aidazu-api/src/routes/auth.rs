//! Login (F1) and sessions: `POST /api/v1/auth/dingtalk`, `/refresh`, `/logout`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};

use crate::dto::identity::{
    DingTalkLoginRequest, DingTalkWebLoginRequest, LogoutRequest, LogoutResponse, RefreshRequest,
    SessionResponse,
};
use crate::extract::{ApiJson, AuthUser};
use crate::middleware::REQUEST_ID;
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/auth/dingtalk", post(login_dingtalk))
        .route("/api/v1/auth/dingtalk/web", post(login_dingtalk_web))
        .route("/api/v1/auth/refresh", post(refresh))
        .route("/api/v1/auth/logout", post(logout))
}

pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Logs in with a DingTalk 免登 auth code (F1) and opens a session.
#[utoipa::path(post, path = "/api/v1/auth/dingtalk", tag = "auth",
    request_body = DingTalkLoginRequest,
    responses(
        (status = 200, description = "登录成功", body = SessionResponse),
        (status = 400, description = "请求体无效", body = crate::error::ErrorBody),
        (status = 401, description = "授权码无效或已使用（auth.invalid_code）", body = crate::error::ErrorBody),
        (status = 403, description = "未登记为村民且无工作人员角色（auth.not_registered）", body = crate::error::ErrorBody),
        (status = 409, description = "手机号对应多位村民（auth.ambiguous_member）", body = crate::error::ErrorBody),
        (status = 503, description = "钉钉暂不可用", body = crate::error::ErrorBody),
    ))]
pub async fn login_dingtalk(
    State(state): State<ApiState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<DingTalkLoginRequest>,
) -> Result<Json<SessionResponse>, ApiError> {
    let session = state
        .app
        .login_dingtalk(
            &body.auth_code,
            body.client.unwrap_or_default(),
            request_id(&headers),
        )
        .await?;
    Ok(Json(SessionResponse::from(session)))
}

/// Logs in to the console from DingTalk's web login (扫码登录, OAuth2): the redirect's
/// `authCode` → the user's union id → the organisation's user, then the same account rules as
/// `POST /api/v1/auth/dingtalk`. The session is a console session.
#[utoipa::path(post, path = "/api/v1/auth/dingtalk/web", tag = "auth",
    request_body = DingTalkWebLoginRequest,
    responses(
        (status = 200, description = "登录成功", body = SessionResponse),
        (status = 400, description = "请求体无效", body = crate::error::ErrorBody),
        (status = 401, description = "授权码无效或已使用（auth.invalid_code）", body = crate::error::ErrorBody),
        (status = 403, description = "不是本组织的钉钉用户，或未登记为村民且无工作人员角色（auth.not_registered）", body = crate::error::ErrorBody),
        (status = 409, description = "手机号对应多位村民（auth.ambiguous_member）", body = crate::error::ErrorBody),
        (status = 422, description = "授权码为空（request.invalid_field）", body = crate::error::ErrorBody),
        (status = 503, description = "钉钉暂不可用", body = crate::error::ErrorBody),
    ))]
pub async fn login_dingtalk_web(
    State(state): State<ApiState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<DingTalkWebLoginRequest>,
) -> Result<Json<SessionResponse>, ApiError> {
    let session = state
        .app
        .login_dingtalk_web(&body.auth_code, request_id(&headers))
        .await?;
    Ok(Json(SessionResponse::from(session)))
}

/// Exchanges a refresh token for a new pair (rotation). Reusing a rotated token ends the session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "新的令牌对", body = SessionResponse),
        (status = 401, description = "auth.invalid_refresh_token / auth.refresh_token_reused", body = crate::error::ErrorBody),
        (status = 403, description = "账号已停用（auth.account_disabled）", body = crate::error::ErrorBody),
    ))]
pub async fn refresh(
    State(state): State<ApiState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Json<SessionResponse>, ApiError> {
    let session = state
        .app
        .refresh_session(&body.refresh_token, request_id(&headers))
        .await?;
    Ok(Json(SessionResponse::from(session)))
}

/// Ends the session of the given refresh token, or every session of the account.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    request_body = LogoutRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已退出", body = LogoutResponse),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
    ))]
pub async fn logout(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    body: axum::body::Bytes,
) -> Result<Json<LogoutResponse>, ApiError> {
    // The body is optional: empty means "every session of the account".
    let parsed: LogoutRequest = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request("request.invalid_body", "请求内容字段有误")
                .with_details(serde_json::json!({ "reason": e.to_string() }))
        })?
    };
    let token = parsed.refresh_token;
    let revoked = state.app.logout(&actor, token.as_deref()).await?;
    Ok(Json(LogoutResponse { revoked }))
}
