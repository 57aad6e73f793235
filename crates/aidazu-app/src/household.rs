//! Households and members (R2–R4): admin maintenance and participation opt-in/out with history
//! (R3), and the member's own queries (`/me/*`): household figures and rank, ledger, what may be
//! declared now with caps left.

use std::collections::HashMap;

use aidazu_domain::calendar::{PointsYear, Quarter};
use aidazu_domain::catalogue::{Cap, CatalogueItem, Direction};
use aidazu_domain::ids::Points;
use aidazu_domain::ledger::{CapRemaining, CapUsage, LedgerEntry, cap_usage};
use aidazu_domain::org::{Action, ResidentKind, household_participates, member_participates};
use aidazu_domain::{GroupId, HouseholdId, MemberId, VillageId};
use aidazu_ports::StoreError;
use aidazu_ports::audit;
use aidazu_ports::households::{
    self, HouseholdListRow, NewHousehold, NewMember, NewParticipationChange,
};
use aidazu_ports::ledger::household_entries;
use aidazu_ports::org::VillageSummary;
use chrono::NaiveDate;
use serde_json::json;

/// The read models of households, members, participation and ledger lines the use cases return
/// (plain view types, not database rows); adapters name them from here, never from the store.
pub use aidazu_ports::households::{
    HouseholdRow, LedgerLine, MemberPatch, MemberRow, ParticipationRow,
};

use crate::auth::{Actor, mask_mobile, today};
use crate::{App, AppError};

/// A member as the admin console shows it.
#[derive(Debug, Clone)]
pub struct MemberView {
    pub member: MemberRow,
    /// Masked mobile (R4), e.g. `100****9769`.
    pub mobile_masked: Option<String>,
    pub participating: bool,
    /// DingTalk user ids of active accounts bound to the member.
    pub dingtalk_user_ids: Vec<String>,
}

/// A household with its members.
#[derive(Debug, Clone)]
pub struct HouseholdDetail {
    pub household: HouseholdRow,
    pub village: VillageSummary,
    pub participating: bool,
    pub members: Vec<MemberView>,
}

/// A page of a village's households.
#[derive(Debug, Clone)]
pub struct HouseholdPage {
    pub village: VillageSummary,
    pub households: Vec<(HouseholdListRow, bool)>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// The member's household with its figures.
#[derive(Debug, Clone)]
pub struct MyHousehold {
    pub detail: HouseholdDetail,
    pub points_year: PointsYear,
    pub quarter: Quarter,
    pub year_score: Points,
    pub balance: Points,
    pub quarter_points: Points,
    /// Rank among the village's participating households; `None` when not participating (R3).
    pub rank: Option<u32>,
    pub ranked_households: u32,
}

/// A page of the member's household ledger.
#[derive(Debug, Clone)]
pub struct LedgerPage {
    pub entries: Vec<LedgerLine>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// One item the member may declare now.
#[derive(Debug, Clone)]
pub struct DeclarableItem {
    pub item: CatalogueItem,
    pub used: CapUsage,
    pub remaining: CapRemaining,
    /// Whether one more declaration fits under the cap.
    pub available: bool,
}

/// What the member may declare now.
#[derive(Debug, Clone)]
pub struct MyCatalogue {
    pub village: VillageSummary,
    pub version: u32,
    pub as_of: NaiveDate,
    pub quarter: Quarter,
    pub items: Vec<DeclarableItem>,
}

/// A new member from the admin form.
#[derive(Debug, Clone)]
pub struct MemberInput {
    pub code: Option<String>,
    pub name: String,
    pub relation: String,
    pub gender: Option<String>,
    pub birth_year: Option<i32>,
    pub kind: ResidentKind,
    pub long_term_absent: bool,
    pub party_member: bool,
    pub mobile: Option<String>,
}

fn check_text(
    field: &'static str,
    value: &str,
    max: usize,
    message: &'static str,
) -> Result<(), AppError> {
    let n = value.trim().chars().count();
    if n == 0 || n > max {
        return Err(AppError::InvalidField { field, message });
    }
    Ok(())
}

fn check_mobile(mobile: &str) -> Result<(), AppError> {
    let digits = aidazu_ports::pii::normalise_mobile(mobile);
    if digits.len() == 11 && digits.starts_with('1') {
        Ok(())
    } else {
        Err(AppError::InvalidField {
            field: "mobile",
            message: "手机号须为 11 位数字",
        })
    }
}

fn map_conflict(err: StoreError, conflict: AppError) -> AppError {
    match err {
        StoreError::Conflict(_) => conflict,
        StoreError::Invalid(_) => AppError::InvalidField {
            field: "groupId",
            message: "村民小组不属于该村社",
        },
        other => AppError::Database(other),
    }
}

impl App {
    async fn village_summary(&self, village: VillageId) -> Result<VillageSummary, AppError> {
        aidazu_ports::org::village(self.store(), village)
            .await?
            .ok_or(AppError::VillageNotFound(village.get()))
    }

    async fn household_in_scope(
        &self,
        actor: &Actor,
        household: HouseholdId,
        action: Action,
    ) -> Result<(HouseholdRow, VillageSummary, aidazu_domain::org::Role), AppError> {
        let row = households::household(self.store(), household)
            .await?
            .ok_or(AppError::HouseholdNotFound(household.get()))?;
        let village = self.village_summary(row.village).await?;
        let role = actor.require(
            action,
            &village.location(),
            AppError::HouseholdNotFound(household.get()),
        )?;
        Ok((row, village, role))
    }

    async fn member_in_scope(
        &self,
        actor: &Actor,
        member: MemberId,
        action: Action,
    ) -> Result<(MemberRow, aidazu_domain::org::Role), AppError> {
        let row = households::member(self.store(), member)
            .await?
            .ok_or(AppError::MemberNotFound(member.get()))?;
        let location = self.village_location(row.village).await?;
        let role = actor.require(action, &location, AppError::MemberNotFound(member.get()))?;
        Ok((row, role))
    }

    async fn detail_of(
        &self,
        household: HouseholdRow,
        village: VillageSummary,
    ) -> Result<HouseholdDetail, AppError> {
        let db = self.store();
        let members = households::household_members_with_accounts(db, household.id).await?;
        let history = households::participation_history(db, household.id).await?;
        Ok(Self::assemble_detail(
            household,
            village,
            members,
            &history,
            today(self),
        ))
    }

    /// A household's detail from its loaded parts; participation as of `on` (R3).
    fn assemble_detail(
        household: HouseholdRow,
        village: VillageSummary,
        members: Vec<(MemberRow, Vec<String>)>,
        history: &[ParticipationRow],
        on: NaiveDate,
    ) -> HouseholdDetail {
        let changes: Vec<_> = history
            .iter()
            .map(|c| aidazu_domain::org::ParticipationChange {
                member: c.member,
                opted_in: c.participating,
                effective_on: c.effective_on,
                recorded_by: c.recorded_by.unwrap_or(aidazu_domain::AccountId(0)),
                reason: c.reason.clone(),
            })
            .collect();
        let domain: Vec<_> = members.iter().map(|(m, _)| m.to_domain()).collect();
        let views = members
            .into_iter()
            .map(|(m, bound)| MemberView {
                mobile_masked: m.mobile.as_deref().map(mask_mobile),
                participating: member_participates(&m.to_domain(), &changes, on),
                dingtalk_user_ids: bound,
                member: m,
            })
            .collect();
        HouseholdDetail {
            participating: household_participates(&domain, &changes, on),
            household,
            village,
            members: views,
        }
    }

    /// Households of a village (village staff of the village, its town, the district).
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`], [`AppError::Forbidden`], storage errors.
    pub async fn village_households(
        &self,
        actor: &Actor,
        village: VillageId,
        page: u64,
        per_page: u64,
    ) -> Result<HouseholdPage, AppError> {
        let summary = self.village_summary(village).await?;
        actor.require(
            Action::ViewRecords,
            &summary.location(),
            AppError::Forbidden,
        )?;
        let db = self.store();
        let (rows, total) = households::list_households(db, village, page, per_page).await?;
        let (members, changes) = households::village_participation(db, village).await?;
        let on = today(self);
        let households = rows
            .into_iter()
            .map(|r| {
                let participating = members
                    .get(&r.household.id)
                    .is_some_and(|m| household_participates(m, &changes, on));
                (r, participating)
            })
            .collect();
        Ok(HouseholdPage {
            village: summary,
            households,
            total,
            page,
            per_page,
        })
    }

    /// One household with its members (404 outside the caller's scope, R1).
    ///
    /// # Errors
    /// [`AppError::HouseholdNotFound`], [`AppError::Forbidden`], storage errors.
    pub async fn household_detail(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<HouseholdDetail, AppError> {
        let (row, village, _) = self
            .household_in_scope(actor, household, Action::ViewRecords)
            .await?;
        self.detail_of(row, village).await
    }

    /// Creates a household (village admin).
    ///
    /// # Errors
    /// [`AppError::InvalidField`], [`AppError::HouseholdCodeTaken`], [`AppError::Forbidden`],
    /// storage errors.
    pub async fn create_household(
        &self,
        actor: &Actor,
        village: VillageId,
        code: &str,
        address: &str,
        group: Option<GroupId>,
    ) -> Result<HouseholdDetail, AppError> {
        let summary = self.village_summary(village).await?;
        let role = actor.require(
            Action::ManageMembers,
            &summary.location(),
            AppError::Forbidden,
        )?;
        check_text("code", code, 64, "农户编号不能为空且不超过 64 个字符")?;
        check_text("address", address, 200, "地址不能为空且不超过 200 个字符")?;
        let txn = self.store().begin().await?;
        let id = households::insert_household(
            &txn,
            &NewHousehold {
                village,
                group,
                code: code.trim().to_owned(),
                address: address.trim().to_owned(),
            },
        )
        .await
        .map_err(|e| map_conflict(e, AppError::HouseholdCodeTaken))?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "household.created",
                "household",
                Some(id.to_string()),
                Some(village),
                Some(id),
                json!({ "code": code.trim(), "group": group }),
            ),
        )
        .await?;
        txn.commit().await?;
        self.household_detail(actor, id).await
    }

    /// Adds a member to a household (village admin). The mobile is stored encrypted (R4).
    ///
    /// # Errors
    /// [`AppError::InvalidField`], [`AppError::HouseholdNotFound`], [`AppError::Forbidden`],
    /// [`AppError::MemberCodeTaken`], storage errors.
    pub async fn add_member(
        &self,
        actor: &Actor,
        household: HouseholdId,
        input: MemberInput,
    ) -> Result<MemberView, AppError> {
        let (row, _, role) = self
            .household_in_scope(actor, household, Action::ManageMembers)
            .await?;
        check_text("name", &input.name, 50, "姓名不能为空且不超过 50 个字符")?;
        check_text(
            "relation",
            &input.relation,
            20,
            "与户主关系不能为空且不超过 20 个字符",
        )?;
        if let Some(m) = &input.mobile {
            check_mobile(m)?;
        }
        let txn = self.store().begin().await?;
        let id = households::insert_member(
            &txn,
            &NewMember {
                household,
                code: input.code.clone(),
                name: input.name.trim().to_owned(),
                relation: input.relation.trim().to_owned(),
                gender: input.gender.clone(),
                birth_year: input.birth_year,
                kind: input.kind,
                long_term_absent: input.long_term_absent,
                party_member: input.party_member,
                mobile: input.mobile.clone(),
            },
        )
        .await
        .map_err(|e| map_conflict(e, AppError::MemberCodeTaken))?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "member.created",
                "member",
                Some(id.to_string()),
                Some(row.village),
                Some(household),
                json!({
                    "name": input.name.trim(),
                    "kind": input.kind,
                    "longTermAbsent": input.long_term_absent,
                    "hasMobile": input.mobile.is_some(),
                }),
            ),
        )
        .await?;
        txn.commit().await?;
        self.member_view(id).await
    }

    /// Changes a member (village admin).
    ///
    /// # Errors
    /// [`AppError::InvalidField`], [`AppError::MemberNotFound`], [`AppError::Forbidden`], storage
    /// errors.
    pub async fn change_member(
        &self,
        actor: &Actor,
        member: MemberId,
        patch: MemberPatch,
    ) -> Result<MemberView, AppError> {
        let (row, role) = self
            .member_in_scope(actor, member, Action::ManageMembers)
            .await?;
        if let Some(name) = &patch.name {
            check_text("name", name, 50, "姓名不能为空且不超过 50 个字符")?;
        }
        if let Some(relation) = &patch.relation {
            check_text(
                "relation",
                relation,
                20,
                "与户主关系不能为空且不超过 20 个字符",
            )?;
        }
        if let Some(Some(m)) = &patch.mobile {
            check_mobile(m)?;
        }
        let mut changed: Vec<&str> = Vec::new();
        for (set, name) in [
            (patch.name.is_some(), "name"),
            (patch.relation.is_some(), "relation"),
            (patch.gender.is_some(), "gender"),
            (patch.birth_year.is_some(), "birthYear"),
            (patch.kind.is_some(), "kind"),
            (patch.long_term_absent.is_some(), "longTermAbsent"),
            (patch.party_member.is_some(), "partyMember"),
            (patch.mobile.is_some(), "mobile"),
        ] {
            if set {
                changed.push(name);
            }
        }
        if changed.is_empty() {
            return Err(AppError::InvalidField {
                field: "body",
                message: "没有要修改的字段",
            });
        }
        let txn = self.store().begin().await?;
        households::update_member(&txn, member, &patch).await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "member.changed",
                "member",
                Some(member.to_string()),
                Some(row.village),
                Some(row.household),
                json!({ "fields": changed }),
            ),
        )
        .await?;
        txn.commit().await?;
        self.member_view(member).await
    }

    /// Records an opt-in or opt-out of a member (R3), with who recorded it.
    ///
    /// # Errors
    /// [`AppError::InvalidField`], [`AppError::MemberNotFound`], [`AppError::Forbidden`], storage
    /// errors.
    pub async fn record_participation(
        &self,
        actor: &Actor,
        member: MemberId,
        participating: bool,
        effective_on: NaiveDate,
        reason: &str,
    ) -> Result<ParticipationRow, AppError> {
        let (row, role) = self
            .member_in_scope(actor, member, Action::ManageMembers)
            .await?;
        check_text("reason", reason, 200, "请填写原因（不超过 200 个字符）")?;
        let on = today(self);
        if (effective_on - on).num_days().abs() > 366 {
            return Err(AppError::InvalidField {
                field: "effectiveOn",
                message: "生效日期须在今天前后一年之内",
            });
        }
        let txn = self.store().begin().await?;
        let id = households::insert_participation_change(
            &txn,
            &NewParticipationChange {
                member,
                participating,
                effective_on,
                reason: reason.trim().to_owned(),
                recorded_by: actor.account_id,
                channel: actor.channel,
            },
        )
        .await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "member.participation_changed",
                "member",
                Some(member.to_string()),
                Some(row.village),
                Some(row.household),
                json!({
                    "participating": participating,
                    "effectiveOn": effective_on,
                    "reason": reason.trim(),
                    "changeId": id,
                }),
            ),
        )
        .await?;
        txn.commit().await?;
        households::participation_history(self.store(), row.household)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or(AppError::MemberNotFound(member.get()))
    }

    /// The participation history of a household's members, oldest first.
    ///
    /// # Errors
    /// [`AppError::HouseholdNotFound`], [`AppError::Forbidden`], storage errors.
    pub async fn participation_history(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<Vec<ParticipationRow>, AppError> {
        self.household_in_scope(actor, household, Action::ViewRecords)
            .await?;
        Ok(households::participation_history(self.store(), household).await?)
    }

    pub(crate) async fn member_view(&self, member: MemberId) -> Result<MemberView, AppError> {
        let row = households::member(self.store(), member)
            .await?
            .ok_or(AppError::MemberNotFound(member.get()))?;
        let household = households::household(self.store(), row.household)
            .await?
            .ok_or(AppError::HouseholdNotFound(row.household.get()))?;
        let village = self.village_summary(row.village).await?;
        let detail = self.detail_of(household, village).await?;
        detail
            .members
            .into_iter()
            .find(|m| m.member.id == member)
            .ok_or(AppError::MemberNotFound(member.get()))
    }

    fn my_household_id(actor: &Actor) -> Result<HouseholdId, AppError> {
        actor.household_id.ok_or(AppError::NoHousehold)
    }

    /// The member's household: members, year score, balance, rank among the village's
    /// participating households (R3, R13), this quarter's points; of `year` when given (a closed
    /// year keeps answering with its closed figures).
    ///
    /// # Errors
    /// [`AppError::NoHousehold`], storage errors.
    pub async fn my_household(
        &self,
        actor: &Actor,
        year: Option<aidazu_domain::calendar::PointsYear>,
    ) -> Result<MyHousehold, AppError> {
        let household = Self::my_household_id(actor)?;
        let db = self.store();
        // The village (summary and calendar) comes from the replica's cache; the rest is three
        // statements (issue 11): the household with its maintained figures and rank, its
        // members with their bound accounts, their participation history.
        let village_id = match actor.village_id {
            Some(v) => v,
            None => aidazu_ports::org::household_village(self.store(), household)
                .await?
                .ok_or(AppError::NoHousehold)?,
        };
        let card = self.village_card(village_id).await?;
        let calendar = card.calendar;
        let now = today(self);
        // An earlier points-year (archived after its close, D4) answers as of its last day.
        let points_year = year.unwrap_or_else(|| calendar.points_year_of(now));
        let on = now.min(calendar.year_last_day(points_year));
        let quarter = calendar.quarter_of(on);
        let standing = aidazu_ports::read_models::standing(db, household, points_year, on)
            .await?
            .filter(|s| s.village == village_id)
            .ok_or(AppError::NoHousehold)?;
        let members = households::household_members_with_accounts(db, household).await?;
        let history = households::participation_history(db, household).await?;
        let row = HouseholdRow {
            id: standing.household,
            village: standing.village,
            group: standing.group.clone(),
            code: standing.code.clone(),
            address: standing.address.clone(),
        };
        let detail = Self::assemble_detail(row, card.summary.clone(), members, &history, now);
        let quarter_points = if quarter.points_year() == points_year {
            usize::try_from(quarter.index())
                .ok()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| standing.totals.quarter_points.get(i).copied())
                .unwrap_or(Points::ZERO)
        } else {
            Points::ZERO
        };
        let rank = (detail.participating && standing.participating)
            .then(|| aidazu_domain::board::competition_rank(standing.strictly_higher));
        Ok(MyHousehold {
            detail,
            points_year,
            quarter,
            year_score: standing.totals.score,
            balance: standing.totals.balance,
            quarter_points,
            rank,
            ranked_households: u32::try_from(standing.ranked).unwrap_or(u32::MAX),
        })
    }

    /// The member's household ledger, newest first.
    ///
    /// # Errors
    /// [`AppError::NoHousehold`], storage errors.
    pub async fn my_ledger(
        &self,
        actor: &Actor,
        page: u64,
        per_page: u64,
    ) -> Result<LedgerPage, AppError> {
        let household = Self::my_household_id(actor)?;
        let (entries, total) =
            households::ledger_page(self.store(), household, page, per_page).await?;
        Ok(LedgerPage {
            entries,
            total,
            page,
            per_page,
        })
    }

    /// What the member may declare now: positive, self-declarable items of the version in force,
    /// with the household's use of each cap this quarter / year.
    ///
    /// # Errors
    /// [`AppError::NoHousehold`], [`AppError::CatalogueNotFound`], storage errors.
    pub async fn my_catalogue(&self, actor: &Actor) -> Result<MyCatalogue, AppError> {
        let household = Self::my_household_id(actor)?;
        let village = aidazu_ports::org::household_village(self.store(), household)
            .await?
            .ok_or(AppError::NoHousehold)?;
        let found = self.catalogue_in_force(village).await?;
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let on = found.as_of;
        let points_year = calendar.points_year_of(on);
        let entries: Vec<LedgerEntry> = household_entries(self.store(), household, points_year)
            .await?
            .into_iter()
            .map(|e| e.entry)
            .collect();
        let mut items = Vec::new();
        let mut seen: HashMap<String, ()> = HashMap::new();
        for item in found.version.items() {
            if item.direction() != Direction::Positive || !item.recorders().self_declared {
                continue;
            }
            if seen.insert(item.code().to_string(), ()).is_some() {
                continue;
            }
            let cap: Cap = item.cap();
            let used = cap_usage(cap, item.code(), &entries, calendar, on);
            let remaining = CapRemaining::of(cap, used);
            let available =
                aidazu_domain::ledger::check_cap(cap, item.code(), used, item.points().suggested())
                    .is_ok();
            items.push(DeclarableItem {
                item: item.clone(),
                used,
                remaining,
                available,
            });
        }
        Ok(MyCatalogue {
            village: found.village.clone(),
            version: found.version.version(),
            as_of: on,
            quarter: calendar.quarter_of(on),
            items,
        })
    }
}
