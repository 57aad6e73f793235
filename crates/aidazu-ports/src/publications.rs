//! Quarterly publications (R16): frozen, versioned snapshots stored with their canonical content
//! and its digest; the village's notice group (F5); the board's household names.

use aidazu_domain::calendar::Quarter;
use aidazu_domain::org::NameDisplay;
use aidazu_domain::{AccountId, HouseholdId, VillageId};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

use crate::{AsRepo, StoreError};

/// A publication to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublication {
    pub village: VillageId,
    pub quarter: Quarter,
    pub version: u32,
    /// SHA-256 of `content`, lowercase hex.
    pub digest: String,
    /// The canonical JSON content.
    pub content: String,
    pub published_on: NaiveDate,
    pub objection_last_day: NaiveDate,
}

/// A stored publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationRecord {
    pub id: i64,
    pub village: VillageId,
    pub quarter: Quarter,
    pub version: u32,
    pub digest: String,
    pub content: String,
    pub published_on: NaiveDate,
    pub objection_last_day: NaiveDate,
    pub created_at: DateTime<Utc>,
}

/// The DingTalk group a village's notices go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeGroup {
    pub village: VillageId,
    pub open_conversation_id: String,
    pub robot_code: String,
    pub updated_by: Option<AccountId>,
    pub updated_at: DateTime<Utc>,
}

/// A household as a board names it: its code and its first member (the head), with the birth
/// year so minors are never named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardHousehold {
    pub household: HouseholdId,
    pub code: String,
    pub head_name: Option<String>,
    pub head_birth_year: Option<i32>,
}

/// The publications repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait PublicationsRepo: Send + Sync {
    /// Stores a publication unless that (village, quarter, version) exists; `None` when it did (the
    /// earlier one stands, nothing is written).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn insert(&self, new: &NewPublication) -> Result<Option<PublicationRecord>, StoreError>;
    /// A village's publication of a quarter: `version`, or the latest when `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn get(
        &self,
        village: VillageId,
        quarter: Quarter,
        version: Option<u32>,
    ) -> Result<Option<PublicationRecord>, StoreError>;
    /// A village's publications, newest quarter first, latest version first within a quarter.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn list(&self, village: VillageId) -> Result<Vec<PublicationRecord>, StoreError>;
    /// The villages of `candidates` that have a publication (any version) of `quarter`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn published_villages(
        &self,
        candidates: &[VillageId],
        quarter: Quarter,
    ) -> Result<Vec<VillageId>, StoreError>;
    /// Sets (or replaces) the village's notice group.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn set_notice_group(
        &self,
        village: VillageId,
        open_conversation_id: &str,
        robot_code: &str,
        by: AccountId,
    ) -> Result<NoticeGroup, StoreError>;
    /// The village's notice group, if one is set.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn notice_group(&self, village: VillageId) -> Result<Option<NoticeGroup>, StoreError>;
    /// Every household of a village with its head, by household id; and how the village shows names.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::NotFound`].
    async fn board_households(
        &self,
        village: VillageId,
    ) -> Result<(NameDisplay, HashMap<HouseholdId, BoardHousehold>), StoreError>;
}

/// Stores a publication unless that (village, quarter, version) exists; `None` when it did (the
/// earlier one stands, nothing is written).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn insert(
    db: &(impl AsRepo + ?Sized),
    new: &NewPublication,
) -> Result<Option<PublicationRecord>, StoreError> {
    PublicationsRepo::insert(db.repo(), new).await
}

/// A village's publication of a quarter: `version`, or the latest when `None`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn get(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    quarter: Quarter,
    version: Option<u32>,
) -> Result<Option<PublicationRecord>, StoreError> {
    PublicationsRepo::get(db.repo(), village, quarter, version).await
}

/// A village's publications, newest quarter first, latest version first within a quarter.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn list(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
) -> Result<Vec<PublicationRecord>, StoreError> {
    PublicationsRepo::list(db.repo(), village).await
}

/// The villages of `candidates` that have a publication (any version) of `quarter`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn published_villages(
    db: &(impl AsRepo + ?Sized),
    candidates: &[VillageId],
    quarter: Quarter,
) -> Result<Vec<VillageId>, StoreError> {
    PublicationsRepo::published_villages(db.repo(), candidates, quarter).await
}

/// Sets (or replaces) the village's notice group.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_notice_group(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    open_conversation_id: &str,
    robot_code: &str,
    by: AccountId,
) -> Result<NoticeGroup, StoreError> {
    PublicationsRepo::set_notice_group(db.repo(), village, open_conversation_id, robot_code, by)
        .await
}

/// The village's notice group, if one is set.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn notice_group(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
) -> Result<Option<NoticeGroup>, StoreError> {
    PublicationsRepo::notice_group(db.repo(), village).await
}

/// Every household of a village with its head, by household id; and how the village shows names.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::NotFound`].
pub async fn board_households(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
) -> Result<(NameDisplay, HashMap<HouseholdId, BoardHousehold>), StoreError> {
    PublicationsRepo::board_households(db.repo(), village).await
}
