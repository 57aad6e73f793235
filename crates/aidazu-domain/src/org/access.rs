//! Roles, scopes and who may see or do what where (R1).

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{DistrictId, TownId, VillageId};

/// What an account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 村民、居民.
    Villager,
    /// 村管理员.
    VillageAdmin,
    /// 村支两委.
    VillageCommittee,
    /// 镇街.
    TownOfficer,
    /// 区农业农村委 / 区人居办.
    DistrictOfficer,
}

/// The part of the tree an account covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "level", content = "id", rename_all = "snake_case")]
pub enum Scope {
    Village(VillageId),
    Town(TownId),
    District(DistrictId),
}

/// Where a village sits in the tree; what a scope is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VillageLocation {
    pub district: DistrictId,
    pub town: TownId,
    pub village: VillageId,
}

impl Scope {
    /// Whether the scope covers the village: itself; a town its villages; a district all of its.
    #[must_use]
    pub fn covers(self, location: &VillageLocation) -> bool {
        match self {
            Self::Village(v) => v == location.village,
            Self::Town(t) => t == location.town,
            Self::District(d) => d == location.district,
        }
    }
}

/// Things an account may try to do in a village.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// See the village board and publications.
    ViewBoard,
    /// See households' ledgers, declarations and reports of the village.
    ViewRecords,
    /// Declare a good deed for one's own household (R8).
    Declare,
    /// Raise an objection (R17).
    Object,
    /// Order in the points shop (R19).
    Redeem,
    /// Approve or reject declarations (R9).
    ReviewDeclaration,
    /// Award or deduct points directly (R10).
    ScoreDirectly,
    /// Run the points shop: stock, delivery (R19).
    RunShop,
    /// Maintain households, members and participation (R3).
    ManageMembers,
    /// Bind a DingTalk account to a member (F1): the village admin in the village; the district
    /// also across villages (see `binding`).
    BindAccount,
    /// Ask the district for catalogue changes (R7).
    RequestCatalogueChange,
    /// Decide objections (R17).
    DecideObjection,
    /// Nominate households for honours (R18).
    NominateHonours,
    /// Decide escalated objections and overdue items (D2, D3).
    DecideEscalation,
    /// Approve a village's catalogue change (R7).
    ApproveCatalogueChange,
    /// Edit the district's catalogue template (R5).
    EditCatalogueTemplate,
    /// Create towns, villages and groups.
    ManageOrganisation,
    /// Preview a quarter's board and publish it before the scheduler does (R16, 立即公示).
    PublishBoard,
    /// See the statistics and fairness signals of the villages overseen (issue 12): the town and
    /// the district only.
    ViewStatistics,
}

/// An account's role in its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Access {
    role: Role,
    scope: Scope,
}

impl Access {
    /// Pairs a role with a scope of the matching level (village roles ↔ village, town officer ↔
    /// town, district officer ↔ district).
    ///
    /// # Errors
    /// [`DomainError::ScopeMismatch`] when the levels differ.
    pub fn new(role: Role, scope: Scope) -> Result<Self, DomainError> {
        let matches = matches!(
            (role, scope),
            (
                Role::Villager | Role::VillageAdmin | Role::VillageCommittee,
                Scope::Village(_)
            ) | (Role::TownOfficer, Scope::Town(_))
                | (Role::DistrictOfficer, Scope::District(_))
        );
        if matches {
            Ok(Self { role, scope })
        } else {
            Err(DomainError::ScopeMismatch)
        }
    }

    #[must_use]
    pub const fn role(self) -> Role {
        self.role
    }

    #[must_use]
    pub const fn scope(self) -> Scope {
        self.scope
    }

    /// Whether the account may see the village's data at all (R1).
    #[must_use]
    pub fn can_see(self, location: &VillageLocation) -> bool {
        self.scope.covers(location)
    }

    /// Whether the account may do `action` in the village: its scope covers the village and its
    /// role allows the action. Villager actions are for the villager's own household; that check
    /// belongs to the caller, who knows the household.
    #[must_use]
    pub fn can_act(self, action: Action, location: &VillageLocation) -> bool {
        self.can_see(location) && role_allows(self.role, action)
    }

    /// [`Access::can_act`] as a result.
    ///
    /// # Errors
    /// [`DomainError::OutOfScope`] when the village is not covered,
    /// [`DomainError::Forbidden`] when the role does not allow the action.
    pub fn require(self, action: Action, location: &VillageLocation) -> Result<(), DomainError> {
        if !self.can_see(location) {
            Err(DomainError::OutOfScope)
        } else if !role_allows(self.role, action) {
            Err(DomainError::Forbidden)
        } else {
            Ok(())
        }
    }
}

/// The role/action matrix (see "Roles" in `docs/rules.md`).
#[must_use]
pub fn role_allows(role: Role, action: Action) -> bool {
    use Action as A;
    match role {
        Role::Villager => matches!(action, A::ViewBoard | A::Declare | A::Object | A::Redeem),
        Role::VillageAdmin => matches!(
            action,
            A::ViewBoard
                | A::ViewRecords
                | A::ReviewDeclaration
                | A::ScoreDirectly
                | A::RunShop
                | A::ManageMembers
                | A::BindAccount
                | A::RequestCatalogueChange
                | A::PublishBoard
        ),
        Role::VillageCommittee => matches!(
            action,
            A::ViewBoard
                | A::ViewRecords
                | A::DecideObjection
                | A::NominateHonours
                | A::RequestCatalogueChange
                | A::PublishBoard
        ),
        Role::TownOfficer => matches!(
            action,
            A::ViewBoard
                | A::ViewRecords
                | A::DecideEscalation
                | A::PublishBoard
                | A::ViewStatistics
        ),
        Role::DistrictOfficer => matches!(
            action,
            A::ViewBoard
                | A::ViewRecords
                | A::ApproveCatalogueChange
                | A::EditCatalogueTemplate
                | A::ManageOrganisation
                | A::BindAccount
                | A::ViewStatistics
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEPING: VillageLocation = VillageLocation {
        district: DistrictId(1),
        town: TownId(10),
        village: VillageId(100),
    };
    const OTHER_TOWN_VILLAGE: VillageLocation = VillageLocation {
        district: DistrictId(1),
        town: TownId(11),
        village: VillageId(110),
    };
    const OTHER_DISTRICT: VillageLocation = VillageLocation {
        district: DistrictId(2),
        town: TownId(20),
        village: VillageId(200),
    };

    #[test]
    fn r1_village_roles_see_only_their_village() {
        let admin = Access::new(Role::VillageAdmin, Scope::Village(VillageId(100))).unwrap();
        assert!(admin.can_see(&HEPING));
        assert!(!admin.can_see(&OTHER_TOWN_VILLAGE));
        assert_eq!(
            admin.require(Action::ReviewDeclaration, &OTHER_TOWN_VILLAGE),
            Err(DomainError::OutOfScope)
        );
    }

    #[test]
    fn r1_town_sees_its_villages_district_sees_all_of_its() {
        let town = Access::new(Role::TownOfficer, Scope::Town(TownId(10))).unwrap();
        assert!(town.can_see(&HEPING));
        assert!(!town.can_see(&OTHER_TOWN_VILLAGE));
        let district = Access::new(Role::DistrictOfficer, Scope::District(DistrictId(1))).unwrap();
        assert!(district.can_see(&HEPING) && district.can_see(&OTHER_TOWN_VILLAGE));
        assert!(!district.can_see(&OTHER_DISTRICT));
    }

    #[test]
    fn r1_roles_act_only_within_their_duties() {
        let villager = Access::new(Role::Villager, Scope::Village(VillageId(100))).unwrap();
        assert!(villager.can_act(Action::Declare, &HEPING));
        assert!(!villager.can_act(Action::ReviewDeclaration, &HEPING));
        assert_eq!(
            villager.require(Action::ScoreDirectly, &HEPING),
            Err(DomainError::Forbidden)
        );
        let committee =
            Access::new(Role::VillageCommittee, Scope::Village(VillageId(100))).unwrap();
        assert!(committee.can_act(Action::DecideObjection, &HEPING));
        assert!(!committee.can_act(Action::RunShop, &HEPING));
        let town = Access::new(Role::TownOfficer, Scope::Town(TownId(10))).unwrap();
        assert!(town.can_act(Action::DecideEscalation, &HEPING));
        assert!(!town.can_act(Action::ApproveCatalogueChange, &HEPING));
        let district = Access::new(Role::DistrictOfficer, Scope::District(DistrictId(1))).unwrap();
        assert!(district.can_act(Action::ApproveCatalogueChange, &OTHER_TOWN_VILLAGE));
    }

    #[test]
    fn r1_statistics_are_for_the_town_and_the_district_only() {
        for role in [Role::Villager, Role::VillageAdmin, Role::VillageCommittee] {
            assert!(!role_allows(role, Action::ViewStatistics), "{role:?}");
        }
        assert!(role_allows(Role::TownOfficer, Action::ViewStatistics));
        assert!(role_allows(Role::DistrictOfficer, Action::ViewStatistics));
    }

    #[test]
    fn r1_role_and_scope_level_must_match() {
        assert_eq!(
            Access::new(Role::TownOfficer, Scope::Village(VillageId(1))),
            Err(DomainError::ScopeMismatch)
        );
        assert_eq!(
            Access::new(Role::VillageAdmin, Scope::District(DistrictId(1))),
            Err(DomainError::ScopeMismatch)
        );
    }
}
