//! The audit trail (R22): `GET /api/v1/admin/audit`.

use aidazu_app::audit::AuditQuery;
use aidazu_domain::{AccountId, HouseholdId, VillageId};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::dto::identity::{AuditPageDto, AuditQueryParams, PageQuery};
use crate::extract::{ApiQuery, AuthUser};
use crate::routes::me::paging;
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/admin/audit", get(audit_log))
        .route("/api/v1/admin/audit.xlsx", get(audit_xlsx))
}

/// The audit records the same filters select, every page, as an Excel workbook (R22: viewable and
/// exportable), newest first, at most 50,000 rows.
#[utoipa::path(get, path = "/api/v1/admin/audit.xlsx", tag = "admin",
    params(AuditQueryParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "审计记录（Excel）", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, description = "查询参数无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "农户不存在或不在权限范围内", body = crate::error::ErrorBody),
        (status = 422, description = "缺少 villageId", body = crate::error::ErrorBody),
    ))]
pub async fn audit_xlsx(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AuditQueryParams>,
) -> Result<axum::response::Response, ApiError> {
    let bytes = state
        .app
        .audit_xlsx(
            &actor,
            AuditQuery {
                village: q.village_id.map(VillageId),
                household: q.household_id.map(HouseholdId),
                actor: q.actor_id.map(AccountId),
                page: 1,
                per_page: 1,
            },
        )
        .await?;
    Ok(crate::download::file(
        bytes,
        crate::download::XLSX,
        "audit.xlsx",
        crate::download::Disposition::Attachment,
    ))
}

/// Audit records of a village, newest first, filterable by household and actor. For the village
/// admin and committee of the village, town officers of its town, and the district.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin",
    params(AuditQueryParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "审计记录", body = AuditPageDto),
        (status = 400, description = "查询参数无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "农户不存在或不在权限范围内", body = crate::error::ErrorBody),
        (status = 422, description = "缺少 villageId", body = crate::error::ErrorBody),
    ))]
pub async fn audit_log(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AuditQueryParams>,
) -> Result<Json<AuditPageDto>, ApiError> {
    let (page, per_page) = paging(PageQuery {
        page: q.page,
        per_page: q.per_page,
    })?;
    let found = state
        .app
        .audit_log(
            &actor,
            AuditQuery {
                village: q.village_id.map(VillageId),
                household: q.household_id.map(HouseholdId),
                actor: q.actor_id.map(AccountId),
                page,
                per_page,
            },
        )
        .await?;
    Ok(Json(AuditPageDto::from(found)))
}
