//! Sharing activities (R21): the activity, its attendance (one row per household, the unique key
//! credits a household once however often it scans) and its stories.

use aidazu_domain::activity::AttendanceVia;
use aidazu_domain::{
    AccountId, ActivityId, GroupId, HouseholdId, ItemCode, LedgerEntryId, MemberId, VillageId,
};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

use crate::{AsRepo, StoreError};

/// A new activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    pub village: VillageId,
    pub group: Option<GroupId>,
    pub topic: String,
    pub place: String,
    pub held_on: NaiveDate,
    pub item_code: Option<ItemCode>,
    /// The key the check-in codes are signed with (hex, made by the caller).
    pub checkin_secret: String,
    pub created_by: AccountId,
}

/// A stored activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredActivity {
    pub id: ActivityId,
    pub village: VillageId,
    pub group: Option<GroupId>,
    pub topic: String,
    pub place: String,
    pub held_on: NaiveDate,
    pub item_code: Option<ItemCode>,
    pub checkin_open: bool,
    pub checkin_secret: String,
    pub created_by: AccountId,
    pub created_at: DateTime<Utc>,
}

/// One attending household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    pub activity: ActivityId,
    pub household: HouseholdId,
    pub member: MemberId,
    pub via: String,
    pub ledger_entry: Option<LedgerEntryId>,
    pub recorded_by: AccountId,
    pub recorded_at: DateTime<Utc>,
}

/// A story told at an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    pub id: i64,
    pub activity: ActivityId,
    pub member: Option<MemberId>,
    pub text: String,
    pub photo_ids: Vec<i64>,
    pub created_by: AccountId,
    pub created_at: DateTime<Utc>,
}

/// The activities repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait ActivitiesRepo: Send + Sync {
    /// Adds an activity.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn insert_activity(&self, new: &NewActivity) -> Result<ActivityId, StoreError>;
    /// One activity.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn activity(&self, id: ActivityId) -> Result<Option<StoredActivity>, StoreError>;
    /// A village's activities, the latest date first.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn village_activities(
        &self,
        village: VillageId,
    ) -> Result<Vec<StoredActivity>, StoreError>;
    /// Opens or closes check-in.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn set_checkin_open(&self, id: ActivityId, open: bool) -> Result<(), StoreError>;
    /// Records a household's attendance; `false` when it was already recorded (nothing written).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn record_attendance(
        &self,
        activity: ActivityId,
        household: HouseholdId,
        member: MemberId,
        via: AttendanceVia,
        recorded_by: AccountId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Links the attendance to the award it booked.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn set_attendance_entry(
        &self,
        activity: ActivityId,
        household: HouseholdId,
        entry: LedgerEntryId,
    ) -> Result<(), StoreError>;
    /// The attendance of an activity, in the order recorded.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn attendance(&self, activity: ActivityId) -> Result<Vec<Attendance>, StoreError>;
    /// How many households attended each of `activities`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn attendance_counts(
        &self,
        ids: &[ActivityId],
    ) -> Result<HashMap<ActivityId, u32>, StoreError>;
    /// Adds a story.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn add_story(
        &self,
        activity: ActivityId,
        member: Option<MemberId>,
        text: &str,
        photo_ids: &[i64],
        created_by: AccountId,
    ) -> Result<i64, StoreError>;
    /// The stories of an activity, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn stories(&self, activity: ActivityId) -> Result<Vec<Story>, StoreError>;
    /// The village a group belongs to, if the group exists.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn group_village(&self, group: GroupId) -> Result<Option<VillageId>, StoreError>;
}

/// Adds an activity.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn insert_activity(
    db: &(impl AsRepo + ?Sized),
    new: &NewActivity,
) -> Result<ActivityId, StoreError> {
    ActivitiesRepo::insert_activity(db.repo(), new).await
}

/// One activity.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn activity(
    db: &(impl AsRepo + ?Sized),
    id: ActivityId,
) -> Result<Option<StoredActivity>, StoreError> {
    ActivitiesRepo::activity(db.repo(), id).await
}

/// A village's activities, the latest date first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_activities(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
) -> Result<Vec<StoredActivity>, StoreError> {
    ActivitiesRepo::village_activities(db.repo(), village).await
}

/// Opens or closes check-in.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_checkin_open(
    db: &(impl AsRepo + ?Sized),
    id: ActivityId,
    open: bool,
) -> Result<(), StoreError> {
    ActivitiesRepo::set_checkin_open(db.repo(), id, open).await
}

/// Records a household's attendance; `false` when it was already recorded (nothing written).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn record_attendance(
    db: &(impl AsRepo + ?Sized),
    activity: ActivityId,
    household: HouseholdId,
    member: MemberId,
    via: AttendanceVia,
    recorded_by: AccountId,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    ActivitiesRepo::record_attendance(db.repo(), activity, household, member, via, recorded_by, at)
        .await
}

/// Links the attendance to the award it booked.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_attendance_entry(
    db: &(impl AsRepo + ?Sized),
    activity: ActivityId,
    household: HouseholdId,
    entry: LedgerEntryId,
) -> Result<(), StoreError> {
    ActivitiesRepo::set_attendance_entry(db.repo(), activity, household, entry).await
}

/// The attendance of an activity, in the order recorded.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn attendance(
    db: &(impl AsRepo + ?Sized),
    activity: ActivityId,
) -> Result<Vec<Attendance>, StoreError> {
    ActivitiesRepo::attendance(db.repo(), activity).await
}

/// How many households attended each of `activities`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn attendance_counts(
    db: &(impl AsRepo + ?Sized),
    ids: &[ActivityId],
) -> Result<HashMap<ActivityId, u32>, StoreError> {
    ActivitiesRepo::attendance_counts(db.repo(), ids).await
}

/// Adds a story.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn add_story(
    db: &(impl AsRepo + ?Sized),
    activity: ActivityId,
    member: Option<MemberId>,
    text: &str,
    photo_ids: &[i64],
    created_by: AccountId,
) -> Result<i64, StoreError> {
    ActivitiesRepo::add_story(db.repo(), activity, member, text, photo_ids, created_by).await
}

/// The stories of an activity, oldest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn stories(
    db: &(impl AsRepo + ?Sized),
    activity: ActivityId,
) -> Result<Vec<Story>, StoreError> {
    ActivitiesRepo::stories(db.repo(), activity).await
}

/// The village a group belongs to, if the group exists.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn group_village(
    db: &(impl AsRepo + ?Sized),
    group: GroupId,
) -> Result<Option<VillageId>, StoreError> {
    ActivitiesRepo::group_village(db.repo(), group).await
}
