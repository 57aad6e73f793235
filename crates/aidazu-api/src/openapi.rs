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
        crate::routes::auth::login_dingtalk,
        crate::routes::auth::refresh,
        crate::routes::auth::logout,
        crate::routes::me::my_household,
        crate::routes::me::my_ledger,
        crate::routes::me::my_catalogue,
        crate::routes::admin_households::list_households,
        crate::routes::admin_households::create_household,
        crate::routes::admin_households::get_household,
        crate::routes::admin_households::add_member,
        crate::routes::admin_households::change_member,
        crate::routes::admin_households::record_participation,
        crate::routes::admin_households::participation_history,
        crate::routes::admin_households::bind_member,
        crate::routes::audit::audit_log,
        crate::routes::photos::upload_photo,
        crate::routes::photos::photo_public,
        crate::routes::photos::photo_thumb,
        crate::routes::declarations::submit_declaration,
        crate::routes::declarations::list_declarations,
        crate::routes::declarations::get_declaration,
        crate::routes::declarations::withdraw_declaration,
        crate::routes::admin_declarations::admin_list_declarations,
        crate::routes::admin_declarations::decide_declaration,
        crate::routes::admin_entries::create_entry,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "进程与依赖状态"),
        (name = "public", description = "公开信息：村社与积分项目清单"),
        (name = "auth", description = "钉钉免登登录与会话（F1）"),
        (name = "me", description = "本户积分、明细与可申报项目"),
        (name = "declarations", description = "照片证据与积分申报（F2、R8、R9、R11）"),
        (name = "admin", description = "村社管理：农户、成员、参与记录（R3）、账号绑定、审计（R22）；申报审核（R9）与直接记分（R10）"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme used by `security(("bearer" = []))`.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

pub fn router() -> Router<ApiState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
