//! What the DingTalk gateway needs from storage besides the inbox and outbox: the facts it keeps
//! (`dingtalk_state`) and who the DingTalk users behind accounts, members and village admins are.

use aidazu_domain::AccountId;

use crate::{AsRepo, StoreError};

/// `dingtalk_state` key of the approval form template's `processCode`.
pub const STATE_PROCESS_CODE: &str = "approval.process_code";

/// `dingtalk_state` key of the objection approval form template's `processCode` (F6).
pub const STATE_OBJECTION_PROCESS_CODE: &str = "objection_approval.process_code";

/// `processCode` of the catalogue change approval form (R7, F6).
pub const STATE_CATALOGUE_PROCESS_CODE: &str = "catalogue_approval.process_code";

/// `dingtalk_state` key recording the registered card callback URL.
pub const STATE_CARD_ROUTE: &str = "card.callback_route";

/// The dingtalk repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait DingtalkRepo: Send + Sync {
    /// A value the gateway stored under `key`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn state_get(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Stores `value` under `key`, replacing an earlier value.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn state_put(&self, key: &str, value: &str) -> Result<(), StoreError>;
    /// The DingTalk user id of an account.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn account_user_id(&self, account: AccountId) -> Result<Option<String>, StoreError>;
}

/// A value the gateway stored under `key`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn state_get(
    db: &(impl AsRepo + ?Sized),
    key: &str,
) -> Result<Option<String>, StoreError> {
    DingtalkRepo::state_get(db.repo(), key).await
}

/// Stores `value` under `key`, replacing an earlier value.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn state_put(
    db: &(impl AsRepo + ?Sized),
    key: &str,
    value: &str,
) -> Result<(), StoreError> {
    DingtalkRepo::state_put(db.repo(), key, value).await
}

/// The DingTalk user id of an account.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn account_user_id(
    db: &(impl AsRepo + ?Sized),
    account: AccountId,
) -> Result<Option<String>, StoreError> {
    DingtalkRepo::account_user_id(db.repo(), account).await
}
