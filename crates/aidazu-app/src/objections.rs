//! Objections to a quarterly publication (R17, D3, D6): a member files one while the window is
//! open (about their own household's entries, or reporting another household of the village);
//! the committee upholds (a correction entry, then an amended publication, version n+1, 更正,
//! with its own notice) or rejects with a reason; the objector is told in DingTalk and may take a
//! rejection to the town within the escalation window; the town decides. The domain
//! (`aidazu_domain::objection`) decides every step; this module loads, asks it and saves state,
//! ledger, outbox and audit in one transaction.

use aidazu_domain::calendar::{Quarter, WorkingDays, business_date};
use aidazu_domain::declaration::{DecisionOutcome, Reviewer};
use aidazu_domain::objection::{Objection, ObjectionDraft, ObjectionState};
use aidazu_domain::org::{Action, Role, Scope};
use aidazu_domain::{HouseholdId, LedgerEntryId, ObjectionId, Points, VillageId};
use aidazu_ports::ledger::{self, NewLedgerEntry};
use aidazu_ports::objections::{self as store_obj, StoredObjection};
use aidazu_ports::outbox;
use aidazu_ports::publications as store_pub;
use serde_json::json;

use crate::auth::Actor;
use crate::messages::{self, About};
use crate::publication::{BoardCorrection, PublishOutcome};
use crate::{App, AppError};

/// What a member files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionInput {
    pub quarter: Quarter,
    /// The village of the publication, when the caller names it (must be their own).
    pub village: Option<VillageId>,
    /// The household questioned; `None` (and no `about_code`): the caller's own.
    pub about: Option<HouseholdId>,
    /// The household questioned by its code as the public board shows it (`heping-01-007`), for a
    /// report about another household picked from the board; at most one of `about`/`about_code`.
    pub about_code: Option<String>,
    /// The questioned entry, if one is named (must be the household's).
    pub entry: Option<LedgerEntryId>,
    pub text: String,
    /// Evidence photos uploaded by the objector's household in the village (at most 9).
    pub photo_ids: Vec<i64>,
}

/// A committee or town decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionDecisionInput {
    /// `Some(points)` upholds with a correction of that many points (±, not 0); `None` rejects.
    pub correction: Option<Points>,
    pub reason: String,
}

/// An objection as shown to people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionView {
    pub stored: StoredObjection,
    /// The committee's deadline (D3: 5 working days after filing).
    pub committee_due: chrono::NaiveDate,
    /// The town's deadline once escalated (D3: 10 working days).
    pub town_due: Option<chrono::NaiveDate>,
    /// The amended publication version an upheld objection produced, if any.
    pub amended_version: Option<u32>,
}

impl App {
    fn objection_view(
        &self,
        stored: StoredObjection,
        amended_version: Option<u32>,
        wd: &WorkingDays,
    ) -> ObjectionView {
        let policy = self.objection_policy();
        ObjectionView {
            committee_due: stored.objection.committee_due(&policy, wd),
            town_due: stored.objection.town_due(&policy, wd),
            stored,
            amended_version,
        }
    }

    /// R17: a member files an objection to their village's publication of a quarter.
    ///
    /// # Errors
    /// [`AppError::NotVillageMember`] (no member, or not allowed to object),
    /// [`AppError::ObjectionOtherVillage`] (another village, or a household / entry outside it),
    /// [`AppError::PublicationNotFound`], [`AppError::Rule`] (`objection.window_closed`, text),
    /// [`AppError::Database`]. Nothing is written when refused.
    pub async fn file_objection(
        &self,
        actor: &Actor,
        input: ObjectionInput,
    ) -> Result<ObjectionView, AppError> {
        let (Some(member), Some(own), Some(village)) =
            (actor.member_id, actor.household_id, actor.village_id)
        else {
            return Err(AppError::NotVillageMember);
        };
        let location = self.village_location(village).await?;
        actor
            .require(Action::Object, &location, AppError::NotVillageMember)
            .map_err(|_| AppError::NotVillageMember)?;
        if input.village.is_some_and(|v| v != village) {
            return Err(AppError::ObjectionOtherVillage);
        }
        let about = match (input.about, input.about_code.as_deref()) {
            (Some(_), Some(_)) => {
                return Err(AppError::InvalidField {
                    field: "aboutHouseholdCode",
                    message: "请只填写一种被反映农户的标识（户编号或户号）",
                });
            }
            (Some(id), None) => id,
            (None, Some(code)) => {
                aidazu_ports::org::household_by_code(self.store(), village, code.trim())
                    .await?
                    .map(|h| h.id)
                    .ok_or(AppError::ObjectionOtherVillage)?
            }
            (None, None) => own,
        };
        if aidazu_ports::org::household_village(self.store(), about).await? != Some(village) {
            return Err(AppError::ObjectionOtherVillage);
        }
        let db = self.store();
        if let Some(entry) = input.entry {
            let found = ledger::household_entries(db, about, input.quarter.points_year())
                .await?
                .iter()
                .any(|e| e.id == entry);
            if !found {
                return Err(AppError::ObjectionOtherVillage);
            }
        }
        if input.photo_ids.len() > 9 {
            return Err(AppError::InvalidField {
                field: "photoIds",
                message: "照片最多 9 张",
            });
        }
        crate::declarations::check_photos(db, &input.photo_ids, village, own).await?;
        let publication = store_pub::get(db, village, input.quarter, Some(1))
            .await?
            .ok_or(AppError::PublicationNotFound)?;
        let today = business_date(self.clock().now());
        let draft = ObjectionDraft {
            quarter: input.quarter,
            raised_by: member,
            raised_by_household: own,
            about,
            entry: input.entry,
            text: input.text.trim().to_owned(),
        };
        // The domain checks the window (D3) and the text; the id comes from storage.
        let checked = Objection::file(
            ObjectionId(0),
            draft.clone(),
            publication.published_on,
            today,
            &self.objection_policy(),
        )?;
        let txn = self.store().begin().await?;
        let id = store_obj::insert(
            &txn,
            village,
            publication.id,
            &draft,
            &input.photo_ids,
            checked.filed_on,
        )
        .await?;
        let id = ObjectionId(id);
        aidazu_ports::audit::record(
            &txn,
            &actor.audit(
                Some(Role::Villager),
                "objection.filed",
                "objection",
                Some(id.get().to_string()),
                Some(village),
                Some(about),
                json!({
                    "quarter": input.quarter.to_string(),
                    "aboutHouseholdId": about.get(),
                    "entryId": input.entry.map(LedgerEntryId::get),
                    "text": draft.text,
                    "photoIds": input.photo_ids,
                }),
            ),
        )
        .await?;
        let committee: Vec<String> = aidazu_ports::declarations::scope_role_holders(
            &txn,
            Scope::Village(village),
            Role::VillageCommittee,
        )
        .await?
        .into_iter()
        .filter(|r| r.household != Some(about) && r.household != Some(own))
        .map(|r| r.dingtalk_user_id)
        .collect();
        if !committee.is_empty() {
            // F6: the committee may also answer in a DingTalk OA approval; whichever channel
            // decides first wins (the other is closed).
            outbox::enqueue(&txn, messages::objection_approval_create(id, village)).await?;
            outbox::enqueue(
                &txn,
                messages::work_notice(
                    messages::key::objection("filed", id),
                    village,
                    committee,
                    "公示异议待处理",
                    format!(
                        "{} 季度公示收到一条异议（编号 {}），请在 5 个工作日内答复。内容：{}",
                        input.quarter,
                        id.get(),
                        draft.text
                    ),
                    About::Other,
                ),
            )
            .await?;
        }
        txn.commit().await?;
        self.wake_workers();
        let stored = store_obj::get(db, id)
            .await?
            .ok_or(AppError::ObjectionNotFound(id.get()))?;
        let wd = self.working_days_of(stored.village).await?;
        Ok(self.objection_view(stored, None, &wd))
    }

    /// The objections raised by the caller's household, newest first.
    ///
    /// # Errors
    /// [`AppError::NoHousehold`], [`AppError::Database`].
    pub async fn my_objections(&self, actor: &Actor) -> Result<Vec<ObjectionView>, AppError> {
        let household = actor.household_id.ok_or(AppError::NoHousehold)?;
        let Some(village) = aidazu_ports::org::household_village(self.store(), household).await?
        else {
            return Ok(Vec::new());
        };
        let wd = self.working_days_of(village).await?;
        Ok(store_obj::by_household(self.store(), household)
            .await?
            .into_iter()
            .map(|o| self.objection_view(o, None, &wd))
            .collect())
    }

    /// A village's objections (committee, town, district, admin), optionally of one state.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::Database`].
    pub async fn village_objections(
        &self,
        actor: &Actor,
        village: VillageId,
        state: Option<ObjectionState>,
    ) -> Result<Vec<ObjectionView>, AppError> {
        let location = self.village_location(village).await?;
        actor.require(
            Action::ViewRecords,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        let wd = self.working_days_of(village).await?;
        Ok(store_obj::by_village(self.store(), village, state)
            .await?
            .into_iter()
            .map(|o| self.objection_view(o, None, &wd))
            .collect())
    }

    /// R17/D6: the committee upholds (`correction`) or rejects an open objection.
    ///
    /// # Errors
    /// [`AppError::ObjectionNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::Recusal`], [`AppError::Rule`] (`objection.already_decided`, reason, correction),
    /// [`AppError::ObjectionDecidedConcurrently`], [`AppError::Database`].
    pub async fn decide_objection(
        &self,
        actor: &Actor,
        id: ObjectionId,
        input: ObjectionDecisionInput,
    ) -> Result<ObjectionView, AppError> {
        self.decide(actor, id, input, Stage::Committee).await
    }

    /// D3: the town decides an escalated objection.
    ///
    /// # Errors
    /// As [`Self::decide_objection`], with `objection.not_escalable` unless escalated.
    pub async fn town_decide_objection(
        &self,
        actor: &Actor,
        id: ObjectionId,
        input: ObjectionDecisionInput,
    ) -> Result<ObjectionView, AppError> {
        self.decide(actor, id, input, Stage::Town).await
    }

    async fn decide(
        &self,
        actor: &Actor,
        id: ObjectionId,
        input: ObjectionDecisionInput,
        stage: Stage,
    ) -> Result<ObjectionView, AppError> {
        let db = self.store();
        let mut stored = store_obj::get(db, id)
            .await?
            .ok_or(AppError::ObjectionNotFound(id.get()))?;
        let village = stored.village;
        let location = self.village_location(village).await?;
        let action = match stage {
            Stage::Committee => Action::DecideObjection,
            Stage::Town => Action::DecideEscalation,
        };
        let role = actor.require(action, &location, AppError::ObjectionNotFound(id.get()))?;
        let reviewer = Reviewer {
            account: actor.account_id,
            household: actor.household_id,
        };
        let before = stored.objection.state();
        let now = self.clock().now();
        let outcome = match (stage, input.correction) {
            (Stage::Committee, Some(c)) => stored.objection.uphold(reviewer, c, &input.reason, now),
            (Stage::Committee, None) => stored.objection.reject(reviewer, &input.reason, now),
            (Stage::Town, c) => stored
                .objection
                .town_decide(reviewer, c, &input.reason, now),
        }
        .map_err(|e| match e {
            aidazu_domain::DomainError::RecusalRequired => AppError::Recusal,
            other => AppError::Rule(other),
        })?;
        if outcome == DecisionOutcome::AlreadyApplied {
            let wd = self.working_days_of(stored.village).await?;
            return Ok(self.objection_view(stored, None, &wd));
        }
        let objection = &stored.objection;
        let upheld = matches!(
            objection.state(),
            ObjectionState::Upheld | ObjectionState::TownUpheld
        );
        let txn = self.store().begin().await?;
        let mut correction_entry = None;
        if upheld {
            let member = match objection.entry {
                Some(entry) => ledger::household_entries(
                    &txn,
                    objection.about,
                    objection.quarter.points_year(),
                )
                .await?
                .into_iter()
                .find(|e| e.id == entry)
                .and_then(|e| e.entry.member),
                None => None,
            };
            let member = match member {
                Some(m) => Some(m),
                None => aidazu_ports::households::household_members(&txn, objection.about)
                    .await?
                    .first()
                    .map(|m| m.id),
            };
            if let Some(entry) = objection.correction_entry(member) {
                ledger::lock_household(&txn, objection.about).await?;
                let entry_id = ledger::append_entry(
                    &txn,
                    &NewLedgerEntry {
                        entry,
                        points_year: objection.quarter.points_year(),
                        channel: actor.channel,
                        request_id: actor.request_id.clone(),
                        idempotency_key: Some(format!("objection:{}:correction", id.get())),
                    },
                )
                .await?;
                correction_entry = Some(entry_id);
            }
        }
        if !store_obj::save_decision(&txn, objection, before, correction_entry).await? {
            return Err(AppError::ObjectionDecidedConcurrently);
        }
        stored.correction_entry = correction_entry.or(stored.correction_entry);
        // F6: decided in the console: close the DingTalk approval (an approval result that
        // arrives later is refused by the compare-and-set above and changes nothing).
        if stage == Stage::Committee
            && actor.channel != aidazu_domain::channel::Channel::DingTalkApproval
        {
            outbox::enqueue(
                &txn,
                messages::objection_approval_terminate(
                    id,
                    village,
                    stored.process_instance_id.clone(),
                ),
            )
            .await?;
        }
        let verb = match (stage, upheld) {
            (Stage::Committee, true) => "objection.upheld",
            (Stage::Committee, false) => "objection.rejected",
            (Stage::Town, true) => "objection.town_upheld",
            (Stage::Town, false) => "objection.town_rejected",
        };
        aidazu_ports::audit::record(
            &txn,
            &actor.audit(
                Some(role),
                verb,
                "objection",
                Some(id.get().to_string()),
                Some(village),
                Some(objection.about),
                json!({
                    "reason": input.reason.trim(),
                    "correction": input.correction.map(Points::get),
                    "correctionEntryId": correction_entry.map(LedgerEntryId::get),
                }),
            ),
        )
        .await?;
        let objector: Vec<String> =
            aidazu_ports::declarations::household_recipients(&txn, objection.raised_by_household)
                .await?
                .into_iter()
                .map(|r| r.dingtalk_user_id)
                .collect();
        if !objector.is_empty() {
            let answer = if upheld {
                format!(
                    "您对 {} 季度公示提出的异议（编号 {}）已被{}采纳，更正 {:+} 分。理由：{}",
                    objection.quarter,
                    id.get(),
                    stage.who(),
                    input.correction.map_or(0, Points::get),
                    input.reason.trim()
                )
            } else {
                format!(
                    "您对 {} 季度公示提出的异议（编号 {}）未被{}采纳。理由：{}{}",
                    objection.quarter,
                    id.get(),
                    stage.who(),
                    input.reason.trim(),
                    match stage {
                        Stage::Committee => "。如不服，可在 3 日内申请镇街复核。",
                        Stage::Town => "",
                    }
                )
            };
            outbox::enqueue(
                &txn,
                messages::work_notice(
                    messages::key::objection(stage.key(), id),
                    village,
                    objector,
                    "公示异议处理结果",
                    answer,
                    About::Other,
                ),
            )
            .await?;
        }
        txn.commit().await?;
        self.wake_workers();
        // The decision is committed: an amendment that fails now (a DingTalk or database
        // hiccup) is not the committee's error; the scheduler publishes it on its next pass
        // (`retry_amendments`).
        let amended = if upheld {
            match self.publish_amendment(village, objection.quarter, id).await {
                Ok(version) => version,
                Err(error) => {
                    tracing::warn!(objection = id.get(), %error, "amended publication failed; the scheduler retries it");
                    None
                }
            }
        } else {
            None
        };
        let wd = self.working_days_of(stored.village).await?;
        Ok(self.objection_view(stored, amended, &wd))
    }

    /// D3: the objector takes a rejected objection to the town within the escalation window.
    ///
    /// # Errors
    /// [`AppError::ObjectionNotFound`] (also another household's), [`AppError::Rule`]
    /// (`objection.not_escalable`, `objection.escalation_closed`), [`AppError::Database`].
    pub async fn escalate_objection(
        &self,
        actor: &Actor,
        id: ObjectionId,
    ) -> Result<ObjectionView, AppError> {
        let db = self.store();
        let mut stored = store_obj::get(db, id)
            .await?
            .ok_or(AppError::ObjectionNotFound(id.get()))?;
        let Some(member) = actor.member_id else {
            return Err(AppError::ObjectionNotFound(id.get()));
        };
        if actor.household_id != Some(stored.objection.raised_by_household) {
            return Err(AppError::ObjectionNotFound(id.get()));
        }
        let before = stored.objection.state();
        let today = business_date(self.clock().now());
        let outcome = stored
            .objection
            .escalate(member, today, &self.objection_policy())?;
        if outcome == DecisionOutcome::AlreadyApplied {
            let wd = self.working_days_of(stored.village).await?;
            return Ok(self.objection_view(stored, None, &wd));
        }
        let location = self.village_location(stored.village).await?;
        let txn = self.store().begin().await?;
        if !store_obj::save_decision(&txn, &stored.objection, before, None).await? {
            return Err(AppError::ObjectionDecidedConcurrently);
        }
        aidazu_ports::audit::record(
            &txn,
            &actor.audit(
                Some(Role::Villager),
                "objection.escalated",
                "objection",
                Some(id.get().to_string()),
                Some(stored.village),
                Some(stored.objection.about),
                json!({ "escalatedOn": today }),
            ),
        )
        .await?;
        let town: Vec<String> = aidazu_ports::declarations::scope_role_holders(
            &txn,
            Scope::Town(location.town),
            Role::TownOfficer,
        )
        .await?
        .into_iter()
        .map(|r| r.dingtalk_user_id)
        .collect();
        if !town.is_empty() {
            outbox::enqueue(
                &txn,
                messages::work_notice(
                    messages::key::objection("escalated", id),
                    stored.village,
                    town,
                    "公示异议申请复核",
                    format!(
                        "{} 季度公示的异议（编号 {}）经村支两委答复后，异议人申请镇街复核，请在 10 个工作日内决定。",
                        stored.objection.quarter,
                        id.get()
                    ),
                    About::Other,
                ),
            )
            .await?;
        }
        txn.commit().await?;
        self.wake_workers();
        let wd = self.working_days_of(stored.village).await?;
        Ok(self.objection_view(stored, None, &wd))
    }

    /// D3: reminds the committee of open objections on the 3rd and the 5th working day after
    /// filing (the 5th is the deadline), once each. Returns how many reminders were enqueued.
    ///
    /// # Errors
    /// [`AppError::Database`].
    pub async fn objection_reminders(&self) -> Result<usize, AppError> {
        let db = self.store();
        let today = business_date(self.clock().now());
        let mut sent = 0;
        for v in aidazu_ports::org::list_villages(self.store()).await? {
            let open = store_obj::by_village(db, v.id, Some(ObjectionState::Open)).await?;
            if open.is_empty() {
                continue;
            }
            let wd = &self.working_days_of(v.id).await?;
            let holders = aidazu_ports::declarations::scope_role_holders(
                db,
                Scope::Village(v.id),
                Role::VillageCommittee,
            )
            .await?;
            for o in open {
                let o = &o.objection;
                let due = o.committee_due(&self.objection_policy(), wd);
                for (stage, day) in [
                    ("remind3", wd.add_working_days(o.filed_on, 3)),
                    ("remind5", due),
                ] {
                    if today < day {
                        continue;
                    }
                    let key = messages::key::objection(stage, o.id);
                    if outbox::get_by_key(db, &key).await?.is_some() {
                        continue;
                    }
                    let users: Vec<String> = holders
                        .iter()
                        .filter(|r| {
                            r.household != Some(o.about)
                                && r.household != Some(o.raised_by_household)
                        })
                        .map(|r| r.dingtalk_user_id.clone())
                        .collect();
                    if users.is_empty() {
                        continue;
                    }
                    outbox::enqueue(
                        db,
                        messages::work_notice(
                            key,
                            v.id,
                            users,
                            "公示异议待答复提醒",
                            format!(
                                "{} 季度公示的异议（编号 {}）于 {} 提出，尚未答复，答复期限为 {due}。",
                                o.quarter,
                                o.id.get(),
                                o.filed_on
                            ),
                            About::Other,
                        ),
                    )
                    .await?;
                    sent += 1;
                }
            }
        }
        if sent > 0 {
            self.wake_workers();
        }
        Ok(sent)
    }

    /// R17: publishes the amended publication of every upheld objection whose amendment has not
    /// finished — it failed, or the process stopped between the decision and the publication.
    /// Called by the scheduler on each pass; returns how many amendments it published.
    ///
    /// # Errors
    /// [`AppError::Database`] when the objections or runs cannot be read; one objection's failure
    /// is recorded on its run, logged and retried next pass.
    pub async fn retry_amendments(&self) -> Result<usize, AppError> {
        let db = self.store();
        let done = aidazu_ports::jobs::done_keys(db, JOB_AMEND).await?;
        let mut published = 0;
        for o in store_obj::upheld(db).await? {
            let period = amendment_period(o.objection.quarter, o.objection.id);
            if done.contains(&(o.village.get(), period)) {
                continue;
            }
            match self
                .publish_amendment(o.village, o.objection.quarter, o.objection.id)
                .await
            {
                Ok(Some(_)) => published += 1,
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(objection = o.objection.id.get(), %error, "amended publication failed; retried next pass");
                }
            }
        }
        Ok(published)
    }

    /// R17: the amended publication an upheld objection produces (version n+1, 更正), with its
    /// own group notice; once per objection (job run key "amend", village, `<quarter>#<id>`).
    async fn publish_amendment(
        &self,
        village: VillageId,
        quarter: Quarter,
        objection: ObjectionId,
    ) -> Result<Option<u32>, AppError> {
        let db = self.store();
        let period = amendment_period(quarter, objection);
        let run =
            match aidazu_ports::jobs::claim(db, JOB_AMEND, village, &period, "objection").await? {
                aidazu_ports::jobs::Claim::Claimed(run) => run,
                _ => return Ok(None),
            };
        let result = self.amend(village, quarter, objection, run.id).await;
        match result {
            Ok(Some(version)) => Ok(Some(version)),
            Ok(None) => {
                // Nothing to publish (no publication, or a later amendment already carries this
                // correction): the run is finished so the scheduler stops asking.
                aidazu_ports::jobs::finish(db, run.id, &serde_json::json!({ "published": false }))
                    .await?;
                Ok(None)
            }
            Err(error) => {
                let _ = aidazu_ports::jobs::fail(db, run.id, &error.to_string()).await;
                Err(error)
            }
        }
    }

    async fn amend(
        &self,
        village: VillageId,
        quarter: Quarter,
        objection: ObjectionId,
        run: i64,
    ) -> Result<Option<u32>, AppError> {
        let db = self.store();
        let summary = aidazu_ports::org::village(self.store(), village)
            .await?
            .ok_or(AppError::VillageNotFound(village.get()))?;
        let Some(latest) = store_pub::get(db, village, quarter, None).await? else {
            return Ok(None);
        };
        let carried = serde_json::from_str::<crate::publication::BoardContent>(&latest.content)
            .is_ok_and(|c| {
                c.corrections
                    .iter()
                    .any(|k| k.objection_id == objection.get())
            });
        if carried {
            return Ok(None);
        }
        let (display, heads) = store_pub::board_households(db, village).await?;
        let today = business_date(self.clock().now());
        let mut corrections = Vec::new();
        for o in store_obj::by_village(db, village, None).await? {
            if o.objection.quarter != quarter {
                continue;
            }
            if let Some(entry) = o.objection.correction_entry(None) {
                corrections.push(BoardCorrection {
                    objection_id: o.objection.id.get(),
                    household_code: heads
                        .get(&o.objection.about)
                        .map_or_else(String::new, |h| h.code.clone()),
                    name: crate::publication::board_name_of(
                        heads.get(&o.objection.about),
                        display,
                        today,
                    ),
                    amount: entry.amount.get(),
                });
            }
        }
        corrections.sort_by_key(|c| c.objection_id);
        let content = self
            .board_snapshot(
                &summary,
                quarter,
                latest.version + 1,
                today,
                latest.objection_last_day,
                corrections,
            )
            .await?;
        let outcome = self
            .store_and_announce(
                village,
                &content,
                today,
                latest.objection_last_day,
                run,
                None,
            )
            .await?;
        Ok(match outcome {
            PublishOutcome::Published(p) => Some(p.version),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Committee,
    Town,
}

impl Stage {
    const fn who(self) -> &'static str {
        match self {
            Self::Committee => "村支两委",
            Self::Town => "镇街",
        }
    }

    const fn key(self) -> &'static str {
        match self {
            Self::Committee => "decided",
            Self::Town => "town_decided",
        }
    }
}

/// Job name of the amended publications (R17).
const JOB_AMEND: &str = "amend";

/// The run key of an objection's amendment: `<quarter>#objection-<id>`.
fn amendment_period(quarter: Quarter, objection: ObjectionId) -> String {
    format!("{quarter}#objection-{}", objection.get())
}
