//! Ranking for the quarterly board (R16).

use serde::{Deserialize, Serialize};

use crate::ids::{HouseholdId, Points};

/// A household's place on the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedHousehold {
    pub household: HouseholdId,
    pub score: Points,
    /// Competition ranking: equal scores share a rank, the next rank skips (1, 2, 2, 4).
    pub rank: u32,
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

#[cfg(test)]
mod tests {
    use super::*;

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
