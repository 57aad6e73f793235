//! The DingTalk outbox (F4): enqueueing side.
//!
//! A use case calls [`enqueue`] inside the transaction of the change that causes the message, so
//! the message exists exactly when the change does. The worker (owned by the integration part)
//! claims and sends the rows.

use aidazu_domain::VillageId;
use chrono::{DateTime, Utc};

use crate::{AsRepo, StoreError};

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

impl OutboxMessage {
    /// The message as the one typed command.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`]: an unknown kind or a payload that does not fit it.
    pub fn command(&self) -> Result<OutboxCommand, StoreError> {
        OutboxCommand::from_stored(&self.kind, &self.payload)
    }
}

/// The outbox repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait OutboxRepo: Send + Sync {
    /// Enqueues `message` on `db` (a transaction, normally). Returns the id of the new row, or of the
    /// existing row with the same dedupe key (then nothing is written).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] (empty kind or key), [`StoreError::Query`].
    async fn enqueue(&self, message: NewOutboxMessage) -> Result<i64, StoreError>;
    /// The message with this dedupe key, if any.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn get_by_key(&self, dedupe_key: &str) -> Result<Option<OutboxMessage>, StoreError>;
}

/// Enqueues `message` on `db` (a transaction, normally). Returns the id of the new row, or of the
/// existing row with the same dedupe key (then nothing is written).
///
/// # Errors
/// [`StoreError::Invalid`] (empty kind or key), [`StoreError::Query`].
pub async fn enqueue(
    db: &(impl AsRepo + ?Sized),
    message: NewOutboxMessage,
) -> Result<i64, StoreError> {
    OutboxRepo::enqueue(db.repo(), message).await
}

/// The message with this dedupe key, if any.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn get_by_key(
    db: &(impl AsRepo + ?Sized),
    dedupe_key: &str,
) -> Result<Option<OutboxMessage>, StoreError> {
    OutboxRepo::get_by_key(db.repo(), dedupe_key).await
}
