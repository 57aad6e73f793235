//! Loading the demo organisation into the database.

use std::collections::{HashMap, HashSet};

use aidazu_domain::calendar::{business_date, shanghai_instant};
use aidazu_domain::catalogue::{CatalogueVersion, Direction, default_catalogue};
use aidazu_domain::channel::Channel;
use aidazu_domain::ledger::{EntryKind, EntrySource, LedgerEntry};
use aidazu_domain::org::{ResidentKind, Role, default_participation};
use aidazu_domain::{AccountId, HouseholdId, ItemCode, MemberId};
use chrono::{Days, NaiveDate, NaiveTime};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    TransactionTrait, TryIntoModel,
};
use serde::Serialize;

use super::demo_org::{DemoKind, DemoMember, DemoOrganisation};
use crate::accounts::{ensure_system_account, role_str};
use crate::catalogue::{CatalogueStatus, insert_version};
use crate::entities::{
    accounts, audit_log, catalogue_items, catalogue_versions, districts, households,
    ledger_entries, members, participation_changes, role_grants, towns, village_groups, villages,
};
use crate::error::StoreError;
use crate::ledger::{NewLedgerEntry, append_entry};
use crate::org::calendar_of;
use crate::pii::PiiKeys;
use crate::store::Store;

/// Row counts of the tables the seed writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeedCounts {
    pub districts: u64,
    pub towns: u64,
    pub villages: u64,
    pub groups: u64,
    pub households: u64,
    pub members: u64,
    pub participation_changes: u64,
    pub accounts: u64,
    pub role_grants: u64,
    pub catalogue_versions: u64,
    pub catalogue_items: u64,
    pub ledger_entries: u64,
}

impl SeedCounts {
    fn minus(self, before: Self) -> Self {
        Self {
            districts: self.districts.saturating_sub(before.districts),
            towns: self.towns.saturating_sub(before.towns),
            villages: self.villages.saturating_sub(before.villages),
            groups: self.groups.saturating_sub(before.groups),
            households: self.households.saturating_sub(before.households),
            members: self.members.saturating_sub(before.members),
            participation_changes: self
                .participation_changes
                .saturating_sub(before.participation_changes),
            accounts: self.accounts.saturating_sub(before.accounts),
            role_grants: self.role_grants.saturating_sub(before.role_grants),
            catalogue_versions: self
                .catalogue_versions
                .saturating_sub(before.catalogue_versions),
            catalogue_items: self.catalogue_items.saturating_sub(before.catalogue_items),
            ledger_entries: self.ledger_entries.saturating_sub(before.ledger_entries),
        }
    }

    fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

/// What a seed run did: rows it inserted, and rows present afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SeedReport {
    pub inserted: SeedCounts,
    pub totals: SeedCounts,
}

/// Loads the demo organisation, accounts and role grants, the district's default catalogue as
/// version 1 (effective from the start of the points-year containing `today`), and a few awards
/// per village, in one transaction. Idempotent: a second run inserts nothing.
///
/// # Errors
/// [`StoreError::DemoData`] when a staff entry names an unknown scope or member; database errors.
pub async fn seed_demo(
    store: &Store,
    org: &DemoOrganisation,
    keys: &PiiKeys,
    today: NaiveDate,
) -> Result<SeedReport, StoreError> {
    let txn = store.connection().begin().await?;
    let before = count_rows(&txn).await?;
    let mut seeder = Seeder {
        db: &txn,
        keys,
        system: ensure_system_account(&txn).await?,
        villages: HashMap::new(),
        towns: HashMap::new(),
        households: Vec::new(),
        members: HashMap::new(),
        village_admins: HashMap::new(),
    };
    let district = seeder.organisation(org).await?;
    seeder.participation(org, &district, today).await?;
    seeder.accounts(org, &district).await?;
    seeder.catalogue(&district, today).await?;
    seeder.demo_entries(&district, today).await?;
    seeder.demo_funds(&district, today).await?;
    // Members were written row by row above: their households' participation periods once here.
    let mut seeded_villages: Vec<i64> = seeder.villages.values().copied().collect();
    seeded_villages.sort_unstable();
    for village in seeded_villages {
        crate::read_models::rebuild_village_participation(&txn, aidazu_domain::VillageId(village))
            .await?;
    }
    let after = count_rows(&txn).await?;
    let inserted = after.minus(before);
    if !inserted.is_zero() {
        audit_log::Entity::insert(audit_log::ActiveModel {
            id: NotSet,
            actor_account_id: Set(Some(seeder.system.get())),
            role: Set(None),
            channel: Set(Channel::Job.to_string()),
            request_id: Set(None),
            action: Set("seed_demo".to_owned()),
            entity: Set("organisation".to_owned()),
            entity_id: Set(Some(org.corp_id.clone())),
            village_id: Set(None),
            household_id: Set(None),
            detail: Set(serde_json::to_value(inserted).unwrap_or_default()),
            at: Set(crate::stamp::now()),
        })
        .exec(&txn)
        .await?;
    }
    txn.commit().await?;
    tracing::info!(?inserted, "seed.demo.done");
    Ok(SeedReport {
        inserted,
        totals: after,
    })
}

async fn count_rows<C: ConnectionTrait>(db: &C) -> Result<SeedCounts, StoreError> {
    Ok(SeedCounts {
        districts: districts::Entity::find().count(db).await?,
        towns: towns::Entity::find().count(db).await?,
        villages: villages::Entity::find().count(db).await?,
        groups: village_groups::Entity::find().count(db).await?,
        households: households::Entity::find().count(db).await?,
        members: members::Entity::find().count(db).await?,
        participation_changes: participation_changes::Entity::find().count(db).await?,
        accounts: accounts::Entity::find().count(db).await?,
        role_grants: role_grants::Entity::find().count(db).await?,
        catalogue_versions: catalogue_versions::Entity::find().count(db).await?,
        catalogue_items: catalogue_items::Entity::find().count(db).await?,
        ledger_entries: ledger_entries::Entity::find().count(db).await?,
    })
}

/// A seeded household: its row id, village id, code and head member code.
struct SeededHousehold {
    id: i64,
    village_id: i64,
    code: String,
    head: Option<String>,
}

struct Seeder<'a, C> {
    db: &'a C,
    keys: &'a PiiKeys,
    system: AccountId,
    /// village code → id
    villages: HashMap<String, i64>,
    /// town code → id
    towns: HashMap<String, i64>,
    /// in file order
    households: Vec<SeededHousehold>,
    /// member code → (id, household id, village id)
    members: HashMap<String, (i64, i64, i64)>,
    /// village id → account id of its first village admin
    village_admins: HashMap<i64, i64>,
}

impl<C: ConnectionTrait> Seeder<'_, C> {
    async fn organisation(
        &mut self,
        org: &DemoOrganisation,
    ) -> Result<districts::Model, StoreError> {
        let db = self.db;
        let d = &org.district;
        let district = match districts::Entity::find()
            .filter(districts::Column::Code.eq(d.code.as_str()))
            .one(db)
            .await?
        {
            Some(row) if row.name == d.name && row.dept_id.as_deref() == Some(&d.dept_id) => row,
            Some(row) => {
                let mut active = row.into_active_model();
                active.name = Set(d.name.clone());
                active.dept_id = Set(Some(d.dept_id.clone()));
                active.update(db).await?
            }
            None => {
                districts::ActiveModel {
                    id: NotSet,
                    code: Set(d.code.clone()),
                    name: Set(d.name.clone()),
                    dept_id: Set(Some(d.dept_id.clone())),
                    created_at: Set(crate::stamp::now()),
                    points_year_start_month: Set(1),
                    max_item_points: Set(30),
                    calendar_overrides: Set(None),
                }
                .insert(db)
                .await?
            }
        };

        let mut existing_members: HashMap<String, members::Model> = members::Entity::find()
            .filter(members::Column::Code.is_not_null())
            .all(db)
            .await?
            .into_iter()
            .filter_map(|m| m.code.clone().map(|c| (c, m)))
            .collect();

        for town in &org.towns {
            let town_id = self
                .town(district.id, &town.code, &town.name, &town.dept_id)
                .await?;
            self.towns.insert(town.code.clone(), town_id);
            for village in &town.villages {
                let village_id = self
                    .village(town_id, &village.code, &village.name, &village.dept_id)
                    .await?;
                self.villages.insert(village.code.clone(), village_id);
                let mut existing_households: HashMap<String, households::Model> =
                    households::Entity::find()
                        .filter(households::Column::VillageId.eq(village_id))
                        .all(db)
                        .await?
                        .into_iter()
                        .map(|h| (h.code.clone(), h))
                        .collect();
                for group in &village.groups {
                    let group_id = self
                        .group(village_id, &group.code, &group.name, &group.dept_id)
                        .await?;
                    for household in &group.households {
                        let household_id = match existing_households.remove(&household.code) {
                            Some(row)
                                if row.group_id == Some(group_id)
                                    && row.address == household.address =>
                            {
                                row.id
                            }
                            Some(row) => {
                                let mut active = row.into_active_model();
                                active.group_id = Set(Some(group_id));
                                active.address = Set(household.address.clone());
                                active.update(db).await?.id
                            }
                            None => {
                                households::ActiveModel {
                                    id: NotSet,
                                    village_id: Set(village_id),
                                    group_id: Set(Some(group_id)),
                                    code: Set(household.code.clone()),
                                    address: Set(household.address.clone()),
                                    created_at: Set(crate::stamp::now()),
                                }
                                .insert(db)
                                .await?
                                .id
                            }
                        };
                        for member in &household.members {
                            let existing = existing_members.remove(&member.id);
                            let member_id = self
                                .member(existing, member, household_id, village_id)
                                .await?;
                            self.members
                                .insert(member.id.clone(), (member_id, household_id, village_id));
                        }
                        self.households.push(SeededHousehold {
                            id: household_id,
                            village_id,
                            code: household.code.clone(),
                            head: household.members.first().map(|m| m.id.clone()),
                        });
                    }
                }
            }
        }
        Ok(district)
    }

    async fn town(
        &self,
        district_id: i64,
        code: &str,
        name: &str,
        dept_id: &str,
    ) -> Result<i64, StoreError> {
        let db = self.db;
        match towns::Entity::find()
            .filter(towns::Column::Code.eq(code))
            .one(db)
            .await?
        {
            Some(row)
                if row.name == name
                    && row.district_id == district_id
                    && row.dept_id.as_deref() == Some(dept_id) =>
            {
                Ok(row.id)
            }
            Some(row) => {
                let mut active = row.into_active_model();
                active.name = Set(name.to_owned());
                active.district_id = Set(district_id);
                active.dept_id = Set(Some(dept_id.to_owned()));
                Ok(active.update(db).await?.id)
            }
            None => Ok(towns::ActiveModel {
                id: NotSet,
                district_id: Set(district_id),
                code: Set(code.to_owned()),
                name: Set(name.to_owned()),
                dept_id: Set(Some(dept_id.to_owned())),
                created_at: Set(crate::stamp::now()),
            }
            .insert(db)
            .await?
            .id),
        }
    }

    async fn village(
        &self,
        town_id: i64,
        code: &str,
        name: &str,
        dept_id: &str,
    ) -> Result<i64, StoreError> {
        let db = self.db;
        match villages::Entity::find()
            .filter(villages::Column::Code.eq(code))
            .one(db)
            .await?
        {
            Some(row)
                if row.name == name
                    && row.town_id == town_id
                    && row.dept_id.as_deref() == Some(dept_id) =>
            {
                Ok(row.id)
            }
            Some(row) => {
                let mut active = row.into_active_model();
                active.name = Set(name.to_owned());
                active.town_id = Set(town_id);
                active.dept_id = Set(Some(dept_id.to_owned()));
                Ok(active.update(db).await?.id)
            }
            None => Ok(villages::ActiveModel {
                id: NotSet,
                town_id: Set(town_id),
                code: Set(code.to_owned()),
                name: Set(name.to_owned()),
                dept_id: Set(Some(dept_id.to_owned())),
                created_at: Set(crate::stamp::now()),
                board_names: Set("masked".to_owned()),
            }
            .insert(db)
            .await?
            .id),
        }
    }

    async fn group(
        &self,
        village_id: i64,
        code: &str,
        name: &str,
        dept_id: &str,
    ) -> Result<i64, StoreError> {
        let db = self.db;
        match village_groups::Entity::find()
            .filter(village_groups::Column::VillageId.eq(village_id))
            .filter(village_groups::Column::Code.eq(code))
            .one(db)
            .await?
        {
            Some(row) if row.name == name && row.dept_id.as_deref() == Some(dept_id) => Ok(row.id),
            Some(row) => {
                let mut active = row.into_active_model();
                active.name = Set(name.to_owned());
                active.dept_id = Set(Some(dept_id.to_owned()));
                Ok(active.update(db).await?.id)
            }
            None => Ok(village_groups::ActiveModel {
                id: NotSet,
                village_id: Set(village_id),
                code: Set(code.to_owned()),
                name: Set(name.to_owned()),
                dept_id: Set(Some(dept_id.to_owned())),
                created_at: Set(crate::stamp::now()),
            }
            .insert(db)
            .await?
            .id),
        }
    }

    async fn member(
        &self,
        existing: Option<members::Model>,
        member: &DemoMember,
        household_id: i64,
        village_id: i64,
    ) -> Result<i64, StoreError> {
        let db = self.db;
        let kind = match member.kind {
            DemoKind::Villager => "villager",
            DemoKind::NonVillager => "non_villager",
        };
        let lookup = member.mobile.as_deref().map(|m| self.keys.lookup_hash(m));
        let mut active = match existing {
            Some(row) => {
                let same = row.household_id == household_id
                    && row.village_id == village_id
                    && row.name == member.name
                    && row.relation == member.relation
                    && row.gender == member.gender
                    && row.birth_year == member.birth_year
                    && row.kind == kind
                    && row.long_term_absent == member.absent
                    && row.party_member == member.party_member
                    && row.mobile_lookup == lookup;
                if same {
                    return Ok(row.id);
                }
                row.into_active_model()
            }
            None => members::ActiveModel {
                id: NotSet,
                code: Set(Some(member.id.clone())),
                created_at: Set(crate::stamp::now()),
                ..Default::default()
            },
        };
        active.household_id = Set(household_id);
        active.village_id = Set(village_id);
        active.name = Set(member.name.clone());
        active.relation = Set(member.relation.clone());
        active.gender = Set(member.gender.clone());
        active.birth_year = Set(member.birth_year);
        active.kind = Set(kind.to_owned());
        active.long_term_absent = Set(member.absent);
        active.party_member = Set(member.party_member);
        let stale_mobile = match &active.mobile_lookup {
            sea_orm::ActiveValue::Unchanged(current) | sea_orm::ActiveValue::Set(current) => {
                *current != lookup
            }
            sea_orm::ActiveValue::NotSet => true,
        };
        if stale_mobile {
            let sealed = member
                .mobile
                .as_deref()
                .map(|m| self.keys.encrypt(m))
                .transpose()?;
            active.mobile_key_id = Set(sealed.as_ref().map(|s| s.key_id.clone()));
            active.mobile_ciphertext = Set(sealed.map(|s| s.ciphertext));
            active.mobile_lookup = Set(lookup);
        }
        Ok(active.save(db).await?.try_into_model()?.id)
    }

    /// R3 defaults: long-term-absent villagers are out unless they opted in; an explicit choice
    /// that differs from the default is recorded as a participation change from the start of the
    /// points-year (once per member).
    async fn participation(
        &self,
        org: &DemoOrganisation,
        district: &districts::Model,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let db = self.db;
        let calendar = calendar_of(district)?;
        let effective_on = calendar.year_first_day(calendar.points_year_of(today));
        let recorded: HashSet<i64> = participation_changes::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.member_id)
            .collect();
        for (_, village) in org.villages() {
            for household in village.groups.iter().flat_map(|g| &g.households) {
                for member in &household.members {
                    let Some(opted_in) = member.opted_in else {
                        continue;
                    };
                    let kind = match member.kind {
                        DemoKind::Villager => ResidentKind::Villager,
                        DemoKind::NonVillager => ResidentKind::NonVillager,
                    };
                    if opted_in == default_participation(kind, member.absent) {
                        continue;
                    }
                    let Some(&(member_id, household_id, village_id)) = self.members.get(&member.id)
                    else {
                        continue;
                    };
                    if recorded.contains(&member_id) {
                        continue;
                    }
                    participation_changes::ActiveModel {
                        id: NotSet,
                        member_id: Set(member_id),
                        household_id: Set(household_id),
                        village_id: Set(village_id),
                        participating: Set(opted_in),
                        reason: Set(if opted_in {
                            "本人申请参加积分制（长期在外）".to_owned()
                        } else {
                            "本人申请退出积分制".to_owned()
                        }),
                        effective_on: Set(effective_on),
                        recorded_by: Set(Some(self.system.get())),
                        channel: Set(Channel::Job.to_string()),
                        recorded_at: Set(crate::stamp::now()),
                    }
                    .insert(db)
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn accounts(
        &mut self,
        org: &DemoOrganisation,
        district: &districts::Model,
    ) -> Result<(), StoreError> {
        for (_, village) in org.villages() {
            for household in village.groups.iter().flat_map(|g| &g.households) {
                for member in &household.members {
                    let Some(user_id) = &member.dingtalk_user_id else {
                        continue;
                    };
                    let Some(&(member_id, _, village_id)) = self.members.get(&member.id) else {
                        continue;
                    };
                    let account = self
                        .account(
                            user_id,
                            &member.name,
                            Some(member_id),
                            member.mobile.as_deref(),
                        )
                        .await?;
                    self.grant(account, Role::Villager, "village", village_id)
                        .await?;
                }
            }
        }
        for staff in &org.staff {
            let member_id = match &staff.member_id {
                Some(code) => Some(self.members.get(code).map(|m| m.0).ok_or_else(|| {
                    StoreError::DemoData(format!(
                        "staff {} names unknown member {code}",
                        staff.dingtalk_user_id
                    ))
                })?),
                None => None,
            };
            let unknown_scope = || {
                StoreError::DemoData(format!(
                    "staff {} has unknown scope {} for role {}",
                    staff.dingtalk_user_id,
                    staff.scope,
                    role_str(staff.role)
                ))
            };
            let (scope_kind, scope_id) = match staff.role {
                Role::Villager | Role::VillageAdmin | Role::VillageCommittee => (
                    "village",
                    *self.villages.get(&staff.scope).ok_or_else(unknown_scope)?,
                ),
                Role::TownOfficer => (
                    "town",
                    *self.towns.get(&staff.scope).ok_or_else(unknown_scope)?,
                ),
                Role::DistrictOfficer if staff.scope == district.code => ("district", district.id),
                Role::DistrictOfficer => return Err(unknown_scope()),
            };
            let account = self
                .account(
                    &staff.dingtalk_user_id,
                    &staff.name,
                    member_id,
                    staff.mobile.as_deref(),
                )
                .await?;
            self.grant(account, staff.role, scope_kind, scope_id)
                .await?;
            if staff.role == Role::VillageAdmin {
                self.village_admins.entry(scope_id).or_insert(account);
            }
        }
        Ok(())
    }

    async fn account(
        &self,
        dingtalk_user_id: &str,
        name: &str,
        member_id: Option<i64>,
        mobile: Option<&str>,
    ) -> Result<i64, StoreError> {
        let db = self.db;
        let lookup = mobile.map(|m| self.keys.lookup_hash(m));
        let existing = accounts::Entity::find()
            .filter(accounts::Column::DingtalkUserId.eq(dingtalk_user_id))
            .one(db)
            .await?;
        let now = crate::stamp::now();
        match existing {
            Some(row)
                if row.name == name
                    && (member_id.is_none() || row.member_id == member_id)
                    && row.mobile_lookup == lookup =>
            {
                Ok(row.id)
            }
            Some(row) => {
                let stale_mobile = row.mobile_lookup != lookup;
                let mut active = row.into_active_model();
                active.name = Set(name.to_owned());
                if member_id.is_some() {
                    active.member_id = Set(member_id);
                }
                if stale_mobile {
                    let sealed = mobile.map(|m| self.keys.encrypt(m)).transpose()?;
                    active.mobile_key_id = Set(sealed.as_ref().map(|s| s.key_id.clone()));
                    active.mobile_ciphertext = Set(sealed.map(|s| s.ciphertext));
                    active.mobile_lookup = Set(lookup);
                }
                active.updated_at = Set(now);
                Ok(active.update(db).await?.id)
            }
            None => {
                let sealed = mobile.map(|m| self.keys.encrypt(m)).transpose()?;
                Ok(accounts::ActiveModel {
                    id: NotSet,
                    dingtalk_user_id: Set(dingtalk_user_id.to_owned()),
                    name: Set(name.to_owned()),
                    member_id: Set(member_id),
                    mobile_key_id: Set(sealed.as_ref().map(|s| s.key_id.clone())),
                    mobile_ciphertext: Set(sealed.map(|s| s.ciphertext)),
                    mobile_lookup: Set(lookup),
                    active: Set(true),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(db)
                .await?
                .id)
            }
        }
    }

    async fn grant(
        &self,
        account_id: i64,
        role: Role,
        scope_kind: &str,
        scope_id: i64,
    ) -> Result<(), StoreError> {
        let db = self.db;
        let exists = role_grants::Entity::find()
            .filter(role_grants::Column::AccountId.eq(account_id))
            .filter(role_grants::Column::Role.eq(role_str(role)))
            .filter(role_grants::Column::ScopeKind.eq(scope_kind))
            .filter(role_grants::Column::ScopeId.eq(scope_id))
            .one(db)
            .await?
            .is_some();
        if !exists {
            role_grants::ActiveModel {
                id: NotSet,
                account_id: Set(account_id),
                role: Set(role_str(role).to_owned()),
                scope_kind: Set(scope_kind.to_owned()),
                scope_id: Set(scope_id),
                granted_by: Set(Some(self.system.get())),
                granted_at: Set(crate::stamp::now()),
            }
            .insert(db)
            .await
            .map_err(|err| StoreError::from_write(err, "role grant"))?;
        }
        Ok(())
    }

    /// The default catalogue as the district's version 1, from the first quarter of the
    /// points-year containing `today`; left alone when version 1 exists.
    async fn catalogue(
        &self,
        district: &districts::Model,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let db = self.db;
        let exists = catalogue_versions::Entity::find()
            .filter(catalogue_versions::Column::DistrictId.eq(district.id))
            .filter(catalogue_versions::Column::Version.eq(1))
            .one(db)
            .await?
            .is_some();
        if exists {
            return Ok(());
        }
        let calendar = calendar_of(district)?;
        let [first_quarter, ..] = calendar.points_year_of(today).quarters();
        let version = CatalogueVersion::new(
            1,
            first_quarter,
            default_catalogue(),
            "区级默认模板（三类25条），区农业农村委可编辑",
        )
        .map_err(|err| StoreError::Invalid(err.to_string()))?;
        insert_version(
            db,
            district,
            None,
            &version,
            CatalogueStatus::Approved,
            Some(self.system),
            calendar,
        )
        .await?;
        Ok(())
    }

    /// A few awards for the first households of each village, so boards are not empty. Each has
    /// an idempotency key, so a second run adds none.
    /// The pilot's district allocation (R20: ¥24,000) in each village's shop fund, once.
    async fn demo_funds(
        &self,
        district: &districts::Model,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        use aidazu_domain::shop::funds::{FundEntryDraft, FundEntryKind};
        const PILOT_ALLOCATION_FEN: i64 = 2_400_000;
        let calendar = calendar_of(district)?;
        let year_start = calendar.year_first_day(calendar.points_year_of(today));
        for village in self.villages.values() {
            let village = aidazu_domain::VillageId(*village);
            if !crate::shop::fund_entries(self.db, village, None, None)
                .await?
                .is_empty()
            {
                continue;
            }
            let draft = FundEntryDraft {
                kind: FundEntryKind::Allocation,
                amount_fen: PILOT_ALLOCATION_FEN,
                reason: "区级拨付：积分超市试点资金".to_owned(),
                donor: None,
                receipt_photo: None,
            };
            crate::shop::append_fund_entry(self.db, village, &draft, year_start, self.system)
                .await?;
        }
        Ok(())
    }

    async fn demo_entries(
        &self,
        district: &districts::Model,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        const PLAN: [&str; 5] = ["ML-02", "DE-04", "PA-05", "ML-03", "DE-02"];
        const HOUSEHOLDS_PER_VILLAGE: usize = 6;
        let calendar = calendar_of(district)?;
        let year = calendar.points_year_of(today);
        let year_start = calendar.year_first_day(year);
        let catalogue = default_catalogue();
        let ten_am = NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default();
        let mut per_village: HashMap<i64, usize> = HashMap::new();
        for household in &self.households {
            let index = per_village.entry(household.village_id).or_default();
            if *index >= HOUSEHOLDS_PER_VILLAGE {
                continue;
            }
            let i = *index;
            *index += 1;
            let member = household
                .head
                .as_ref()
                .and_then(|code| self.members.get(code))
                .map(|m| MemberId(m.0));
            let actor = self
                .village_admins
                .get(&household.village_id)
                .map_or(self.system, |a| AccountId(*a));
            for j in 0..(i % 3 + 1) {
                let Some(item) = ItemCode::parse(PLAN[(i + j) % PLAN.len()])
                    .ok()
                    .and_then(|code| catalogue.iter().find(|it| *it.code() == code))
                else {
                    continue;
                };
                if item.direction() != Direction::Positive {
                    continue;
                }
                // Spread over the last three months (about two weeks apart per household), so
                // the demo's published quarters have points on them, not only the current one.
                let days_ago = u64::try_from(7 * j + 15 * i + 1).unwrap_or(1);
                let date = today
                    .checked_sub_days(Days::new(days_ago))
                    .unwrap_or(today)
                    .max(year_start)
                    .min(today);
                let occurred_at = shanghai_instant(date, ten_am);
                let new = NewLedgerEntry {
                    entry: LedgerEntry {
                        household: HouseholdId(household.id),
                        member,
                        kind: EntryKind::Award,
                        amount: item.points().suggested(),
                        source: EntrySource::Item(aidazu_domain::catalogue::ItemRef {
                            code: item.code().clone(),
                            version: 1,
                        }),
                        declaration: None,
                        actor,
                        occurred_at,
                        reason: format!("演示数据：{}", item.title()),
                    },
                    points_year: calendar.points_year_of(business_date(occurred_at)),
                    channel: Channel::Console,
                    request_id: None,
                    idempotency_key: Some(format!("seed-demo:{}:{j}", household.code)),
                };
                append_entry(self.db, &new).await?;
            }
        }
        Ok(())
    }
}
