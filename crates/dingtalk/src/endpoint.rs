//! Requests as values: every DingTalk call is a struct implementing [`Endpoint`], sent with
//! [`Client::send`](crate::Client::send).

use std::borrow::Cow;

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::retry::RetrySafety;

/// The two DingTalk API families (API.md §0.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Legacy `oapi.dingtalk.com`: token in the `access_token` query parameter, errors as HTTP
    /// 200 with a non-zero `errcode`.
    Oapi,
    /// New `api.dingtalk.com/v1.0`: token in the `x-acs-dingtalk-access-token` header, errors
    /// as 4xx/5xx with `{code, message, requestid}`.
    Api,
}

/// One DingTalk call: where it goes, what it sends, what it answers.
pub trait Endpoint: Send + Sync {
    /// The typed answer (unknown fields are ignored).
    type Response: DeserializeOwned;
    /// The JSON body type; `()` with [`body`](Self::body) returning `None` for bodyless calls.
    type Body: Serialize + ?Sized;
    /// The API family (host, token placement, error dialect).
    const FAMILY: Family;
    /// The HTTP method.
    const METHOD: Method;
    /// Whether the call carries the app access token.
    const AUTHENTICATED: bool = true;

    /// The path below the family's base URL, starting with `/`.
    fn path(&self) -> Cow<'static, str>;

    /// Query parameters besides the access token.
    fn query(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// The JSON body, if any.
    fn body(&self) -> Option<&Self::Body>;

    /// Whether the client may repeat this call on its own.
    fn retry_safety(&self) -> RetrySafety;
}
