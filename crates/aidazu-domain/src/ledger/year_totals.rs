//! The maintained figures of one household for one points-year (the read model of issue 11):
//! what each entry adds to the year score, the balance and its quarter's points. Storage keeps
//! these figures next to the ledger and applies [`YearTotals::apply`] in the transaction that
//! appends the entry, so the rule of what counts where lives here once (R13).

use chrono::NaiveDate;

use crate::calendar::{PointsYear, PointsYearConfig, business_date};
use crate::error::DomainError;
use crate::ids::Points;

use super::{EntryKind, LedgerEntry};

/// What one entry adds to a household's year figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TotalsDelta {
    /// Added to the year score (awards, penalties, corrections; R13).
    pub score: Points,
    /// Added to the balance (every entry).
    pub balance: Points,
    /// Index 0..=3 of the points-year's quarter whose points the score part adds to (the quarter
    /// of the entry's business date); `None` when the entry adds no score or is booked outside
    /// the year (e.g. a correction booked in the month before the close).
    pub quarter: Option<usize>,
}

impl TotalsDelta {
    /// The delta of an entry of `kind` and `amount` whose date lies in quarter `quarter_in_year`
    /// (index 1..=4 of the entry's points-year, or `None` when the date lies outside it).
    #[must_use]
    pub fn of(kind: EntryKind, amount: Points, quarter_in_year: Option<u32>) -> Self {
        let counts = kind.counts_toward_score();
        Self {
            score: if counts { amount } else { Points::ZERO },
            balance: amount,
            quarter: if counts {
                quarter_in_year.and_then(|i| usize::try_from(i.checked_sub(1)?).ok())
            } else {
                None
            },
        }
    }

    /// The delta of an entry of points-year `year` in a district laid out by `calendar`.
    #[must_use]
    pub fn of_entry(entry: &LedgerEntry, year: PointsYear, calendar: PointsYearConfig) -> Self {
        Self::of_date(
            entry.kind,
            entry.amount,
            business_date(entry.occurred_at),
            year,
            calendar,
        )
    }

    /// The delta of an entry of `kind` and `amount` booked on business date `on` for `year`
    /// (the quarter as [`crate::ledger::HouseholdYearLedger::quarter_points`] counts it).
    #[must_use]
    pub fn of_date(
        kind: EntryKind,
        amount: Points,
        on: NaiveDate,
        year: PointsYear,
        calendar: PointsYearConfig,
    ) -> Self {
        let quarter = calendar.quarter_of(on);
        let in_year = (quarter.points_year() == year).then_some(quarter.index());
        Self::of(kind, amount, in_year)
    }
}

/// Score, balance and per-quarter points of a household for a points-year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearTotals {
    pub score: Points,
    pub balance: Points,
    /// Net score points per quarter of the points-year (Q1..Q4).
    pub quarter_points: [Points; 4],
    /// Number of entries folded in.
    pub entries: i64,
}

impl YearTotals {
    /// Folds one delta in.
    ///
    /// # Errors
    /// [`DomainError::PointsOverflow`].
    pub fn apply(&mut self, delta: TotalsDelta) -> Result<(), DomainError> {
        let mut next = *self;
        next.score = next.score.try_add(delta.score)?;
        next.balance = next.balance.try_add(delta.balance)?;
        if let Some(q) = delta.quarter
            && let Some(slot) = next.quarter_points.get_mut(q)
        {
            *slot = slot.try_add(delta.score)?;
        }
        next.entries = next
            .entries
            .checked_add(1)
            .ok_or(DomainError::PointsOverflow)?;
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r13_redemptions_lower_the_balance_but_not_the_score() {
        let mut t = YearTotals::default();
        t.apply(TotalsDelta::of(EntryKind::Award, Points(10), Some(2)))
            .unwrap();
        t.apply(TotalsDelta::of(EntryKind::Redeem, Points(-4), Some(2)))
            .unwrap();
        t.apply(TotalsDelta::of(EntryKind::Refund, Points(2), Some(3)))
            .unwrap();
        t.apply(TotalsDelta::of(EntryKind::Correction, Points(-1), None))
            .unwrap();
        assert_eq!(t.score, Points(9));
        assert_eq!(t.balance, Points(7));
        assert_eq!(
            t.quarter_points,
            [Points(0), Points(10), Points(0), Points(0)]
        );
        assert_eq!(t.entries, 4);
    }
}
