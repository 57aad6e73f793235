//! Who takes part (R3): opt-in / opt-out changes are appended, never edited; the current state is
//! computed by `aidazu_domain::org::member_participates` from the history.

use aidazu_domain::channel::Channel;
use aidazu_domain::org::ParticipationChange;
use aidazu_domain::{AccountId, HouseholdId, MemberId};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entities::{members, participation_changes};
use crate::error::StoreError;
use crate::store::Store;

/// Appends a participation change on `db`; the household and village come from the member.
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown member, [`StoreError::Query`].
pub async fn record_change<C: ConnectionTrait>(
    db: &C,
    change: &ParticipationChange,
    channel: Channel,
) -> Result<i64, StoreError> {
    let member = members::Entity::find_by_id(change.member.get())
        .one(db)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "member",
            key: change.member.to_string(),
        })?;
    let inserted = participation_changes::Entity::insert(participation_changes::ActiveModel {
        id: NotSet,
        member_id: Set(member.id),
        household_id: Set(member.household_id),
        village_id: Set(member.village_id),
        participating: Set(change.opted_in),
        reason: Set(change.reason.clone()),
        effective_on: Set(change.effective_on),
        recorded_by: Set(Some(change.recorded_by.get())),
        channel: Set(channel.to_string()),
        recorded_at: Set(crate::stamp::now()),
    })
    .exec(db)
    .await
    .map_err(|err| StoreError::from_write(err, "participation change"))?;
    crate::read_models::refresh_household_participation(db, HouseholdId(member.household_id))
        .await?;
    Ok(inserted.last_insert_id)
}

impl Store {
    /// [`record_change`] on the store's connection.
    ///
    /// # Errors
    /// As [`record_change`].
    pub async fn record_participation_change(
        &self,
        change: &ParticipationChange,
        channel: Channel,
    ) -> Result<i64, StoreError> {
        record_change(self.connection(), change, channel).await
    }

    /// Every participation change of a household's members, in the order recorded — the
    /// `history` argument of `aidazu_domain::org::household_participates`.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    pub async fn participation_history(
        &self,
        household: HouseholdId,
    ) -> Result<Vec<ParticipationChange>, StoreError> {
        participation_history(self.connection(), household).await
    }
}

/// Every participation change of a household's members, in the order recorded — the
/// `history` argument of `aidazu_domain::org::household_participates`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn participation_history<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
) -> Result<Vec<ParticipationChange>, StoreError> {
    participation_changes::Entity::find()
        .filter(participation_changes::Column::HouseholdId.eq(household.get()))
        .order_by_asc(participation_changes::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            Ok(ParticipationChange {
                member: MemberId(row.member_id),
                opted_in: row.participating,
                effective_on: row.effective_on,
                recorded_by: AccountId(row.recorded_by.ok_or_else(|| {
                    StoreError::Corrupt(format!("participation change {} has no recorder", row.id))
                })?),
                reason: row.reason,
            })
        })
        .collect()
}
