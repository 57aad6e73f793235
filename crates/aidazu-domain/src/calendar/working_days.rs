//! Working days (Monday–Friday, minus public holidays, plus make-up working days 调休).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// A working-day calendar: Monday–Friday, except listed holidays, plus listed make-up working
/// days (weekend days that are worked, 调休上班).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingDays {
    /// Weekdays that are not worked (public holidays).
    #[serde(default)]
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are worked.
    #[serde(default)]
    pub makeup_days: BTreeSet<NaiveDate>,
}

impl WorkingDays {
    /// Monday–Friday with the given holidays.
    pub fn with_holidays<I: IntoIterator<Item = NaiveDate>>(holidays: I) -> Self {
        Self {
            holidays: holidays.into_iter().collect(),
            makeup_days: BTreeSet::new(),
        }
    }

    /// Whether `date` is a working day.
    #[must_use]
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.makeup_days.contains(&date) {
            return true;
        }
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        !weekend && !self.holidays.contains(&date)
    }

    /// The first working day strictly after `date`.
    #[must_use]
    pub fn first_working_day_after(&self, date: NaiveDate) -> NaiveDate {
        self.add_working_days(date, 1)
    }

    /// The `n`-th working day after `date` (`n = 0` returns `date`), e.g. the committee's
    /// 5-working-day answer deadline (D3).
    #[must_use]
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut current = date;
        let mut left = n;
        while left > 0 {
            match current.succ_opt() {
                Some(next) => current = next,
                None => return current,
            }
            if self.is_working_day(current) {
                left -= 1;
            }
        }
        current
    }
}
