//! Objections (R17, D3, D6): a member files and escalates; the committee decides; the town
//! decides escalated ones.

use aidazu_app::objections::{ObjectionDecisionInput, ObjectionInput};
use aidazu_domain::objection::ObjectionState;
use aidazu_domain::{HouseholdId, LedgerEntryId, ObjectionId, Points, VillageId};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::dto::objections::{
    ObjectionDecisionRequest, ObjectionDto, ObjectionListDto, ObjectionQuery, ObjectionRequest,
};
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/objections", post(file_objection))
        .route("/api/v1/objections/{id}/escalate", post(escalate_objection))
        .route("/api/v1/me/objections", get(my_objections))
        .route("/api/v1/admin/objections", get(admin_objections))
        .route(
            "/api/v1/admin/objections/{id}/decision",
            post(decide_objection),
        )
        .route(
            "/api/v1/admin/objections/{id}/town-decision",
            post(town_decide_objection),
        )
}

fn decision_input(body: ObjectionDecisionRequest) -> Result<ObjectionDecisionInput, ApiError> {
    let correction = match body.outcome.as_str() {
        "uphold" => Some(Points(body.correction.ok_or_else(|| {
            ApiError::bad_request(
                "request.invalid_field",
                "采纳异议时须填写更正分值（correction，正负均可，不能为 0）",
            )
        })?)),
        "reject" => None,
        _ => {
            return Err(ApiError::bad_request(
                "request.invalid_field",
                "outcome 须为 uphold 或 reject",
            ));
        }
    };
    Ok(ObjectionDecisionInput {
        correction,
        reason: body.reason,
    })
}

/// A member objects to their village's publication of a quarter (own household, or a report
/// about another household of the village) while the window is open (D3: 7 days).
#[utoipa::path(post, path = "/api/v1/objections", tag = "objections",
    request_body = ObjectionRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已提交异议", body = ObjectionDto),
        (status = 400, description = "季度格式有误", body = crate::error::ErrorBody),
        (status = 403, description = "非本村登记村民（objection.not_member）", body = crate::error::ErrorBody),
        (status = 404, description = "该季度尚无公示（publication.not_found）", body = crate::error::ErrorBody),
        (status = 422, description = "异议期已过（objection.window_closed）、其他村（objection.other_village）或内容为空", body = crate::error::ErrorBody),
    ))]
pub async fn file_objection(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiJson(body): ApiJson<ObjectionRequest>,
) -> Result<(StatusCode, Json<ObjectionDto>), ApiError> {
    let quarter = body
        .quarter
        .parse()
        .map_err(|_| ApiError::bad_request("request.invalid_field", "季度格式应为 2026-Q3"))?;
    let view = state
        .app
        .file_objection(
            &actor,
            ObjectionInput {
                quarter,
                village: body.village_id.map(VillageId),
                about: body.about_household_id.map(HouseholdId),
                about_code: body.about_household_code,
                entry: body.entry_id.map(LedgerEntryId),
                text: body.text,
                photo_ids: body.photo_ids,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// The objector takes a rejected objection to the town (D3: within 3 days of the answer).
#[utoipa::path(post, path = "/api/v1/objections/{id}/escalate", tag = "objections",
    params(("id" = i64, Path, description = "异议编号")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已申请镇街复核", body = ObjectionDto),
        (status = 404, description = "异议不存在或不是本户提出的", body = crate::error::ErrorBody),
        (status = 409, description = "当前不能申请复核（objection.not_escalable）", body = crate::error::ErrorBody),
        (status = 422, description = "已超过申请复核期限（objection.escalation_closed）", body = crate::error::ErrorBody),
    ))]
pub async fn escalate_objection(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ObjectionDto>, ApiError> {
    let view = state
        .app
        .escalate_objection(&actor, ObjectionId(id))
        .await?;
    Ok(Json(view.into()))
}

/// The objections raised by the caller's household.
#[utoipa::path(get, path = "/api/v1/me/objections", tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "本户提出的异议", body = ObjectionListDto),
        (status = 404, description = "账号未绑定农户", body = crate::error::ErrorBody),
    ))]
pub async fn my_objections(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
) -> Result<Json<ObjectionListDto>, ApiError> {
    let list = state.app.my_objections(&actor).await?;
    Ok(Json(ObjectionListDto {
        objections: list.into_iter().map(ObjectionDto::from).collect(),
    }))
}

/// A village's objections (committee, admin, town, district).
#[utoipa::path(get, path = "/api/v1/admin/objections", tag = "objections",
    params(ObjectionQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "本村异议", body = ObjectionListDto),
        (status = 400, description = "状态无效", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn admin_objections(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<ObjectionQuery>,
) -> Result<Json<ObjectionListDto>, ApiError> {
    let filter = match q.state.as_deref() {
        None => None,
        Some(s) => Some(
            [
                ObjectionState::Open,
                ObjectionState::Upheld,
                ObjectionState::Rejected,
                ObjectionState::Escalated,
                ObjectionState::TownUpheld,
                ObjectionState::TownRejected,
            ]
            .into_iter()
            .find(|st| st.to_string() == s)
            .ok_or_else(|| ApiError::bad_request("request.invalid_query", "异议状态无效"))?,
        ),
    };
    let list = state
        .app
        .village_objections(&actor, VillageId(q.village_id), filter)
        .await?;
    Ok(Json(ObjectionListDto {
        objections: list.into_iter().map(ObjectionDto::from).collect(),
    }))
}

/// The committee (村支两委) upholds with a correction or rejects with a reason; nobody decides
/// an objection raised by or about their own household (D6). Upheld → a correction entry and an
/// amended publication (version n+1, 更正) with its notice.
#[utoipa::path(post, path = "/api/v1/admin/objections/{id}/decision", tag = "objections",
    params(("id" = i64, Path, description = "异议编号")),
    request_body = ObjectionDecisionRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已处理", body = ObjectionDto),
        (status = 400, description = "outcome 或 correction 缺失", body = crate::error::ErrorBody),
        (status = 403, description = "无权处理或需回避（declaration.recusal）", body = crate::error::ErrorBody),
        (status = 404, description = "异议不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "已处理过（objection.already_decided）", body = crate::error::ErrorBody),
        (status = 422, description = "理由为空或更正分值为 0", body = crate::error::ErrorBody),
    ))]
pub async fn decide_objection(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ObjectionDecisionRequest>,
) -> Result<Json<ObjectionDto>, ApiError> {
    let view = state
        .app
        .decide_objection(&actor, ObjectionId(id), decision_input(body)?)
        .await?;
    Ok(Json(view.into()))
}

/// The town (镇街) decides an escalated objection (D3: within 10 working days).
#[utoipa::path(post, path = "/api/v1/admin/objections/{id}/town-decision", tag = "objections",
    params(("id" = i64, Path, description = "异议编号")),
    request_body = ObjectionDecisionRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已复核", body = ObjectionDto),
        (status = 400, description = "outcome 或 correction 缺失", body = crate::error::ErrorBody),
        (status = 403, description = "无权复核或需回避", body = crate::error::ErrorBody),
        (status = 404, description = "异议不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "未申请复核或已复核（objection.not_escalable / objection.already_decided）", body = crate::error::ErrorBody),
    ))]
pub async fn town_decide_objection(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ObjectionDecisionRequest>,
) -> Result<Json<ObjectionDto>, ApiError> {
    let view = state
        .app
        .town_decide_objection(&actor, ObjectionId(id), decision_input(body)?)
        .await?;
    Ok(Json(view.into()))
}
