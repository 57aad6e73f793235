//! `GET /api/v1/client-config`: what the micro-app and the console need before login (public).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::ApiState;

pub fn router() -> Router<ApiState> {
    Router::new().route("/api/v1/client-config", get(client_config))
}

/// How the front end logs in: DingTalk mode, the simulator's address in sim mode, and the ids
/// `requestAuthCode({corpId, clientId})` takes. Nothing secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientConfig {
    /// `sim` (the built-in DingTalk simulator; demo logins allowed) or `live`.
    pub dingtalk_mode: String,
    /// Base URL of the DingTalk simulator (sim mode only), e.g. `http://127.0.0.1:8089`.
    pub sim_url: Option<String>,
    /// The organisation's corp id (the `?corpid=` of the home URL wins over it).
    pub corp_id: String,
    /// The app key, DingTalk's `clientId` for `requestAuthCode`.
    pub client_id: String,
    /// Where a browser outside DingTalk logs in (扫码登录, OAuth2): `https://login.dingtalk.com`
    /// live, the simulator in sim mode. The console sends the browser to
    /// `{webLoginBase}/oauth2/auth?…` and posts the returned `authCode` to
    /// `POST /api/v1/auth/dingtalk/web`.
    pub web_login_base: String,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            dingtalk_mode: "live".to_owned(),
            sim_url: None,
            corp_id: String::new(),
            client_id: String::new(),
            web_login_base: "https://login.dingtalk.com".to_owned(),
        }
    }
}

/// The front end's start-up configuration.
#[utoipa::path(get, path = "/api/v1/client-config", tag = "public",
    responses((status = 200, description = "前端登录所需的配置（钉钉模式、模拟器地址、corpId、clientId）", body = ClientConfig)))]
pub async fn client_config(State(state): State<ApiState>) -> Json<ClientConfig> {
    Json(state.client.as_ref().clone())
}
