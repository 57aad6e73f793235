//! The audit trail (R22): append-only; who, in which role, through which channel, under which
//! request id. `detail` must never hold personal data (mobiles, ID numbers) or secrets.

use aidazu_domain::channel::Channel;
use aidazu_domain::{AccountId, HouseholdId, VillageId};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::accounts::{parse_role, role_str};
use crate::entities::audit_log;
use crate::error::StoreError;
use crate::store::Store;

pub use aidazu_ports::audit::{
    AuditEntry, AuditFilter, AuditListEntry, AuditPageFilter, AuditRecord,
};

/// Appends an audit record on `db` (use the transaction of the change it describes).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn record<C: ConnectionTrait>(db: &C, record: &AuditRecord) -> Result<i64, StoreError> {
    let inserted = audit_log::Entity::insert(audit_log::ActiveModel {
        id: NotSet,
        actor_account_id: Set(record.actor.map(AccountId::get)),
        role: Set(record.role.map(|r| role_str(r).to_owned())),
        channel: Set(record.channel.to_string()),
        request_id: Set(record.request_id.clone()),
        action: Set(record.action.clone()),
        entity: Set(record.entity.clone()),
        entity_id: Set(record.entity_id.clone()),
        village_id: Set(record.village.map(VillageId::get)),
        household_id: Set(record.household.map(HouseholdId::get)),
        detail: Set(record.detail.clone()),
        at: Set(record.at),
    })
    .exec(db)
    .await?;
    Ok(inserted.last_insert_id)
}

impl Store {
    /// [`record`] on the store's connection.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn record_audit(&self, record: &AuditRecord) -> Result<i64, StoreError> {
        self::record(self.connection(), record).await
    }

    /// The audit trail matching `filter`, newest first, at most `limit` records.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    pub async fn audit_trail(
        &self,
        filter: AuditFilter,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut query = audit_log::Entity::find();
        if let Some(h) = filter.household {
            query = query.filter(audit_log::Column::HouseholdId.eq(h.get()));
        }
        if let Some(a) = filter.actor {
            query = query.filter(audit_log::Column::ActorAccountId.eq(a.get()));
        }
        if let Some(v) = filter.village {
            query = query.filter(audit_log::Column::VillageId.eq(v.get()));
        }
        query
            .order_by_desc(audit_log::Column::At)
            .order_by_desc(audit_log::Column::Id)
            .limit(limit)
            .all(self.connection())
            .await?
            .into_iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.id,
                    record: AuditRecord {
                        actor: row.actor_account_id.map(AccountId),
                        role: row.role.as_deref().map(parse_role).transpose()?,
                        channel: parse_channel(&row.channel)?,
                        request_id: row.request_id,
                        action: row.action,
                        entity: row.entity,
                        entity_id: row.entity_id,
                        village: row.village_id.map(VillageId),
                        household: row.household_id.map(HouseholdId),
                        detail: row.detail,
                        at: row.at,
                    },
                })
            })
            .collect()
    }
}

pub(crate) fn parse_channel(text: &str) -> Result<Channel, StoreError> {
    Ok(match text {
        "mini_app" => Channel::MiniApp,
        "console" => Channel::Console,
        "dingtalk_approval" => Channel::DingTalkApproval,
        "card" => Channel::Card,
        "job" => Channel::Job,
        "dingtalk_event" => Channel::DingTalkEvent,
        other => return Err(StoreError::Corrupt(format!("channel {other:?}"))),
    })
}

/// A page of a village's audit records, newest first, with actor names, and the total count.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn list_page<C: ConnectionTrait>(
    db: &C,
    filter: AuditPageFilter,
) -> Result<(Vec<AuditListEntry>, u64), StoreError> {
    use sea_orm::PaginatorTrait as _;
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
        crate::entities::accounts::Entity::find()
            .filter(crate::entities::accounts::Column::Id.is_in(actor_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect()
    };
    let entries = rows
        .into_iter()
        .map(|r| AuditListEntry {
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
