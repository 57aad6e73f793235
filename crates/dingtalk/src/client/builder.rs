use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::{Client, Inner};
use crate::error::DingTalkError;
use crate::retry::RetryBudget;
use crate::token::{TokenCache, TokenStyle};

const DEFAULT_OAPI_BASE: &str = "https://oapi.dingtalk.com";
const DEFAULT_API_BASE: &str = "https://api.dingtalk.com";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The official Stream SDK refreshes 5 minutes early (API.md §1.4).
const DEFAULT_TOKEN_MARGIN: Duration = Duration::from_secs(300);
const USER_AGENT: &str = concat!("aidazu-dingtalk/", env!("CARGO_PKG_VERSION"));

/// Configures a [`Client`]. `app_key` and `app_secret` are required.
#[derive(Default)]
pub struct ClientBuilder {
    app_key: Option<String>,
    app_secret: Option<SecretString>,
    corp_id: Option<String>,
    agent_id: Option<i64>,
    oapi_base: Option<String>,
    api_base: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry_budget: Option<RetryBudget>,
    token_refresh_margin: Option<Duration>,
    token_style: TokenStyle,
    user_agent: Option<String>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("app_key", &self.app_key)
            .field("corp_id", &self.corp_id)
            .field("agent_id", &self.agent_id)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The app's AppKey (ClientID).
    #[must_use]
    pub fn app_key(mut self, app_key: impl Into<String>) -> Self {
        self.app_key = Some(app_key.into());
        self
    }

    /// The app's AppSecret (ClientSecret).
    #[must_use]
    pub fn app_secret(mut self, app_secret: SecretString) -> Self {
        self.app_secret = Some(app_secret);
        self
    }

    /// The organisation's corp id.
    #[must_use]
    pub fn corp_id(mut self, corp_id: impl Into<String>) -> Self {
        self.corp_id = Some(corp_id.into());
        self
    }

    /// The micro-app's agent id (needed for work notifications).
    #[must_use]
    pub fn agent_id(mut self, agent_id: i64) -> Self {
        self.agent_id = Some(agent_id);
        self
    }

    /// Base URL of the legacy family (default `https://oapi.dingtalk.com`).
    #[must_use]
    pub fn oapi_base(mut self, url: impl Into<String>) -> Self {
        self.oapi_base = Some(url.into());
        self
    }

    /// Base URL of the new family (default `https://api.dingtalk.com`); also where Stream
    /// connections are opened.
    #[must_use]
    pub fn api_base(mut self, url: impl Into<String>) -> Self {
        self.api_base = Some(url.into());
        self
    }

    /// Overall timeout of one HTTP attempt (default 10 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Connect timeout (default 5 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Retry bounds (default [`RetryBudget::default`]).
    #[must_use]
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.retry_budget = Some(budget);
        self
    }

    /// Refresh the token this long before it expires (default 5 min; capped at half the
    /// token's lifetime).
    #[must_use]
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = Some(margin);
        self
    }

    /// Which endpoint fetches the access token (default [`TokenStyle::Api`]).
    #[must_use]
    pub fn token_style(mut self, style: TokenStyle) -> Self {
        self.token_style = style;
        self
    }

    /// Overrides the `User-Agent` header.
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`DingTalkError::Config`] when a credential is missing, a base URL does not parse, or the
    /// HTTP client cannot be built.
    pub fn build(self) -> Result<Client, DingTalkError> {
        let app_key = self
            .app_key
            .filter(|key| !key.is_empty())
            .ok_or_else(|| DingTalkError::Config("app_key is required".into()))?;
        let app_secret = self
            .app_secret
            .filter(|secret| !secret.expose_secret().is_empty())
            .ok_or_else(|| DingTalkError::Config("app_secret is required".into()))?;
        let oapi_base = parse_base("oapi_base", self.oapi_base.as_deref(), DEFAULT_OAPI_BASE)?;
        let api_base = parse_base("api_base", self.api_base.as_deref(), DEFAULT_API_BASE)?;
        let http = reqwest::Client::builder()
            .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
            .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            .user_agent(self.user_agent.unwrap_or_else(|| USER_AGENT.to_owned()))
            .build()
            .map_err(|error| DingTalkError::Config(format!("cannot build HTTP client: {error}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                app_key,
                app_secret,
                corp_id: self.corp_id,
                agent_id: self.agent_id,
                oapi_base,
                api_base,
                retry: self.retry_budget.unwrap_or_default(),
                token_style: self.token_style,
                tokens: TokenCache::new(self.token_refresh_margin.unwrap_or(DEFAULT_TOKEN_MARGIN)),
            }),
        })
    }
}

fn parse_base(name: &str, value: Option<&str>, default: &str) -> Result<Url, DingTalkError> {
    let raw = value.unwrap_or(default);
    let url = Url::parse(raw.trim_end_matches('/'))
        .map_err(|error| DingTalkError::Config(format!("{name} `{raw}` is not a URL: {error}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(DingTalkError::Config(format!(
            "{name} `{raw}` must be http or https"
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_credentials_and_bad_urls_are_config_errors() {
        let missing = Client::builder().app_key("k").build();
        assert!(matches!(missing, Err(DingTalkError::Config(_))));
        let bad = Client::builder()
            .app_key("k")
            .app_secret("s".into())
            .api_base("not a url")
            .build();
        assert!(matches!(bad, Err(DingTalkError::Config(m)) if m.contains("api_base")));
        let ftp = Client::builder()
            .app_key("k")
            .app_secret("s".into())
            .oapi_base("ftp://x")
            .build();
        assert!(matches!(ftp, Err(DingTalkError::Config(_))));
    }

    #[test]
    fn debug_does_not_print_the_secret() {
        let client = Client::builder()
            .app_key("k")
            .app_secret("very-secret".into())
            .build()
            .unwrap();
        assert!(!format!("{client:?}").contains("very-secret"));
        assert_eq!(client.app_key(), "k");
    }
}
