use super::*;
use crate::catalogue::ItemRef;
use crate::ids::{ItemCode, MemberId, ObjectionId, OrderId};

const HH: HouseholdId = HouseholdId(7);
const ACTOR: AccountId = AccountId(1);

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn ledger() -> HouseholdYearLedger {
    HouseholdYearLedger::new(HH, PointsYear(2025), PointsYearConfig::default())
}

fn entry(kind: EntryKind, amount: i64, source: EntrySource, when: &str) -> LedgerEntry {
    LedgerEntry {
        household: HH,
        member: Some(MemberId(70)),
        kind,
        amount: Points(amount),
        source,
        declaration: None,
        actor: ACTOR,
        occurred_at: at(when),
        reason: "测试".into(),
    }
}

fn item(code: &str) -> EntrySource {
    EntrySource::Item(ItemRef {
        code: ItemCode::parse(code).unwrap(),
        version: 1,
    })
}

fn award(points: i64, when: &str) -> LedgerEntry {
    entry(EntryKind::Award, points, item("PA-01"), when)
}

fn redeem(points: i64, order: i64) -> LedgerEntry {
    entry(
        EntryKind::Redeem,
        points,
        EntrySource::Order(OrderId(order)),
        "2025-06-01T02:00:00Z",
    )
}

fn refund(points: i64, order: i64) -> LedgerEntry {
    entry(
        EntryKind::Refund,
        points,
        EntrySource::Order(OrderId(order)),
        "2025-06-02T02:00:00Z",
    )
}

#[test]
fn r13_redeem_does_not_lower_score() {
    let mut l = ledger();
    l.append(award(30, "2025-03-01T02:00:00Z")).unwrap();
    l.append(entry(
        EntryKind::Penalty,
        -5,
        item("ML-06"),
        "2025-04-01T02:00:00Z",
    ))
    .unwrap();
    l.append(redeem(-20, 1)).unwrap();
    assert_eq!(l.score(), Points(25));
    assert_eq!(l.balance(), Points(5));
    assert_eq!(l.redeemed(), Points(20));
}

#[test]
fn r13_refund_restores_balance_not_score() {
    let mut l = ledger();
    l.append(award(30, "2025-03-01T02:00:00Z")).unwrap();
    l.append(redeem(-20, 1)).unwrap();
    l.append(refund(20, 1)).unwrap();
    assert_eq!(
        (l.score(), l.balance(), l.refunded()),
        (Points(30), Points(30), Points(20))
    );
}

#[test]
fn r13_redemption_never_takes_balance_below_zero() {
    let mut l = ledger();
    l.append(award(10, "2025-03-01T02:00:00Z")).unwrap();
    assert_eq!(
        l.append(redeem(-11, 1)).map(|_| ()),
        Err(DomainError::InsufficientBalance {
            balance: Points(10),
            requested: Points(-11),
        })
    );
    assert_eq!(l.entries().len(), 1, "a refused entry changes nothing");
    l.append(redeem(-10, 1)).unwrap();
    assert_eq!(l.balance(), Points::ZERO);
}

#[test]
fn r13_penalties_may_make_balance_negative_but_then_nothing_can_be_redeemed() {
    let mut l = ledger();
    l.append(entry(
        EntryKind::Penalty,
        -20,
        item("PA-06"),
        "2025-03-01T02:00:00Z",
    ))
    .unwrap();
    assert_eq!(l.balance(), Points(-20));
    assert!(l.append(redeem(-1, 1)).is_err());
}

#[test]
fn r12_refund_never_exceeds_what_the_order_redeemed() {
    let mut l = ledger();
    l.append(award(50, "2025-03-01T02:00:00Z")).unwrap();
    l.append(redeem(-20, 1)).unwrap();
    l.append(redeem(-10, 2)).unwrap();
    assert_eq!(
        l.append(refund(21, 1)).map(|_| ()),
        Err(DomainError::RefundExceedsRedeemed { order: OrderId(1) })
    );
    l.append(refund(15, 1)).unwrap();
    assert!(l.append(refund(6, 1)).is_err());
    assert!(l.append(refund(1, 3)).is_err(), "an order never redeemed");
    l.append(refund(5, 1)).unwrap();
}

#[test]
fn r12_sign_rules_per_kind() {
    let mut l = ledger();
    let cases = [
        entry(EntryKind::Award, -1, item("PA-01"), "2025-03-01T02:00:00Z"),
        entry(EntryKind::Award, 0, item("PA-01"), "2025-03-01T02:00:00Z"),
        entry(EntryKind::Penalty, 5, item("PA-06"), "2025-03-01T02:00:00Z"),
        entry(
            EntryKind::Correction,
            0,
            EntrySource::Objection(ObjectionId(1)),
            "2025-03-01T02:00:00Z",
        ),
        redeem(5, 1),
        refund(-5, 1),
    ];
    for e in cases {
        let kind = e.kind;
        assert!(
            matches!(l.append(e), Err(DomainError::LedgerWrongSign { .. })),
            "{kind} with wrong sign must be refused"
        );
    }
    assert!(l.entries().is_empty());
    for amount in [-3, 3] {
        l.append(entry(
            EntryKind::Correction,
            amount,
            EntrySource::Objection(ObjectionId(1)),
            "2025-03-01T02:00:00Z",
        ))
        .unwrap();
    }
    assert_eq!(l.score(), Points::ZERO);
}

#[test]
fn r12_every_entry_names_a_fitting_source() {
    let mut l = ledger();
    let bad = [
        entry(
            EntryKind::Award,
            3,
            EntrySource::Order(OrderId(1)),
            "2025-03-01T02:00:00Z",
        ),
        entry(
            EntryKind::Correction,
            3,
            item("PA-01"),
            "2025-03-01T02:00:00Z",
        ),
        entry(
            EntryKind::Redeem,
            -3,
            EntrySource::Objection(ObjectionId(1)),
            "2025-03-01T02:00:00Z",
        ),
        entry(
            EntryKind::YearClose,
            0,
            item("PA-01"),
            "2026-01-31T02:00:00Z",
        ),
    ];
    for e in bad {
        assert!(matches!(
            l.append(e),
            Err(DomainError::LedgerSourceMismatch { .. })
        ));
    }
}

#[test]
fn r12_entries_of_another_household_are_refused() {
    let mut l = ledger();
    let mut e = award(3, "2025-03-01T02:00:00Z");
    e.household = HouseholdId(8);
    assert!(matches!(
        l.append(e),
        Err(DomainError::LedgerWrongHousehold { .. })
    ));
}

#[test]
fn r14_awards_only_inside_the_points_year_spending_until_close() {
    let mut l = ledger();
    // 2024-12-31T16:00Z is 1 Jan 2025 in Shanghai: inside.
    l.append(award(10, "2024-12-31T16:00:00Z")).unwrap();
    assert_eq!(
        l.append(award(10, "2024-12-31T15:59:00Z")).map(|_| ()),
        Err(DomainError::LedgerOutsideYear)
    );
    assert!(l.append(award(10, "2026-01-05T02:00:00Z")).is_err());
    // Spending and corrections in January of the next year still land in this year (D4).
    let mut spend = redeem(-5, 1);
    spend.occurred_at = at("2026-01-20T02:00:00Z");
    l.append(spend).unwrap();
    let mut late = redeem(-1, 2);
    late.occurred_at = at("2026-02-01T02:00:00Z");
    assert_eq!(
        l.append(late).map(|_| ()),
        Err(DomainError::LedgerOutsideYear)
    );
}

#[test]
fn r14_year_close_zeroes_balance_keeps_score_and_freezes() {
    let mut l = ledger();
    l.append(award(40, "2025-03-01T02:00:00Z")).unwrap();
    l.append(redeem(-15, 1)).unwrap();
    let wrong = entry(
        EntryKind::YearClose,
        -40,
        EntrySource::YearClose,
        "2026-01-31T02:00:00Z",
    );
    assert_eq!(
        l.append(wrong).map(|_| ()),
        Err(DomainError::YearCloseMismatch {
            expected: Points(-25)
        })
    );
    let close = l.year_close_entry(ACTOR, at("2026-01-31T02:00:00Z"), "次年清零");
    assert_eq!((close.amount, close.member), (Points(-25), None));
    l.append(close).unwrap();
    assert!(l.is_closed());
    assert_eq!((l.score(), l.balance()), (Points(40), Points::ZERO));
    assert_eq!(
        l.append(refund(5, 1)).map(|_| ()),
        Err(DomainError::LedgerYearClosed)
    );
}

#[test]
fn r16_quarter_points_count_score_entries_of_that_quarter() {
    let mut l = ledger();
    l.append(award(10, "2025-03-31T15:59:00Z")).unwrap(); // 31 Mar 23:59 Shanghai → Q1
    l.append(award(7, "2025-03-31T16:00:00Z")).unwrap(); // 1 Apr 00:00 Shanghai → Q2
    l.append(redeem(-5, 1)).unwrap();
    let q = |i| Quarter::new(2025, i).unwrap();
    assert_eq!(l.quarter_points(q(1)), Points(10));
    assert_eq!(l.quarter_points(q(2)), Points(7));
    assert_eq!(l.quarter_points(q(3)), Points::ZERO);
}

#[test]
fn r12_rebuilding_from_stored_entries_rechecks_rules() {
    let ok = [award(10, "2025-03-01T02:00:00Z"), redeem(-10, 1)];
    let l =
        HouseholdYearLedger::from_entries(HH, PointsYear(2025), PointsYearConfig::default(), ok)
            .unwrap();
    assert_eq!(l.balance(), Points::ZERO);
    let bad = [award(10, "2025-03-01T02:00:00Z"), redeem(-11, 1)];
    assert!(
        HouseholdYearLedger::from_entries(HH, PointsYear(2025), PointsYearConfig::default(), bad)
            .is_err()
    );
}

#[test]
fn entry_serde_shape() {
    let e = award(3, "2025-03-01T02:00:00Z");
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["kind"], "award");
    assert_eq!(json["source"]["item"]["code"], "PA-01");
    assert_eq!(serde_json::from_value::<LedgerEntry>(json).unwrap(), e);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Award(i64),
        Penalty(i64),
        Correction(i64),
        Redeem(i64, i64),
        Refund(i64, i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (-5i64..=30).prop_map(Op::Award),
            (-30i64..=5).prop_map(Op::Penalty),
            (-10i64..=10).prop_map(Op::Correction),
            (-40i64..=5, 1i64..=4).prop_map(|(a, o)| Op::Redeem(a, o)),
            (-5i64..=40, 1i64..=4).prop_map(|(a, o)| Op::Refund(a, o)),
        ]
    }

    fn to_entry(op: &Op) -> LedgerEntry {
        match *op {
            Op::Award(a) => award(a, "2025-05-01T02:00:00Z"),
            Op::Penalty(a) => entry(EntryKind::Penalty, a, item("ML-06"), "2025-05-01T02:00:00Z"),
            Op::Correction(a) => entry(
                EntryKind::Correction,
                a,
                EntrySource::Objection(ObjectionId(1)),
                "2025-05-01T02:00:00Z",
            ),
            Op::Redeem(a, o) => redeem(a, o),
            Op::Refund(a, o) => refund(a, o),
        }
    }

    fn sum(entries: &[LedgerEntry], pred: impl Fn(EntryKind) -> bool) -> i64 {
        entries
            .iter()
            .filter(|e| pred(e.kind))
            .map(|e| e.amount.get())
            .sum()
    }

    proptest! {
        #[test]
        fn r13_ledger_invariants_hold_for_any_op_sequence(ops in prop::collection::vec(op(), 0..60)) {
            let mut l = ledger();
            for op in &ops {
                let before = l.clone();
                let e = to_entry(op);
                let was_redeem = e.kind == EntryKind::Redeem;
                match l.append(e) {
                    Ok(_) => {
                        // A redemption never takes the balance below zero.
                        if was_redeem {
                            prop_assert!(!l.balance().is_negative());
                        }
                    }
                    // A refused op changes nothing.
                    Err(_) => prop_assert_eq!(&l, &before),
                }
                let entries = l.entries();
                // balance = sum of entries.
                prop_assert_eq!(l.balance().get(), sum(entries, |_| true));
                // score ignores redeem and refund.
                prop_assert_eq!(l.score().get(), sum(entries, EntryKind::counts_toward_score));
                prop_assert_eq!(l.redeemed().get(), -sum(entries, |k| k == EntryKind::Redeem));
                prop_assert_eq!(l.refunded().get(), sum(entries, |k| k == EntryKind::Refund));
                // refunds never exceed redemptions, per order and in total.
                prop_assert!(l.refunded() <= l.redeemed());
                for order in 1..=4 {
                    let of = |k: EntryKind| -> i64 {
                        entries.iter()
                            .filter(|e| e.kind == k && e.order() == Some(OrderId(order)))
                            .map(|e| e.amount.get())
                            .sum()
                    };
                    prop_assert!(of(EntryKind::Refund) <= -of(EntryKind::Redeem));
                }
            }
            // Closing always brings the balance to zero and keeps the score.
            let score = l.score();
            let close = l.year_close_entry(ACTOR, at("2026-01-31T02:00:00Z"), "清零");
            l.append(close).unwrap();
            prop_assert_eq!(l.balance(), Points::ZERO);
            prop_assert_eq!(l.score(), score);
            // Replaying the stored entries gives the same ledger.
            let replay = HouseholdYearLedger::from_entries(
                HH, PointsYear(2025), PointsYearConfig::default(), l.entries().to_vec(),
            ).unwrap();
            prop_assert_eq!(replay, l);
        }
    }
}

#[test]
fn r14_year_close_also_clears_a_negative_balance() {
    let mut l = ledger();
    l.append(entry(
        EntryKind::Penalty,
        -20,
        item("PA-06"),
        "2025-03-01T02:00:00Z",
    ))
    .unwrap();
    let close = l.year_close_entry(ACTOR, at("2026-01-31T02:00:00Z"), "次年清零");
    assert_eq!(close.amount, Points(20));
    l.append(close).unwrap();
    assert_eq!((l.score(), l.balance()), (Points(-20), Points::ZERO));
}
