//! `AuthUser(Actor)`: the bearer token verified (our HS256 JWT), the account's current grants
//! loaded, the request id attached. Rejections are 401 envelopes: `auth.required`,
//! `auth.invalid_token`, `auth.token_expired`.

use aidazu_app::{Actor, AppError};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::middleware::REQUEST_ID;
use crate::{ApiError, ApiState};

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct AuthUser(pub Actor);

impl FromRequestParts<ApiState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ApiState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(AppError::AuthRequired)?;
        let text = header.to_str().map_err(|_| AppError::InvalidToken)?;
        let token = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::InvalidToken)?;
        let request_id = parts
            .headers
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let actor = state.app.authenticate(token, request_id).await?;
        Ok(Self(actor))
    }
}
