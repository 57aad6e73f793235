//! One household's ledger for one points-year.

use crate::calendar::{PointsYear, PointsYearConfig, Quarter, business_date};
use crate::error::DomainError;
use crate::ids::{AccountId, HouseholdId, Points};
use chrono::{DateTime, Utc};

use super::{EntryKind, EntrySource, LedgerEntry};

/// Append-only ledger of one household for one points-year (R12, R13).
///
/// There is no way to change or remove an entry. `append` refuses anything that breaks a rule:
/// wrong household, wrong sign for the kind, a source that does not fit the kind, a date outside
/// the year, a redemption beyond the balance, a refund beyond what the order redeemed, any entry
/// after the year close, and a year close other than −balance.
///
/// Awards and penalties must be booked inside the points-year; corrections, redemptions, refunds
/// and the close may also be booked after it, up to the year-close date (D4), so Q4 objections can
/// still be corrected and Q4 points spent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdYearLedger {
    household: HouseholdId,
    year: PointsYear,
    calendar: PointsYearConfig,
    entries: Vec<LedgerEntry>,
    totals: Totals,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Totals {
    score: Points,
    /// Sum of redeem amounts (≤ 0).
    redeemed: Points,
    /// Sum of refund amounts (≥ 0).
    refunded: Points,
    balance: Points,
    closed: bool,
}

impl HouseholdYearLedger {
    /// An empty ledger.
    #[must_use]
    pub const fn new(household: HouseholdId, year: PointsYear, calendar: PointsYearConfig) -> Self {
        Self {
            household,
            year,
            calendar,
            entries: Vec::new(),
            totals: Totals {
                score: Points::ZERO,
                redeemed: Points::ZERO,
                refunded: Points::ZERO,
                balance: Points::ZERO,
                closed: false,
            },
        }
    }

    /// Rebuilds a ledger from stored entries in booking order, re-checking every rule.
    ///
    /// # Errors
    /// The first rule a stored entry breaks.
    pub fn from_entries<I: IntoIterator<Item = LedgerEntry>>(
        household: HouseholdId,
        year: PointsYear,
        calendar: PointsYearConfig,
        entries: I,
    ) -> Result<Self, DomainError> {
        let mut ledger = Self::new(household, year, calendar);
        for e in entries {
            ledger.append(e)?;
        }
        Ok(ledger)
    }

    #[must_use]
    pub const fn household(&self) -> HouseholdId {
        self.household
    }

    #[must_use]
    pub const fn year(&self) -> PointsYear {
        self.year
    }

    #[must_use]
    pub const fn calendar(&self) -> PointsYearConfig {
        self.calendar
    }

    /// All entries in booking order.
    #[must_use]
    pub fn entries(&self) -> &[LedgerEntry] {
        &self.entries
    }

    /// 年度积分: awards + penalties + corrections. Redemption does not lower it (R13).
    #[must_use]
    pub const fn score(&self) -> Points {
        self.totals.score
    }

    /// 可用积分: score − redeemed + refunded (+ the year close, so 0 after it).
    /// Always equals the sum of all entry amounts, and is never below zero after a redemption.
    #[must_use]
    pub const fn balance(&self) -> Points {
        self.totals.balance
    }

    /// Points spent in the shop, as a positive amount (refunds not deducted).
    #[must_use]
    pub fn redeemed(&self) -> Points {
        self.totals
            .redeemed
            .checked_neg()
            .unwrap_or(Points(i64::MAX))
    }

    /// Points refunded by cancelled orders.
    #[must_use]
    pub const fn refunded(&self) -> Points {
        self.totals.refunded
    }

    /// Whether the year close has been booked.
    #[must_use]
    pub const fn is_closed(&self) -> bool {
        self.totals.closed
    }

    /// Net points of score entries booked in `quarter` (for the quarterly publication, R16).
    #[must_use]
    pub fn quarter_points(&self, quarter: Quarter) -> Points {
        let sum: i128 = self
            .entries
            .iter()
            .filter(|e| e.kind.counts_toward_score())
            .filter(|e| self.calendar.quarter_of(business_date(e.occurred_at)) == quarter)
            .map(|e| i128::from(e.amount.get()))
            .sum();
        // A quarter's sum only exceeds 64 bits with absurd amounts; saturate rather than fail.
        Points(i64::try_from(sum).unwrap_or(if sum < 0 { i64::MIN } else { i64::MAX }))
    }

    /// The entry that closes the year: −balance, no member (R14, D4). Append it to close.
    #[must_use]
    pub fn year_close_entry(
        &self,
        actor: AccountId,
        at: DateTime<Utc>,
        reason: &str,
    ) -> LedgerEntry {
        LedgerEntry {
            household: self.household,
            member: None,
            kind: EntryKind::YearClose,
            amount: self.totals.balance.checked_neg().unwrap_or(Points::ZERO),
            source: EntrySource::YearClose,
            declaration: None,
            actor,
            occurred_at: at,
            reason: reason.to_owned(),
        }
    }

    /// Appends an entry after checking every rule; nothing changes when it is refused.
    ///
    /// # Errors
    /// See the type docs; each refusal is a distinct [`DomainError`] variant.
    pub fn append(&mut self, entry: LedgerEntry) -> Result<&LedgerEntry, DomainError> {
        if entry.household != self.household {
            return Err(DomainError::LedgerWrongHousehold {
                ledger: self.household,
                entry: entry.household,
            });
        }
        if self.totals.closed {
            return Err(DomainError::LedgerYearClosed);
        }
        entry.kind.check_amount(entry.amount)?;
        if !entry.source.fits(entry.kind) {
            return Err(DomainError::LedgerSourceMismatch { kind: entry.kind });
        }
        self.check_date(&entry)?;
        let totals = self.next_totals(&entry)?;
        self.totals = totals;
        self.entries.push(entry);
        Ok(&self.entries[self.entries.len() - 1])
    }

    fn check_date(&self, entry: &LedgerEntry) -> Result<(), DomainError> {
        let date = business_date(entry.occurred_at);
        let first = self.calendar.year_first_day(self.year);
        let last = if matches!(entry.kind, EntryKind::Award | EntryKind::Penalty) {
            self.calendar.year_last_day(self.year)
        } else {
            self.calendar.year_close_date(self.year)
        };
        if date < first || date > last {
            return Err(DomainError::LedgerOutsideYear);
        }
        Ok(())
    }

    fn next_totals(&self, entry: &LedgerEntry) -> Result<Totals, DomainError> {
        let mut t = self.totals;
        let amount = entry.amount;
        t.balance = t.balance.try_add(amount)?;
        match entry.kind {
            EntryKind::Award | EntryKind::Penalty | EntryKind::Correction => {
                t.score = t.score.try_add(amount)?;
            }
            EntryKind::Redeem => {
                if t.balance.is_negative() {
                    return Err(DomainError::InsufficientBalance {
                        balance: self.totals.balance,
                        requested: amount,
                    });
                }
                t.redeemed = t.redeemed.try_add(amount)?;
            }
            EntryKind::Refund => {
                self.check_refund(entry)?;
                t.refunded = t.refunded.try_add(amount)?;
            }
            EntryKind::YearClose => {
                let expected = self
                    .totals
                    .balance
                    .checked_neg()
                    .ok_or(DomainError::PointsOverflow)?;
                if amount != expected {
                    return Err(DomainError::YearCloseMismatch { expected });
                }
                t.closed = true;
            }
        }
        Ok(t)
    }

    /// Refunds of an order never exceed what it redeemed.
    fn check_refund(&self, entry: &LedgerEntry) -> Result<(), DomainError> {
        let Some(order) = entry.order() else {
            return Err(DomainError::LedgerSourceMismatch { kind: entry.kind });
        };
        let (mut redeemed, mut refunded) = (Points::ZERO, entry.amount);
        for e in self.entries.iter().filter(|e| e.order() == Some(order)) {
            match e.kind {
                EntryKind::Redeem => redeemed = redeemed.try_add(e.amount)?,
                EntryKind::Refund => refunded = refunded.try_add(e.amount)?,
                _ => {}
            }
        }
        let redeemed = redeemed.checked_neg().ok_or(DomainError::PointsOverflow)?;
        if refunded > redeemed {
            return Err(DomainError::RefundExceedsRedeemed { order });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
