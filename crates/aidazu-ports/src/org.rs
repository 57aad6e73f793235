//! Read models of the organisation tree (R1).

use aidazu_domain::calendar::CalendarOverrides;
use aidazu_domain::org::VillageLocation;
use aidazu_domain::{DistrictId, GroupId, HouseholdId, TownId, VillageId};
use serde::Serialize;

use crate::{AsRepo, StoreError};

/// A town as shown beside a village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TownRef {
    pub id: TownId,
    pub code: String,
    pub name: String,
}

/// A district as shown beside a village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistrictRef {
    pub id: DistrictId,
    pub code: String,
    pub name: String,
}

/// A village with the town and district it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageSummary {
    pub id: VillageId,
    pub code: String,
    pub name: String,
    pub town: TownRef,
    pub district: DistrictRef,
}

impl VillageSummary {
    /// Where the village sits, for access checks (`aidazu_domain::org::Access`).
    #[must_use]
    pub fn location(&self) -> VillageLocation {
        VillageLocation {
            district: self.district.id,
            town: self.town.id,
            village: self.id,
        }
    }
}

/// A household as listed in its village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdSummary {
    pub id: HouseholdId,
    pub village: VillageId,
    pub group: Option<GroupId>,
    pub code: String,
    pub address: String,
    /// Name of the first member (户主 in the demo data).
    pub head_name: Option<String>,
}

/// The org repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait OrgRepo: Send + Sync {
    /// A district's own days over the national working-day calendar (issue 12); `None` when the
    /// district does not exist.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`] for an unreadable stored value.
    async fn district_calendar(
        &self,
        district: DistrictId,
    ) -> Result<Option<CalendarOverrides>, StoreError>;
    /// Stores a district's own days (`NULL` when it has none left).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn set_district_calendar(
        &self,
        district: DistrictId,
        overrides: &CalendarOverrides,
    ) -> Result<(), StoreError>;
}

/// A district's own days over the national working-day calendar (issue 12); `None` when the
/// district does not exist.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`] for an unreadable stored value.
pub async fn district_calendar(
    db: &(impl AsRepo + ?Sized),
    district: DistrictId,
) -> Result<Option<CalendarOverrides>, StoreError> {
    OrgRepo::district_calendar(db.repo(), district).await
}

/// Stores a district's own days (`NULL` when it has none left).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_district_calendar(
    db: &(impl AsRepo + ?Sized),
    district: DistrictId,
    overrides: &CalendarOverrides,
) -> Result<(), StoreError> {
    OrgRepo::set_district_calendar(db.repo(), district, overrides).await
}
