//! How much of an item's cap a household has used (R6, R8: checked at declaration and again
//! at approval).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{PointsYearConfig, business_date};
use crate::catalogue::Cap;
use crate::error::DomainError;
use crate::ids::{ItemCode, Points};

use super::{EntryKind, LedgerEntry};

/// Entries of one item in the cap's period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapUsage {
    pub times: u32,
    pub points: Points,
}

impl CapUsage {
    /// Adds one more use, e.g. a pending declaration the caller wants to count.
    #[must_use]
    pub fn with(self, amount: Points) -> Self {
        Self {
            times: self.times.saturating_add(1),
            points: self.points.checked_add(amount).unwrap_or(self.points),
        }
    }
}

/// What is left under a cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapRemaining {
    Unlimited,
    Times(u32),
    /// Points still allowed (signed like the cap: ≤ 0 left for negative items).
    Points(Points),
}

impl CapRemaining {
    /// The remaining allowance of `cap` after `usage`.
    #[must_use]
    pub fn of(cap: Cap, usage: CapUsage) -> Self {
        match cap {
            Cap::None => Self::Unlimited,
            Cap::PerQuarter(n) | Cap::PerYear(n) => Self::Times(n.saturating_sub(usage.times)),
            Cap::PointsPerQuarter(limit) => {
                let left = limit.checked_sub(usage.points).unwrap_or(Points::ZERO);
                // Clamp to zero once the cap is passed, whatever the direction.
                if (limit.is_positive() && left.is_negative())
                    || (limit.is_negative() && left.is_positive())
                {
                    Self::Points(Points::ZERO)
                } else {
                    Self::Points(left)
                }
            }
        }
    }
}

/// Counts a household's award/penalty entries of `code` (any catalogue version) in the cap's
/// period around `on`: the quarter for per-quarter caps, the points-year for per-year caps.
/// Corrections, which refer to objections, are not counted.
#[must_use]
pub fn cap_usage(
    cap: Cap,
    code: &ItemCode,
    entries: &[LedgerEntry],
    calendar: PointsYearConfig,
    on: NaiveDate,
) -> CapUsage {
    let in_period = |e: &LedgerEntry| {
        let date = business_date(e.occurred_at);
        match cap {
            Cap::None => false,
            Cap::PerQuarter(_) | Cap::PointsPerQuarter(_) => {
                calendar.quarter_of(date) == calendar.quarter_of(on)
            }
            Cap::PerYear(_) => calendar.points_year_of(date) == calendar.points_year_of(on),
        }
    };
    entries
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Award | EntryKind::Penalty))
        .filter(|e| e.item().is_some_and(|r| &r.code == code))
        .filter(|e| in_period(e))
        .fold(CapUsage::default(), |u, e| u.with(e.amount))
}

/// Whether one more entry of `amount` fits under the cap.
///
/// # Errors
/// [`DomainError::CapExceeded`].
pub fn check_cap(
    cap: Cap,
    code: &ItemCode,
    usage: CapUsage,
    amount: Points,
) -> Result<(), DomainError> {
    let after = usage.with(amount);
    let fits = match cap {
        Cap::None => true,
        Cap::PerQuarter(n) | Cap::PerYear(n) => after.times <= n,
        Cap::PointsPerQuarter(limit) if limit.is_negative() => after.points >= limit,
        Cap::PointsPerQuarter(limit) => after.points <= limit,
    };
    if fits {
        Ok(())
    } else {
        Err(DomainError::CapExceeded { code: code.clone() })
    }
}
