//! Households, members and participation (R2–R4) for the identity use cases: admin maintenance,
//! participation history, and the read models behind `/me/*` (ledger page, village scores).
//!
//! Functions take `&impl ConnectionTrait`, so a use case can write in the same transaction as its
//! audit record.

use std::collections::HashMap;

use aidazu_domain::calendar::PointsYear;
use aidazu_domain::org::{Member, ParticipationChange, ResidentKind};
use aidazu_domain::{AccountId, GroupId, HouseholdId, MemberId, Points, VillageId};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::entities::{
    accounts, households, ledger_entries, members, participation_changes, village_groups,
};
use crate::error::StoreError;
use crate::pii::PiiKeys;

pub use aidazu_ports::households::{
    GroupRef, HouseholdListRow, HouseholdRow, LedgerLine, MemberPatch, MemberRow, NewHousehold,
    NewMember, NewParticipationChange, ParticipationRow,
};

fn kind_str(kind: ResidentKind) -> &'static str {
    match kind {
        ResidentKind::Villager => "villager",
        ResidentKind::NonVillager => "non_villager",
    }
}

fn parse_kind(text: &str, id: i64) -> Result<ResidentKind, StoreError> {
    match text {
        "villager" => Ok(ResidentKind::Villager),
        "non_villager" => Ok(ResidentKind::NonVillager),
        _ => Err(StoreError::Corrupt(format!("member {id} kind {text:?}"))),
    }
}

fn member_row(m: members::Model, keys: &PiiKeys) -> Result<MemberRow, StoreError> {
    let mobile = match (&m.mobile_key_id, &m.mobile_ciphertext) {
        (Some(key_id), Some(ciphertext)) => Some(keys.decrypt(key_id, ciphertext)?),
        _ => None,
    };
    Ok(MemberRow {
        id: MemberId(m.id),
        household: HouseholdId(m.household_id),
        village: VillageId(m.village_id),
        kind: parse_kind(&m.kind, m.id)?,
        code: m.code,
        name: m.name,
        relation: m.relation,
        gender: m.gender,
        birth_year: m.birth_year,
        long_term_absent: m.long_term_absent,
        party_member: m.party_member,
        mobile,
    })
}

async fn group_refs<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> Result<HashMap<i64, GroupRef>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(village_groups::Entity::find()
        .filter(village_groups::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|g| {
            (
                g.id,
                GroupRef {
                    id: GroupId(g.id),
                    code: g.code,
                    name: g.name,
                },
            )
        })
        .collect())
}

fn household_row(h: households::Model, groups: &HashMap<i64, GroupRef>) -> HouseholdRow {
    HouseholdRow {
        id: HouseholdId(h.id),
        village: VillageId(h.village_id),
        group: h.group_id.and_then(|g| groups.get(&g).cloned()),
        code: h.code,
        address: h.address,
    }
}

/// One household, or `None`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn household<C: ConnectionTrait>(
    db: &C,
    id: HouseholdId,
) -> Result<Option<HouseholdRow>, StoreError> {
    let Some(h) = households::Entity::find_by_id(id.get()).one(db).await? else {
        return Ok(None);
    };
    let groups = group_refs(db, h.group_id.into_iter().collect()).await?;
    Ok(Some(household_row(h, &groups)))
}

/// A page of a village's households ordered by code, with member counts, and the total.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn list_households<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    page: u64,
    per_page: u64,
) -> Result<(Vec<HouseholdListRow>, u64), StoreError> {
    let query = households::Entity::find().filter(households::Column::VillageId.eq(village.get()));
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_asc(households::Column::Code)
        .offset(page.saturating_sub(1).saturating_mul(per_page))
        .limit(per_page)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|h| h.id).collect();
    let groups = group_refs(db, rows.iter().filter_map(|h| h.group_id).collect()).await?;
    let mut by_household: HashMap<i64, Vec<members::Model>> = HashMap::new();
    if !ids.is_empty() {
        for m in members::Entity::find()
            .filter(members::Column::HouseholdId.is_in(ids))
            .order_by_asc(members::Column::Id)
            .all(db)
            .await?
        {
            by_household.entry(m.household_id).or_default().push(m);
        }
    }
    let out = rows
        .into_iter()
        .map(|h| {
            let members = by_household.get(&h.id);
            HouseholdListRow {
                member_count: members.map_or(0, |m| m.len() as u64),
                head_name: members.and_then(|m| m.first()).map(|m| m.name.clone()),
                household: household_row(h, &groups),
            }
        })
        .collect();
    Ok((out, total))
}

/// The members of a household in id order (the head first by convention).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Crypto`], [`StoreError::Corrupt`].
pub async fn household_members<C: ConnectionTrait>(
    db: &C,
    keys: &PiiKeys,
    household: HouseholdId,
) -> Result<Vec<MemberRow>, StoreError> {
    members::Entity::find()
        .filter(members::Column::HouseholdId.eq(household.get()))
        .order_by_asc(members::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| member_row(m, keys))
        .collect()
}

/// The members of a household in id order with the DingTalk user ids of the active accounts
/// bound to each, in one statement.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Crypto`], [`StoreError::Corrupt`].
pub async fn household_members_with_accounts<C: ConnectionTrait>(
    db: &C,
    keys: &PiiKeys,
    household: HouseholdId,
) -> Result<Vec<(MemberRow, Vec<String>)>, StoreError> {
    use sea_orm::FromQueryResult;
    let rows = db
        .query_all(crate::read_models::statement(
            db,
            "SELECT m.*, a.dingtalk_user_id AS bound_user_id FROM members m \
             LEFT JOIN accounts a ON a.member_id = m.id AND a.active = $2 \
             WHERE m.household_id = $1 ORDER BY m.id, a.id",
            vec![household.get().into(), true.into()],
        ))
        .await?;
    let mut out: Vec<(MemberRow, Vec<String>)> = Vec::new();
    for row in rows {
        let model = members::Model::from_query_result(&row, "")?;
        let bound: Option<String> = row.try_get("", "bound_user_id")?;
        match out.last_mut() {
            Some((last, ids)) if last.id.get() == model.id => ids.extend(bound),
            _ => out.push((member_row(model, keys)?, bound.into_iter().collect())),
        }
    }
    Ok(out)
}

/// One member, or `None`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Crypto`], [`StoreError::Corrupt`].
pub async fn member<C: ConnectionTrait>(
    db: &C,
    keys: &PiiKeys,
    id: MemberId,
) -> Result<Option<MemberRow>, StoreError> {
    members::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .map(|m| member_row(m, keys))
        .transpose()
}

/// Members whose mobile has this number, found by keyed hash (never by plaintext, R4).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Crypto`], [`StoreError::Corrupt`].
pub async fn members_by_mobile<C: ConnectionTrait>(
    db: &C,
    keys: &PiiKeys,
    mobile: &str,
) -> Result<Vec<MemberRow>, StoreError> {
    members::Entity::find()
        .filter(members::Column::MobileLookup.eq(keys.lookup_hash(mobile)))
        .order_by_asc(members::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| member_row(m, keys))
        .collect()
}

/// Creates a household.
///
/// # Errors
/// [`StoreError::Conflict`] for a code already used in the village, [`StoreError::Invalid`] for
/// a group of another village, [`StoreError::Query`].
pub async fn insert_household<C: ConnectionTrait>(
    db: &C,
    new: &NewHousehold,
) -> Result<HouseholdId, StoreError> {
    if let Some(group) = new.group {
        let ok = village_groups::Entity::find_by_id(group.get())
            .one(db)
            .await?
            .is_some_and(|g| g.village_id == new.village.get());
        if !ok {
            return Err(StoreError::Invalid(format!(
                "group {group} is not in village {}",
                new.village
            )));
        }
    }
    let inserted = households::Entity::insert(households::ActiveModel {
        id: NotSet,
        village_id: Set(new.village.get()),
        group_id: Set(new.group.map(GroupId::get)),
        code: Set(new.code.clone()),
        address: Set(new.address.clone()),
        created_at: Set(crate::stamp::now()),
    })
    .exec(db)
    .await
    .map_err(|err| StoreError::from_write(err, "household code"))?;
    Ok(HouseholdId(inserted.last_insert_id))
}

/// Creates a member of a household; the mobile is stored encrypted with its lookup hash.
///
/// # Errors
/// [`StoreError::NotFound`] (household), [`StoreError::Conflict`] (member code),
/// [`StoreError::Query`].
pub async fn insert_member<C: ConnectionTrait>(
    db: &C,
    keys: &PiiKeys,
    new: &NewMember,
) -> Result<MemberId, StoreError> {
    let household = households::Entity::find_by_id(new.household.get())
        .one(db)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "household",
            key: new.household.to_string(),
        })?;
    let sealed = new.mobile.as_deref().map(|m| keys.encrypt(m)).transpose()?;
    let inserted = members::Entity::insert(members::ActiveModel {
        id: NotSet,
        household_id: Set(household.id),
        village_id: Set(household.village_id),
        code: Set(new.code.clone()),
        name: Set(new.name.clone()),
        relation: Set(new.relation.clone()),
        gender: Set(new.gender.clone()),
        birth_year: Set(new.birth_year),
        kind: Set(kind_str(new.kind).to_owned()),
        long_term_absent: Set(new.long_term_absent),
        party_member: Set(new.party_member),
        mobile_lookup: Set(new.mobile.as_deref().map(|m| keys.lookup_hash(m))),
        mobile_key_id: Set(sealed.as_ref().map(|s| s.key_id.clone())),
        mobile_ciphertext: Set(sealed.map(|s| s.ciphertext)),
        created_at: Set(crate::stamp::now()),
    })
    .exec(db)
    .await
    .map_err(|err| StoreError::from_write(err, "member code"))?;
    crate::read_models::refresh_household_participation(db, HouseholdId(household.id)).await?;
    Ok(MemberId(inserted.last_insert_id))
}

/// Applies a patch to a member.
///
/// # Errors
/// [`StoreError::NotFound`], [`StoreError::Query`].
pub async fn update_member<C: ConnectionTrait>(
    db: &C,
    keys: &PiiKeys,
    id: MemberId,
    patch: &MemberPatch,
) -> Result<(), StoreError> {
    let row = members::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "member",
            key: id.to_string(),
        })?;
    let household = HouseholdId(row.household_id);
    let mut active = row.into_active_model();
    if let Some(v) = &patch.name {
        active.name = Set(v.clone());
    }
    if let Some(v) = &patch.relation {
        active.relation = Set(v.clone());
    }
    if let Some(v) = &patch.gender {
        active.gender = Set(v.clone());
    }
    if let Some(v) = patch.birth_year {
        active.birth_year = Set(v);
    }
    if let Some(v) = patch.kind {
        active.kind = Set(kind_str(v).to_owned());
    }
    if let Some(v) = patch.long_term_absent {
        active.long_term_absent = Set(v);
    }
    if let Some(v) = patch.party_member {
        active.party_member = Set(v);
    }
    if let Some(mobile) = &patch.mobile {
        let sealed = mobile.as_deref().map(|m| keys.encrypt(m)).transpose()?;
        active.mobile_lookup = Set(mobile.as_deref().map(|m| keys.lookup_hash(m)));
        active.mobile_key_id = Set(sealed.as_ref().map(|s| s.key_id.clone()));
        active.mobile_ciphertext = Set(sealed.map(|s| s.ciphertext));
    }
    active.update(db).await?;
    crate::read_models::refresh_household_participation(db, household).await?;
    Ok(())
}

/// Appends an opt-in / opt-out of a member (R3); returns the row id.
///
/// # Errors
/// [`StoreError::NotFound`] (member), [`StoreError::Query`].
pub async fn insert_participation_change<C: ConnectionTrait>(
    db: &C,
    new: &NewParticipationChange,
) -> Result<i64, StoreError> {
    let member = members::Entity::find_by_id(new.member.get())
        .one(db)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "member",
            key: new.member.to_string(),
        })?;
    let inserted = participation_changes::Entity::insert(participation_changes::ActiveModel {
        id: NotSet,
        member_id: Set(member.id),
        household_id: Set(member.household_id),
        village_id: Set(member.village_id),
        participating: Set(new.participating),
        reason: Set(new.reason.clone()),
        effective_on: Set(new.effective_on),
        recorded_by: Set(Some(new.recorded_by.get())),
        channel: Set(new.channel.to_string()),
        recorded_at: Set(crate::stamp::now()),
    })
    .exec(db)
    .await?;
    crate::read_models::refresh_household_participation(db, HouseholdId(member.household_id))
        .await?;
    Ok(inserted.last_insert_id)
}

/// The participation changes of a household's members, in recording order (oldest first).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn participation_history<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
) -> Result<Vec<ParticipationRow>, StoreError> {
    let rows = participation_changes::Entity::find()
        .filter(participation_changes::Column::HouseholdId.eq(household.get()))
        .order_by_asc(participation_changes::Column::Id)
        .all(db)
        .await?;
    let member_names = names_of_members(db, rows.iter().map(|r| r.member_id).collect()).await?;
    let account_names =
        names_of_accounts(db, rows.iter().filter_map(|r| r.recorded_by).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|r| ParticipationRow {
            id: r.id,
            member: MemberId(r.member_id),
            member_name: member_names.get(&r.member_id).cloned().unwrap_or_default(),
            participating: r.participating,
            effective_on: r.effective_on,
            reason: r.reason,
            recorded_by: r.recorded_by.map(AccountId),
            recorded_by_name: r.recorded_by.and_then(|a| account_names.get(&a).cloned()),
            channel: r.channel,
            recorded_at: r.recorded_at,
        })
        .collect())
}

/// The domain view of participation for every member of a village: members (by household) and
/// their recorded changes, oldest first (what `aidazu_domain::org::household_participates` takes).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_participation<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<(HashMap<HouseholdId, Vec<Member>>, Vec<ParticipationChange>), StoreError> {
    let mut by_household: HashMap<HouseholdId, Vec<Member>> = HashMap::new();
    for m in members::Entity::find()
        .filter(members::Column::VillageId.eq(village.get()))
        .order_by_asc(members::Column::Id)
        .all(db)
        .await?
    {
        let kind = parse_kind(&m.kind, m.id)?;
        by_household
            .entry(HouseholdId(m.household_id))
            .or_default()
            .push(Member {
                id: MemberId(m.id),
                household: HouseholdId(m.household_id),
                name: m.name,
                kind,
                long_term_absent: m.long_term_absent,
                party_member: m.party_member,
            });
    }
    let changes = participation_changes::Entity::find()
        .filter(participation_changes::Column::VillageId.eq(village.get()))
        .order_by_asc(participation_changes::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| ParticipationChange {
            member: MemberId(c.member_id),
            opted_in: c.participating,
            effective_on: c.effective_on,
            recorded_by: AccountId(c.recorded_by.unwrap_or_default()),
            reason: c.reason,
        })
        .collect();
    Ok((by_household, changes))
}

/// The year score (awards + penalties + corrections, R13) of every household of a village that
/// has entries in the points-year.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn village_scores<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    points_year: PointsYear,
) -> Result<HashMap<HouseholdId, Points>, StoreError> {
    Ok(
        crate::read_models::village_year_totals(db, village, points_year)
            .await?
            .into_iter()
            .map(|(h, t)| (h, t.score))
            .collect(),
    )
}

/// A page of a household's ledger, newest first, with item titles and member and actor names,
/// and the total count.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn ledger_page<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
    page: u64,
    per_page: u64,
) -> Result<(Vec<LedgerLine>, u64), StoreError> {
    let total = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::HouseholdId.eq(household.get()))
        .count(db)
        .await?;
    let offset = page.saturating_sub(1).saturating_mul(per_page);
    let rows = db
        .query_all(crate::read_models::statement(
            db,
            "SELECT l.id, l.kind, l.amount, l.item_code, ci.title AS item_title, l.member_id, \
                    m.name AS member_name, l.actor_account_id, a.name AS actor_name, l.channel, \
                    l.reason, l.points_year, l.occurred_on, l.occurred_at, l.created_at, \
                    l.declaration_id \
               FROM ledger_entries l \
               LEFT JOIN catalogue_items ci ON ci.id = l.catalogue_item_id \
               LEFT JOIN members m ON m.id = l.member_id \
               LEFT JOIN accounts a ON a.id = l.actor_account_id \
              WHERE l.household_id = $1 \
              ORDER BY l.id DESC LIMIT $2 OFFSET $3",
            vec![
                household.get().into(),
                i64::try_from(per_page).unwrap_or(i64::MAX).into(),
                i64::try_from(offset).unwrap_or(i64::MAX).into(),
            ],
        ))
        .await?;
    let lines = rows
        .into_iter()
        .map(|r| -> Result<LedgerLine, StoreError> {
            let created_at: DateTime<Utc> = r.try_get("", "created_at")?;
            let occurred_at: Option<DateTime<Utc>> = r.try_get("", "occurred_at")?;
            Ok(LedgerLine {
                id: r.try_get("", "id")?,
                kind: r.try_get("", "kind")?,
                amount: Points(r.try_get("", "amount")?),
                item_code: r.try_get("", "item_code")?,
                item_title: r.try_get("", "item_title")?,
                member: r.try_get::<Option<i64>>("", "member_id")?.map(MemberId),
                member_name: r.try_get("", "member_name")?,
                actor: r
                    .try_get::<Option<i64>>("", "actor_account_id")?
                    .map(AccountId),
                actor_name: r.try_get("", "actor_name")?,
                channel: r.try_get("", "channel")?,
                reason: r.try_get("", "reason")?,
                points_year: r.try_get("", "points_year")?,
                occurred_on: r.try_get("", "occurred_on")?,
                occurred_at: occurred_at.unwrap_or(created_at),
                declaration: r.try_get("", "declaration_id")?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((lines, total))
}

async fn names_of_members<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> Result<HashMap<i64, String>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(members::Entity::find()
        .filter(members::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect())
}

async fn names_of_accounts<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> Result<HashMap<i64, String>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(accounts::Entity::find()
        .filter(accounts::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect())
}
