//! Job runs: each run of a clock-driven job (the quarterly publication, the year close) is one row
//! keyed uniquely by (job, village, period). Claiming a run inserts that row (`ON CONFLICT DO
//! NOTHING`), so of two replicas, or a rerun, only one does the work; a failed run may be claimed
//! again. Runs keep their progress and outcome for operators (`GET /api/v1/admin/jobs`).

use aidazu_domain::VillageId;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{AsRepo, StoreError};

/// A run in progress.
pub const RUNNING: &str = "running";

/// A run that finished its work.
pub const DONE: &str = "done";

/// A run that failed; the next run of the same key takes it over.
pub const FAILED: &str = "failed";

/// A stored run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobRun {
    pub id: i64,
    pub job: String,
    pub village: VillageId,
    pub period: String,
    pub status: String,
    /// `schedule`, `cli`, `api`.
    pub trigger: String,
    pub progress_done: i32,
    pub progress_total: i32,
    pub attempts: i32,
    pub detail: serde_json::Value,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The outcome of [`claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This caller owns the run now (new, or a failed one taken over).
    Claimed(JobRun),
    /// Another caller finished it already.
    AlreadyDone(JobRun),
    /// Another caller is running it.
    Running(JobRun),
}

/// A run still `running` after this long was abandoned (its process died): the next claim takes
/// it over. The work itself stays exactly-once through its own unique keys (publication version,
/// ledger idempotency keys, outbox dedupe keys).
pub const STALE_AFTER: chrono::Duration = chrono::Duration::minutes(30);

/// The jobs repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait JobsRepo: Send + Sync {
    /// Claims the run (job, village, period) for `trigger`: new, a failed run, or one abandoned for
    /// longer than [`STALE_AFTER`].
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn claim(
        &self,
        job: &str,
        village: VillageId,
        period: &str,
        trigger: &str,
    ) -> Result<Claim, StoreError>;
    /// Records progress (`done` of `total` steps).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn progress(&self, id: i64, done: i32, total: i32) -> Result<(), StoreError>;
    /// Marks the run done with what it did (call it in the transaction of the work itself, so the
    /// work and the run's end commit together).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn finish(&self, id: i64, detail: &serde_json::Value) -> Result<(), StoreError>;
    /// Marks the run failed with the error; the next claim takes it over.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn fail(&self, id: i64, error: &str) -> Result<(), StoreError>;
    /// The run of a key, if any.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn find(
        &self,
        job: &str,
        village: VillageId,
        period: &str,
    ) -> Result<Option<JobRun>, StoreError>;
    /// The (village, period) keys of a job's finished runs.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn done_keys(
        &self,
        job: &str,
    ) -> Result<std::collections::HashSet<(i64, String)>, StoreError>;
    /// The latest runs, newest first, of the given villages (all when `None`).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn list(
        &self,
        villages: Option<&[VillageId]>,
        limit: u64,
    ) -> Result<Vec<JobRun>, StoreError>;
}

/// Claims the run (job, village, period) for `trigger`: new, a failed run, or one abandoned for
/// longer than [`STALE_AFTER`].
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn claim(
    db: &(impl AsRepo + ?Sized),
    job: &str,
    village: VillageId,
    period: &str,
    trigger: &str,
) -> Result<Claim, StoreError> {
    JobsRepo::claim(db.repo(), job, village, period, trigger).await
}

/// Records progress (`done` of `total` steps).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn progress(
    db: &(impl AsRepo + ?Sized),
    id: i64,
    done: i32,
    total: i32,
) -> Result<(), StoreError> {
    JobsRepo::progress(db.repo(), id, done, total).await
}

/// Marks the run done with what it did (call it in the transaction of the work itself, so the
/// work and the run's end commit together).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn finish(
    db: &(impl AsRepo + ?Sized),
    id: i64,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    JobsRepo::finish(db.repo(), id, detail).await
}

/// Marks the run failed with the error; the next claim takes it over.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn fail(db: &(impl AsRepo + ?Sized), id: i64, error: &str) -> Result<(), StoreError> {
    JobsRepo::fail(db.repo(), id, error).await
}

/// The run of a key, if any.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn find(
    db: &(impl AsRepo + ?Sized),
    job: &str,
    village: VillageId,
    period: &str,
) -> Result<Option<JobRun>, StoreError> {
    JobsRepo::find(db.repo(), job, village, period).await
}

/// The (village, period) keys of a job's finished runs.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn done_keys(
    db: &(impl AsRepo + ?Sized),
    job: &str,
) -> Result<std::collections::HashSet<(i64, String)>, StoreError> {
    JobsRepo::done_keys(db.repo(), job).await
}

/// The latest runs, newest first, of the given villages (all when `None`).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn list(
    db: &(impl AsRepo + ?Sized),
    villages: Option<&[VillageId]>,
    limit: u64,
) -> Result<Vec<JobRun>, StoreError> {
    JobsRepo::list(db.repo(), villages, limit).await
}
