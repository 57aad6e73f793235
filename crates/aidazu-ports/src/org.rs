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
    /// The households of a village, ordered by code, with the head's name.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn households(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<Vec<crate::org::HouseholdSummary>, crate::StoreError>;
    /// One household by village and code (`heping-01-001`), or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn household_by_code(
        &self,
        village: aidazu_domain::VillageId,
        code: &str,
    ) -> Result<Option<crate::org::HouseholdSummary>, crate::StoreError>;
    /// The members of a household as domain values (no personal data), in insertion order.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn household_members(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<aidazu_domain::org::Member>, crate::StoreError>;
    /// Every village, ordered by district, town and village code.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn list_villages(&self) -> Result<Vec<crate::org::VillageSummary>, crate::StoreError>;
    /// One village, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn village(
        &self,
        id: aidazu_domain::VillageId,
    ) -> Result<Option<crate::org::VillageSummary>, crate::StoreError>;
    /// The village a household belongs to, or `None` for an unknown household.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn household_village(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Option<aidazu_domain::VillageId>, crate::StoreError>;
    /// The points-year calendar of the district a village belongs to (R14).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown village, [`StoreError::Query`].
    async fn village_calendar(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<aidazu_domain::calendar::PointsYearConfig, crate::StoreError>;
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

/// The households of a village, ordered by code, with the head's name.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn households(
    db: &(impl AsRepo + ?Sized),
    village: aidazu_domain::VillageId,
) -> Result<Vec<crate::org::HouseholdSummary>, crate::StoreError> {
    OrgRepo::households(db.repo(), village).await
}

/// One household by village and code (`heping-01-001`), or `None`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn household_by_code(
    db: &(impl AsRepo + ?Sized),
    village: aidazu_domain::VillageId,
    code: &str,
) -> Result<Option<crate::org::HouseholdSummary>, crate::StoreError> {
    OrgRepo::household_by_code(db.repo(), village, code).await
}

/// The members of a household as domain values (no personal data), in insertion order.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn household_members(
    db: &(impl AsRepo + ?Sized),
    household: aidazu_domain::HouseholdId,
) -> Result<Vec<aidazu_domain::org::Member>, crate::StoreError> {
    OrgRepo::household_members(db.repo(), household).await
}

/// Every village, ordered by district, town and village code.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn list_villages(
    db: &(impl AsRepo + ?Sized),
) -> Result<Vec<crate::org::VillageSummary>, crate::StoreError> {
    OrgRepo::list_villages(db.repo()).await
}

/// One village, or `None`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn village(
    db: &(impl AsRepo + ?Sized),
    id: aidazu_domain::VillageId,
) -> Result<Option<crate::org::VillageSummary>, crate::StoreError> {
    OrgRepo::village(db.repo(), id).await
}

/// The village a household belongs to, or `None` for an unknown household.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn household_village(
    db: &(impl AsRepo + ?Sized),
    household: aidazu_domain::HouseholdId,
) -> Result<Option<aidazu_domain::VillageId>, crate::StoreError> {
    OrgRepo::household_village(db.repo(), household).await
}

/// The points-year calendar of the district a village belongs to (R14).
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown village, [`StoreError::Query`].
pub async fn village_calendar(
    db: &(impl AsRepo + ?Sized),
    village: aidazu_domain::VillageId,
) -> Result<aidazu_domain::calendar::PointsYearConfig, crate::StoreError> {
    OrgRepo::village_calendar(db.repo(), village).await
}
