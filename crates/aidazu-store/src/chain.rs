//! Tamper evidence: the ledger entries of a village form a hash chain. Each link commits to the
//! previous link's hash and to the entry's canonical fields:
//!
//! `hash = SHA-256(prev_hash_hex ‖ "\n" ‖ canonical)`, `canonical` = the compact JSON array
//! `[id, village_id, household_id, member_id, points_year, kind, amount, item_code,
//! catalogue_version_id, reason, actor_account_id, channel, occurred_on, occurred_at (Unix
//! seconds), declaration_id, order_id, objection_id]` as stored; the first link's `prev_hash` is 64
//! zeros.
//!
//! Links are written in the transaction that appends the entry, after the village's row is locked
//! (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's single connection serialises writers), so
//! concurrent writers of one village chain one after another and ids grow along the chain.
//! Entries without a link (written before the chain existed) are linked, in id order, by the next
//! link of their village and by [`chain_unlinked`] after the schema migrations.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};

use aidazu_domain::VillageId;

use crate::entities::{ledger_chain, ledger_entries, villages};
use crate::error::StoreError;

pub use aidazu_ports::chain::{GENESIS, Verification};

/// The canonical fields of a stored entry.
fn canonical(row: &ledger_entries::Model) -> String {
    serde_json::json!([
        row.id,
        row.village_id,
        row.household_id,
        row.member_id,
        row.points_year,
        row.kind,
        row.amount,
        row.item_code,
        row.catalogue_version_id,
        row.reason,
        row.actor_account_id,
        row.channel,
        row.occurred_on.to_string(),
        row.occurred_at.map(|t| t.timestamp()),
        row.declaration_id,
        row.order_id,
        row.objection_id,
    ])
    .to_string()
}

/// The hash of a link.
#[must_use]
pub(crate) fn link_hash(prev: &str, row: &ledger_entries::Model) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(canonical(row).as_bytes());
    hex::encode(h.finalize())
}

/// Locks the village's row until the transaction ends (PostgreSQL), so its chain grows one
/// writer at a time.
///
/// # Errors
/// [`StoreError::Query`].
pub(crate) async fn lock_village<C: ConnectionTrait>(
    db: &C,
    village: i64,
) -> Result<(), StoreError> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        villages::Entity::find_by_id(village)
            .lock_exclusive()
            .one(db)
            .await?;
    }
    Ok(())
}

/// The last link of a village: (seq, entry id, hash), if any.
async fn head_link<C: ConnectionTrait>(
    db: &C,
    village: i64,
) -> Result<Option<ledger_chain::Model>, StoreError> {
    Ok(ledger_chain::Entity::find()
        .filter(ledger_chain::Column::VillageId.eq(village))
        .order_by_desc(ledger_chain::Column::Seq)
        .one(db)
        .await?)
}

/// Links every entry of the village not linked yet, in id order (the caller holds the village
/// lock). Returns how many links were written.
///
/// # Errors
/// [`StoreError::Query`].
pub(crate) async fn link_village<C: ConnectionTrait>(
    db: &C,
    village: i64,
) -> Result<usize, StoreError> {
    let head = head_link(db, village).await?;
    let (mut seq, mut prev, after) = match &head {
        Some(h) => (h.seq, h.hash.clone(), h.entry_id),
        None => (0, GENESIS.to_owned(), 0),
    };
    let rows = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::VillageId.eq(village))
        .filter(ledger_entries::Column::Id.gt(after))
        .order_by_asc(ledger_entries::Column::Id)
        .all(db)
        .await?;
    let mut written = 0;
    for row in rows {
        seq += 1;
        let hash = link_hash(&prev, &row);
        ledger_chain::Entity::insert(ledger_chain::ActiveModel {
            entry_id: Set(row.id),
            village_id: Set(village),
            seq: Set(seq),
            prev_hash: Set(prev.clone()),
            hash: Set(hash.clone()),
        })
        .exec_without_returning(db)
        .await?;
        prev = hash;
        written += 1;
    }
    Ok(written)
}

/// Links the unlinked entries of every village (after the schema migrations).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn chain_unlinked<C: ConnectionTrait>(db: &C) -> Result<usize, StoreError> {
    let mut villages_with_entries: Vec<i64> = ledger_entries::Entity::find()
        .select_only()
        .column(ledger_entries::Column::VillageId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    villages_with_entries.sort_unstable();
    let mut total = 0;
    for v in villages_with_entries {
        lock_village(db, v).await?;
        total += link_village(db, v).await?;
    }
    Ok(total)
}

/// The head of a village's chain: (number of links, last hash).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn head<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<(i64, String), StoreError> {
    Ok(head_link(db, village.get())
        .await?
        .map_or((0, GENESIS.to_owned()), |h| (h.seq, h.hash)))
}

/// Recomputes a village's chain from its entries and reports the first broken link.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn verify<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<Verification, StoreError> {
    let links = ledger_chain::Entity::find()
        .filter(ledger_chain::Column::VillageId.eq(village.get()))
        .order_by_asc(ledger_chain::Column::Seq)
        .all(db)
        .await?;
    let rows = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::VillageId.eq(village.get()))
        .order_by_asc(ledger_entries::Column::Id)
        .all(db)
        .await?;
    let by_id: std::collections::HashMap<i64, &ledger_entries::Model> =
        rows.iter().map(|r| (r.id, r)).collect();
    let mut prev = GENESIS.to_owned();
    for (i, link) in links.iter().enumerate() {
        let expected_seq = i64::try_from(i).unwrap_or(i64::MAX) + 1;
        let broken = |problem: &str| Verification::Broken {
            seq: expected_seq,
            entry_id: Some(link.entry_id),
            problem: problem.to_owned(),
        };
        if link.seq != expected_seq {
            return Ok(broken("a link is missing (sequence gap)"));
        }
        if link.prev_hash != prev {
            return Ok(broken("the link does not commit to the previous link"));
        }
        let Some(row) = by_id.get(&link.entry_id) else {
            return Ok(broken("the entry of this link is gone"));
        };
        if link_hash(&prev, row) != link.hash {
            return Ok(broken("the entry was changed after it was written"));
        }
        prev = link.hash.clone();
    }
    let linked: std::collections::HashSet<i64> = links.iter().map(|l| l.entry_id).collect();
    if let Some(row) = rows.iter().find(|r| !linked.contains(&r.id)) {
        return Ok(Verification::Broken {
            seq: i64::try_from(links.len()).unwrap_or(i64::MAX) + 1,
            entry_id: Some(row.id),
            problem: "an entry is not in the chain".into(),
        });
    }
    Ok(Verification::Intact {
        links: i64::try_from(links.len()).unwrap_or(i64::MAX),
        head: prev,
    })
}
