//! Public read endpoints: villages and the catalogue in force.

use aidazu_domain::ids::VillageId;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::dto::catalogue::{CatalogueView, group_items};
use crate::dto::village::{Village, VillageList};
use crate::extract::ApiPath;
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/villages", get(list_villages))
        .route("/api/v1/villages/{id}/catalogue", get(village_catalogue))
}

/// The villages of the scheme (published information).
#[utoipa::path(get, path = "/api/v1/villages", tag = "public",
    responses((status = 200, description = "村社列表", body = VillageList)))]
pub async fn list_villages(State(state): State<ApiState>) -> Result<Json<VillageList>, ApiError> {
    let villages = state.app.villages().await?;
    Ok(Json(VillageList {
        villages: villages.into_iter().map(Village::from).collect(),
    }))
}

/// The catalogue version in force today for a village, grouped by category and list.
#[utoipa::path(get, path = "/api/v1/villages/{id}/catalogue", tag = "public",
    params(("id" = i64, Path, description = "村社 id")),
    responses(
        (status = 200, description = "现行积分项目清单", body = CatalogueView),
        (status = 400, description = "id 无效", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在", body = crate::error::ErrorBody),
    ))]
pub async fn village_catalogue(
    State(state): State<ApiState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CatalogueView>, ApiError> {
    let found = state.app.catalogue_in_force(VillageId(id)).await?;
    let items = found.version.items();
    Ok(Json(CatalogueView {
        village: Village::from(found.village.clone()),
        version: found.version.version(),
        effective_from: found.effective_from,
        as_of: found.as_of,
        item_count: items.len(),
        categories: group_items(items),
    }))
}
