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
    Router::new().route("/api/v1/admin/audit", get(audit_log))
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
