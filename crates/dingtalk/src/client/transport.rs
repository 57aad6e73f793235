//! One call end to end: token, attempts with retries, envelope check.

use std::borrow::Cow;
use std::future::Future;
use std::time::Duration;

use rand::Rng;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

use super::{Client, decode, envelope};
use crate::endpoint::Family;
use crate::error::DingTalkError;
use crate::retry::{Retry, RetrySafety};
use crate::token::{AccessToken, TokenStyle};

const TOKEN_HEADER: &str = "x-acs-dingtalk-access-token";
const REQUEST_ID_HEADER: &str = "x-acs-request-id";

/// What is sent, rebuilt for every attempt.
pub(crate) enum Payload {
    Empty,
    Json(Vec<u8>),
    /// `multipart/form-data` with text fields and one file part.
    Multipart {
        fields: Vec<(&'static str, String)>,
        file_field: &'static str,
        file_name: String,
        bytes: Vec<u8>,
        mime: Option<String>,
    },
}

/// A call, independent of the typed endpoint that produced it.
pub(crate) struct Call {
    pub(crate) family: Family,
    pub(crate) method: Method,
    pub(crate) path: Cow<'static, str>,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) payload: Payload,
    pub(crate) safety: RetrySafety,
    pub(crate) authenticated: bool,
}

#[derive(Deserialize)]
struct ApiToken {
    #[serde(rename = "accessToken")]
    access_token: String,
    #[serde(rename = "expireIn")]
    expire_in: u64,
}

#[derive(Deserialize)]
struct OapiToken {
    access_token: String,
    expires_in: u64,
}

impl Client {
    /// Runs a call: token, retries within the budget, one token refresh on rejection.
    pub(crate) async fn execute(&self, call: &Call) -> Result<Vec<u8>, DingTalkError> {
        if !call.authenticated {
            return self.with_retries(call, || self.attempt(call, None)).await;
        }
        let mut refreshed = false;
        loop {
            let token = self.access_token().await?;
            let result = self
                .with_retries(call, || self.attempt(call, Some(&token)))
                .await;
            match result {
                Err(error) if error.is_token_invalid() && !refreshed => {
                    tracing::warn!(
                        dingtalk.path = %call.path,
                        dingtalk.code = error.api_code().unwrap_or_default(),
                        "DingTalk rejected the access token; refreshing it and retrying once"
                    );
                    self.inner.tokens.invalidate(&token);
                    refreshed = true;
                }
                other => return other,
            }
        }
    }

    /// Runs a call with a caller-supplied token (a user token): retries, no refresh.
    pub(crate) async fn execute_with_token(
        &self,
        call: &Call,
        token: &AccessToken,
    ) -> Result<Vec<u8>, DingTalkError> {
        self.with_retries(call, || self.attempt(call, Some(token)))
            .await
    }

    /// Repeats `attempt` while the retry policy says so.
    async fn with_retries<F, Fut>(
        &self,
        call: &Call,
        mut attempt: F,
    ) -> Result<Vec<u8>, DingTalkError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Vec<u8>, DingTalkError>>,
    {
        let started = Instant::now();
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let error = match attempt().await {
                Ok(body) => return Ok(body),
                Err(error) => error,
            };
            let jitter = rand::thread_rng().r#gen::<f64>();
            match self
                .inner
                .retry
                .decide(&error, call.safety, attempts, started.elapsed(), jitter)
            {
                Retry::Stop => return Err(error),
                Retry::After(delay) => {
                    tracing::warn!(
                        dingtalk.path = %call.path,
                        dingtalk.code = error.api_code().unwrap_or("-"),
                        dingtalk.error = %error,
                        attempt = attempts,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        "DingTalk call failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// One HTTP exchange.
    async fn attempt(
        &self,
        call: &Call,
        token: Option<&AccessToken>,
    ) -> Result<Vec<u8>, DingTalkError> {
        let base = self.base(call.family).as_str().trim_end_matches('/');
        let url = format!("{base}{}", call.path);
        let mut request = self.inner.http.request(call.method.clone(), url);
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(token) = token {
            request = match call.family {
                Family::Oapi => request.query(&[("access_token", token.expose())]),
                Family::Api => {
                    let mut value = HeaderValue::from_str(token.expose()).map_err(|_| {
                        DingTalkError::Config("access token is not a valid header value".into())
                    })?;
                    value.set_sensitive(true);
                    request.header(TOKEN_HEADER, value)
                }
            };
        }
        request = match &call.payload {
            Payload::Empty => request,
            Payload::Json(body) => request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone()),
            Payload::Multipart {
                fields,
                file_field,
                file_name,
                bytes,
                mime,
            } => {
                let mut part =
                    reqwest::multipart::Part::bytes(bytes.clone()).file_name(file_name.clone());
                if let Some(mime) = mime {
                    part = part.mime_str(mime).map_err(|error| {
                        DingTalkError::Config(format!("invalid content type `{mime}`: {error}"))
                    })?;
                }
                let form = fields
                    .iter()
                    .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
                        form.text(*name, value.clone())
                    })
                    .part(*file_field, part);
                request.multipart(form)
            }
        };
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let header_request_id = response
            .headers()
            .get(REQUEST_ID_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await.map_err(transport_error)?;
        envelope::check(status, &body, header_request_id)?;
        Ok(body.to_vec())
    }

    /// Fetches a fresh token with the configured style; answers it and its lifetime.
    pub(crate) async fn fetch_token(&self) -> Result<(String, Duration), DingTalkError> {
        let secret = self.inner.app_secret.expose_secret();
        let (call, style) = match self.inner.token_style {
            TokenStyle::Api => {
                let body = json!({ "appKey": self.inner.app_key, "appSecret": secret });
                (
                    Call {
                        family: Family::Api,
                        method: Method::POST,
                        path: Cow::Borrowed("/v1.0/oauth2/accessToken"),
                        query: Vec::new(),
                        payload: Payload::Json(body.to_string().into_bytes()),
                        safety: RetrySafety::Idempotent,
                        authenticated: false,
                    },
                    TokenStyle::Api,
                )
            }
            TokenStyle::Oapi => (
                Call {
                    family: Family::Oapi,
                    method: Method::GET,
                    path: Cow::Borrowed("/gettoken"),
                    query: vec![
                        ("appkey", self.inner.app_key.clone()),
                        ("appsecret", secret.to_owned()),
                    ],
                    payload: Payload::Empty,
                    safety: RetrySafety::Idempotent,
                    authenticated: false,
                },
                TokenStyle::Oapi,
            ),
        };
        let body = self
            .with_retries(&call, || self.attempt(&call, None))
            .await?;
        let (token, seconds) = match style {
            TokenStyle::Api => {
                let token: ApiToken = decode(&body)?;
                (token.access_token, token.expire_in)
            }
            TokenStyle::Oapi => {
                let token: OapiToken = decode(&body)?;
                (token.access_token, token.expires_in)
            }
        };
        tracing::debug!(dingtalk.token_style = ?style, expires_in_s = seconds, "fetched DingTalk access token");
        Ok((token, Duration::from_secs(seconds)))
    }
}

/// A reqwest failure, with the URL removed: it may carry the token or the app secret.
fn transport_error(error: reqwest::Error) -> DingTalkError {
    DingTalkError::from_reqwest(error.without_url())
}
