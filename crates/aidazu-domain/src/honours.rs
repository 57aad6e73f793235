//! Honours eligibility (R18, D5): strictly above the village mean, compared in integers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{PointsYear, PointsYearConfig};
use crate::error::DomainError;
use crate::ids::{HouseholdId, ItemCode, Points};
use crate::ledger::{EntryKind, LedgerEntry};
use crate::org::{Member, ParticipationChange, household_participates_throughout};

/// The honours of R18.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Honour {
    /// 最美家庭.
    BeautifulFamily,
    /// 最美庭院.
    BeautifulCourtyard,
    /// 清洁庭院.
    CleanCourtyard,
    /// 星级文明户.
    StarCivilisedHousehold,
    /// 卫生清洁户.
    HygienicHousehold,
    /// 最美党员 (party members of eligible households).
    ExemplaryPartyMember,
}

impl Honour {
    #[must_use]
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::BeautifulFamily => "最美家庭",
            Self::BeautifulCourtyard => "最美庭院",
            Self::CleanCourtyard => "清洁庭院",
            Self::StarCivilisedHousehold => "星级文明户",
            Self::HygienicHousehold => "卫生清洁户",
            Self::ExemplaryPartyMember => "最美党员",
        }
    }
}

/// Why a household is left out of the population (D5, D7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// Out of the scheme (R3).
    NotParticipating,
    /// Enrolled for fewer than two full quarters of the year.
    EnrolledTooShort,
    /// 一票否决 (D7).
    Veto,
    /// Has an objection still open.
    OpenObjection,
}

/// One household's input to the assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub household: HouseholdId,
    /// The year score (never the balance).
    pub score: Points,
    pub exclusion: Option<Exclusion>,
}

/// The result kept with every honours list, so a household can see why (D5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AverageAssessment {
    /// Households in the population.
    pub n: u32,
    /// Sum of their scores.
    pub sum: Points,
    /// Strictly above the mean (score × n > sum), in input order.
    pub eligible: Vec<HouseholdId>,
    /// Excluded from the population, with the reason.
    pub excluded: Vec<(HouseholdId, Exclusion)>,
}

/// `score` is strictly above the mean of `n` scores summing to `sum`: `score × n > sum`,
/// exactly in integers. Nothing is above the mean of an empty population.
#[must_use]
pub fn is_strictly_above(score: Points, sum: Points, n: u32) -> bool {
    n > 0 && i128::from(score.get()) * i128::from(n) > i128::from(sum.get())
}

impl AverageAssessment {
    /// Assesses a village's candidates.
    ///
    /// # Errors
    /// [`DomainError::PointsOverflow`] if the scores do not sum in 64 bits.
    pub fn assess(candidates: &[Candidate]) -> Result<Self, DomainError> {
        let mut excluded = Vec::new();
        let mut n: u32 = 0;
        let mut sum = Points::ZERO;
        for c in candidates {
            match c.exclusion {
                Some(reason) => excluded.push((c.household, reason)),
                None => {
                    n = n.checked_add(1).ok_or(DomainError::PointsOverflow)?;
                    sum = sum.try_add(c.score)?;
                }
            }
        }
        let eligible = candidates
            .iter()
            .filter(|c| c.exclusion.is_none() && is_strictly_above(c.score, sum, n))
            .map(|c| c.household)
            .collect();
        Ok(Self {
            n,
            sum,
            eligible,
            excluded,
        })
    }

    /// The mean rounded half away from zero to two decimals, e.g. `"42.33"`; `None` when empty.
    #[must_use]
    pub fn mean_display(&self) -> Option<String> {
        if self.n == 0 {
            return None;
        }
        let n = i128::from(self.n);
        let scaled = i128::from(self.sum.get()) * 100;
        let half = n / 2;
        let hundredths = if scaled >= 0 {
            (scaled + half) / n
        } else {
            (scaled - half) / n
        };
        let sign = if hundredths < 0 { "-" } else { "" };
        let abs = hundredths.abs();
        Some(format!("{sign}{}.{:02}", abs / 100, abs % 100))
    }

    /// Refuses nominating a household that is not eligible (R18).
    ///
    /// # Errors
    /// [`DomainError::NotEligibleForHonour`].
    pub fn require_eligible(&self, household: HouseholdId) -> Result<(), DomainError> {
        if self.eligible.contains(&household) {
            Ok(())
        } else {
            Err(DomainError::NotEligibleForHonour { household })
        }
    }
}

/// Full quarters of `year` ending on or before `as_of` during which the household took part
/// every day (D5 needs at least two).
#[must_use]
pub fn full_quarters_enrolled(
    members: &[Member],
    history: &[ParticipationChange],
    calendar: PointsYearConfig,
    year: PointsYear,
    as_of: NaiveDate,
) -> u32 {
    let full = year
        .quarters()
        .into_iter()
        .map(|q| (calendar.quarter_first_day(q), calendar.quarter_last_day(q)))
        .filter(|(_, last)| *last <= as_of)
        .filter(|(first, last)| household_participates_throughout(members, history, *first, *last))
        .count();
    u32::try_from(full).unwrap_or(0)
}

/// Item codes whose finding vetoes a household's honours for the year (D7): DE-07 in the
/// default template. A criminal conviction is recorded outside the ledger and passed as
/// [`Exclusion::Veto`] by the caller.
#[must_use]
pub fn default_veto_items() -> Vec<ItemCode> {
    ItemCode::parse("DE-07").into_iter().collect()
}

/// Whether the year's entries hold a penalty under a veto item (D7).
#[must_use]
pub fn vetoed_by_entries(entries: &[LedgerEntry], veto_items: &[ItemCode]) -> bool {
    entries.iter().any(|e| {
        e.kind == EntryKind::Penalty && e.item().is_some_and(|r| veto_items.contains(&r.code))
    })
}

/// Least full quarters enrolled to count toward the average (D5).
pub const MIN_FULL_QUARTERS: u32 = 2;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AccountId, MemberId};
    use crate::org::ResidentKind;

    fn c(id: i64, score: i64) -> Candidate {
        Candidate {
            household: HouseholdId(id),
            score: Points(score),
            exclusion: None,
        }
    }

    #[test]
    fn d5_strictly_above_mean_in_integers() {
        // Mean of 10, 10, 11 is 10.33…: only 11 is above; 10 is not (no float rounding).
        let a = AverageAssessment::assess(&[c(1, 10), c(2, 10), c(3, 11)]).unwrap();
        assert_eq!(a.eligible, vec![HouseholdId(3)]);
        assert_eq!((a.n, a.sum), (3, Points(31)));
        assert_eq!(a.mean_display().as_deref(), Some("10.33"));
    }

    #[test]
    fn d5_equal_to_mean_is_not_above() {
        let a = AverageAssessment::assess(&[c(1, 5), c(2, 5)]).unwrap();
        assert!(a.eligible.is_empty());
        assert_eq!(a.mean_display().as_deref(), Some("5.00"));
    }

    #[test]
    fn d5_excluded_households_leave_the_population() {
        let mut vetoed = c(3, 100);
        vetoed.exclusion = Some(Exclusion::Veto);
        let a = AverageAssessment::assess(&[c(1, 4), c(2, 8), vetoed]).unwrap();
        assert_eq!(a.n, 2);
        assert_eq!(a.eligible, vec![HouseholdId(2)]);
        assert_eq!(a.excluded, vec![(HouseholdId(3), Exclusion::Veto)]);
        assert!(matches!(
            a.require_eligible(HouseholdId(3)),
            Err(DomainError::NotEligibleForHonour { .. })
        ));
        assert!(a.require_eligible(HouseholdId(2)).is_ok());
    }

    #[test]
    fn d5_negative_scores_and_empty_population() {
        let a = AverageAssessment::assess(&[c(1, -5), c(2, -2)]).unwrap();
        assert_eq!(a.eligible, vec![HouseholdId(2)]);
        assert_eq!(a.mean_display().as_deref(), Some("-3.50"));
        let empty = AverageAssessment::assess(&[]).unwrap();
        assert!(empty.eligible.is_empty() && empty.mean_display().is_none());
        assert!(!is_strictly_above(Points(1), Points(0), 0));
    }

    #[test]
    fn d7_de07_penalty_vetoes_honours() {
        use crate::catalogue::ItemRef;
        use crate::ledger::EntrySource;
        let penalty = |code: &str| LedgerEntry {
            household: HouseholdId(1),
            member: Some(MemberId(1)),
            kind: EntryKind::Penalty,
            amount: Points(-20),
            source: EntrySource::Item(ItemRef {
                code: ItemCode::parse(code).unwrap(),
                version: 1,
            }),
            declaration: None,
            actor: AccountId(1),
            occurred_at: "2025-03-01T02:00:00Z".parse().unwrap(),
            reason: String::new(),
        };
        let veto = default_veto_items();
        assert!(vetoed_by_entries(&[penalty("DE-07")], &veto));
        assert!(!vetoed_by_entries(&[penalty("PA-06")], &veto));
        assert!(!vetoed_by_entries(&[], &veto));
    }

    #[test]
    fn d5_enrolment_counts_full_quarters_only() {
        let cal = PointsYearConfig::default();
        let member = Member {
            id: MemberId(1),
            household: HouseholdId(1),
            name: "王五".into(),
            kind: ResidentKind::Villager,
            long_term_absent: true,
            party_member: false,
        };
        let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
        let history = [ParticipationChange {
            member: MemberId(1),
            opted_in: true,
            effective_on: day(5, 15),
            recorded_by: AccountId(1),
            reason: "返乡".into(),
        }];
        let members = [member];
        let full = |as_of| full_quarters_enrolled(&members, &history, cal, PointsYear(2025), as_of);
        assert_eq!(full(day(12, 31)), 2); // Q3 and Q4; Q2 only from mid-May.
        assert_eq!(full(day(9, 30)), 1);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn d5_eligible_iff_strictly_above_the_exact_mean(
                scores in prop::collection::vec((-500i64..500, prop::bool::weighted(0.2)), 0..40),
            ) {
                let candidates: Vec<Candidate> = scores.iter().zip(1i64..).map(|((s, ex), id)| Candidate {
                    household: HouseholdId(id),
                    score: Points(*s),
                    exclusion: ex.then_some(Exclusion::OpenObjection),
                }).collect();
                let a = AverageAssessment::assess(&candidates).unwrap();
                let population: Vec<&Candidate> =
                    candidates.iter().filter(|c| c.exclusion.is_none()).collect();
                prop_assert_eq!(a.n as usize, population.len());
                prop_assert_eq!(a.excluded.len(), candidates.len() - population.len());
                let sum: i64 = population.iter().map(|c| c.score.get()).sum();
                prop_assert_eq!(a.sum, Points(sum));
                for c in &candidates {
                    let above = c.exclusion.is_none()
                        && !population.is_empty()
                        && (c.score.get() as f64) > (sum as f64) / (population.len() as f64);
                    prop_assert_eq!(a.eligible.contains(&c.household), above);
                }
                // Not everyone can be strictly above their own mean.
                prop_assert!(population.is_empty() || a.eligible.len() < population.len());
            }
        }
    }
}
