//! The [`Actor`] every use case receives (design: docs/design/declaration-loop.md).
//!
//! Placeholder shape of the identity part's module: login and tokens live on the identity branch,
//! which owns this file; on merge its version replaces this one.

use aidazu_domain::channel::Channel;
use aidazu_domain::org::{Access, Action, Role, Scope, VillageLocation};
use aidazu_domain::{AccountId, HouseholdId, MemberId, VillageId};
use aidazu_store::audit::AuditRecord;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// A role in a scope, as the API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

impl From<Access> for Grant {
    fn from(a: Access) -> Self {
        Self {
            role: a.role(),
            scope: a.scope(),
        }
    }
}

/// Where a village sits, for scope checks (R1).
pub type VillageScopeInfo = VillageLocation;

/// Who does something: the authenticated account (or the system), its grants and the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account_id: AccountId,
    pub name: String,
    pub member_id: Option<MemberId>,
    pub household_id: Option<HouseholdId>,
    /// The village of the member, if any.
    pub village_id: Option<VillageId>,
    pub grants: Vec<Grant>,
    pub channel: Channel,
    pub request_id: Option<String>,
}

/// Why an actor may not do something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No grant covers the village: answer as if the thing did not exist.
    OutOfScope,
    /// A grant covers the village but no role allows the action.
    Forbidden,
}

impl Actor {
    /// The system actor for jobs and DingTalk events with no person behind them.
    #[must_use]
    pub fn system(channel: Channel) -> Actor {
        Actor {
            account_id: AccountId(0),
            name: "系统".to_owned(),
            member_id: None,
            household_id: None,
            village_id: None,
            grants: Vec::new(),
            channel,
            request_id: None,
        }
    }

    /// Whether the actor holds `role` with a scope covering `village` (located by `org`).
    #[must_use]
    pub fn has_role_in(&self, role: Role, village: VillageId, org: &VillageScopeInfo) -> bool {
        org.village == village
            && self
                .grants
                .iter()
                .any(|g| g.role == role && g.scope.covers(org))
    }

    /// The first role that allows `action` in the village (R1), or why not.
    ///
    /// # Errors
    /// [`Denied::OutOfScope`] when no grant covers the village, [`Denied::Forbidden`] when none of
    /// the covering roles allows the action.
    pub fn role_for(&self, action: Action, location: &VillageLocation) -> Result<Role, Denied> {
        let covering: Vec<&Grant> = self
            .grants
            .iter()
            .filter(|g| g.scope.covers(location))
            .collect();
        if covering.is_empty() {
            return Err(Denied::OutOfScope);
        }
        covering
            .iter()
            .find(|g| Access::new(g.role, g.scope).is_ok_and(|a| a.can_act(action, location)))
            .map(|g| g.role)
            .ok_or(Denied::Forbidden)
    }

    /// [`Actor::role_for`] with app errors: out of scope → `not_found`, else 403 `auth.forbidden`.
    ///
    /// # Errors
    /// `not_found` or [`AppError::Forbidden`].
    pub fn require(
        &self,
        action: Action,
        location: &VillageLocation,
        not_found: AppError,
    ) -> Result<Role, AppError> {
        match self.role_for(action, location) {
            Ok(role) => Ok(role),
            Err(Denied::OutOfScope) => Err(not_found),
            Err(Denied::Forbidden) => Err(AppError::Forbidden),
        }
    }

    /// An audit record of a change made by this actor in `role`.
    #[must_use]
    #[allow(clippy::too_many_arguments)]
    pub fn audit(
        &self,
        role: Option<Role>,
        action: &str,
        entity: &str,
        entity_id: Option<String>,
        village: Option<VillageId>,
        household: Option<HouseholdId>,
        detail: serde_json::Value,
    ) -> AuditRecord {
        AuditRecord {
            actor_account: (self.account_id.get() != 0).then_some(self.account_id),
            role,
            channel: self.channel,
            request_id: self.request_id.clone(),
            action: action.to_owned(),
            entity: entity.to_owned(),
            entity_id,
            village_id: village,
            household_id: household,
            detail,
        }
    }
}
