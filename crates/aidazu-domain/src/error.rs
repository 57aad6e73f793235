//! The one domain error type. Each variant has a stable dotted `code()` for the API and a
//! Chinese `message()` for users; `Display` is the English text for logs.

use crate::calendar::Quarter;
use crate::declaration::DeclarationState;
use crate::ids::{HouseholdId, ItemCode, OrderId, Points};
use crate::ledger::EntryKind;
use crate::objection::ObjectionState;

/// Everything a domain rule can refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DomainError {
    // --- values ---
    #[error("invalid item code {code:?}")]
    InvalidItemCode { code: String },
    #[error("invalid quarter {year}-Q{index}")]
    InvalidQuarter { year: i32, index: u32 },
    #[error("invalid quarter label {label:?}")]
    InvalidQuarterLabel { label: String },
    #[error("points-year start month {month} is not in 1..=12")]
    InvalidStartMonth { month: u32 },
    #[error("points arithmetic overflow")]
    PointsOverflow,

    // --- access (R1) ---
    #[error("role and scope level do not match")]
    ScopeMismatch,
    #[error("the village is outside the account's scope")]
    OutOfScope,
    #[error("the role does not allow this action")]
    Forbidden,
    #[error("nobody decides for their own household")]
    RecusalRequired,
    #[error("the household does not take part in the scheme")]
    HouseholdNotParticipating,
    #[error("the DingTalk account belongs to another village")]
    BindingOtherVillage,
    #[error("an account cannot be re-activated by a binding in another village")]
    BindingInactiveElsewhere,
    #[error("nobody binds their own DingTalk account")]
    BindingSelf,
    #[error("nobody is eligible to review (all recused)")]
    NoEligibleReviewer,

    // --- catalogue (R5–R7) ---
    #[error("invalid recorder letters {text:?}")]
    InvalidRecorders { text: String },
    #[error("item {code} needs a title")]
    ItemTitleRequired { code: ItemCode },
    #[error("negative item {code} cannot be self-declarable")]
    NegativeItemSelfDeclarable { code: ItemCode },
    #[error("points rule does not match the item direction or is not a valid range")]
    InvalidPointsRule,
    #[error("cap must be a positive count or a points amount with the item's sign")]
    InvalidCap,
    #[error("catalogue versions are numbered from 1")]
    InvalidCatalogueVersion,
    #[error("item code {code} appears twice in one version")]
    DuplicateItemCode { code: ItemCode },
    #[error("catalogue versions out of order")]
    CatalogueVersionOutOfOrder,
    #[error("no catalogue version in force in {quarter}")]
    NoCatalogueInForce { quarter: Quarter },
    #[error("item {code} not in catalogue version {version}")]
    ItemNotFound { code: ItemCode, version: u32 },
    #[error("item {code} is not recorded by the inspection group")]
    NotAnInspectionItem { code: ItemCode },
    #[error("a catalogue change request changes nothing")]
    CatalogueChangeEmpty,
    #[error("item {code} already exists in the catalogue")]
    CatalogueChangeItemExists { code: ItemCode },
    #[error("item {code} is outside the district's bounds: {detail}")]
    CatalogueChangeOutOfBounds { code: ItemCode, detail: String },
    #[error("change drafted on catalogue version {drafted_on}, version {current} approved since")]
    CatalogueChangeStale { drafted_on: u32, current: u32 },
    #[error("{points} points not allowed for item {code}")]
    PointsNotAllowed { code: ItemCode, points: Points },
    #[error("cap of item {code} reached")]
    CapExceeded { code: ItemCode },

    // --- ledger (R12, R13) ---
    #[error("entry belongs to household {entry}, ledger is of household {ledger}")]
    LedgerWrongHousehold {
        ledger: HouseholdId,
        entry: HouseholdId,
    },
    #[error("the points-year is closed")]
    LedgerYearClosed,
    #[error("amount {amount} has the wrong sign for a {kind} entry")]
    LedgerWrongSign { kind: EntryKind, amount: Points },
    #[error("a {kind} entry needs a matching source (item, order, objection)")]
    LedgerSourceMismatch { kind: EntryKind },
    #[error("entry date is outside the points-year")]
    LedgerOutsideYear,
    #[error("redeeming {requested} would take balance {balance} below zero")]
    InsufficientBalance { balance: Points, requested: Points },
    #[error("refund exceeds what order {order} redeemed")]
    RefundExceedsRedeemed { order: OrderId },
    #[error("year close must be {expected}")]
    YearCloseMismatch { expected: Points },

    // --- declarations (R8, R9, D6) ---
    #[error("item {code} is not self-declarable")]
    ItemNotSelfDeclarable { code: ItemCode },
    #[error("item {code} is on the negative list")]
    NegativeItemDeclared { code: ItemCode },
    #[error("occurred date is in the future")]
    OccurredInFuture,
    #[error("occurred date is outside the current points-year")]
    OutsidePointsYear,
    #[error("occurred date is older than {window_days} days")]
    DeclarationTooOld { window_days: u32 },
    #[error("{got} photos given, {min}..={max} allowed")]
    PhotoCount { min: usize, max: usize, got: usize },
    #[error("a description text is required")]
    TextRequired,
    #[error("description longer than {max} characters")]
    TextTooLong { max: u32 },
    #[error("a reason is required")]
    ReasonRequired,
    #[error("declaration already {state}")]
    AlreadyDecided { state: DeclarationState },
    #[error("only the declaring member may withdraw")]
    NotDeclarant,

    // --- objections (R17, D3) ---
    #[error("the objection window is closed")]
    ObjectionWindowClosed,
    #[error("the escalation window is closed")]
    EscalationWindowClosed,
    #[error("objection already {state}")]
    ObjectionAlreadyDecided { state: ObjectionState },
    #[error(
        "only an objection rejected by the committee can be escalated, and only then decided by the town"
    )]
    ObjectionNotEscalable,
    #[error("only the objector may escalate")]
    NotObjector,
    #[error("an upheld objection needs a non-zero correction")]
    CorrectionRequired,

    // --- shop (R19) ---
    #[error("order quantity must be at least 1")]
    InvalidQuantity,
    #[error("a shop price must be positive")]
    InvalidPrice,
    #[error("only {available} in stock")]
    OutOfStock { available: u32 },
    #[error("per-household limit of {limit} reached")]
    PurchaseLimitExceeded { limit: u32 },
    #[error("the order was already delivered")]
    OrderAlreadyDelivered,
    #[error("the order was cancelled")]
    OrderCancelled,
    #[error("only the ordering member may confirm receipt")]
    NotOrderer,
    #[error("the item is paused")]
    ItemPaused,
    #[error("the orderer may cancel only within {minutes} minutes")]
    CancelWindowPassed { minutes: i64 },

    // --- sharing activities (R21) ---
    #[error("check-in is not open for this activity")]
    CheckinClosed,
    #[error("the check-in code has expired")]
    CheckinCodeExpired,
    #[error("the check-in code is not valid")]
    CheckinCodeInvalid,
    #[error("check-in by scanning is only on the day of the activity")]
    CheckinNotToday,

    // --- funds (R20, D8) ---
    #[error("a {kind} fund entry has the wrong sign")]
    FundWrongSign { kind: &'static str },
    #[error("a donation names its donor")]
    DonorRequired,
    #[error("a purchase needs a receipt photo")]
    ReceiptRequired,

    // --- honours (R18, D5) ---
    #[error("household {household} is not eligible for honours")]
    NotEligibleForHonour { household: HouseholdId },
}

impl DomainError {
    /// Stable dotted code for the API's error envelope.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::InvalidItemCode { .. } => "catalogue.invalid_item_code",
            Self::InvalidQuarter { .. } | Self::InvalidQuarterLabel { .. } => {
                "calendar.invalid_quarter"
            }
            Self::InvalidStartMonth { .. } => "calendar.invalid_start_month",
            Self::PointsOverflow => "points.overflow",
            Self::ScopeMismatch => "auth.scope_mismatch",
            Self::OutOfScope => "auth.out_of_scope",
            Self::Forbidden => "auth.forbidden",
            Self::RecusalRequired => "review.recusal_required",
            Self::HouseholdNotParticipating => "participation.household_not_participating",
            Self::BindingOtherVillage => "binding.other_village",
            Self::BindingInactiveElsewhere => "binding.inactive_elsewhere",
            Self::BindingSelf => "binding.self",
            Self::NoEligibleReviewer => "review.no_eligible_reviewer",
            Self::InvalidRecorders { .. } => "catalogue.invalid_recorders",
            Self::ItemTitleRequired { .. } => "catalogue.title_required",
            Self::NegativeItemSelfDeclarable { .. } => "catalogue.negative_item_self_declarable",
            Self::InvalidPointsRule => "catalogue.invalid_points_rule",
            Self::InvalidCap => "catalogue.invalid_cap",
            Self::InvalidCatalogueVersion => "catalogue.invalid_version",
            Self::DuplicateItemCode { .. } => "catalogue.duplicate_item",
            Self::CatalogueVersionOutOfOrder => "catalogue.version_out_of_order",
            Self::NoCatalogueInForce { .. } => "catalogue.none_in_force",
            Self::ItemNotFound { .. } => "catalogue.item_not_found",
            Self::PointsNotAllowed { .. } => "catalogue.points_not_allowed",
            Self::NotAnInspectionItem { .. } => "inspection.not_an_inspection_item",
            Self::CatalogueChangeEmpty => "catalogue_change.empty",
            Self::CatalogueChangeItemExists { .. } => "catalogue_change.item_exists",
            Self::CatalogueChangeOutOfBounds { .. } => "catalogue_change.out_of_bounds",
            Self::CatalogueChangeStale { .. } => "catalogue_change.stale",
            Self::CapExceeded { .. } => "declaration.cap_exceeded",
            Self::LedgerWrongHousehold { .. } => "ledger.wrong_household",
            Self::LedgerYearClosed => "ledger.year_closed",
            Self::LedgerWrongSign { .. } => "ledger.wrong_sign",
            Self::LedgerSourceMismatch { .. } => "ledger.source_mismatch",
            Self::LedgerOutsideYear => "ledger.outside_points_year",
            Self::InsufficientBalance { .. } => "ledger.insufficient_balance",
            Self::RefundExceedsRedeemed { .. } => "ledger.refund_exceeds_redeemed",
            Self::YearCloseMismatch { .. } => "ledger.year_close_mismatch",
            Self::ItemNotSelfDeclarable { .. } => "declaration.item_not_self_declarable",
            Self::NegativeItemDeclared { .. } => "declaration.negative_item",
            Self::OccurredInFuture => "declaration.occurred_in_future",
            Self::OutsidePointsYear => "declaration.outside_points_year",
            Self::DeclarationTooOld { .. } => "declaration.too_old",
            Self::PhotoCount { .. } => "declaration.photo_count",
            Self::TextRequired => "declaration.text_required",
            Self::TextTooLong { .. } => "declaration.text_too_long",
            Self::ReasonRequired => "declaration.reason_required",
            Self::AlreadyDecided { .. } => "declaration.already_decided",
            Self::NotDeclarant => "declaration.not_declarant",
            Self::ObjectionWindowClosed => "objection.window_closed",
            Self::EscalationWindowClosed => "objection.escalation_closed",
            Self::ObjectionAlreadyDecided { .. } => "objection.already_decided",
            Self::ObjectionNotEscalable => "objection.not_escalable",
            Self::NotObjector => "objection.not_objector",
            Self::CorrectionRequired => "objection.correction_required",
            Self::InvalidQuantity => "shop.invalid_quantity",
            Self::InvalidPrice => "shop.invalid_price",
            Self::OutOfStock { .. } => "shop.out_of_stock",
            Self::PurchaseLimitExceeded { .. } => "shop.limit_exceeded",
            Self::OrderAlreadyDelivered => "shop.already_delivered",
            Self::OrderCancelled => "shop.order_cancelled",
            Self::NotOrderer => "shop.not_orderer",
            Self::ItemPaused => "shop.item_paused",
            Self::CancelWindowPassed { .. } => "shop.cancel_window_passed",
            Self::CheckinClosed => "activity.checkin_closed",
            Self::CheckinCodeExpired => "activity.code_expired",
            Self::CheckinCodeInvalid => "activity.code_invalid",
            Self::CheckinNotToday => "activity.not_today",
            Self::FundWrongSign { .. } => "fund.wrong_sign",
            Self::DonorRequired => "fund.donor_required",
            Self::ReceiptRequired => "fund.receipt_required",
            Self::NotEligibleForHonour { .. } => "honours.not_eligible",
        }
    }

    /// What the user is told, in Simplified Chinese.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::InvalidItemCode { code } => {
                format!("项目编号“{code}”格式不正确，应为两位大写字母加两位数字，如 PA-01")
            }
            Self::InvalidQuarter { .. } | Self::InvalidQuarterLabel { .. } => {
                "季度不正确，应为第 1 至第 4 季度".into()
            }
            Self::InvalidStartMonth { .. } => "积分年度起始月份应为 1 至 12 月".into(),
            Self::PointsOverflow => "积分数值超出允许范围".into(),
            Self::ScopeMismatch => "角色与管辖范围不匹配".into(),
            Self::OutOfScope => "无权查看或操作管辖范围以外的数据".into(),
            Self::Forbidden => "当前角色无权执行此操作".into(),
            Self::RecusalRequired => "按回避规定，不能处理本户的事项".into(),
            Self::HouseholdNotParticipating => "本户当前未参加积分制，不能获得积分".into(),
            Self::BindingOtherVillage => {
                "该钉钉账号属于其他村社的成员或工作人员，不能在本村绑定；如需跨村调整，请联系区级管理员".into()
            }
            Self::BindingInactiveElsewhere => {
                "该钉钉账号已在其他村社停用，不能在本村重新启用，请联系区级管理员".into()
            }
            Self::BindingSelf => "不能为自己的钉钉账号办理绑定，请由其他管理员办理".into(),
            Self::NoEligibleReviewer => "按回避规定，暂无可以审核该事项的人员，请联系镇街".into(),
            Self::InvalidRecorders { .. } => "记录人类型不正确（可选 S、C、G、O）".into(),
            Self::ItemTitleRequired { code } => format!("项目 {code} 缺少名称"),
            Self::NegativeItemSelfDeclarable { code } => {
                format!("负面清单项目 {code} 不能由村民自行申报")
            }
            Self::InvalidPointsRule => "分值与清单类型不符，或分值区间无效".into(),
            Self::InvalidCap => "上限设置无效".into(),
            Self::InvalidCatalogueVersion => "积分项目版本号应从 1 开始".into(),
            Self::DuplicateItemCode { code } => format!("项目编号 {code} 重复"),
            Self::CatalogueVersionOutOfOrder => {
                "积分项目调整只能从下一季度起生效，不能早于已有版本".into()
            }
            Self::NoCatalogueInForce { quarter } => format!("{quarter} 没有生效的积分项目清单"),
            Self::ItemNotFound { code, .. } => format!("现行积分项目中没有 {code}"),
            Self::NotAnInspectionItem { code } => format!("项目 {code} 不属于入户检查项目"),
            Self::CatalogueChangeEmpty => "调整申请没有任何改动".into(),
            Self::CatalogueChangeItemExists { code } => format!("项目 {code} 已存在，请改用调整分值"),
            Self::CatalogueChangeStale { drafted_on, current } => format!(
                "积分项目清单已更新为第 {current} 版，本申请依据的第 {drafted_on} 版已过时，请按新版本重新起草调整申请"
            ),
            Self::CatalogueChangeOutOfBounds { code, detail } => {
                format!("项目 {code} 超出区级规定范围：{detail}")
            }
            Self::PointsNotAllowed { code, points } => {
                format!("{points} 分不在项目 {code} 允许的分值范围内")
            }
            Self::CapExceeded { code } => format!("项目 {code} 已达到本期积分上限"),
            Self::LedgerWrongHousehold { .. } => "积分记录与农户不一致".into(),
            Self::LedgerYearClosed => "该积分年度已清零结转，不能再记账".into(),
            Self::LedgerWrongSign { .. } => "积分增减方向与记录类型不符".into(),
            Self::LedgerSourceMismatch { .. } => "积分记录缺少对应的项目、订单或异议".into(),
            Self::LedgerOutsideYear => "记录日期不在该积分年度内".into(),
            Self::InsufficientBalance { balance, .. } => {
                format!("可用积分不足（当前可用 {balance} 分）")
            }
            Self::RefundExceedsRedeemed { .. } => "退还积分不能超过该订单已兑换的积分".into(),
            Self::YearCloseMismatch { .. } => "年度清零金额与可用积分不符".into(),
            Self::ItemNotSelfDeclarable { code } => {
                format!("项目 {code} 不能自行申报，请联系村管理员")
            }
            Self::NegativeItemDeclared { code } => format!("项目 {code} 属于负面清单，不能申报"),
            Self::OccurredInFuture => "发生日期不能晚于今天".into(),
            Self::OutsidePointsYear => "只能申报本积分年度内发生的事项".into(),
            Self::DeclarationTooOld { window_days } => {
                format!("已超过申报期限，只能申报 {window_days} 天内发生的事项")
            }
            Self::PhotoCount { min, max, .. } => format!("请上传 {min} 至 {max} 张照片"),
            Self::TextRequired => "请填写事项说明".into(),
            Self::TextTooLong { max } => format!("事项说明不能超过 {max} 个字"),
            Self::ReasonRequired => "请填写理由".into(),
            Self::AlreadyDecided { state } => {
                format!("该申报{}，不能重复处理", state.label_zh())
            }
            Self::NotDeclarant => "只有申报人本人可以撤回申报".into(),
            Self::ObjectionWindowClosed => "本期公示的异议期已结束".into(),
            Self::EscalationWindowClosed => "已超过向镇街申请复核的期限".into(),
            Self::ObjectionAlreadyDecided { state } => {
                format!("该异议{}，不能重复处理", state.label_zh())
            }
            Self::ObjectionNotEscalable => "该异议当前不能提交镇街复核".into(),
            Self::NotObjector => "只有异议提出人可以申请复核".into(),
            Self::CorrectionRequired => "采纳异议时必须填写更正分值".into(),
            Self::InvalidQuantity => "兑换数量至少为 1".into(),
            Self::InvalidPrice => "商品积分价格必须大于 0".into(),
            Self::OutOfStock { available } => format!("库存不足（剩余 {available} 件）"),
            Self::PurchaseLimitExceeded { limit } => format!("每户限兑 {limit} 件，已达上限"),
            Self::OrderAlreadyDelivered => "订单已交付，不能取消".into(),
            Self::OrderCancelled => "订单已取消".into(),
            Self::NotOrderer => "只有下单人本人可以操作此订单".into(),
            Self::ItemPaused => "该商品已暂停兑换".into(),
            Self::CancelWindowPassed { minutes } => {
                format!("下单超过 {minutes} 分钟，不能自行取消，请联系村管理员")
            }
            Self::CheckinClosed => "本次活动尚未开放签到或签到已结束".into(),
            Self::CheckinCodeExpired => "签到码已过期，请扫描现场屏幕上的最新签到码".into(),
            Self::CheckinCodeInvalid => "签到码无效，请扫描现场屏幕上的签到码".into(),
            Self::CheckinNotToday => "只能在活动当天扫码签到".into(),
            Self::FundWrongSign { kind } => match *kind {
                "purchase" => "采购支出金额应为负数（资金流出）".into(),
                "adjustment" => "调整金额不能为 0".into(),
                _ => "该类收入金额必须大于 0".into(),
            },
            Self::DonorRequired => "捐赠需填写捐赠人".into(),
            Self::ReceiptRequired => "采购支出需上传票据照片".into(),
            Self::NotEligibleForHonour { .. } => {
                "该户年度积分未高于本村平均分，不能推荐评选".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dotted_and_messages_chinese() {
        let samples = [
            DomainError::CapExceeded {
                code: ItemCode::parse("PA-01").unwrap(),
            },
            DomainError::InsufficientBalance {
                balance: Points(3),
                requested: Points(-5),
            },
            DomainError::AlreadyDecided {
                state: DeclarationState::Approved,
            },
            DomainError::OutOfScope,
        ];
        for e in samples {
            let (area, rest) = e.code().split_once('.').unwrap();
            assert!(!area.is_empty() && !rest.is_empty());
            assert!(
                e.message()
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            );
        }
        assert_eq!(
            DomainError::CapExceeded {
                code: ItemCode::parse("PA-01").unwrap()
            }
            .code(),
            "declaration.cap_exceeded"
        );
    }

    fn code_of(c: &str) -> ItemCode {
        ItemCode::parse(c).unwrap()
    }

    /// One of every variant; the exhaustive match in `code()` makes a new variant fail to
    /// compile there, and this list is where its code is checked to be unique.
    fn every_variant() -> Vec<DomainError> {
        use DomainError as E;
        let q = Quarter::new(2025, 1).unwrap();
        vec![
            E::InvalidItemCode { code: "x".into() },
            E::InvalidQuarter {
                year: 2025,
                index: 5,
            },
            E::InvalidStartMonth { month: 13 },
            E::PointsOverflow,
            E::ScopeMismatch,
            E::OutOfScope,
            E::Forbidden,
            E::RecusalRequired,
            E::HouseholdNotParticipating,
            E::BindingOtherVillage,
            E::BindingInactiveElsewhere,
            E::BindingSelf,
            E::NoEligibleReviewer,
            E::InvalidRecorders { text: "X".into() },
            E::ItemTitleRequired {
                code: code_of("PA-01"),
            },
            E::NegativeItemSelfDeclarable {
                code: code_of("PA-06"),
            },
            E::InvalidPointsRule,
            E::InvalidCap,
            E::InvalidCatalogueVersion,
            E::DuplicateItemCode {
                code: code_of("PA-01"),
            },
            E::CatalogueVersionOutOfOrder,
            E::NoCatalogueInForce { quarter: q },
            E::ItemNotFound {
                code: code_of("ZZ-01"),
                version: 1,
            },
            E::NotAnInspectionItem {
                code: code_of("PA-01"),
            },
            E::CatalogueChangeEmpty,
            E::CatalogueChangeItemExists {
                code: code_of("PA-01"),
            },
            E::CatalogueChangeOutOfBounds {
                code: code_of("PA-01"),
                detail: "分值".into(),
            },
            E::CatalogueChangeStale {
                drafted_on: 1,
                current: 2,
            },
            E::PointsNotAllowed {
                code: code_of("PA-01"),
                points: Points(4),
            },
            E::CapExceeded {
                code: code_of("PA-01"),
            },
            E::LedgerWrongHousehold {
                ledger: HouseholdId(1),
                entry: HouseholdId(2),
            },
            E::LedgerYearClosed,
            E::LedgerWrongSign {
                kind: EntryKind::Award,
                amount: Points(-1),
            },
            E::LedgerSourceMismatch {
                kind: EntryKind::Redeem,
            },
            E::LedgerOutsideYear,
            E::InsufficientBalance {
                balance: Points(1),
                requested: Points(-2),
            },
            E::RefundExceedsRedeemed { order: OrderId(1) },
            E::YearCloseMismatch {
                expected: Points(-3),
            },
            E::ItemNotSelfDeclarable {
                code: code_of("PA-04"),
            },
            E::NegativeItemDeclared {
                code: code_of("PA-06"),
            },
            E::OccurredInFuture,
            E::OutsidePointsYear,
            E::DeclarationTooOld { window_days: 30 },
            E::PhotoCount {
                min: 1,
                max: 9,
                got: 0,
            },
            E::TextRequired,
            E::TextTooLong { max: 500 },
            E::ReasonRequired,
            E::AlreadyDecided {
                state: DeclarationState::Approved,
            },
            E::NotDeclarant,
            E::ObjectionWindowClosed,
            E::EscalationWindowClosed,
            E::ObjectionAlreadyDecided {
                state: ObjectionState::Upheld,
            },
            E::ObjectionNotEscalable,
            E::NotObjector,
            E::CorrectionRequired,
            E::InvalidQuantity,
            E::InvalidPrice,
            E::OutOfStock { available: 0 },
            E::PurchaseLimitExceeded { limit: 3 },
            E::OrderAlreadyDelivered,
            E::OrderCancelled,
            E::NotOrderer,
            E::ItemPaused,
            E::CancelWindowPassed { minutes: 10 },
            E::CheckinClosed,
            E::CheckinCodeExpired,
            E::CheckinCodeInvalid,
            E::CheckinNotToday,
            E::FundWrongSign { kind: "donation" },
            E::DonorRequired,
            E::ReceiptRequired,
            E::NotEligibleForHonour {
                household: HouseholdId(1),
            },
        ]
    }

    #[test]
    fn every_code_is_unique_dotted_and_has_a_chinese_message() {
        let all = every_variant();
        let mut seen = std::collections::BTreeSet::new();
        for e in &all {
            let code = e.code();
            let (area, rest) = code.split_once('.').unwrap();
            assert!(!area.is_empty() && !rest.is_empty(), "{code}");
            assert!(
                code.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                "{code}"
            );
            assert!(seen.insert(code), "duplicate code {code}");
            let msg = e.message();
            assert!(
                msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{code}: {msg}"
            );
            assert!(!e.to_string().is_empty());
        }
        // InvalidQuarterLabel deliberately shares InvalidQuarter's code.
        assert_eq!(
            DomainError::InvalidQuarterLabel { label: "x".into() }.code(),
            "calendar.invalid_quarter"
        );
    }
}
