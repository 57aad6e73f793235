//! Sharing activities (积分分享活动, R21): the village admin sets one up for a group, opens
//! check-in and shows a code that changes every 30 seconds; attendees scan it in the micro-app, or
//! the admin marks them by hand; each attending household is credited once per activity with the
//! activity's catalogue item. Stories (积分小故事) are attached as text and photos.
//!
//! The code is `AD1.<activity>.<window>.<tag>`, the tag a keyed hash (HMAC-SHA256, truncated to
//! 8 bytes, compared in constant time) over activity and window with a secret kept per activity.
//! Which windows are accepted, when scanning is allowed and what the credit books are the
//! domain's (`aidazu_domain::activity`).

use aidazu_domain::activity::{
    AttendanceVia, CheckinState, attendance_entry, checkin_window, window_end,
};
use aidazu_domain::calendar::{business_date, shanghai_instant};
use aidazu_domain::ledger::check_cap;
use aidazu_domain::org::Action;
use aidazu_domain::{
    ActivityId, DomainError, GroupId, HouseholdId, ItemCode, LedgerEntryId, MemberId, VillageId,
};
use aidazu_ports::activities::{self as store_act, NewActivity};
use aidazu_ports::declarations as store_decl;
use aidazu_ports::ledger::{self, NewLedgerEntry};
use aidazu_ports::{audit, outbox, photos};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::json;
use sha2::Sha256;

/// The activity view types, as the store returns them (the API renders these).
pub use aidazu_ports::activities::{Attendance, StoredActivity, Story};

use crate::auth::Actor;
use crate::declarations::household_cap_usage;
use crate::messages::{self, About};
use crate::{App, AppError};

/// Longest topic or place, in characters.
pub const TOPIC_MAX_CHARS: usize = 100;
/// Longest story, in characters.
pub const STORY_MAX_CHARS: usize = 1000;
/// Most photos on a story.
pub const STORY_MAX_PHOTOS: usize = 9;

const CODE_PREFIX: &str = "AD1";
const TAG_BYTES: usize = 8;

/// A new activity as the admin enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityInput {
    pub group: Option<GroupId>,
    pub topic: String,
    pub place: String,
    pub held_on: NaiveDate,
    /// The catalogue item attending earns (none: attendance is recorded, nothing credited).
    pub item_code: Option<String>,
}

/// An activity with how many households attended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivitySummary {
    pub activity: StoredActivity,
    pub attended: u32,
    /// Whether the caller's own household attended (villagers).
    pub my_household_attended: bool,
}

/// One attendance with who it is, for the list and its export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceLine {
    pub attendance: Attendance,
    pub household_code: String,
    pub address: String,
    pub member_name: String,
}

/// An activity with its attendance and stories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityDetail {
    pub activity: StoredActivity,
    pub attendance: Vec<AttendanceLine>,
    pub stories: Vec<Story>,
}

/// The code to show on the check-in screen now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinCode {
    pub code: String,
    /// When the next code replaces it (the screen asks again then).
    pub valid_until: DateTime<Utc>,
}

/// What a check-in did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinResult {
    pub activity: StoredActivity,
    pub household: HouseholdId,
    /// `false` when the household had already checked in (nothing more was credited).
    pub recorded: bool,
    /// The award booked, when the activity has an item and this check-in recorded attendance.
    pub entry: Option<LedgerEntryId>,
    pub points: i64,
}

type HmacSha256 = Hmac<Sha256>;

fn tag(secret: &str, activity: ActivityId, window: i64) -> Result<HmacSha256, AppError> {
    let key = hex::decode(secret).map_err(|_| {
        AppError::Database(aidazu_ports::StoreError::Corrupt(format!(
            "activity {activity} check-in secret"
        )))
    })?;
    let mut mac = HmacSha256::new_from_slice(&key).map_err(|_| {
        AppError::Database(aidazu_ports::StoreError::Corrupt(
            "check-in secret length".into(),
        ))
    })?;
    mac.update(format!("{}.{window}", activity.get()).as_bytes());
    Ok(mac)
}

fn make_code(secret: &str, activity: ActivityId, window: i64) -> Result<String, AppError> {
    let full = tag(secret, activity, window)?.finalize().into_bytes();
    Ok(format!(
        "{CODE_PREFIX}.{}.{window}.{}",
        activity.get(),
        hex::encode(&full[..TAG_BYTES])
    ))
}

/// The parts of a scanned code: activity, window and tag; `None` when it is not our shape.
fn parse_code(code: &str) -> Option<(ActivityId, i64, Vec<u8>)> {
    let mut parts = code.trim().split('.');
    if parts.next()? != CODE_PREFIX {
        return None;
    }
    let activity = parts.next()?.parse().ok()?;
    let window = parts.next()?.parse().ok()?;
    let tag = hex::decode(parts.next()?).ok()?;
    if parts.next().is_some() || tag.len() != TAG_BYTES {
        return None;
    }
    Some((ActivityId(activity), window, tag))
}

fn check_text(
    text: &str,
    max: usize,
    field: &'static str,
    message: &'static str,
) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > max {
        return Err(AppError::InvalidField { field, message });
    }
    Ok(text.to_owned())
}

impl App {
    async fn activity_in_scope(
        &self,
        actor: &Actor,
        id: ActivityId,
        action: Action,
    ) -> Result<(StoredActivity, aidazu_domain::org::Role), AppError> {
        let activity = store_act::activity(self.store(), id)
            .await?
            .ok_or(AppError::ActivityNotFound(id.get()))?;
        let location = self.village_location(activity.village).await?;
        let role = actor.require(action, &location, AppError::ActivityNotFound(id.get()))?;
        Ok((activity, role))
    }

    /// R21: the village admin sets up an activity.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::InvalidField`] (topic, place, group of another village),
    /// [`AppError::Rule`] (an item not in the catalogue in force, a date outside the points-year).
    pub async fn create_activity(
        &self,
        actor: &Actor,
        village: VillageId,
        input: ActivityInput,
    ) -> Result<StoredActivity, AppError> {
        let location = self.village_location(village).await?;
        let role = actor.require(
            Action::ScoreDirectly,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        let topic = check_text(
            &input.topic,
            TOPIC_MAX_CHARS,
            "topic",
            "活动主题不能为空，且不超过 100 个字",
        )?;
        let place = check_text(
            &input.place,
            TOPIC_MAX_CHARS,
            "place",
            "活动地点不能为空，且不超过 100 个字",
        )?;
        let db = self.store();
        if let Some(group) = input.group
            && store_act::group_village(db, group).await? != Some(village)
        {
            return Err(AppError::InvalidField {
                field: "groupId",
                message: "该组（社）不属于本村",
            });
        }
        let today = business_date(self.clock().now());
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        if calendar.points_year_of(input.held_on) != calendar.points_year_of(today) {
            return Err(DomainError::OutsidePointsYear.into());
        }
        let item_code = match &input.item_code {
            Some(code) => {
                let code = ItemCode::parse(code.trim())?;
                let stored = aidazu_ports::catalogue::catalogue_in_force_stored(
                    self.store(),
                    village,
                    today,
                )
                .await?
                .ok_or(AppError::CatalogueNotFound(village.get()))?;
                let item = stored.version.require_item(&code)?;
                if !item.points().suggested().is_positive() {
                    return Err(AppError::InvalidField {
                        field: "itemCode",
                        message: "参加活动只能获得正面清单的加分项目",
                    });
                }
                Some(code)
            }
            None => None,
        };
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        let txn = self.store().begin().await?;
        let id = store_act::insert_activity(
            &txn,
            &NewActivity {
                village,
                group: input.group,
                topic: topic.clone(),
                place: place.clone(),
                held_on: input.held_on,
                item_code: item_code.clone(),
                checkin_secret: hex::encode(secret),
                created_by: actor.account_id,
            },
        )
        .await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "activity.create",
                "activity",
                Some(id.get().to_string()),
                Some(village),
                None,
                json!({
                    "topic": topic,
                    "place": place,
                    "heldOn": input.held_on,
                    "groupId": input.group.map(GroupId::get),
                    "itemCode": item_code.as_ref().map(ItemCode::as_str),
                }),
            ),
        )
        .await?;
        let stored = store_act::activity(&txn, id)
            .await?
            .ok_or(AppError::ActivityNotFound(id.get()))?;
        txn.commit().await?;
        Ok(stored)
    }

    /// The activities of a village, latest first, with attendance counts; for villagers, whether
    /// their household attended.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope).
    pub async fn activities(
        &self,
        actor: &Actor,
        village: VillageId,
    ) -> Result<Vec<ActivitySummary>, AppError> {
        let location = self.village_location(village).await?;
        actor.require(
            Action::ViewBoard,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        let db = self.store();
        let list = store_act::village_activities(db, village).await?;
        let ids: Vec<ActivityId> = list.iter().map(|a| a.id).collect();
        let counts = store_act::attendance_counts(db, &ids).await?;
        let mut out = Vec::with_capacity(list.len());
        for activity in list {
            let mine = match actor.household_id {
                Some(h) => store_act::attendance(db, activity.id)
                    .await?
                    .iter()
                    .any(|a| a.household == h),
                None => false,
            };
            out.push(ActivitySummary {
                attended: counts.get(&activity.id).copied().unwrap_or(0),
                my_household_attended: mine,
                activity,
            });
        }
        Ok(out)
    }

    /// An activity with its attendance (names, for the admin and the export) and its stories.
    ///
    /// # Errors
    /// [`AppError::ActivityNotFound`] (also out of scope), [`AppError::Forbidden`].
    pub async fn activity_detail(
        &self,
        actor: &Actor,
        id: ActivityId,
    ) -> Result<ActivityDetail, AppError> {
        let (activity, _) = self
            .activity_in_scope(actor, id, Action::ViewRecords)
            .await?;
        let db = self.store();
        let mut attendance = Vec::new();
        for a in store_act::attendance(db, id).await? {
            let household = aidazu_ports::households::household(db, a.household).await?;
            let member = store_decl::member_ref(db, a.member).await?;
            attendance.push(AttendanceLine {
                household_code: household
                    .as_ref()
                    .map(|h| h.code.clone())
                    .unwrap_or_default(),
                address: household.map(|h| h.address).unwrap_or_default(),
                member_name: member.map(|m| m.name).unwrap_or_default(),
                attendance: a,
            });
        }
        let stories = store_act::stories(db, id).await?;
        Ok(ActivityDetail {
            activity,
            attendance,
            stories,
        })
    }

    /// Opens or closes check-in.
    ///
    /// # Errors
    /// [`AppError::ActivityNotFound`] (also out of scope), [`AppError::Forbidden`].
    pub async fn set_checkin(
        &self,
        actor: &Actor,
        id: ActivityId,
        open: bool,
    ) -> Result<StoredActivity, AppError> {
        let (activity, role) = self
            .activity_in_scope(actor, id, Action::ScoreDirectly)
            .await?;
        let txn = self.store().begin().await?;
        store_act::set_checkin_open(&txn, id, open).await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                if open {
                    "activity.checkin_open"
                } else {
                    "activity.checkin_close"
                },
                "activity",
                Some(id.get().to_string()),
                Some(activity.village),
                None,
                json!({}),
            ),
        )
        .await?;
        let stored = store_act::activity(&txn, id)
            .await?
            .ok_or(AppError::ActivityNotFound(id.get()))?;
        txn.commit().await?;
        Ok(stored)
    }

    /// The code the check-in screen shows now (it asks again at `valid_until`).
    ///
    /// # Errors
    /// [`AppError::ActivityNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::Rule`] (`activity.checkin_closed`).
    pub async fn checkin_code(
        &self,
        actor: &Actor,
        id: ActivityId,
    ) -> Result<CheckinCode, AppError> {
        let (activity, _) = self
            .activity_in_scope(actor, id, Action::ScoreDirectly)
            .await?;
        if !activity.checkin_open {
            return Err(DomainError::CheckinClosed.into());
        }
        let window = checkin_window(self.clock().now());
        Ok(CheckinCode {
            code: make_code(&activity.checkin_secret, id, window)?,
            valid_until: window_end(window),
        })
    }

    /// R21: a villager scans the code on the screen; the household is recorded (and credited)
    /// once.
    ///
    /// # Errors
    /// [`AppError::NoHousehold`], [`AppError::Rule`] (`activity.code_invalid`,
    /// `activity.code_expired`, `activity.checkin_closed`, `activity.not_today`, participation,
    /// caps), [`AppError::ActivityNotFound`] (another village's activity).
    pub async fn check_in(&self, actor: &Actor, code: &str) -> Result<CheckinResult, AppError> {
        let (household, member, village) =
            match (actor.household_id, actor.member_id, actor.village_id) {
                (Some(h), Some(m), Some(v)) => (h, m, v),
                _ => return Err(AppError::NoHousehold),
            };
        let Some((id, window, given)) = parse_code(code) else {
            return Err(DomainError::CheckinCodeInvalid.into());
        };
        let activity = store_act::activity(self.store(), id)
            .await?
            .filter(|a| a.village == village)
            .ok_or(DomainError::CheckinCodeInvalid)?;
        tag(&activity.checkin_secret, id, window)?
            .verify_truncated_left(&given)
            .map_err(|_| DomainError::CheckinCodeInvalid)?;
        let location = self.village_location(village).await?;
        actor.require(
            Action::Declare,
            &location,
            AppError::ActivityNotFound(id.get()),
        )?;
        let now = self.clock().now();
        CheckinState {
            open: activity.checkin_open,
            held_on: activity.held_on,
        }
        .accept_scan(window, now, business_date(now))?;
        self.attend(
            actor,
            activity,
            household,
            member,
            AttendanceVia::Scan,
            None,
        )
        .await
    }

    /// R21: the admin marks a member's household as attending (no phone, or the scan failed).
    ///
    /// # Errors
    /// [`AppError::ActivityNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::MemberNotFound`] (also of another village), [`AppError::Recusal`] (the admin's
    /// own household), [`AppError::Rule`] (participation, caps).
    pub async fn mark_attendance(
        &self,
        actor: &Actor,
        id: ActivityId,
        member: MemberId,
    ) -> Result<CheckinResult, AppError> {
        let (activity, _) = self
            .activity_in_scope(actor, id, Action::ScoreDirectly)
            .await?;
        let member_ref = store_decl::member_ref(self.store(), member)
            .await?
            .filter(|m| m.village == activity.village)
            .ok_or(AppError::MemberNotFound(member.get()))?;
        if actor.household_id == Some(member_ref.household) {
            return Err(AppError::Recusal);
        }
        self.attend(
            actor,
            activity,
            member_ref.household,
            member,
            AttendanceVia::Manual,
            actor.household_id,
        )
        .await
    }

    async fn attend(
        &self,
        actor: &Actor,
        activity: StoredActivity,
        household: HouseholdId,
        member: MemberId,
        via: AttendanceVia,
        recusal_household: Option<HouseholdId>,
    ) -> Result<CheckinResult, AppError> {
        let now = self.clock().now();
        let calendar = aidazu_ports::org::village_calendar(self.store(), activity.village).await?;
        let year = calendar.points_year_of(activity.held_on);
        if year != calendar.points_year_of(business_date(now)) {
            return Err(DomainError::OutsidePointsYear.into());
        }
        self.require_participation(household, activity.held_on)
            .await?;
        let item = match &activity.item_code {
            Some(code) => {
                let stored = aidazu_ports::catalogue::catalogue_in_force_stored(
                    self.store(),
                    activity.village,
                    activity.held_on,
                )
                .await?
                .ok_or(AppError::CatalogueNotFound(activity.village.get()))?;
                let item = stored.version.require_item(code)?.clone();
                Some((item, stored.version.item_ref(code)))
            }
            None => None,
        };
        let txn = self.store().begin().await?;
        ledger::lock_household(&txn, household).await?;
        if !store_act::record_attendance(
            &txn,
            activity.id,
            household,
            member,
            via,
            actor.account_id,
            now,
        )
        .await?
        {
            return Ok(CheckinResult {
                activity,
                household,
                recorded: false,
                entry: None,
                points: 0,
            });
        }
        let mut booked = None;
        if let Some((item, item_ref)) = &item {
            let code = item_ref.code.clone();
            let entry = attendance_entry(
                item,
                item_ref.clone(),
                household,
                member,
                &activity.topic,
                activity.created_by,
                recusal_household,
                shanghai_instant(activity.held_on, NaiveTime::MIN),
            )?;
            let usage = household_cap_usage(
                &txn,
                household,
                item.cap(),
                &code,
                calendar,
                activity.held_on,
                None,
            )
            .await?;
            check_cap(item.cap(), &code, usage, entry.amount)?;
            let points = entry.amount;
            let entry_id = ledger::append_entry(
                &txn,
                &NewLedgerEntry {
                    entry,
                    points_year: year,
                    channel: actor.channel,
                    request_id: actor.request_id.clone(),
                    idempotency_key: Some(format!(
                        "activity:{}:{}",
                        activity.id.get(),
                        household.get()
                    )),
                },
            )
            .await?;
            store_act::set_attendance_entry(&txn, activity.id, household, entry_id).await?;
            booked = Some((entry_id, points));
        }
        audit::record(
            &txn,
            &actor.audit(
                None,
                "activity.attend",
                "activity",
                Some(activity.id.get().to_string()),
                Some(activity.village),
                Some(household),
                json!({
                    "memberId": member.get(),
                    "via": via.as_str(),
                    "ledgerEntryId": booked.map(|(id, _)| id.get()),
                    "points": booked.map(|(_, p)| p.get()),
                }),
            ),
        )
        .await?;
        if let Some((entry_id, points)) = booked {
            let users: Vec<String> = store_decl::household_recipients(&txn, household)
                .await?
                .into_iter()
                .map(|r| r.dingtalk_user_id)
                .collect();
            if !users.is_empty() {
                outbox::enqueue(
                    &txn,
                    messages::work_notice(
                        messages::key::entry_notice(entry_id),
                        activity.village,
                        users,
                        "积分加分通知",
                        format!(
                            "{} 参加积分分享活动“{}”，加 {} 分。",
                            activity.held_on, activity.topic, points
                        ),
                        About::Entry(entry_id),
                    ),
                )
                .await?;
            }
        }
        txn.commit().await?;
        self.wake_workers();
        Ok(CheckinResult {
            activity,
            household,
            recorded: true,
            entry: booked.map(|(id, _)| id),
            points: booked.map_or(0, |(_, p)| p.get()),
        })
    }

    /// R21: the admin attaches a story (积分小故事) told at the activity, with photos.
    ///
    /// # Errors
    /// [`AppError::ActivityNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::InvalidField`] (text, too many photos), [`AppError::MemberNotFound`],
    /// [`AppError::PhotoNotUsable`].
    pub async fn add_story(
        &self,
        actor: &Actor,
        id: ActivityId,
        member: Option<MemberId>,
        text: &str,
        photo_ids: Vec<i64>,
    ) -> Result<Story, AppError> {
        let (activity, role) = self
            .activity_in_scope(actor, id, Action::ScoreDirectly)
            .await?;
        let text = check_text(
            text,
            STORY_MAX_CHARS,
            "text",
            "故事内容不能为空，且不超过 1000 个字",
        )?;
        if photo_ids.len() > STORY_MAX_PHOTOS {
            return Err(AppError::InvalidField {
                field: "photoIds",
                message: "照片最多 9 张",
            });
        }
        let db = self.store();
        if let Some(member) = member
            && store_decl::member_ref(db, member)
                .await?
                .is_none_or(|m| m.village != activity.village)
        {
            return Err(AppError::MemberNotFound(member.get()));
        }
        let found = photos::photos_by_ids(db, &photo_ids).await?;
        for id in &photo_ids {
            if !found
                .iter()
                .any(|p| p.id == *id && p.village == activity.village)
            {
                return Err(AppError::PhotoNotUsable(*id));
            }
        }
        let txn = self.store().begin().await?;
        let story_id =
            store_act::add_story(&txn, id, member, &text, &photo_ids, actor.account_id).await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "activity.story",
                "activity",
                Some(id.get().to_string()),
                Some(activity.village),
                None,
                json!({ "storyId": story_id, "memberId": member.map(MemberId::get), "photoIds": photo_ids }),
            ),
        )
        .await?;
        let story = store_act::stories(&txn, id)
            .await?
            .into_iter()
            .find(|s| s.id == story_id)
            .ok_or(AppError::ActivityNotFound(id.get()))?;
        txn.commit().await?;
        Ok(story)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SECRET: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn r21_codes_verify_and_any_change_breaks_them() {
        let code = make_code(SECRET, ActivityId(7), 1000).unwrap();
        let (id, window, given) = parse_code(&code).unwrap();
        assert_eq!((id, window), (ActivityId(7), 1000));
        assert!(
            tag(SECRET, id, window)
                .unwrap()
                .verify_truncated_left(&given)
                .is_ok()
        );
        // Another window or activity with the same tag does not verify.
        assert!(
            tag(SECRET, id, window + 1)
                .unwrap()
                .verify_truncated_left(&given)
                .is_err()
        );
        assert!(
            tag(SECRET, ActivityId(8), window)
                .unwrap()
                .verify_truncated_left(&given)
                .is_err()
        );
        for bad in [
            "",
            "AD1.7.1000",
            "XX1.7.1000.00",
            &format!("{code}.1"),
            "AD1.7.x.00",
        ] {
            assert!(parse_code(bad).is_none(), "{bad}");
        }
    }
}
