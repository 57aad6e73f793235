//! The village shop fund (R20, D8): money in fen (分, integer), its append-only ledger, and the
//! report that sets the points still to be honoured (the liability) beside the money available.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::Points;

/// Reference conversion of D8 by default: 1 point ≈ ¥1 = 100 fen of purchase cost.
pub const DEFAULT_FEN_PER_POINT: i64 = 100;

/// What moved money in or out of the fund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundEntryKind {
    /// 区级拨付: the district's allocation (¥24,000 in the pilot). In (+).
    Allocation,
    /// 集体经济收入: the village collective's income. In (+).
    CollectiveIncome,
    /// 社会捐赠: a donation, naming the donor. In (+).
    Donation,
    /// 采购支出: goods bought at cost, with a receipt photo. Out (−).
    Purchase,
    /// 调整: a correction either way (≠ 0), with its reason.
    Adjustment,
}

impl FundEntryKind {
    /// Stable snake-case name (stored, and in the API).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Allocation => "allocation",
            Self::CollectiveIncome => "collective_income",
            Self::Donation => "donation",
            Self::Purchase => "purchase",
            Self::Adjustment => "adjustment",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Allocation,
            Self::CollectiveIncome,
            Self::Donation,
            Self::Purchase,
            Self::Adjustment,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }

    /// The Chinese label.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Allocation => "区级拨付",
            Self::CollectiveIncome => "集体经济收入",
            Self::Donation => "社会捐赠",
            Self::Purchase => "采购支出",
            Self::Adjustment => "调整",
        }
    }

    fn sign_fits(self, amount_fen: i64) -> bool {
        match self {
            Self::Allocation | Self::CollectiveIncome | Self::Donation => amount_fen > 0,
            Self::Purchase => amount_fen < 0,
            Self::Adjustment => amount_fen != 0,
        }
    }
}

/// A fund entry as the admin enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundEntryDraft {
    pub kind: FundEntryKind,
    /// Signed amount in fen: + money in, − money out.
    pub amount_fen: i64,
    pub reason: String,
    /// The donor (捐赠人) of a donation.
    pub donor: Option<String>,
    /// The receipt photo of a purchase.
    pub receipt_photo: Option<i64>,
}

impl FundEntryDraft {
    /// Checks the entry: a reason always; the sign its kind calls for; a donor for a donation; a
    /// receipt photo for a purchase. Returns the entry with trimmed text.
    ///
    /// # Errors
    /// [`DomainError::ReasonRequired`], [`DomainError::FundWrongSign`],
    /// [`DomainError::DonorRequired`], [`DomainError::ReceiptRequired`].
    pub fn validate(self) -> Result<Self, DomainError> {
        let reason = self.reason.trim().to_owned();
        if reason.is_empty() {
            return Err(DomainError::ReasonRequired);
        }
        if !self.kind.sign_fits(self.amount_fen) {
            return Err(DomainError::FundWrongSign {
                kind: self.kind.as_str(),
            });
        }
        let donor = self
            .donor
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        if self.kind == FundEntryKind::Donation && donor.is_none() {
            return Err(DomainError::DonorRequired);
        }
        if self.kind == FundEntryKind::Purchase && self.receipt_photo.is_none() {
            return Err(DomainError::ReceiptRequired);
        }
        Ok(Self {
            reason,
            donor,
            ..self
        })
    }
}

/// The figures a fund report is computed from, for one village (or a sum of villages) and period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FundFigures {
    /// Net score points booked in the period (awards, penalties, corrections).
    pub points_issued: Points,
    /// Points spent in the shop in the period, net of refunds (positive).
    pub points_redeemed: Points,
    /// Money spent on purchases in the period (fen, positive).
    pub money_spent_fen: i64,
    /// The fund's balance at the end of the period (fen).
    pub fund_balance_fen: i64,
    /// Balances households may still spend (points, ≥ 0 per household).
    pub outstanding_points: Points,
}

/// The report: the figures, the liability in money, and whether it exceeds the fund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FundReport {
    pub points_issued: i64,
    pub points_redeemed: i64,
    pub money_spent_fen: i64,
    pub fund_balance_fen: i64,
    pub outstanding_points: i64,
    pub fen_per_point: i64,
    /// Outstanding points × the reference conversion (fen).
    pub liability_fen: i64,
    /// The alert of R20: the points still to be honoured are worth more than the fund holds.
    pub liability_exceeds_fund: bool,
}

impl FundReport {
    /// Computes the report with `fen_per_point` (D8; [`DEFAULT_FEN_PER_POINT`] by default).
    /// Saturates rather than fails on absurd figures.
    #[must_use]
    pub fn compute(figures: FundFigures, fen_per_point: i64) -> Self {
        let liability_fen = figures
            .outstanding_points
            .get()
            .max(0)
            .saturating_mul(fen_per_point);
        Self {
            points_issued: figures.points_issued.get(),
            points_redeemed: figures.points_redeemed.get(),
            money_spent_fen: figures.money_spent_fen,
            fund_balance_fen: figures.fund_balance_fen,
            outstanding_points: figures.outstanding_points.get(),
            fen_per_point,
            liability_fen,
            liability_exceeds_fund: liability_fen > figures.fund_balance_fen,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn draft(kind: FundEntryKind, amount_fen: i64) -> FundEntryDraft {
        FundEntryDraft {
            kind,
            amount_fen,
            reason: " 理由 ".into(),
            donor: Some("张三".into()),
            receipt_photo: Some(1),
        }
    }

    #[test]
    fn r20_each_kind_has_its_sign() {
        use FundEntryKind::*;
        for kind in [Allocation, CollectiveIncome, Donation] {
            assert!(draft(kind, 100).validate().is_ok());
            assert_eq!(
                draft(kind, -100).validate(),
                Err(DomainError::FundWrongSign {
                    kind: kind.as_str()
                })
            );
            assert!(draft(kind, 0).validate().is_err());
        }
        assert!(draft(Purchase, -100).validate().is_ok());
        assert!(draft(Purchase, 100).validate().is_err());
        assert!(draft(Adjustment, 5).validate().is_ok());
        assert!(draft(Adjustment, -5).validate().is_ok());
        assert!(draft(Adjustment, 0).validate().is_err());
    }

    #[test]
    fn r20_reason_donor_and_receipt_are_required_where_they_apply() {
        let mut d = draft(FundEntryKind::Allocation, 100);
        d.reason = "  ".into();
        assert_eq!(d.validate(), Err(DomainError::ReasonRequired));
        let mut d = draft(FundEntryKind::Donation, 100);
        d.donor = Some(" ".into());
        assert_eq!(d.validate(), Err(DomainError::DonorRequired));
        let mut d = draft(FundEntryKind::Purchase, -100);
        d.receipt_photo = None;
        assert_eq!(d.validate(), Err(DomainError::ReceiptRequired));
        let ok = draft(FundEntryKind::Donation, 100).validate().unwrap();
        assert_eq!(ok.reason, "理由");
    }

    #[test]
    fn d8_liability_is_outstanding_points_at_the_reference_rate() {
        let report = FundReport::compute(
            FundFigures {
                points_issued: Points(500),
                points_redeemed: Points(100),
                money_spent_fen: 8_000,
                fund_balance_fen: 30_000,
                outstanding_points: Points(400),
            },
            DEFAULT_FEN_PER_POINT,
        );
        assert_eq!(report.liability_fen, 40_000);
        assert!(report.liability_exceeds_fund);
        let report = FundReport::compute(
            FundFigures {
                fund_balance_fen: 40_000,
                outstanding_points: Points(400),
                ..FundFigures::default()
            },
            DEFAULT_FEN_PER_POINT,
        );
        assert!(!report.liability_exceeds_fund, "equal is covered");
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in [
            FundEntryKind::Allocation,
            FundEntryKind::CollectiveIncome,
            FundEntryKind::Donation,
            FundEntryKind::Purchase,
            FundEntryKind::Adjustment,
        ] {
            assert_eq!(FundEntryKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(FundEntryKind::parse("bribe"), None);
    }
}
