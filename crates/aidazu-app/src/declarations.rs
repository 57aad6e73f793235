//! Declarations (R8, R9, R11): a member declares a deed with photo evidence; the household lists,
//! reads and withdraws its declarations; admins list their village's.
//!
//! Submitting writes, in one transaction, the declaration (`in_review`), its photos, the audit
//! record and the outbox messages that open the DingTalk approval and send the admins' card.

use aidazu_domain::calendar::{PointsYearConfig, business_date};
use aidazu_domain::catalogue::Cap;
use aidazu_domain::declaration::{DeclarationDraft, DeclarationState, validate_draft_in_version};
use aidazu_domain::ledger::{CapUsage, cap_usage, check_cap};
use aidazu_domain::org::{Action, Role, require_household_participates};
use aidazu_domain::{DeclarationId, ItemCode, MemberId, Points, VillageId};
use aidazu_ports::declarations::{self as store_decl, DeclarationRecord, NewDeclaration};
use aidazu_ports::outbox;
use aidazu_ports::{AsRepo, audit, ledger, photos};
use chrono::NaiveDate;
use serde_json::json;

use crate::auth::Actor;
use crate::messages;
use crate::photos::is_overseer;
use crate::{App, AppError};

/// What a member submits (R8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclareInput {
    pub item_code: String,
    pub occurred_on: NaiveDate,
    pub member_id: MemberId,
    pub text: String,
    pub photo_ids: Vec<i64>,
}

/// A declaration as the API shows it, with the R11 reuse flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationView {
    pub record: DeclarationRecord,
    /// Other declarations carrying a photo with the same content (R11).
    pub reused_with: Vec<DeclarationId>,
}

impl DeclarationView {
    /// Whether a photo of this declaration was also used on another one (R11).
    #[must_use]
    pub fn reused_photo(&self) -> bool {
        !self.reused_with.is_empty()
    }
}

impl App {
    /// R8: validates and submits a declaration for a member of the caller's household.
    ///
    /// # Errors
    /// [`AppError::NoHousehold`], [`AppError::Forbidden`], [`AppError::MemberNotInHousehold`],
    /// [`AppError::PhotoNotUsable`], [`AppError::DuplicatePhoto`], [`AppError::Rule`] (item not
    /// declarable, date, text, photo count, cap), [`AppError::CatalogueNotFound`],
    /// [`AppError::Database`].
    #[tracing::instrument(skip(self, actor, input), fields(account.id = actor.account_id.get()))]
    pub async fn declare(
        &self,
        actor: &Actor,
        input: DeclareInput,
    ) -> Result<DeclarationView, AppError> {
        let (household, village) = match (actor.household_id, actor.village_id) {
            (Some(h), Some(v)) => (h, v),
            _ => return Err(AppError::NoHousehold),
        };
        let location = self.village_location(village).await?;
        let role = actor.require(Action::Declare, &location, AppError::Forbidden)?;
        let db = self.store();
        let member = store_decl::member_ref(db, input.member_id).await?;
        if member.as_ref().is_none_or(|m| m.household != household) {
            return Err(AppError::MemberNotInHousehold(input.member_id.get()));
        }
        let code = ItemCode::parse(input.item_code.trim())?;
        let now = self.clock().now();
        let today = business_date(now);
        let stored =
            aidazu_ports::catalogue::catalogue_in_force_stored(self.store(), village, today)
                .await?
                .ok_or(AppError::CatalogueNotFound(village.get()))?;
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let policy = self.declaration_policy();
        let draft = DeclarationDraft {
            household,
            member: input.member_id,
            item: code.clone(),
            occurred_on: input.occurred_on,
            text: input.text.trim().to_owned(),
            photos: input.photo_ids.iter().map(ToString::to_string).collect(),
        };
        let item = validate_draft_in_version(&draft, &stored.version, calendar, &policy, today)?;
        check_photos(db, &input.photo_ids, village, household).await?;
        self.require_may_declare(household, input.occurred_on, today)
            .await?;

        let rule = item.points();
        let (min, max) = points_bounds(rule);
        let suggested = rule.suggested();
        let cap = item.cap();
        let item_title = item.title().to_owned();
        let item_ref = stored.version.item_ref(&code);

        let txn = self.store().begin().await?;
        ledger::lock_household(&txn, household).await?;
        let usage = household_cap_usage(
            &txn,
            household,
            cap,
            &code,
            calendar,
            input.occurred_on,
            None,
        )
        .await?;
        check_cap(cap, &code, usage, suggested)?;
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let new = NewDeclaration {
            village,
            household,
            member: input.member_id,
            declarant: actor.account_id,
            item_code: code.clone(),
            catalogue_version_id: stored.id,
            catalogue_version: item_ref.version,
            item_title: item_title.clone(),
            suggested_points: suggested,
            min_points: min,
            max_points: max,
            occurred_on: input.occurred_on,
            text: draft.text.clone(),
            submitted_at: now,
            review_deadline: policy.review_deadline(now),
            channel: actor.channel,
            request_id: actor.request_id.clone(),
            photo_ids: input.photo_ids.clone(),
        };
        let id = store_decl::insert_declaration(&txn, &new, &nonce).await?;
        let out_track_id = store_decl::out_track_id(id, &nonce);
        let reviewers = crate::review_routing::route_declaration(
            &txn,
            &location,
            household,
            calendar,
            input.occurred_on,
        )
        .await?
        .reviewer_user_ids();
        outbox::enqueue(&txn, messages::approval_create(id, village)).await?;
        outbox::enqueue(
            &txn,
            messages::card_send(id, village, out_track_id, reviewers),
        )
        .await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "declaration.submit",
                "declaration",
                Some(id.get().to_string()),
                Some(village),
                Some(household),
                json!({
                    "itemCode": code.as_str(),
                    "catalogueVersion": item_ref.version,
                    "memberId": input.member_id.get(),
                    "occurredOn": input.occurred_on,
                    "photoIds": input.photo_ids,
                }),
            ),
        )
        .await?;
        txn.commit().await?;
        self.declaration_view_by_id(id).await
    }

    /// The caller's household's declarations, newest first.
    ///
    /// # Errors
    /// [`AppError::NoHousehold`], [`AppError::Database`].
    pub async fn my_declarations(&self, actor: &Actor) -> Result<Vec<DeclarationView>, AppError> {
        let household = actor.household_id.ok_or(AppError::NoHousehold)?;
        let records = store_decl::household_declarations(self.store(), household).await?;
        self.views(records).await
    }

    /// One declaration: for the declaring household, and for the village's admins, committee and
    /// the officers over it.
    ///
    /// # Errors
    /// [`AppError::DeclarationNotFound`] (also outside the caller's reach), [`AppError::Database`].
    pub async fn declaration(
        &self,
        actor: &Actor,
        id: DeclarationId,
    ) -> Result<DeclarationView, AppError> {
        let view = self.declaration_view_by_id(id).await?;
        let location = self.village_location(view.record.village).await?;
        if actor.household_id == Some(view.record.household) || is_overseer(actor, &location) {
            Ok(view)
        } else {
            Err(AppError::DeclarationNotFound(id.get()))
        }
    }

    /// R9: the declaring member withdraws a declaration still in review; the approval is
    /// terminated and the card updated through the outbox.
    ///
    /// # Errors
    /// [`AppError::DeclarationNotFound`], [`AppError::NotDeclarant`],
    /// [`AppError::AlreadyDecided`], [`AppError::Database`].
    pub async fn withdraw_declaration(
        &self,
        actor: &Actor,
        id: DeclarationId,
    ) -> Result<DeclarationView, AppError> {
        let view = self.declaration_view_by_id(id).await?;
        let record = &view.record;
        if actor.household_id != Some(record.household) {
            return Err(AppError::DeclarationNotFound(id.get()));
        }
        if actor.member_id != Some(record.member) && actor.account_id != record.declarant {
            return Err(AppError::NotDeclarant);
        }
        let now = self.clock().now();
        let txn = self.store().begin().await?;
        if !store_decl::withdraw_in_review(&txn, id, now).await? {
            txn.rollback().await?;
            let current = self.declaration_view_by_id(id).await?;
            return Err(AppError::AlreadyDecided(current.record.state));
        }
        enqueue_closing(&txn, record, None).await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(Role::Villager),
                "declaration.withdraw",
                "declaration",
                Some(id.get().to_string()),
                Some(record.village),
                Some(record.household),
                json!({}),
            ),
        )
        .await?;
        txn.commit().await?;
        self.declaration_view_by_id(id).await
    }

    /// The declarations of a village, optionally in one state (admins, committee, officers).
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also outside the caller's scope), [`AppError::Forbidden`],
    /// [`AppError::UnknownState`], [`AppError::Database`].
    pub async fn village_declarations(
        &self,
        actor: &Actor,
        village: VillageId,
        state: Option<&str>,
    ) -> Result<Vec<DeclarationView>, AppError> {
        let location = self.village_location(village).await?;
        actor.require(
            Action::ViewRecords,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        let state = state
            .map(|s| store_decl::state_from_str(s).ok_or_else(|| AppError::UnknownState(s.into())))
            .transpose()?;
        let records = store_decl::village_declarations(self.store(), village, state).await?;
        self.views(records).await
    }

    /// A declaration with its R11 flag, without access checks (internal and channel use).
    ///
    /// # Errors
    /// [`AppError::DeclarationNotFound`], [`AppError::Database`].
    pub async fn declaration_view_by_id(
        &self,
        id: DeclarationId,
    ) -> Result<DeclarationView, AppError> {
        let record = store_decl::declaration(self.store(), id)
            .await?
            .ok_or(AppError::DeclarationNotFound(id.get()))?;
        let mut views = self.views(vec![record]).await?;
        views.pop().ok_or(AppError::DeclarationNotFound(id.get()))
    }

    /// The members of a household and their participation history (R3), as the domain sees them.
    async fn participation_facts(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<
        (
            Vec<aidazu_domain::org::Member>,
            Vec<aidazu_domain::org::ParticipationChange>,
        ),
        AppError,
    > {
        let members = aidazu_ports::households::household_members(self.store(), household)
            .await?
            .iter()
            .map(aidazu_ports::households::MemberRow::to_domain)
            .collect();
        let history =
            aidazu_ports::participation::participation_history(self.store(), household).await?;
        Ok((members, history))
    }

    /// R3: the household takes part on the deed's date and today (an opted-out household cannot
    /// self-declare).
    ///
    /// # Errors
    /// [`AppError::Rule`] (`participation.household_not_participating`), [`AppError::Database`].
    async fn require_may_declare(
        &self,
        household: aidazu_domain::HouseholdId,
        deed: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), AppError> {
        let (members, history) = self.participation_facts(household).await?;
        aidazu_domain::org::require_may_declare(&members, &history, deed, today)?;
        Ok(())
    }

    /// R3: a household out of the scheme on `on` earns nothing (and is not scored).
    ///
    /// # Errors
    /// [`AppError::Rule`] (`participation.household_not_participating`), [`AppError::Database`].
    pub(crate) async fn require_participation(
        &self,
        household: aidazu_domain::HouseholdId,
        on: NaiveDate,
    ) -> Result<(), AppError> {
        let (members, history) = self.participation_facts(household).await?;
        require_household_participates(&members, &history, on)?;
        Ok(())
    }

    async fn views(
        &self,
        records: Vec<DeclarationRecord>,
    ) -> Result<Vec<DeclarationView>, AppError> {
        let db = self.store();
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            let reused_with =
                photos::other_declarations_with_same_photos(db, &record.photo_ids, Some(record.id))
                    .await?;
            out.push(DeclarationView {
                record,
                reused_with,
            });
        }
        Ok(out)
    }
}

/// Every photo exists, was recorded in the village by the household, and appears once.
pub(crate) async fn check_photos<C: AsRepo + ?Sized>(
    db: &C,
    ids: &[i64],
    village: VillageId,
    household: aidazu_domain::HouseholdId,
) -> Result<(), AppError> {
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            return Err(AppError::DuplicatePhoto(*id));
        }
    }
    let found = photos::photos_by_ids(db, ids).await?;
    for id in ids {
        let in_village = found.iter().any(|p| p.id == *id && p.village == village);
        if !in_village || !photos::uploaded_by_household(db, *id, household).await? {
            return Err(AppError::PhotoNotUsable(*id));
        }
    }
    Ok(())
}

/// The bounds of an item's points rule (fixed: the value twice).
pub(crate) fn points_bounds(rule: &aidazu_domain::catalogue::PointsRule) -> (Points, Points) {
    match *rule {
        aidazu_domain::catalogue::PointsRule::Fixed(p) => (p, p),
        aidazu_domain::catalogue::PointsRule::Range { min, max, .. } => (min, max),
    }
}

/// R8: cap usage of an item for a household around `on`: booked entries plus the household's
/// other declarations of the item still in review (counted at their suggested points), except
/// `except`.
pub(crate) async fn household_cap_usage<C: AsRepo + ?Sized>(
    db: &C,
    household: aidazu_domain::HouseholdId,
    cap: Cap,
    code: &ItemCode,
    calendar: PointsYearConfig,
    on: NaiveDate,
    except: Option<DeclarationId>,
) -> Result<CapUsage, AppError> {
    if cap == Cap::None {
        return Ok(CapUsage::default());
    }
    let year = calendar.points_year_of(on);
    let entries: Vec<_> = ledger::household_entries(db, household, year)
        .await?
        .into_iter()
        .map(|e| e.entry)
        .collect();
    let mut usage = cap_usage(cap, code, &entries, calendar, on);
    if except.is_none() {
        for pending in store_decl::pending_of_item(db, household, code).await? {
            let same_period = match cap {
                Cap::PerYear(_) => calendar.points_year_of(pending.occurred_on) == year,
                _ => calendar.quarter_of(pending.occurred_on) == calendar.quarter_of(on),
            };
            if same_period {
                usage = usage.with(pending.suggested_points);
            }
        }
    }
    Ok(usage)
}

/// Closes the channels other than `deciding`: terminate the approval instance (unless the
/// approval decided) and update the card (R9).
pub(crate) async fn enqueue_closing<C: AsRepo + ?Sized>(
    db: &C,
    record: &DeclarationRecord,
    deciding: Option<aidazu_domain::channel::Channel>,
) -> Result<(), AppError> {
    use aidazu_domain::channel::Channel;
    if deciding != Some(Channel::DingTalkApproval) {
        outbox::enqueue(db, messages::approval_terminate(record)).await?;
    }
    outbox::enqueue(db, messages::card_update(record)).await?;
    Ok(())
}

/// The label of a state as stored (`in_review`, …).
#[must_use]
pub fn state_label(state: DeclarationState) -> String {
    state.to_string()
}
