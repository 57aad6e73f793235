//! Accounts (people who log in, F1), their role grants (R1), and member lookups by mobile
//! through the keyed hash (R4).

use aidazu_domain::org::Access;
use aidazu_domain::{AccountId, HouseholdId, MemberId, VillageId};
use chrono::Utc;
use serde::Serialize;

use crate::{AsRepo, StoreError};

/// The DingTalk user id of the built-in system account: the actor of jobs and of the demo seed.
/// It is inactive, so nobody can log in as it.
pub const SYSTEM_DINGTALK_USER_ID: &str = "__aidazu_system__";

/// An account with its grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountView {
    pub id: AccountId,
    pub dingtalk_user_id: String,
    pub name: String,
    /// The member this person is, when bound (F1).
    pub member: Option<MemberId>,
    pub active: bool,
    pub grants: Vec<Access>,
}

/// A member found by mobile number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberRef {
    pub id: MemberId,
    pub household: HouseholdId,
    pub village: VillageId,
    pub name: String,
}

/// Where an account stands before an admin binds it (issue: safe binding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingFacts {
    pub account: AccountId,
    pub active: bool,
    /// The village of the member it is bound to now.
    pub member_village: Option<VillageId>,
    /// The village of every member it was bound to before.
    pub past_villages: Vec<VillageId>,
    /// Its grants (role over scope).
    pub grants: Vec<Access>,
}

/// The accounts repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait AccountsRepo: Send + Sync {
    /// The account with this DingTalk user id and its grants, on `db` (use inside a transaction).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn account_by_dingtalk_user_id(
        &self,
        dingtalk_user_id: &str,
    ) -> Result<Option<AccountView>, StoreError>;
    /// The account with this id and its grants.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn account_by_id(&self, id: AccountId) -> Result<Option<AccountView>, StoreError>;
    /// Active accounts bound to a member.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn accounts_of_member(
        &self,
        member: MemberId,
    ) -> Result<Vec<(AccountId, String)>, StoreError>;
    /// Creates the account of a DingTalk user or updates it: binds it to `member`, sets the name and
    /// (when given) the mobile (encrypted + lookup hash, R4), and makes it active. Returns its id.
    ///
    /// # Errors
    /// [`StoreError::Crypto`], [`StoreError::Conflict`], [`StoreError::Query`].
    async fn bind_account(
        &self,
        dingtalk_user_id: &str,
        name: &str,
        member: Option<MemberId>,
        mobile: Option<&str>,
    ) -> Result<AccountId, StoreError>;
    /// Unbinds an account from its member and deactivates it (the person left the organisation).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn deactivate_account(&self, account: AccountId) -> Result<(), StoreError>;
    /// Grants a role in a scope unless the account already has it. Returns whether it was added.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn ensure_grant(
        &self,
        account: AccountId,
        access: Access,
        granted_by: Option<AccountId>,
    ) -> Result<bool, StoreError>;
    /// What binding needs to know about the account of a DingTalk user; `None` when it has none.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Invalid`] for a malformed stored grant.
    async fn binding_facts(
        &self,
        dingtalk_user_id: &str,
    ) -> Result<Option<BindingFacts>, StoreError>;
    /// The accounts that are bound, or since `since` were bound, to a member of `household`
    /// (D6: recusal by person across the points-year).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn accounts_tied_to_household(
        &self,
        household: HouseholdId,
        since: chrono::DateTime<Utc>,
    ) -> Result<Vec<AccountId>, StoreError>;
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
}

/// The account with this DingTalk user id and its grants, on `db` (use inside a transaction).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn account_by_dingtalk_user_id(
    db: &(impl AsRepo + ?Sized),
    dingtalk_user_id: &str,
) -> Result<Option<AccountView>, StoreError> {
    AccountsRepo::account_by_dingtalk_user_id(db.repo(), dingtalk_user_id).await
}

/// The account with this id and its grants.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn account_by_id(
    db: &(impl AsRepo + ?Sized),
    id: AccountId,
) -> Result<Option<AccountView>, StoreError> {
    AccountsRepo::account_by_id(db.repo(), id).await
}

/// Active accounts bound to a member.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn accounts_of_member(
    db: &(impl AsRepo + ?Sized),
    member: MemberId,
) -> Result<Vec<(AccountId, String)>, StoreError> {
    AccountsRepo::accounts_of_member(db.repo(), member).await
}

/// Creates the account of a DingTalk user or updates it: binds it to `member`, sets the name and
/// (when given) the mobile (encrypted + lookup hash, R4), and makes it active. Returns its id.
///
/// # Errors
/// [`StoreError::Crypto`], [`StoreError::Conflict`], [`StoreError::Query`].
pub async fn bind_account(
    db: &(impl AsRepo + ?Sized),
    dingtalk_user_id: &str,
    name: &str,
    member: Option<MemberId>,
    mobile: Option<&str>,
) -> Result<AccountId, StoreError> {
    AccountsRepo::bind_account(db.repo(), dingtalk_user_id, name, member, mobile).await
}

/// Unbinds an account from its member and deactivates it (the person left the organisation).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn deactivate_account(
    db: &(impl AsRepo + ?Sized),
    account: AccountId,
) -> Result<(), StoreError> {
    AccountsRepo::deactivate_account(db.repo(), account).await
}

/// Grants a role in a scope unless the account already has it. Returns whether it was added.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn ensure_grant(
    db: &(impl AsRepo + ?Sized),
    account: AccountId,
    access: Access,
    granted_by: Option<AccountId>,
) -> Result<bool, StoreError> {
    AccountsRepo::ensure_grant(db.repo(), account, access, granted_by).await
}

/// What binding needs to know about the account of a DingTalk user; `None` when it has none.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Invalid`] for a malformed stored grant.
pub async fn binding_facts(
    db: &(impl AsRepo + ?Sized),
    dingtalk_user_id: &str,
) -> Result<Option<BindingFacts>, StoreError> {
    AccountsRepo::binding_facts(db.repo(), dingtalk_user_id).await
}

/// The accounts that are bound, or since `since` were bound, to a member of `household`
/// (D6: recusal by person across the points-year).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn accounts_tied_to_household(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
    since: chrono::DateTime<Utc>,
) -> Result<Vec<AccountId>, StoreError> {
    AccountsRepo::accounts_tied_to_household(db.repo(), household, since).await
}

/// The system account (created on first use).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn system_account(
    db: &(impl AsRepo + ?Sized),
) -> Result<aidazu_domain::AccountId, crate::StoreError> {
    AccountsRepo::system_account(db.repo()).await
}

/// Creates the account of a DingTalk user on first login (F1), or refreshes its name and
/// mobile; returns its id. The mobile is stored encrypted with its lookup hash.
///
/// # Errors
/// [`StoreError::Crypto`], [`StoreError::Query`].
pub async fn ensure_account(
    db: &(impl AsRepo + ?Sized),
    dingtalk_user_id: &str,
    name: &str,
    mobile: Option<&str>,
) -> Result<aidazu_domain::AccountId, crate::StoreError> {
    AccountsRepo::ensure_account(db.repo(), dingtalk_user_id, name, mobile).await
}

/// Grants a role over a scope (idempotent: an existing identical grant is kept).
///
/// # Errors
/// [`StoreError::Invalid`] for an unknown account, [`StoreError::Query`].
pub async fn grant_access(
    db: &(impl AsRepo + ?Sized),
    account: aidazu_domain::AccountId,
    access: aidazu_domain::org::Access,
    granted_by: Option<aidazu_domain::AccountId>,
) -> Result<(), crate::StoreError> {
    AccountsRepo::grant_access(db.repo(), account, access, granted_by).await
}
