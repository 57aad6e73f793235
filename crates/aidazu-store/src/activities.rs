//! Sharing activities (R21): the activity, its attendance (one row per household, the unique key
//! credits a household once however often it scans) and its stories.

use std::collections::HashMap;

use aidazu_domain::activity::AttendanceVia;
use aidazu_domain::{
    AccountId, ActivityId, GroupId, HouseholdId, ItemCode, LedgerEntryId, MemberId, VillageId,
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entities::{activities, activity_attendance, activity_stories};
use crate::error::StoreError;

pub use aidazu_ports::activities::{Attendance, NewActivity, StoredActivity, Story};

fn from_row(row: activities::Model) -> Result<StoredActivity, StoreError> {
    let item_code = row
        .item_code
        .as_deref()
        .map(ItemCode::parse)
        .transpose()
        .map_err(|_| StoreError::Corrupt(format!("activity {} item code", row.id)))?;
    Ok(StoredActivity {
        id: ActivityId(row.id),
        village: VillageId(row.village_id),
        group: row.group_id.map(GroupId),
        topic: row.topic,
        place: row.place,
        held_on: row.held_on,
        item_code,
        checkin_open: row.checkin_open,
        checkin_secret: row.checkin_secret,
        created_by: AccountId(row.created_by),
        created_at: row.created_at,
    })
}

/// Adds an activity.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn insert_activity<C: ConnectionTrait>(
    db: &C,
    new: &NewActivity,
) -> Result<ActivityId, StoreError> {
    let row = activities::ActiveModel {
        id: NotSet,
        village_id: Set(new.village.get()),
        group_id: Set(new.group.map(GroupId::get)),
        topic: Set(new.topic.clone()),
        place: Set(new.place.clone()),
        held_on: Set(new.held_on),
        item_code: Set(new.item_code.as_ref().map(ToString::to_string)),
        checkin_open: Set(false),
        checkin_secret: Set(new.checkin_secret.clone()),
        created_by: Set(new.created_by.get()),
        created_at: Set(crate::stamp::now()),
    };
    Ok(ActivityId(
        activities::Entity::insert(row)
            .exec(db)
            .await?
            .last_insert_id,
    ))
}

/// One activity.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn activity<C: ConnectionTrait>(
    db: &C,
    id: ActivityId,
) -> Result<Option<StoredActivity>, StoreError> {
    activities::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .map(from_row)
        .transpose()
}

/// A village's activities, the latest date first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_activities<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<Vec<StoredActivity>, StoreError> {
    activities::Entity::find()
        .filter(activities::Column::VillageId.eq(village.get()))
        .order_by_desc(activities::Column::HeldOn)
        .order_by_desc(activities::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(from_row)
        .collect()
}

/// Opens or closes check-in.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_checkin_open<C: ConnectionTrait>(
    db: &C,
    id: ActivityId,
    open: bool,
) -> Result<(), StoreError> {
    activities::Entity::update_many()
        .col_expr(activities::Column::CheckinOpen, Expr::value(open))
        .filter(activities::Column::Id.eq(id.get()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a household's attendance; `false` when it was already recorded (nothing written).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn record_attendance<C: ConnectionTrait>(
    db: &C,
    activity: ActivityId,
    household: HouseholdId,
    member: MemberId,
    via: AttendanceVia,
    recorded_by: AccountId,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let row = activity_attendance::ActiveModel {
        id: NotSet,
        activity_id: Set(activity.get()),
        household_id: Set(household.get()),
        member_id: Set(member.get()),
        via: Set(via.as_str().to_owned()),
        ledger_entry_id: Set(None),
        recorded_by: Set(recorded_by.get()),
        recorded_at: Set(at),
    };
    let written = activity_attendance::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                activity_attendance::Column::ActivityId,
                activity_attendance::Column::HouseholdId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(written == 1)
}

/// Links the attendance to the award it booked.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_attendance_entry<C: ConnectionTrait>(
    db: &C,
    activity: ActivityId,
    household: HouseholdId,
    entry: LedgerEntryId,
) -> Result<(), StoreError> {
    activity_attendance::Entity::update_many()
        .col_expr(
            activity_attendance::Column::LedgerEntryId,
            Expr::value(entry.get()),
        )
        .filter(activity_attendance::Column::ActivityId.eq(activity.get()))
        .filter(activity_attendance::Column::HouseholdId.eq(household.get()))
        .exec(db)
        .await?;
    Ok(())
}

/// The attendance of an activity, in the order recorded.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn attendance<C: ConnectionTrait>(
    db: &C,
    activity: ActivityId,
) -> Result<Vec<Attendance>, StoreError> {
    Ok(activity_attendance::Entity::find()
        .filter(activity_attendance::Column::ActivityId.eq(activity.get()))
        .order_by_asc(activity_attendance::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|row| Attendance {
            activity: ActivityId(row.activity_id),
            household: HouseholdId(row.household_id),
            member: MemberId(row.member_id),
            via: row.via,
            ledger_entry: row.ledger_entry_id.map(LedgerEntryId),
            recorded_by: AccountId(row.recorded_by),
            recorded_at: row.recorded_at,
        })
        .collect())
}

/// How many households attended each of `activities`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn attendance_counts<C: ConnectionTrait>(
    db: &C,
    ids: &[ActivityId],
) -> Result<HashMap<ActivityId, u32>, StoreError> {
    let rows: Vec<(i64, i64)> = activity_attendance::Entity::find()
        .select_only()
        .column(activity_attendance::Column::ActivityId)
        .column_as(activity_attendance::Column::Id.count(), "n")
        .filter(activity_attendance::Column::ActivityId.is_in(ids.iter().map(|i| i.get())))
        .group_by(activity_attendance::Column::ActivityId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (ActivityId(id), u32::try_from(n).unwrap_or(u32::MAX)))
        .collect())
}

/// Adds a story.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn add_story<C: ConnectionTrait>(
    db: &C,
    activity: ActivityId,
    member: Option<MemberId>,
    text: &str,
    photo_ids: &[i64],
    created_by: AccountId,
) -> Result<i64, StoreError> {
    let photos = serde_json::to_string(photo_ids)
        .map_err(|err| StoreError::Invalid(format!("story photos: {err}")))?;
    let row = activity_stories::ActiveModel {
        id: NotSet,
        activity_id: Set(activity.get()),
        member_id: Set(member.map(MemberId::get)),
        text: Set(text.to_owned()),
        photo_ids: Set(photos),
        created_by: Set(created_by.get()),
        created_at: Set(crate::stamp::now()),
    };
    Ok(activity_stories::Entity::insert(row)
        .exec(db)
        .await?
        .last_insert_id)
}

/// The stories of an activity, oldest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn stories<C: ConnectionTrait>(
    db: &C,
    activity: ActivityId,
) -> Result<Vec<Story>, StoreError> {
    activity_stories::Entity::find()
        .filter(activity_stories::Column::ActivityId.eq(activity.get()))
        .order_by_asc(activity_stories::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let photo_ids = serde_json::from_str(&row.photo_ids)
                .map_err(|_| StoreError::Corrupt(format!("story {} photos", row.id)))?;
            Ok(Story {
                id: row.id,
                activity: ActivityId(row.activity_id),
                member: row.member_id.map(MemberId),
                text: row.text,
                photo_ids,
                created_by: AccountId(row.created_by),
                created_at: row.created_at,
            })
        })
        .collect()
}

/// The village a group belongs to, if the group exists.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn group_village<C: ConnectionTrait>(
    db: &C,
    group: GroupId,
) -> Result<Option<VillageId>, StoreError> {
    Ok(
        crate::entities::village_groups::Entity::find_by_id(group.get())
            .one(db)
            .await?
            .map(|g| VillageId(g.village_id)),
    )
}
