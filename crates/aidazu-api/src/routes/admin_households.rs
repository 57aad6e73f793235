//! Households, members, participation (R3) and DingTalk binding for village staff.

use aidazu_app::household::MemberInput;
use aidazu_app::household::MemberPatch;
use aidazu_domain::org::ResidentKind;
use aidazu_domain::{GroupId, HouseholdId, MemberId, VillageId};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};

use crate::dto::identity::{
    BindingRequest, BindingResponse, HouseholdDto, HouseholdListDto, MemberDto, MemberPatchRequest,
    NewHouseholdRequest, NewMemberRequest, PageQuery, ParticipationDto, ParticipationHistoryDto,
    ParticipationRequest,
};
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::routes::me::paging;
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route(
            "/api/v1/admin/villages/{id}/households",
            get(list_households).post(create_household),
        )
        .route("/api/v1/admin/households/{id}", get(get_household))
        .route("/api/v1/admin/households/{id}/members", post(add_member))
        .route(
            "/api/v1/admin/households/{id}/participation",
            get(participation_history),
        )
        .route("/api/v1/admin/members/{id}", patch(change_member))
        .route(
            "/api/v1/admin/members/{id}/participation",
            post(record_participation),
        )
        .route("/api/v1/admin/members/{id}/binding", post(bind_member))
}

/// Households of a village (village staff, its town, the district).
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/households", tag = "admin",
    params(("id" = i64, Path, description = "村社 id"), PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "农户列表", body = HouseholdListDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看该村社", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在", body = crate::error::ErrorBody),
    ))]
pub async fn list_households(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<HouseholdListDto>, ApiError> {
    let (page, per_page) = paging(q)?;
    let found = state
        .app
        .village_households(&actor, VillageId(id), page, per_page)
        .await?;
    Ok(Json(HouseholdListDto::from(found)))
}

/// Creates a household in a village (village admin).
#[utoipa::path(post, path = "/api/v1/admin/villages/{id}/households", tag = "admin",
    params(("id" = i64, Path, description = "村社 id")),
    request_body = NewHouseholdRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已创建", body = HouseholdDto),
        (status = 403, description = "无权管理该村社", body = crate::error::ErrorBody),
        (status = 409, description = "编号已被使用（household.code_taken）", body = crate::error::ErrorBody),
        (status = 422, description = "字段无效（request.invalid_field）", body = crate::error::ErrorBody),
    ))]
pub async fn create_household(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewHouseholdRequest>,
) -> Result<(StatusCode, Json<HouseholdDto>), ApiError> {
    let created = state
        .app
        .create_household(
            &actor,
            VillageId(id),
            &body.code,
            &body.address,
            body.group_id.map(GroupId),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(HouseholdDto::from(created))))
}

/// One household with its members; 404 outside the caller's scope (R1).
#[utoipa::path(get, path = "/api/v1/admin/households/{id}", tag = "admin",
    params(("id" = i64, Path, description = "农户 id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "农户与成员", body = HouseholdDto),
        (status = 403, description = "角色无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "农户不存在或不在权限范围内", body = crate::error::ErrorBody),
    ))]
pub async fn get_household(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<HouseholdDto>, ApiError> {
    let found = state.app.household_detail(&actor, HouseholdId(id)).await?;
    Ok(Json(HouseholdDto::from(found)))
}

/// Adds a member to a household (village admin). The mobile is stored encrypted (R4).
#[utoipa::path(post, path = "/api/v1/admin/households/{id}/members", tag = "admin",
    params(("id" = i64, Path, description = "农户 id")),
    request_body = NewMemberRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已添加", body = MemberDto),
        (status = 403, description = "无权管理", body = crate::error::ErrorBody),
        (status = 404, description = "农户不存在或不在权限范围内", body = crate::error::ErrorBody),
        (status = 422, description = "字段无效", body = crate::error::ErrorBody),
    ))]
pub async fn add_member(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewMemberRequest>,
) -> Result<(StatusCode, Json<MemberDto>), ApiError> {
    let input = MemberInput {
        code: body.code,
        name: body.name,
        relation: body.relation,
        gender: body.gender,
        birth_year: body.birth_year,
        kind: body.kind.map_or(ResidentKind::Villager, ResidentKind::from),
        long_term_absent: body.long_term_absent,
        party_member: body.party_member,
        mobile: body.mobile,
    };
    let created = state.app.add_member(&actor, HouseholdId(id), input).await?;
    Ok((StatusCode::CREATED, Json(MemberDto::from(created))))
}

/// Changes a member (village admin); only the fields present change.
#[utoipa::path(patch, path = "/api/v1/admin/members/{id}", tag = "admin",
    params(("id" = i64, Path, description = "成员 id")),
    request_body = MemberPatchRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已修改", body = MemberDto),
        (status = 403, description = "无权管理", body = crate::error::ErrorBody),
        (status = 404, description = "成员不存在或不在权限范围内", body = crate::error::ErrorBody),
        (status = 422, description = "字段无效", body = crate::error::ErrorBody),
    ))]
pub async fn change_member(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<MemberPatchRequest>,
) -> Result<Json<MemberDto>, ApiError> {
    let patch = MemberPatch {
        name: body.name,
        relation: body.relation,
        gender: body.gender,
        birth_year: body.birth_year,
        kind: body.kind.map(ResidentKind::from),
        long_term_absent: body.long_term_absent,
        party_member: body.party_member,
        mobile: body.mobile,
    };
    let changed = state.app.change_member(&actor, MemberId(id), patch).await?;
    Ok(Json(MemberDto::from(changed)))
}

/// Records an opt-in or opt-out of a member (R3), appended to the history with who recorded it.
#[utoipa::path(post, path = "/api/v1/admin/members/{id}/participation", tag = "admin",
    params(("id" = i64, Path, description = "成员 id")),
    request_body = ParticipationRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已记录", body = ParticipationDto),
        (status = 403, description = "无权管理", body = crate::error::ErrorBody),
        (status = 404, description = "成员不存在或不在权限范围内", body = crate::error::ErrorBody),
        (status = 422, description = "字段无效", body = crate::error::ErrorBody),
    ))]
pub async fn record_participation(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ParticipationRequest>,
) -> Result<(StatusCode, Json<ParticipationDto>), ApiError> {
    let row = state
        .app
        .record_participation(
            &actor,
            MemberId(id),
            body.participating,
            body.effective_on,
            &body.reason,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(ParticipationDto::from(row))))
}

/// The participation history of a household's members, oldest first (R3).
#[utoipa::path(get, path = "/api/v1/admin/households/{id}/participation", tag = "admin",
    params(("id" = i64, Path, description = "农户 id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "参与记录", body = ParticipationHistoryDto),
        (status = 403, description = "角色无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "农户不存在或不在权限范围内", body = crate::error::ErrorBody),
    ))]
pub async fn participation_history(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ParticipationHistoryDto>, ApiError> {
    let rows = state
        .app
        .participation_history(&actor, HouseholdId(id))
        .await?;
    Ok(Json(ParticipationHistoryDto {
        household_id: id,
        changes: rows.into_iter().map(ParticipationDto::from).collect(),
    }))
}

/// Binds a DingTalk user to a member by hand (village admin).
#[utoipa::path(post, path = "/api/v1/admin/members/{id}/binding", tag = "admin",
    params(("id" = i64, Path, description = "成员 id")),
    request_body = BindingRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已绑定", body = BindingResponse),
        (status = 403, description = "无权管理", body = crate::error::ErrorBody),
        (status = 404, description = "成员不存在或不在权限范围内", body = crate::error::ErrorBody),
        (status = 409, description = "成员已绑定其他钉钉账号", body = crate::error::ErrorBody),
        (status = 422, description = "钉钉通讯录中没有该用户", body = crate::error::ErrorBody),
    ))]
pub async fn bind_member(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<BindingRequest>,
) -> Result<Json<BindingResponse>, ApiError> {
    let (account, member) = state
        .app
        .bind_member(&actor, MemberId(id), &body.dingtalk_user_id)
        .await?;
    Ok(Json(BindingResponse {
        account_id: account.get(),
        member: MemberDto::from(member),
    }))
}
