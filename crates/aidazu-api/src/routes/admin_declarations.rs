//! Review of declarations in the PC console: the village's list and the console decision (R9).

use aidazu_app::decisions::{DecisionInput, Outcome, decide};
use aidazu_domain::{DeclarationId, Points, VillageId};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::dto::declarations::{
    AdminDeclarationsQuery, DecisionDto, DecisionRequest, DeclarationListDto,
};
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/admin/declarations", get(admin_list_declarations))
        .route(
            "/api/v1/admin/declarations/{id}/decision",
            post(decide_declaration),
        )
}

/// A village's declarations, optionally in one state, newest first (admins, committee,
/// officers over the village).
#[utoipa::path(get, path = "/api/v1/admin/declarations", tag = "admin",
    params(AdminDeclarationsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "村社申报列表", body = DeclarationListDto),
        (status = 400, description = "查询参数无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 422, description = "状态不正确（declaration.unknown_state）", body = crate::error::ErrorBody),
    ))]
pub async fn admin_list_declarations(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AdminDeclarationsQuery>,
) -> Result<Json<DeclarationListDto>, ApiError> {
    let items = state
        .app
        .village_declarations(&actor, VillageId(q.village_id), q.state.as_deref())
        .await?;
    Ok(Json(DeclarationListDto {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Decides a declaration from the console (R9): once, whichever channel is first; the approval
/// instance is terminated and the card updated; the member is notified.
#[utoipa::path(post, path = "/api/v1/admin/declarations/{id}/decision", tag = "admin",
    params(("id" = i64, Path, description = "declaration id")),
    request_body = DecisionRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已处理", body = DecisionDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无审核权限，或本户需回避（declaration.recusal）", body = crate::error::ErrorBody),
        (status = 404, description = "申报不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "已被处理（declaration.already_decided）", body = crate::error::ErrorBody),
        (status = 422, description = "分值不在范围内（catalogue.points_not_allowed）、缺少驳回理由、超出上限", body = crate::error::ErrorBody),
    ))]
pub async fn decide_declaration(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> Result<Json<DecisionDto>, ApiError> {
    let outcome = match body.outcome.as_str() {
        "approve" => Outcome::Approve {
            points: body.points.map(Points),
        },
        "reject" => Outcome::Reject {
            reason: body.reason.unwrap_or_default(),
        },
        _ => {
            return Err(ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "request.invalid_field",
                "outcome 只能是 approve 或 reject",
            )
            .with_details(serde_json::json!({ "field": "outcome" })));
        }
    };
    let channel = actor.channel;
    let source_ref = actor.request_id.clone();
    let result = decide(
        &state.app,
        DecisionInput {
            declaration_id: DeclarationId(id),
            outcome,
            actor,
            channel,
            source_ref,
        },
    )
    .await?;
    Ok(Json(result.into()))
}
