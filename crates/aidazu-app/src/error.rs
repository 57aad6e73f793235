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
    Database(#[from] aidazu_ports::StoreError),
    /// A DingTalk callback failed verification (signature, freshness, owner key, encryption).
    #[error("DingTalk callback rejected: {0}")]
    CallbackRejected(#[source] dingtalk::callback::CryptoError),
    /// A verified DingTalk event or card callback is not in a shape we understand.
    #[error("DingTalk event malformed: {0}")]
    EventMalformed(String),
    /// DingTalk (client or callbacks) is not configured in this process.
    #[error("DingTalk is not configured")]
    DingTalkNotConfigured,
    /// No bearer token on a request that needs one.
    #[error("authentication required")]
    AuthRequired,
    /// The bearer token is malformed, forged, or its session was revoked.
    #[error("invalid access token")]
    InvalidToken,
    /// The access token has expired.
    #[error("access token expired")]
    TokenExpired,
    /// DingTalk refused the 免登 auth code (unknown, expired or already used).
    #[error("invalid DingTalk auth code")]
    InvalidAuthCode,
    /// The DingTalk user is neither a registered member nor staff (F1).
    #[error("DingTalk user {0} is not registered")]
    NotRegistered(String),
    /// Several members share the DingTalk user's mobile number.
    #[error("mobile matches {0} members")]
    AmbiguousMember(usize),
    /// The refresh token is unknown, expired or revoked.
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// A rotated refresh token was used again: the whole session family is revoked.
    #[error("refresh token reused; session family revoked")]
    RefreshTokenReused,
    /// The account is deactivated (left the organisation).
    #[error("account disabled")]
    AccountDisabled,
    /// The caller's role or scope does not allow this (R1).
    #[error("forbidden")]
    Forbidden,
    /// No such household, or not visible to the caller.
    #[error("household {0} not found")]
    HouseholdNotFound(i64),
    /// No such member, or not visible to the caller.
    #[error("member {0} not found")]
    MemberNotFound(i64),
    /// The account is not bound to a member of a household.
    #[error("account has no household")]
    NoHousehold,
    /// A field of the input is invalid.
    #[error("invalid field {field}: {message}")]
    InvalidField {
        field: &'static str,
        message: &'static str,
    },
    /// A household code is already used in the village.
    #[error("household code taken")]
    HouseholdCodeTaken,
    /// A member code is already used.
    #[error("member code taken")]
    MemberCodeTaken,
    /// The member is already bound to another active DingTalk account.
    #[error("member already bound")]
    MemberAlreadyBound,
    /// The DingTalk user does not exist in the organisation's contacts.
    #[error("DingTalk user {0} not found")]
    DingTalkUserNotFound(String),
    /// A DingTalk call failed.
    #[error("DingTalk: {0}")]
    DingTalk(#[source] dingtalk::DingTalkError),
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
    /// No shop item with that id visible to the caller.
    #[error("shop item {0} not found")]
    ShopItemNotFound(i64),
    /// No order with that id (or pick-up code) visible to the caller.
    #[error("order {0} not found")]
    OrderNotFound(i64),
    /// No activity with that id visible to the caller.
    #[error("activity {0} not found")]
    ActivityNotFound(i64),
    /// A publication job for a quarter that has not ended (R16).
    #[error("quarter {quarter} has not ended (last day {last_day})")]
    QuarterNotEnded {
        quarter: String,
        last_day: chrono::NaiveDate,
    },
    /// No such publication (R16).
    #[error("publication not found")]
    PublicationNotFound,
    /// A document (spreadsheet) could not be produced.
    #[error("document: {0}")]
    Document(String),
    /// The poster cannot be printed here (no CJK font, no Chromium, print failed).
    #[error("poster unavailable: {0}")]
    PosterUnavailable(String),
    /// No such objection, or not visible to the caller (R17).
    #[error("objection {0} not found")]
    ObjectionNotFound(i64),
    /// The objection names a household or entry outside the caller's village (R17).
    #[error("objection about another village")]
    ObjectionOtherVillage,
    /// Only members of a household of the village may object (R17).
    #[error("not a member of the village")]
    NotVillageMember,
    /// Another decision on the objection won (R17).
    #[error("objection decided concurrently")]
    ObjectionDecidedConcurrently,
    /// The household may not be nominated (R18, D5): `reason` is its exclusion or
    /// `not_above_mean`.
    #[error("household {household} not eligible: {reason}")]
    NotEligible { household: i64, reason: String },
    /// The year close of a points-year before its close date (D4).
    #[error("year {year} cannot be closed before {close_date}")]
    YearNotClosable {
        year: i32,
        close_date: chrono::NaiveDate,
    },
    /// No such catalogue change request, or not visible to the caller (R7).
    #[error("catalogue change {0} not found")]
    CatalogueChangeNotFound(i64),
    /// The change request is not in a state that allows this (R7): its current state.
    #[error("catalogue change is {0}")]
    CatalogueChangeState(&'static str),
    /// A bulk import refused as a whole: every refused row with its reasons.
    #[error("import refused: {} rows", rows.len())]
    ImportRefused {
        rows: Vec<crate::governance::RowProblem>,
    },
    /// The uploaded file is not a readable xlsx workbook of the template.
    #[error("import file unreadable: {0}")]
    ImportUnreadable(String),
    /// No such group in the village.
    #[error("group {0} not found")]
    GroupNotFound(i64),
    /// The group was inspected already this quarter.
    #[error("group already inspected this quarter")]
    AlreadyInspected,
    /// A district, town, village or group code already in use.
    #[error("organisation code taken")]
    OrgCodeTaken,
    /// The village holds its own approved catalogue: a change of the district's template does
    /// not apply to it, so there is nothing to replay there (R7).
    #[error("village {0} keeps its own catalogue")]
    VillageKeepsOwnCatalogue(i64),
}

impl AppError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::CatalogueChangeNotFound(_) => "catalogue_change.not_found",
            Self::CatalogueChangeState(_) => "catalogue_change.wrong_state",
            Self::ImportRefused { .. } => "import.rows_refused",
            Self::ImportUnreadable(_) => "import.unreadable",
            Self::GroupNotFound(_) => "group.not_found",
            Self::AlreadyInspected => "inspection.already_done",
            Self::OrgCodeTaken => "org.code_taken",
            Self::VillageKeepsOwnCatalogue(_) => "catalogue_change.village_has_own_catalogue",
            Self::VillageNotFound(_) => "village.not_found",
            Self::CatalogueNotFound(_) => "catalogue.not_found",
            Self::Database(_) => "internal.storage",
            Self::CallbackRejected(e) => match e {
                dingtalk::callback::CryptoError::SignatureMismatch => "dingtalk.callback_signature",
                dingtalk::callback::CryptoError::StaleTimestamp
                | dingtalk::callback::CryptoError::InvalidTimestamp => "dingtalk.callback_stale",
                _ => "dingtalk.callback_invalid",
            },
            Self::EventMalformed(_) => "dingtalk.event_invalid",
            Self::DingTalkNotConfigured => "dingtalk.not_configured",
            Self::AuthRequired => "auth.required",
            Self::InvalidToken => "auth.invalid_token",
            Self::TokenExpired => "auth.token_expired",
            Self::InvalidAuthCode => "auth.invalid_code",
            Self::NotRegistered(_) => "auth.not_registered",
            Self::AmbiguousMember(_) => "auth.ambiguous_member",
            Self::InvalidRefreshToken => "auth.invalid_refresh_token",
            Self::RefreshTokenReused => "auth.refresh_token_reused",
            Self::AccountDisabled => "auth.account_disabled",
            Self::Forbidden => "auth.forbidden",
            Self::HouseholdNotFound(_) => "household.not_found",
            Self::MemberNotFound(_) => "member.not_found",
            Self::NoHousehold => "me.no_household",
            Self::InvalidField { .. } => "request.invalid_field",
            Self::HouseholdCodeTaken => "household.code_taken",
            Self::MemberCodeTaken => "member.code_taken",
            Self::MemberAlreadyBound => "member.already_bound",
            Self::DingTalkUserNotFound(_) => "dingtalk.user_not_found",
            Self::DingTalk(_) => "dingtalk.unavailable",
            Self::Rule(err) => match err {
                aidazu_domain::DomainError::RecusalRequired => "declaration.recusal",
                other => other.code(),
            },
            Self::Photo(err) => err.code(),
            Self::PhotosNotConfigured => "photo.storage",
            Self::PhotoNotFound(_) => "photo.not_found",
            Self::DeclarationNotFound(_) => "declaration.not_found",
            Self::MemberNotInHousehold(_) => "declaration.member_not_in_household",
            Self::PhotoNotUsable(_) => "declaration.photo_not_usable",
            Self::DuplicatePhoto(_) => "declaration.duplicate_photo",
            Self::AlreadyDecided(_) => "declaration.already_decided",
            Self::Recusal => "declaration.recusal",
            Self::NotDeclarant => "declaration.not_declarant",
            Self::UnknownState(_) => "declaration.unknown_state",
            Self::InvalidInput(_) => "request.invalid",
            Self::ShopItemNotFound(_) => "shop.item_not_found",
            Self::OrderNotFound(_) => "shop.order_not_found",
            Self::ActivityNotFound(_) => "activity.not_found",
            Self::QuarterNotEnded { .. } => "publication.quarter_not_ended",
            Self::PublicationNotFound => "publication.not_found",
            Self::Document(_) => "publication.document_failed",
            Self::PosterUnavailable(_) => "publication.poster_unavailable",
            Self::ObjectionNotFound(_) => "objection.not_found",
            Self::ObjectionOtherVillage => "objection.other_village",
            Self::NotVillageMember => "objection.not_member",
            Self::ObjectionDecidedConcurrently => "objection.already_decided",
            Self::NotEligible { .. } => "honours.not_eligible",
            Self::YearNotClosable { .. } => "year_close.too_early",
        }
    }

    /// The message shown to people (Simplified Chinese).
    pub fn message(&self) -> Cow<'static, str> {
        match self {
            Self::CatalogueChangeNotFound(_) => "目录调整申请不存在".into(),
            Self::CatalogueChangeState(state) => {
                format!("该目录调整申请当前为“{}”，不能进行此操作", change_state_zh(state)).into()
            }
            Self::ImportRefused { rows } => {
                format!("导入未执行：{} 行有误，请按报告修改后重新上传", rows.len()).into()
            }
            Self::ImportUnreadable(_) => "无法读取文件，请使用下载的导入模板（xlsx）".into(),
            Self::GroupNotFound(_) => "村民小组不存在".into(),
            Self::AlreadyInspected => "该小组本季度已完成入户检查".into(),
            Self::OrgCodeTaken => "编码已被使用".into(),
            Self::VillageKeepsOwnCatalogue(_) => {
                "该村社使用本村自己的积分项目清单，区模板调整对其不适用，无法测算".into()
            }
            Self::VillageNotFound(_) => "村社不存在".into(),
            Self::CatalogueNotFound(_) => "该村社暂无生效的积分项目清单".into(),
            Self::Database(_) => "服务暂时不可用，请稍后再试".into(),
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
            Self::AuthRequired => "请先登录".into(),
            Self::InvalidToken => "登录凭证无效，请重新登录".into(),
            Self::TokenExpired => "登录已过期，请刷新登录凭证或重新登录".into(),
            Self::InvalidAuthCode => "钉钉授权码无效或已使用，请重新打开应用".into(),
            Self::NotRegistered(_) => {
                "您还没有登记为村民，请联系本村村管理员为您登记（登记的手机号需与钉钉手机号一致）后再登录".into()
            }
            Self::AmbiguousMember(_) => "该手机号对应多位村民，请联系本村村管理员为您绑定账号".into(),
            Self::InvalidRefreshToken => "刷新凭证无效或已过期，请重新登录".into(),
            Self::RefreshTokenReused => {
                "刷新凭证已被使用过，为保护账号安全已退出该登录，请重新登录".into()
            }
            Self::AccountDisabled => "账号已停用，请联系村管理员".into(),
            Self::Forbidden => "没有权限执行此操作".into(),
            Self::HouseholdNotFound(_) => "农户不存在".into(),
            Self::MemberNotFound(_) => "成员不存在".into(),
            Self::NoHousehold => "当前账号未绑定农户，请联系村管理员".into(),
            Self::InvalidField { message, .. } => (*message).into(),
            Self::HouseholdCodeTaken => "本村已有相同编号的农户".into(),
            Self::MemberCodeTaken => "已有相同编号的成员".into(),
            Self::MemberAlreadyBound => "该成员已绑定其他钉钉账号".into(),
            Self::DingTalkUserNotFound(_) => "钉钉通讯录中没有该用户".into(),
            Self::DingTalk(_) => "钉钉服务暂时不可用，请稍后再试".into(),
            Self::Rule(err) => err.message().into(),
            Self::Photo(err) => err.message().into(),
            Self::PhotosNotConfigured => "照片保存失败，请稍后重试。".into(),
            Self::PhotoNotFound(_) => "照片不存在".into(),
            Self::DeclarationNotFound(_) => "申报不存在".into(),
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
            Self::ShopItemNotFound(_) => "商品不存在".into(),
            Self::OrderNotFound(_) => "订单不存在（请核对取货码）".into(),
            Self::ActivityNotFound(_) => "活动不存在".into(),
            Self::QuarterNotEnded { quarter, last_day } => {
                format!("{quarter} 季度尚未结束（最后一天为 {last_day}），不能公示").into()
            }
            Self::PublicationNotFound => "该季度尚无公示".into(),
            Self::Document(_) => "公示表格生成失败，请稍后再试".into(),
            Self::PosterUnavailable(_) => {
                "服务器未安装中文字体或打印组件，暂时无法生成公示海报，请联系管理员".into()
            }
            Self::ObjectionNotFound(_) => "异议不存在".into(),
            Self::ObjectionOtherVillage => "只能对本村的公示提出异议".into(),
            Self::NotVillageMember => "只有本村登记的村民可以提出异议".into(),
            Self::ObjectionDecidedConcurrently => "该异议已被处理，不能重复处理".into(),
            Self::NotEligible { reason, .. } => format!(
                "该户不符合评先条件：{}",
                match reason.as_str() {
                    "not_participating" => "未参加积分制",
                    "enrolled_too_short" => "参加不足两个完整季度",
                    "veto" => "本年度有一票否决情形",
                    "open_objection" => "有尚未处理完毕的异议",
                    "not_in_village" => "不是本村农户",
                    _ => "年度积分未高于全村平均分",
                }
            )
            .into(),
            Self::YearNotClosable { year, close_date } => {
                format!("{year} 积分年度须在 {close_date} 清零，现在还不能清零").into()
            }
        }
    }

    /// How adapters should treat it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::VillageNotFound(_) | Self::CatalogueNotFound(_) => ErrorKind::NotFound,
            Self::Database(_) => ErrorKind::Internal,
            Self::CallbackRejected(e) => match e {
                dingtalk::callback::CryptoError::SignatureMismatch
                | dingtalk::callback::CryptoError::StaleTimestamp
                | dingtalk::callback::CryptoError::InvalidTimestamp => ErrorKind::Unauthenticated,
                _ => ErrorKind::Invalid,
            },
            Self::EventMalformed(_) => ErrorKind::Invalid,
            Self::DingTalkNotConfigured => ErrorKind::Unavailable,
            Self::AuthRequired
            | Self::InvalidToken
            | Self::TokenExpired
            | Self::InvalidAuthCode
            | Self::InvalidRefreshToken
            | Self::RefreshTokenReused => ErrorKind::Unauthenticated,
            Self::NotRegistered(_) | Self::AccountDisabled | Self::Forbidden => {
                ErrorKind::Forbidden
            }
            Self::HouseholdNotFound(_) | Self::MemberNotFound(_) | Self::NoHousehold => {
                ErrorKind::NotFound
            }
            Self::InvalidField { .. } | Self::DingTalkUserNotFound(_) => ErrorKind::Invalid,
            Self::AmbiguousMember(_)
            | Self::HouseholdCodeTaken
            | Self::MemberCodeTaken
            | Self::MemberAlreadyBound => ErrorKind::Conflict,
            Self::DingTalk(_) => ErrorKind::Unavailable,
            Self::PhotosNotConfigured => ErrorKind::Internal,
            Self::Recusal | Self::NotDeclarant => ErrorKind::Forbidden,
            Self::Rule(err) => match err {
                aidazu_domain::DomainError::RecusalRequired
                | aidazu_domain::DomainError::OutOfScope
                | aidazu_domain::DomainError::Forbidden
                | aidazu_domain::DomainError::NotDeclarant
                | aidazu_domain::DomainError::NotOrderer
                | aidazu_domain::DomainError::NotObjector
                | aidazu_domain::DomainError::BindingSelf => ErrorKind::Forbidden,
                aidazu_domain::DomainError::AlreadyDecided { .. }
                | aidazu_domain::DomainError::OutOfStock { .. }
                | aidazu_domain::DomainError::ItemPaused
                | aidazu_domain::DomainError::OrderAlreadyDelivered
                | aidazu_domain::DomainError::OrderCancelled
                | aidazu_domain::DomainError::CancelWindowPassed { .. }
                | aidazu_domain::DomainError::CheckinClosed
                | aidazu_domain::DomainError::CheckinCodeExpired
                | aidazu_domain::DomainError::CheckinNotToday
                | aidazu_domain::DomainError::ObjectionAlreadyDecided { .. }
                | aidazu_domain::DomainError::CatalogueChangeStale { .. }
                | aidazu_domain::DomainError::ObjectionNotEscalable
                | aidazu_domain::DomainError::BindingOtherVillage
                | aidazu_domain::DomainError::BindingInactiveElsewhere
                | aidazu_domain::DomainError::NoEligibleReviewer => ErrorKind::Conflict,
                _ => ErrorKind::Invalid,
            },
            Self::Photo(err) => match err {
                aidazu_photos::PhotoError::TooLarge { .. } => ErrorKind::TooLarge,
                err if err.is_client_error() => ErrorKind::Invalid,
                _ => ErrorKind::Internal,
            },
            Self::PhotoNotFound(_)
            | Self::DeclarationNotFound(_)
            | Self::ShopItemNotFound(_)
            | Self::OrderNotFound(_)
            | Self::ActivityNotFound(_) => ErrorKind::NotFound,
            Self::MemberNotInHousehold(_)
            | Self::PhotoNotUsable(_)
            | Self::DuplicatePhoto(_)
            | Self::UnknownState(_)
            | Self::InvalidInput(_) => ErrorKind::Invalid,
            Self::AlreadyDecided(_) => ErrorKind::Conflict,
            Self::QuarterNotEnded { .. } => ErrorKind::Conflict,
            Self::PublicationNotFound | Self::ObjectionNotFound(_) => ErrorKind::NotFound,
            Self::Document(_) => ErrorKind::Internal,
            Self::PosterUnavailable(_) => ErrorKind::Unavailable,
            Self::ObjectionOtherVillage => ErrorKind::Invalid,
            Self::NotVillageMember => ErrorKind::Forbidden,
            Self::ObjectionDecidedConcurrently => ErrorKind::Conflict,
            Self::NotEligible { .. } => ErrorKind::Invalid,
            Self::YearNotClosable { .. } => ErrorKind::Conflict,
            Self::CatalogueChangeNotFound(_) | Self::GroupNotFound(_) => ErrorKind::NotFound,
            Self::CatalogueChangeState(_)
            | Self::AlreadyInspected
            | Self::OrgCodeTaken
            | Self::VillageKeepsOwnCatalogue(_) => ErrorKind::Conflict,
            Self::ImportRefused { .. } | Self::ImportUnreadable(_) => ErrorKind::Invalid,
        }
    }

    /// Structured details for the error envelope, if any (e.g. which field).
    pub fn details(&self) -> Option<serde_json::Value> {
        match self {
            Self::InvalidField { field, .. } => Some(serde_json::json!({ "field": field })),
            Self::NotEligible { household, reason } => {
                Some(serde_json::json!({ "householdId": household, "reason": reason }))
            }
            Self::ImportRefused { rows } => Some(serde_json::json!({ "rows": rows })),
            Self::CatalogueChangeState(state) => Some(serde_json::json!({ "state": state })),
            _ => None,
        }
    }
}

fn change_state_zh(state: &str) -> &'static str {
    match state {
        "draft" => "草稿",
        "submitted" => "待审批",
        "approved" => "已批准",
        "rejected" => "已退回",
        "withdrawn" => "已撤回",
        _ => "其他",
    }
}
