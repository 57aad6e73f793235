//! Objections to a quarterly publication (R17): the domain [`Objection`] stored with its village,
//! the publication it answers and, once upheld, the correction entry. The state is kept twice:
//! `state` (for filters) and `status` (the domain's status with its decisions, JSON).

use aidazu_domain::objection::{Objection, ObjectionDraft, ObjectionState};
use aidazu_domain::{HouseholdId, LedgerEntryId, ObjectionId, VillageId};
use chrono::NaiveDate;

use crate::{AsRepo, StoreError};

/// A stored objection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObjection {
    pub objection: Objection,
    pub village: VillageId,
    pub publication_id: i64,
    pub correction_entry: Option<LedgerEntryId>,
    /// Evidence photos given with the objection.
    pub photo_ids: Vec<i64>,
    /// The DingTalk OA approval opened for the committee (F6), once the gateway created it.
    pub process_instance_id: Option<String>,
}

/// The objections repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait ObjectionsRepo: Send + Sync {
    /// Files an objection; the domain has checked it (window, text). Returns it with its id.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn insert(
        &self,
        village: VillageId,
        publication_id: i64,
        draft: &ObjectionDraft,
        photo_ids: &[i64],
        filed_on: NaiveDate,
    ) -> Result<i64, StoreError>;
    /// One objection.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn get(&self, id: ObjectionId) -> Result<Option<StoredObjection>, StoreError>;
    /// Objections raised by members of a household, newest first.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn by_household(
        &self,
        household: HouseholdId,
    ) -> Result<Vec<StoredObjection>, StoreError>;
    /// Objections of a village (optionally of one state), newest first.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn by_village(
        &self,
        village: VillageId,
        state: Option<ObjectionState>,
    ) -> Result<Vec<StoredObjection>, StoreError>;
    /// Upheld objections (by the committee or the town) of every village, oldest first: each one
    /// owes an amended publication (R17), which the scheduler re-checks.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn upheld(&self) -> Result<Vec<StoredObjection>, StoreError>;
    /// Writes a decided objection if it is still in `expected` (compare-and-set): `false` when a
    /// concurrent decision changed it first (nothing is written then).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Invalid`].
    async fn save_decision(
        &self,
        objection: &Objection,
        expected: ObjectionState,
        correction_entry: Option<LedgerEntryId>,
    ) -> Result<bool, StoreError>;
    /// Records the DingTalk approval instance opened for an objection (F6; set by the gateway once
    /// `objection.approval.create` was sent). Idempotent for the same value.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn set_process_instance_id(
        &self,
        id: ObjectionId,
        process_instance_id: &str,
    ) -> Result<(), StoreError>;
    /// The objection whose approval instance is `process_instance_id` (F6).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn by_process_instance(
        &self,
        process_instance_id: &str,
    ) -> Result<Option<StoredObjection>, StoreError>;
    /// Open objections with an approval instance, filed on or before `filed_by` (the reconciler's
    /// re-check, F6).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn open_with_approval_filed_by(
        &self,
        filed_by: NaiveDate,
    ) -> Result<Vec<StoredObjection>, StoreError>;
}

/// Files an objection; the domain has checked it (window, text). Returns it with its id.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn insert(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    publication_id: i64,
    draft: &ObjectionDraft,
    photo_ids: &[i64],
    filed_on: NaiveDate,
) -> Result<i64, StoreError> {
    ObjectionsRepo::insert(
        db.repo(),
        village,
        publication_id,
        draft,
        photo_ids,
        filed_on,
    )
    .await
}

/// One objection.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn get(
    db: &(impl AsRepo + ?Sized),
    id: ObjectionId,
) -> Result<Option<StoredObjection>, StoreError> {
    ObjectionsRepo::get(db.repo(), id).await
}

/// Objections raised by members of a household, newest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn by_household(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
) -> Result<Vec<StoredObjection>, StoreError> {
    ObjectionsRepo::by_household(db.repo(), household).await
}

/// Objections of a village (optionally of one state), newest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn by_village(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    state: Option<ObjectionState>,
) -> Result<Vec<StoredObjection>, StoreError> {
    ObjectionsRepo::by_village(db.repo(), village, state).await
}

/// Upheld objections (by the committee or the town) of every village, oldest first: each one
/// owes an amended publication (R17), which the scheduler re-checks.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn upheld(db: &(impl AsRepo + ?Sized)) -> Result<Vec<StoredObjection>, StoreError> {
    ObjectionsRepo::upheld(db.repo()).await
}

/// Writes a decided objection if it is still in `expected` (compare-and-set): `false` when a
/// concurrent decision changed it first (nothing is written then).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Invalid`].
pub async fn save_decision(
    db: &(impl AsRepo + ?Sized),
    objection: &Objection,
    expected: ObjectionState,
    correction_entry: Option<LedgerEntryId>,
) -> Result<bool, StoreError> {
    ObjectionsRepo::save_decision(db.repo(), objection, expected, correction_entry).await
}

/// Records the DingTalk approval instance opened for an objection (F6; set by the gateway once
/// `objection.approval.create` was sent). Idempotent for the same value.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_process_instance_id(
    db: &(impl AsRepo + ?Sized),
    id: ObjectionId,
    process_instance_id: &str,
) -> Result<(), StoreError> {
    ObjectionsRepo::set_process_instance_id(db.repo(), id, process_instance_id).await
}

/// The objection whose approval instance is `process_instance_id` (F6).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn by_process_instance(
    db: &(impl AsRepo + ?Sized),
    process_instance_id: &str,
) -> Result<Option<StoredObjection>, StoreError> {
    ObjectionsRepo::by_process_instance(db.repo(), process_instance_id).await
}

/// Open objections with an approval instance, filed on or before `filed_by` (the reconciler's
/// re-check, F6).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn open_with_approval_filed_by(
    db: &(impl AsRepo + ?Sized),
    filed_by: NaiveDate,
) -> Result<Vec<StoredObjection>, StoreError> {
    ObjectionsRepo::open_with_approval_filed_by(db.repo(), filed_by).await
}
