//! What the DingTalk gateway needs from storage besides the inbox and outbox: the facts it keeps
//! (`dingtalk_state`) and who the DingTalk users behind accounts, members and village admins are.

use aidazu_domain::{AccountId, MemberId, VillageId};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entities::{accounts, dingtalk_state, role_grants};
use crate::error::StoreError;

pub use aidazu_ports::dingtalk::{
    STATE_CARD_ROUTE, STATE_CATALOGUE_PROCESS_CODE, STATE_OBJECTION_PROCESS_CODE,
    STATE_PROCESS_CODE,
};

/// A value the gateway stored under `key`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn state_get<C: ConnectionTrait>(
    db: &C,
    key: &str,
) -> Result<Option<String>, StoreError> {
    Ok(dingtalk_state::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .map(|row| row.value))
}

/// Stores `value` under `key`, replacing an earlier value.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn state_put<C: ConnectionTrait>(
    db: &C,
    key: &str,
    value: &str,
) -> Result<(), StoreError> {
    dingtalk_state::Entity::insert(dingtalk_state::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value.to_owned()),
        updated_at: Set(crate::stamp::now()),
    })
    .on_conflict(
        OnConflict::column(dingtalk_state::Column::Key)
            .update_columns([
                dingtalk_state::Column::Value,
                dingtalk_state::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The DingTalk user ids of the active village admins of `village`, ordered by account id.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn village_admin_user_ids<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<Vec<String>, StoreError> {
    let account_ids: Vec<i64> = role_grants::Entity::find()
        .filter(role_grants::Column::Role.eq("village_admin"))
        .filter(role_grants::Column::ScopeKind.eq("village"))
        .filter(role_grants::Column::ScopeId.eq(village.get()))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.account_id)
        .collect();
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(accounts::Entity::find()
        .filter(accounts::Column::Id.is_in(account_ids))
        .filter(accounts::Column::Active.eq(true))
        .order_by_asc(accounts::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.dingtalk_user_id)
        .collect())
}

/// The DingTalk user id of the (active) account bound to `member`, if any.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn member_user_id<C: ConnectionTrait>(
    db: &C,
    member: MemberId,
) -> Result<Option<String>, StoreError> {
    Ok(accounts::Entity::find()
        .filter(accounts::Column::MemberId.eq(member.get()))
        .filter(accounts::Column::Active.eq(true))
        .order_by_asc(accounts::Column::Id)
        .one(db)
        .await?
        .map(|a| a.dingtalk_user_id))
}

/// The DingTalk user id of an account.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn account_user_id<C: ConnectionTrait>(
    db: &C,
    account: AccountId,
) -> Result<Option<String>, StoreError> {
    Ok(accounts::Entity::find_by_id(account.get())
        .one(db)
        .await?
        .map(|a| a.dingtalk_user_id))
}
