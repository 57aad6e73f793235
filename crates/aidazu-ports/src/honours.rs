//! Honours (R18, D5): the frozen assessment of a village's points-year and the committee's
//! nominations. The content is the application's JSON (the domain's assessment with names).

use aidazu_domain::calendar::PointsYear;
use aidazu_domain::{AccountId, HouseholdId, MemberId, VillageId};
use chrono::{DateTime, Utc};

use crate::{AsRepo, StoreError};

/// A stored assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HonoursListRecord {
    pub id: i64,
    pub village: VillageId,
    pub year: PointsYear,
    pub n: u32,
    pub sum: i64,
    pub mean: Option<String>,
    pub catalogue_version: Option<u32>,
    pub content: String,
    pub taken_at: DateTime<Utc>,
}

/// An assessment to freeze.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHonoursList {
    pub village: VillageId,
    pub year: PointsYear,
    pub n: u32,
    pub sum: i64,
    pub mean: Option<String>,
    pub catalogue_version: Option<u32>,
    pub content: String,
}

/// A nomination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nomination {
    pub id: i64,
    pub village: VillageId,
    pub year: PointsYear,
    /// The honour's snake_case name (`beautiful_family`, …).
    pub honour: String,
    pub household: HouseholdId,
    pub member: Option<MemberId>,
    pub nominated_by: Option<AccountId>,
    pub created_at: DateTime<Utc>,
}

/// The honours repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait HonoursRepo: Send + Sync {
    /// Stores the assessment unless one exists for (village, year); returns the one that stands.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn freeze(&self, new: NewHonoursList) -> Result<HonoursListRecord, StoreError>;
    /// The frozen assessment of (village, year), if taken.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn frozen(
        &self,
        village: VillageId,
        year: PointsYear,
    ) -> Result<Option<HonoursListRecord>, StoreError>;
    /// Records a nomination (once: the same nomination again returns the first).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn nominate(
        &self,
        village: VillageId,
        year: PointsYear,
        honour: &str,
        household: HouseholdId,
        member: Option<MemberId>,
        by: AccountId,
    ) -> Result<Nomination, StoreError>;
    /// The nominations of (village, year), oldest first.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn nominations(
        &self,
        village: VillageId,
        year: PointsYear,
    ) -> Result<Vec<Nomination>, StoreError>;
}

/// Stores the assessment unless one exists for (village, year); returns the one that stands.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn freeze(
    db: &(impl AsRepo + ?Sized),
    new: NewHonoursList,
) -> Result<HonoursListRecord, StoreError> {
    HonoursRepo::freeze(db.repo(), new).await
}

/// The frozen assessment of (village, year), if taken.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn frozen(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    year: PointsYear,
) -> Result<Option<HonoursListRecord>, StoreError> {
    HonoursRepo::frozen(db.repo(), village, year).await
}

/// Records a nomination (once: the same nomination again returns the first).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn nominate(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    year: PointsYear,
    honour: &str,
    household: HouseholdId,
    member: Option<MemberId>,
    by: AccountId,
) -> Result<Nomination, StoreError> {
    HonoursRepo::nominate(db.repo(), village, year, honour, household, member, by).await
}

/// The nominations of (village, year), oldest first.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn nominations(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    year: PointsYear,
) -> Result<Vec<Nomination>, StoreError> {
    HonoursRepo::nominations(db.repo(), village, year).await
}
