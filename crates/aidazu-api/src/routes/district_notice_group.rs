//! A district's own robot settings (issue 12 point 6, F5): the DingTalk group (openConversationId)
//! and robot its quarterly summary goes to, set by its officers. Unset, the summary is the
//! deployment's work notification to the officers. Mirrors the village's notice group.

use aidazu_domain::DistrictId;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::dto::publications::NoticeGroupRequest;
use crate::extract::{ApiJson, ApiPath, AuthUser};
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new().route(
        "/api/v1/admin/districts/{id}/notice-group",
        get(get_district_notice_group).put(set_district_notice_group),
    )
}

/// The district's notice group as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DistrictNoticeGroupDto {
    pub district_id: i64,
    pub open_conversation_id: String,
    pub robot_code: String,
}

impl From<aidazu_app::governance::DistrictNoticeGroup> for DistrictNoticeGroupDto {
    fn from(g: aidazu_app::governance::DistrictNoticeGroup) -> Self {
        Self {
            district_id: g.district.get(),
            open_conversation_id: g.open_conversation_id,
            robot_code: g.robot_code,
        }
    }
}

/// The district's notice group, when one is set.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DistrictNoticeGroupStateDto {
    /// `null`: no group set; the quarterly summary goes to the district officers as a work
    /// notification (the deployment's robot).
    pub group: Option<DistrictNoticeGroupDto>,
}

/// The DingTalk group a district's quarterly summary goes to (`group: null` when none is set).
#[utoipa::path(get, path = "/api/v1/admin/districts/{id}/notice-group", tag = "governance",
    params(("id" = i64, Path, description = "区 id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "本区季度公示汇总的钉钉群（未设置时 group 为 null，汇总以工作通知发给区级工作人员）", body = DistrictNoticeGroupStateDto),
        (status = 401, description = "未登录或登录已过期", body = crate::error::ErrorBody),
        (status = 403, description = "不是该区的工作人员", body = crate::error::ErrorBody),
    ))]
pub async fn get_district_notice_group(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DistrictNoticeGroupStateDto>, ApiError> {
    let group = state
        .app
        .district_notice_group(&actor, DistrictId(id))
        .await?;
    Ok(Json(DistrictNoticeGroupStateDto {
        group: group.map(DistrictNoticeGroupDto::from),
    }))
}

/// Sets the DingTalk group (openConversationId) and robot a district's quarterly summary goes to
/// (the district's officers; audited).
#[utoipa::path(put, path = "/api/v1/admin/districts/{id}/notice-group", tag = "governance",
    params(("id" = i64, Path, description = "区 id")),
    request_body = NoticeGroupRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已设置", body = DistrictNoticeGroupDto),
        (status = 401, description = "未登录或登录已过期", body = crate::error::ErrorBody),
        (status = 403, description = "不是该区的工作人员", body = crate::error::ErrorBody),
        (status = 422, description = "群 id 或机器人编码无效", body = crate::error::ErrorBody),
    ))]
pub async fn set_district_notice_group(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NoticeGroupRequest>,
) -> Result<Json<DistrictNoticeGroupDto>, ApiError> {
    let group = state
        .app
        .set_district_notice_group(
            &actor,
            DistrictId(id),
            &body.open_conversation_id,
            body.robot_code.as_deref(),
        )
        .await?;
    Ok(Json(DistrictNoticeGroupDto::from(group)))
}
