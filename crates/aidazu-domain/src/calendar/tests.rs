use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn q(y: i32, i: u32) -> Quarter {
    Quarter::new(y, i).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn r15_business_date_is_shanghai() {
    // 16:00 UTC on 31 Dec is already 1 Jan in Shanghai (UTC+8).
    assert_eq!(business_date(utc("2025-12-31T16:00:00Z")), day(2026, 1, 1));
    assert_eq!(
        business_date(utc("2025-12-31T15:59:59Z")),
        day(2025, 12, 31)
    );
}

#[test]
fn r16_publication_instant_is_09_00_shanghai() {
    let at = shanghai_instant(day(2026, 1, 5), NaiveTime::from_hms_opt(9, 0, 0).unwrap());
    assert_eq!(at, utc("2026-01-05T01:00:00Z"));
}

#[test]
fn r14_calendar_year_by_default() {
    let cal = PointsYearConfig::default();
    assert_eq!(cal.points_year_of(day(2025, 1, 1)), PointsYear(2025));
    assert_eq!(cal.points_year_of(day(2025, 12, 31)), PointsYear(2025));
    assert_eq!(cal.quarter_of(day(2025, 3, 31)), q(2025, 1));
    assert_eq!(cal.quarter_of(day(2025, 4, 1)), q(2025, 2));
    assert_eq!(cal.quarter_last_day(q(2025, 4)), day(2025, 12, 31));
}

#[test]
fn r14_pilot_year_runs_september_to_august() {
    let cal = PointsYearConfig::new(9).unwrap();
    assert_eq!(cal.points_year_of(day(2021, 9, 1)), PointsYear(2021));
    assert_eq!(cal.points_year_of(day(2022, 8, 31)), PointsYear(2021));
    assert_eq!(cal.points_year_of(day(2021, 8, 31)), PointsYear(2020));
    assert_eq!(cal.year_first_day(PointsYear(2021)), day(2021, 9, 1));
    assert_eq!(cal.year_last_day(PointsYear(2021)), day(2022, 8, 31));
    assert_eq!(cal.quarter_of(day(2021, 12, 1)), q(2021, 2));
    assert_eq!(cal.quarter_of(day(2022, 2, 28)), q(2021, 2));
    assert_eq!(cal.quarter_first_day(q(2021, 4)), day(2022, 6, 1));
    assert_eq!(cal.quarter_last_day(q(2021, 2)), day(2022, 2, 28));
}

#[test]
fn r14_leap_year_quarter_end() {
    let cal = PointsYearConfig::new(12).unwrap();
    // Year 2023 starting December: Q1 = Dec 2023 – Feb 2024 (leap).
    assert_eq!(cal.quarter_last_day(q(2023, 1)), day(2024, 2, 29));
}

#[test]
fn d4_year_close_is_end_of_first_month_after_the_year() {
    assert_eq!(
        PointsYearConfig::default().year_close_date(PointsYear(2025)),
        day(2026, 1, 31)
    );
    let pilot = PointsYearConfig::new(9).unwrap();
    assert_eq!(pilot.year_close_date(PointsYear(2021)), day(2022, 9, 30));
    let feb = PointsYearConfig::new(2).unwrap();
    assert_eq!(feb.year_close_date(PointsYear(2023)), day(2024, 2, 29));
}

#[test]
fn start_month_must_be_1_to_12() {
    assert_eq!(
        PointsYearConfig::new(0),
        Err(DomainError::InvalidStartMonth { month: 0 })
    );
    assert!(PointsYearConfig::new(13).is_err());
    assert!(serde_json::from_str::<PointsYearConfig>(r#"{"start_month":13}"#).is_err());
    let cfg: PointsYearConfig = serde_json::from_str(r#"{"start_month":9}"#).unwrap();
    assert_eq!(cfg.start_month(), 9);
}

#[test]
fn quarter_navigation_and_labels() {
    assert_eq!(q(2025, 4).next(), q(2026, 1));
    assert_eq!(q(2026, 1).prev(), q(2025, 4));
    assert_eq!(q(2025, 2).to_string(), "2025-Q2");
    assert_eq!("2025-Q2".parse::<Quarter>().unwrap(), q(2025, 2));
    assert_eq!("2025Q4".parse::<Quarter>().unwrap(), q(2025, 4));
    assert!("2025-Q5".parse::<Quarter>().is_err());
    assert!("Q1".parse::<Quarter>().is_err());
    assert!(Quarter::new(2025, 0).is_err());
    assert!(serde_json::from_str::<Quarter>(r#"{"year":2025,"index":5}"#).is_err());
    assert!(q(2025, 4) < q(2026, 1));
}

#[test]
fn d3_publication_on_first_working_day_after_quarter_end() {
    let cal = PointsYearConfig::default();
    // 2025-03-31 is a Monday: publish Tuesday 1 April.
    assert_eq!(
        cal.publication_date(q(2025, 1), &WorkingDays::default()),
        day(2025, 4, 1)
    );
    // 2025-12-31 is a Wednesday; 1 January is a holiday: publish Friday 2 January 2026.
    let holidays = WorkingDays::with_holidays([day(2026, 1, 1)]);
    assert_eq!(cal.publication_date(q(2025, 4), &holidays), day(2026, 1, 2));
    // 2025-06-30 is a Monday; a week of holidays pushes it to the Monday after.
    let week = WorkingDays::with_holidays((1..=4).map(|d| day(2025, 7, d)));
    assert_eq!(cal.publication_date(q(2025, 2), &week), day(2025, 7, 7));
}

#[test]
fn d3_weekends_and_makeup_days() {
    let mut wd = WorkingDays::default();
    // Friday 2025-09-26 → next working day Monday 29th.
    assert_eq!(
        wd.first_working_day_after(day(2025, 9, 26)),
        day(2025, 9, 29)
    );
    // A make-up Sunday (调休) counts.
    wd.makeup_days.insert(day(2025, 9, 28));
    assert_eq!(
        wd.first_working_day_after(day(2025, 9, 26)),
        day(2025, 9, 28)
    );
    // 5 working days after Monday 2025-09-29 with 1–3 Oct holidays.
    let wd = WorkingDays::with_holidays([day(2025, 10, 1), day(2025, 10, 2), day(2025, 10, 3)]);
    assert_eq!(wd.add_working_days(day(2025, 9, 29), 5), day(2025, 10, 9));
    assert_eq!(wd.add_working_days(day(2025, 9, 29), 0), day(2025, 9, 29));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (1900i32..2200, 1u32..=366).prop_map(|(y, ord)| {
            NaiveDate::from_yo_opt(y, ord)
                .or_else(|| NaiveDate::from_yo_opt(y, 365))
                .unwrap()
        })
    }

    proptest! {
        #[test]
        fn quarter_contains_its_date(date in any_date(), start in 1u32..=12) {
            let cal = PointsYearConfig::new(start).unwrap();
            let quarter = cal.quarter_of(date);
            prop_assert!(cal.quarter_first_day(quarter) <= date);
            prop_assert!(date <= cal.quarter_last_day(quarter));
            prop_assert_eq!(quarter.points_year(), cal.points_year_of(date));
            prop_assert!(cal.contains(cal.points_year_of(date), date));
        }

        #[test]
        fn quarters_tile_the_timeline(date in any_date(), start in 1u32..=12) {
            let cal = PointsYearConfig::new(start).unwrap();
            let quarter = cal.quarter_of(date);
            let next_first = cal.quarter_first_day(quarter.next());
            prop_assert_eq!(cal.quarter_last_day(quarter).succ_opt(), Some(next_first));
            prop_assert_eq!(cal.quarter_of(next_first), quarter.next());
            prop_assert_eq!(quarter.next().prev(), quarter);
            prop_assert_eq!(cal.quarter_first_day(quarter).day(), 1);
            let first = cal.quarter_first_day(quarter);
            prop_assert_eq!(cal.quarter_of(first), quarter);
        }

        #[test]
        fn years_start_on_the_start_month_and_close_a_month_later(
            date in any_date(), start in 1u32..=12,
        ) {
            let cal = PointsYearConfig::new(start).unwrap();
            let year = cal.points_year_of(date);
            let first = cal.year_first_day(year);
            prop_assert_eq!((first.month(), first.day()), (start, 1));
            prop_assert_eq!(cal.quarter_first_day(year.quarters()[0]), first);
            prop_assert_eq!(cal.quarter_last_day(year.quarters()[3]), cal.year_last_day(year));
            let close = cal.year_close_date(year);
            prop_assert!(close > cal.year_last_day(year));
            prop_assert_eq!(cal.points_year_of(close), year.next());
            prop_assert_eq!(close.succ_opt().map(|d| d.day()), Some(1));
        }

        /// R14/D4: the booking-year rule. The deed's year while open, else the booking date's
        /// year; the entry's date always lies in the year chosen, and an award booked in time is
        /// never moved out of its deed's year.
        #[test]
        fn r14_d4_booking_year_is_the_deeds_while_open_else_the_bookings(
            deed in any_date(), lag in 0u32..800, start in 1u32..=12,
        ) {
            let cal = PointsYearConfig::new(start).unwrap();
            let booked = deed + chrono::Days::new(u64::from(lag));
            let year = cal.booking_year(deed, booked);
            let deed_year = cal.points_year_of(deed);
            if booked <= cal.year_close_date(deed_year) {
                prop_assert_eq!(year, deed_year);
                prop_assert_eq!(cal.booking_date(deed, booked), deed);
            } else {
                prop_assert_eq!(year, cal.points_year_of(booked));
                prop_assert!(year > deed_year);
                prop_assert_eq!(cal.booking_date(deed, booked), booked);
            }
            prop_assert!(cal.contains(year, cal.booking_date(deed, booked)));
        }

        #[test]
        fn quarter_label_round_trips(year in -5000i32..5000, index in 1u32..=4) {
            let quarter = Quarter::new(year, index).unwrap();
            prop_assert_eq!(quarter.to_string().parse::<Quarter>().unwrap(), quarter);
        }

        #[test]
        fn first_working_day_after_is_a_later_working_day(date in any_date()) {
            let wd = WorkingDays::with_holidays([date.succ_opt().unwrap()]);
            let next = wd.first_working_day_after(date);
            prop_assert!(next > date);
            prop_assert!(wd.is_working_day(next));
            let mut d = date.succ_opt().unwrap();
            while d < next {
                prop_assert!(!wd.is_working_day(d));
                d = d.succ_opt().unwrap();
            }
        }
    }
}

#[test]
fn r14_d4_late_approval_books_in_the_open_year_then_in_the_booking_year() {
    let cal = PointsYearConfig::default();
    // A December deed approved in January stays in its year (the close is 31 January).
    assert_eq!(
        cal.booking_year(day(2025, 12, 20), day(2026, 1, 31)),
        PointsYear(2025)
    );
    // Approved after the close: booked in the new year, dated at the booking.
    assert_eq!(
        cal.booking_year(day(2025, 12, 20), day(2026, 2, 1)),
        PointsYear(2026)
    );
    assert_eq!(
        cal.booking_date(day(2025, 12, 20), day(2026, 2, 1)),
        day(2026, 2, 1)
    );
}
