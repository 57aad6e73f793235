//! The DingTalk outbox (F4), sending side: claiming due messages with a lease, and recording
//! what happened (sent with the DingTalk ids, retry later, failed).
//!
//! A claim sets `locked_until` / `locked_by`; only the holder of an unexpired lease may finish
//! the message (every write below is conditional on `locked_by` and `status = 'pending'`).
//! PostgreSQL selects candidates with `FOR UPDATE SKIP LOCKED`, so replicas never wait on each
//! other; SQLite claims each candidate with one conditional `UPDATE`. Either way one row is
//! claimed by at most one worker at a time.

use crate::outbox::OutboxMessage;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::{AsRepo, StoreError};

/// The outbox_lease repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait OutboxLeaseRepo: Send + Sync {
    /// Claims up to `limit` due messages for `worker` until `now + lease`, oldest due first.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn claim_due(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u64,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Marks a claimed message sent with what DingTalk answered. Returns `false` when `worker` no
    /// longer holds it (nothing written).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn mark_sent(
        &self,
        id: i64,
        worker: &str,
        result: &Value,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Schedules another attempt of a claimed message at `next_attempt_at`, recording the error.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn schedule_retry(
        &self,
        id: i64,
        worker: &str,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<bool, StoreError>;
    /// Gives a claimed message up: `failed`, with the last error (stays visible for operators).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn mark_failed(&self, id: i64, worker: &str, error: &str) -> Result<bool, StoreError>;
}

/// Claims up to `limit` due messages for `worker` until `now + lease`, oldest due first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn claim_due(
    db: &(impl AsRepo + ?Sized),
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u64,
) -> Result<Vec<OutboxMessage>, StoreError> {
    OutboxLeaseRepo::claim_due(db.repo(), worker, now, lease, limit).await
}

/// Marks a claimed message sent with what DingTalk answered. Returns `false` when `worker` no
/// longer holds it (nothing written).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn mark_sent(
    db: &(impl AsRepo + ?Sized),
    id: i64,
    worker: &str,
    result: &Value,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    OutboxLeaseRepo::mark_sent(db.repo(), id, worker, result, now).await
}

/// Schedules another attempt of a claimed message at `next_attempt_at`, recording the error.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn schedule_retry(
    db: &(impl AsRepo + ?Sized),
    id: i64,
    worker: &str,
    next_attempt_at: DateTime<Utc>,
    error: &str,
) -> Result<bool, StoreError> {
    OutboxLeaseRepo::schedule_retry(db.repo(), id, worker, next_attempt_at, error).await
}

/// Gives a claimed message up: `failed`, with the last error (stays visible for operators).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn mark_failed(
    db: &(impl AsRepo + ?Sized),
    id: i64,
    worker: &str,
    error: &str,
) -> Result<bool, StoreError> {
    OutboxLeaseRepo::mark_failed(db.repo(), id, worker, error).await
}
