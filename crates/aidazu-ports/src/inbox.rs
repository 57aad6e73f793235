//! The DingTalk callback inbox (F3): every verified event, stored under a stable key before
//! DingTalk is told `success`, then applied exactly once in receipt order.
//!
//! Receiving is [`insert`] (a duplicate key writes nothing). Applying takes [`next_unapplied`]
//! (one applier at a time: [`try_lock_applier`] on PostgreSQL), runs the event's effects and
//! [`mark_applied`] (a conditional `UPDATE … WHERE applied_at IS NULL`); a failure is counted by
//! [`record_failure`] and the event is retried.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{AsRepo, StoreError};

/// Where an event came from.
pub const SOURCE_HTTP: &str = "http";

/// Events and card actions received over a Stream connection.
pub const SOURCE_STREAM: &str = "stream";

/// Card button presses posted to the HTTP card callback route.
pub const SOURCE_CARD_HTTP: &str = "card_http";

/// A verified event to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInboundEvent {
    /// Stable identity across DingTalk's redeliveries (unique).
    pub event_key: String,
    /// `EventType` (`bpms_instance_change`, …) or `card_action`.
    pub event_type: String,
    /// [`SOURCE_HTTP`], [`SOURCE_STREAM`] or [`SOURCE_CARD_HTTP`].
    pub source: String,
    /// The decrypted payload.
    pub payload: Value,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundEvent {
    pub id: i64,
    pub event_key: String,
    pub event_type: String,
    pub source: String,
    pub payload: Value,
    pub received_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
    /// What applying it did (`applied: …`, `ignored: …`, `refused: …`).
    pub outcome: Option<String>,
    /// Failed application attempts.
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// The inbox repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait InboxRepo: Send + Sync {
    /// Stores an event unless one with the same key exists. Returns `true` when it was new.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an empty key, [`StoreError::Query`].
    async fn insert(&self, event: NewInboundEvent, now: DateTime<Utc>) -> Result<bool, StoreError>;
    /// The oldest unapplied event, without locking.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn next_unapplied(&self) -> Result<Option<InboundEvent>, StoreError>;
    /// Stored `bpms_task_change` events of one approval instance, in receipt order (the approver
    /// and remark of a finished instance come from its finished task).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn task_changes_of(
        &self,
        process_instance_id: &str,
    ) -> Result<Vec<InboundEvent>, StoreError>;
    /// PostgreSQL: takes the transaction-scoped advisory lock of the event applier; `false` when
    /// another replica holds it. Other databases: always `true`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn try_lock_applier(&self) -> Result<bool, StoreError>;
    /// Marks an event applied with its outcome, only if nobody did before. Returns whether this
    /// call did it.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn mark_applied(
        &self,
        id: i64,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Counts a failed application attempt (in its own transaction, after the rollback).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn record_failure(&self, id: i64, error: &str) -> Result<(), StoreError>;
    /// Every stored event, in receipt order (diagnostics and tests).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn list(&self) -> Result<Vec<InboundEvent>, StoreError>;
}

/// Stores an event unless one with the same key exists. Returns `true` when it was new.
///
/// # Errors
/// [`StoreError::Invalid`] for an empty key, [`StoreError::Query`].
pub async fn insert(
    db: &(impl AsRepo + ?Sized),
    event: NewInboundEvent,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    InboxRepo::insert(db.repo(), event, now).await
}

/// The oldest unapplied event, without locking.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn next_unapplied(
    db: &(impl AsRepo + ?Sized),
) -> Result<Option<InboundEvent>, StoreError> {
    InboxRepo::next_unapplied(db.repo()).await
}

/// Stored `bpms_task_change` events of one approval instance, in receipt order (the approver
/// and remark of a finished instance come from its finished task).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn task_changes_of(
    db: &(impl AsRepo + ?Sized),
    process_instance_id: &str,
) -> Result<Vec<InboundEvent>, StoreError> {
    InboxRepo::task_changes_of(db.repo(), process_instance_id).await
}

/// PostgreSQL: takes the transaction-scoped advisory lock of the event applier; `false` when
/// another replica holds it. Other databases: always `true`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn try_lock_applier(db: &(impl AsRepo + ?Sized)) -> Result<bool, StoreError> {
    InboxRepo::try_lock_applier(db.repo()).await
}

/// Marks an event applied with its outcome, only if nobody did before. Returns whether this
/// call did it.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn mark_applied(
    db: &(impl AsRepo + ?Sized),
    id: i64,
    outcome: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    InboxRepo::mark_applied(db.repo(), id, outcome, now).await
}

/// Counts a failed application attempt (in its own transaction, after the rollback).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn record_failure(
    db: &(impl AsRepo + ?Sized),
    id: i64,
    error: &str,
) -> Result<(), StoreError> {
    InboxRepo::record_failure(db.repo(), id, error).await
}

/// Every stored event, in receipt order (diagnostics and tests).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn list(db: &(impl AsRepo + ?Sized)) -> Result<Vec<InboundEvent>, StoreError> {
    InboxRepo::list(db.repo()).await
}
