//! The working-day calendar of mainland China as data: public holidays that fall on weekdays and
//! the make-up working days (调休上班) on weekends, from the State Council's yearly notices
//! (国务院办公厅关于…部分节假日安排的通知) for 2021–2026. 2027 was not published when this table was
//! written: only its fixed-date holidays (元旦, 国庆) are listed, marked provisional; replace the
//! 2027 rows when the notice appears (see docs/rules.md, D3).

use chrono::NaiveDate;

use super::WorkingDays;

/// Weekdays off (法定节假日 on Monday–Friday), as (year, month, day).
const HOLIDAYS: &[(i32, u32, u32)] = &[
    // 2021
    (2021, 1, 1),
    (2021, 2, 11),
    (2021, 2, 12),
    (2021, 2, 15),
    (2021, 2, 16),
    (2021, 2, 17),
    (2021, 4, 5),
    (2021, 5, 3),
    (2021, 5, 4),
    (2021, 5, 5),
    (2021, 6, 14),
    (2021, 9, 20),
    (2021, 9, 21),
    (2021, 10, 1),
    (2021, 10, 4),
    (2021, 10, 5),
    (2021, 10, 6),
    (2021, 10, 7),
    // 2022
    (2022, 1, 3),
    (2022, 1, 31),
    (2022, 2, 1),
    (2022, 2, 2),
    (2022, 2, 3),
    (2022, 2, 4),
    (2022, 4, 4),
    (2022, 4, 5),
    (2022, 5, 2),
    (2022, 5, 3),
    (2022, 5, 4),
    (2022, 6, 3),
    (2022, 9, 12),
    (2022, 10, 3),
    (2022, 10, 4),
    (2022, 10, 5),
    (2022, 10, 6),
    (2022, 10, 7),
    // 2023
    (2023, 1, 2),
    (2023, 1, 23),
    (2023, 1, 24),
    (2023, 1, 25),
    (2023, 1, 26),
    (2023, 1, 27),
    (2023, 4, 5),
    (2023, 5, 1),
    (2023, 5, 2),
    (2023, 5, 3),
    (2023, 6, 22),
    (2023, 6, 23),
    (2023, 9, 29),
    (2023, 10, 2),
    (2023, 10, 3),
    (2023, 10, 4),
    (2023, 10, 5),
    (2023, 10, 6),
    // 2024
    (2024, 1, 1),
    (2024, 2, 12),
    (2024, 2, 13),
    (2024, 2, 14),
    (2024, 2, 15),
    (2024, 2, 16),
    (2024, 4, 4),
    (2024, 4, 5),
    (2024, 5, 1),
    (2024, 5, 2),
    (2024, 5, 3),
    (2024, 6, 10),
    (2024, 9, 16),
    (2024, 9, 17),
    (2024, 10, 1),
    (2024, 10, 2),
    (2024, 10, 3),
    (2024, 10, 4),
    (2024, 10, 7),
    // 2025
    (2025, 1, 1),
    (2025, 1, 28),
    (2025, 1, 29),
    (2025, 1, 30),
    (2025, 1, 31),
    (2025, 2, 3),
    (2025, 2, 4),
    (2025, 4, 4),
    (2025, 5, 1),
    (2025, 5, 2),
    (2025, 5, 5),
    (2025, 6, 2),
    (2025, 10, 1),
    (2025, 10, 2),
    (2025, 10, 3),
    (2025, 10, 6),
    (2025, 10, 7),
    (2025, 10, 8),
    // 2026
    (2026, 1, 1),
    (2026, 1, 2),
    (2026, 2, 16),
    (2026, 2, 17),
    (2026, 2, 18),
    (2026, 2, 19),
    (2026, 2, 20),
    (2026, 2, 23),
    (2026, 4, 6),
    (2026, 5, 1),
    (2026, 5, 4),
    (2026, 5, 5),
    (2026, 6, 19),
    (2026, 9, 25),
    (2026, 10, 1),
    (2026, 10, 2),
    (2026, 10, 5),
    (2026, 10, 6),
    (2026, 10, 7),
    // 2027 (provisional: fixed-date holidays only)
    (2027, 1, 1),
    (2027, 10, 1),
    (2027, 10, 4),
    (2027, 10, 5),
    (2027, 10, 6),
    (2027, 10, 7),
];

/// Weekend days that are worked (调休上班), as (year, month, day).
const MAKEUP_DAYS: &[(i32, u32, u32)] = &[
    // 2021
    (2021, 2, 7),
    (2021, 2, 20),
    (2021, 4, 25),
    (2021, 5, 8),
    (2021, 9, 18),
    (2021, 9, 26),
    (2021, 10, 9),
    // 2022
    (2022, 1, 29),
    (2022, 1, 30),
    (2022, 4, 2),
    (2022, 4, 24),
    (2022, 5, 7),
    (2022, 10, 8),
    (2022, 10, 9),
    // 2023
    (2023, 1, 28),
    (2023, 1, 29),
    (2023, 4, 23),
    (2023, 5, 6),
    (2023, 6, 25),
    (2023, 10, 7),
    (2023, 10, 8),
    // 2024
    (2024, 2, 4),
    (2024, 2, 18),
    (2024, 4, 7),
    (2024, 4, 28),
    (2024, 5, 11),
    (2024, 9, 14),
    (2024, 9, 29),
    (2024, 10, 12),
    // 2025
    (2025, 1, 26),
    (2025, 2, 8),
    (2025, 4, 27),
    (2025, 9, 28),
    (2025, 10, 11),
    // 2026
    (2026, 1, 4),
    (2026, 2, 14),
    (2026, 2, 28),
    (2026, 5, 9),
    (2026, 9, 20),
    (2026, 10, 10),
];

/// The first and last year the table covers.
pub const CHINA_YEARS: (i32, i32) = (2021, 2027);

fn dates(table: &[(i32, u32, u32)]) -> impl Iterator<Item = NaiveDate> + '_ {
    table
        .iter()
        .filter_map(|(y, m, d)| NaiveDate::from_ymd_opt(*y, *m, *d))
}

impl WorkingDays {
    /// The working-day calendar of mainland China for 2021–2027 (the table above).
    #[must_use]
    pub fn china() -> Self {
        Self {
            holidays: dates(HOLIDAYS).collect(),
            makeup_days: dates(MAKEUP_DAYS).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, Weekday};

    use super::*;

    #[test]
    fn d3_every_row_is_a_real_date_holidays_on_weekdays_makeup_days_on_weekends() {
        assert_eq!(dates(HOLIDAYS).count(), HOLIDAYS.len());
        assert_eq!(dates(MAKEUP_DAYS).count(), MAKEUP_DAYS.len());
        let weekend = |d: NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        for d in dates(HOLIDAYS) {
            assert!(!weekend(d), "holiday {d} is a weekday");
            assert!((CHINA_YEARS.0..=CHINA_YEARS.1).contains(&d.year()));
        }
        for d in dates(MAKEUP_DAYS) {
            assert!(weekend(d), "make-up day {d} is a weekend day");
        }
    }

    #[test]
    fn d3_publication_days_follow_the_holidays() {
        let wd = WorkingDays::china();
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        // Q3 2024 ends Mon 30 Sep; 1–7 Oct are off: the next working day is Tue 8 Oct.
        assert_eq!(
            wd.first_working_day_after(day("2024-09-30")),
            day("2024-10-08")
        );
        // 2021-12-31 (Fri) → Tue 4 Jan 2022 (3 Jan is the New Year holiday).
        assert_eq!(
            wd.first_working_day_after(day("2021-12-31")),
            day("2022-01-04")
        );
        // A make-up Sunday is worked: 2026-01-03 (Sat, off) → Sun 4 Jan.
        assert_eq!(
            wd.first_working_day_after(day("2026-01-03")),
            day("2026-01-04")
        );
    }
}
