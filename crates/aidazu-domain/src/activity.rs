//! Sharing activities (积分分享活动, R21): per group, a date, a place and a topic; attendees check in
//! by scanning a code that changes every 30 seconds (a photo of it sent home is useless a minute
//! later) or are marked by the admin; each attending household is credited once per activity with
//! the activity's catalogue item, when it has one.
//!
//! The code itself is signed by the service (a keyed hash over the activity and the window); the
//! rules of time live here: which window an instant falls in, which windows are still accepted,
//! when scanning is allowed, and the entry an attendance books.

use chrono::{DateTime, NaiveDate, Utc};

use crate::catalogue::{CatalogueItem, ItemRef};
use crate::error::DomainError;
use crate::ids::{AccountId, HouseholdId, MemberId};
use crate::ledger::{DirectScore, LedgerEntry};

/// Seconds one check-in code is shown before the next replaces it.
pub const CHECKIN_ROTATION_SECS: i64 = 30;

/// The rotation window an instant falls in (counted from the Unix epoch).
#[must_use]
pub fn checkin_window(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(CHECKIN_ROTATION_SECS)
}

/// When the code of `window` stops being shown.
#[must_use]
pub fn window_end(window: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(
        window
            .saturating_add(1)
            .saturating_mul(CHECKIN_ROTATION_SECS),
        0,
    )
    .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// How a household's attendance was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttendanceVia {
    /// The attendee scanned the rotating code in the micro-app.
    Scan,
    /// The admin marked them by hand (no phone, or the scan failed).
    Manual,
}

impl AttendanceVia {
    /// Stable name (stored, and in the API).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Scan => "scan",
            Self::Manual => "manual",
        }
    }
}

/// What the service knows about an activity when someone scans its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckinState {
    /// The admin has opened check-in and not closed it.
    pub open: bool,
    /// The activity's date (Asia/Shanghai).
    pub held_on: NaiveDate,
}

impl CheckinState {
    /// Whether a code made for `code_window` may be used at `now` on business date `today`:
    /// check-in open, on the day of the activity, and the code of the current window or of the
    /// one just before (a code shown at the end of its window is still good while the phone
    /// sends it; anything older is a photo passed around).
    ///
    /// # Errors
    /// [`DomainError::CheckinClosed`], [`DomainError::CheckinNotToday`],
    /// [`DomainError::CheckinCodeExpired`] (an old window), [`DomainError::CheckinCodeInvalid`]
    /// (a window from the future).
    pub fn accept_scan(
        self,
        code_window: i64,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<(), DomainError> {
        if !self.open {
            return Err(DomainError::CheckinClosed);
        }
        if today != self.held_on {
            return Err(DomainError::CheckinNotToday);
        }
        let current = checkin_window(now);
        if code_window > current {
            return Err(DomainError::CheckinCodeInvalid);
        }
        if current - code_window > 1 {
            return Err(DomainError::CheckinCodeExpired);
        }
        Ok(())
    }
}

/// The award an attendance books: the activity's item at its fixed (or suggested) points, for the
/// attending member, as a direct score by the organiser. A scan is proven attendance, not the
/// organiser's judgement, so recusal (D6) applies to manual marking only: `recusal_household` is
/// the marking admin's own household then, `None` for a scan.
///
/// # Errors
/// What [`DirectScore::into_entry`] refuses (item, points, recusal).
#[allow(clippy::too_many_arguments)] // one flat call, mirroring DirectScore's fields
pub fn attendance_entry(
    item: &CatalogueItem,
    item_ref: ItemRef,
    household: HouseholdId,
    member: MemberId,
    topic: &str,
    organiser: AccountId,
    recusal_household: Option<HouseholdId>,
    at: DateTime<Utc>,
) -> Result<LedgerEntry, DomainError> {
    DirectScore {
        household,
        member,
        item,
        item_ref,
        points: item.points().suggested(),
        reason: format!("参加积分分享活动：{topic}"),
        photos: 0,
        actor: organiser,
        actor_household: recusal_household,
        at,
    }
    .into_entry()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn state() -> CheckinState {
        CheckinState {
            open: true,
            held_on: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        }
    }

    const DAY: &str = "2026-06-01";

    #[test]
    fn r21_codes_rotate_every_thirty_seconds() {
        let a = checkin_window(at("2026-06-01T02:00:00Z"));
        assert_eq!(checkin_window(at("2026-06-01T02:00:29Z")), a);
        assert_eq!(checkin_window(at("2026-06-01T02:00:30Z")), a + 1);
        assert_eq!(window_end(a), at("2026-06-01T02:00:30Z"));
    }

    #[test]
    fn r21_the_current_and_the_previous_code_are_accepted_older_ones_expire() {
        let today = NaiveDate::parse_from_str(DAY, "%Y-%m-%d").unwrap();
        let now = at("2026-06-01T02:01:05Z");
        let w = checkin_window(now);
        assert!(state().accept_scan(w, now, today).is_ok());
        assert!(state().accept_scan(w - 1, now, today).is_ok());
        assert_eq!(
            state().accept_scan(w - 2, now, today),
            Err(DomainError::CheckinCodeExpired)
        );
        assert_eq!(
            state().accept_scan(w + 1, now, today),
            Err(DomainError::CheckinCodeInvalid)
        );
    }

    #[test]
    fn r21_scanning_needs_open_check_in_on_the_day() {
        let now = at("2026-06-01T02:00:00Z");
        let w = checkin_window(now);
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let closed = CheckinState {
            open: false,
            ..state()
        };
        assert_eq!(
            closed.accept_scan(w, now, today),
            Err(DomainError::CheckinClosed)
        );
        let tomorrow = NaiveDate::from_ymd_opt(2026, 6, 2).unwrap();
        assert_eq!(
            state().accept_scan(w, now, tomorrow),
            Err(DomainError::CheckinNotToday)
        );
    }
}
