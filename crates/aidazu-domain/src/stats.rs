//! Statistics and fairness signals for town and district officers (issue 12, points 3 and 4).
//!
//! Pure: the app loads a village's facts for a period ([`VillageFacts`]) and asks
//! [`VillageStatistics::compute`] and [`FairnessSignals::compute`]. The arithmetic they share
//! (median, nearest-rank percentile, Gini, shares, surges, age bands) is here once, with unit and
//! property tests. The definitions, in plain words, are in `docs/statistics.md`.

mod fairness;
mod math;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::catalogue::Direction;
use crate::declaration::DeclarationState;
use crate::ledger::EntryKind;
use crate::objection::ObjectionState;
use crate::org::ResidentKind;

pub use fairness::{
    ELDER_AGE, FairnessSignals, GapRow, NegativeConcentration, ReviewerRow, SURGE_FACTOR,
    SURGE_MIN_POINTS, SURGE_WINDOW_DAYS, ScoreSpread, SurgeRow, TOP_HOUSEHOLDS,
};
pub use math::{AgeBand, gini, is_surge, median, percentile_nearest_rank, ratio, surname};

/// The dates a report covers, both ends inclusive (a quarter or a points-year), and the label
/// shown (`2026`, `2026-Q2`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The calendar year ages are counted in (the year of `to`).
    pub age_year: i32,
}

impl Period {
    #[must_use]
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// A household of the village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdFact {
    pub id: i64,
    pub code: String,
    pub group: Option<i64>,
}

/// A member, with its participation on the period's last day (R3, computed by
/// `org::member_participates`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberFact {
    pub id: i64,
    pub household: i64,
    pub name: String,
    pub birth_year: Option<i32>,
    pub kind: ResidentKind,
    pub long_term_absent: bool,
    pub participating: bool,
}

/// A ledger entry of the period's points-year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryFact {
    pub household: i64,
    pub member: Option<i64>,
    pub kind: EntryKind,
    pub amount: i64,
    pub item_code: Option<String>,
    pub item_title: Option<String>,
    pub category: Option<String>,
    pub direction: Option<Direction>,
    pub occurred_on: NaiveDate,
    pub actor: Option<i64>,
    /// Booked by approving a declaration (the decision is counted there, not here).
    pub from_declaration: bool,
}

/// A declaration submitted in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationFact {
    pub id: i64,
    pub household: i64,
    pub member: i64,
    pub state: DeclarationState,
    pub submitted_at: DateTime<Utc>,
    pub review_deadline: NaiveDate,
    pub decided_at: Option<DateTime<Utc>>,
    /// Business date (Asia/Shanghai) of the decision.
    pub decided_on: Option<NaiveDate>,
    pub decider: Option<i64>,
    pub points: Option<i64>,
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    Placed,
    Delivered,
    Cancelled,
}

/// A shop order placed in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFact {
    pub state: OrderState,
    pub total: i64,
    pub placed_on: NaiveDate,
    pub due_on: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
}

/// An objection filed in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionFact {
    pub state: ObjectionState,
    pub filed_on: NaiveDate,
}

/// An account that decided or scored in the village, and the household of its member if bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewerFact {
    pub account: i64,
    pub name: String,
    pub household: Option<i64>,
}

/// Everything the statistics of one village and period are computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VillageFacts {
    /// Groups (id, name), in display order.
    pub groups: Vec<(i64, String)>,
    pub households: Vec<HouseholdFact>,
    pub members: Vec<MemberFact>,
    /// Entries of the points-year the period lies in (the period's own are filtered by date).
    pub entries: Vec<EntryFact>,
    pub declarations: Vec<DeclarationFact>,
    pub orders: Vec<OrderFact>,
    pub objections: Vec<ObjectionFact>,
    pub reviewers: Vec<ReviewerFact>,
}

impl VillageFacts {
    /// Households that take part on the period's last day: at least one member does (R3).
    #[must_use]
    pub fn participating_households(&self) -> BTreeSet<i64> {
        self.members
            .iter()
            .filter(|m| m.participating)
            .map(|m| m.household)
            .collect()
    }

    fn period_entries<'a>(&'a self, period: &'a Period) -> impl Iterator<Item = &'a EntryFact> {
        self.entries
            .iter()
            .filter(move |e| period.contains(e.occurred_on))
    }

    /// Members named on a declaration submitted in the period or on an award booked in it.
    fn active_members(&self, period: &Period) -> BTreeSet<i64> {
        self.declarations
            .iter()
            .map(|d| d.member)
            .chain(
                self.period_entries(period)
                    .filter(|e| e.kind == EntryKind::Award)
                    .filter_map(|e| e.member),
            )
            .collect()
    }
}

/// Counts for one slice of the members (a group, an age band, a resident kind).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipationRow {
    pub label: String,
    pub households: u64,
    pub households_in: u64,
    pub members: u64,
    pub members_in: u64,
    /// Members named on a declaration submitted in the period.
    pub declarants: u64,
}

/// Who takes part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    pub households: u64,
    pub households_in: u64,
    pub households_out: u64,
    pub members: u64,
    pub members_in: u64,
    /// Distinct members named on a declaration submitted in the period (活跃申报人).
    pub declarants: u64,
    /// Households with a declaration or an award in the period.
    pub active_households: u64,
    pub by_group: Vec<ParticipationRow>,
    pub by_age: Vec<ParticipationRow>,
    pub by_kind: Vec<ParticipationRow>,
}

/// Points of one category and list in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRow {
    pub category: String,
    /// 正面清单 / 负面清单 / 异议更正.
    pub list: String,
    pub entries: u64,
    pub points: i64,
}

/// One negative item in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NegativeItemRow {
    pub code: String,
    pub title: String,
    pub entries: u64,
    pub points: i64,
    pub households: u64,
}

/// Review latency of the declarations submitted in the period (D2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub decided: u64,
    pub pending: u64,
    /// Hours from submission to decision.
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
    /// Decided after the review deadline (D2: 7 days).
    pub overdue_decided: u64,
    /// Still in review after the deadline, as of the report's day.
    pub overdue_pending: u64,
}

/// Redemptions and orders placed in the period (R19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Orders {
    pub placed: u64,
    pub delivered: u64,
    pub cancelled: u64,
    pub open: u64,
    /// Points of orders not cancelled.
    pub points_redeemed: i64,
    /// Open past their delivery deadline, as of the report's day.
    pub overdue_open: u64,
    /// Delivered after their deadline.
    pub delivered_late: u64,
}

/// The statistics of one village and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VillageStatistics {
    pub participation: Participation,
    pub points_by_category: Vec<CategoryRow>,
    pub negative_items: Vec<NegativeItemRow>,
    /// Every declaration state with its count (all five, zeros too).
    pub declarations_by_state: Vec<(DeclarationState, u64)>,
    pub latency: Latency,
    pub orders: Orders,
    /// Every objection state with its count (all six, zeros too).
    pub objections_by_state: Vec<(ObjectionState, u64)>,
}

/// The five declaration states in display order.
pub const DECLARATION_STATES: [DeclarationState; 5] = [
    DeclarationState::Submitted,
    DeclarationState::InReview,
    DeclarationState::Approved,
    DeclarationState::Rejected,
    DeclarationState::Withdrawn,
];

/// The six objection states in display order.
pub const OBJECTION_STATES: [ObjectionState; 6] = [
    ObjectionState::Open,
    ObjectionState::Upheld,
    ObjectionState::Rejected,
    ObjectionState::Escalated,
    ObjectionState::TownUpheld,
    ObjectionState::TownRejected,
];

fn count<T>(it: impl Iterator<Item = T>) -> u64 {
    u64::try_from(it.count()).unwrap_or(u64::MAX)
}

impl VillageStatistics {
    /// The statistics of `facts` for `period`; `today` (business date) decides what is overdue.
    #[must_use]
    pub fn compute(facts: &VillageFacts, period: &Period, today: NaiveDate) -> Self {
        Self {
            participation: participation(facts, period),
            points_by_category: points_by_category(facts, period),
            negative_items: negative_items(facts, period),
            declarations_by_state: DECLARATION_STATES
                .iter()
                .map(|s| {
                    (
                        *s,
                        count(facts.declarations.iter().filter(|d| d.state == *s)),
                    )
                })
                .collect(),
            latency: latency(facts, today),
            orders: orders(facts, today),
            objections_by_state: OBJECTION_STATES
                .iter()
                .map(|s| (*s, count(facts.objections.iter().filter(|o| o.state == *s))))
                .collect(),
        }
    }
}

fn slice_row<'a>(
    label: String,
    members: impl Iterator<Item = &'a MemberFact>,
    declarants: &BTreeSet<i64>,
) -> ParticipationRow {
    let members: Vec<&MemberFact> = members.collect();
    let households: BTreeSet<i64> = members.iter().map(|m| m.household).collect();
    let households_in: BTreeSet<i64> = members
        .iter()
        .filter(|m| m.participating)
        .map(|m| m.household)
        .collect();
    ParticipationRow {
        label,
        households: count(households.iter()),
        households_in: count(households_in.iter()),
        members: count(members.iter()),
        members_in: count(members.iter().filter(|m| m.participating)),
        declarants: count(members.iter().filter(|m| declarants.contains(&m.id))),
    }
}

fn participation(facts: &VillageFacts, period: &Period) -> Participation {
    let households_in = facts.participating_households();
    let declarants: BTreeSet<i64> = facts.declarations.iter().map(|d| d.member).collect();
    let active_households: BTreeSet<i64> = facts
        .declarations
        .iter()
        .map(|d| d.household)
        .chain(
            facts
                .period_entries(period)
                .filter(|e| e.kind == EntryKind::Award)
                .map(|e| e.household),
        )
        .collect();
    let group_of: HashMap<i64, Option<i64>> =
        facts.households.iter().map(|h| (h.id, h.group)).collect();
    let mut by_group: Vec<ParticipationRow> = facts
        .groups
        .iter()
        .map(|(id, name)| {
            slice_row(
                name.clone(),
                facts
                    .members
                    .iter()
                    .filter(|m| group_of.get(&m.household).copied().flatten() == Some(*id)),
                &declarants,
            )
        })
        .collect();
    let ungrouped: Vec<&MemberFact> = facts
        .members
        .iter()
        .filter(|m| group_of.get(&m.household).copied().flatten().is_none())
        .collect();
    if !ungrouped.is_empty() {
        by_group.push(slice_row(
            "未分组".to_owned(),
            ungrouped.into_iter(),
            &declarants,
        ));
    }
    let by_age = AgeBand::ALL
        .iter()
        .map(|band| {
            slice_row(
                band.label_zh().to_owned(),
                facts
                    .members
                    .iter()
                    .filter(|m| AgeBand::of(m.birth_year, period.age_year) == *band),
                &declarants,
            )
        })
        .collect();
    let by_kind = [
        ("本村村民（常住）", ResidentKind::Villager, false),
        ("本村村民（长期在外）", ResidentKind::Villager, true),
        ("非本村居民", ResidentKind::NonVillager, false),
    ]
    .iter()
    .map(|(label, kind, absent)| {
        slice_row(
            (*label).to_owned(),
            facts.members.iter().filter(|m| {
                m.kind == *kind
                    && (*kind == ResidentKind::NonVillager || m.long_term_absent == *absent)
            }),
            &declarants,
        )
    })
    .collect();
    let households = count(facts.households.iter());
    let households_in_n = count(
        facts
            .households
            .iter()
            .filter(|h| households_in.contains(&h.id)),
    );
    Participation {
        households,
        households_in: households_in_n,
        households_out: households.saturating_sub(households_in_n),
        members: count(facts.members.iter()),
        members_in: count(facts.members.iter().filter(|m| m.participating)),
        declarants: count(declarants.iter()),
        active_households: count(active_households.iter()),
        by_group,
        by_age,
        by_kind,
    }
}

fn points_by_category(facts: &VillageFacts, period: &Period) -> Vec<CategoryRow> {
    let mut rows: BTreeMap<(u8, String), (String, u64, i64)> = BTreeMap::new();
    for e in facts.period_entries(period) {
        let (order, list) = match (e.kind, e.direction) {
            (EntryKind::Award, _) | (EntryKind::Penalty, Some(Direction::Positive)) => {
                (0, "正面清单")
            }
            (EntryKind::Penalty, _) => (1, "负面清单"),
            (EntryKind::Correction, _) => (2, "异议更正"),
            _ => continue,
        };
        let category = e.category.clone().unwrap_or_else(|| "—".to_owned());
        let row = rows
            .entry((order, category.clone()))
            .or_insert_with(|| (list.to_owned(), 0, 0));
        row.1 += 1;
        row.2 = row.2.saturating_add(e.amount);
    }
    rows.into_iter()
        .map(|((_, category), (list, entries, points))| CategoryRow {
            category,
            list,
            entries,
            points,
        })
        .collect()
}

fn negative_items(facts: &VillageFacts, period: &Period) -> Vec<NegativeItemRow> {
    let mut rows: BTreeMap<String, (String, u64, i64, BTreeSet<i64>)> = BTreeMap::new();
    for e in facts
        .period_entries(period)
        .filter(|e| e.kind == EntryKind::Penalty)
    {
        let code = e.item_code.clone().unwrap_or_else(|| "—".to_owned());
        let row = rows.entry(code).or_insert_with(|| {
            (
                e.item_title.clone().unwrap_or_default(),
                0,
                0,
                BTreeSet::new(),
            )
        });
        row.1 += 1;
        row.2 = row.2.saturating_add(e.amount);
        row.3.insert(e.household);
    }
    rows.into_iter()
        .map(
            |(code, (title, entries, points, households))| NegativeItemRow {
                code,
                title,
                entries,
                points,
                households: count(households.iter()),
            },
        )
        .collect()
}

fn latency(facts: &VillageFacts, today: NaiveDate) -> Latency {
    let mut hours = Vec::new();
    let mut overdue_decided = 0;
    let mut overdue_pending = 0;
    let mut pending = 0;
    for d in &facts.declarations {
        match (d.state, d.decided_at, d.decided_on) {
            (DeclarationState::Approved | DeclarationState::Rejected, Some(at), Some(on)) => {
                let seconds = (at - d.submitted_at).num_seconds().max(0);
                #[allow(clippy::cast_precision_loss)] // seconds of a review fit f64 exactly
                hours.push(seconds as f64 / 3600.0);
                if on > d.review_deadline {
                    overdue_decided += 1;
                }
            }
            (DeclarationState::Submitted | DeclarationState::InReview, _, _) => {
                pending += 1;
                if today > d.review_deadline {
                    overdue_pending += 1;
                }
            }
            _ => {}
        }
    }
    Latency {
        decided: count(hours.iter()),
        pending,
        median_hours: median(&hours),
        p90_hours: percentile_nearest_rank(&hours, 90),
        overdue_decided,
        overdue_pending,
    }
}

fn orders(facts: &VillageFacts, today: NaiveDate) -> Orders {
    let of = |s: OrderState| count(facts.orders.iter().filter(|o| o.state == s));
    Orders {
        placed: count(facts.orders.iter()),
        delivered: of(OrderState::Delivered),
        cancelled: of(OrderState::Cancelled),
        open: of(OrderState::Placed),
        points_redeemed: facts
            .orders
            .iter()
            .filter(|o| o.state != OrderState::Cancelled)
            .fold(0i64, |s, o| s.saturating_add(o.total)),
        overdue_open: count(
            facts
                .orders
                .iter()
                .filter(|o| o.state == OrderState::Placed && today > o.due_on),
        ),
        delivered_late: count(facts.orders.iter().filter(|o| {
            o.state == OrderState::Delivered && o.delivered_on.is_some_and(|d| d > o.due_on)
        })),
    }
}
