//! The DingTalk outbox (F4): enqueueing side.
//!
//! A use case calls [`enqueue`] inside the transaction of the change that causes the message, so
//! the message exists exactly when the change does. The worker (owned by the integration part)
//! claims and sends the rows.

use aidazu_domain::VillageId;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entities::outbox;
use crate::error::StoreError;

mod command;

pub use command::{
    ApprovalCreate, ApprovalTerminate, CardSend, CardUpdate, CatalogueApprovalCreate,
    CatalogueApprovalTerminate, GroupNotice, Markdown, ObjectionApprovalCreate,
    ObjectionApprovalTerminate, OutboxCommand, WorkNotice, kind,
};

/// Status of a message nobody has sent yet.
pub const STATUS_PENDING: &str = "pending";
/// Status of a message that was delivered.
pub const STATUS_SENT: &str = "sent";
/// Status of a message the worker gave up on.
pub const STATUS_FAILED: &str = "failed";

/// A message to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutboxMessage {
    /// What to send.
    pub command: OutboxCommand,
    /// Unique key: enqueuing the same key twice writes nothing the second time.
    pub dedupe_key: String,
    pub village_id: Option<VillageId>,
    /// Not to be sent before this instant (`None`: as soon as possible).
    pub not_before: Option<DateTime<Utc>>,
}

impl NewOutboxMessage {
    /// A message to send as soon as possible.
    #[must_use]
    pub fn new(
        command: OutboxCommand,
        dedupe_key: impl Into<String>,
        village_id: Option<VillageId>,
    ) -> Self {
        Self {
            command,
            dedupe_key: dedupe_key.into(),
            village_id,
            not_before: None,
        }
    }
}

/// A stored outbox message (read model for the worker, tests and diagnostics). `kind` and
/// `payload` are the stored form; [`OutboxMessage::command`] reads them as the one type.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    pub id: i64,
    pub kind: String,
    pub dedupe_key: String,
    pub village_id: Option<VillageId>,
    pub payload: serde_json::Value,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub result: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

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

impl OutboxMessage {
    /// The message as the one typed command.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`]: an unknown kind or a payload that does not fit it.
    pub fn command(&self) -> Result<OutboxCommand, StoreError> {
        OutboxCommand::from_stored(&self.kind, &self.payload)
    }
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
