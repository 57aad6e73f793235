//! Who reviews a declaration (R9, D6): loads the candidates and the people tied to the declaring
//! household, then asks the domain ([`review_route`]). Used by submission (card recipients), the
//! approval gateway (approvers) and [`crate::decisions::decide`] (who may decide), so the three
//! always agree.

use aidazu_domain::calendar::{PointsYearConfig, shanghai_instant};
use aidazu_domain::declaration::{ReviewCandidate, ReviewRoute, ReviewTier, review_route};
use aidazu_domain::org::{Role, Scope, VillageLocation};
use aidazu_domain::{AccountId, DomainError, HouseholdId};
use aidazu_ports::AsRepo;
use aidazu_ports::declarations::scope_role_holders;
use chrono::{NaiveDate, NaiveTime};

use crate::AppError;

/// The outcome of routing one declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    /// The tier and reviewers, or why nobody can review.
    pub route: Result<ReviewRoute, DomainError>,
    /// Accounts bound (now or during the points-year) to the declaring household.
    pub recused: Vec<AccountId>,
    candidates: Vec<(ReviewCandidate, String)>,
}

impl Routing {
    /// DingTalk user ids of the reviewers (empty when nobody may review).
    #[must_use]
    pub fn reviewer_user_ids(&self) -> Vec<String> {
        let Ok(route) = &self.route else {
            return Vec::new();
        };
        let mut out: Vec<String> = Vec::new();
        for (c, user) in &self.candidates {
            if c.tier == route.tier && route.admits(c.account) && !out.contains(user) {
                out.push(user.clone());
            }
        }
        out
    }

    /// The reviewing role `account` holds for this declaration, recused or not, or `None` when it
    /// is no candidate at all.
    #[must_use]
    pub fn candidate_role(&self, account: AccountId) -> Option<Role> {
        self.candidates
            .iter()
            .filter(|(c, _)| c.account == account)
            .map(|(c, _)| c.tier)
            .min()
            .map(ReviewTier::role)
    }

    /// Whether `account` is tied to the declaring household (D6).
    #[must_use]
    pub fn is_recused(&self, account: AccountId) -> bool {
        self.recused.contains(&account)
    }
}

/// Routes a declaration of `household` in the village at `location`, for a deed on `deed`.
///
/// # Errors
/// Storage errors.
pub(crate) async fn route_declaration<C: AsRepo + ?Sized>(
    db: &C,
    location: &VillageLocation,
    household: HouseholdId,
    calendar: PointsYearConfig,
    deed: NaiveDate,
) -> Result<Routing, AppError> {
    let mut candidates = Vec::new();
    for (tier, scope) in [
        (ReviewTier::VillageAdmin, Scope::Village(location.village)),
        (
            ReviewTier::VillageCommittee,
            Scope::Village(location.village),
        ),
        (ReviewTier::Town, Scope::Town(location.town)),
    ] {
        for holder in scope_role_holders(db, scope, tier.role()).await? {
            candidates.push((
                ReviewCandidate {
                    account: holder.account,
                    tier,
                },
                holder.dingtalk_user_id,
            ));
        }
    }
    let year_start = shanghai_instant(
        calendar.year_first_day(calendar.points_year_of(deed)),
        NaiveTime::MIN,
    );
    let recused =
        aidazu_ports::accounts::accounts_tied_to_household(db, household, year_start).await?;
    let plain: Vec<ReviewCandidate> = candidates.iter().map(|(c, _)| *c).collect();
    Ok(Routing {
        route: review_route(&plain, &recused),
        recused,
        candidates,
    })
}
