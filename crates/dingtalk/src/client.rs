//! The [`Client`]: configuration, the shared `reqwest` client, the token cache and the one
//! request path every typed call goes through (token, retries, error normalisation, decoding).

mod builder;
mod envelope;
pub(crate) mod transport;

use std::fmt;
use std::sync::Arc;

use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

pub use builder::ClientBuilder;

use crate::endpoint::{Endpoint, Family};
use crate::error::DingTalkError;
use crate::retry::RetryBudget;
use crate::token::{AccessToken, TokenCache, TokenStyle};

/// A DingTalk client for one internal app. Cheap to clone (an `Arc` inside); build it once.
///
/// ```no_run
/// # async fn demo() -> Result<(), dingtalk::DingTalkError> {
/// let client = dingtalk::Client::builder()
///     .app_key("dingxxxx")
///     .app_secret("secret".into())
///     .corp_id("dingcorp")
///     .agent_id(123)
///     .build()?;
/// let user = client.user_detail(&"manager001".into()).await?;
/// println!("{}", user.name);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    app_key: String,
    app_secret: SecretString,
    corp_id: Option<String>,
    agent_id: Option<i64>,
    oapi_base: Url,
    api_base: Url,
    retry: RetryBudget,
    token_style: TokenStyle,
    tokens: TokenCache,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("app_key", &self.inner.app_key)
            .field("corp_id", &self.inner.corp_id)
            .field("agent_id", &self.inner.agent_id)
            .field("oapi_base", &self.inner.oapi_base.as_str())
            .field("api_base", &self.inner.api_base.as_str())
            .field("retry", &self.inner.retry)
            .field("token_style", &self.inner.token_style)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The AppKey (ClientID); also the robot code of the app's robot and the Stream client id.
    pub fn app_key(&self) -> &str {
        &self.inner.app_key
    }

    /// The organisation's corp id, if configured.
    pub fn corp_id(&self) -> Option<&str> {
        self.inner.corp_id.as_deref()
    }

    /// The micro-app's agent id, if configured (work notifications need it).
    pub fn agent_id(&self) -> Option<i64> {
        self.inner.agent_id
    }

    /// The retry budget applied to every call.
    pub fn retry_budget(&self) -> RetryBudget {
        self.inner.retry
    }

    pub(crate) fn app_secret(&self) -> &SecretString {
        &self.inner.app_secret
    }

    pub(crate) fn required_agent_id(&self) -> Result<i64, DingTalkError> {
        self.inner
            .agent_id
            .ok_or_else(|| DingTalkError::Config("agent_id is required for this call".into()))
    }

    /// Sends one typed request: adds the access token, retries within the budget when the
    /// endpoint allows it, refreshes the token once if DingTalk rejects it, and decodes the
    /// answer.
    ///
    /// # Errors
    /// [`DingTalkError::Api`] for DingTalk's own errors, otherwise transport, timeout or decode
    /// errors.
    pub async fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Response, DingTalkError> {
        let call = call_of(endpoint, E::AUTHENTICATED)?;
        let bytes = self.execute(&call).await?;
        decode(&bytes)
    }

    /// Sends one typed request with `token` (a user token) in place of the app token: no token
    /// cache, no refresh; retries as [`send`](Self::send) does.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub async fn send_with_token<E: Endpoint>(
        &self,
        endpoint: &E,
        token: &AccessToken,
    ) -> Result<E::Response, DingTalkError> {
        let call = call_of(endpoint, false)?;
        let bytes = self.execute_with_token(&call, token).await?;
        decode(&bytes)
    }

    /// The current app access token (fetched or refreshed if needed), for calls this crate does
    /// not model yet.
    ///
    /// # Errors
    /// Whatever fetching the token fails with.
    pub async fn access_token(&self) -> Result<AccessToken, DingTalkError> {
        self.inner.tokens.get(|| self.fetch_token()).await
    }

    /// Forgets the cached access token; the next call fetches a new one.
    pub fn clear_token_cache(&self) {
        self.inner.tokens.clear();
    }

    fn base(&self, family: Family) -> &Url {
        match family {
            Family::Oapi => &self.inner.oapi_base,
            Family::Api => &self.inner.api_base,
        }
    }
}

/// Decodes a JSON answer, naming the failing field.
pub(crate) fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, DingTalkError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| DingTalkError::Decode {
        path: error.path().to_string(),
        source: error.into_inner(),
    })
}

/// The transport call of a typed request (its JSON body encoded once).
fn call_of<E: Endpoint>(
    endpoint: &E,
    authenticated: bool,
) -> Result<transport::Call, DingTalkError> {
    let body = endpoint
        .body()
        .map(|body| {
            serde_json::to_vec(body).map_err(|source| DingTalkError::Decode {
                path: "<request body>".into(),
                source,
            })
        })
        .transpose()?;
    Ok(transport::Call {
        family: E::FAMILY,
        method: E::METHOD,
        path: endpoint.path(),
        query: endpoint.query(),
        payload: body.map_or(transport::Payload::Empty, transport::Payload::Json),
        safety: endpoint.retry_safety(),
        authenticated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Outer {
        #[allow(dead_code)]
        result: Inner,
    }

    #[derive(Debug, Deserialize)]
    struct Inner {
        #[allow(dead_code)]
        dept_id_list: Vec<i64>,
    }

    #[test]
    fn decode_errors_name_the_failing_field() {
        let error = decode::<Outer>(br#"{"result":{"dept_id_list":[1,"x"]}}"#).unwrap_err();
        assert!(
            matches!(&error, DingTalkError::Decode { path, .. } if path == "result.dept_id_list[1]"),
            "{error:?}"
        );
        assert!(
            decode::<Outer>(br#"{"result":{"dept_id_list":[1],"extra":true},"errcode":0}"#).is_ok()
        );
    }
}
