//! The OpenAPI document, generated from the handlers and DTOs (utoipa), served at `/openapi.json`.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::ApiState;

/// The whole API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "爱大足 积分制 API",
        description = "Rural-governance points service of Dazu District (乡村治理积分制). \
            Every error answers with `{code, message, details}`: `code` is a stable English code, \
            `message` a Chinese explanation.",
    ),
    paths(
        crate::routes::health::healthz,
        crate::routes::health::readyz,
        crate::routes::villages::list_villages,
        crate::routes::villages::village_catalogue,
        crate::routes::callback::callback,
        crate::routes::callback::card_callback,
    ),
    components(schemas(
        crate::error::ErrorBody,
        crate::routes::callback::EncryptedBody,
        crate::routes::callback::SealedReply,
    )),
    tags(
        (name = "health", description = "进程与依赖状态"),
        (name = "public", description = "公开信息：村社与积分项目清单"),
        (name = "dingtalk", description = "钉钉回调：事件推送与互动卡片回调"),
    )
)]
pub struct ApiDoc;

pub fn router() -> Router<ApiState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
