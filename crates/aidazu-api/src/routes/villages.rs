//! Public read endpoints: villages and the catalogue in force.

use aidazu_domain::ids::VillageId;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;

use crate::dto::catalogue::{CatalogueView, group_items};
use crate::dto::village::{Village, VillageList};
use crate::extract::ApiPath;
use crate::{ApiError, ApiState, conditional};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/villages", get(list_villages))
        .route("/api/v1/villages/{id}/catalogue", get(village_catalogue))
}

/// The villages of the scheme (published information).
///
/// Kept encoded per replica; answers `304` to an `If-None-Match` naming the current `ETag`.
#[utoipa::path(get, path = "/api/v1/villages", tag = "public",
    responses(
        (status = 200, description = "村社列表", body = VillageList),
        (status = 304, description = "未变化（If-None-Match 与 ETag 相同）"),
    ))]
pub async fn list_villages(
    State(state): State<ApiState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let list = state.app.village_list().await?;
    let encoded = conditional::encoded(&list.encoded, || VillageList {
        villages: list.villages.iter().cloned().map(Village::from).collect(),
    })?;
    Ok(conditional::json(&headers, encoded))
}

/// The catalogue version in force today for a village, grouped by category and list.
///
/// Kept encoded per replica for the business day; answers `304` to an `If-None-Match` naming the
/// current `ETag`.
#[utoipa::path(get, path = "/api/v1/villages/{id}/catalogue", tag = "public",
    params(("id" = i64, Path, description = "村社 id")),
    responses(
        (status = 200, description = "现行积分项目清单", body = CatalogueView),
        (status = 304, description = "未变化（If-None-Match 与 ETag 相同）"),
        (status = 400, description = "id 无效", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在", body = crate::error::ErrorBody),
    ))]
pub async fn village_catalogue(
    State(state): State<ApiState>,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let found = state.app.catalogue_in_force(VillageId(id)).await?;
    let encoded = conditional::encoded(&found.encoded, || {
        let items = found.version.items();
        CatalogueView {
            village: Village::from(found.village.clone()),
            version: found.version.version(),
            effective_from: found.effective_from,
            as_of: found.as_of,
            item_count: items.len(),
            categories: group_items(items),
        }
    })?;
    Ok(conditional::json(&headers, encoded))
}
