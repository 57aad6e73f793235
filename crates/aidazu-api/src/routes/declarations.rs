//! Declarations of the caller's household (R8, R9): submit, list, read, withdraw.

use aidazu_app::declarations::DeclareInput;
use aidazu_domain::{DeclarationId, MemberId};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::dto::declarations::{DeclarationDto, DeclarationListDto, DeclareRequest};
use crate::extract::{ApiJson, ApiPath, AuthUser};
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route(
            "/api/v1/declarations",
            post(submit_declaration).get(list_declarations),
        )
        .route("/api/v1/declarations/{id}", get(get_declaration))
        .route(
            "/api/v1/declarations/{id}/withdraw",
            post(withdraw_declaration),
        )
}

/// Submits a declaration (R8). It goes to review at once: the village admins get a DingTalk
/// approval and an interactive card (sent through the outbox).
#[utoipa::path(post, path = "/api/v1/declarations", tag = "declarations",
    request_body = DeclareRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "申报已提交，进入审核", body = DeclarationDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无申报权限", body = crate::error::ErrorBody),
        (status = 404, description = "账号未绑定农户", body = crate::error::ErrorBody),
        (status = 422, description = "项目不可申报（declaration.negative_item、declaration.item_not_self_declarable）、日期、照片数量、超出上限（declaration.cap_exceeded）、非本户成员（declaration.member_not_in_household）、照片不可用", body = crate::error::ErrorBody),
    ))]
pub async fn submit_declaration(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiJson(body): ApiJson<DeclareRequest>,
) -> Result<(StatusCode, Json<DeclarationDto>), ApiError> {
    let view = state
        .app
        .declare(
            &actor,
            DeclareInput {
                item_code: body.item_code,
                occurred_on: body.occurred_on,
                member_id: MemberId(body.member_id),
                text: body.text,
                photo_ids: body.photo_ids,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// The caller's household's declarations, newest first.
#[utoipa::path(get, path = "/api/v1/declarations", tag = "declarations",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "本户申报", body = DeclarationListDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "账号未绑定农户", body = crate::error::ErrorBody),
    ))]
pub async fn list_declarations(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
) -> Result<Json<DeclarationListDto>, ApiError> {
    let items = state.app.my_declarations(&actor).await?;
    Ok(Json(DeclarationListDto {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// One declaration (the declaring household, the village's admins and committee, officers).
#[utoipa::path(get, path = "/api/v1/declarations/{id}", tag = "declarations",
    params(("id" = i64, Path, description = "declaration id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "申报详情", body = DeclarationDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "申报不存在或无权查看", body = crate::error::ErrorBody),
    ))]
pub async fn get_declaration(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DeclarationDto>, ApiError> {
    let view = state.app.declaration(&actor, DeclarationId(id)).await?;
    Ok(Json(view.into()))
}

/// Withdraws a declaration still in review (the declaring member only, R9).
#[utoipa::path(post, path = "/api/v1/declarations/{id}/withdraw", tag = "declarations",
    params(("id" = i64, Path, description = "declaration id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已撤回", body = DeclarationDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "不是申报人（declaration.not_declarant）", body = crate::error::ErrorBody),
        (status = 404, description = "申报不存在或无权查看", body = crate::error::ErrorBody),
        (status = 409, description = "已处理，不能撤回（declaration.already_decided）", body = crate::error::ErrorBody),
    ))]
pub async fn withdraw_declaration(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DeclarationDto>, ApiError> {
    let view = state
        .app
        .withdraw_declaration(&actor, DeclarationId(id))
        .await?;
    Ok(Json(view.into()))
}
