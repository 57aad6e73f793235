//! The one error type of the client: both DingTalk error dialects normalised into
//! [`DingTalkError::Api`], plus transport, timeout, decoding and configuration failures.

use thiserror::Error;

use crate::callback::CryptoError;

/// Anything a DingTalk call, the Stream client or the callback crypto can fail with.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DingTalkError {
    /// DingTalk answered with an error: oapi `{"errcode","errmsg","sub_code","request_id"}`
    /// (HTTP 200) or api `{"code","message","requestid"}` (HTTP 4xx/5xx).
    #[error("DingTalk error {code}: {message}")]
    Api {
        /// `errcode` as a string (oapi, e.g. `"90018"`) or `code` (api, e.g.
        /// `"Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"`).
        code: String,
        /// `errmsg` / `message`.
        message: String,
        /// `request_id` / `requestid` / `x-acs-request-id`, when present.
        request_id: Option<String>,
        /// HTTP status of the answer (200 for oapi errors).
        http_status: u16,
        /// oapi `sub_code` of wrapped gateway errors (`errcode 88`), e.g. `"40014"`.
        sub_code: Option<String>,
    },
    /// A non-success HTTP status whose body is not a DingTalk error (gateway page, IP ban).
    #[error("DingTalk answered HTTP {http_status} without an error body")]
    Status {
        /// HTTP status.
        http_status: u16,
        /// The start of the body, for diagnosis.
        body: String,
    },
    /// The request could not be sent or the answer not read (DNS, connect, reset).
    #[error("transport error talking to DingTalk")]
    Transport(#[source] reqwest::Error),
    /// The request or the connection timed out.
    #[error("DingTalk call timed out")]
    Timeout,
    /// The answer is not the JSON we expect; `path` names the offending field.
    #[error("cannot decode DingTalk answer at `{path}`")]
    Decode {
        /// serde path of the field that failed (`result.dept_id_list[0]`).
        path: String,
        /// The underlying serde error.
        #[source]
        source: serde_json::Error,
    },
    /// The client is misconfigured (bad base URL, missing credential).
    #[error("invalid DingTalk client configuration: {0}")]
    Config(String),
    /// A callback could not be verified or decrypted.
    #[error("callback crypto: {0}")]
    Callback(#[from] CryptoError),
    /// The Stream WebSocket failed.
    #[error("stream WebSocket error")]
    WebSocket(#[source] Box<tokio_tungstenite::tungstenite::Error>),
}

/// oapi error codes meaning the access token is missing, invalid or expired.
const OAPI_TOKEN_CODES: [&str; 4] = ["40014", "42001", "40001", "41001"];
/// api error codes meaning the access token is invalid or expired.
const API_TOKEN_CODES: [&str; 3] = [
    "InvalidAuthentication",
    "accesstoken.expired",
    "token.notExisted",
];
/// oapi rate-limit codes (per app per API, global per API, other dimensions, work-notification
/// QPM). `90020` (monthly quota) is deliberately absent: waiting seconds does not help.
const OAPI_RATE_LIMIT_CODES: [&str; 4] = ["90018", "90002", "143103", "143104"];
/// Code given to DingTalk's egress-IP throttle answer `{"status":1111,"punish":"deny",...}`.
pub(crate) const IP_THROTTLED: &str = "ip.throttled";
/// oapi "system busy".
const OAPI_BUSY: &str = "-1";

/// How an error should be treated by the retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Rate limited: DingTalk refused the call before processing it; wait longer.
    RateLimited,
    /// The call never reached DingTalk (connect failure); safe to repeat.
    NotSent,
    /// Transient failure after the request may have been processed (5xx, busy, timeout, reset).
    Transient,
    /// The access token is invalid or expired; refresh it and repeat once.
    TokenInvalid,
    /// Anything else: repeating will not help.
    Permanent,
}

impl DingTalkError {
    /// Builds the error for a `reqwest` failure, separating timeouts.
    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            Self::Timeout
        } else {
            Self::Transport(error)
        }
    }

    /// The DingTalk code of an [`Api`](Self::Api) error.
    pub fn api_code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// How the retry policy should treat this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Api {
                code,
                http_status,
                sub_code,
                ..
            } => api_kind(code, *http_status, sub_code.as_deref()),
            Self::Status { http_status, .. } => status_kind(*http_status),
            Self::Transport(error) if error.is_connect() => ErrorKind::NotSent,
            Self::Transport(error) if error.is_builder() || error.is_redirect() => {
                ErrorKind::Permanent
            }
            Self::Transport(_) | Self::Timeout | Self::WebSocket(_) => ErrorKind::Transient,
            Self::Decode { .. } | Self::Config(_) | Self::Callback(_) => ErrorKind::Permanent,
        }
    }

    /// Whether repeating the same call later may succeed: 5xx, timeouts and connection errors,
    /// rate limits (`90018`, `90002`, `-1` busy, 403 `Forbidden.AccessDenied.Qps*`, 429).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::RateLimited | ErrorKind::NotSent | ErrorKind::Transient
        )
    }

    /// Whether a card with this `outTrackId` already exists (`param.cardAlreadyExist`): after a
    /// retried create-and-deliver this means an earlier attempt got through.
    pub fn is_card_already_exists(&self) -> bool {
        self.api_code() == Some("param.cardAlreadyExist")
    }

    /// Whether DingTalk refused a robot group message for the group itself: an unknown or
    /// dissolved group (`invalid.openConversationId`, `group.disbanded`), or a group the robot
    /// is not in or no longer serves (`invalidParameter.robotCode.notExsit`, `bot.stopped`).
    /// Permanent: the delivery is failed, not retried.
    pub fn is_group_refusal(&self) -> bool {
        matches!(
            self.api_code(),
            Some(
                "invalid.openConversationId"
                    | "miss.openConversationId"
                    | "group.disbanded"
                    | "invalidParameter.robotCode.notExsit"
                    | "bot.stopped"
            )
        )
    }

    /// Whether the access token was refused (invalid, expired or missing).
    pub fn is_token_invalid(&self) -> bool {
        self.kind() == ErrorKind::TokenInvalid
    }
}

fn api_kind(code: &str, http_status: u16, sub_code: Option<&str>) -> ErrorKind {
    let token_code = |c: &str| OAPI_TOKEN_CODES.contains(&c) || API_TOKEN_CODES.contains(&c);
    if token_code(code) || (code == "88" && sub_code.is_some_and(token_code)) {
        return ErrorKind::TokenInvalid;
    }
    let rate_limit_code = |c: &str| OAPI_RATE_LIMIT_CODES.contains(&c);
    if rate_limit_code(code)
        || (code == "88" && sub_code.is_some_and(rate_limit_code))
        || code == IP_THROTTLED
        || code.starts_with("Forbidden.AccessDenied.Qps")
        || code.starts_with("Forbidden.AccessDenied.Qpm")
        || code.eq_ignore_ascii_case("system.busy")
        || code.eq_ignore_ascii_case("systemBusy")
        || code.eq_ignore_ascii_case("Throttling")
        || http_status == 429
    {
        return ErrorKind::RateLimited;
    }
    if code == OAPI_BUSY || http_status >= 500 {
        return ErrorKind::Transient;
    }
    if http_status == 401 {
        return ErrorKind::TokenInvalid;
    }
    ErrorKind::Permanent
}

fn status_kind(http_status: u16) -> ErrorKind {
    match http_status {
        429 => ErrorKind::RateLimited,
        500.. => ErrorKind::Transient,
        _ => ErrorKind::Permanent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str, http_status: u16, sub_code: Option<&str>) -> DingTalkError {
        DingTalkError::Api {
            code: code.into(),
            message: String::new(),
            request_id: None,
            http_status,
            sub_code: sub_code.map(Into::into),
        }
    }

    #[test]
    fn token_errors_of_both_dialects_are_recognised() {
        assert!(api("88", 200, Some("40014")).is_token_invalid());
        assert!(api("88", 200, Some("42001")).is_token_invalid());
        assert!(api("42001", 200, None).is_token_invalid());
        assert!(api("41001", 200, None).is_token_invalid());
        assert!(api("InvalidAuthentication", 400, None).is_token_invalid());
        assert!(api("accesstoken.expired", 400, None).is_token_invalid());
        assert!(api("whatever", 401, None).is_token_invalid());
        // A missing token is our bug, not an expiry.
        assert!(!api("88", 200, Some("40000")).is_token_invalid());
    }

    #[test]
    fn rate_limits_and_busy_are_retryable() {
        for error in [
            api("90018", 200, None),
            api("90002", 200, None),
            api("-1", 200, None),
            api("Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", 403, None),
            api("Forbidden.AccessDenied.QpsLimitForApi", 403, None),
            api("system.busy", 429, None),
            api("systemError", 500, None),
            DingTalkError::Status {
                http_status: 502,
                body: String::new(),
            },
            DingTalkError::Timeout,
        ] {
            assert!(error.is_retryable(), "{error:?}");
        }
        assert_eq!(api("90018", 200, None).kind(), ErrorKind::RateLimited);
        assert_eq!(api("88", 200, Some("90018")).kind(), ErrorKind::RateLimited);
        assert_eq!(
            api("ip.throttled", 200, None).kind(),
            ErrorKind::RateLimited
        );
        assert_eq!(api("-1", 200, None).kind(), ErrorKind::Transient);
    }

    #[test]
    fn business_errors_are_not_retryable() {
        for error in [
            api("40078", 200, None),
            api("90020", 200, None),
            api("88", 200, Some("40000")),
            api("processInstanceIdError", 400, None),
            api("Forbidden.AccessDenied.IpNotInWhiteList", 403, None),
            DingTalkError::Status {
                http_status: 404,
                body: String::new(),
            },
            DingTalkError::Config("x".into()),
        ] {
            assert!(!error.is_retryable(), "{error:?}");
        }
    }
}
