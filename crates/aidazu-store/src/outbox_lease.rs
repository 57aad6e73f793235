//! The DingTalk outbox (F4), sending side: claiming due messages with a lease, and recording
//! what happened (sent with the DingTalk ids, retry later, failed).
//!
//! A claim sets `locked_until` / `locked_by`; only the holder of an unexpired lease may finish
//! the message (every write below is conditional on `locked_by` and `status = 'pending'`).
//! PostgreSQL selects candidates with `FOR UPDATE SKIP LOCKED`, so replicas never wait on each
//! other; SQLite claims each candidate with one conditional `UPDATE`. Either way one row is
//! claimed by at most one worker at a time.

use aidazu_domain::VillageId;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use serde_json::Value;

use crate::entities::outbox;
use crate::error::StoreError;
use crate::outbox::{OutboxMessage, STATUS_FAILED, STATUS_PENDING, STATUS_SENT};

fn due(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(outbox::Column::Status.eq(STATUS_PENDING))
        .add(outbox::Column::NextAttemptAt.lte(now))
        .add(
            Condition::any()
                .add(outbox::Column::LockedUntil.is_null())
                .add(outbox::Column::LockedUntil.lt(now)),
        )
}

/// Claims up to `limit` due messages for `worker` until `now + lease`, oldest due first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn claim_due<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u64,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let until = now + lease;
    let claimed_ids: Vec<i64> = if db.get_database_backend() == DbBackend::Postgres {
        let txn = db.begin().await?;
        let ids: Vec<i64> = outbox::Entity::find()
            .filter(due(now))
            .order_by_asc(outbox::Column::NextAttemptAt)
            .order_by_asc(outbox::Column::Id)
            .limit(limit)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await?
            .into_iter()
            .map(|row| row.id)
            .collect();
        if !ids.is_empty() {
            outbox::Entity::update_many()
                .col_expr(outbox::Column::LockedUntil, Expr::value(until))
                .col_expr(outbox::Column::LockedBy, Expr::value(worker))
                .filter(outbox::Column::Id.is_in(ids.clone()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        ids
    } else {
        let candidates: Vec<i64> = outbox::Entity::find()
            .filter(due(now))
            .order_by_asc(outbox::Column::NextAttemptAt)
            .order_by_asc(outbox::Column::Id)
            .limit(limit)
            .all(db)
            .await?
            .into_iter()
            .map(|row| row.id)
            .collect();
        let mut ids = Vec::with_capacity(candidates.len());
        for id in candidates {
            let result = outbox::Entity::update_many()
                .col_expr(outbox::Column::LockedUntil, Expr::value(until))
                .col_expr(outbox::Column::LockedBy, Expr::value(worker))
                .filter(outbox::Column::Id.eq(id))
                .filter(due(now))
                .exec(db)
                .await?;
            if result.rows_affected == 1 {
                ids.push(id);
            }
        }
        ids
    };
    if claimed_ids.is_empty() {
        return Ok(Vec::new());
    }
    outbox::Entity::find()
        .filter(outbox::Column::Id.is_in(claimed_ids))
        .order_by_asc(outbox::Column::NextAttemptAt)
        .order_by_asc(outbox::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(read_model)
        .collect()
}

fn held_by(id: i64, worker: &str) -> Condition {
    Condition::all()
        .add(outbox::Column::Id.eq(id))
        .add(outbox::Column::LockedBy.eq(worker))
        .add(outbox::Column::Status.eq(STATUS_PENDING))
}

/// Marks a claimed message sent with what DingTalk answered. Returns `false` when `worker` no
/// longer holds it (nothing written).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn mark_sent<C: ConnectionTrait>(
    db: &C,
    id: i64,
    worker: &str,
    result: &Value,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(STATUS_SENT))
        .col_expr(outbox::Column::Result, Expr::value(result.to_string()))
        .col_expr(outbox::Column::SentAt, Expr::value(now))
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(held_by(id, worker))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Schedules another attempt of a claimed message at `next_attempt_at`, recording the error.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn schedule_retry<C: ConnectionTrait>(
    db: &C,
    id: i64,
    worker: &str,
    next_attempt_at: DateTime<Utc>,
    error: &str,
) -> Result<bool, StoreError> {
    let result = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(next_attempt_at))
        .col_expr(outbox::Column::LastError, Expr::value(error))
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(held_by(id, worker))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Gives a claimed message up: `failed`, with the last error (stays visible for operators).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn mark_failed<C: ConnectionTrait>(
    db: &C,
    id: i64,
    worker: &str,
    error: &str,
) -> Result<bool, StoreError> {
    let result = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(STATUS_FAILED))
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .col_expr(outbox::Column::LastError, Expr::value(error))
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(held_by(id, worker))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The earliest time a pending message becomes due (for the worker's sleep), if any.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn next_due_at<C: ConnectionTrait>(db: &C) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::Status.eq(STATUS_PENDING))
        .order_by_asc(outbox::Column::NextAttemptAt)
        .one(db)
        .await?
        .map(|row| row.next_attempt_at))
}

/// A message by id.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn get<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<OutboxMessage>, StoreError> {
    outbox::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(read_model)
        .transpose()
}

fn read_model(row: outbox::Model) -> Result<OutboxMessage, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("outbox message {}: {what}", row.id));
    let payload = serde_json::from_str(&row.payload).map_err(|_| corrupt("payload"))?;
    let result = row
        .result
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|_| corrupt("result"))?;
    Ok(OutboxMessage {
        id: row.id,
        kind: row.kind,
        dedupe_key: row.dedupe_key,
        village_id: row.village_id.map(VillageId),
        payload,
        status: row.status,
        attempts: row.attempts,
        next_attempt_at: row.next_attempt_at,
        last_error: row.last_error,
        result,
        created_at: row.created_at,
        sent_at: row.sent_at,
    })
}
