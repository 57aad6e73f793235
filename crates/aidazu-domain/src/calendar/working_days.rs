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

/// What a district says of one day, against the national calendar (issue 12: each district its
/// own working-day calendar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocalDay {
    /// A local holiday (e.g. a district event): not worked even on a weekday.
    Holiday,
    /// A local working day: worked even on a weekend or a national holiday.
    WorkingDay,
    /// As the national calendar says (removes the district's own entry).
    National,
}

/// A district's own changes to the national working-day calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarOverrides {
    #[serde(default)]
    pub holidays: BTreeSet<NaiveDate>,
    #[serde(default)]
    pub working_days: BTreeSet<NaiveDate>,
}

impl CalendarOverrides {
    /// Records what the district says of `day`; a day is at most one of the two.
    pub fn set(&mut self, day: NaiveDate, kind: LocalDay) {
        self.holidays.remove(&day);
        self.working_days.remove(&day);
        match kind {
            LocalDay::Holiday => {
                self.holidays.insert(day);
            }
            LocalDay::WorkingDay => {
                self.working_days.insert(day);
            }
            LocalDay::National => {}
        }
    }
}

impl WorkingDays {
    /// This calendar with a district's own days laid over it: a local holiday is never worked,
    /// a local working day always is.
    #[must_use]
    pub fn with_overrides(&self, overrides: &CalendarOverrides) -> Self {
        let mut out = self.clone();
        for day in &overrides.holidays {
            out.makeup_days.remove(day);
            out.holidays.insert(*day);
        }
        for day in &overrides.working_days {
            out.holidays.remove(day);
            out.makeup_days.insert(*day);
        }
        out
    }
}

#[cfg(test)]
mod override_tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn d3_a_district_holiday_and_working_day_move_the_working_days_of_that_district_only() {
        let national = WorkingDays::china();
        // Thu 8 Oct 2026 is the first working day after the National Day holidays.
        assert!(national.is_working_day(d(2026, 10, 8)));
        let mut local = CalendarOverrides::default();
        local.set(d(2026, 10, 8), LocalDay::Holiday);
        local.set(d(2026, 10, 3), LocalDay::WorkingDay); // a Saturday inside the holidays
        let district = national.with_overrides(&local);
        assert!(!district.is_working_day(d(2026, 10, 8)));
        assert!(district.is_working_day(d(2026, 10, 3)));
        assert_eq!(
            district.first_working_day_after(d(2026, 10, 3)),
            d(2026, 10, 9)
        );
        // The national calendar is unchanged.
        assert!(national.is_working_day(d(2026, 10, 8)));
        // Setting a day again replaces what was said of it; `National` removes it.
        local.set(d(2026, 10, 8), LocalDay::WorkingDay);
        assert!(!local.holidays.contains(&d(2026, 10, 8)));
        local.set(d(2026, 10, 8), LocalDay::National);
        local.set(d(2026, 10, 3), LocalDay::National);
        assert_eq!(local, CalendarOverrides::default());
        assert_eq!(national.with_overrides(&local), national);
    }
}
