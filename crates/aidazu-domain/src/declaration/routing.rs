//! Who reviews a declaration (R9, D6): recusal routes, never strands.
//!
//! The village admins review; anyone bound (now or during the points-year) to the declaring
//! household is recused. When that leaves no admin, the village committee (村支两委) reviews;
//! when it leaves no committee member either, the town (镇街) officers do.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::AccountId;
use crate::org::Role;

/// The level a declaration is reviewed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewTier {
    /// 村管理员.
    VillageAdmin,
    /// 村支两委.
    VillageCommittee,
    /// 镇街.
    Town,
}

impl ReviewTier {
    /// The role that reviews at this tier.
    #[must_use]
    pub const fn role(self) -> Role {
        match self {
            Self::VillageAdmin => Role::VillageAdmin,
            Self::VillageCommittee => Role::VillageCommittee,
            Self::Town => Role::TownOfficer,
        }
    }

    /// 村管理员 / 村支两委 / 镇街.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::VillageAdmin => "村管理员",
            Self::VillageCommittee => "村支两委",
            Self::Town => "镇街",
        }
    }
}

/// Someone who could review: an account holding the tier's role over the village.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCandidate {
    pub account: AccountId,
    pub tier: ReviewTier,
}

/// Where a declaration goes: the lowest tier with someone not recused, and those people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRoute {
    pub tier: ReviewTier,
    pub reviewers: Vec<AccountId>,
}

impl ReviewRoute {
    /// Whether `account` is one of the reviewers.
    #[must_use]
    pub fn admits(&self, account: AccountId) -> bool {
        self.reviewers.contains(&account)
    }
}

/// Routes a declaration: `recused` are the accounts tied to the declaring household.
///
/// # Errors
/// [`DomainError::NoEligibleReviewer`] when every candidate of every tier is recused.
pub fn review_route(
    candidates: &[ReviewCandidate],
    recused: &[AccountId],
) -> Result<ReviewRoute, DomainError> {
    for tier in [
        ReviewTier::VillageAdmin,
        ReviewTier::VillageCommittee,
        ReviewTier::Town,
    ] {
        let mut reviewers: Vec<AccountId> = candidates
            .iter()
            .filter(|c| c.tier == tier && !recused.contains(&c.account))
            .map(|c| c.account)
            .collect();
        reviewers.sort_unstable();
        reviewers.dedup();
        if !reviewers.is_empty() {
            return Ok(ReviewRoute { tier, reviewers });
        }
    }
    Err(DomainError::NoEligibleReviewer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, tier: ReviewTier) -> ReviewCandidate {
        ReviewCandidate {
            account: AccountId(id),
            tier,
        }
    }

    #[test]
    fn d6_admins_review_unless_recused_then_committee_then_town() {
        let all = [
            c(1, ReviewTier::VillageAdmin),
            c(2, ReviewTier::VillageAdmin),
            c(3, ReviewTier::VillageCommittee),
            c(4, ReviewTier::Town),
        ];
        let route = review_route(&all, &[AccountId(1)]).unwrap();
        assert_eq!(route.tier, ReviewTier::VillageAdmin);
        assert_eq!(route.reviewers, vec![AccountId(2)]);
        assert!(!route.admits(AccountId(1)));

        let sole_admin = review_route(&all, &[AccountId(1), AccountId(2)]).unwrap();
        assert_eq!(sole_admin.tier, ReviewTier::VillageCommittee);
        assert_eq!(sole_admin.reviewers, vec![AccountId(3)]);

        let town = review_route(&all, &[AccountId(1), AccountId(2), AccountId(3)]).unwrap();
        assert_eq!(town.tier, ReviewTier::Town);
        assert!(town.admits(AccountId(4)));
    }

    #[test]
    fn d6_everyone_recused_is_a_clear_error() {
        assert_eq!(
            review_route(&[c(1, ReviewTier::VillageAdmin)], &[AccountId(1)]),
            Err(DomainError::NoEligibleReviewer)
        );
        assert_eq!(review_route(&[], &[]), Err(DomainError::NoEligibleReviewer));
    }
}
