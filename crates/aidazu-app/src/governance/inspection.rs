//! The quarterly door-to-door inspection (入户检查, R10, R6): one request scores every household
//! of a group against the inspection items (recorded by `G`) in ONE transaction, each entry with
//! its item's evidence rule enforced; a group is inspected once per quarter.

use std::collections::HashSet;

use aidazu_domain::calendar::{business_date, shanghai_instant};
use aidazu_domain::ledger::{DirectScore, check_cap};
use aidazu_domain::org::Action;
use aidazu_domain::{DomainError, GroupId, HouseholdId, ItemCode, LedgerEntryId, MemberId, Points};
use aidazu_ports::governance::{self as gov, NewInspection};
use aidazu_ports::ledger::{self, NewLedgerEntry};
use aidazu_ports::{audit, photos};
use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use serde_json::json;

use crate::auth::Actor;
use crate::declarations::household_cap_usage;
use crate::{App, AppError};

/// One score of a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionScore {
    pub item_code: String,
    pub points: Points,
    /// The member concerned; the household's first member (户主) when `None`.
    pub member: Option<MemberId>,
    pub reason: String,
    pub photo_ids: Vec<i64>,
}

/// One household's line (possibly without scores: inspected, nothing to record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionLine {
    pub household: HouseholdId,
    pub scores: Vec<InspectionScore>,
}

/// The whole group's inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionInput {
    pub occurred_on: NaiveDate,
    pub lines: Vec<InspectionLine>,
}

/// One booked entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectionEntry {
    pub household: HouseholdId,
    pub entry_id: LedgerEntryId,
    pub item_code: String,
    pub points: i64,
    pub catalogue_version: u32,
}

/// The recorded inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectionResult {
    pub id: i64,
    pub group: GroupId,
    pub quarter: String,
    pub households: u32,
    pub entries: Vec<InspectionEntry>,
}

fn invalid(message: &'static str) -> AppError {
    AppError::InvalidField {
        field: "lines",
        message,
    }
}

impl App {
    /// Scores a whole group's households in one transaction (village admin).
    ///
    /// # Errors
    /// [`AppError::GroupNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::InvalidField`] (`lines`: a household missing, repeated or of another group),
    /// [`AppError::AlreadyInspected`], [`AppError::Rule`] (item not an inspection item, points,
    /// evidence, cap, date, recusal), [`AppError::PhotoNotUsable`], [`AppError::Database`].
    /// Nothing is written when refused.
    #[allow(clippy::too_many_lines)] // one transaction, read top to bottom
    pub async fn inspect_group(
        &self,
        actor: &Actor,
        group: GroupId,
        input: InspectionInput,
    ) -> Result<InspectionResult, AppError> {
        let db = self.store();
        let row = gov::group(db, group)
            .await?
            .ok_or(AppError::GroupNotFound(group.get()))?;
        let village = row.village;
        let location = self.village_location(village).await?;
        let role = actor.require(
            Action::ScoreDirectly,
            &location,
            AppError::GroupNotFound(group.get()),
        )?;
        let today = business_date(self.clock().now());
        if input.occurred_on > today {
            return Err(DomainError::OccurredInFuture.into());
        }
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        if calendar.points_year_of(input.occurred_on) != calendar.points_year_of(today) {
            return Err(DomainError::OutsidePointsYear.into());
        }
        let quarter = calendar.quarter_of(input.occurred_on).to_string();
        if gov::inspected(db, group, &quarter).await? {
            return Err(AppError::AlreadyInspected);
        }
        // Every household of the group exactly once, and nothing else.
        let members_of_group: Vec<HouseholdId> =
            aidazu_ports::org::households(self.store(), village)
                .await?
                .into_iter()
                .filter(|h| h.group == Some(group))
                .map(|h| h.id)
                .collect();
        let mut seen = HashSet::new();
        for line in &input.lines {
            if !members_of_group.contains(&line.household) {
                return Err(invalid("检查名单中有不属于该小组的农户"));
            }
            if !seen.insert(line.household) {
                return Err(invalid("同一农户在检查名单中出现了两次"));
            }
        }
        if seen.len() != members_of_group.len() {
            return Err(invalid("入户检查须覆盖该小组的全部农户"));
        }
        let stored =
            aidazu_ports::catalogue::catalogue_in_force_stored(self.store(), village, today)
                .await?
                .ok_or(AppError::CatalogueNotFound(village.get()))?;
        let at = shanghai_instant(input.occurred_on, NaiveTime::MIN);
        // Check every score before writing anything.
        let mut planned = Vec::new();
        for line in &input.lines {
            if line.scores.is_empty() {
                continue;
            }
            self.require_participation(line.household, input.occurred_on)
                .await?;
            let members =
                aidazu_ports::org::household_members(self.store(), line.household).await?;
            for score in &line.scores {
                let member = match score.member {
                    Some(m) if members.iter().any(|x| x.id == m) => m,
                    Some(m) => return Err(AppError::MemberNotInHousehold(m.get())),
                    None => members
                        .first()
                        .map(|m| m.id)
                        .ok_or(AppError::HouseholdNotFound(line.household.get()))?,
                };
                let code = ItemCode::parse(score.item_code.trim())?;
                let item = stored.version.require_item(&code)?;
                let found = photos::photos_by_ids(db, &score.photo_ids).await?;
                for (i, id) in score.photo_ids.iter().enumerate() {
                    if score.photo_ids[..i].contains(id) {
                        return Err(AppError::DuplicatePhoto(*id));
                    }
                    if !found.iter().any(|p| p.id == *id && p.village == village) {
                        return Err(AppError::PhotoNotUsable(*id));
                    }
                }
                let item_ref = stored.version.item_ref(&code);
                let reason = if score.reason.trim().is_empty() {
                    format!("{quarter} 入户检查")
                } else {
                    score.reason.trim().to_owned()
                };
                let entry = DirectScore {
                    household: line.household,
                    member,
                    item,
                    item_ref: item_ref.clone(),
                    points: score.points,
                    reason,
                    photos: score.photo_ids.len(),
                    actor: actor.account_id,
                    actor_household: actor.household_id,
                    at,
                }
                .into_inspection_entry()
                .map_err(|err| match err {
                    DomainError::RecusalRequired => AppError::Recusal,
                    other => AppError::Rule(other),
                })?;
                planned.push((
                    entry,
                    item.cap(),
                    code,
                    item_ref.version,
                    score.photo_ids.clone(),
                ));
            }
        }

        let txn = self.store().begin().await?;
        let mut entries = Vec::with_capacity(planned.len());
        for (entry, cap, code, version, photo_ids) in planned {
            ledger::lock_household(&txn, entry.household).await?;
            let usage = household_cap_usage(
                &txn,
                entry.household,
                cap,
                &code,
                calendar,
                input.occurred_on,
                None,
            )
            .await?;
            check_cap(cap, &code, usage, entry.amount)?;
            let id = ledger::append_entry(
                &txn,
                &NewLedgerEntry {
                    entry: entry.clone(),
                    points_year: calendar.points_year_of(input.occurred_on),
                    channel: actor.channel,
                    request_id: actor.request_id.clone(),
                    idempotency_key: None,
                },
            )
            .await?;
            audit::record(
                &txn,
                &actor.audit(
                    Some(role),
                    "ledger.inspection_score",
                    "ledger_entry",
                    Some(id.get().to_string()),
                    Some(village),
                    Some(entry.household),
                    json!({
                        "groupId": group.get(),
                        "quarter": quarter,
                        "itemCode": code.as_str(),
                        "catalogueVersion": version,
                        "memberId": entry.member.map(MemberId::get),
                        "points": entry.amount.get(),
                        "reason": entry.reason,
                        "photoIds": photo_ids,
                    }),
                ),
            )
            .await?;
            entries.push(InspectionEntry {
                household: entry.household,
                entry_id: id,
                item_code: code.to_string(),
                points: entry.amount.get(),
                catalogue_version: version,
            });
        }
        let id = gov::insert_inspection(
            &txn,
            &NewInspection {
                village,
                group,
                quarter: quarter.clone(),
                inspected_on: input.occurred_on,
                entries: i32::try_from(entries.len()).unwrap_or(i32::MAX),
                created_by: actor.account_id,
            },
        )
        .await
        .map_err(|e| match e {
            aidazu_ports::StoreError::Conflict(_) => AppError::AlreadyInspected,
            other => other.into(),
        })?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "inspection.recorded",
                "inspection",
                Some(id.to_string()),
                Some(village),
                None,
                json!({ "groupId": group.get(), "quarter": quarter, "households": seen.len(), "entries": entries.len() }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(InspectionResult {
            id,
            group,
            quarter,
            households: u32::try_from(seen.len()).unwrap_or(u32::MAX),
            entries,
        })
    }
}
