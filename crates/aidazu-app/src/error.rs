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
    /// The request body is larger than allowed (an upload over the limit).
    TooLarge,
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
    /// The actor's role does not allow the action.
    #[error("forbidden")]
    Forbidden,
    /// A domain rule refused the input (R5–R13); code and message come from the domain.
    #[error("rule: {0}")]
    Rule(#[from] aidazu_domain::DomainError),
    /// The photo pipeline refused or failed (F2).
    #[error("photo: {0}")]
    Photo(#[from] aidazu_photos::PhotoError),
    /// Photo storage is not configured in this process.
    #[error("photo intake not configured")]
    PhotosNotConfigured,
    /// No photo with that id visible to the caller.
    #[error("photo {0} not found")]
    PhotoNotFound(i64),
    /// No declaration with that id visible to the caller.
    #[error("declaration {0} not found")]
    DeclarationNotFound(i64),
    /// No member with that id visible to the caller.
    #[error("member {0} not found")]
    MemberNotFound(i64),
    /// The caller's account is not bound to a member of a household.
    #[error("account has no household")]
    NoHousehold,
    /// The declared member is not in the caller's household.
    #[error("member {0} is not in the caller's household")]
    MemberNotInHousehold(i64),
    /// A photo given as evidence was not uploaded by the caller's household / in the village.
    #[error("photo {0} cannot be used here")]
    PhotoNotUsable(i64),
    /// The same photo id was given twice.
    #[error("photo {0} given twice")]
    DuplicatePhoto(i64),
    /// The declaration was already decided or withdrawn (R9).
    #[error("declaration already {0}")]
    AlreadyDecided(aidazu_domain::declaration::DeclarationState),
    /// Nobody decides for their own household (D6).
    #[error("recusal: own household")]
    Recusal,
    /// Only the declaring member may withdraw.
    #[error("not the declarant")]
    NotDeclarant,
    /// An unknown declaration state in a filter.
    #[error("unknown declaration state {0:?}")]
    UnknownState(String),
    /// The item code is malformed.
    #[error("invalid input: {0}")]
    InvalidInput(&'static str),
}

impl AppError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::VillageNotFound(_) => "village.not_found",
            Self::CatalogueNotFound(_) => "catalogue.not_found",
            Self::Store(_) => "internal.storage",
            Self::Forbidden => "auth.forbidden",
            Self::Rule(err) => match err {
                aidazu_domain::DomainError::RecusalRequired => "declaration.recusal",
                other => other.code(),
            },
            Self::Photo(err) => err.code(),
            Self::PhotosNotConfigured => "photo.storage",
            Self::PhotoNotFound(_) => "photo.not_found",
            Self::DeclarationNotFound(_) => "declaration.not_found",
            Self::MemberNotFound(_) => "member.not_found",
            Self::NoHousehold => "auth.no_household",
            Self::MemberNotInHousehold(_) => "declaration.member_not_in_household",
            Self::PhotoNotUsable(_) => "declaration.photo_not_usable",
            Self::DuplicatePhoto(_) => "declaration.duplicate_photo",
            Self::AlreadyDecided(_) => "declaration.already_decided",
            Self::Recusal => "declaration.recusal",
            Self::NotDeclarant => "declaration.not_declarant",
            Self::UnknownState(_) => "declaration.unknown_state",
            Self::InvalidInput(_) => "request.invalid",
        }
    }

    /// The message shown to people (Simplified Chinese).
    pub fn message(&self) -> Cow<'static, str> {
        match self {
            Self::VillageNotFound(_) => "村社不存在".into(),
            Self::CatalogueNotFound(_) => "该村社暂无生效的积分项目清单".into(),
            Self::Store(_) => "服务暂时不可用，请稍后再试".into(),
            Self::Forbidden => "没有权限执行此操作".into(),
            Self::Rule(err) => err.message().into(),
            Self::Photo(err) => err.message().into(),
            Self::PhotosNotConfigured => "照片保存失败，请稍后重试。".into(),
            Self::PhotoNotFound(_) => "照片不存在".into(),
            Self::DeclarationNotFound(_) => "申报不存在".into(),
            Self::MemberNotFound(_) => "成员不存在".into(),
            Self::NoHousehold => "您的账号尚未绑定农户，请联系村管理员绑定后再操作".into(),
            Self::MemberNotInHousehold(_) => "只能为本户成员申报".into(),
            Self::PhotoNotUsable(_) => "只能使用本户上传的照片".into(),
            Self::DuplicatePhoto(_) => "同一张照片不能重复添加".into(),
            Self::AlreadyDecided(state) => format!(
                "该申报已{}，不能重复处理",
                state.label_zh().trim_start_matches('已')
            )
            .into(),
            Self::Recusal => "按回避规定，不能处理本户的事项".into(),
            Self::NotDeclarant => "只有申报人本人可以撤回".into(),
            Self::UnknownState(_) => "申报状态不正确".into(),
            Self::InvalidInput(_) => "请求内容不正确".into(),
        }
    }

    /// How adapters should treat it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::VillageNotFound(_) | Self::CatalogueNotFound(_) => ErrorKind::NotFound,
            Self::Store(_) | Self::PhotosNotConfigured => ErrorKind::Internal,
            Self::Forbidden | Self::Recusal | Self::NotDeclarant | Self::NoHousehold => {
                ErrorKind::Forbidden
            }
            Self::Rule(err) => match err {
                aidazu_domain::DomainError::RecusalRequired
                | aidazu_domain::DomainError::OutOfScope
                | aidazu_domain::DomainError::Forbidden
                | aidazu_domain::DomainError::NotDeclarant => ErrorKind::Forbidden,
                aidazu_domain::DomainError::AlreadyDecided { .. } => ErrorKind::Conflict,
                _ => ErrorKind::Invalid,
            },
            Self::Photo(err) => match err {
                aidazu_photos::PhotoError::TooLarge { .. } => ErrorKind::TooLarge,
                err if err.is_client_error() => ErrorKind::Invalid,
                _ => ErrorKind::Internal,
            },
            Self::PhotoNotFound(_) | Self::DeclarationNotFound(_) | Self::MemberNotFound(_) => {
                ErrorKind::NotFound
            }
            Self::MemberNotInHousehold(_)
            | Self::PhotoNotUsable(_)
            | Self::DuplicatePhoto(_)
            | Self::UnknownState(_)
            | Self::InvalidInput(_) => ErrorKind::Invalid,
            Self::AlreadyDecided(_) => ErrorKind::Conflict,
        }
    }
}

impl From<aidazu_store::DbErr> for AppError {
    fn from(err: aidazu_store::DbErr) -> Self {
        Self::Store(aidazu_store::StoreError::Query(err))
    }
}
