//! OAuth2 web login for a console opened in a browser (API.md §2.4): DingTalk's login page
//! (`login.dingtalk.com/oauth2/auth`) redirects back with `authCode`/`code`; the app exchanges it
//! with `POST /v1.0/oauth2/userAccessToken` for a **user** token and reads the profile with
//! `GET /v1.0/contact/users/me` (header `x-acs-dingtalk-access-token` = the user token).
//!
//! The login page here lists the organisation's users; picking one is "scanning the QR code and
//! confirming". Codes are single use and expire with `auth_code_ttl`; user tokens live
//! `user_token_ttl`, refresh tokens 30 days.

use std::time::Duration;

use axum::Form;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::api_json_body;
use crate::ids;
use crate::state::Sim;
use crate::ui::escape;
use crate::wire::api;

/// Refresh tokens live 30 days (API.md §2.4).
const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// Issues a web-login code for `user_id` (`None` for an unknown user).
pub fn issue_code(sim: &Sim, user_id: &str) -> Option<String> {
    let now = sim.clock().now();
    let ttl = sim.config().auth_code_ttl;
    sim.with_data(|data| {
        data.org.user(user_id)?;
        Some(
            data.oauth_codes
                .issue(ids::hex_lower(32), user_id.to_owned(), now, ttl),
        )
    })
}

/// `GET /oauth2/auth` query (the parameters of DingTalk's login URL).
#[derive(Deserialize)]
pub struct AuthQuery {
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    state: String,
}

fn page(status: StatusCode, body: &str) -> Response {
    (
        status,
        Html(format!(
            "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>钉钉登录（模拟）</title>{body}</html>"
        )),
    )
        .into_response()
}

fn check_login_params(sim: &Sim, client_id: &str, redirect_uri: &str) -> Result<(), Response> {
    if client_id != sim.config().app_key {
        return Err(page(
            StatusCode::BAD_REQUEST,
            "<p>应用不存在或 client_id 无效</p>",
        ));
    }
    match url::Url::parse(redirect_uri) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(()),
        _ => Err(page(StatusCode::BAD_REQUEST, "<p>redirect_uri 无效</p>")),
    }
}

/// `GET /oauth2/auth?redirect_uri&response_type=code&client_id&scope&state&prompt`: the login
/// page (one button per user of the organisation).
pub async fn login_page(State(sim): State<Sim>, Query(query): Query<AuthQuery>) -> Response {
    if query.response_type != "code" {
        return page(StatusCode::BAD_REQUEST, "<p>response_type 必须是 code</p>");
    }
    if let Err(refusal) = check_login_params(&sim, &query.client_id, &query.redirect_uri) {
        return refusal;
    }
    let users = sim.with_data_read(|data| data.org.users.values().cloned().collect::<Vec<_>>());
    let mut body = String::from("<h1>钉钉登录（模拟器）</h1><p>选择登录的用户：</p>");
    for user in users {
        body.push_str(&format!(
            "<form method=\"post\" action=\"/oauth2/auth\">\
             <input type=\"hidden\" name=\"client_id\" value=\"{}\">\
             <input type=\"hidden\" name=\"redirect_uri\" value=\"{}\">\
             <input type=\"hidden\" name=\"state\" value=\"{}\">\
             <input type=\"hidden\" name=\"user_id\" value=\"{}\">\
             <button type=\"submit\">{}（{}）</button></form>",
            escape(&query.client_id),
            escape(&query.redirect_uri),
            escape(&query.state),
            escape(&user.user_id),
            escape(&user.name),
            escape(&user.user_id),
        ));
    }
    page(StatusCode::OK, &body)
}

/// The login page's form: who confirmed.
#[derive(Deserialize)]
pub struct ConfirmForm {
    client_id: String,
    redirect_uri: String,
    #[serde(default)]
    state: String,
    user_id: String,
}

/// `POST /oauth2/auth` (form): the user confirmed → 302 to `redirect_uri?authCode&code&state`.
pub async fn confirm(State(sim): State<Sim>, Form(form): Form<ConfirmForm>) -> Response {
    if let Err(refusal) = check_login_params(&sim, &form.client_id, &form.redirect_uri) {
        return refusal;
    }
    let Some(code) = issue_code(&sim, &form.user_id) else {
        return page(StatusCode::NOT_FOUND, "<p>用户不存在</p>");
    };
    let mut target = match url::Url::parse(&form.redirect_uri) {
        Ok(url) => url,
        Err(_) => return page(StatusCode::BAD_REQUEST, "<p>redirect_uri 无效</p>"),
    };
    target
        .query_pairs_mut()
        .append_pair("authCode", &code)
        .append_pair("code", &code)
        .append_pair("state", &form.state);
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(location) = HeaderValue::from_str(target.as_str()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn tokens_for(sim: &Sim, user_id: &str) -> Value {
    let now = sim.clock().now();
    let ttl = sim.config().user_token_ttl;
    let access = ids::hex_lower(32);
    let refresh = ids::hex_lower(32);
    let after = |d: Duration| now + chrono::Duration::from_std(d).unwrap_or(chrono::TimeDelta::MAX);
    sim.with_data(|data| {
        data.user_tokens.retain(|_, (_, expiry)| *expiry > now);
        data.refresh_tokens.retain(|_, (_, expiry)| *expiry > now);
        data.user_tokens
            .insert(access.clone(), (user_id.to_owned(), after(ttl)));
        data.refresh_tokens
            .insert(refresh.clone(), (user_id.to_owned(), after(REFRESH_TTL)));
    });
    json!({
        "accessToken": access,
        "refreshToken": refresh,
        "expireIn": ttl.as_secs(),
        "corpId": sim.config().corp_id,
    })
}

/// `POST /v1.0/oauth2/userAccessToken {clientId, clientSecret, code, refreshToken, grantType}`
/// → `{accessToken, refreshToken, expireIn, corpId}`.
pub async fn user_access_token(State(sim): State<Sim>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match api_json_body(&parts, body).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let field = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or("");
    let config = sim.config();
    if field("clientId") != config.app_key || field("clientSecret") != config.app_secret {
        return api::error(
            StatusCode::BAD_REQUEST,
            "invalidClientIdOrSecret",
            "无效的clientId或者clientSecret",
        );
    }
    let now = sim.clock().now();
    match field("grantType") {
        "authorization_code" => {
            let code = field("code").to_owned();
            let user = sim.with_data(|data| data.oauth_codes.redeem(&code, now));
            match user {
                Some(user_id) => api::ok(tokens_for(&sim, &user_id)),
                None => api::bad_request("invalidAuthCode", "不合法的临时授权码"),
            }
        }
        "refresh_token" => {
            let refresh = field("refreshToken").to_owned();
            let user = sim.with_data(|data| {
                data.refresh_tokens
                    .remove(&refresh)
                    .filter(|(_, expiry)| *expiry > now)
                    .map(|(user, _)| user)
            });
            match user {
                Some(user_id) => api::ok(tokens_for(&sim, &user_id)),
                None => api::bad_request("invalidRefreshToken", "不合法的refreshToken"),
            }
        }
        _ => api::bad_request(
            "InvalidParameter",
            "grantType 只能是 authorization_code 或 refresh_token",
        ),
    }
}

/// `GET /v1.0/contact/users/me` with the **user** token → `{nick, avatarUrl, mobile, openId,
/// unionId, email, stateCode}` (fields without a value are omitted).
pub async fn users_me(State(sim): State<Sim>, request: Request) -> Response {
    let token = request
        .headers()
        .get("x-acs-dingtalk-access-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if token.is_empty() {
        return api::missing_token();
    }
    let now = sim.clock().now();
    let user = sim.with_data_read(|data| {
        let (user_id, expiry) = data.user_tokens.get(&token)?;
        (*expiry > now).then(|| data.org.user(user_id).cloned())?
    });
    let Some(user) = user else {
        return api::invalid_token();
    };
    let mut body = serde_json::Map::new();
    body.insert("nick".into(), json!(user.name));
    body.insert("unionId".into(), json!(user.union_id));
    body.insert(
        "openId".into(),
        json!(crate::org::union_id_for(&format!("open:{}", user.user_id))),
    );
    body.insert("avatarUrl".into(), json!(""));
    if let Some(mobile) = &user.mobile {
        body.insert("mobile".into(), json!(mobile));
        body.insert("stateCode".into(), json!("86"));
    }
    api::ok(Value::Object(body))
}
