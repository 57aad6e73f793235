//! The points ledger (R12, R13): append-only. There is no update or delete here, and the
//! database refuses them too (triggers from the migrations).
//!
//! Writes take a connection or a transaction (`&impl AsRepo`: the `Database` or a `Transaction`), so a use case can append
//! an entry in the same transaction as the change that causes it and its outbox row.

use aidazu_domain::calendar::PointsYear;
use aidazu_domain::channel::Channel;
use aidazu_domain::ledger::LedgerEntry;
use aidazu_domain::{CatalogueVersionId, HouseholdId, LedgerEntryId, Points, VillageId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{AsRepo, StoreError};

/// An entry to append, with what the domain entry does not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLedgerEntry {
    pub entry: LedgerEntry,
    /// The points-year the entry belongs to (a Q4 correction booked in January belongs to the
    /// year before; the caller knows).
    pub points_year: PointsYear,
    pub channel: Channel,
    pub request_id: Option<String>,
    /// A caller-chosen key that makes the append idempotent: appending the same key again
    /// returns the first entry's id and writes nothing.
    pub idempotency_key: Option<String>,
}

/// A stored entry with its row id and booking metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredLedgerEntry {
    pub id: LedgerEntryId,
    pub village: VillageId,
    pub points_year: PointsYear,
    pub catalogue_version_id: Option<CatalogueVersionId>,
    pub channel: String,
    pub request_id: Option<String>,
    /// Business date (Asia/Shanghai) of `entry.occurred_at`.
    pub occurred_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub entry: LedgerEntry,
}

/// The two figures of a household for a points-year (R13).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HouseholdTotals {
    /// 年度积分: awards + penalties + corrections. Redemptions never lower it.
    pub score: Points,
    /// 可用积分: score − redeemed + refunded (and zero after the year close).
    pub balance: Points,
}

/// A household's figures in a village listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HouseholdYearTotals {
    pub household: HouseholdId,
    #[serde(flatten)]
    pub totals: HouseholdTotals,
}

/// The ledger repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait LedgerRepo: Send + Sync {
    /// Appends one entry on `db` (use a transaction to book it together with its cause).
    ///
    /// Checks the sign of the amount for its kind, that the source fits the kind, that the member
    /// belongs to the household, and that an item source names an item of that version in the
    /// household's district. Returns the id of the new entry, or of the earlier entry with the same
    /// idempotency key.
    ///
    /// # Errors
    /// [`StoreError::Invalid`], [`StoreError::NotFound`] (household), [`StoreError::Conflict`] when a
    /// concurrent append won the idempotency key, [`StoreError::Query`].
    async fn append_entry(&self, new: &NewLedgerEntry) -> Result<LedgerEntryId, StoreError>;
    /// Locks the household's row until the transaction ends, so read-check-append sequences
    /// (redemptions against the balance, caps) of one household run one at a time. PostgreSQL:
    /// `SELECT … FOR UPDATE`; SQLite: the store's single connection already serialises transactions.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Query`].
    async fn lock_household(&self, household: HouseholdId) -> Result<(), StoreError>;
    /// Score and balance of a household for a points-year (R13), from the read model the append
    /// maintains in the same transaction (`crate::read_models`).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn household_totals(
        &self,
        household: HouseholdId,
        points_year: PointsYear,
    ) -> Result<HouseholdTotals, StoreError>;
    /// Score and balance of every household of a village for a points-year, households without
    /// entries included (zero), ordered by household id, from the maintained read model.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn village_totals(
        &self,
        village: VillageId,
        points_year: PointsYear,
    ) -> Result<Vec<HouseholdYearTotals>, StoreError>;
    /// The entries of a household for a points-year, in booking order — what
    /// `HouseholdYearLedger::from_entries` takes.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn household_entries(
        &self,
        household: HouseholdId,
        points_year: PointsYear,
    ) -> Result<Vec<StoredLedgerEntry>, StoreError>;
    /// Every entry of a village's households for a points-year, in booking order (one query; what the
    /// quarterly publication rebuilds each household's `HouseholdYearLedger` from).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn village_entries(
        &self,
        village: VillageId,
        points_year: PointsYear,
    ) -> Result<Vec<StoredLedgerEntry>, StoreError>;
}

/// Appends one entry on `db` (use a transaction to book it together with its cause).
///
/// Checks the sign of the amount for its kind, that the source fits the kind, that the member
/// belongs to the household, and that an item source names an item of that version in the
/// household's district. Returns the id of the new entry, or of the earlier entry with the same
/// idempotency key.
///
/// # Errors
/// [`StoreError::Invalid`], [`StoreError::NotFound`] (household), [`StoreError::Conflict`] when a
/// concurrent append won the idempotency key, [`StoreError::Query`].
pub async fn append_entry(
    db: &(impl AsRepo + ?Sized),
    new: &NewLedgerEntry,
) -> Result<LedgerEntryId, StoreError> {
    LedgerRepo::append_entry(db.repo(), new).await
}

/// Locks the household's row until the transaction ends, so read-check-append sequences
/// (redemptions against the balance, caps) of one household run one at a time. PostgreSQL:
/// `SELECT … FOR UPDATE`; SQLite: the store's single connection already serialises transactions.
///
/// # Errors
/// [`StoreError::NotFound`], [`StoreError::Query`].
pub async fn lock_household(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
) -> Result<(), StoreError> {
    LedgerRepo::lock_household(db.repo(), household).await
}

/// Score and balance of a household for a points-year (R13), from the read model the append
/// maintains in the same transaction (`crate::read_models`).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn household_totals(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
    points_year: PointsYear,
) -> Result<HouseholdTotals, StoreError> {
    LedgerRepo::household_totals(db.repo(), household, points_year).await
}

/// Score and balance of every household of a village for a points-year, households without
/// entries included (zero), ordered by household id, from the maintained read model.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_totals(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    points_year: PointsYear,
) -> Result<Vec<HouseholdYearTotals>, StoreError> {
    LedgerRepo::village_totals(db.repo(), village, points_year).await
}

/// The entries of a household for a points-year, in booking order — what
/// `HouseholdYearLedger::from_entries` takes.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn household_entries(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
    points_year: PointsYear,
) -> Result<Vec<StoredLedgerEntry>, StoreError> {
    LedgerRepo::household_entries(db.repo(), household, points_year).await
}

/// Every entry of a village's households for a points-year, in booking order (one query; what the
/// quarterly publication rebuilds each household's `HouseholdYearLedger` from).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_entries(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    points_year: PointsYear,
) -> Result<Vec<StoredLedgerEntry>, StoreError> {
    LedgerRepo::village_entries(db.repo(), village, points_year).await
}
