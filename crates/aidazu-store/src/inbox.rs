//! The DingTalk callback inbox (F3): every verified event, stored under a stable key before
//! DingTalk is told `success`, then applied exactly once in receipt order.
//!
//! Receiving is [`insert`] (a duplicate key writes nothing). Applying takes [`next_unapplied`]
//! (one applier at a time: [`try_lock_applier`] on PostgreSQL), runs the event's effects and
//! [`mark_applied`] (a conditional `UPDATE … WHERE applied_at IS NULL`); a failure is counted by
//! [`record_failure`] and the event is retried.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entities::dingtalk_events;
use crate::error::StoreError;

pub use aidazu_ports::inbox::{
    InboundEvent, NewInboundEvent, SOURCE_CARD_HTTP, SOURCE_HTTP, SOURCE_STREAM,
};

/// Stores an event unless one with the same key exists. Returns `true` when it was new.
///
/// # Errors
/// [`StoreError::Invalid`] for an empty key, [`StoreError::Query`].
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    event: NewInboundEvent,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if event.event_key.trim().is_empty() {
        return Err(StoreError::Invalid("an inbound event needs a key".into()));
    }
    let payload = serde_json::to_string(&event.payload)
        .map_err(|err| StoreError::Invalid(format!("event payload: {err}")))?;
    let result = dingtalk_events::Entity::insert(dingtalk_events::ActiveModel {
        id: NotSet,
        event_key: Set(event.event_key),
        event_type: Set(event.event_type),
        source: Set(event.source),
        payload: Set(payload),
        received_at: Set(now),
        applied_at: Set(None),
        outcome: Set(None),
        attempts: Set(0),
        last_error: Set(None),
    })
    .on_conflict(
        OnConflict::column(dingtalk_events::Column::EventKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(result == 1)
}

/// The oldest unapplied event, without locking.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn next_unapplied<C: ConnectionTrait>(
    db: &C,
) -> Result<Option<InboundEvent>, StoreError> {
    dingtalk_events::Entity::find()
        .filter(dingtalk_events::Column::AppliedAt.is_null())
        .order_by_asc(dingtalk_events::Column::Id)
        .one(db)
        .await?
        .map(read_model)
        .transpose()
}

/// Stored `bpms_task_change` events of one approval instance, in receipt order (the approver
/// and remark of a finished instance come from its finished task).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn task_changes_of<C: ConnectionTrait>(
    db: &C,
    process_instance_id: &str,
) -> Result<Vec<InboundEvent>, StoreError> {
    let rows = dingtalk_events::Entity::find()
        .filter(dingtalk_events::Column::EventType.eq("bpms_task_change"))
        .filter(dingtalk_events::Column::Payload.contains(process_instance_id))
        .order_by_asc(dingtalk_events::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(read_model)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|e| {
            e.payload
                .get("processInstanceId")
                .and_then(serde_json::Value::as_str)
                == Some(process_instance_id)
        })
        .collect())
}

/// PostgreSQL: takes the transaction-scoped advisory lock of the event applier; `false` when
/// another replica holds it. Other databases: always `true`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn try_lock_applier<C: ConnectionTrait>(db: &C) -> Result<bool, StoreError> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(true);
    }
    let row = db
        .query_one(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT pg_try_advisory_xact_lock({APPLIER_LOCK_KEY}) AS locked"),
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<bool>("", "locked"))
        .transpose()?
        .unwrap_or(false))
}

/// Advisory lock key of the event applier ("dtinbox" in ASCII).
const APPLIER_LOCK_KEY: i64 = 0x0064_7469_6e62_6f78;

/// Marks an event applied with its outcome, only if nobody did before. Returns whether this
/// call did it.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn mark_applied<C: ConnectionTrait>(
    db: &C,
    id: i64,
    outcome: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = dingtalk_events::Entity::update_many()
        .col_expr(dingtalk_events::Column::AppliedAt, Expr::value(now))
        .col_expr(dingtalk_events::Column::Outcome, Expr::value(outcome))
        .filter(dingtalk_events::Column::Id.eq(id))
        .filter(dingtalk_events::Column::AppliedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Counts a failed application attempt (in its own transaction, after the rollback).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn record_failure<C: ConnectionTrait>(
    db: &C,
    id: i64,
    error: &str,
) -> Result<(), StoreError> {
    dingtalk_events::Entity::update_many()
        .col_expr(
            dingtalk_events::Column::Attempts,
            Expr::col(dingtalk_events::Column::Attempts).add(1),
        )
        .col_expr(dingtalk_events::Column::LastError, Expr::value(error))
        .filter(dingtalk_events::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Every stored event, in receipt order (diagnostics and tests).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<InboundEvent>, StoreError> {
    dingtalk_events::Entity::find()
        .order_by_asc(dingtalk_events::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(read_model)
        .collect()
}

/// How many events wait to be applied.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn count_unapplied<C: ConnectionTrait>(db: &C) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(dingtalk_events::Entity::find()
        .filter(dingtalk_events::Column::AppliedAt.is_null())
        .count(db)
        .await?)
}

fn read_model(row: dingtalk_events::Model) -> Result<InboundEvent, StoreError> {
    let payload = serde_json::from_str(&row.payload)
        .map_err(|_| StoreError::Corrupt(format!("dingtalk event {}: payload", row.id)))?;
    Ok(InboundEvent {
        id: row.id,
        event_key: row.event_key,
        event_type: row.event_type,
        source: row.source,
        payload,
        received_at: row.received_at,
        applied_at: row.applied_at,
        outcome: row.outcome,
        attempts: row.attempts,
        last_error: row.last_error,
    })
}
