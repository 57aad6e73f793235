//! District governance (R7, F6, R1): catalogue change requests with their DingTalk approval and
//! replay, bulk import of households, the group inspection, and the organisation.
//!
//! A change request is drafted (`draft`), submitted (`submitted`: a DingTalk OA approval opens
//! for the district officers and the console lists it), then decided once — in DingTalk or in
//! the console, whichever is first (the other channel is closed or refused). Approval writes a
//! new catalogue version in force from the first day of the NEXT quarter
//! ([`effective_after_approval`]); entries keep the version they were scored under.

mod import;
mod inspection;
mod org;

pub use import::{ImportOutcome, RowProblem, import_template_xlsx};
pub use inspection::{InspectionInput, InspectionLine, InspectionResult, InspectionScore};
pub(crate) use org::require_district_officer;
pub use org::{OrgChange, OrgSyncPlan};

use aidazu_domain::calendar::{Quarter, business_date};
use aidazu_domain::catalogue::replay::{ReplayHousehold, ReplayInput, ReplayReport, replay};
use aidazu_domain::catalogue::{
    CatalogueVersion, ItemChange, PointsRule, apply_changes, effective_after_approval,
};
use aidazu_domain::org::{Action, Role, Scope, VillageLocation};
use aidazu_domain::shop::funds::FundEntryKind;
use aidazu_domain::{DistrictId, HouseholdId, VillageId};
use aidazu_ports::governance::{
    self as gov, ChangeDecision, ChangeStatus, NewCatalogueChange, StoredCatalogueChange,
};
use aidazu_ports::outbox;
use serde::Serialize;
use serde_json::json;

use crate::auth::Actor;
use crate::messages::{self, About};
use crate::{App, AppError};

pub use aidazu_ports::governance::{
    ChangeStatus as CatalogueChangeStatus, DistrictNoticeGroup, GroupRow, OrgNode, OrgTree,
    StoredCatalogueChange as CatalogueChange,
};

/// What a requester drafts.
#[derive(Debug, Clone)]
pub struct ChangeInput {
    pub reason: String,
    pub changes: Vec<ItemChange>,
}

/// A household's name and code beside its replay line.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayHouseholdInfo {
    pub household: HouseholdId,
    pub code: String,
    pub name: String,
}

/// The replay of a change for one village.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayView {
    pub change_id: i64,
    pub village: VillageId,
    pub report: ReplayReport,
    pub households: Vec<ReplayHouseholdInfo>,
}

/// Which catalogue a replayed change applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayTarget {
    /// A change of the village's own catalogue, replayed there.
    Village(VillageId),
    /// A change of the district's template, replayed in one of its villages.
    Template {
        district: DistrictId,
        village: VillageId,
    },
}

/// The changes in words, one a line (for the approval form and notices).
#[must_use]
pub fn describe_changes(change: &StoredCatalogueChange) -> String {
    let points = |rule: &PointsRule| match *rule {
        PointsRule::Fixed(p) => format!("{:+} 分", p.get()),
        PointsRule::Range { min, max, .. } => format!("{:+}～{:+} 分", min.get(), max.get()),
    };
    change
        .changes
        .iter()
        .map(|c| match c {
            ItemChange::Add { item } => {
                format!(
                    "新增 {} {}（{}）",
                    item.code,
                    item.title,
                    points(&item.points)
                )
            }
            ItemChange::Retire { code } => format!("停用 {code}"),
            ItemChange::Revalue {
                code, points: p, ..
            } => {
                format!("{code} 分值调整为 {}", points(p))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl App {
    async fn change_in_village(
        &self,
        actor: &Actor,
        village: VillageId,
        id: i64,
        action: Action,
    ) -> Result<(StoredCatalogueChange, VillageLocation, Role), AppError> {
        let location = self.village_location(village).await?;
        let role = actor.require(action, &location, AppError::CatalogueChangeNotFound(id))?;
        let change = gov::change(self.store(), id)
            .await?
            .filter(|c| c.village == Some(village))
            .ok_or(AppError::CatalogueChangeNotFound(id))?;
        Ok((change, location, role))
    }

    /// R7: a village admin (or committee) drafts a change of the village's catalogue, within the
    /// district's bounds. Nothing is sent until it is submitted.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::InvalidField`] (reason), [`AppError::Rule`] (`catalogue_change.*`, R6 item
    /// rules), [`AppError::Database`].
    pub async fn draft_catalogue_change(
        &self,
        actor: &Actor,
        village: VillageId,
        input: ChangeInput,
    ) -> Result<StoredCatalogueChange, AppError> {
        let location = self.village_location(village).await?;
        let role = actor.require(
            Action::RequestCatalogueChange,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        self.draft(actor, role, location.district, Some(village), input)
            .await
    }

    /// R7, R5: a district officer drafts a change of the district's own template; villages
    /// follow it unless they hold an approved version of their own.
    ///
    /// # Errors
    /// As [`App::draft_catalogue_change`]; [`AppError::Forbidden`] for a district outside the
    /// caller's scope.
    pub async fn draft_template_change(
        &self,
        actor: &Actor,
        district: DistrictId,
        input: ChangeInput,
    ) -> Result<StoredCatalogueChange, AppError> {
        let role = require_district_officer(actor, district)?;
        self.draft(actor, role, district, None, input).await
    }

    async fn draft(
        &self,
        actor: &Actor,
        role: Role,
        district: DistrictId,
        village: Option<VillageId>,
        input: ChangeInput,
    ) -> Result<StoredCatalogueChange, AppError> {
        let reason = input.reason.trim().to_owned();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(AppError::InvalidField {
                field: "reason",
                message: "请填写调整理由（不超过 500 字）",
            });
        }
        let db = self.store();
        let template =
            gov::latest_version(db, district, None)
                .await?
                .ok_or(AppError::CatalogueNotFound(
                    village.map_or(0, VillageId::get),
                ))?;
        let base = match village {
            Some(v) => gov::latest_version(db, district, Some(v))
                .await?
                .unwrap_or_else(|| template.clone()),
            None => template.clone(),
        };
        let bounds = gov::district_bounds(db, district).await?;
        let items = apply_changes(
            base.version.items(),
            base.version.version(),
            template.version.items(),
            &input.changes,
            bounds,
        )?;
        let txn = self.store().begin().await?;
        let id = gov::insert_change(
            &txn,
            &NewCatalogueChange {
                district,
                village,
                reason: reason.clone(),
                changes: input.changes.clone(),
                items,
                base_version: base.version.version(),
                created_by: actor.account_id,
                created_at: self.clock().now(),
            },
        )
        .await?;
        aidazu_ports::audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "catalogue_change.drafted",
                "catalogue_change",
                Some(id.to_string()),
                village,
                None,
                json!({ "reason": reason, "changes": input.changes, "baseVersion": base.version.version() }),
            ),
        )
        .await?;
        txn.commit().await?;
        gov::change(db, id)
            .await?
            .ok_or(AppError::CatalogueChangeNotFound(id))
    }

    /// R7, F6: submits a draft: the district officers get a DingTalk OA approval (and a work
    /// notice); the console lists it as `submitted`.
    ///
    /// # Errors
    /// [`AppError::CatalogueChangeNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::CatalogueChangeState`] (not a draft), [`AppError::Database`].
    pub async fn submit_catalogue_change(
        &self,
        actor: &Actor,
        village: VillageId,
        id: i64,
    ) -> Result<StoredCatalogueChange, AppError> {
        let (change, _, role) = self
            .change_in_village(actor, village, id, Action::RequestCatalogueChange)
            .await?;
        self.submit(actor, role, change).await
    }

    /// [`App::submit_catalogue_change`] for a change of the district's template.
    ///
    /// # Errors
    /// As [`App::submit_catalogue_change`].
    pub async fn submit_template_change(
        &self,
        actor: &Actor,
        district: DistrictId,
        id: i64,
    ) -> Result<StoredCatalogueChange, AppError> {
        let role = require_district_officer(actor, district)
            .map_err(|_| AppError::CatalogueChangeNotFound(id))?;
        let change = gov::change(self.store(), id)
            .await?
            .filter(|c| c.district == district && c.village.is_none())
            .ok_or(AppError::CatalogueChangeNotFound(id))?;
        self.submit(actor, role, change).await
    }

    async fn submit(
        &self,
        actor: &Actor,
        role: Role,
        change: StoredCatalogueChange,
    ) -> Result<StoredCatalogueChange, AppError> {
        let id = change.id;
        let txn = self.store().begin().await?;
        if change.status == ChangeStatus::Draft {
            // R7: a draft made on an older version than the one approved since is drafted again.
            Self::check_drafted_on_current(&txn, &change).await?;
        }
        if !gov::mark_submitted(&txn, id, self.clock().now()).await? {
            return Err(AppError::CatalogueChangeState(change.status.as_str()));
        }
        aidazu_ports::audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "catalogue_change.submitted",
                "catalogue_change",
                Some(id.to_string()),
                change.village,
                None,
                json!({}),
            ),
        )
        .await?;
        outbox::enqueue(
            &txn,
            messages::catalogue_approval_create(id, change.village),
        )
        .await?;
        let officers: Vec<String> = aidazu_ports::declarations::scope_role_holders(
            &txn,
            Scope::District(change.district),
            Role::DistrictOfficer,
        )
        .await?
        .into_iter()
        .filter(|r| r.account != actor.account_id)
        .map(|r| r.dingtalk_user_id)
        .collect();
        if let (Some(village), false) = (change.village, officers.is_empty()) {
            outbox::enqueue(
                &txn,
                messages::work_notice(
                    messages::key::catalogue_change("submitted", id),
                    village,
                    officers,
                    "积分项目调整待审批",
                    format!(
                        "收到积分项目调整申请（编号 {id}）：\n{}\n理由：{}",
                        describe_changes(&change),
                        change.reason
                    ),
                    About::Other,
                ),
            )
            .await?;
        }
        txn.commit().await?;
        self.wake_workers();
        gov::change(self.store(), id)
            .await?
            .ok_or(AppError::CatalogueChangeNotFound(id))
    }

    /// The change requests of a village (its staff, town, district), newest first.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`].
    pub async fn village_catalogue_changes(
        &self,
        actor: &Actor,
        village: VillageId,
    ) -> Result<Vec<StoredCatalogueChange>, AppError> {
        let location = self.village_location(village).await?;
        actor.require(
            Action::ViewRecords,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        Ok(gov::changes(self.store(), location.district, Some(village)).await?)
    }

    /// One change request of a village.
    ///
    /// # Errors
    /// [`AppError::CatalogueChangeNotFound`] (also out of scope), [`AppError::Forbidden`].
    pub async fn village_catalogue_change(
        &self,
        actor: &Actor,
        village: VillageId,
        id: i64,
    ) -> Result<StoredCatalogueChange, AppError> {
        Ok(self
            .change_in_village(actor, village, id, Action::ViewRecords)
            .await?
            .0)
    }

    /// Every change request of a district (its villages' and its template's), for its officers.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for a district outside the caller's scope.
    pub async fn district_catalogue_changes(
        &self,
        actor: &Actor,
        district: DistrictId,
    ) -> Result<Vec<StoredCatalogueChange>, AppError> {
        require_district_officer(actor, district)?;
        Ok(gov::changes(self.store(), district, None).await?)
    }

    /// R7: the district office decides a submitted request, once (console or DingTalk, whichever
    /// is first). Approval writes the new version, in force from the next quarter; refusal needs
    /// a reason. A console decision closes the DingTalk approval.
    ///
    /// # Errors
    /// [`AppError::CatalogueChangeNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::CatalogueChangeState`] (not submitted: decided already),
    /// [`AppError::InvalidField`] (a refusal without reason), [`AppError::Database`].
    pub async fn decide_catalogue_change(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
        reason: Option<String>,
    ) -> Result<StoredCatalogueChange, AppError> {
        let db = self.store();
        let change = gov::change(db, id)
            .await?
            .ok_or(AppError::CatalogueChangeNotFound(id))?;
        let role = match change.village {
            Some(v) => {
                let location = self.village_location(v).await?;
                actor.require(
                    Action::ApproveCatalogueChange,
                    &location,
                    AppError::CatalogueChangeNotFound(id),
                )?
            }
            None => require_district_officer(actor, change.district)
                .map_err(|_| AppError::CatalogueChangeNotFound(id))?,
        };
        if change.status != ChangeStatus::Submitted {
            return Err(AppError::CatalogueChangeState(change.status.as_str()));
        }
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        if !approve && reason.is_none() {
            return Err(AppError::InvalidField {
                field: "reason",
                message: "退回申请须说明理由",
            });
        }
        let now = self.clock().now();
        let today = business_date(now);
        let calendar = match change.village {
            Some(v) => aidazu_ports::org::village_calendar(self.store(), v).await?,
            None => {
                let villages = aidazu_ports::org::list_villages(self.store()).await?;
                match villages.iter().find(|s| s.district.id == change.district) {
                    Some(s) => aidazu_ports::org::village_calendar(self.store(), s.id).await?,
                    None => aidazu_domain::calendar::PointsYearConfig::default(),
                }
            }
        };
        let txn = self.store().begin().await?;
        // R7: approving a stale change would silently drop what the newer version changed. The
        // console is told (409 `catalogue_change.stale`; the officer may still refuse it); an
        // agreement in DingTalk, which cannot be answered, rejects it as stale instead and the
        // requester is asked to draft it again.
        let (approve, reason) = match (approve, Self::check_drafted_on_current(&txn, &change).await)
        {
            (true, Err(stale))
                if actor.channel == aidazu_domain::channel::Channel::DingTalkApproval =>
            {
                (false, Some(stale.message().into_owned()))
            }
            (true, Err(stale)) => {
                txn.rollback().await?;
                return Err(stale);
            }
            _ => (approve, reason),
        };
        let (status, effective_from, version_id) = if approve {
            let effective = effective_after_approval(today, calendar);
            let number = gov::next_version_number(&txn, change.district).await?;
            let note = format!("调整申请 {id}：{}", change.reason);
            let version = CatalogueVersion::new(number, effective, change.items.clone(), note)?;
            let version_id = gov::insert_approved_version(
                &txn,
                change.district,
                change.village,
                &version,
                actor.account_id,
            )
            .await?;
            (
                ChangeStatus::Approved,
                Some(calendar.quarter_first_day(effective)),
                Some(version_id),
            )
        } else {
            (ChangeStatus::Rejected, None, None)
        };
        let decided = gov::mark_decided(
            &txn,
            id,
            &ChangeDecision {
                status,
                reason: reason.clone(),
                decided_by: actor.account_id,
                decided_at: now,
                effective_from,
                version_id,
            },
        )
        .await?;
        if !decided {
            txn.rollback().await?;
            return Err(AppError::CatalogueChangeState("decided"));
        }
        aidazu_ports::audit::record(
            &txn,
            &actor.audit(
                Some(role),
                if approve {
                    "catalogue_change.approved"
                } else {
                    "catalogue_change.rejected"
                },
                "catalogue_change",
                Some(id.to_string()),
                change.village,
                None,
                json!({ "reason": reason, "effectiveFrom": effective_from, "versionId": version_id.map(|v| v.get()) }),
            ),
        )
        .await?;
        if actor.channel != aidazu_domain::channel::Channel::DingTalkApproval {
            outbox::enqueue(
                &txn,
                messages::catalogue_approval_terminate(
                    id,
                    change.village,
                    change.process_instance_id.clone(),
                ),
            )
            .await?;
        }
        if let Some(village) = change.village
            && let Some(requester) =
                aidazu_ports::accounts::account_by_id(&txn, change.created_by).await?
            && !requester.dingtalk_user_id.is_empty()
        {
            let text = match effective_from {
                Some(day) => format!(
                    "积分项目调整申请（编号 {id}）已获批准，自 {day} 起生效（本季度不变）。"
                ),
                None => format!(
                    "积分项目调整申请（编号 {id}）未获批准。理由：{}",
                    reason.clone().unwrap_or_default()
                ),
            };
            outbox::enqueue(
                &txn,
                messages::work_notice(
                    messages::key::catalogue_change("decided", id),
                    village,
                    vec![requester.dingtalk_user_id],
                    "积分项目调整审批结果",
                    text,
                    About::Other,
                ),
            )
            .await?;
        }
        txn.commit().await?;
        self.wake_workers();
        gov::change(db, id)
            .await?
            .ok_or(AppError::CatalogueChangeNotFound(id))
    }

    /// R7: the change was drafted on the version its catalogue has now
    /// ([`aidazu_domain::catalogue::check_current`]).
    async fn check_drafted_on_current<C: aidazu_ports::AsRepo>(
        db: &C,
        change: &StoredCatalogueChange,
    ) -> Result<(), AppError> {
        if let Some(current) =
            gov::current_base_version(db, change.district, change.village).await?
        {
            aidazu_domain::catalogue::check_current(change.base_version, current)?;
        }
        Ok(())
    }

    /// R7: the replay of a change in a village: last quarter under the proposed values beside
    /// what it was. `target` says which catalogue the change applies to: a village's own
    /// (village staff and the district), or the district's template replayed in one of its
    /// villages that follows the template (the district's officers only).
    ///
    /// # Errors
    /// [`AppError::CatalogueChangeNotFound`] (also out of scope for a village change),
    /// [`AppError::Forbidden`], [`AppError::VillageNotFound`] (not a village of the district),
    /// [`AppError::VillageKeepsOwnCatalogue`] (the template does not apply there),
    /// [`AppError::Database`].
    pub async fn catalogue_change_replay(
        &self,
        actor: &Actor,
        target: ReplayTarget,
        id: i64,
    ) -> Result<ReplayView, AppError> {
        match target {
            ReplayTarget::Village(village) => {
                let (change, _, _) = self
                    .change_in_village(actor, village, id, Action::ViewRecords)
                    .await?;
                self.replay_in(&change, village).await
            }
            ReplayTarget::Template { district, village } => {
                require_district_officer(actor, district)?;
                let db = self.store();
                let change = gov::change(db, id)
                    .await?
                    .filter(|c| c.district == district && c.village.is_none())
                    .ok_or(AppError::CatalogueChangeNotFound(id))?;
                let location = self.village_location(village).await?;
                if location.district != district {
                    return Err(AppError::VillageNotFound(village.get()));
                }
                if gov::latest_version(db, district, Some(village))
                    .await?
                    .is_some()
                {
                    return Err(AppError::VillageKeepsOwnCatalogue(village.get()));
                }
                self.replay_in(&change, village).await
            }
        }
    }

    /// The groups of a village (its staff, town, district).
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`].
    pub async fn village_groups(
        &self,
        actor: &Actor,
        village: VillageId,
    ) -> Result<Vec<GroupRow>, AppError> {
        let location = self.village_location(village).await?;
        actor.require(
            Action::ViewRecords,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        Ok(gov::village_groups(self.store(), village).await?)
    }

    /// The replay of `change` in `village` (no access check).
    pub(crate) async fn replay_in(
        &self,
        change: &StoredCatalogueChange,
        village: VillageId,
    ) -> Result<ReplayView, AppError> {
        let today = business_date(self.clock().now());
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let quarter: Quarter = calendar.quarter_of(today).prev();
        let year = quarter.points_year();
        let last_day = calendar.quarter_last_day(quarter);
        let first_day = calendar.quarter_first_day(quarter);
        let standing = self.honours_standing(village, year, last_day).await?;
        let proposed = CatalogueVersion::new(
            change.base_version.saturating_add(1),
            quarter,
            change.items.clone(),
            "",
        )?;
        let households: Vec<ReplayHousehold> = standing
            .rows
            .iter()
            .map(|(h, exclusion, entries)| ReplayHousehold {
                household: *h,
                exclusion: *exclusion,
                entries: entries
                    .iter()
                    .filter(|e| business_date(e.occurred_at) <= last_day)
                    .cloned()
                    .collect(),
            })
            .collect();
        let funds =
            aidazu_ports::shop::fund_entries(self.store(), village, None, Some(last_day)).await?;
        let fund_balance_fen = funds
            .iter()
            .fold(0i64, |sum, e| sum.saturating_add(e.amount_fen));
        let money_spent_fen = funds
            .iter()
            .filter(|e| e.kind == FundEntryKind::Purchase && e.occurred_on >= first_day)
            .fold(0i64, |sum, e| sum.saturating_sub(e.amount_fen));
        let report = replay(&ReplayInput {
            quarter,
            calendar,
            proposed: &proposed,
            households,
            money_spent_fen,
            fund_balance_fen,
            fen_per_point: self.config().fen_per_point,
        });
        let households = standing
            .rows
            .iter()
            .map(|(h, _, _)| ReplayHouseholdInfo {
                household: *h,
                code: standing
                    .heads
                    .get(h)
                    .map_or_else(String::new, |b| b.code.clone()),
                name: crate::publication::board_name_of(
                    standing.heads.get(h),
                    standing.display,
                    today,
                ),
            })
            .collect();
        Ok(ReplayView {
            change_id: change.id,
            village,
            report,
            households,
        })
    }

    /// The replay in one line for the approval form (the village's, or for a template change
    /// the first village of the district that follows the template).
    pub(crate) async fn replay_summary(
        &self,
        change: &StoredCatalogueChange,
    ) -> Result<String, AppError> {
        let village = match change.village {
            Some(v) => v,
            None => {
                let mut following = None;
                for v in aidazu_ports::org::list_villages(self.store()).await? {
                    if v.district.id == change.district
                        && gov::latest_version(self.store(), change.district, Some(v.id))
                            .await?
                            .is_none()
                    {
                        following = Some(v.id);
                        break;
                    }
                }
                match following {
                    Some(v) => v,
                    None => return Ok("区内暂无执行区模板的村社".to_owned()),
                }
            }
        };
        let view = self.replay_in(change, village).await?;
        let r = &view.report;
        Ok(format!(
            "按{}季度记录测算：发放积分 {} → {}；村平均分 {} → {}；高于平均线户数 {} → {}；积分负债 {:.2} 元 → {:.2} 元（基金余额 {:.2} 元）",
            r.quarter,
            r.actual.points_issued,
            r.proposed.points_issued,
            r.actual.average.as_deref().unwrap_or("-"),
            r.proposed.average.as_deref().unwrap_or("-"),
            r.actual.households_above_line,
            r.proposed.households_above_line,
            r.actual.fund.liability_fen as f64 / 100.0,
            r.proposed.fund.liability_fen as f64 / 100.0,
            r.actual.fund.fund_balance_fen as f64 / 100.0,
        ))
    }
}
