//! Reading the audit trail (R22): for the village admin and committee of the village, the town
//! officers of its town and the district.

use aidazu_domain::org::Action;
use aidazu_domain::{AccountId, HouseholdId, VillageId};
use aidazu_store::audit::{self, AuditListEntry, AuditPageFilter};

use crate::auth::Actor;
use crate::{App, AppError};

/// What to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditQuery {
    /// Required unless `household` is given (then its village).
    pub village: Option<VillageId>,
    pub household: Option<HouseholdId>,
    pub actor: Option<AccountId>,
    pub page: u64,
    pub per_page: u64,
}

/// A page of audit records.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub village: VillageId,
    pub entries: Vec<AuditListEntry>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl App {
    /// Audit records of a village, newest first, filterable by household and actor.
    ///
    /// # Errors
    /// [`AppError::InvalidField`], [`AppError::HouseholdNotFound`], [`AppError::Forbidden`],
    /// storage errors.
    pub async fn audit_log(&self, actor: &Actor, query: AuditQuery) -> Result<AuditPage, AppError> {
        let household_village = match query.household {
            Some(h) => Some(
                self.store()
                    .household_village(h)
                    .await?
                    .ok_or(AppError::HouseholdNotFound(h.get()))?,
            ),
            None => None,
        };
        let village = match (query.village, household_village) {
            (Some(v), Some(hv)) if v != hv => {
                return Err(AppError::HouseholdNotFound(
                    query.household.map_or(0, HouseholdId::get),
                ));
            }
            (Some(v), _) | (None, Some(v)) => v,
            (None, None) => {
                return Err(AppError::InvalidField {
                    field: "villageId",
                    message: "请指定村社 villageId 或农户 householdId",
                });
            }
        };
        let location = self.village_location(village).await?;
        let not_found = match query.household {
            Some(h) => AppError::HouseholdNotFound(h.get()),
            None => AppError::Forbidden,
        };
        actor.require(Action::ViewRecords, &location, not_found)?;
        let (entries, total) = audit::list_page(
            self.store().connection(),
            AuditPageFilter {
                village,
                household: query.household,
                actor: query.actor,
                page: query.page,
                per_page: query.per_page,
            },
        )
        .await?;
        Ok(AuditPage {
            village,
            entries,
            total,
            page: query.page,
            per_page: query.per_page,
        })
    }
}
