//! Typed DingTalk calls, one module per product area. Each request is a struct with DingTalk's
//! field names (serde renames) implementing [`Endpoint`](crate::Endpoint); responses ignore
//! unknown fields. [`Client`](crate::Client) has a convenience method per call.

pub mod callback;
pub mod card;
pub mod contact;
pub mod department;
pub mod media;
pub mod notification;
pub mod oauth;
pub mod robot;
pub mod workflow;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The `result` member of an oapi `/topapi/` answer.
#[derive(Debug, Clone, Deserialize)]
pub struct OapiResult<T> {
    /// The business payload.
    pub result: T,
}

/// Declares the `Endpoint` impl of a request struct that is its own JSON body.
macro_rules! json_endpoint {
    ($request:ty => $response:ty, $family:ident, $method:ident, $path:literal, $safety:ident) => {
        impl $crate::endpoint::Endpoint for $request {
            type Response = $response;
            type Body = Self;
            const FAMILY: $crate::endpoint::Family = $crate::endpoint::Family::$family;
            const METHOD: reqwest::Method = reqwest::Method::$method;

            fn path(&self) -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($path)
            }

            fn body(&self) -> Option<&Self> {
                Some(self)
            }

            fn retry_safety(&self) -> $crate::retry::RetrySafety {
                $crate::retry::RetrySafety::$safety
            }
        }
    };
}
pub(crate) use json_endpoint;

/// Accepts `"143105"` or `143105`.
pub(crate) fn string_or_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or a number, got {other}"
        ))),
    }
}
