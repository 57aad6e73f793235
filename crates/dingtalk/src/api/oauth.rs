//! OAuth2 web login (a console opened in a browser): DingTalk's login page redirects back with
//! `authCode`; the app exchanges it for a **user** token and reads the user's profile with it.
//!
//! The login URL is built by [`login_url`]; [`Client::user_access_token`] and
//! [`Client::refresh_user_token`] call `POST /v1.0/oauth2/userAccessToken` (no app token);
//! [`Client::user_profile`] calls `GET /v1.0/contact/users/me` with the user token in
//! `x-acs-dingtalk-access-token`.

use std::borrow::Cow;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

use crate::Client;
use crate::endpoint::{Endpoint, Family};
use crate::error::DingTalkError;
use crate::ids::UnionId;
use crate::retry::RetrySafety;
use crate::token::AccessToken;

/// The browser login URL: `<login base>/oauth2/auth?redirect_uri&response_type=code&client_id&
/// scope=openid&state&prompt=consent` (`login base` = `https://login.dingtalk.com`, or the
/// simulator's base URL).
///
/// # Errors
/// [`DingTalkError::Config`] when `login_base` is not a URL.
pub fn login_url(
    login_base: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
) -> Result<String, DingTalkError> {
    let mut url = url::Url::parse(login_base)
        .and_then(|base| base.join("/oauth2/auth"))
        .map_err(|error| DingTalkError::Config(format!("invalid login base URL: {error}")))?;
    url.query_pairs_mut()
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("scope", "openid")
        .append_pair("state", state)
        .append_pair("prompt", "consent");
    Ok(url.into())
}

fn expose<S: Serializer>(secret: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

/// `POST /v1.0/oauth2/userAccessToken {clientId, clientSecret, code | refreshToken, grantType}`.
/// Not retried after an ambiguous failure: the code is single use.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetUserAccessToken {
    /// The app's AppKey.
    pub client_id: String,
    /// The app's AppSecret.
    #[serde(serialize_with = "expose")]
    pub client_secret: SecretString,
    /// The `authCode` of the redirect (`authorization_code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A refresh token (`refresh_token`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// `authorization_code` or `refresh_token`.
    pub grant_type: String,
}

impl std::fmt::Debug for GetUserAccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetUserAccessToken")
            .field("client_id", &self.client_id)
            .field("grant_type", &self.grant_type)
            .finish_non_exhaustive()
    }
}

/// `{accessToken, refreshToken, expireIn, corpId}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserToken {
    /// The user access token.
    pub access_token: AccessToken,
    /// Refresh token (30 days).
    pub refresh_token: AccessToken,
    /// Seconds the access token is valid (7200).
    pub expire_in: u64,
    /// The organisation the user signed in to, when the scope asked for it.
    #[serde(default)]
    pub corp_id: Option<String>,
}

impl std::fmt::Debug for UserToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserToken")
            .field("expire_in", &self.expire_in)
            .field("corp_id", &self.corp_id)
            .finish_non_exhaustive()
    }
}

impl Endpoint for GetUserAccessToken {
    type Response = UserToken;
    type Body = Self;
    const FAMILY: Family = Family::Api;
    const METHOD: Method = Method::POST;
    const AUTHENTICATED: bool = false;

    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/v1.0/oauth2/userAccessToken")
    }

    fn body(&self) -> Option<&Self> {
        Some(self)
    }

    fn retry_safety(&self) -> RetrySafety {
        RetrySafety::OnlyIfNotProcessed
    }
}

/// `GET /v1.0/contact/users/me` (user token).
#[derive(Debug, Clone, Copy, Default)]
pub struct GetMyProfile;

/// The signed-in user's profile; fields the user did not grant are omitted.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    /// Nickname (the name).
    #[serde(default)]
    pub nick: Option<String>,
    /// Avatar URL.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// Mobile number.
    #[serde(default)]
    pub mobile: Option<String>,
    /// Open id (per app).
    #[serde(default)]
    pub open_id: Option<String>,
    /// Union id (across the developer's apps).
    #[serde(default)]
    pub union_id: Option<UnionId>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Country code of the mobile number.
    #[serde(default)]
    pub state_code: Option<String>,
}

impl Endpoint for GetMyProfile {
    type Response = UserProfile;
    type Body = ();
    const FAMILY: Family = Family::Api;
    const METHOD: Method = Method::GET;

    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/v1.0/contact/users/me")
    }

    fn body(&self) -> Option<&()> {
        None
    }

    fn retry_safety(&self) -> RetrySafety {
        RetrySafety::Idempotent
    }
}

impl Client {
    /// Exchanges the web-login `authCode` for a user token.
    ///
    /// # Errors
    /// [`DingTalkError::Api`] for a used, expired or unknown code.
    pub async fn user_access_token(&self, auth_code: &str) -> Result<UserToken, DingTalkError> {
        let request = GetUserAccessToken {
            client_id: self.app_key().to_owned(),
            client_secret: self.app_secret().clone(),
            code: Some(auth_code.to_owned()),
            refresh_token: None,
            grant_type: "authorization_code".to_owned(),
        };
        self.send(&request).await
    }

    /// Renews a user token with its refresh token.
    ///
    /// # Errors
    /// [`DingTalkError::Api`] for an unknown or expired refresh token.
    pub async fn refresh_user_token(
        &self,
        refresh_token: &AccessToken,
    ) -> Result<UserToken, DingTalkError> {
        let request = GetUserAccessToken {
            client_id: self.app_key().to_owned(),
            client_secret: self.app_secret().clone(),
            code: None,
            refresh_token: Some(refresh_token.expose().to_owned()),
            grant_type: "refresh_token".to_owned(),
        };
        self.send(&request).await
    }

    /// The profile of the user the token belongs to (`contact/users/me`).
    ///
    /// # Errors
    /// [`DingTalkError::Api`] with code `InvalidAuthentication` for an expired or foreign token
    /// (the app token is not a user token).
    pub async fn user_profile(
        &self,
        user_token: &AccessToken,
    ) -> Result<UserProfile, DingTalkError> {
        self.send_with_token(&GetMyProfile, user_token).await
    }
}
