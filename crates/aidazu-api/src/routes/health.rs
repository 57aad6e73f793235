//! `GET /healthz` (process up) and `GET /readyz` (database reachable, migrations current).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// Liveness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `"ok"`.
    pub status: &'static str,
    /// The service version.
    pub version: &'static str,
}

/// Liveness: the process is up and serving HTTP.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "进程运行中", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Readiness answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ready {
    /// `"ready"`.
    pub status: &'static str,
    /// The database answered.
    pub database: bool,
    /// Pending migrations (empty when ready).
    pub pending_migrations: Vec<String>,
}

/// Readiness: the database is reachable and all migrations are applied.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "可以提供服务", body = Ready),
        (status = 503, description = "数据库不可用或迁移未完成", body = crate::error::ErrorBody),
    ))]
pub async fn readyz(State(state): State<ApiState>) -> Response {
    let readiness = state.app.readiness().await;
    if readiness.is_ready() {
        return Json(Ready {
            status: "ready",
            database: true,
            pending_migrations: Vec::new(),
        })
        .into_response();
    }
    let (code, message) = if !readiness.database {
        ("service.database_unavailable", "数据库不可用")
    } else if !readiness.pending_migrations.is_empty() {
        (
            "service.migrations_pending",
            "数据库迁移未完成，请先运行 aidazu migrate",
        )
    } else {
        ("service.unavailable", "服务暂时不可用，请稍后再试")
    };
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
        .with_details(json!({
            "database": readiness.database,
            "pendingMigrations": readiness.pending_migrations,
        }))
        .into_response()
}
