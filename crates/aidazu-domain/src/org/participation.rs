//! Who takes part in the scheme (R3).
//!
//! Everyone living in the village takes part by default, non-villagers included, except
//! long-term-absent villagers (at home three months a year or less), who are out unless they opt
//! in. Opt-in and opt-out are recorded with a date and who recorded them. A household takes part
//! on a date iff at least one of its members does; a household out of the scheme earns nothing and
//! is not ranked.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{AccountId, MemberId};

use super::{Member, ResidentKind};

/// One recorded opt-in or opt-out, effective from `effective_on` (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipationChange {
    pub member: MemberId,
    pub opted_in: bool,
    pub effective_on: NaiveDate,
    pub recorded_by: AccountId,
    pub reason: String,
}

/// Participation when nothing was recorded (R3).
#[must_use]
pub const fn default_participation(kind: ResidentKind, long_term_absent: bool) -> bool {
    !(matches!(kind, ResidentKind::Villager) && long_term_absent)
}

/// Whether `member` takes part on `date`: the latest change for that member effective on or
/// before `date` wins (for several on the same day, the one listed last); without one, the
/// default applies. `history` may hold changes of other members; they are ignored.
#[must_use]
pub fn member_participates(
    member: &Member,
    history: &[ParticipationChange],
    date: NaiveDate,
) -> bool {
    history
        .iter()
        .filter(|c| c.member == member.id && c.effective_on <= date)
        .fold(None::<&ParticipationChange>, |latest, c| match latest {
            Some(l) if l.effective_on > c.effective_on => Some(l),
            _ => Some(c),
        })
        .map_or_else(
            || default_participation(member.kind, member.long_term_absent),
            |c| c.opted_in,
        )
}

/// Whether a household takes part on `date`: iff at least one of `members` does.
#[must_use]
pub fn household_participates(
    members: &[Member],
    history: &[ParticipationChange],
    date: NaiveDate,
) -> bool {
    members
        .iter()
        .any(|m| member_participates(m, history, date))
}

/// A period in which a household takes part: from `from` (inclusive; `None` = since always)
/// until `until` (exclusive; `None` = still). Storage keeps these per household so "takes part on
/// a date" is answered without folding the history on every read (issue 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParticipationSpan {
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// The periods in which the household of `members` takes part, oldest first, by
/// [`household_participates`] evaluated before the first change and on every change's date.
#[must_use]
pub fn participation_spans(
    members: &[Member],
    history: &[ParticipationChange],
) -> Vec<ParticipationSpan> {
    let mut dates: Vec<NaiveDate> = history
        .iter()
        .filter(|c| members.iter().any(|m| m.id == c.member))
        .map(|c| c.effective_on)
        .collect();
    dates.sort_unstable();
    dates.dedup();
    let mut spans = Vec::new();
    let before = dates
        .first()
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MIN);
    let mut open: Option<Option<NaiveDate>> =
        household_participates(members, history, before).then_some(None);
    for date in dates {
        let on = household_participates(members, history, date);
        match (open, on) {
            (None, true) => open = Some(Some(date)),
            (Some(from), false) => {
                spans.push(ParticipationSpan {
                    from,
                    until: Some(date),
                });
                open = None;
            }
            _ => {}
        }
    }
    if let Some(from) = open {
        spans.push(ParticipationSpan { from, until: None });
    }
    spans
}

/// [`household_participates`] as a result: a household out of the scheme earns nothing (R3).
///
/// # Errors
/// [`DomainError::HouseholdNotParticipating`].
pub fn require_household_participates(
    members: &[Member],
    history: &[ParticipationChange],
    date: NaiveDate,
) -> Result<(), DomainError> {
    if household_participates(members, history, date) {
        Ok(())
    } else {
        Err(DomainError::HouseholdNotParticipating)
    }
}

/// A household declares only while it takes part, on the deed's date and on the day it declares
/// (R3: an opted-out household cannot self-declare, even for a deed from before it left).
///
/// # Errors
/// [`DomainError::HouseholdNotParticipating`].
pub fn require_may_declare(
    members: &[Member],
    history: &[ParticipationChange],
    deed: NaiveDate,
    today: NaiveDate,
) -> Result<(), DomainError> {
    require_household_participates(members, history, deed)?;
    require_household_participates(members, history, today)
}

/// Whether a household takes part on every day of `from..=to`. Status only changes on the
/// effective date of a change, so checking `from` and each such date inside the range suffices.
#[must_use]
pub fn household_participates_throughout(
    members: &[Member],
    history: &[ParticipationChange],
    from: NaiveDate,
    to: NaiveDate,
) -> bool {
    if from > to {
        return false;
    }
    household_participates(members, history, from)
        && history
            .iter()
            .filter(|c| c.effective_on > from && c.effective_on <= to)
            .all(|c| household_participates(members, history, c.effective_on))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::HouseholdId;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn member(id: i64, kind: ResidentKind, absent: bool) -> Member {
        Member {
            id: MemberId(id),
            household: HouseholdId(1),
            name: "张三".into(),
            kind,
            long_term_absent: absent,
            party_member: false,
        }
    }

    fn change(member: i64, opted_in: bool, on: NaiveDate) -> ParticipationChange {
        ParticipationChange {
            member: MemberId(member),
            opted_in,
            effective_on: on,
            recorded_by: AccountId(9),
            reason: "本人申请".into(),
        }
    }

    #[test]
    fn r3_spans_agree_with_the_fold_on_every_day() {
        let members = [
            member(1, ResidentKind::Villager, false),
            member(2, ResidentKind::Villager, true),
        ];
        let history = [
            change(1, false, day(2025, 3, 1)),
            change(2, true, day(2025, 5, 1)),
            change(2, false, day(2025, 5, 1)),
            change(1, true, day(2025, 8, 15)),
            change(7, false, day(2025, 9, 1)),
        ];
        let spans = participation_spans(&members, &history);
        assert_eq!(
            spans,
            vec![
                ParticipationSpan {
                    from: None,
                    until: Some(day(2025, 3, 1))
                },
                ParticipationSpan {
                    from: Some(day(2025, 8, 15)),
                    until: None
                },
            ]
        );
        let mut d = day(2025, 1, 1);
        while d < day(2026, 1, 1) {
            let in_span = spans
                .iter()
                .any(|s| s.from.is_none_or(|f| f <= d) && s.until.is_none_or(|u| d < u));
            assert_eq!(
                in_span,
                household_participates(&members, &history, d),
                "{d}"
            );
            d = d.succ_opt().unwrap();
        }
        assert!(participation_spans(&[], &history).is_empty());
    }

    #[test]
    fn r3_a_household_that_left_cannot_declare_even_an_earlier_deed() {
        let members = [member(1, ResidentKind::Villager, false)];
        let history = [change(1, false, day(2025, 5, 10))];
        assert_eq!(
            require_may_declare(&members, &history, day(2025, 5, 1), day(2025, 5, 3)),
            Ok(())
        );
        assert_eq!(
            require_may_declare(&members, &history, day(2025, 5, 1), day(2025, 5, 12)),
            Err(DomainError::HouseholdNotParticipating)
        );
    }

    #[test]
    fn r3_default_in_including_non_villagers() {
        assert!(default_participation(ResidentKind::Villager, false));
        assert!(default_participation(ResidentKind::NonVillager, false));
        assert!(default_participation(ResidentKind::NonVillager, true));
    }

    #[test]
    fn r3_long_term_absent_villager_out_unless_opted_in() {
        let m = member(1, ResidentKind::Villager, true);
        assert!(!member_participates(&m, &[], day(2025, 3, 1)));
        let history = [change(1, true, day(2025, 4, 1))];
        assert!(!member_participates(&m, &history, day(2025, 3, 31)));
        assert!(member_participates(&m, &history, day(2025, 4, 1)));
    }

    #[test]
    fn r3_latest_change_wins_regardless_of_order_in_slice() {
        let m = member(1, ResidentKind::Villager, false);
        let history = [
            change(1, true, day(2025, 6, 1)),
            change(1, false, day(2025, 2, 1)),
            change(2, false, day(2025, 1, 1)),
        ];
        assert!(member_participates(&m, &history, day(2025, 1, 15)));
        assert!(!member_participates(&m, &history, day(2025, 3, 1)));
        assert!(member_participates(&m, &history, day(2025, 7, 1)));
    }

    #[test]
    fn r3_same_day_changes_last_listed_wins() {
        let m = member(1, ResidentKind::Villager, false);
        let history = [
            change(1, false, day(2025, 2, 1)),
            change(1, true, day(2025, 2, 1)),
        ];
        assert!(member_participates(&m, &history, day(2025, 2, 1)));
    }

    #[test]
    fn r3_household_takes_part_iff_one_member_does() {
        let absent = member(1, ResidentKind::Villager, true);
        let home = member(2, ResidentKind::Villager, false);
        let date = day(2025, 5, 5);
        assert!(!household_participates(
            std::slice::from_ref(&absent),
            &[],
            date
        ));
        assert!(household_participates(
            &[absent.clone(), home.clone()],
            &[],
            date
        ));
        let out = [change(2, false, day(2025, 1, 1))];
        assert!(!household_participates(&[absent, home], &out, date));
        assert!(!household_participates(&[], &[], date));
        assert_eq!(
            require_household_participates(&[], &[], date),
            Err(DomainError::HouseholdNotParticipating)
        );
    }

    #[test]
    fn r3_participation_throughout_a_range() {
        let m = [member(1, ResidentKind::Villager, false)];
        let history = [
            change(1, false, day(2025, 5, 1)),
            change(1, true, day(2025, 5, 10)),
        ];
        assert!(household_participates_throughout(
            &m,
            &history,
            day(2025, 1, 1),
            day(2025, 4, 30)
        ));
        assert!(!household_participates_throughout(
            &m,
            &history,
            day(2025, 4, 1),
            day(2025, 6, 30)
        ));
        assert!(household_participates_throughout(
            &m,
            &history,
            day(2025, 5, 10),
            day(2025, 12, 31)
        ));
    }
}
