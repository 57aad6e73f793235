//! Versioned catalogues (R5–R7): inserting a version with its items, and finding the version in
//! force for a village on a date. Versions never change once written; a change is a new version.

use aidazu_domain::catalogue::CatalogueVersion;
use aidazu_domain::{CatalogueVersionId, DistrictId, VillageId};
use chrono::NaiveDate;
use serde::Serialize;

use crate::{AsRepo, StoreError};

/// Who a catalogue version belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "level", content = "id", rename_all = "snake_case")]
pub enum CatalogueOwner {
    /// The district's version, in force for every village without its own.
    District(DistrictId),
    /// One village's own version (approved by the district office).
    Village(VillageId),
}

/// Where a version is in its approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CatalogueStatus {
    /// Requested by a village, waiting for the district office.
    Requested,
    /// Approved: in force from its effective date.
    Approved,
    Rejected,
    Withdrawn,
}

impl CatalogueStatus {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Parses the stored name.
    #[allow(clippy::missing_errors_doc)]
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "requested" => Self::Requested,
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            "withdrawn" => Self::Withdrawn,
            other => return Err(StoreError::Corrupt(format!("catalogue status {other:?}"))),
        })
    }
}

/// A stored version: the domain version plus where it lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCatalogueVersion {
    pub id: CatalogueVersionId,
    pub district: DistrictId,
    /// `Some` for a village's own version.
    pub village: Option<VillageId>,
    pub status: CatalogueStatus,
    /// First day of the quarter it takes effect (a business date, Asia/Shanghai).
    pub effective_from: NaiveDate,
    pub version: CatalogueVersion,
}

/// The catalogue repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait CatalogueRepo: Send + Sync {
    /// A stored version by its row id (e.g. the version a declaration was made under).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Corrupt`], [`StoreError::Query`].
    async fn catalogue_version_by_id(
        &self,
        id: CatalogueVersionId,
    ) -> Result<StoredCatalogueVersion, StoreError>;
    /// The version in force for `village` on `on`: the village's own approved version with the
    /// latest effective date on or before `on`, else the district's; never a future one (R7).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown village, [`StoreError::Corrupt`] for rows that no
    /// longer validate, [`StoreError::Query`].
    async fn catalogue_in_force(
        &self,
        village: aidazu_domain::VillageId,
        on: chrono::NaiveDate,
    ) -> Result<Option<aidazu_domain::catalogue::CatalogueVersion>, crate::StoreError>;
    /// `catalogue_in_force` with the row id and owner, which ledger entries refer to.
    ///
    /// # Errors
    /// As `catalogue_in_force`.
    async fn catalogue_in_force_stored(
        &self,
        village: aidazu_domain::VillageId,
        on: chrono::NaiveDate,
    ) -> Result<Option<crate::catalogue::StoredCatalogueVersion>, crate::StoreError>;
}

/// A stored version by its row id (e.g. the version a declaration was made under).
///
/// # Errors
/// [`StoreError::NotFound`], [`StoreError::Corrupt`], [`StoreError::Query`].
pub async fn catalogue_version_by_id(
    db: &(impl AsRepo + ?Sized),
    id: CatalogueVersionId,
) -> Result<StoredCatalogueVersion, StoreError> {
    CatalogueRepo::catalogue_version_by_id(db.repo(), id).await
}

/// The version in force for `village` on `on`: the village's own approved version with the
/// latest effective date on or before `on`, else the district's; never a future one (R7).
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown village, [`StoreError::Corrupt`] for rows that no
/// longer validate, [`StoreError::Query`].
pub async fn catalogue_in_force(
    db: &(impl AsRepo + ?Sized),
    village: aidazu_domain::VillageId,
    on: chrono::NaiveDate,
) -> Result<Option<aidazu_domain::catalogue::CatalogueVersion>, crate::StoreError> {
    CatalogueRepo::catalogue_in_force(db.repo(), village, on).await
}

/// `catalogue_in_force` with the row id and owner, which ledger entries refer to.
///
/// # Errors
/// As `catalogue_in_force`.
pub async fn catalogue_in_force_stored(
    db: &(impl AsRepo + ?Sized),
    village: aidazu_domain::VillageId,
    on: chrono::NaiveDate,
) -> Result<Option<crate::catalogue::StoredCatalogueVersion>, crate::StoreError> {
    CatalogueRepo::catalogue_in_force_stored(db.repo(), village, on).await
}
