//! A district's own working-day calendar (issue 12, D3): local holidays and local working days
//! over the national calendar, set by the district's officers.

use aidazu_domain::DistrictId;
use aidazu_domain::calendar::{CalendarOverrides, LocalDay, WorkingDays};
use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::{ApiJson, ApiPath, AuthUser};
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route(
            "/api/v1/admin/districts/{id}/calendar",
            get(district_calendar),
        )
        .route(
            "/api/v1/admin/districts/{id}/calendar/{day}",
            put(set_district_day),
        )
}

/// The district's own days; every other day follows the national calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DistrictCalendarDto {
    pub district_id: i64,
    /// Local holidays (not worked even on a weekday).
    pub holidays: Vec<NaiveDate>,
    /// Local working days (worked even on a weekend or a national holiday).
    pub working_days: Vec<NaiveDate>,
    /// The national calendar the district's days are laid over (the console's month view):
    /// weekday public holidays…
    pub national_holidays: Vec<NaiveDate>,
    /// …and weekend make-up working days (调休上班).
    pub national_working_days: Vec<NaiveDate>,
}

impl DistrictCalendarDto {
    fn new(district: DistrictId, o: CalendarOverrides, national: &WorkingDays) -> Self {
        Self {
            district_id: district.get(),
            holidays: o.holidays.into_iter().collect(),
            working_days: o.working_days.into_iter().collect(),
            national_holidays: national.holidays.iter().copied().collect(),
            national_working_days: national.makeup_days.iter().copied().collect(),
        }
    }
}

/// What the district says of one day.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DistrictDayRequest {
    /// `holiday`, `working_day`, or `national` (back to the national calendar).
    #[schema(value_type = String, example = "holiday")]
    pub kind: LocalDay,
    /// Why (shown in the audit trail), at most 200 characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub note: String,
}

fn parse_day(text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request("request.invalid_path", "日期格式应为 2026-10-08"))
}

/// The district's own working-day calendar (its officers).
#[utoipa::path(get, path = "/api/v1/admin/districts/{id}/calendar", tag = "governance",
    params(("id" = i64, Path, description = "区 id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "本区在全国工作日历之外的放假日与工作日", body = DistrictCalendarDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "不是该区的工作人员", body = crate::error::ErrorBody),
    ))]
pub async fn district_calendar(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DistrictCalendarDto>, ApiError> {
    let o = state.app.district_calendar(&actor, DistrictId(id)).await?;
    Ok(Json(DistrictCalendarDto::new(
        DistrictId(id),
        o,
        &state.app.config().working_days,
    )))
}

/// Marks a day a local holiday or working day of the district, or gives it back to the national
/// calendar; the district's publication days, objection deadlines and reminders follow (D3).
#[utoipa::path(put, path = "/api/v1/admin/districts/{id}/calendar/{day}", tag = "governance",
    params(("id" = i64, Path, description = "区 id"),
        ("day" = String, Path, description = "日期，如 2026-10-08")),
    request_body = DistrictDayRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已设置", body = DistrictCalendarDto),
        (status = 400, description = "日期或请求体有误", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "不是该区的工作人员", body = crate::error::ErrorBody),
        (status = 422, description = "说明过长（request.invalid_field）", body = crate::error::ErrorBody),
    ))]
pub async fn set_district_day(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath((id, day)): ApiPath<(i64, String)>,
    ApiJson(body): ApiJson<DistrictDayRequest>,
) -> Result<Json<DistrictCalendarDto>, ApiError> {
    let day = parse_day(&day)?;
    let o = state
        .app
        .set_district_day(&actor, DistrictId(id), day, body.kind, &body.note)
        .await?;
    Ok(Json(DistrictCalendarDto::new(
        DistrictId(id),
        o,
        &state.app.config().working_days,
    )))
}
