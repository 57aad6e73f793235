#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn s3_median_is_the_middle_or_the_mean_of_the_two_middles() {
    assert_eq!(median(&[]), None);
    assert_eq!(median(&[5.0]), Some(5.0));
    assert_eq!(median(&[9.0, 1.0, 5.0]), Some(5.0));
    assert_eq!(median(&[4.0, 1.0, 10.0, 2.0]), Some(3.0));
}

#[test]
fn s3_p90_is_the_nearest_rank_value() {
    let ten: Vec<f64> = (1..=10).map(f64::from).collect();
    assert_eq!(percentile_nearest_rank(&ten, 90), Some(9.0)); // rank ⌈9⌉ = 9
    let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
    assert_eq!(percentile_nearest_rank(&eleven, 90), Some(10.0)); // rank ⌈9.9⌉ = 10
    assert_eq!(percentile_nearest_rank(&[3.0], 90), Some(3.0));
    assert_eq!(percentile_nearest_rank(&[2.0, 50.0], 90), Some(50.0));
    assert_eq!(percentile_nearest_rank(&[], 90), None);
    assert_eq!(percentile_nearest_rank(&[1.0], 0), None);
}

#[test]
fn s4_gini_by_hand() {
    assert_eq!(gini(&[]), None);
    assert_eq!(gini(&[0, 0]), Some(0.0));
    assert_eq!(gini(&[10, 10, 10, 10]), Some(0.0));
    // One of four holds everything: (2·4 − 5)·40 / (4·40) = 3/4.
    assert!(close(gini(&[0, 0, 0, 40]), 0.75));
    // 10, 20, 30, 40: Σ(2i−5)xᵢ = −30 −20 +30 +120 = 100; 100 / (4·100) = 0.25.
    assert!(close(gini(&[40, 10, 30, 20]), 0.25));
    // A negative score counts as 0.
    assert_eq!(gini(&[-20, 0, 0, 40]), gini(&[0, 0, 0, 40]));
}

#[test]
fn s4_surge_needs_the_minimum_and_three_times_the_pace() {
    // 28-day window, 308 earlier days, 110 points earlier: pace 10 per 28 days.
    assert!(is_surge(30, 28, 110, 308, 20, 3)); // 30·308 = 9240 ≥ 3·110·28 = 9240
    assert!(!is_surge(29, 28, 110, 308, 20, 3));
    assert!(!is_surge(19, 28, 0, 308, 20, 3)); // below the minimum
    assert!(is_surge(20, 28, -40, 308, 20, 3)); // nothing (or less) before
    assert!(is_surge(20, 28, 500, 0, 20, 3)); // no earlier part of the year
}

#[test]
fn s4_surname_knows_compound_surnames() {
    assert_eq!(surname("王光明"), "王");
    assert_eq!(surname("欧阳修"), "欧阳");
    assert_eq!(surname(" 周素琼"), "周");
    assert_eq!(surname(""), "");
}

#[test]
fn s3_age_bands_count_the_calendar_year() {
    assert_eq!(AgeBand::of(Some(2009), 2026), AgeBand::Under18); // 17
    assert_eq!(AgeBand::of(Some(2008), 2026), AgeBand::From18To44); // 18
    assert_eq!(AgeBand::of(Some(1967), 2026), AgeBand::From45To59); // 59
    assert_eq!(AgeBand::of(Some(1966), 2026), AgeBand::From60To69); // 60
    assert_eq!(AgeBand::of(Some(1956), 2026), AgeBand::From70); // 70
    assert_eq!(AgeBand::of(None, 2026), AgeBand::Unknown);
}

fn member(
    id: i64,
    household: i64,
    name: &str,
    born: i32,
    absent: bool,
    inside: bool,
) -> MemberFact {
    MemberFact {
        id,
        household,
        name: name.into(),
        birth_year: Some(born),
        kind: ResidentKind::Villager,
        long_term_absent: absent,
        participating: inside,
    }
}

fn entry(household: i64, member: i64, kind: EntryKind, amount: i64, on: NaiveDate) -> EntryFact {
    let negative = kind == EntryKind::Penalty;
    EntryFact {
        household,
        member: Some(member),
        kind,
        amount,
        item_code: Some(if negative { "ML-07" } else { "ML-02" }.into()),
        item_title: Some(
            if negative {
                "乱堆乱放"
            } else {
                "庭院整洁"
            }
            .into(),
        ),
        category: Some("美丽建设".into()),
        direction: Some(if negative {
            Direction::Negative
        } else {
            Direction::Positive
        }),
        occurred_on: on,
        actor: Some(7),
        from_declaration: false,
    }
}

fn at(m: u32, d: u32, h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap()
}

fn declaration(id: i64, household: i64, member: i64, state: DeclarationState) -> DeclarationFact {
    DeclarationFact {
        id,
        household,
        member,
        state,
        submitted_at: at(4, 1, 2),
        review_deadline: day(4, 8),
        decided_at: None,
        decided_on: None,
        decider: None,
        points: None,
    }
}

/// Three households in two groups; the reviewer (account 7, 王光明) lives in household 1.
fn fixture() -> VillageFacts {
    let decided = |id, household, member, state, hours: u32, points| {
        let mut d = declaration(id, household, member, state);
        let when = d.submitted_at + chrono::Duration::hours(i64::from(hours));
        d.decided_at = Some(when);
        d.decided_on = Some(crate::calendar::business_date(when));
        d.decider = Some(7);
        d.points = points;
        d
    };
    VillageFacts {
        groups: vec![(1, "一组".into()), (2, "二组".into())],
        households: vec![
            HouseholdFact {
                id: 1,
                code: "h1".into(),
                group: Some(1),
            },
            HouseholdFact {
                id: 2,
                code: "h2".into(),
                group: Some(1),
            },
            HouseholdFact {
                id: 3,
                code: "h3".into(),
                group: Some(2),
            },
        ],
        members: vec![
            member(11, 1, "王光明", 1970, false, true),
            member(21, 2, "王强", 1950, false, true),
            member(22, 2, "李芳", 1990, true, false),
            member(31, 3, "张三", 1960, true, false),
        ],
        entries: vec![
            entry(2, 21, EntryKind::Award, 10, day(4, 2)),
            entry(3, 31, EntryKind::Penalty, -5, day(4, 3)),
            entry(3, 31, EntryKind::Penalty, -5, day(5, 3)),
            entry(2, 21, EntryKind::Award, 30, day(6, 20)),
            entry(2, 21, EntryKind::Award, 8, day(1, 10)), // before the quarter
        ],
        declarations: vec![
            decided(1, 2, 21, DeclarationState::Approved, 10, Some(6)),
            decided(2, 3, 31, DeclarationState::Rejected, 200, None),
            decided(3, 2, 22, DeclarationState::Approved, 30, Some(4)),
            declaration(4, 3, 31, DeclarationState::InReview),
            declaration(5, 2, 21, DeclarationState::Withdrawn),
        ],
        orders: vec![
            OrderFact {
                state: OrderState::Delivered,
                total: 16,
                placed_on: day(4, 5),
                due_on: day(4, 7),
                delivered_on: Some(day(4, 9)),
            },
            OrderFact {
                state: OrderState::Placed,
                total: 30,
                placed_on: day(6, 1),
                due_on: day(6, 8),
                delivered_on: None,
            },
            OrderFact {
                state: OrderState::Cancelled,
                total: 5,
                placed_on: day(6, 2),
                due_on: day(6, 4),
                delivered_on: None,
            },
        ],
        objections: vec![ObjectionFact {
            state: ObjectionState::Upheld,
            filed_on: day(4, 12),
        }],
        reviewers: vec![ReviewerFact {
            account: 7,
            name: "王光明".into(),
            household: Some(1),
        }],
    }
}

fn q2() -> Period {
    Period {
        label: "2026-Q2".into(),
        from: day(4, 1),
        to: day(6, 30),
        age_year: 2026,
    }
}

#[test]
fn s3_village_statistics_by_hand() {
    let s = VillageStatistics::compute(&fixture(), &q2(), day(7, 1));
    let p = &s.participation;
    // Households 1 and 2 take part (a member each); 3 does not.
    assert_eq!((p.households, p.households_in, p.households_out), (3, 2, 1));
    assert_eq!((p.members, p.members_in), (4, 2));
    // Declarations name members 21, 31, 22 (and 21 again): 3 declarants.
    assert_eq!(p.declarants, 3);
    // Households 2 and 3 declared or were awarded in the quarter.
    assert_eq!(p.active_households, 2);
    assert_eq!(p.by_group[0].label, "一组");
    assert_eq!(
        (
            p.by_group[0].households,
            p.by_group[0].households_in,
            p.by_group[0].members,
            p.by_group[0].declarants
        ),
        (2, 2, 3, 2)
    );
    // Ages in 2026: 56, 76, 36, 66.
    let band = |l: &str| p.by_age.iter().find(|r| r.label == l).unwrap().members;
    assert_eq!(
        (
            band("45–59岁"),
            band("70岁及以上"),
            band("18–44岁"),
            band("60–69岁")
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(p.by_kind[1].label, "本村村民（长期在外）");
    assert_eq!((p.by_kind[1].members, p.by_kind[1].members_in), (2, 0));

    assert_eq!(
        s.points_by_category,
        vec![
            CategoryRow {
                category: "美丽建设".into(),
                list: "正面清单".into(),
                entries: 2,
                points: 40
            },
            CategoryRow {
                category: "美丽建设".into(),
                list: "负面清单".into(),
                entries: 2,
                points: -10
            },
        ]
    );
    assert_eq!(
        s.negative_items,
        vec![NegativeItemRow {
            code: "ML-07".into(),
            title: "乱堆乱放".into(),
            entries: 2,
            points: -10,
            households: 1
        }]
    );
    let states: Vec<u64> = s.declarations_by_state.iter().map(|(_, n)| *n).collect();
    assert_eq!(states, vec![0, 1, 2, 1, 1]);
    // Latencies 10, 30, 200 hours: median 30, p90 rank ⌈2.7⌉ = 3 → 200.
    assert_eq!((s.latency.decided, s.latency.pending), (3, 1));
    assert_eq!(
        (s.latency.median_hours, s.latency.p90_hours),
        (Some(30.0), Some(200.0))
    );
    // Decided on 9 April (200 h after 1 April 10:00 Shanghai) > deadline 8 April; the pending one
    // is past its deadline on 1 July.
    assert_eq!(
        (s.latency.overdue_decided, s.latency.overdue_pending),
        (1, 1)
    );
    assert_eq!(
        s.orders,
        Orders {
            placed: 3,
            delivered: 1,
            cancelled: 1,
            open: 1,
            points_redeemed: 46,
            overdue_open: 1,
            delivered_late: 1
        }
    );
    assert_eq!(s.objections_by_state[1], (ObjectionState::Upheld, 1));
}

#[test]
fn s4_fairness_by_hand() {
    let f = FairnessSignals::compute(&fixture(), &q2(), day(1, 1));
    let r = &f.reviewers[0];
    assert_eq!(
        (r.approved, r.rejected, r.direct_awards, r.direct_penalties),
        (2, 1, 2, 2)
    );
    // 6 + 4 approved, 10 + 30 direct awards.
    assert_eq!(r.points_granted, 50);
    assert_eq!(r.mean_points_per_approval, Some(5.0));
    assert!(close(r.rejection_rate, 1.0 / 3.0));
    // Grants: declarations 1 (h2, 王强) and 3 (h2, 李芳), awards to h2 (王强) twice: all in group 1,
    // three to a 王.
    assert_eq!((r.grants, r.own_group, r.same_surname), (4, 4, 3));
    assert_eq!(
        (
            f.negatives.negative_entries,
            f.negatives.households_with_negatives,
            f.negatives.top_entries
        ),
        (2, 1, 2)
    );
    assert_eq!(f.negatives.top_share, Some(1.0));
    // Year scores of the participating households 1 and 2: 0 and 48 → Gini (−1·0 + 1·48)/(2·48) = 0.5.
    assert_eq!(
        (f.spread.households, f.spread.sum, f.spread.max),
        (2, 48, 48)
    );
    assert!(close(f.spread.gini, 0.5));
    // Window 3–30 June: h2 has 30 there, 18 over the 153 days before (1 Jan – 2 June):
    // 30·153 = 4590 ≥ 3·18·28 = 1512.
    assert_eq!(f.surges.len(), 1);
    assert_eq!(
        (
            f.surges[0].window_points,
            f.surges[0].earlier_points,
            f.surges[0].earlier_days
        ),
        (30, 18, 153)
    );
    // Elders: 王强 (76, in, active) and 张三 (66, out); others: 王光明 (in, not active), 李芳 (out).
    let elders = &f.gaps[0];
    assert_eq!(
        (elders.members, elders.members_in, elders.active),
        (2, 1, 1)
    );
    assert_eq!(
        (elders.participation_rate, elders.active_rate),
        (Some(0.5), Some(1.0))
    );
    assert_eq!(
        (elders.others_participation_rate, elders.others_active_rate),
        (Some(0.5), Some(0.0))
    );
    let absent = &f.gaps[1];
    assert_eq!(
        (absent.members, absent.members_in, absent.participation_rate),
        (2, 0, Some(0.0))
    );
    assert_eq!(absent.others_participation_rate, Some(1.0));
}

mod properties {
    use proptest::prelude::*;

    use super::super::*;

    proptest! {
        #[test]
        fn s4_gini_is_between_0_and_1_and_ignores_order_and_scale(
            mut values in prop::collection::vec(0i64..1000, 1..40),
            k in 1i64..5,
        ) {
            let g = gini(&values).unwrap();
            prop_assert!((0.0..1.0).contains(&g));
            let scaled: Vec<i64> = values.iter().map(|v| v * k).collect();
            prop_assert!((gini(&scaled).unwrap() - g).abs() < 1e-9);
            values.reverse();
            prop_assert!((gini(&values).unwrap() - g).abs() < 1e-9);
            // The mean absolute difference form gives the same figure.
            let n = values.len() as f64;
            let sum: i64 = values.iter().sum();
            if sum > 0 {
                let diff: i64 = values.iter().flat_map(|a| values.iter().map(move |b| (a - b).abs())).sum();
                prop_assert!((diff as f64 / (2.0 * n * sum as f64) - g).abs() < 1e-9);
            }
        }

        #[test]
        fn s3_median_and_p90_lie_among_the_values(values in prop::collection::vec(0u32..10_000, 1..60)) {
            let v: Vec<f64> = values.iter().map(|x| f64::from(*x)).collect();
            let min = v.iter().copied().fold(f64::INFINITY, f64::min);
            let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let m = median(&v).unwrap();
            prop_assert!(min <= m && m <= max);
            let p = percentile_nearest_rank(&v, 90).unwrap();
            prop_assert!(v.contains(&p));
            let at_or_below = v.iter().filter(|x| **x <= p).count();
            prop_assert!(at_or_below * 100 >= 90 * v.len());
            let below = v.iter().filter(|x| **x < p).count();
            prop_assert!(below * 100 < 90 * v.len());
        }
    }
}
