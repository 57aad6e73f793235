//! Points-years, quarters and business dates (R14, R15, D3, D4).
//!
//! Every business date is a date in Asia/Shanghai. A points-year starts on the first day of a
//! configurable month (January by default; the pilot ran September–August) and is labelled by the
//! calendar year it starts in. Quarters are quarters of the points-year: Q1 starts with the
//! points-year, Q2 three months later, and so on.

mod china;
mod quarter;
mod working_days;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

pub use china::CHINA_YEARS;
pub use quarter::Quarter;
pub use working_days::{CalendarOverrides, LocalDay, WorkingDays};

/// The business date (Asia/Shanghai) of an instant (R15).
#[must_use]
pub fn business_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Shanghai).date_naive()
}

/// The instant of a Shanghai wall-clock time on a business date, e.g. the 09:00 publication (R16).
///
/// Asia/Shanghai has no daylight saving, so every local time maps to exactly one instant.
#[must_use]
pub fn shanghai_instant(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = date.and_time(time);
    match Shanghai.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.with_timezone(&Utc)
        }
        // Unreachable for Shanghai since 1991; fall back to the fixed +08:00 offset.
        chrono::LocalResult::None => {
            DateTime::<Utc>::from_naive_utc_and_offset(local - chrono::Duration::hours(8), Utc)
        }
    }
}

/// How points-years are laid out for a district (R14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PointsYearConfigRepr", into = "PointsYearConfigRepr")]
pub struct PointsYearConfig {
    start_month: u32,
}

#[derive(Serialize, Deserialize)]
struct PointsYearConfigRepr {
    start_month: u32,
}

impl TryFrom<PointsYearConfigRepr> for PointsYearConfig {
    type Error = DomainError;

    fn try_from(value: PointsYearConfigRepr) -> Result<Self, Self::Error> {
        Self::new(value.start_month)
    }
}

impl From<PointsYearConfig> for PointsYearConfigRepr {
    fn from(value: PointsYearConfig) -> Self {
        Self {
            start_month: value.start_month,
        }
    }
}

impl Default for PointsYearConfig {
    /// Calendar years (January start).
    fn default() -> Self {
        Self { start_month: 1 }
    }
}

impl PointsYearConfig {
    /// A layout whose years start on the first day of `start_month` (1..=12).
    ///
    /// # Errors
    /// [`DomainError::InvalidStartMonth`] outside 1..=12.
    pub fn new(start_month: u32) -> Result<Self, DomainError> {
        if (1..=12).contains(&start_month) {
            Ok(Self { start_month })
        } else {
            Err(DomainError::InvalidStartMonth { month: start_month })
        }
    }

    /// The month (1..=12) a points-year starts in.
    #[must_use]
    pub const fn start_month(self) -> u32 {
        self.start_month
    }

    /// Months since year 0 of the first day of the points-year containing `date`, split into
    /// (points-year label, month offset 0..12 within that year).
    fn position(self, date: NaiveDate) -> (i32, u32) {
        let months = i64::from(date.year()) * 12 + i64::from(date.month0())
            - i64::from(self.start_month - 1);
        // Quotient fits i32: |date.year()| < 2^18.
        let year = i32::try_from(months.div_euclid(12)).unwrap_or(i32::MAX);
        let offset = u32::try_from(months.rem_euclid(12)).unwrap_or(0);
        (year, offset)
    }

    /// The points-year a date belongs to.
    #[must_use]
    pub fn points_year_of(self, date: NaiveDate) -> PointsYear {
        PointsYear(self.position(date).0)
    }

    /// The quarter (of the points-year) a date belongs to.
    #[must_use]
    pub fn quarter_of(self, date: NaiveDate) -> Quarter {
        let (year, offset) = self.position(date);
        Quarter::from_parts_unchecked(year, offset / 3 + 1)
    }

    /// First day of a points-year.
    #[must_use]
    pub fn year_first_day(self, year: PointsYear) -> NaiveDate {
        NaiveDate::from_ymd_opt(year.0, self.start_month, 1).unwrap_or(NaiveDate::MAX)
    }

    /// Last day of a points-year.
    #[must_use]
    pub fn year_last_day(self, year: PointsYear) -> NaiveDate {
        self.year_first_day(year.next())
            .pred_opt()
            .unwrap_or(NaiveDate::MAX)
    }

    /// Whether a date lies in a points-year.
    #[must_use]
    pub fn contains(self, year: PointsYear, date: NaiveDate) -> bool {
        self.points_year_of(date) == year
    }

    /// The year-close date (D4): the last day of the first month after the points-year ends.
    /// For calendar years that is 31 January of the following year.
    #[must_use]
    pub fn year_close_date(self, year: PointsYear) -> NaiveDate {
        let after = self.year_first_day(year.next());
        last_day_of_month(after)
    }

    /// First day of a quarter.
    #[must_use]
    pub fn quarter_first_day(self, quarter: Quarter) -> NaiveDate {
        self.year_first_day(PointsYear(quarter.year()))
            .checked_add_months(Months::new((quarter.index() - 1) * 3))
            .unwrap_or(NaiveDate::MAX)
    }

    /// Last day of a quarter.
    #[must_use]
    pub fn quarter_last_day(self, quarter: Quarter) -> NaiveDate {
        self.quarter_first_day(quarter.next())
            .pred_opt()
            .unwrap_or(NaiveDate::MAX)
    }

    /// The points-year an entry belongs to (R14, D4; docs/rules.md "points-year of an entry"):
    /// the deed's points-year while that year is still open for entries (booked on or before its
    /// year-close date), else the points-year of the booking date. The one place this rule lives.
    #[must_use]
    pub fn booking_year(self, deed: NaiveDate, booked_on: NaiveDate) -> PointsYear {
        let deed_year = self.points_year_of(deed);
        if booked_on <= self.year_close_date(deed_year) {
            deed_year
        } else {
            self.points_year_of(booked_on)
        }
    }

    /// The business date an award or penalty is dated at in its ledger (R14): the deed's date
    /// while its points-year is open, else the booking date (so the entry lies inside the year
    /// [`Self::booking_year`] chose).
    #[must_use]
    pub fn booking_date(self, deed: NaiveDate, booked_on: NaiveDate) -> NaiveDate {
        if self.booking_year(deed, booked_on) == self.points_year_of(deed) {
            deed
        } else {
            booked_on
        }
    }

    /// Publication date of a quarter (R16, D3): the first working day after it ends.
    #[must_use]
    pub fn publication_date(self, quarter: Quarter, working_days: &WorkingDays) -> NaiveDate {
        working_days.first_working_day_after(self.quarter_last_day(quarter))
    }
}

/// The last day of the month `date` is in.
#[must_use]
pub fn last_day_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1)
        .and_then(|first| first.checked_add_months(Months::new(1)))
        .and_then(|next| next.checked_sub_days(Days::new(1)))
        .unwrap_or(NaiveDate::MAX)
}

/// A points-year, labelled by the calendar year it starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PointsYear(pub i32);

impl PointsYear {
    /// The label (calendar year the points-year starts in).
    #[must_use]
    pub const fn label(self) -> i32 {
        self.0
    }

    /// The following points-year.
    #[must_use]
    pub const fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }

    /// The preceding points-year.
    #[must_use]
    pub const fn prev(self) -> Self {
        Self(self.0.saturating_sub(1))
    }

    /// Its four quarters in order.
    #[must_use]
    pub fn quarters(self) -> [Quarter; 4] {
        [1, 2, 3, 4].map(|i| Quarter::from_parts_unchecked(self.0, i))
    }
}

impl std::fmt::Display for PointsYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests;
