//! Fairness signals (issue 12, point 4): not verdicts, but figures that tell the town and the
//! district where to look. Definitions in plain words: `docs/statistics.md`.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::math::{AgeBand, gini, is_surge, ratio, surname};
use super::{MemberFact, Period, VillageFacts, count};
use crate::declaration::DeclarationState;
use crate::ledger::EntryKind;

/// How many households with the most negative entries are looked at.
pub const TOP_HOUSEHOLDS: usize = 3;
/// The window before the honours (the period's last four weeks).
pub const SURGE_WINDOW_DAYS: i64 = 28;
/// A surge needs at least this many points in the window.
pub const SURGE_MIN_POINTS: i64 = 20;
/// … and at least this many times the household's earlier pace.
pub const SURGE_FACTOR: i64 = 3;
/// Elders (老年人): aged this or more in the period's year.
pub const ELDER_AGE: i32 = 60;

/// One reviewer's decisions and scores beside the village's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewerRow {
    pub account: i64,
    pub name: String,
    /// Declarations (submitted in the period) this reviewer approved / rejected.
    pub approved: u64,
    pub rejected: u64,
    /// Direct awards and penalties this reviewer booked in the period (R10).
    pub direct_awards: u64,
    pub direct_penalties: u64,
    /// Points of the approved declarations and the direct awards.
    pub points_granted: i64,
    /// Mean points per approved declaration: this reviewer, and the whole village.
    pub mean_points_per_approval: Option<f64>,
    pub village_mean_points_per_approval: Option<f64>,
    /// Share of this reviewer's decisions that were refusals, and the village's.
    pub rejection_rate: Option<f64>,
    pub village_rejection_rate: Option<f64>,
    /// Approvals and direct awards (what adds points) …
    pub grants: u64,
    /// … of which to a household of the reviewer's own group …
    pub own_group: u64,
    /// … and to a member with the reviewer's surname.
    pub same_surname: u64,
}

/// How negative entries fall on households.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NegativeConcentration {
    pub negative_entries: u64,
    pub households_with_negatives: u64,
    pub households_in: u64,
    /// Entries on the [`TOP_HOUSEHOLDS`] households with the most.
    pub top_entries: u64,
    pub top_share: Option<f64>,
}

/// How unequal the year scores are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreSpread {
    /// Participating households counted (a household with no entry scores 0).
    pub households: u64,
    pub sum: i64,
    pub max: i64,
    pub gini: Option<f64>,
}

/// A household whose points rushed in just before the honours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurgeRow {
    pub household: i64,
    pub code: String,
    pub window_points: i64,
    pub earlier_points: i64,
    pub earlier_days: i64,
}

/// Participation of one kind of member beside everyone else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapRow {
    pub label: String,
    pub members: u64,
    pub members_in: u64,
    /// Participating members named on a declaration or an award in the period.
    pub active: u64,
    pub participation_rate: Option<f64>,
    pub active_rate: Option<f64>,
    pub others_participation_rate: Option<f64>,
    pub others_active_rate: Option<f64>,
}

/// The fairness signals of one village and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessSignals {
    pub reviewers: Vec<ReviewerRow>,
    pub negatives: NegativeConcentration,
    pub spread: ScoreSpread,
    pub surges: Vec<SurgeRow>,
    pub gaps: Vec<GapRow>,
}

impl FairnessSignals {
    /// The signals of `facts` for `period`; `year_from` is the first day of the points-year the
    /// period lies in (year scores and the earlier pace count from it).
    #[must_use]
    pub fn compute(facts: &VillageFacts, period: &Period, year_from: chrono::NaiveDate) -> Self {
        Self {
            reviewers: reviewers(facts, period),
            negatives: negatives(facts, period),
            spread: spread(facts, period, year_from),
            surges: surges(facts, period, year_from),
            gaps: gaps(facts, period),
        }
    }
}

fn reviewers(facts: &VillageFacts, period: &Period) -> Vec<ReviewerRow> {
    let group_of: HashMap<i64, Option<i64>> =
        facts.households.iter().map(|h| (h.id, h.group)).collect();
    let member_name: HashMap<i64, &str> = facts
        .members
        .iter()
        .map(|m| (m.id, m.name.as_str()))
        .collect();
    let decided = |s: DeclarationState| {
        facts
            .declarations
            .iter()
            .filter(move |d| d.state == s && d.decider.is_some())
    };
    let village_approved = count(decided(DeclarationState::Approved));
    let village_rejected = count(decided(DeclarationState::Rejected));
    let village_points: i64 = decided(DeclarationState::Approved)
        .filter_map(|d| d.points)
        .sum();
    #[allow(clippy::cast_precision_loss)] // points of a village
    let village_mean =
        (village_approved > 0).then(|| village_points as f64 / village_approved as f64);
    let village_rejection = ratio(village_rejected, village_approved + village_rejected);

    let mut rows = Vec::new();
    for r in &facts.reviewers {
        let own_group = r
            .household
            .and_then(|h| group_of.get(&h).copied().flatten());
        let own_surname = surname(&r.name);
        let mine = |s: DeclarationState| decided(s).filter(|d| d.decider == Some(r.account));
        let approved = count(mine(DeclarationState::Approved));
        let rejected = count(mine(DeclarationState::Rejected));
        let approved_points: i64 = mine(DeclarationState::Approved)
            .filter_map(|d| d.points)
            .sum();
        let direct: Vec<_> = facts
            .period_entries(period)
            .filter(|e| !e.from_declaration && e.actor == Some(r.account))
            .collect();
        let direct_awards: Vec<_> = direct
            .iter()
            .filter(|e| e.kind == EntryKind::Award)
            .collect();
        let direct_penalties = count(direct.iter().filter(|e| e.kind == EntryKind::Penalty));
        if approved + rejected + direct.len() as u64 == 0 {
            continue;
        }
        // What this reviewer granted: (household, member named).
        let grants: Vec<(i64, Option<i64>)> = mine(DeclarationState::Approved)
            .map(|d| (d.household, Some(d.member)))
            .chain(direct_awards.iter().map(|e| (e.household, e.member)))
            .collect();
        let in_own_group = grants
            .iter()
            .filter(|(h, _)| own_group.is_some() && group_of.get(h).copied().flatten() == own_group)
            .count();
        let same_surname = grants
            .iter()
            .filter(|(_, m)| {
                !own_surname.is_empty()
                    && m.and_then(|m| member_name.get(&m))
                        .is_some_and(|n| surname(n) == own_surname)
            })
            .count();
        #[allow(clippy::cast_precision_loss)] // points of a village
        let mean = (approved > 0).then(|| approved_points as f64 / approved as f64);
        rows.push(ReviewerRow {
            account: r.account,
            name: r.name.clone(),
            approved,
            rejected,
            direct_awards: count(direct_awards.iter()),
            direct_penalties,
            points_granted: approved_points
                .saturating_add(direct_awards.iter().map(|e| e.amount).sum::<i64>()),
            mean_points_per_approval: mean,
            village_mean_points_per_approval: village_mean,
            rejection_rate: ratio(rejected, approved + rejected),
            village_rejection_rate: village_rejection,
            grants: count(grants.iter()),
            own_group: count(0..in_own_group),
            same_surname: count(0..same_surname),
        });
    }
    rows
}

fn negatives(facts: &VillageFacts, period: &Period) -> NegativeConcentration {
    let mut per_household: BTreeMap<i64, u64> = BTreeMap::new();
    for e in facts
        .period_entries(period)
        .filter(|e| e.kind == EntryKind::Penalty)
    {
        *per_household.entry(e.household).or_default() += 1;
    }
    let mut counts: Vec<u64> = per_household.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = counts.iter().sum();
    let top: u64 = counts.iter().take(TOP_HOUSEHOLDS).sum();
    NegativeConcentration {
        negative_entries: total,
        households_with_negatives: count(counts.iter()),
        households_in: count(facts.participating_households().iter()),
        top_entries: top,
        top_share: ratio(top, total),
    }
}

fn year_scores(
    facts: &VillageFacts,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> BTreeMap<i64, i64> {
    let mut scores = BTreeMap::new();
    for e in facts
        .entries
        .iter()
        .filter(|e| e.kind.counts_toward_score() && from <= e.occurred_on && e.occurred_on <= to)
    {
        let s = scores.entry(e.household).or_insert(0i64);
        *s = s.saturating_add(e.amount);
    }
    scores
}

fn spread(facts: &VillageFacts, period: &Period, year_from: chrono::NaiveDate) -> ScoreSpread {
    let scores = year_scores(facts, year_from, period.to);
    let values: Vec<i64> = facts
        .participating_households()
        .iter()
        .map(|h| scores.get(h).copied().unwrap_or(0))
        .collect();
    ScoreSpread {
        households: count(values.iter()),
        sum: values.iter().sum(),
        max: values.iter().copied().max().unwrap_or(0),
        gini: gini(&values),
    }
}

fn surges(facts: &VillageFacts, period: &Period, year_from: chrono::NaiveDate) -> Vec<SurgeRow> {
    let window_from = period
        .to
        .checked_sub_days(chrono::Days::new(
            u64::try_from(SURGE_WINDOW_DAYS - 1).unwrap_or(0),
        ))
        .unwrap_or(period.to)
        .max(year_from);
    let earlier_to = window_from.pred_opt().unwrap_or(window_from);
    let earlier_days = (window_from - year_from).num_days();
    let window_days = (period.to - window_from).num_days() + 1;
    let window = year_scores(facts, window_from, period.to);
    let earlier = if earlier_days > 0 {
        year_scores(facts, year_from, earlier_to)
    } else {
        BTreeMap::new()
    };
    facts
        .households
        .iter()
        .filter_map(|h| {
            let w = window.get(&h.id).copied().unwrap_or(0);
            let e = earlier.get(&h.id).copied().unwrap_or(0);
            is_surge(
                w,
                window_days,
                e,
                earlier_days,
                SURGE_MIN_POINTS,
                SURGE_FACTOR,
            )
            .then(|| SurgeRow {
                household: h.id,
                code: h.code.clone(),
                window_points: w,
                earlier_points: e,
                earlier_days,
            })
        })
        .collect()
}

fn gaps(facts: &VillageFacts, period: &Period) -> Vec<GapRow> {
    let active = facts.active_members(period);
    let row = |label: &str, is: &dyn Fn(&MemberFact) -> bool| {
        let (group, others): (Vec<&MemberFact>, Vec<&MemberFact>) =
            facts.members.iter().partition(|m| is(m));
        let figures = |ms: &[&MemberFact]| {
            let members = count(ms.iter());
            let members_in = count(ms.iter().filter(|m| m.participating));
            let act = count(
                ms.iter()
                    .filter(|m| m.participating && active.contains(&m.id)),
            );
            (members, members_in, act)
        };
        let (members, members_in, act) = figures(&group);
        let (o_members, o_in, o_act) = figures(&others);
        GapRow {
            label: label.to_owned(),
            members,
            members_in,
            active: act,
            participation_rate: ratio(members_in, members),
            active_rate: ratio(act, members_in),
            others_participation_rate: ratio(o_in, o_members),
            others_active_rate: ratio(o_act, o_in),
        }
    };
    let year = period.age_year;
    vec![
        row(&format!("{ELDER_AGE}岁及以上老人"), &|m| {
            matches!(
                AgeBand::of(m.birth_year, year),
                AgeBand::From60To69 | AgeBand::From70
            )
        }),
        row("长期在外人员", &|m| m.long_term_absent),
    ]
}
