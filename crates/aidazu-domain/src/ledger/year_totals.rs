//! The maintained figures of one household for one points-year (the read model of issue 11):
//! what each entry adds to the year score, the balance and its quarter's points, and in which
//! quarter's publication it counts (R16, R17). Storage keeps these figures next to the ledger and
//! applies [`YearTotals::apply`] in the transaction that appends the entry, so the rule of what
//! counts where lives here once (R13).

use chrono::NaiveDate;

use crate::calendar::{PointsYear, PointsYearConfig, Quarter, business_date};
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
    /// Index 0..=3 of the quarter from whose publication on the entry counts (a board is the
    /// snapshot as of its quarter's last day, R16): the quarter of the entry's business date,
    /// except that a correction counts in the quarter its objection was about (R17, see
    /// [`TotalsDelta::with_objection_quarter`]); `None` when that lies outside the points-year
    /// (no board of the year shows the entry).
    pub board_quarter: Option<usize>,
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
            board_quarter: quarter_in_year.and_then(|i| usize::try_from(i.checked_sub(1)?).ok()),
        }
    }

    /// R17: a correction from an objection counts on the boards in the quarter the objection was
    /// about (its publication, amended), not in the quarter it was booked. `objection_quarter`
    /// is that quarter when the entry is a correction of an objection; other entries are
    /// unchanged.
    #[must_use]
    pub fn with_objection_quarter(
        mut self,
        kind: EntryKind,
        objection_quarter: Option<Quarter>,
        year: PointsYear,
    ) -> Self {
        if kind == EntryKind::Correction
            && let Some(q) = objection_quarter
        {
            self.board_quarter = (q.points_year() == year)
                .then(|| usize::try_from(q.index().checked_sub(1)?).ok())
                .flatten();
        }
        self
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
    /// Net score points per quarter as the boards count them ([`TotalsDelta::board_quarter`]).
    pub board_points: [Points; 4],
    /// Balance change per quarter as the boards count it (every kind of entry).
    pub board_balance: [Points; 4],
}

/// What a quarter's board shows for one household (R16): the snapshot as of the quarter's last
/// day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BoardFigures {
    /// Net score points counted in the quarter.
    pub quarter_points: Points,
    /// Year score up to the quarter's last day.
    pub score: Points,
    /// Balance up to the quarter's last day.
    pub balance: Points,
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
        if let Some(q) = delta.board_quarter
            && let (Some(points), Some(balance)) =
                (next.board_points.get_mut(q), next.board_balance.get_mut(q))
        {
            *points = points.try_add(delta.score)?;
            *balance = balance.try_add(delta.balance)?;
        }
        next.entries = next
            .entries
            .checked_add(1)
            .ok_or(DomainError::PointsOverflow)?;
        *self = next;
        Ok(())
    }

    /// What the board of `quarter` (of this points-year) shows: the quarter's points, and the
    /// score and balance summed over the quarters up to it — entries dated after its last day
    /// are not in it, corrections count where [`TotalsDelta::board_quarter`] puts them.
    #[must_use]
    pub fn as_of(&self, quarter: Quarter) -> BoardFigures {
        let upto = usize::try_from(quarter.index()).unwrap_or(0).min(4);
        let sum = |values: &[Points]| {
            let total: i128 = values.iter().map(|p| i128::from(p.get())).sum();
            // Saturate rather than fail, as `HouseholdYearLedger::quarter_points` does.
            Points(i64::try_from(total).unwrap_or(if total < 0 { i64::MIN } else { i64::MAX }))
        };
        BoardFigures {
            quarter_points: upto
                .checked_sub(1)
                .and_then(|i| self.board_points.get(i))
                .copied()
                .unwrap_or(Points::ZERO),
            score: sum(&self.board_points[..upto]),
            balance: sum(&self.board_balance[..upto]),
        }
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

    #[test]
    fn r16_r17_a_board_counts_up_to_its_quarter_and_corrections_in_their_objection_quarter() {
        let year = PointsYear(2026);
        let q = |i| Quarter::new(2026, i).unwrap();
        let mut t = YearTotals::default();
        t.apply(TotalsDelta::of(EntryKind::Award, Points(10), Some(1)))
            .unwrap();
        t.apply(TotalsDelta::of(EntryKind::Redeem, Points(-4), Some(2)))
            .unwrap();
        t.apply(TotalsDelta::of(EntryKind::Award, Points(6), Some(3)))
            .unwrap();
        // Booked in Q4 about the Q2 board: counts from Q2 on.
        t.apply(
            TotalsDelta::of(EntryKind::Correction, Points(3), Some(4)).with_objection_quarter(
                EntryKind::Correction,
                Some(q(2)),
                year,
            ),
        )
        .unwrap();
        // An award is never moved.
        t.apply(
            TotalsDelta::of(EntryKind::Award, Points(1), Some(4)).with_objection_quarter(
                EntryKind::Award,
                Some(q(1)),
                year,
            ),
        )
        .unwrap();
        let view = |i| {
            let f = t.as_of(q(i));
            (f.quarter_points.get(), f.score.get(), f.balance.get())
        };
        assert_eq!(view(1), (10, 10, 10));
        assert_eq!(view(2), (3, 13, 9));
        assert_eq!(view(3), (6, 19, 15));
        assert_eq!(view(4), (1, 20, 16));
        // The booking-date figures are unchanged by the rule.
        assert_eq!(t.quarter_points[3], Points(4));
        assert_eq!(t.score, Points(20));
    }
}
