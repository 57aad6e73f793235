//! The audit trail (R22): every use case that changes data records who did it, in which role,
//! through which channel, under which request id — in the same transaction as the change.

use aidazu_domain::channel::Channel;
use aidazu_domain::org::Role;
use aidazu_domain::{AccountId, HouseholdId, VillageId};
use chrono::Utc;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ConnectionTrait, EntityTrait,
};

use crate::accounts::role_str;
use crate::entities::audit_log;
use crate::error::StoreError;

/// One audit entry to write.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub actor_account: Option<AccountId>,
    pub role: Option<Role>,
    pub channel: Channel,
    pub request_id: Option<String>,
    /// Dotted action name, e.g. `declaration.submit`.
    pub action: String,
    /// Table-ish name of what changed, e.g. `declaration`.
    pub entity: String,
    pub entity_id: Option<String>,
    pub village_id: Option<VillageId>,
    pub household_id: Option<HouseholdId>,
    pub detail: serde_json::Value,
}

/// Appends `record` on `db` (the use case's transaction).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn record<C: ConnectionTrait>(db: &C, record: AuditRecord) -> Result<i64, StoreError> {
    let row = audit_log::ActiveModel {
        id: NotSet,
        actor_account_id: Set(record.actor_account.map(AccountId::get)),
        role: Set(record.role.map(|r| role_str(r).to_owned())),
        channel: Set(record.channel.to_string()),
        request_id: Set(record.request_id),
        action: Set(record.action),
        entity: Set(record.entity),
        entity_id: Set(record.entity_id),
        village_id: Set(record.village_id.map(VillageId::get)),
        household_id: Set(record.household_id.map(HouseholdId::get)),
        detail: Set(record.detail),
        at: Set(Utc::now()),
    };
    let inserted = audit_log::Entity::insert(row).exec(db).await?;
    Ok(inserted.last_insert_id)
}

/// The actions recorded for one entity, oldest first (tests and diagnostics).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn actions_for<C: ConnectionTrait>(
    db: &C,
    entity: &str,
    entity_id: &str,
) -> Result<Vec<String>, StoreError> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq(entity))
        .filter(audit_log::Column::EntityId.eq(entity_id))
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.action)
        .collect())
}
