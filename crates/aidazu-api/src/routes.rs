//! Route modules, one per resource.

pub mod activities;
pub mod admin_declarations;
pub mod admin_entries;
pub mod admin_households;
pub mod audit;
pub mod auth;
pub mod callback;
pub mod client_config;
pub mod declarations;
pub mod district_calendar;
pub mod district_notice_group;
pub mod governance;
pub mod health;
pub mod honours;
pub mod me;
pub mod objections;
pub mod photos;
pub mod publications;
pub mod shop;
pub mod statistics;
pub mod villages;

use axum::http::StatusCode;

use crate::ApiError;

/// Known paths with the wrong method answer in the envelope.
pub async fn method_not_allowed() -> ApiError {
    ApiError::from_status(StatusCode::METHOD_NOT_ALLOWED)
}
