//! The storage port: what the use cases need from persistence, implemented by `aidazu-store`.

use std::sync::Arc;

use crate::{Backend, StoreError};

/// Every repository, on one connection or inside one transaction.
pub trait Repo:
    crate::accounts::AccountsRepo
    + crate::activities::ActivitiesRepo
    + crate::audit::AuditRepo
    + crate::catalogue::CatalogueRepo
    + crate::chain::ChainRepo
    + crate::declarations::DeclarationsRepo
    + crate::dingtalk::DingtalkRepo
    + crate::governance::GovernanceRepo
    + crate::honours::HonoursRepo
    + crate::households::HouseholdsRepo
    + crate::inbox::InboxRepo
    + crate::jobs::JobsRepo
    + crate::ledger::LedgerRepo
    + crate::objections::ObjectionsRepo
    + crate::org::OrgRepo
    + crate::outbox::OutboxRepo
    + crate::outbox_lease::OutboxLeaseRepo
    + crate::participation::ParticipationRepo
    + crate::photos::PhotosRepo
    + crate::publications::PublicationsRepo
    + crate::read_models::ReadModelsRepo
    + crate::sessions::SessionsRepo
    + crate::shop::ShopRepo
    + crate::stats::StatsRepo
    + Send
    + Sync
{
}

impl<T> Repo for T where
    T: crate::accounts::AccountsRepo
        + crate::activities::ActivitiesRepo
        + crate::audit::AuditRepo
        + crate::catalogue::CatalogueRepo
        + crate::chain::ChainRepo
        + crate::declarations::DeclarationsRepo
        + crate::dingtalk::DingtalkRepo
        + crate::governance::GovernanceRepo
        + crate::honours::HonoursRepo
        + crate::households::HouseholdsRepo
        + crate::inbox::InboxRepo
        + crate::jobs::JobsRepo
        + crate::ledger::LedgerRepo
        + crate::objections::ObjectionsRepo
        + crate::org::OrgRepo
        + crate::outbox::OutboxRepo
        + crate::outbox_lease::OutboxLeaseRepo
        + crate::participation::ParticipationRepo
        + crate::photos::PhotosRepo
        + crate::publications::PublicationsRepo
        + crate::read_models::ReadModelsRepo
        + crate::sessions::SessionsRepo
        + crate::shop::ShopRepo
        + crate::stats::StatsRepo
        + Send
        + Sync
{
}

/// The whole store: autocommit repositories, transactions and handle-level reads.
#[async_trait::async_trait]
pub trait StoragePort: Send + Sync {
    /// Repositories in autocommit mode.
    fn repo(&self) -> &dyn Repo;
    /// Starts a transaction.
    async fn begin(&self) -> Result<Box<dyn TransactionPort>, StoreError>;
    /// Names of migrations not yet applied, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Migration`].
    async fn pending_migrations(&self) -> Result<Vec<String>, crate::StoreError>;
    /// Round-trips a trivial query.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn ping(&self) -> Result<(), crate::StoreError>;
    /// Which database this is.
    fn backend(&self) -> Backend;
    /// Most connections the pool opens (1 on SQLite): the bound for work run side by side.
    fn pool_size(&self) -> u32;
    /// Statements run through this store since it was opened (all connections of its pool).
    fn statements(&self) -> u64;
    /// Moves whenever this process writes accounts, grants, sessions, members, households or the
    /// organisation tree (seen by the statement counter): caches of those compare it and refill
    /// when it moved. Writes by other replicas are not seen; their caches expire instead.
    fn identity_epoch(&self) -> u64;
}

/// An open transaction: repositories, then commit or roll back.
#[async_trait::async_trait]
pub trait TransactionPort: Repo {
    /// Makes the writes durable.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
    /// Discards the writes.
    async fn rollback(self: Box<Self>) -> Result<(), StoreError>;
}

/// Anything the repository calls run on: the [`Database`] (autocommit) or a [`Transaction`].
pub trait AsRepo: Send + Sync {
    /// The repositories.
    fn repo(&self) -> &dyn Repo;
}

impl AsRepo for dyn Repo {
    fn repo(&self) -> &dyn Repo {
        self
    }
}

impl<T: AsRepo + ?Sized> AsRepo for &T {
    fn repo(&self) -> &dyn Repo {
        (**self).repo()
    }
}

/// The storage handle the use cases hold: cheap to clone.
#[derive(Clone)]
pub struct Database(Arc<dyn StoragePort>);

impl Database {
    /// Wraps an adapter.
    pub fn new(port: Arc<dyn StoragePort>) -> Self {
        Self(port)
    }

    /// Starts a transaction.
    ///
    /// # Errors
    /// When the database cannot start one.
    pub async fn begin(&self) -> Result<Transaction, StoreError> {
        Ok(Transaction(self.0.begin().await?))
    }

    /// Names of migrations not yet applied, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Migration`].
    pub async fn pending_migrations(&self) -> Result<Vec<String>, crate::StoreError> {
        self.0.pending_migrations().await
    }

    /// Round-trips a trivial query.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn ping(&self) -> Result<(), crate::StoreError> {
        self.0.ping().await
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.0.backend()
    }

    /// Most connections the pool opens (1 on SQLite): the bound for work run side by side.
    pub fn pool_size(&self) -> u32 {
        self.0.pool_size()
    }

    /// Statements run through this store since it was opened (all connections of its pool).
    pub fn statements(&self) -> u64 {
        self.0.statements()
    }

    /// Moves whenever this process writes accounts, grants, sessions, members, households or the
    /// organisation tree (seen by the statement counter): caches of those compare it and refill
    /// when it moved. Writes by other replicas are not seen; their caches expire instead.
    pub fn identity_epoch(&self) -> u64 {
        self.0.identity_epoch()
    }
}

impl AsRepo for Database {
    fn repo(&self) -> &dyn Repo {
        self.0.repo()
    }
}

/// An open transaction; dropped without [`Transaction::commit`] it rolls back.
pub struct Transaction(Box<dyn TransactionPort>);

impl Transaction {
    /// Makes the writes durable.
    ///
    /// # Errors
    /// When the commit fails (nothing was written).
    pub async fn commit(self) -> Result<(), StoreError> {
        self.0.commit().await
    }

    /// Discards the writes.
    ///
    /// # Errors
    /// When the database cannot roll back (the writes are discarded anyway).
    pub async fn rollback(self) -> Result<(), StoreError> {
        self.0.rollback().await
    }
}

impl AsRepo for Transaction {
    fn repo(&self) -> &dyn Repo {
        &*self.0
    }
}
