//! The replay of a catalogue change (R7): what a quarter would have looked like under the
//! proposed values, beside what it was, computed from the recorded entries only.
//!
//! Each award or penalty booked in the quarter is scored again under the proposed item with the
//! same code:
//! - the item is gone (retired) → the entry would not exist;
//! - the proposed rule accepts the recorded amount → unchanged; otherwise a fixed rule gives its
//!   value and a range the recorded amount clamped into it;
//! - the proposed cap is applied in booking order, counting the household's earlier entries of
//!   the points-year as recorded (an entry beyond a count cap is dropped; a points cap trims the
//!   entry to what is left).
//!
//! Corrections, redemptions and refunds stay as recorded. Scores, ranks, the honours line and
//! the fund use the rules of their own modules ([`crate::board`], [`crate::honours`],
//! [`crate::shop::funds`]), never a copy of them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::board::rank_by_score;
use crate::calendar::{PointsYearConfig, Quarter, business_date};
use crate::honours::{AverageAssessment, Candidate, Exclusion};
use crate::ids::{HouseholdId, ItemCode, Points};
use crate::ledger::{CapRemaining, CapUsage, EntryKind, LedgerEntry};
use crate::shop::funds::{FundFigures, FundReport};

use super::{Cap, CatalogueVersion, PointsRule};

/// One household as the replay sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayHousehold {
    pub household: HouseholdId,
    /// Why it is left out of the honours population (D5), as the honours list decides it;
    /// `Some(NotParticipating)` also keeps it off the ranking (R3).
    pub exclusion: Option<Exclusion>,
    /// Its entries of the points-year booked up to the end of the quarter, in booking order.
    pub entries: Vec<LedgerEntry>,
}

/// What the replay is computed from.
#[derive(Debug, Clone)]
pub struct ReplayInput<'a> {
    pub quarter: Quarter,
    pub calendar: PointsYearConfig,
    /// The proposed catalogue.
    pub proposed: &'a CatalogueVersion,
    pub households: Vec<ReplayHousehold>,
    /// Money spent on purchases in the quarter (fen).
    pub money_spent_fen: i64,
    /// The fund's balance at the end of the quarter (fen).
    pub fund_balance_fen: i64,
    pub fen_per_point: i64,
}

/// One household, actual beside proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayLine {
    pub household: HouseholdId,
    pub participating: bool,
    /// Why the household is outside the honours population (D5), if it is.
    pub exclusion: Option<Exclusion>,
    /// Net score points booked in the quarter.
    pub actual_quarter_points: i64,
    pub proposed_quarter_points: i64,
    /// Year score at the end of the quarter.
    pub actual_score: i64,
    pub proposed_score: i64,
    /// Rank by year score among participating households (`None` when out of the scheme).
    pub actual_rank: Option<u32>,
    pub proposed_rank: Option<u32>,
    /// Above the honours line (D5) at the end of the quarter.
    pub actual_above_line: bool,
    pub proposed_above_line: bool,
}

/// The village's figures of one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayFigures {
    /// Households in the honours population and the sum of their year scores (D5).
    pub n: u32,
    pub sum: i64,
    /// The village average (D5 population), two decimals; `None` when nobody is in it.
    pub average: Option<String>,
    /// Households strictly above the average (R18).
    pub households_above_line: u32,
    /// Net score points booked in the quarter.
    pub points_issued: i64,
    /// Points still to be honoured and their worth against the fund (R20, D8).
    pub fund: FundReport,
}

/// The replay: every household, both sides' figures, and how many entries changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayReport {
    pub quarter: Quarter,
    pub lines: Vec<ReplayLine>,
    pub actual: ReplayFigures,
    pub proposed: ReplayFigures,
    /// Entries of the quarter whose amount would differ (dropped ones included).
    pub entries_changed: u32,
    /// Entries of the quarter that would not exist (retired item or cap reached).
    pub entries_dropped: u32,
}

/// What the proposed catalogue makes of a recorded amount (before caps).
fn rescore(rule: &PointsRule, recorded: Points) -> Points {
    if rule.accepts(recorded) {
        return recorded;
    }
    match *rule {
        PointsRule::Fixed(p) => p,
        PointsRule::Range { min, max, .. } => recorded.clamp(min, max),
    }
}

/// The amount allowed under `cap` after `usage`, or `None` when nothing is left.
fn within_cap(cap: Cap, usage: CapUsage, amount: Points) -> Option<Points> {
    match CapRemaining::of(cap, usage) {
        CapRemaining::Unlimited => Some(amount),
        CapRemaining::Times(0) => None,
        CapRemaining::Times(_) => Some(amount),
        CapRemaining::Points(left) => {
            let trimmed = if left.is_negative() {
                amount.max(left)
            } else {
                amount.min(left)
            };
            (!trimmed.is_zero() && trimmed.get().signum() == amount.get().signum())
                .then_some(trimmed)
        }
    }
}

/// A household with its exclusion and both sides' figures.
type Sides = (HouseholdId, Option<Exclusion>, Side, Side);

struct Side {
    quarter_points: i64,
    score: i64,
    balance: i64,
}

/// Replays one quarter under the proposed catalogue.
#[must_use]
pub fn replay(input: &ReplayInput<'_>) -> ReplayReport {
    let calendar = input.calendar;
    let in_quarter =
        |e: &LedgerEntry| calendar.quarter_of(business_date(e.occurred_at)) == input.quarter;
    let mut entries_changed = 0u32;
    let mut entries_dropped = 0u32;
    let mut redeemed_in_quarter = 0i64;
    let mut sides: Vec<Sides> = Vec::new();
    for h in &input.households {
        let mut actual = Side {
            quarter_points: 0,
            score: 0,
            balance: 0,
        };
        let mut proposed = Side {
            quarter_points: 0,
            score: 0,
            balance: 0,
        };
        // Proposed cap usage per item code: (quarter, year) counts as replayed so far.
        let mut usage: BTreeMap<ItemCode, (CapUsage, CapUsage)> = BTreeMap::new();
        for e in &h.entries {
            let date = business_date(e.occurred_at);
            let this_quarter = in_quarter(e);
            let same_year = calendar.points_year_of(date) == input.quarter.points_year();
            let amount = e.amount.get();
            actual.balance += amount;
            if e.kind.counts_toward_score() {
                actual.score += amount;
                if this_quarter {
                    actual.quarter_points += amount;
                }
            }
            if this_quarter && matches!(e.kind, EntryKind::Redeem | EntryKind::Refund) {
                redeemed_in_quarter -= amount;
            }
            let replayed = match (e.kind, e.item()) {
                (EntryKind::Award | EntryKind::Penalty, Some(item)) => {
                    let code = &item.code;
                    let slot = usage.entry(code.clone()).or_default();
                    if this_quarter {
                        let new = input.proposed.item(code).and_then(|proposed_item| {
                            let cap = proposed_item.cap();
                            let amount = rescore(proposed_item.points(), e.amount);
                            let period = match cap {
                                Cap::PerYear(_) => slot.1,
                                _ => slot.0,
                            };
                            within_cap(cap, period, amount)
                        });
                        if let Some(p) = new {
                            slot.0 = slot.0.with(p);
                            slot.1 = slot.1.with(p);
                        }
                        match new {
                            None => {
                                entries_dropped += 1;
                                entries_changed += 1;
                            }
                            Some(p) if p != e.amount => entries_changed += 1,
                            Some(_) => {}
                        }
                        new.map_or(0, Points::get)
                    } else {
                        if same_year {
                            slot.1 = slot.1.with(e.amount);
                        }
                        amount
                    }
                }
                _ => amount,
            };
            proposed.balance += replayed;
            if e.kind.counts_toward_score() {
                proposed.score += replayed;
                if this_quarter {
                    proposed.quarter_points += replayed;
                }
            }
        }
        sides.push((h.household, h.exclusion, actual, proposed));
    }

    let figures = |pick: &dyn Fn(&Sides) -> &Side| {
        let candidates: Vec<Candidate> = sides
            .iter()
            .map(|s| Candidate {
                household: s.0,
                score: Points(pick(s).score),
                exclusion: s.1,
            })
            .collect();
        let assessment = AverageAssessment::assess(&candidates).unwrap_or(AverageAssessment {
            n: 0,
            sum: Points::ZERO,
            eligible: Vec::new(),
            excluded: Vec::new(),
        });
        let ranked = rank_by_score(
            &sides
                .iter()
                .filter(|s| s.1 != Some(Exclusion::NotParticipating))
                .map(|s| (s.0, Points(pick(s).score)))
                .collect::<Vec<_>>(),
        );
        let points_issued: i64 = sides.iter().map(|s| pick(s).quarter_points).sum();
        let outstanding: i64 = sides.iter().map(|s| pick(s).balance.max(0)).sum();
        let fund = FundReport::compute(
            FundFigures {
                points_issued: Points(points_issued),
                points_redeemed: Points(redeemed_in_quarter),
                money_spent_fen: input.money_spent_fen,
                fund_balance_fen: input.fund_balance_fen,
                outstanding_points: Points(outstanding),
            },
            input.fen_per_point,
        );
        let summary = ReplayFigures {
            n: assessment.n,
            sum: assessment.sum.get(),
            average: assessment.mean_display(),
            households_above_line: u32::try_from(assessment.eligible.len()).unwrap_or(u32::MAX),
            points_issued,
            fund,
        };
        (summary, ranked, assessment.eligible)
    };
    let (actual, actual_ranks, actual_above) = figures(&|s| &s.2);
    let (proposed, proposed_ranks, proposed_above) = figures(&|s| &s.3);
    let rank_of = |ranks: &[crate::board::RankedHousehold], h: HouseholdId| {
        ranks.iter().find(|r| r.household == h).map(|r| r.rank)
    };
    let lines = sides
        .iter()
        .map(|(h, exclusion, a, p)| ReplayLine {
            household: *h,
            participating: *exclusion != Some(Exclusion::NotParticipating),
            exclusion: *exclusion,
            actual_quarter_points: a.quarter_points,
            proposed_quarter_points: p.quarter_points,
            actual_score: a.score,
            proposed_score: p.score,
            actual_rank: rank_of(&actual_ranks, *h),
            proposed_rank: rank_of(&proposed_ranks, *h),
            actual_above_line: actual_above.contains(h),
            proposed_above_line: proposed_above.contains(h),
        })
        .collect();
    ReplayReport {
        quarter: input.quarter,
        lines,
        actual,
        proposed,
        entries_changed,
        entries_dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::ItemRef;
    use crate::catalogue::{Catalogue, default_catalogue};
    use crate::ids::AccountId;
    use crate::ledger::EntrySource;
    use chrono::{NaiveDate, NaiveTime};

    fn q(y: i32, i: u32) -> Quarter {
        Quarter::new(y, i).unwrap()
    }

    fn entry(h: i64, code: &str, amount: i64, day: (i32, u32, u32)) -> LedgerEntry {
        LedgerEntry {
            household: HouseholdId(h),
            member: None,
            kind: if amount > 0 {
                EntryKind::Award
            } else {
                EntryKind::Penalty
            },
            amount: Points(amount),
            source: EntrySource::Item(ItemRef {
                code: ItemCode::parse(code).unwrap(),
                version: 1,
            }),
            declaration: None,
            actor: AccountId(1),
            occurred_at: crate::calendar::shanghai_instant(
                NaiveDate::from_ymd_opt(day.0, day.1, day.2).unwrap(),
                NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            ),
            reason: String::new(),
        }
    }

    fn proposed(changes: &[(&str, PointsRule, Option<Cap>)]) -> CatalogueVersion {
        let mut items = default_catalogue();
        for (code, points, cap) in changes {
            let at = items
                .iter()
                .position(|i| i.code().as_str() == *code)
                .unwrap();
            let mut spec = items[at].spec().clone();
            spec.points = *points;
            if let Some(cap) = cap {
                spec.cap = *cap;
            }
            items[at] = crate::catalogue::CatalogueItem::try_from(spec).unwrap();
        }
        let c = Catalogue::with_initial(items, q(2026, 4), "proposed").unwrap();
        c.versions()[0].clone()
    }

    fn household(h: i64, entries: Vec<LedgerEntry>) -> ReplayHousehold {
        ReplayHousehold {
            household: HouseholdId(h),
            exclusion: None,
            entries,
        }
    }

    #[test]
    fn r7_replay_rescores_the_quarter_and_keeps_earlier_quarters() {
        let cal = PointsYearConfig::default();
        let v = proposed(&[("ML-02", PointsRule::Fixed(Points(4)), None)]);
        let input = ReplayInput {
            quarter: q(2026, 3),
            calendar: cal,
            proposed: &v,
            households: vec![
                household(
                    1,
                    vec![
                        entry(1, "ML-02", 2, (2026, 5, 1)),
                        entry(1, "ML-02", 2, (2026, 7, 1)),
                        entry(1, "ML-02", 2, (2026, 8, 1)),
                    ],
                ),
                household(2, vec![entry(2, "PA-01", 3, (2026, 7, 3))]),
                household(3, vec![entry(3, "DE-04", 1, (2026, 7, 3))]),
            ],
            money_spent_fen: 0,
            fund_balance_fen: 10_000,
            fen_per_point: 100,
        };
        let r = replay(&input);
        assert_eq!(r.lines[0].actual_quarter_points, 4);
        assert_eq!(r.lines[0].proposed_quarter_points, 8);
        assert_eq!(r.lines[0].actual_score, 6);
        assert_eq!(r.lines[0].proposed_score, 10);
        assert_eq!(r.actual.points_issued, 8);
        assert_eq!(r.proposed.points_issued, 12);
        assert_eq!(r.entries_changed, 2);
        assert_eq!(r.entries_dropped, 0);
        // Scores 6, 3, 1: mean 10/3, only household 1 above; proposed 10, 3, 1 likewise.
        assert_eq!(r.actual.households_above_line, 1);
        assert_eq!(r.proposed.average.as_deref(), Some("4.67"));
        assert_eq!(r.lines[1].actual_rank, Some(2));
        assert_eq!(r.proposed.fund.liability_fen, 1400);
        assert_eq!(r.actual.fund.liability_fen, 1000);
    }

    #[test]
    fn r7_replay_drops_retired_items_and_applies_the_proposed_cap() {
        let cal = PointsYearConfig::default();
        let mut v_items: Vec<_> = default_catalogue()
            .into_iter()
            .filter(|i| i.code().as_str() != "PA-01")
            .collect();
        let at = v_items
            .iter()
            .position(|i| i.code().as_str() == "ML-02")
            .unwrap();
        let mut spec = v_items[at].spec().clone();
        spec.cap = Cap::PerQuarter(1);
        v_items[at] = crate::catalogue::CatalogueItem::try_from(spec).unwrap();
        let v = Catalogue::with_initial(v_items, q(2026, 4), "")
            .unwrap()
            .versions()[0]
            .clone();
        let input = ReplayInput {
            quarter: q(2026, 3),
            calendar: cal,
            proposed: &v,
            households: vec![household(
                1,
                vec![
                    entry(1, "PA-01", 3, (2026, 7, 1)),
                    entry(1, "ML-02", 2, (2026, 7, 2)),
                    entry(1, "ML-02", 2, (2026, 7, 3)),
                ],
            )],
            money_spent_fen: 0,
            fund_balance_fen: 0,
            fen_per_point: 100,
        };
        let r = replay(&input);
        assert_eq!(r.lines[0].actual_quarter_points, 7);
        assert_eq!(r.lines[0].proposed_quarter_points, 2);
        assert_eq!(r.entries_dropped, 2);
    }

    #[test]
    fn r7_replay_clamps_into_a_proposed_range() {
        assert_eq!(
            rescore(
                &PointsRule::Range {
                    min: Points(5),
                    max: Points(8),
                    suggested: Points(6)
                },
                Points(10)
            ),
            Points(8)
        );
        assert_eq!(rescore(&PointsRule::Fixed(Points(3)), Points(3)), Points(3));
    }
}
