//! Sharing activities (R21): the admin's activities, check-in switch and rotating code, manual
//! attendance, stories and the attendance export; the villager's list and scan.

use aidazu_domain::{ActivityId, GroupId, MemberId, VillageId};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::dto::activities::{
    ActivityDetailDto, ActivityDto, ActivityListDto, CheckinCodeDto, CheckinRequest,
    CheckinResultDto, CheckinSwitchRequest, MarkAttendanceRequest, NewActivityRequest,
    NewStoryRequest, StoryDto,
};
use crate::extract::{ApiJson, ApiPath, AuthUser};
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/me/activities", get(my_activities))
        .route("/api/v1/me/activities/checkin", post(check_in))
        .route(
            "/api/v1/admin/villages/{id}/activities",
            get(village_activities).post(create_activity),
        )
        .route("/api/v1/admin/activities/{id}", get(activity_detail))
        .route(
            "/api/v1/admin/activities/{id}/checkin",
            post(switch_checkin),
        )
        .route(
            "/api/v1/admin/activities/{id}/checkin-code",
            get(checkin_code),
        )
        .route(
            "/api/v1/admin/activities/{id}/checkin-code.svg",
            get(checkin_code_svg),
        )
        .route(
            "/api/v1/admin/activities/{id}/attendance",
            post(mark_attendance),
        )
        .route(
            "/api/v1/admin/activities/{id}/attendance.csv",
            get(attendance_csv),
        )
        .route("/api/v1/admin/activities/{id}/stories", post(add_story))
}

/// The activities of the caller's village, latest first, each with whether the household attended.
#[utoipa::path(get, path = "/api/v1/me/activities", tag = "activities",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "本村积分分享活动", body = ActivityListDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "账号未绑定农户（me.no_household）", body = crate::error::ErrorBody),
    ))]
pub async fn my_activities(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
) -> Result<Json<ActivityListDto>, ApiError> {
    let village = actor.village_id.ok_or(aidazu_app::AppError::NoHousehold)?;
    let items = state.app.activities(&actor, village).await?;
    Ok(Json(ActivityListDto {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Checks the caller's household in with the code scanned from the screen (it changes every 30
/// seconds); the household is credited once per activity.
#[utoipa::path(post, path = "/api/v1/me/activities/checkin", tag = "activities",
    request_body = CheckinRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已签到（recorded=false 表示本户此前已签到）", body = CheckinResultDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "账号未绑定农户", body = crate::error::ErrorBody),
        (status = 409, description = "签到未开放、不是活动当天或签到码已过期（activity.*）", body = crate::error::ErrorBody),
        (status = 422, description = "签到码无效（activity.code_invalid）、本户未参与积分制或超出上限", body = crate::error::ErrorBody),
    ))]
pub async fn check_in(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiJson(body): ApiJson<CheckinRequest>,
) -> Result<Json<CheckinResultDto>, ApiError> {
    Ok(Json(state.app.check_in(&actor, &body.code).await?.into()))
}

/// A village's activities (anyone of the village; staff over it).
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/activities", tag = "activities",
    params(("id" = i64, Path, description = "village id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "活动列表", body = ActivityListDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn village_activities(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ActivityListDto>, ApiError> {
    let items = state.app.activities(&actor, VillageId(id)).await?;
    Ok(Json(ActivityListDto {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Sets up an activity (village admin).
#[utoipa::path(post, path = "/api/v1/admin/villages/{id}/activities", tag = "activities",
    params(("id" = i64, Path, description = "village id")),
    request_body = NewActivityRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已创建", body = ActivityDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权组织活动", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 422, description = "主题、地点、组、日期或加分项目无效", body = crate::error::ErrorBody),
    ))]
pub async fn create_activity(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewActivityRequest>,
) -> Result<(StatusCode, Json<ActivityDto>), ApiError> {
    let activity = state
        .app
        .create_activity(
            &actor,
            VillageId(id),
            aidazu_app::activities::ActivityInput {
                group: body.group_id.map(GroupId),
                topic: body.topic,
                place: body.place,
                held_on: body.held_on,
                item_code: body.item_code,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(activity.into())))
}

/// An activity with its attendance and stories (admins, committee, officers).
#[utoipa::path(get, path = "/api/v1/admin/activities/{id}", tag = "activities",
    params(("id" = i64, Path, description = "activity id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "活动详情", body = ActivityDetailDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "活动不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn activity_detail(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ActivityDetailDto>, ApiError> {
    Ok(Json(
        state
            .app
            .activity_detail(&actor, ActivityId(id))
            .await?
            .into(),
    ))
}

/// Opens or closes check-in (village admin).
#[utoipa::path(post, path = "/api/v1/admin/activities/{id}/checkin", tag = "activities",
    params(("id" = i64, Path, description = "activity id")),
    request_body = CheckinSwitchRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已开放或已结束签到", body = ActivityDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权组织活动", body = crate::error::ErrorBody),
        (status = 404, description = "活动不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn switch_checkin(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CheckinSwitchRequest>,
) -> Result<Json<ActivityDto>, ApiError> {
    Ok(Json(
        state
            .app
            .set_checkin(&actor, ActivityId(id), body.open)
            .await?
            .into(),
    ))
}

/// The code to show as a QR code now; it changes every 30 seconds (village admin).
#[utoipa::path(get, path = "/api/v1/admin/activities/{id}/checkin-code", tag = "activities",
    params(("id" = i64, Path, description = "activity id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "当前签到码", body = CheckinCodeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权组织活动", body = crate::error::ErrorBody),
        (status = 404, description = "活动不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "签到未开放（activity.checkin_closed）", body = crate::error::ErrorBody),
    ))]
pub async fn checkin_code(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let code: CheckinCodeDto = state.app.checkin_code(&actor, ActivityId(id)).await?.into();
    let mut response = Json(code).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The current check-in code as a QR code (SVG) for the screen; it changes every 30 seconds, so the
/// screen reloads it then (`Cache-Control: no-store`).
#[utoipa::path(get, path = "/api/v1/admin/activities/{id}/checkin-code.svg", tag = "activities",
    params(("id" = i64, Path, description = "activity id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "当前签到二维码（SVG）", content_type = "image/svg+xml", body = String),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权组织活动", body = crate::error::ErrorBody),
        (status = 404, description = "活动不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "签到未开放（activity.checkin_closed）", body = crate::error::ErrorBody),
    ))]
pub async fn checkin_code_svg(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let code = state.app.checkin_code(&actor, ActivityId(id)).await?;
    crate::qr::svg_response(&code.code, "no-store")
}

/// Marks a member's household as attending (village admin; not their own household).
#[utoipa::path(post, path = "/api/v1/admin/activities/{id}/attendance", tag = "activities",
    params(("id" = i64, Path, description = "activity id")),
    request_body = MarkAttendanceRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已登记（recorded=false 表示此前已登记）", body = CheckinResultDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权组织活动，或本户需回避（declaration.recusal）", body = crate::error::ErrorBody),
        (status = 404, description = "活动或成员不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 422, description = "本户未参与积分制、超出上限或日期不在本积分年度", body = crate::error::ErrorBody),
    ))]
pub async fn mark_attendance(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<MarkAttendanceRequest>,
) -> Result<Json<CheckinResultDto>, ApiError> {
    Ok(Json(
        state
            .app
            .mark_attendance(&actor, ActivityId(id), MemberId(body.member_id))
            .await?
            .into(),
    ))
}

/// The attendance list as CSV (UTF-8 with a byte-order mark, so Excel opens the Chinese text).
#[utoipa::path(get, path = "/api/v1/admin/activities/{id}/attendance.csv", tag = "activities",
    params(("id" = i64, Path, description = "activity id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "签到名单（CSV）", content_type = "text/csv", body = String),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "活动不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn attendance_csv(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let detail = state.app.activity_detail(&actor, ActivityId(id)).await?;
    let mut writer = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let internal = |_| ApiError::from_status(StatusCode::INTERNAL_SERVER_ERROR);
    writer
        .write_record(["户编号", "地址", "成员", "签到方式", "签到时间", "积分记录"])
        .map_err(internal)?;
    for line in &detail.attendance {
        let via = if line.attendance.via == "scan" {
            "扫码"
        } else {
            "管理员登记"
        };
        let at = line
            .attendance
            .recorded_at
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let entry = line
            .attendance
            .ledger_entry
            .map(|e| e.get().to_string())
            .unwrap_or_default();
        writer
            .write_record([
                line.household_code.as_str(),
                line.address.as_str(),
                line.member_name.as_str(),
                via,
                at.as_str(),
                entry.as_str(),
            ])
            .map_err(internal)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|_| ApiError::from_status(StatusCode::INTERNAL_SERVER_ERROR))?;
    Ok(crate::download::file(
        bytes,
        crate::download::CSV,
        &format!("activity-{}-attendance.csv", detail.activity.id.get()),
        crate::download::Disposition::Attachment,
    ))
}

/// Attaches a story (积分小故事) with photos (village admin).
#[utoipa::path(post, path = "/api/v1/admin/activities/{id}/stories", tag = "activities",
    params(("id" = i64, Path, description = "activity id")),
    request_body = NewStoryRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已添加", body = StoryDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权组织活动", body = crate::error::ErrorBody),
        (status = 404, description = "活动或成员不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 422, description = "内容为空或过长、照片过多或不可用", body = crate::error::ErrorBody),
    ))]
pub async fn add_story(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewStoryRequest>,
) -> Result<(StatusCode, Json<StoryDto>), ApiError> {
    let story = state
        .app
        .add_story(
            &actor,
            ActivityId(id),
            body.member_id.map(MemberId),
            &body.text,
            body.photo_ids,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(story.into())))
}
