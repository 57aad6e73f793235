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

use aidazu_domain::VillageId;

use crate::{AsRepo, StoreError};

/// The `prev_hash` of a village's first link.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every entry is linked and every link recomputes: the number of links and the head.
    Intact { links: i64, head: String },
    /// The first broken link: its place, the entry and what is wrong.
    Broken {
        seq: i64,
        entry_id: Option<i64>,
        problem: String,
    },
}

/// The chain repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait ChainRepo: Send + Sync {
    /// The head of a village's chain: (number of links, last hash).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn head(&self, village: VillageId) -> Result<(i64, String), StoreError>;
    /// Recomputes a village's chain from its entries and reports the first broken link.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn verify(&self, village: VillageId) -> Result<Verification, StoreError>;
}

/// The head of a village's chain: (number of links, last hash).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn head(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
) -> Result<(i64, String), StoreError> {
    ChainRepo::head(db.repo(), village).await
}

/// Recomputes a village's chain from its entries and reports the first broken link.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn verify(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
) -> Result<Verification, StoreError> {
    ChainRepo::verify(db.repo(), village).await
}
