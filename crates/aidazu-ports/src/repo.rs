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
    /// The system account (created on first use).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn system_account(&self) -> Result<aidazu_domain::AccountId, crate::StoreError>;
    /// Creates the account of a DingTalk user on first login (F1), or refreshes its name and
    /// mobile; returns its id. The mobile is stored encrypted with its lookup hash.
    ///
    /// # Errors
    /// [`StoreError::Crypto`], [`StoreError::Query`].
    async fn ensure_account(
        &self,
        dingtalk_user_id: &str,
        name: &str,
        mobile: Option<&str>,
    ) -> Result<aidazu_domain::AccountId, crate::StoreError>;
    /// Grants a role over a scope (idempotent: an existing identical grant is kept).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an unknown account, [`StoreError::Query`].
    async fn grant_access(
        &self,
        account: aidazu_domain::AccountId,
        access: aidazu_domain::org::Access,
        granted_by: Option<aidazu_domain::AccountId>,
    ) -> Result<(), crate::StoreError>;
    /// The version in force for `village` on `on`: the village's own approved version with the
    /// latest effective date on or before `on`, else the district's; never a future one (R7).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown village, [`StoreError::Corrupt`] for rows that no
    /// longer validate, [`StoreError::Query`].
    async fn catalogue_in_force(
        &self,
        village: aidazu_domain::VillageId,
        on: chrono::NaiveDate,
    ) -> Result<Option<aidazu_domain::catalogue::CatalogueVersion>, crate::StoreError>;
    /// `catalogue_in_force` with the row id and owner, which ledger entries refer to.
    ///
    /// # Errors
    /// As `catalogue_in_force`.
    async fn catalogue_in_force_stored(
        &self,
        village: aidazu_domain::VillageId,
        on: chrono::NaiveDate,
    ) -> Result<Option<crate::catalogue::StoredCatalogueVersion>, crate::StoreError>;
    /// The households of a village, ordered by code, with the head's name.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn households(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<Vec<crate::org::HouseholdSummary>, crate::StoreError>;
    /// One household by village and code (`heping-01-001`), or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn household_by_code(
        &self,
        village: aidazu_domain::VillageId,
        code: &str,
    ) -> Result<Option<crate::org::HouseholdSummary>, crate::StoreError>;
    /// The members of a household as domain values (no personal data), in insertion order.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn household_members(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<aidazu_domain::org::Member>, crate::StoreError>;
    /// Every village, ordered by district, town and village code.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn list_villages(&self) -> Result<Vec<crate::org::VillageSummary>, crate::StoreError>;
    /// One village, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn village(
        &self,
        id: aidazu_domain::VillageId,
    ) -> Result<Option<crate::org::VillageSummary>, crate::StoreError>;
    /// The village a household belongs to, or `None` for an unknown household.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn household_village(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Option<aidazu_domain::VillageId>, crate::StoreError>;
    /// The points-year calendar of the district a village belongs to (R14).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown village, [`StoreError::Query`].
    async fn village_calendar(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<aidazu_domain::calendar::PointsYearConfig, crate::StoreError>;
    /// Every participation change of a household's members, in the order recorded — the
    /// `history` argument of `aidazu_domain::org::household_participates`.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn participation_history(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<aidazu_domain::org::ParticipationChange>, crate::StoreError>;
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

    /// The system account (created on first use).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn system_account(&self) -> Result<aidazu_domain::AccountId, crate::StoreError> {
        self.0.system_account().await
    }

    /// Creates the account of a DingTalk user on first login (F1), or refreshes its name and
    /// mobile; returns its id. The mobile is stored encrypted with its lookup hash.
    ///
    /// # Errors
    /// [`StoreError::Crypto`], [`StoreError::Query`].
    pub async fn ensure_account(
        &self,
        dingtalk_user_id: &str,
        name: &str,
        mobile: Option<&str>,
    ) -> Result<aidazu_domain::AccountId, crate::StoreError> {
        self.0.ensure_account(dingtalk_user_id, name, mobile).await
    }

    /// Grants a role over a scope (idempotent: an existing identical grant is kept).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an unknown account, [`StoreError::Query`].
    pub async fn grant_access(
        &self,
        account: aidazu_domain::AccountId,
        access: aidazu_domain::org::Access,
        granted_by: Option<aidazu_domain::AccountId>,
    ) -> Result<(), crate::StoreError> {
        self.0.grant_access(account, access, granted_by).await
    }

    /// The version in force for `village` on `on`: the village's own approved version with the
    /// latest effective date on or before `on`, else the district's; never a future one (R7).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown village, [`StoreError::Corrupt`] for rows that no
    /// longer validate, [`StoreError::Query`].
    pub async fn catalogue_in_force(
        &self,
        village: aidazu_domain::VillageId,
        on: chrono::NaiveDate,
    ) -> Result<Option<aidazu_domain::catalogue::CatalogueVersion>, crate::StoreError> {
        self.0.catalogue_in_force(village, on).await
    }

    /// `catalogue_in_force` with the row id and owner, which ledger entries refer to.
    ///
    /// # Errors
    /// As `catalogue_in_force`.
    pub async fn catalogue_in_force_stored(
        &self,
        village: aidazu_domain::VillageId,
        on: chrono::NaiveDate,
    ) -> Result<Option<crate::catalogue::StoredCatalogueVersion>, crate::StoreError> {
        self.0.catalogue_in_force_stored(village, on).await
    }

    /// The households of a village, ordered by code, with the head's name.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn households(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<Vec<crate::org::HouseholdSummary>, crate::StoreError> {
        self.0.households(village).await
    }

    /// One household by village and code (`heping-01-001`), or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn household_by_code(
        &self,
        village: aidazu_domain::VillageId,
        code: &str,
    ) -> Result<Option<crate::org::HouseholdSummary>, crate::StoreError> {
        self.0.household_by_code(village, code).await
    }

    /// The members of a household as domain values (no personal data), in insertion order.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    pub async fn household_members(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<aidazu_domain::org::Member>, crate::StoreError> {
        self.0.household_members(household).await
    }

    /// Every village, ordered by district, town and village code.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn list_villages(
        &self,
    ) -> Result<Vec<crate::org::VillageSummary>, crate::StoreError> {
        self.0.list_villages().await
    }

    /// One village, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn village(
        &self,
        id: aidazu_domain::VillageId,
    ) -> Result<Option<crate::org::VillageSummary>, crate::StoreError> {
        self.0.village(id).await
    }

    /// The village a household belongs to, or `None` for an unknown household.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn household_village(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Option<aidazu_domain::VillageId>, crate::StoreError> {
        self.0.household_village(household).await
    }

    /// The points-year calendar of the district a village belongs to (R14).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown village, [`StoreError::Query`].
    pub async fn village_calendar(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<aidazu_domain::calendar::PointsYearConfig, crate::StoreError> {
        self.0.village_calendar(village).await
    }

    /// Every participation change of a household's members, in the order recorded — the
    /// `history` argument of `aidazu_domain::org::household_participates`.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    pub async fn participation_history(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<aidazu_domain::org::ParticipationChange>, crate::StoreError> {
        self.0.participation_history(household).await
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
