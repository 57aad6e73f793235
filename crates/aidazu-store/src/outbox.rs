//! The DingTalk outbox (F4): enqueueing side.
//!
//! A use case calls [`enqueue`] inside the transaction of the change that causes the message, so
//! the message exists exactly when the change does. The worker (owned by the integration part)
//! claims and sends the rows.

use aidazu_domain::VillageId;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entities::outbox;
use crate::error::StoreError;

pub use aidazu_ports::outbox::{
    NewOutboxMessage, OutboxMessage, STATUS_FAILED, STATUS_PENDING, STATUS_SENT,
};

pub use aidazu_ports::outbox::{
    ApprovalCreate, ApprovalTerminate, CardSend, CardUpdate, CatalogueApprovalCreate,
    CatalogueApprovalTerminate, GroupNotice, Markdown, ObjectionApprovalCreate,
    ObjectionApprovalTerminate, OutboxCommand, WorkNotice, kind,
};

/// Enqueues `message` on `db` (a transaction, normally). Returns the id of the new row, or of the
/// existing row with the same dedupe key (then nothing is written).
///
/// # Errors
/// [`StoreError::Invalid`] (empty kind or key), [`StoreError::Query`].
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    message: NewOutboxMessage,
) -> Result<i64, StoreError> {
    if message.dedupe_key.trim().is_empty() {
        return Err(StoreError::Invalid(
            "an outbox message needs a dedupe key".into(),
        ));
    }
    let (kind, payload) = message.command.to_stored()?;
    if let Some(existing) = find_by_key(db, &message.dedupe_key).await? {
        return Ok(existing);
    }
    let now = crate::stamp::now();
    let payload = serde_json::to_string(&payload)
        .map_err(|err| StoreError::Invalid(format!("outbox payload: {err}")))?;
    let row = outbox::ActiveModel {
        id: NotSet,
        kind: Set(kind.to_owned()),
        dedupe_key: Set(message.dedupe_key.clone()),
        village_id: Set(message.village_id.map(VillageId::get)),
        payload: Set(payload),
        status: Set(STATUS_PENDING.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(message.not_before.unwrap_or(now)),
        locked_until: Set(None),
        locked_by: Set(None),
        last_error: Set(None),
        result: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    };
    // ON CONFLICT DO NOTHING: a concurrent transaction that enqueued the same key first wins,
    // and this transaction stays usable (a failed insert would abort it on PostgreSQL).
    outbox::Entity::insert(row)
        .on_conflict(
            OnConflict::column(outbox::Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    find_by_key(db, &message.dedupe_key)
        .await?
        .ok_or_else(|| StoreError::Conflict("outbox message vanished after insert".into()))
}

/// The messages of kind `kind` (or all when
/// `None`), oldest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn list<C: ConnectionTrait>(
    db: &C,
    kind: Option<&str>,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let mut query = outbox::Entity::find();
    if let Some(kind) = kind {
        query = query.filter(outbox::Column::Kind.eq(kind));
    }
    query
        .order_by_asc(outbox::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(read_model)
        .collect()
}

/// The message with this dedupe key, if any.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn get_by_key<C: ConnectionTrait>(
    db: &C,
    dedupe_key: &str,
) -> Result<Option<OutboxMessage>, StoreError> {
    outbox::Entity::find()
        .filter(outbox::Column::DedupeKey.eq(dedupe_key))
        .one(db)
        .await?
        .map(read_model)
        .transpose()
}

async fn find_by_key<C: ConnectionTrait>(
    db: &C,
    dedupe_key: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::DedupeKey.eq(dedupe_key))
        .one(db)
        .await?
        .map(|row| row.id))
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
