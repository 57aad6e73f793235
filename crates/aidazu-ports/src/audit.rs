//! The audit trail (R22): append-only; who, in which role, through which channel, under which
//! request id. `detail` must never hold personal data (mobiles, ID numbers) or secrets.

use aidazu_domain::channel::Channel;
use aidazu_domain::org::Role;
use aidazu_domain::{AccountId, HouseholdId, VillageId};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{AsRepo, StoreError};

/// One audit record to write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    /// `None` only for changes with no account behind them.
    pub actor: Option<AccountId>,
    pub role: Option<Role>,
    pub channel: Channel,
    pub request_id: Option<String>,
    /// Dotted verb, e.g. `declaration.approved`, `ledger.penalty`.
    pub action: String,
    /// What was changed, e.g. `declaration`, `household`.
    pub entity: String,
    pub entity_id: Option<String>,
    pub village: Option<VillageId>,
    pub household: Option<HouseholdId>,
    pub detail: serde_json::Value,
    pub at: DateTime<Utc>,
}

/// A stored audit record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    #[serde(flatten)]
    pub record: AuditRecord,
}

/// Which records to list; every set field must match. Newest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub household: Option<HouseholdId>,
    pub actor: Option<AccountId>,
    pub village: Option<VillageId>,
}

/// Which audit records of a village to list, page by page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditPageFilter {
    pub village: VillageId,
    pub household: Option<HouseholdId>,
    pub actor: Option<AccountId>,
    /// 1-based.
    pub page: u64,
    pub per_page: u64,
}

/// A stored audit record with the actor's name, as the audit endpoint shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditListEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_account: Option<AccountId>,
    pub actor_name: Option<String>,
    pub role: Option<String>,
    pub channel: String,
    pub request_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub village_id: Option<VillageId>,
    pub household_id: Option<HouseholdId>,
    pub detail: serde_json::Value,
}

/// The audit repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait AuditRepo: Send + Sync {
    /// Appends an audit record on `db` (use the transaction of the change it describes).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn record(&self, record: &AuditRecord) -> Result<i64, StoreError>;
    /// A page of a village's audit records, newest first, with actor names, and the total count.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn list_page(
        &self,
        filter: AuditPageFilter,
    ) -> Result<(Vec<AuditListEntry>, u64), StoreError>;
}

/// Appends an audit record on `db` (use the transaction of the change it describes).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn record(db: &(impl AsRepo + ?Sized), record: &AuditRecord) -> Result<i64, StoreError> {
    AuditRepo::record(db.repo(), record).await
}

/// A page of a village's audit records, newest first, with actor names, and the total count.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn list_page(
    db: &(impl AsRepo + ?Sized),
    filter: AuditPageFilter,
) -> Result<(Vec<AuditListEntry>, u64), StoreError> {
    AuditRepo::list_page(db.repo(), filter).await
}
