//! Admin scoring (R10): `POST /api/v1/admin/entries`.

use aidazu_app::scoring::ScoreInput;
use aidazu_domain::calendar::business_date;
use aidazu_domain::{MemberId, Points};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};

use crate::dto::declarations::{ScoreDto, ScoreRequest};
use crate::extract::{ApiJson, AuthUser};
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new().route("/api/v1/admin/entries", post(create_entry))
}

/// Books a direct award or penalty for a member (village admin; not for their own household).
/// A negative entry names the item, the member and the evidence (reason, photos when the item
/// requires). The household's members get a DingTalk work notification.
#[utoipa::path(post, path = "/api/v1/admin/entries", tag = "admin",
    request_body = ScoreRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已记分", body = ScoreDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无记分权限，或本户需回避（declaration.recusal）", body = crate::error::ErrorBody),
        (status = 404, description = "成员不存在或不在管辖范围（member.not_found）", body = crate::error::ErrorBody),
        (status = 422, description = "项目、分值、理由、证据照片或上限不符", body = crate::error::ErrorBody),
    ))]
pub async fn create_entry(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiJson(body): ApiJson<ScoreRequest>,
) -> Result<(StatusCode, Json<ScoreDto>), ApiError> {
    let occurred_on = body
        .occurred_on
        .unwrap_or_else(|| business_date(state.app.clock().now()));
    let result = state
        .app
        .score_directly(
            &actor,
            ScoreInput {
                item_code: body.item_code,
                member_id: MemberId(body.member_id),
                points: Points(body.points),
                reason: body.reason,
                photo_ids: body.photo_ids,
                occurred_on,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(result.into())))
}
