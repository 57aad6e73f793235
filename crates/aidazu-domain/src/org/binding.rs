//! Who may bind a DingTalk account to a member (F1, R1), decided once here.
//!
//! A village admin binds a DingTalk user only when that user has no account yet, or its account
//! belongs to this village alone (its member, past members and grants are all of this village)
//! and is active. Moving an account across villages needs a district officer. A binding never
//! re-activates an account of another village, and nobody binds their own account (that would let
//! an admin move himself next to a household and then review it).

use serde::{Deserialize, Serialize};

use super::access::{Access, Role, Scope, VillageLocation};
use crate::error::DomainError;
use crate::ids::{AccountId, VillageId};

/// What is known about an existing account before it is bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountStanding {
    pub account: AccountId,
    pub active: bool,
    /// Village of the member it is bound to now.
    pub member_village: Option<VillageId>,
    /// Villages of the members it was bound to before.
    pub past_villages: Vec<VillageId>,
    /// Its role grants.
    pub grants: Vec<Access>,
}

impl AccountStanding {
    /// Whether anything ties the account to a place other than `village`.
    #[must_use]
    pub fn belongs_elsewhere(&self, village: VillageId) -> bool {
        self.member_village.is_some_and(|v| v != village)
            || self.past_villages.iter().any(|v| *v != village)
            || self.grants.iter().any(|g| match g.scope() {
                Scope::Village(v) => v != village,
                Scope::Town(_) | Scope::District(_) => true,
            })
    }
}

/// Decides whether `binder` (holding `binder_grants`) may bind the account `existing` (or a new
/// one, when `None`) to a member of the village at `target`.
///
/// # Errors
/// [`DomainError::BindingSelf`], [`DomainError::BindingInactiveElsewhere`],
/// [`DomainError::BindingOtherVillage`].
pub fn check_binding(
    binder: AccountId,
    binder_grants: &[Access],
    target: &VillageLocation,
    existing: Option<&AccountStanding>,
) -> Result<(), DomainError> {
    let Some(existing) = existing else {
        return Ok(());
    };
    if existing.account == binder {
        return Err(DomainError::BindingSelf);
    }
    if !existing.belongs_elsewhere(target.village) {
        return Ok(());
    }
    if !existing.active {
        return Err(DomainError::BindingInactiveElsewhere);
    }
    let district = binder_grants
        .iter()
        .any(|g| g.role() == Role::DistrictOfficer && g.scope().covers(target));
    if district {
        Ok(())
    } else {
        Err(DomainError::BindingOtherVillage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{DistrictId, TownId};

    const HEPING: VillageLocation = VillageLocation {
        district: DistrictId(1),
        town: TownId(10),
        village: VillageId(100),
    };

    fn grant(role: Role, scope: Scope) -> Access {
        Access::new(role, scope).unwrap()
    }

    fn standing(member: Option<i64>, grants: Vec<Access>) -> AccountStanding {
        AccountStanding {
            account: AccountId(7),
            active: true,
            member_village: member.map(VillageId),
            past_villages: Vec::new(),
            grants,
        }
    }

    fn admin() -> Vec<Access> {
        vec![grant(Role::VillageAdmin, Scope::Village(VillageId(100)))]
    }

    #[test]
    fn f1_new_and_same_village_accounts_may_be_bound() {
        assert_eq!(check_binding(AccountId(1), &admin(), &HEPING, None), Ok(()));
        let same = standing(
            Some(100),
            vec![grant(Role::Villager, Scope::Village(VillageId(100)))],
        );
        assert_eq!(
            check_binding(AccountId(1), &admin(), &HEPING, Some(&same)),
            Ok(())
        );
    }

    #[test]
    fn r1_accounts_of_other_villages_or_staff_need_the_district() {
        let villager = standing(
            Some(200),
            vec![grant(Role::Villager, Scope::Village(VillageId(200)))],
        );
        let officer = standing(
            None,
            vec![grant(Role::DistrictOfficer, Scope::District(DistrictId(1)))],
        );
        let mut moved = standing(Some(100), Vec::new());
        moved.past_villages = vec![VillageId(200)];
        for s in [&villager, &officer, &moved] {
            assert_eq!(
                check_binding(AccountId(1), &admin(), &HEPING, Some(s)),
                Err(DomainError::BindingOtherVillage)
            );
        }
        let district = vec![grant(Role::DistrictOfficer, Scope::District(DistrictId(1)))];
        assert_eq!(
            check_binding(AccountId(1), &district, &HEPING, Some(&villager)),
            Ok(())
        );
    }

    #[test]
    fn f1_inactive_accounts_of_other_villages_stay_inactive_and_nobody_binds_himself() {
        let mut gone = standing(None, Vec::new());
        gone.active = false;
        gone.past_villages = vec![VillageId(200)];
        let district = vec![grant(Role::DistrictOfficer, Scope::District(DistrictId(1)))];
        assert_eq!(
            check_binding(AccountId(1), &district, &HEPING, Some(&gone)),
            Err(DomainError::BindingInactiveElsewhere)
        );
        let me = standing(Some(100), admin());
        assert_eq!(
            check_binding(AccountId(7), &admin(), &HEPING, Some(&me)),
            Err(DomainError::BindingSelf)
        );
    }
}
