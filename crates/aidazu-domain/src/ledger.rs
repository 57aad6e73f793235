//! The points ledger (R12, R13): append-only entries per household per points-year.

mod caps;
mod direct;
mod household_year;
mod year_totals;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalogue::ItemRef;
use crate::error::DomainError;
use crate::ids::{AccountId, DeclarationId, HouseholdId, MemberId, ObjectionId, OrderId, Points};

pub use caps::{CapRemaining, CapUsage, cap_remaining, cap_usage, check_cap};
pub use direct::DirectScore;
pub use household_year::HouseholdYearLedger;
pub use year_totals::{BoardFigures, TotalsDelta, YearTotals};

/// What an entry is (R12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Positive item scored (+).
    Award,
    /// Negative item scored (−).
    Penalty,
    /// From an upheld objection (±, never 0).
    Correction,
    /// Spent in the shop (−).
    Redeem,
    /// Order cancelled before delivery (+).
    Refund,
    /// Balance closed to zero at year end (−balance).
    YearClose,
}

impl EntryKind {
    /// Whether the entry counts toward the year score (R13): awards, penalties, corrections.
    #[must_use]
    pub const fn counts_toward_score(self) -> bool {
        matches!(self, Self::Award | Self::Penalty | Self::Correction)
    }

    /// Sign rule of the kind. `YearClose` is −balance, which is positive when penalties left the
    /// balance negative (the deficit is closed too); the ledger checks its exact amount.
    ///
    /// # Errors
    /// [`DomainError::LedgerWrongSign`].
    pub fn check_amount(self, amount: Points) -> Result<(), DomainError> {
        let ok = match self {
            Self::Award | Self::Refund => amount.is_positive(),
            Self::Penalty | Self::Redeem => amount.is_negative(),
            Self::Correction => !amount.is_zero(),
            Self::YearClose => true,
        };
        if ok {
            Ok(())
        } else {
            Err(DomainError::LedgerWrongSign { kind: self, amount })
        }
    }

    /// Chinese label (奖励加分, 扣分, …).
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Award => "加分",
            Self::Penalty => "扣分",
            Self::Correction => "更正",
            Self::Redeem => "兑换",
            Self::Refund => "退还",
            Self::YearClose => "年度清零",
        }
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Award => "award",
            Self::Penalty => "penalty",
            Self::Correction => "correction",
            Self::Redeem => "redeem",
            Self::Refund => "refund",
            Self::YearClose => "year_close",
        })
    }
}

/// What an entry was booked against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntrySource {
    /// A catalogue item under the version it was scored with (awards, penalties).
    Item(ItemRef),
    /// A shop order (redeem, refund).
    Order(OrderId),
    /// An upheld objection (correction).
    Objection(ObjectionId),
    /// The year close itself.
    YearClose,
}

impl EntrySource {
    /// Whether this source fits the kind: awards/penalties ← item, corrections ← objection,
    /// redeems/refunds ← order, year close ← year close.
    #[must_use]
    pub const fn fits(&self, kind: EntryKind) -> bool {
        matches!(
            (kind, self),
            (EntryKind::Award | EntryKind::Penalty, Self::Item(_))
                | (EntryKind::Correction, Self::Objection(_))
                | (EntryKind::Redeem | EntryKind::Refund, Self::Order(_))
                | (EntryKind::YearClose, Self::YearClose)
        )
    }
}

/// One ledger entry (R12). Ids are assigned by storage; the domain never needs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub household: HouseholdId,
    /// The member the entry concerns (R2); `None` only for the year close.
    pub member: Option<MemberId>,
    pub kind: EntryKind,
    pub amount: Points,
    pub source: EntrySource,
    /// The declaration an award came from, if any.
    #[serde(default)]
    pub declaration: Option<DeclarationId>,
    /// Who booked it (reviewer, admin, system account for jobs).
    pub actor: AccountId,
    /// When it was booked; its business date decides quarter and year.
    pub occurred_at: DateTime<Utc>,
    pub reason: String,
}

impl LedgerEntry {
    /// The item code and version, for item entries.
    #[must_use]
    pub const fn item(&self) -> Option<&ItemRef> {
        match &self.source {
            EntrySource::Item(r) => Some(r),
            _ => None,
        }
    }

    /// The order, for redeem/refund entries.
    #[must_use]
    pub const fn order(&self) -> Option<OrderId> {
        match self.source {
            EntrySource::Order(o) => Some(o),
            _ => None,
        }
    }
}
