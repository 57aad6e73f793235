//! Objections to a quarterly publication (R17): the domain [`Objection`] stored with its village,
//! the publication it answers and, once upheld, the correction entry. The state is kept twice:
//! `state` (for filters) and `status` (the domain's status with its decisions, JSON).

use aidazu_domain::objection::{Objection, ObjectionDraft, ObjectionState, ObjectionStatus};
use aidazu_domain::{HouseholdId, LedgerEntryId, MemberId, ObjectionId, VillageId};
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entities::objections;
use crate::error::StoreError;

pub use aidazu_ports::objections::StoredObjection;

/// Files an objection; the domain has checked it (window, text). Returns it with its id.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    publication_id: i64,
    draft: &ObjectionDraft,
    photo_ids: &[i64],
    filed_on: NaiveDate,
) -> Result<i64, StoreError> {
    let now = crate::stamp::now();
    let status = serde_json::to_string(&ObjectionStatus::Open)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let row = objections::Entity::insert(objections::ActiveModel {
        id: NotSet,
        village_id: Set(village.get()),
        quarter: Set(draft.quarter.to_string()),
        publication_id: Set(publication_id),
        raised_by_member: Set(draft.raised_by.get()),
        raised_by_household: Set(draft.raised_by_household.get()),
        about_household: Set(draft.about.get()),
        entry_id: Set(draft.entry.map(LedgerEntryId::get)),
        text: Set(draft.text.clone()),
        photo_ids: Set(serde_json::to_string(photo_ids).unwrap_or_else(|_| "[]".into())),
        filed_on: Set(filed_on),
        state: Set(ObjectionState::Open.to_string()),
        status: Set(status),
        correction_entry_id: Set(None),
        process_instance_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(row.last_insert_id)
}

/// One objection.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn get<C: ConnectionTrait>(
    db: &C,
    id: ObjectionId,
) -> Result<Option<StoredObjection>, StoreError> {
    objections::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .map(read)
        .transpose()
}

/// Objections raised by members of a household, newest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn by_household<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
) -> Result<Vec<StoredObjection>, StoreError> {
    objections::Entity::find()
        .filter(objections::Column::RaisedByHousehold.eq(household.get()))
        .order_by_desc(objections::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

/// Objections of a village (optionally of one state), newest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn by_village<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    state: Option<ObjectionState>,
) -> Result<Vec<StoredObjection>, StoreError> {
    let mut query =
        objections::Entity::find().filter(objections::Column::VillageId.eq(village.get()));
    if let Some(state) = state {
        query = query.filter(objections::Column::State.eq(state.to_string()));
    }
    query
        .order_by_desc(objections::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

/// Upheld objections (by the committee or the town) of every village, oldest first: each one
/// owes an amended publication (R17), which the scheduler re-checks.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn upheld<C: ConnectionTrait>(db: &C) -> Result<Vec<StoredObjection>, StoreError> {
    objections::Entity::find()
        .filter(objections::Column::State.is_in([
            ObjectionState::Upheld.to_string(),
            ObjectionState::TownUpheld.to_string(),
        ]))
        .order_by_asc(objections::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

/// Writes a decided objection if it is still in `expected` (compare-and-set): `false` when a
/// concurrent decision changed it first (nothing is written then).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Invalid`].
pub async fn save_decision<C: ConnectionTrait>(
    db: &C,
    objection: &Objection,
    expected: ObjectionState,
    correction_entry: Option<LedgerEntryId>,
) -> Result<bool, StoreError> {
    let status = serde_json::to_string(objection.status())
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let mut update = objections::Entity::update_many()
        .col_expr(
            objections::Column::State,
            Expr::value(objection.state().to_string()),
        )
        .col_expr(objections::Column::Status, Expr::value(status))
        .col_expr(
            objections::Column::UpdatedAt,
            Expr::value(crate::stamp::now()),
        );
    if let Some(entry) = correction_entry {
        update = update.col_expr(
            objections::Column::CorrectionEntryId,
            Expr::value(Some(entry.get())),
        );
    }
    let done = update
        .filter(objections::Column::Id.eq(objection.id.get()))
        .filter(objections::Column::State.eq(expected.to_string()))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Records the DingTalk approval instance opened for an objection (F6; set by the gateway once
/// `objection.approval.create` was sent). Idempotent for the same value.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_process_instance_id<C: ConnectionTrait>(
    db: &C,
    id: ObjectionId,
    process_instance_id: &str,
) -> Result<(), StoreError> {
    objections::Entity::update_many()
        .col_expr(
            objections::Column::ProcessInstanceId,
            Expr::value(process_instance_id),
        )
        .filter(objections::Column::Id.eq(id.get()))
        .exec(db)
        .await?;
    Ok(())
}

/// The objection whose approval instance is `process_instance_id` (F6).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn by_process_instance<C: ConnectionTrait>(
    db: &C,
    process_instance_id: &str,
) -> Result<Option<StoredObjection>, StoreError> {
    objections::Entity::find()
        .filter(objections::Column::ProcessInstanceId.eq(process_instance_id))
        .one(db)
        .await?
        .map(read)
        .transpose()
}

/// Open objections with an approval instance, filed on or before `filed_by` (the reconciler's
/// re-check, F6).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn open_with_approval_filed_by<C: ConnectionTrait>(
    db: &C,
    filed_by: NaiveDate,
) -> Result<Vec<StoredObjection>, StoreError> {
    objections::Entity::find()
        .filter(objections::Column::State.eq(ObjectionState::Open.to_string()))
        .filter(objections::Column::ProcessInstanceId.is_not_null())
        .filter(objections::Column::FiledOn.lte(filed_by))
        .order_by_asc(objections::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect()
}

fn read(row: objections::Model) -> Result<StoredObjection, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("objection {}: {what}", row.id));
    let status: ObjectionStatus =
        serde_json::from_str(&row.status).map_err(|_| corrupt("status"))?;
    let objection = Objection::restore(
        ObjectionId(row.id),
        ObjectionDraft {
            quarter: row.quarter.parse().map_err(|_| corrupt("quarter"))?,
            raised_by: MemberId(row.raised_by_member),
            raised_by_household: HouseholdId(row.raised_by_household),
            about: HouseholdId(row.about_household),
            entry: row.entry_id.map(LedgerEntryId),
            text: row.text,
        },
        row.filed_on,
        status,
    );
    Ok(StoredObjection {
        objection,
        village: VillageId(row.village_id),
        publication_id: row.publication_id,
        correction_entry: row.correction_entry_id.map(LedgerEntryId),
        photo_ids: serde_json::from_str(&row.photo_ids).map_err(|_| corrupt("photo ids"))?,
        process_instance_id: row.process_instance_id,
    })
}
