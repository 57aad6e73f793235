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

/// What is left of an item's cap for a household on `on` (its quarter or points-year).
#[must_use]
pub fn cap_remaining(
    cap: Cap,
    code: &ItemCode,
    entries: &[LedgerEntry],
    calendar: PointsYearConfig,
    on: NaiveDate,
) -> CapRemaining {
    CapRemaining::of(cap, cap_usage(cap, code, entries, calendar, on))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::ItemRef;
    use crate::ids::{AccountId, HouseholdId, MemberId};
    use crate::ledger::EntrySource;

    fn code(c: &str) -> ItemCode {
        ItemCode::parse(c).unwrap()
    }

    fn entry(item: &str, version: u32, kind: EntryKind, amount: i64, when: &str) -> LedgerEntry {
        LedgerEntry {
            household: HouseholdId(1),
            member: Some(MemberId(1)),
            kind,
            amount: Points(amount),
            source: EntrySource::Item(ItemRef {
                code: code(item),
                version,
            }),
            declaration: None,
            actor: AccountId(1),
            occurred_at: when.parse().unwrap(),
            reason: String::new(),
        }
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
    }

    #[test]
    fn r6_per_quarter_cap_counts_only_that_item_in_that_quarter() {
        let cal = PointsYearConfig::default();
        let entries = [
            entry("PA-01", 1, EntryKind::Award, 3, "2025-01-10T02:00:00Z"),
            entry("PA-01", 2, EntryKind::Award, 3, "2025-02-10T02:00:00Z"),
            entry("PA-01", 2, EntryKind::Award, 3, "2025-03-10T02:00:00Z"),
            entry("PA-02", 2, EntryKind::Award, 5, "2025-03-10T02:00:00Z"),
            entry("PA-01", 2, EntryKind::Award, 3, "2025-04-10T02:00:00Z"),
        ];
        let cap = Cap::PerQuarter(4);
        assert_eq!(
            cap_remaining(cap, &code("PA-01"), &entries, cal, day(3, 31)),
            CapRemaining::Times(1)
        );
        let usage = cap_usage(cap, &code("PA-01"), &entries, cal, day(3, 31));
        assert_eq!(
            usage,
            CapUsage {
                times: 3,
                points: Points(9)
            }
        );
        assert_eq!(CapRemaining::of(cap, usage), CapRemaining::Times(1));
        assert!(check_cap(cap, &code("PA-01"), usage, Points(3)).is_ok());
        // A pending declaration counted by the caller uses the last slot.
        let with_pending = usage.with(Points(3));
        assert_eq!(
            check_cap(cap, &code("PA-01"), with_pending, Points(3)),
            Err(DomainError::CapExceeded {
                code: code("PA-01")
            })
        );
        let q2 = cap_usage(cap, &code("PA-01"), &entries, cal, day(4, 1));
        assert_eq!(q2.times, 1);
    }

    #[test]
    fn r6_per_year_cap_spans_quarters() {
        let cal = PointsYearConfig::default();
        let entries: Vec<_> = [
            "2025-01-10T02:00:00Z",
            "2025-05-10T02:00:00Z",
            "2025-08-10T02:00:00Z",
        ]
        .into_iter()
        .map(|t| entry("ML-04", 1, EntryKind::Award, 10, t))
        .collect();
        let cap = Cap::PerYear(4);
        let usage = cap_usage(cap, &code("ML-04"), &entries, cal, day(11, 1));
        assert_eq!(usage.times, 3);
        assert!(check_cap(cap, &code("ML-04"), usage, Points(10)).is_ok());
        assert!(check_cap(cap, &code("ML-04"), usage.with(Points(10)), Points(10)).is_err());
    }

    #[test]
    fn r6_points_cap_bounds_deductions_per_quarter() {
        // ML-05: −5 per spot, at most −15 a quarter.
        let cal = PointsYearConfig::default();
        let cap = Cap::PointsPerQuarter(Points(-15));
        let entries: Vec<_> = (0..2)
            .map(|_| entry("ML-05", 1, EntryKind::Penalty, -5, "2025-07-10T02:00:00Z"))
            .collect();
        let usage = cap_usage(cap, &code("ML-05"), &entries, cal, day(9, 1));
        assert_eq!(usage.points, Points(-10));
        assert_eq!(
            CapRemaining::of(cap, usage),
            CapRemaining::Points(Points(-5))
        );
        assert!(check_cap(cap, &code("ML-05"), usage, Points(-5)).is_ok());
        assert!(check_cap(cap, &code("ML-05"), usage.with(Points(-5)), Points(-5)).is_err());
    }

    #[test]
    fn r6_points_cap_bounds_ranged_awards() {
        // DE-02: +2..3 per time, at most 15 a quarter.
        let cap = Cap::PointsPerQuarter(Points(15));
        let usage = CapUsage {
            times: 5,
            points: Points(13),
        };
        assert!(check_cap(cap, &code("DE-02"), usage, Points(2)).is_ok());
        assert!(check_cap(cap, &code("DE-02"), usage, Points(3)).is_err());
        let over = CapUsage {
            times: 6,
            points: Points(16),
        };
        assert_eq!(
            CapRemaining::of(cap, over),
            CapRemaining::Points(Points::ZERO)
        );
    }

    #[test]
    fn r6_no_cap_is_unlimited() {
        let usage = CapUsage {
            times: 1000,
            points: Points(20000),
        };
        assert_eq!(CapRemaining::of(Cap::None, usage), CapRemaining::Unlimited);
        assert!(check_cap(Cap::None, &code("PA-03"), usage, Points(30)).is_ok());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn r8_entries_admitted_through_check_cap_never_exceed_it(
                attempts in prop::collection::vec((0u32..365, -6i64..=6), 0..80),
                times in 1u32..5,
                points_cap in 1i64..20,
                use_points in any::<bool>(),
            ) {
                let cal = PointsYearConfig::default();
                let direction_negative = use_points && points_cap % 2 == 0;
                let cap = match (use_points, direction_negative) {
                    (false, _) => Cap::PerQuarter(times),
                    (true, false) => Cap::PointsPerQuarter(Points(points_cap)),
                    (true, true) => Cap::PointsPerQuarter(Points(-points_cap)),
                };
                let item = code("ML-05");
                let mut entries: Vec<LedgerEntry> = Vec::new();
                for (day_of_year, raw) in attempts {
                    let amount = if direction_negative { -(raw.abs().max(1)) } else { raw.abs().max(1) };
                    let on = NaiveDate::from_yo_opt(2025, day_of_year + 1).unwrap();
                    let usage = cap_usage(cap, &item, &entries, cal, on);
                    if check_cap(cap, &item, usage, Points(amount)).is_ok() {
                        let kind = if amount < 0 { EntryKind::Penalty } else { EntryKind::Award };
                        let when = format!("{on}T02:00:00Z");
                        entries.push(entry("ML-05", 1, kind, amount, &when));
                    }
                }
                for q in crate::calendar::PointsYear(2025).quarters() {
                    let on = cal.quarter_first_day(q);
                    let usage = cap_usage(cap, &item, &entries, cal, on);
                    match cap {
                        Cap::PerQuarter(n) => prop_assert!(usage.times <= n),
                        Cap::PointsPerQuarter(limit) if limit.is_negative() => {
                            prop_assert!(usage.points >= limit);
                        }
                        Cap::PointsPerQuarter(limit) => prop_assert!(usage.points <= limit),
                        _ => {}
                    }
                }
            }
        }
    }
}
