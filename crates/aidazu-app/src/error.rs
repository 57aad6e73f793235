//! `AppError`: what a use case can answer besides success. Each variant has a stable English code
//! (`village.not_found`) and a Chinese message for people; internal causes are kept for the log only.

use std::borrow::Cow;

/// How an error should be treated by an adapter (HTTP status, retry, log level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is malformed or breaks a rule.
    Invalid,
    /// The thing asked for does not exist (or is not visible to the caller).
    NotFound,
    /// The caller is not authenticated.
    Unauthenticated,
    /// The caller may not do this.
    Forbidden,
    /// The request conflicts with the current state (e.g. already decided).
    Conflict,
    /// A dependency (database, DingTalk) is unavailable; retrying later may succeed.
    Unavailable,
    /// A bug or an unexpected failure.
    Internal,
}

/// A use-case error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// No village with that id.
    #[error("village {0} not found")]
    VillageNotFound(i64),
    /// The village has no catalogue version in force.
    #[error("no catalogue in force for village {0}")]
    CatalogueNotFound(i64),
    /// The storage layer failed.
    #[error("storage: {0}")]
    Store(#[from] aidazu_store::StoreError),
    /// A DingTalk callback failed verification (signature, freshness, owner key, encryption).
    #[error("DingTalk callback rejected: {0}")]
    CallbackRejected(#[source] dingtalk::callback::CryptoError),
    /// A verified DingTalk event or card callback is not in a shape we understand.
    #[error("DingTalk event malformed: {0}")]
    EventMalformed(String),
    /// DingTalk (client or callbacks) is not configured in this process.
    #[error("DingTalk is not configured")]
    DingTalkNotConfigured,
    /// A DingTalk call failed.
    #[error("DingTalk call failed: {0}")]
    DingTalk(#[from] dingtalk::DingTalkError),
}

impl AppError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::VillageNotFound(_) => "village.not_found",
            Self::CatalogueNotFound(_) => "catalogue.not_found",
            Self::Store(_) => "internal.storage",
            Self::CallbackRejected(e) => match e {
                dingtalk::callback::CryptoError::SignatureMismatch => "dingtalk.callback_signature",
                dingtalk::callback::CryptoError::StaleTimestamp
                | dingtalk::callback::CryptoError::InvalidTimestamp => "dingtalk.callback_stale",
                _ => "dingtalk.callback_invalid",
            },
            Self::EventMalformed(_) => "dingtalk.event_invalid",
            Self::DingTalkNotConfigured => "dingtalk.not_configured",
            Self::DingTalk(_) => "dingtalk.unavailable",
        }
    }

    /// The message shown to people (Simplified Chinese).
    pub fn message(&self) -> Cow<'static, str> {
        match self {
            Self::VillageNotFound(_) => "村社不存在".into(),
            Self::CatalogueNotFound(_) => "该村社暂无生效的积分项目清单".into(),
            Self::Store(_) => "服务暂时不可用，请稍后再试".into(),
            Self::CallbackRejected(e) => match e {
                dingtalk::callback::CryptoError::SignatureMismatch => "钉钉回调签名无效".into(),
                dingtalk::callback::CryptoError::StaleTimestamp
                | dingtalk::callback::CryptoError::InvalidTimestamp => {
                    "钉钉回调时间戳已过期或无效".into()
                }
                _ => "钉钉回调内容无法解密或不属于本应用".into(),
            },
            Self::EventMalformed(_) => "钉钉事件内容格式无法识别".into(),
            Self::DingTalkNotConfigured => "未配置钉钉集成".into(),
            Self::DingTalk(_) => "钉钉服务暂时不可用，请稍后再试".into(),
        }
    }

    /// How adapters should treat it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::VillageNotFound(_) | Self::CatalogueNotFound(_) => ErrorKind::NotFound,
            Self::Store(_) => ErrorKind::Internal,
            Self::CallbackRejected(e) => match e {
                dingtalk::callback::CryptoError::SignatureMismatch
                | dingtalk::callback::CryptoError::StaleTimestamp
                | dingtalk::callback::CryptoError::InvalidTimestamp => ErrorKind::Unauthenticated,
                _ => ErrorKind::Invalid,
            },
            Self::EventMalformed(_) => ErrorKind::Invalid,
            Self::DingTalkNotConfigured | Self::DingTalk(_) => ErrorKind::Unavailable,
        }
    }
}
