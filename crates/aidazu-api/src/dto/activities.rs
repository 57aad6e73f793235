//! Wire types of sharing activities (R21).

use aidazu_app::activities::{
    ActivityDetail, ActivitySummary, AttendanceLine, CheckinCode, CheckinResult, StoredActivity,
    Story,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /api/v1/admin/villages/{id}/activities`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewActivityRequest {
    /// The group (组/社) it is held for; none for the whole village.
    pub group_id: Option<i64>,
    #[schema(min_length = 1, max_length = 100)]
    pub topic: String,
    #[schema(min_length = 1, max_length = 100)]
    pub place: String,
    /// The day it is held (this points-year).
    pub held_on: NaiveDate,
    /// A positive catalogue item credited to each attending household (e.g. `PA-05`).
    #[schema(max_length = 8)]
    pub item_code: Option<String>,
}

/// An activity.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityDto {
    pub id: i64,
    pub village_id: i64,
    pub group_id: Option<i64>,
    pub topic: String,
    pub place: String,
    pub held_on: NaiveDate,
    pub item_code: Option<String>,
    pub checkin_open: bool,
    pub created_at: DateTime<Utc>,
    /// Households that attended.
    pub attended: u32,
    /// Whether the caller's household attended (villagers; `false` for staff).
    pub my_household_attended: bool,
}

impl ActivityDto {
    fn new(a: StoredActivity, attended: u32, mine: bool) -> Self {
        Self {
            id: a.id.get(),
            village_id: a.village.get(),
            group_id: a.group.map(|g| g.get()),
            topic: a.topic,
            place: a.place,
            held_on: a.held_on,
            item_code: a.item_code.map(|c| c.to_string()),
            checkin_open: a.checkin_open,
            created_at: a.created_at,
            attended,
            my_household_attended: mine,
        }
    }
}

impl From<StoredActivity> for ActivityDto {
    fn from(a: StoredActivity) -> Self {
        Self::new(a, 0, false)
    }
}

impl From<ActivitySummary> for ActivityDto {
    fn from(s: ActivitySummary) -> Self {
        Self::new(s.activity, s.attended, s.my_household_attended)
    }
}

/// Activities, latest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityListDto {
    pub items: Vec<ActivityDto>,
}

/// One attending household.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceDto {
    pub household_id: i64,
    pub household_code: String,
    pub address: String,
    pub member_id: i64,
    pub member_name: String,
    /// `scan` or `manual`.
    pub via: String,
    pub ledger_entry_id: Option<i64>,
    pub recorded_at: DateTime<Utc>,
}

impl From<AttendanceLine> for AttendanceDto {
    fn from(l: AttendanceLine) -> Self {
        Self {
            household_id: l.attendance.household.get(),
            household_code: l.household_code,
            address: l.address,
            member_id: l.attendance.member.get(),
            member_name: l.member_name,
            via: l.attendance.via,
            ledger_entry_id: l.attendance.ledger_entry.map(|e| e.get()),
            recorded_at: l.attendance.recorded_at,
        }
    }
}

/// A story (积分小故事).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoryDto {
    pub id: i64,
    pub member_id: Option<i64>,
    pub text: String,
    pub photo_ids: Vec<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<Story> for StoryDto {
    fn from(s: Story) -> Self {
        Self {
            id: s.id,
            member_id: s.member.map(|m| m.get()),
            text: s.text,
            photo_ids: s.photo_ids,
            created_at: s.created_at,
        }
    }
}

/// An activity with its attendance and stories.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityDetailDto {
    pub activity: ActivityDto,
    pub attendance: Vec<AttendanceDto>,
    pub stories: Vec<StoryDto>,
}

impl From<ActivityDetail> for ActivityDetailDto {
    fn from(d: ActivityDetail) -> Self {
        let attended = u32::try_from(d.attendance.len()).unwrap_or(u32::MAX);
        Self {
            activity: ActivityDto::new(d.activity, attended, false),
            attendance: d.attendance.into_iter().map(Into::into).collect(),
            stories: d.stories.into_iter().map(Into::into).collect(),
        }
    }
}

/// `POST /api/v1/admin/activities/{id}/checkin`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckinSwitchRequest {
    /// `true` opens check-in, `false` closes it.
    pub open: bool,
}

/// The code the check-in screen shows as a QR code now.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckinCodeDto {
    pub code: String,
    /// Ask again at this instant (every 30 seconds).
    pub valid_until: DateTime<Utc>,
}

impl From<CheckinCode> for CheckinCodeDto {
    fn from(c: CheckinCode) -> Self {
        Self {
            code: c.code,
            valid_until: c.valid_until,
        }
    }
}

/// `POST /api/v1/me/activities/checkin`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckinRequest {
    /// The scanned QR content.
    #[schema(min_length = 1, max_length = 100)]
    pub code: String,
}

/// `POST /api/v1/admin/activities/{id}/attendance`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarkAttendanceRequest {
    pub member_id: i64,
}

/// What a check-in did.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckinResultDto {
    pub activity_id: i64,
    pub topic: String,
    pub household_id: i64,
    /// `false` when the household had already checked in (nothing more credited).
    pub recorded: bool,
    /// Points credited by this check-in.
    pub points: i64,
    pub ledger_entry_id: Option<i64>,
}

impl From<CheckinResult> for CheckinResultDto {
    fn from(r: CheckinResult) -> Self {
        Self {
            activity_id: r.activity.id.get(),
            topic: r.activity.topic,
            household_id: r.household.get(),
            recorded: r.recorded,
            points: r.points,
            ledger_entry_id: r.entry.map(|e| e.get()),
        }
    }
}

/// `POST /api/v1/admin/activities/{id}/stories`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewStoryRequest {
    pub member_id: Option<i64>,
    #[schema(min_length = 1, max_length = 1000)]
    pub text: String,
    #[serde(default)]
    #[schema(max_items = 9)]
    pub photo_ids: Vec<i64>,
}
