//! The audit trail (R22): every change records who (account, role), through which channel, under
//! which request id, what (action, entity) and where (village, household), in the same
//! transaction as the change. The table is append-only (database triggers).

use aidazu_domain::channel::Channel;
use aidazu_domain::org::Role;
use aidazu_domain::{AccountId, HouseholdId, VillageId};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;

use crate::accounts::role_str;
use crate::entities::{accounts, audit_log};
use crate::error::StoreError;

/// One audit record to append.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// Who did it; `None` for the system without an account.
    pub actor_account: Option<AccountId>,
    /// The role the change was made in, if any.
    pub role: Option<Role>,
    pub channel: Channel,
    pub request_id: Option<String>,
    /// Dotted verb, e.g. `member.participation_changed`.
    pub action: String,
    /// Entity kind, e.g. `member`.
    pub entity: String,
    pub entity_id: Option<String>,
    pub village_id: Option<VillageId>,
    pub household_id: Option<HouseholdId>,
    /// Structured detail (never plaintext personal data, R4).
    pub detail: serde_json::Value,
}

/// Appends an audit record on `db` (pass the transaction of the change).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn record<C: ConnectionTrait>(db: &C, record: AuditRecord) -> Result<i64, StoreError> {
    let inserted = audit_log::Entity::insert(audit_log::ActiveModel {
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
    })
    .exec(db)
    .await?;
    Ok(inserted.last_insert_id)
}

/// Which audit records to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditFilter {
    pub village: VillageId,
    pub household: Option<HouseholdId>,
    pub actor: Option<AccountId>,
    /// 1-based.
    pub page: u64,
    pub per_page: u64,
}

/// A stored audit record with the actor's name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
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

/// A page of audit records of a village, newest first, and the total count.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: AuditFilter,
) -> Result<(Vec<AuditEntry>, u64), StoreError> {
    let mut query =
        audit_log::Entity::find().filter(audit_log::Column::VillageId.eq(filter.village.get()));
    if let Some(h) = filter.household {
        query = query.filter(audit_log::Column::HouseholdId.eq(h.get()));
    }
    if let Some(a) = filter.actor {
        query = query.filter(audit_log::Column::ActorAccountId.eq(a.get()));
    }
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(audit_log::Column::Id)
        .offset(
            filter
                .page
                .saturating_sub(1)
                .saturating_mul(filter.per_page),
        )
        .limit(filter.per_page)
        .all(db)
        .await?;
    let actor_ids: Vec<i64> = rows.iter().filter_map(|r| r.actor_account_id).collect();
    let names: std::collections::HashMap<i64, String> = if actor_ids.is_empty() {
        std::collections::HashMap::new()
    } else {
        accounts::Entity::find()
            .filter(accounts::Column::Id.is_in(actor_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect()
    };
    let entries = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at,
            actor_account: r.actor_account_id.map(AccountId),
            actor_name: r.actor_account_id.and_then(|id| names.get(&id).cloned()),
            role: r.role,
            channel: r.channel,
            request_id: r.request_id,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            village_id: r.village_id.map(VillageId),
            household_id: r.household_id.map(HouseholdId),
            detail: r.detail,
        })
        .collect();
    Ok((entries, total))
}
