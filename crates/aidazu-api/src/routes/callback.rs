//! DingTalk pushes: the encrypted event callback (F3) and the HTTP card callback.
//!
//! Both verify before anything is stored, store before answering, and answer in DingTalk's own
//! shape on success (`{msg_signature, timeStamp, nonce, encrypt}` of `success`; `{}` for cards).
//! Refusals use the API's error envelope: a forged signature or stale timestamp is 401, a body
//! that does not decrypt for this app is 400; nothing is stored.

use aidazu_app::AppError;
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use dingtalk::callback::{CallbackQuery, SealedMessage};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::extract::ApiJson;
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/dingtalk/callback", post(callback))
        .route("/dingtalk/card-callback", post(card_callback))
}

/// The body DingTalk posts: the encrypted event.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EncryptedBody {
    /// Base64 AES-256-CBC ciphertext of the event JSON.
    pub encrypt: String,
}

/// The sealed `success` DingTalk expects back.
#[derive(Debug, Serialize, ToSchema)]
pub struct SealedReply {
    /// Signature over token, timestamp, nonce and ciphertext.
    pub msg_signature: String,
    /// Milliseconds.
    #[serde(rename = "timeStamp")]
    pub time_stamp: String,
    /// Random nonce.
    pub nonce: String,
    /// Encrypted `success`.
    pub encrypt: String,
}

impl From<SealedMessage> for SealedReply {
    fn from(m: SealedMessage) -> Self {
        Self {
            msg_signature: m.msg_signature,
            time_stamp: m.time_stamp,
            nonce: m.nonce,
            encrypt: m.encrypt,
        }
    }
}

fn callback_error(error: AppError) -> ApiError {
    match error {
        AppError::CallbackRejected(_) | AppError::EventMalformed(_) => {
            let status = if error.kind() == aidazu_app::ErrorKind::Unauthenticated {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::BAD_REQUEST
            };
            tracing::warn!(%error, code = error.code(), "DingTalk callback refused");
            ApiError::new(status, error.code(), error.message())
        }
        other => other.into(),
    }
}

/// Receives DingTalk's encrypted event push (also `check_url`). Verifies the signature, the
/// timestamp (5 minutes) and the owner key, stores the event under its identity, then answers
/// the sealed `success`. Redeliveries store nothing new and are answered the same way.
#[utoipa::path(post, path = "/dingtalk/callback", tag = "dingtalk",
    params(
        ("signature" = String, Query, description = "签名（亦可为 msg_signature）"),
        ("timestamp" = String, Query, description = "时间戳（亦可为 timeStamp），秒或毫秒"),
        ("nonce" = String, Query, description = "随机串"),
    ),
    request_body = EncryptedBody,
    responses(
        (status = 200, description = "加密的 success 应答", body = SealedReply),
        (status = 400, description = "无法解密、不属于本应用或查询参数缺失", body = crate::error::ErrorBody),
        (status = 401, description = "签名无效或时间戳过期", body = crate::error::ErrorBody),
    ))]
pub async fn callback(
    State(state): State<ApiState>,
    uri: Uri,
    ApiJson(body): ApiJson<EncryptedBody>,
) -> Result<Json<SealedReply>, ApiError> {
    let Query(query) =
        Query::<CallbackQuery>::try_from_uri(&uri).map_err(|e| query_error(&e.body_text()))?;
    let sealed = state
        .app
        .receive_callback(&query, &body.encrypt)
        .await
        .map_err(callback_error)?;
    Ok(Json(sealed.into()))
}

fn query_error(reason: &str) -> ApiError {
    ApiError::bad_request(
        "dingtalk.callback_query",
        "钉钉回调缺少签名、时间戳或随机串",
    )
    .with_details(json!({ "reason": reason }))
}

/// Receives an interactive-card button press (HTTP card callback). Checks
/// `x-ddpaas-signature` against the registered secret and the timestamp (5 minutes), stores the
/// press, and answers `{}` at once (the card is updated when the decision is made).
#[utoipa::path(post, path = "/dingtalk/card-callback", tag = "dingtalk",
    params(
        ("x-ddpaas-signature-timestamp" = String, Header, description = "毫秒时间戳"),
        ("x-ddpaas-signature" = String, Header, description = "base64(HmacSHA256(apiSecret, timestamp))"),
    ),
    request_body(content = Object, description = "钉钉卡片回调：outTrackId、userId、content 等"),
    responses(
        (status = 200, description = "已收到", body = Object),
        (status = 400, description = "内容无法识别", body = crate::error::ErrorBody),
        (status = 401, description = "签名无效或时间戳过期", body = crate::error::ErrorBody),
    ))]
pub async fn card_callback(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: String,
) -> Result<Json<Value>, ApiError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    state
        .app
        .receive_card_callback(
            &header("x-ddpaas-signature-timestamp"),
            &header("x-ddpaas-signature"),
            &body,
        )
        .await
        .map_err(callback_error)?;
    Ok(Json(json!({})))
}
