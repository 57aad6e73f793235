//! Admin scoring (R10, D6): a village admin books a positive or negative item of the catalogue in
//! force directly for a member, with a reason and evidence photos; a negative entry always names
//! the item, the member and the evidence. The household's members get a work notification.

use aidazu_domain::calendar::{business_date, shanghai_instant};
use aidazu_domain::ledger::{DirectScore, EntryKind, check_cap};
use aidazu_domain::org::Action;
use aidazu_domain::{
    DomainError, HouseholdId, ItemCode, LedgerEntryId, MemberId, Points, VillageId,
};
use aidazu_ports::declarations as store_decl;
use aidazu_ports::ledger::{self, NewLedgerEntry};
use aidazu_ports::outbox;
use aidazu_ports::{audit, photos};
use chrono::{NaiveDate, NaiveTime};
use serde_json::json;

use crate::auth::Actor;
use crate::declarations::household_cap_usage;
use crate::messages::{self, About};
use crate::{App, AppError};

/// What the admin books.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreInput {
    pub item_code: String,
    pub member_id: MemberId,
    pub points: Points,
    pub reason: String,
    pub photo_ids: Vec<i64>,
    pub occurred_on: NaiveDate,
}

/// The booked entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreResult {
    pub entry_id: LedgerEntryId,
    pub household: HouseholdId,
    pub village: VillageId,
    pub member: MemberId,
    pub kind: EntryKind,
    pub item_code: String,
    pub catalogue_version: u32,
    pub points: Points,
    pub reason: String,
    pub photo_ids: Vec<i64>,
    pub occurred_on: NaiveDate,
}

impl App {
    /// R10: books a direct award or penalty.
    ///
    /// # Errors
    /// [`AppError::MemberNotFound`] (also outside the admin's scope), [`AppError::Forbidden`],
    /// [`AppError::Rule`] (`review.recusal_required`→`declaration.recusal`, points, reason,
    /// evidence, cap, date), [`AppError::PhotoNotUsable`], [`AppError::Database`].
    #[tracing::instrument(skip(self, actor, input), fields(account.id = actor.account_id.get()))]
    pub async fn score_directly(
        &self,
        actor: &Actor,
        input: ScoreInput,
    ) -> Result<ScoreResult, AppError> {
        let db = self.store();
        let member = store_decl::member_ref(db, input.member_id)
            .await?
            .ok_or(AppError::MemberNotFound(input.member_id.get()))?;
        let location = self.village_location(member.village).await?;
        let role = actor.require(
            Action::ScoreDirectly,
            &location,
            AppError::MemberNotFound(input.member_id.get()),
        )?;
        let code = ItemCode::parse(input.item_code.trim())?;
        let now = self.clock().now();
        let today = business_date(now);
        if input.occurred_on > today {
            return Err(DomainError::OccurredInFuture.into());
        }
        let calendar = aidazu_ports::org::village_calendar(self.store(), member.village).await?;
        if calendar.points_year_of(input.occurred_on) != calendar.points_year_of(today) {
            return Err(DomainError::OutsidePointsYear.into());
        }
        let stored =
            aidazu_ports::catalogue::catalogue_in_force_stored(self.store(), member.village, today)
                .await?
                .ok_or(AppError::CatalogueNotFound(member.village.get()))?;
        let item = stored.version.require_item(&code)?;
        self.require_participation(member.household, input.occurred_on)
            .await?;
        for (i, id) in input.photo_ids.iter().enumerate() {
            if input.photo_ids[..i].contains(id) {
                return Err(AppError::DuplicatePhoto(*id));
            }
        }
        let found = photos::photos_by_ids(db, &input.photo_ids).await?;
        for id in &input.photo_ids {
            if !found
                .iter()
                .any(|p| p.id == *id && p.village == member.village)
            {
                return Err(AppError::PhotoNotUsable(*id));
            }
        }
        let item_ref = stored.version.item_ref(&code);
        let entry = DirectScore {
            household: member.household,
            member: member.id,
            item,
            item_ref: item_ref.clone(),
            points: input.points,
            reason: input.reason.clone(),
            photos: input.photo_ids.len(),
            actor: actor.account_id,
            actor_household: actor.household_id,
            at: shanghai_instant(input.occurred_on, NaiveTime::MIN),
        }
        .into_entry()
        .map_err(|err| match err {
            DomainError::RecusalRequired => AppError::Recusal,
            other => AppError::Rule(other),
        })?;
        let cap = item.cap();
        let title = item.title().to_owned();

        let txn = self.store().begin().await?;
        ledger::lock_household(&txn, member.household).await?;
        let usage = household_cap_usage(
            &txn,
            member.household,
            cap,
            &code,
            calendar,
            input.occurred_on,
            None,
        )
        .await?;
        check_cap(cap, &code, usage, input.points)?;
        let new = NewLedgerEntry {
            entry: entry.clone(),
            points_year: calendar.points_year_of(input.occurred_on),
            channel: actor.channel,
            request_id: actor.request_id.clone(),
            idempotency_key: None,
        };
        let entry_id = ledger::append_entry(&txn, &new).await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "ledger.direct_score",
                "ledger_entry",
                Some(entry_id.get().to_string()),
                Some(member.village),
                Some(member.household),
                json!({
                    "itemCode": code.as_str(),
                    "catalogueVersion": item_ref.version,
                    "memberId": member.id.get(),
                    "points": input.points.get(),
                    "kind": entry.kind.to_string(),
                    "reason": entry.reason,
                    "photoIds": input.photo_ids,
                    "occurredOn": input.occurred_on,
                }),
            ),
        )
        .await?;
        let user_ids: Vec<String> = store_decl::household_recipients(&txn, member.household)
            .await?
            .into_iter()
            .map(|r| r.dingtalk_user_id)
            .collect();
        if !user_ids.is_empty() {
            let (title_line, verb) = if entry.kind == EntryKind::Penalty {
                ("积分扣减通知", "扣减")
            } else {
                ("积分加分通知", "加")
            };
            let text = format!(
                "{} {} 因“{}”{} {} 分。事由：{}",
                input.occurred_on,
                member.name,
                title,
                verb,
                input.points.get().abs(),
                entry.reason
            );
            outbox::enqueue(
                &txn,
                messages::work_notice(
                    messages::key::entry_notice(entry_id),
                    member.village,
                    user_ids,
                    title_line,
                    text,
                    About::Entry(entry_id),
                ),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(ScoreResult {
            entry_id,
            household: member.household,
            village: member.village,
            member: member.id,
            kind: entry.kind,
            item_code: code.to_string(),
            catalogue_version: item_ref.version,
            points: input.points,
            reason: entry.reason,
            photo_ids: input.photo_ids,
            occurred_on: input.occurred_on,
        })
    }
}
