//! Statistics and fairness signals for town and district officers (issue 12, points 3 and 4):
//! per village and period, as JSON tables and as Excel workbooks. Everyone else: 403.

use aidazu_app::funds::Area;
use aidazu_app::statistics::ReportKind;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};

use crate::dto::statistics::{AreaReportDto, AreaReportQuery, AreaReportXlsxQuery};
use crate::extract::{ApiQuery, AuthUser};
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/admin/statistics", get(statistics))
        .route("/api/v1/admin/statistics.xlsx", get(statistics_xlsx))
        .route("/api/v1/admin/fairness", get(fairness))
        .route("/api/v1/admin/fairness.xlsx", get(fairness_xlsx))
}

fn area(town_id: Option<i64>, district_id: Option<i64>) -> Result<Area, ApiError> {
    match (town_id, district_id) {
        (Some(t), None) => Ok(Area::Town(aidazu_domain::TownId(t))),
        (None, Some(d)) => Ok(Area::District(aidazu_domain::DistrictId(d))),
        _ => Err(aidazu_app::AppError::InvalidField {
            field: "townId",
            message: "须指定 townId 或 districtId 之一",
        }
        .into()),
    }
}

fn xlsx(bytes: Vec<u8>, filename: &str) -> Response {
    crate::download::file(
        bytes,
        crate::download::XLSX,
        filename,
        crate::download::Disposition::Attachment,
    )
}

async fn report(
    state: &ApiState,
    actor: &aidazu_app::Actor,
    kind: ReportKind,
    q: AreaReportQuery,
) -> Result<Json<AreaReportDto>, ApiError> {
    let area = area(q.town_id, q.district_id)?;
    Ok(Json(
        state
            .app
            .area_report(actor, kind, area, q.period.as_deref())
            .await?
            .into(),
    ))
}

async fn report_xlsx(
    state: &ApiState,
    actor: &aidazu_app::Actor,
    kind: ReportKind,
    q: AreaReportXlsxQuery,
    name: &str,
) -> Result<Response, ApiError> {
    let area = area(q.town_id, q.district_id)?;
    let bytes = state
        .app
        .area_report_xlsx(actor, kind, area, q.period.as_deref(), q.section.as_deref())
        .await?;
    let scope = match area {
        Area::Town(t) => format!("town-{}", t.get()),
        Area::District(d) => format!("district-{}", d.get()),
    };
    let period: String = q
        .period
        .as_deref()
        .unwrap_or("current")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    Ok(xlsx(bytes, &format!("{name}-{scope}-{period}.xlsx")))
}

/// 统计: participation, points by category and list, negative items, declarations by state,
/// review latency, redemptions and overdue orders, objections, fund and liability — a row per
/// village of the town or district, for a quarter or a points-year (town and district officers).
#[utoipa::path(get, path = "/api/v1/admin/statistics", tag = "statistics",
    params(AreaReportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "镇街或区各村社的统计", body = AreaReportDto),
        (status = 400, description = "查询参数无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "仅镇街和区级人员可查看（auth.forbidden）", body = crate::error::ErrorBody),
        (status = 422, description = "须指定 townId 或 districtId 之一；期间格式无效", body = crate::error::ErrorBody),
    ))]
pub async fn statistics(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AreaReportQuery>,
) -> Result<Json<AreaReportDto>, ApiError> {
    report(&state, &actor, ReportKind::Statistics, q).await
}

/// The statistics as an Excel workbook: one sheet per table, or only `section`.
#[utoipa::path(get, path = "/api/v1/admin/statistics.xlsx", tag = "statistics",
    params(AreaReportXlsxQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "统计（Excel）", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, description = "查询参数无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "仅镇街和区级人员可查看（auth.forbidden）", body = crate::error::ErrorBody),
        (status = 422, description = "须指定 townId 或 districtId 之一；期间格式无效；没有这个统计表", body = crate::error::ErrorBody),
    ))]
pub async fn statistics_xlsx(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AreaReportXlsxQuery>,
) -> Result<Response, ApiError> {
    report_xlsx(&state, &actor, ReportKind::Statistics, q, "statistics").await
}

/// 公平性提示: per reviewer decisions and points against the village, grants to the reviewer's
/// own group or surname, concentration of negative entries, Gini of year scores, surges before
/// the honours, participation gaps of elders and long-term-absent members (town and district
/// officers only). Each table carries its explanation in plain Chinese.
#[utoipa::path(get, path = "/api/v1/admin/fairness", tag = "statistics",
    params(AreaReportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "镇街或区各村社的公平性提示", body = AreaReportDto),
        (status = 400, description = "查询参数无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "仅镇街和区级人员可查看（auth.forbidden）", body = crate::error::ErrorBody),
        (status = 422, description = "须指定 townId 或 districtId 之一；期间格式无效", body = crate::error::ErrorBody),
    ))]
pub async fn fairness(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AreaReportQuery>,
) -> Result<Json<AreaReportDto>, ApiError> {
    report(&state, &actor, ReportKind::Fairness, q).await
}

/// The fairness signals as an Excel workbook: one sheet per table, or only `section`.
#[utoipa::path(get, path = "/api/v1/admin/fairness.xlsx", tag = "statistics",
    params(AreaReportXlsxQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "公平性提示（Excel）", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, description = "查询参数无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "仅镇街和区级人员可查看（auth.forbidden）", body = crate::error::ErrorBody),
        (status = 422, description = "须指定 townId 或 districtId 之一；期间格式无效；没有这个统计表", body = crate::error::ErrorBody),
    ))]
pub async fn fairness_xlsx(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AreaReportXlsxQuery>,
) -> Result<Response, ApiError> {
    report_xlsx(&state, &actor, ReportKind::Fairness, q, "fairness").await
}
