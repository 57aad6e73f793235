#![doc = include_str!("../README.md")]

mod conditional;
mod download;
pub mod dto;
pub mod error;
pub mod extract;
mod middleware;
mod openapi;
mod qr;
mod routes;
pub mod web;

use std::sync::Arc;
use std::time::Duration;

use aidazu_app::App;
use axum::Router;

pub use error::ApiError;
pub use openapi::ApiDoc;
pub use routes::client_config::ClientConfig;
pub use web::WebAssets;

/// What every handler can reach.
#[derive(Clone)]
pub struct ApiState {
    /// The use cases.
    pub app: App,
    /// What `GET /api/v1/client-config` answers.
    pub client: Arc<ClientConfig>,
}

/// Router-wide options.
#[derive(Debug, Clone)]
pub struct RouterOptions {
    /// Requests running longer are cut off with `request.timeout`.
    pub request_timeout: Duration,
    /// The built front end served at `/` and `/console/`; `None` = the API alone.
    pub web: Option<WebAssets>,
}

impl Default for RouterOptions {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            web: None,
        }
    }
}

/// Builds the whole HTTP application.
pub fn router(state: ApiState, options: RouterOptions) -> Router {
    let max_photo_bytes = state
        .app
        .photo_intake()
        .map(|intake| intake.config().max_bytes)
        .unwrap_or(aidazu_photos::PhotoConfig::DEFAULT_MAX_BYTES);
    let web = options.web.clone().map(Arc::new);
    let routes = Router::new()
        .merge(routes::health::router())
        .merge(routes::villages::router())
        .merge(routes::callback::router())
        .merge(routes::auth::router())
        .merge(routes::me::router())
        .merge(routes::admin_households::router())
        .merge(routes::audit::router())
        .merge(routes::photos::router(max_photo_bytes))
        .merge(routes::declarations::router())
        .merge(routes::admin_declarations::router())
        .merge(routes::admin_entries::router())
        .merge(routes::shop::router())
        .merge(routes::statistics::router())
        .merge(routes::activities::router())
        .merge(routes::publications::router())
        .merge(routes::objections::router())
        .merge(routes::honours::router())
        .merge(routes::governance::router())
        .merge(routes::district_calendar::router())
        .merge(routes::district_notice_group::router())
        .merge(routes::client_config::router())
        .merge(openapi::router())
        .fallback(move |req: axum::extract::Request| web::fallback(web.clone(), req))
        .method_not_allowed_fallback(routes::method_not_allowed)
        .with_state(state);
    middleware::wrap(routes, options)
}
