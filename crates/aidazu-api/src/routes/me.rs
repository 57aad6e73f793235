//! The member's own queries: `/api/v1/me/household`, `/me/household/ledger`, `/me/catalogue`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::dto::identity::{LedgerPageDto, MyCatalogueDto, MyHouseholdDto, PageQuery};
use crate::extract::{ApiQuery, AuthUser};
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/me/household", get(my_household))
        .route("/api/v1/me/household/ledger", get(my_ledger))
        .route("/api/v1/me/catalogue", get(my_catalogue))
}

/// Validates paging: page ≥ 1, 1 ≤ perPage ≤ 100 (defaults 1 and 20).
pub(crate) fn paging(q: PageQuery) -> Result<(u64, u64), ApiError> {
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(20);
    if page == 0 || page > 100_000 || !(1..=100).contains(&per_page) {
        return Err(ApiError::bad_request(
            "request.invalid_query",
            "分页参数无效（page ≥ 1，perPage 为 1–100）",
        ));
    }
    Ok((page, per_page))
}

/// The caller's household: members, year score, balance, rank among participating households
/// (R3), this quarter's points.
#[utoipa::path(get, path = "/api/v1/me/household", tag = "me",
    params(crate::routes::honours::YearQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "本户积分概况", body = MyHouseholdDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "账号未绑定农户（me.no_household）", body = crate::error::ErrorBody),
    ))]
pub async fn my_household(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<crate::routes::honours::YearQuery>,
) -> Result<Json<MyHouseholdDto>, ApiError> {
    Ok(Json(MyHouseholdDto::from(
        state
            .app
            .my_household(&actor, q.year.map(aidazu_domain::calendar::PointsYear))
            .await?,
    )))
}

/// The caller's household ledger, newest first.
#[utoipa::path(get, path = "/api/v1/me/household/ledger", tag = "me",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "本户积分明细", body = LedgerPageDto),
        (status = 400, description = "分页参数无效", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "账号未绑定农户", body = crate::error::ErrorBody),
    ))]
pub async fn my_ledger(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<LedgerPageDto>, ApiError> {
    let (page, per_page) = paging(q)?;
    Ok(Json(LedgerPageDto::from(
        state.app.my_ledger(&actor, page, per_page).await?,
    )))
}

/// What the caller may declare now, with the household's caps left.
#[utoipa::path(get, path = "/api/v1/me/catalogue", tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "可申报项目", body = MyCatalogueDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "账号未绑定农户或无生效清单", body = crate::error::ErrorBody),
    ))]
pub async fn my_catalogue(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
) -> Result<Json<MyCatalogueDto>, ApiError> {
    Ok(Json(MyCatalogueDto::from(
        state.app.my_catalogue(&actor).await?,
    )))
}
