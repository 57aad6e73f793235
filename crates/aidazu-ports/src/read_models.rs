//! Read models kept in the writing transaction (issue 11), so the villager's reads cost the same
//! in a village of 50 households as in one of 5,000, and in a district of 80,000:
//!
//! - `household_year_totals`: score, balance, net score points per quarter and entry count of a
//!   household for a points-year. [`crate::ledger::append_entry`], the one function every writer
//!   books through (decisions, admin entries, shop orders and refunds, activities, objection
//!   corrections, the year close), applies the entry's [`TotalsDelta`] here — the domain decides
//!   what counts toward the score and the balance; this module only adds.
//! - `household_participation`: the periods in which a household takes part
//!   ([`participation_spans`]), rewritten by [`refresh_household_participation`] whenever a
//!   member or a participation change of the household is written.
//!
//! [`check_totals`] refolds the ledger and reports where the maintained figures differ
//! (`aidazu verify`); [`rebuild_missing`] fills the tables of a database written before they
//! existed.

use aidazu_domain::calendar::PointsYear;
use aidazu_domain::ledger::YearTotals;
use aidazu_domain::{HouseholdId, VillageId};
use chrono::NaiveDate;
use std::collections::HashMap;

use crate::{AsRepo, StoreError};

/// A household-year whose maintained figures differ from the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalsMismatch {
    pub household: HouseholdId,
    pub points_year: String,
    /// Refolded from the ledger.
    pub ledger: YearTotals,
    /// As maintained (zero when the row is missing).
    pub maintained: YearTotals,
}

/// What [`check_totals`] found for a village.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TotalsCheck {
    /// Household-years compared.
    pub household_years: u64,
    /// Entries folded.
    pub entries: i64,
    /// Sum of every household-year's score and balance from the ledger.
    pub score: i64,
    pub balance: i64,
    pub mismatches: Vec<TotalsMismatch>,
}

/// A household's standing on a date: its figures for the points-year, whether it takes part,
/// and its competition rank among the village's participating households.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub household: HouseholdId,
    pub village: VillageId,
    pub group: Option<crate::households::GroupRef>,
    pub code: String,
    pub address: String,
    pub totals: YearTotals,
    pub participating: bool,
    /// Participating households of the village with a strictly higher score.
    pub strictly_higher: u64,
    /// Participating households of the village.
    pub ranked: u64,
}

/// The read_models repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait ReadModelsRepo: Send + Sync {
    /// The maintained figures of every household of a village with entries in the points-year.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn village_year_totals(
        &self,
        village: VillageId,
        points_year: PointsYear,
    ) -> Result<HashMap<HouseholdId, YearTotals>, StoreError>;
    /// The households of a village that take part on `on` (R3), by their participation periods
    /// (one indexed query, no history fold), ordered by id.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn participating_households(
        &self,
        village: VillageId,
        on: NaiveDate,
    ) -> Result<Vec<HouseholdId>, StoreError>;
    /// A household's [`Standing`] on `on` for `points_year`, in one statement (the rank is counted
    /// over the village's participation periods and maintained scores, never by loading the
    /// village's ledger). Periods of one household never overlap, so each participating household
    /// counts once.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn standing(
        &self,
        household: HouseholdId,
        points_year: PointsYear,
        on: NaiveDate,
    ) -> Result<Option<Standing>, StoreError>;
}

/// The maintained figures of every household of a village with entries in the points-year.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn village_year_totals(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    points_year: PointsYear,
) -> Result<HashMap<HouseholdId, YearTotals>, StoreError> {
    ReadModelsRepo::village_year_totals(db.repo(), village, points_year).await
}

/// The households of a village that take part on `on` (R3), by their participation periods
/// (one indexed query, no history fold), ordered by id.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn participating_households(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    on: NaiveDate,
) -> Result<Vec<HouseholdId>, StoreError> {
    ReadModelsRepo::participating_households(db.repo(), village, on).await
}

/// A household's [`Standing`] on `on` for `points_year`, in one statement (the rank is counted
/// over the village's participation periods and maintained scores, never by loading the
/// village's ledger). Periods of one household never overlap, so each participating household
/// counts once.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn standing(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
    points_year: PointsYear,
    on: NaiveDate,
) -> Result<Option<Standing>, StoreError> {
    ReadModelsRepo::standing(db.repo(), household, points_year, on).await
}
