//! Ranking for the quarterly board (R16).

use serde::{Deserialize, Serialize};

use crate::calendar::Quarter;
use crate::ids::{HouseholdId, Points};
use crate::ledger::{BoardFigures, HouseholdYearLedger};

/// A household's place on the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedHousehold {
    pub household: HouseholdId,
    pub score: Points,
    /// Competition ranking: equal scores share a rank, the next rank skips (1, 2, 2, 4).
    pub rank: u32,
}

/// The competition rank of a score among participating households, from the number of them with
/// a strictly higher score (what [`rank_by_score`] gives, for one household; a store can count
/// with an index scan instead of loading the village).
#[must_use]
pub fn competition_rank(strictly_higher: u64) -> u32 {
    u32::try_from(strictly_higher)
        .unwrap_or(u32::MAX)
        .saturating_add(1)
}

/// Ranks participating households by year score, highest first; ties are listed by household id.
/// Pass only participating households (R3: those out of the scheme are not ranked).
#[must_use]
pub fn rank_by_score(scores: &[(HouseholdId, Points)]) -> Vec<RankedHousehold> {
    let mut sorted = scores.to_vec();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out: Vec<RankedHousehold> = Vec::with_capacity(sorted.len());
    for (position, (household, score)) in (1u32..).zip(sorted) {
        let rank = match out.last() {
            Some(prev) if prev.score == score => prev.rank,
            _ => position,
        };
        out.push(RankedHousehold {
            household,
            score,
            rank,
        });
    }
    out
}

/// One household's line in a quarterly publication (R16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicationRow {
    pub household: HouseholdId,
    /// Net points booked in the quarter.
    pub quarter_points: Points,
    /// Year score so far.
    pub score: Points,
    /// Balance at the time of the snapshot.
    pub balance: Points,
    pub rank: u32,
}

/// The frozen rows of a quarterly publication, ranked by year score. Pass the ledgers of the
/// participating households only (an empty ledger for a household without entries).
#[must_use]
pub fn publication_rows(ledgers: &[&HouseholdYearLedger], quarter: Quarter) -> Vec<PublicationRow> {
    let figures: Vec<(HouseholdId, BoardFigures)> = ledgers
        .iter()
        .map(|l| {
            (
                l.household(),
                BoardFigures {
                    quarter_points: l.quarter_points(quarter),
                    score: l.score(),
                    balance: l.balance(),
                },
            )
        })
        .collect();
    board_rows(&figures)
}

/// The frozen rows of a quarterly publication from each participating household's figures as of
/// the quarter's last day (`YearTotals::as_of`, the maintained read model), ranked by year score
/// (competition rank, ties listed by household id). Pass participating households only.
#[must_use]
pub fn board_rows(figures: &[(HouseholdId, BoardFigures)]) -> Vec<PublicationRow> {
    let by_household: std::collections::HashMap<HouseholdId, BoardFigures> =
        figures.iter().copied().collect();
    let scores: Vec<(HouseholdId, Points)> = figures.iter().map(|(h, f)| (*h, f.score)).collect();
    rank_by_score(&scores)
        .into_iter()
        .filter_map(|r| {
            let f = by_household.get(&r.household)?;
            Some(PublicationRow {
                household: r.household,
                quarter_points: f.quarter_points,
                score: r.score,
                balance: f.balance,
                rank: r.rank,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{PointsYear, PointsYearConfig};
    use crate::catalogue::ItemRef;
    use crate::ids::{AccountId, ItemCode, MemberId, OrderId};
    use crate::ledger::{EntryKind, EntrySource, LedgerEntry};

    #[test]
    fn r16_competition_rank_from_the_count_above_matches_the_board() {
        let scores = [
            (HouseholdId(1), Points(5)),
            (HouseholdId(2), Points(9)),
            (HouseholdId(3), Points(5)),
            (HouseholdId(4), Points(-2)),
        ];
        for r in rank_by_score(&scores) {
            let higher = scores.iter().filter(|(_, s)| *s > r.score).count() as u64;
            assert_eq!(competition_rank(higher), r.rank);
        }
    }

    fn ledger(household: i64, entries: &[(EntryKind, i64, &str)]) -> HouseholdYearLedger {
        let entries = entries.iter().map(|(kind, amount, when)| LedgerEntry {
            household: HouseholdId(household),
            member: Some(MemberId(household * 10)),
            kind: *kind,
            amount: Points(*amount),
            source: match kind {
                EntryKind::Redeem => EntrySource::Order(OrderId(1)),
                _ => EntrySource::Item(ItemRef {
                    code: ItemCode::parse("PA-01").unwrap(),
                    version: 1,
                }),
            },
            declaration: None,
            actor: AccountId(1),
            occurred_at: when.parse().unwrap(),
            reason: String::new(),
        });
        HouseholdYearLedger::from_entries(
            HouseholdId(household),
            PointsYear(2025),
            PointsYearConfig::default(),
            entries,
        )
        .unwrap()
    }

    #[test]
    fn r16_publication_rows_rank_by_score_not_balance() {
        let a = ledger(
            1,
            &[
                (EntryKind::Award, 20, "2025-02-01T02:00:00Z"),
                (EntryKind::Award, 6, "2025-05-01T02:00:00Z"),
                (EntryKind::Redeem, -20, "2025-05-02T02:00:00Z"),
            ],
        );
        let b = ledger(2, &[(EntryKind::Award, 12, "2025-04-01T02:00:00Z")]);
        let empty = ledger(3, &[]);
        let rows = publication_rows(&[&b, &empty, &a], Quarter::new(2025, 2).unwrap());
        let view: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.household.get(),
                    r.quarter_points.get(),
                    r.score.get(),
                    r.balance.get(),
                    r.rank,
                )
            })
            .collect();
        assert_eq!(
            view,
            vec![(1, 6, 26, 6, 1), (2, 12, 12, 12, 2), (3, 0, 0, 0, 3)]
        );
    }

    #[test]
    fn r16_competition_ranking_with_ties() {
        let r = rank_by_score(&[
            (HouseholdId(3), Points(10)),
            (HouseholdId(1), Points(20)),
            (HouseholdId(2), Points(10)),
            (HouseholdId(4), Points(-5)),
        ]);
        let view: Vec<(i64, u32)> = r.iter().map(|x| (x.household.get(), x.rank)).collect();
        assert_eq!(view, vec![(1, 1), (2, 2), (3, 2), (4, 4)]);
    }
}
