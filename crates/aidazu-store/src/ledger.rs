//! The points ledger (R12, R13): append-only. There is no update or delete here, and the
//! database refuses them too (triggers from the migrations).
//!
//! Writes take a connection or a transaction (`&impl ConnectionTrait`), so a use case can append
//! an entry in the same transaction as the change that causes it and its outbox row.

use std::collections::HashMap;

use aidazu_domain::calendar::{PointsYear, business_date};
use aidazu_domain::catalogue::ItemRef;
use aidazu_domain::ledger::{EntryKind, EntrySource, LedgerEntry, TotalsDelta};
use aidazu_domain::{
    AccountId, CatalogueVersionId, DeclarationId, HouseholdId, ItemCode, LedgerEntryId, MemberId,
    ObjectionId, OrderId, Points, VillageId,
};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::entities::{
    catalogue_items, catalogue_versions, households, ledger_entries, members, objections,
};
use crate::error::StoreError;
use crate::org::village_district;
use crate::store::Store;

pub use aidazu_ports::ledger::{
    HouseholdTotals, HouseholdYearTotals, NewLedgerEntry, StoredLedgerEntry,
};

/// Appends one entry on `db` (use a transaction to book it together with its cause).
///
/// Checks the sign of the amount for its kind, that the source fits the kind, that the member
/// belongs to the household, and that an item source names an item of that version in the
/// household's district. Returns the id of the new entry, or of the earlier entry with the same
/// idempotency key.
///
/// # Errors
/// [`StoreError::Invalid`], [`StoreError::NotFound`] (household), [`StoreError::Conflict`] when a
/// concurrent append won the idempotency key, [`StoreError::Query`].
pub async fn append_entry<C: ConnectionTrait>(
    db: &C,
    new: &NewLedgerEntry,
) -> Result<LedgerEntryId, StoreError> {
    let entry = &new.entry;
    entry
        .kind
        .check_amount(entry.amount)
        .map_err(|err| StoreError::Invalid(err.to_string()))?;
    if !entry.source.fits(entry.kind) {
        return Err(StoreError::Invalid(format!(
            "a {} entry cannot come from {:?}",
            entry.kind, entry.source
        )));
    }
    if let Some(key) = &new.idempotency_key {
        let existing = ledger_entries::Entity::find()
            .filter(ledger_entries::Column::IdempotencyKey.eq(key.as_str()))
            .one(db)
            .await?;
        if let Some(existing) = existing {
            return Ok(LedgerEntryId(existing.id));
        }
    }
    let household = households::Entity::find_by_id(entry.household.get())
        .one(db)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "household",
            key: entry.household.to_string(),
        })?;
    // Tamper evidence: the village's chain grows one writer at a time.
    crate::chain::lock_village(db, household.village_id).await?;
    if let Some(member) = entry.member {
        let belongs = members::Entity::find_by_id(member.get())
            .one(db)
            .await?
            .is_some_and(|m| m.household_id == household.id);
        if !belongs {
            return Err(StoreError::Invalid(format!(
                "member {member} is not in household {}",
                household.id
            )));
        }
    }
    let (item_code, item_id, version_id) = match &entry.source {
        EntrySource::Item(item) => {
            let (item_id, version_id) =
                resolve_item(db, VillageId(household.village_id), item).await?;
            (Some(item.code.to_string()), Some(item_id), Some(version_id))
        }
        _ => (None, None, None),
    };
    let row = ledger_entries::ActiveModel {
        id: NotSet,
        village_id: Set(household.village_id),
        household_id: Set(household.id),
        member_id: Set(entry.member.map(MemberId::get)),
        points_year: Set(new.points_year.label().to_string()),
        kind: Set(entry.kind.to_string()),
        amount: Set(entry.amount.get()),
        item_code: Set(item_code),
        catalogue_item_id: Set(item_id),
        catalogue_version_id: Set(version_id),
        reason: Set(entry.reason.clone()),
        actor_account_id: Set(Some(entry.actor.get())),
        channel: Set(new.channel.to_string()),
        request_id: Set(new.request_id.clone()),
        occurred_on: Set(business_date(entry.occurred_at)),
        occurred_at: Set(Some(entry.occurred_at)),
        created_at: Set(crate::stamp::now()),
        idempotency_key: Set(new.idempotency_key.clone()),
        declaration_id: Set(entry.declaration.map(DeclarationId::get)),
        order_id: Set(entry.order().map(OrderId::get)),
        objection_id: Set(match entry.source {
            EntrySource::Objection(o) => Some(o.get()),
            _ => None,
        }),
    };
    let inserted = ledger_entries::Entity::insert(row)
        .exec(db)
        .await
        .map_err(|err| StoreError::from_write(err, "ledger entry with this idempotency key"))?;
    crate::chain::link_village(db, household.village_id).await?;
    // The read model moves with the entry, in the same transaction, by the domain's delta.
    let calendar = crate::org::village_calendar(db, VillageId(household.village_id)).await?;
    // R17: a correction counts on the boards in the quarter its objection was about.
    let objection_quarter = match entry.source {
        EntrySource::Objection(o) if entry.kind == EntryKind::Correction => {
            objections::Entity::find_by_id(o.get())
                .select_only()
                .column(objections::Column::Quarter)
                .into_tuple::<String>()
                .one(db)
                .await?
                .and_then(|q| q.parse().ok())
        }
        _ => None,
    };
    crate::read_models::apply_delta(
        db,
        household.village_id,
        household.id,
        new.points_year,
        TotalsDelta::of_entry(entry, new.points_year, calendar).with_objection_quarter(
            entry.kind,
            objection_quarter,
            new.points_year,
        ),
    )
    .await?;
    Ok(LedgerEntryId(inserted.last_insert_id))
}

/// Locks the household's row until the transaction ends, so read-check-append sequences
/// (redemptions against the balance, caps) of one household run one at a time. PostgreSQL:
/// `SELECT … FOR UPDATE`; SQLite: the store's single connection already serialises transactions.
///
/// # Errors
/// [`StoreError::NotFound`], [`StoreError::Query`].
pub async fn lock_household<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
) -> Result<(), StoreError> {
    let mut query = households::Entity::find_by_id(household.get());
    if db.get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock_exclusive();
    }
    query
        .one(db)
        .await?
        .map(|_| ())
        .ok_or_else(|| StoreError::NotFound {
            entity: "household",
            key: household.to_string(),
        })
}

/// Score and balance of a household for a points-year (R13), from the read model the append
/// maintains in the same transaction (`crate::read_models`).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn household_totals<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
    points_year: PointsYear,
) -> Result<HouseholdTotals, StoreError> {
    let t = crate::read_models::year_totals(db, household, points_year).await?;
    Ok(HouseholdTotals {
        score: t.score,
        balance: t.balance,
    })
}

/// Score and balance of every household of a village for a points-year, households without
/// entries included (zero), ordered by household id, from the maintained read model.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_totals<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    points_year: PointsYear,
) -> Result<Vec<HouseholdYearTotals>, StoreError> {
    let kept = crate::read_models::village_year_totals(db, village, points_year).await?;
    let mut out: Vec<HouseholdYearTotals> = households::Entity::find()
        .select_only()
        .column(households::Column::Id)
        .filter(households::Column::VillageId.eq(village.get()))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .map(|id| {
            let t = kept.get(&HouseholdId(id)).copied().unwrap_or_default();
            HouseholdYearTotals {
                household: HouseholdId(id),
                totals: HouseholdTotals {
                    score: t.score,
                    balance: t.balance,
                },
            }
        })
        .collect();
    out.sort_by_key(|t| t.household);
    Ok(out)
}

/// The entries of a household for a points-year, in booking order — what
/// `HouseholdYearLedger::from_entries` takes.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn household_entries<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
    points_year: PointsYear,
) -> Result<Vec<StoredLedgerEntry>, StoreError> {
    let rows = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::HouseholdId.eq(household.get()))
        .filter(ledger_entries::Column::PointsYear.eq(points_year.label().to_string()))
        .order_by_asc(ledger_entries::Column::Id)
        .all(db)
        .await?;
    let version_ids: Vec<i64> = rows.iter().filter_map(|r| r.catalogue_version_id).collect();
    let numbers: HashMap<i64, i32> = if version_ids.is_empty() {
        HashMap::new()
    } else {
        catalogue_versions::Entity::find()
            .filter(catalogue_versions::Column::Id.is_in(version_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|v| (v.id, v.version))
            .collect()
    };
    rows.into_iter()
        .map(|row| stored_entry(row, &numbers))
        .collect()
}

/// Every entry of a village's households for a points-year, in booking order (one query; what the
/// quarterly publication rebuilds each household's `HouseholdYearLedger` from).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_entries<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    points_year: PointsYear,
) -> Result<Vec<StoredLedgerEntry>, StoreError> {
    let rows = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::VillageId.eq(village.get()))
        .filter(ledger_entries::Column::PointsYear.eq(points_year.label().to_string()))
        .order_by_asc(ledger_entries::Column::Id)
        .all(db)
        .await?;
    let mut version_ids: Vec<i64> = rows.iter().filter_map(|r| r.catalogue_version_id).collect();
    version_ids.sort_unstable();
    version_ids.dedup();
    let numbers: HashMap<i64, i32> = if version_ids.is_empty() {
        HashMap::new()
    } else {
        catalogue_versions::Entity::find()
            .filter(catalogue_versions::Column::Id.is_in(version_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|v| (v.id, v.version))
            .collect()
    };
    rows.into_iter()
        .map(|row| stored_entry(row, &numbers))
        .collect()
}

impl Store {
    /// [`household_totals`] on the store's connection.
    ///
    /// # Errors
    /// As [`household_totals`].
    pub async fn household_totals(
        &self,
        household: HouseholdId,
        points_year: PointsYear,
    ) -> Result<HouseholdTotals, StoreError> {
        household_totals(self.connection(), household, points_year).await
    }

    /// [`village_totals`] on the store's connection.
    ///
    /// # Errors
    /// As [`village_totals`].
    pub async fn village_totals(
        &self,
        village: VillageId,
        points_year: PointsYear,
    ) -> Result<Vec<HouseholdYearTotals>, StoreError> {
        village_totals(self.connection(), village, points_year).await
    }

    /// [`household_entries`] on the store's connection.
    ///
    /// # Errors
    /// As [`household_entries`].
    pub async fn household_entries(
        &self,
        household: HouseholdId,
        points_year: PointsYear,
    ) -> Result<Vec<StoredLedgerEntry>, StoreError> {
        household_entries(self.connection(), household, points_year).await
    }

    /// [`append_entry`] in its own transaction.
    ///
    /// # Errors
    /// As [`append_entry`].
    pub async fn append_entry(&self, new: &NewLedgerEntry) -> Result<LedgerEntryId, StoreError> {
        use sea_orm::TransactionTrait;
        let txn = self.connection().begin().await?;
        let id = append_entry(&txn, new).await?;
        txn.commit().await?;
        Ok(id)
    }
}

async fn resolve_item<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    item: &ItemRef,
) -> Result<(i64, i64), StoreError> {
    let district = village_district(db, village).await?;
    let number = i32::try_from(item.version)
        .map_err(|_| StoreError::Invalid(format!("catalogue version {}", item.version)))?;
    let version = catalogue_versions::Entity::find()
        .filter(catalogue_versions::Column::DistrictId.eq(district.id))
        .filter(catalogue_versions::Column::Version.eq(number))
        .one(db)
        .await?
        .ok_or_else(|| {
            StoreError::Invalid(format!("catalogue version {} does not exist", item.version))
        })?;
    if version.village_id.is_some_and(|v| v != village.get()) {
        return Err(StoreError::Invalid(format!(
            "catalogue version {} belongs to another village",
            item.version
        )));
    }
    let row = catalogue_items::Entity::find()
        .filter(catalogue_items::Column::VersionId.eq(version.id))
        .filter(catalogue_items::Column::Code.eq(item.code.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "catalogue version {} has no item {}",
                item.version, item.code
            ))
        })?;
    Ok((row.id, version.id))
}

pub(crate) fn parse_kind(text: &str) -> Result<EntryKind, StoreError> {
    Ok(match text {
        "award" => EntryKind::Award,
        "penalty" => EntryKind::Penalty,
        "correction" => EntryKind::Correction,
        "redeem" => EntryKind::Redeem,
        "refund" => EntryKind::Refund,
        "year_close" => EntryKind::YearClose,
        other => return Err(StoreError::Corrupt(format!("ledger entry kind {other:?}"))),
    })
}

fn stored_entry(
    row: ledger_entries::Model,
    version_numbers: &HashMap<i64, i32>,
) -> Result<StoredLedgerEntry, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("ledger entry {}: {what}", row.id));
    let kind = parse_kind(&row.kind)?;
    let source = match kind {
        EntryKind::Award | EntryKind::Penalty => {
            let code = row
                .item_code
                .as_deref()
                .and_then(|c| ItemCode::parse(c).ok())
                .ok_or_else(|| corrupt("item code"))?;
            let version = row
                .catalogue_version_id
                .and_then(|id| version_numbers.get(&id))
                .and_then(|n| u32::try_from(*n).ok())
                .ok_or_else(|| corrupt("catalogue version"))?;
            EntrySource::Item(ItemRef { code, version })
        }
        EntryKind::Correction => EntrySource::Objection(ObjectionId(
            row.objection_id.ok_or_else(|| corrupt("objection"))?,
        )),
        EntryKind::Redeem | EntryKind::Refund => {
            EntrySource::Order(OrderId(row.order_id.ok_or_else(|| corrupt("order"))?))
        }
        EntryKind::YearClose => EntrySource::YearClose,
    };
    let points_year = row
        .points_year
        .parse::<i32>()
        .map(PointsYear)
        .map_err(|_| corrupt("points year"))?;
    let actor = row.actor_account_id.ok_or_else(|| corrupt("actor"))?;
    Ok(StoredLedgerEntry {
        id: LedgerEntryId(row.id),
        village: VillageId(row.village_id),
        points_year,
        catalogue_version_id: row.catalogue_version_id.map(CatalogueVersionId),
        channel: row.channel,
        request_id: row.request_id,
        occurred_on: row.occurred_on,
        created_at: row.created_at,
        entry: LedgerEntry {
            household: HouseholdId(row.household_id),
            member: row.member_id.map(MemberId),
            kind,
            amount: Points(row.amount),
            source,
            declaration: row.declaration_id.map(DeclarationId),
            actor: AccountId(actor),
            occurred_at: row.occurred_at.unwrap_or(row.created_at),
            reason: row.reason,
        },
    })
}
