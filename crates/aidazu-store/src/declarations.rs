//! Declarations (R8, R9): rows, their photos, and the one-way state changes out of `in_review`.
//!
//! State changes are conditional updates (`… WHERE state = 'in_review'`), so of two concurrent
//! decisions exactly one changes a row; the caller learns which from the returned flag.

use aidazu_domain::declaration::DeclarationState;
use aidazu_domain::org::Role;
use aidazu_domain::{
    AccountId, CatalogueVersionId, DeclarationId, HouseholdId, ItemCode, LedgerEntryId, MemberId,
    Points, VillageId,
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::accounts::{MemberRef, role_str};
use crate::entities::{accounts, declaration_photos, declarations, members, role_grants};
use crate::error::StoreError;

pub use aidazu_ports::declarations::{
    DecisionWrite, DeclarationRecord, NewDeclaration, Recipient, out_track_id, state_from_str,
};

/// Inserts a declaration with its photos. `card_out_track_id` is derived from the new id.
///
/// # Errors
/// [`StoreError::Invalid`] (missing rows), [`StoreError::Query`].
pub async fn insert_declaration<C: ConnectionTrait>(
    db: &C,
    new: &NewDeclaration,
    out_track_nonce: &str,
) -> Result<DeclarationId, StoreError> {
    let version = i32::try_from(new.catalogue_version)
        .map_err(|_| StoreError::Invalid("catalogue version".into()))?;
    let row = declarations::ActiveModel {
        id: NotSet,
        village_id: Set(new.village.get()),
        household_id: Set(new.household.get()),
        member_id: Set(new.member.get()),
        declarant_account_id: Set(new.declarant.get()),
        item_code: Set(new.item_code.to_string()),
        catalogue_version_id: Set(new.catalogue_version_id.get()),
        catalogue_version: Set(version),
        item_title: Set(new.item_title.clone()),
        suggested_points: Set(new.suggested_points.get()),
        min_points: Set(new.min_points.get()),
        max_points: Set(new.max_points.get()),
        occurred_on: Set(new.occurred_on),
        text: Set(new.text.clone()),
        state: Set(DeclarationState::InReview.to_string()),
        submitted_at: Set(new.submitted_at),
        review_deadline: Set(new.review_deadline),
        channel: Set(new.channel.to_string()),
        request_id: Set(new.request_id.clone()),
        decided_at: Set(None),
        decider_account_id: Set(None),
        decision_channel: Set(None),
        points: Set(None),
        reason: Set(None),
        withdrawn_at: Set(None),
        process_instance_id: Set(None),
        // Unique placeholder until the id is known.
        card_out_track_id: Set(format!("pending-{out_track_nonce}")),
        ledger_entry_id: Set(None),
    };
    let inserted = declarations::Entity::insert(row)
        .exec(db)
        .await
        .map_err(|err| StoreError::from_write(err, "declaration"))?;
    let id = inserted.last_insert_id;
    declarations::Entity::update_many()
        .col_expr(
            declarations::Column::CardOutTrackId,
            Expr::value(out_track_id(DeclarationId(id), out_track_nonce)),
        )
        .filter(declarations::Column::Id.eq(id))
        .exec(db)
        .await?;
    for (position, photo_id) in new.photo_ids.iter().enumerate() {
        declaration_photos::Entity::insert(declaration_photos::ActiveModel {
            declaration_id: Set(id),
            photo_id: Set(*photo_id),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        })
        .exec_without_returning(db)
        .await
        .map_err(|err| StoreError::from_write(err, "declaration photo"))?;
    }
    Ok(DeclarationId(id))
}

/// One declaration with its photo ids.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn declaration<C: ConnectionTrait>(
    db: &C,
    id: DeclarationId,
) -> Result<Option<DeclarationRecord>, StoreError> {
    first_with_photos(db, declarations::Entity::find_by_id(id.get())).await
}

/// The declaration whose approval instance is `process_instance_id`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn declaration_by_process_instance<C: ConnectionTrait>(
    db: &C,
    process_instance_id: &str,
) -> Result<Option<DeclarationRecord>, StoreError> {
    first_with_photos(
        db,
        declarations::Entity::find()
            .filter(declarations::Column::ProcessInstanceId.eq(process_instance_id)),
    )
    .await
}

/// The declaration whose card is `out_track_id`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn declaration_by_out_track_id<C: ConnectionTrait>(
    db: &C,
    out_track_id: &str,
) -> Result<Option<DeclarationRecord>, StoreError> {
    first_with_photos(
        db,
        declarations::Entity::find().filter(declarations::Column::CardOutTrackId.eq(out_track_id)),
    )
    .await
}

/// The first declaration `select` finds, with its photos.
async fn first_with_photos<C: ConnectionTrait>(
    db: &C,
    select: sea_orm::Select<declarations::Entity>,
) -> Result<Option<DeclarationRecord>, StoreError> {
    let Some(row) = select.one(db).await? else {
        return Ok(None);
    };
    let mut out = with_photos(db, vec![row]).await?;
    Ok(out.pop())
}

/// A household's declarations, newest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn household_declarations<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
) -> Result<Vec<DeclarationRecord>, StoreError> {
    let rows = declarations::Entity::find()
        .filter(declarations::Column::HouseholdId.eq(household.get()))
        .order_by_desc(declarations::Column::Id)
        .all(db)
        .await?;
    with_photos(db, rows).await
}

/// A village's declarations, optionally in one state, newest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_declarations<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    state: Option<DeclarationState>,
) -> Result<Vec<DeclarationRecord>, StoreError> {
    let mut query =
        declarations::Entity::find().filter(declarations::Column::VillageId.eq(village.get()));
    if let Some(state) = state {
        query = query.filter(declarations::Column::State.eq(state.to_string()));
    }
    let rows = query
        .order_by_desc(declarations::Column::Id)
        .all(db)
        .await?;
    with_photos(db, rows).await
}

/// Every declaration still `in_review` submitted before `before`, oldest first (D2 reminders).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn in_review_submitted_before<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
) -> Result<Vec<DeclarationRecord>, StoreError> {
    let rows = declarations::Entity::find()
        .filter(declarations::Column::State.eq(DeclarationState::InReview.to_string()))
        .filter(declarations::Column::SubmittedAt.lt(before))
        .order_by_asc(declarations::Column::Id)
        .all(db)
        .await?;
    with_photos(db, rows).await
}

/// A household's declarations still `in_review` of one item (pending cap usage).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn pending_of_item<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
    item_code: &ItemCode,
) -> Result<Vec<DeclarationRecord>, StoreError> {
    let rows = declarations::Entity::find()
        .filter(declarations::Column::HouseholdId.eq(household.get()))
        .filter(declarations::Column::ItemCode.eq(item_code.as_str()))
        .filter(declarations::Column::State.eq(DeclarationState::InReview.to_string()))
        .order_by_asc(declarations::Column::Id)
        .all(db)
        .await?;
    with_photos(db, rows).await
}

/// Moves the declaration from `in_review` to approved/rejected. Returns `false` (and writes
/// nothing) when it was no longer `in_review`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn decide_in_review<C: ConnectionTrait>(
    db: &C,
    id: DeclarationId,
    write: &DecisionWrite,
) -> Result<bool, StoreError> {
    let state = if write.approved {
        DeclarationState::Approved
    } else {
        DeclarationState::Rejected
    };
    let result = declarations::Entity::update_many()
        .col_expr(declarations::Column::State, Expr::value(state.to_string()))
        .col_expr(declarations::Column::DecidedAt, Expr::value(write.at))
        .col_expr(
            declarations::Column::DeciderAccountId,
            Expr::value(write.decider.get()),
        )
        .col_expr(
            declarations::Column::DecisionChannel,
            Expr::value(write.channel.to_string()),
        )
        .col_expr(
            declarations::Column::Points,
            Expr::value(write.points.map(Points::get)),
        )
        .col_expr(
            declarations::Column::Reason,
            Expr::value(write.reason.clone()),
        )
        .filter(declarations::Column::Id.eq(id.get()))
        .filter(declarations::Column::State.eq(DeclarationState::InReview.to_string()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Moves the declaration from `in_review` to withdrawn. Returns `false` when it was no longer
/// `in_review`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn withdraw_in_review<C: ConnectionTrait>(
    db: &C,
    id: DeclarationId,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = declarations::Entity::update_many()
        .col_expr(
            declarations::Column::State,
            Expr::value(DeclarationState::Withdrawn.to_string()),
        )
        .col_expr(declarations::Column::WithdrawnAt, Expr::value(at))
        .filter(declarations::Column::Id.eq(id.get()))
        .filter(declarations::Column::State.eq(DeclarationState::InReview.to_string()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Links the ledger entry an approval booked.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_ledger_entry<C: ConnectionTrait>(
    db: &C,
    id: DeclarationId,
    entry: LedgerEntryId,
) -> Result<(), StoreError> {
    declarations::Entity::update_many()
        .col_expr(
            declarations::Column::LedgerEntryId,
            Expr::value(entry.get()),
        )
        .filter(declarations::Column::Id.eq(id.get()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records the DingTalk approval instance opened for a declaration (set by the gateway once
/// `approval.create` was sent). Idempotent for the same value.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_process_instance_id<C: ConnectionTrait>(
    db: &C,
    id: DeclarationId,
    process_instance_id: &str,
) -> Result<(), StoreError> {
    declarations::Entity::update_many()
        .col_expr(
            declarations::Column::ProcessInstanceId,
            Expr::value(process_instance_id),
        )
        .filter(declarations::Column::Id.eq(id.get()))
        .exec(db)
        .await?;
    Ok(())
}

/// A member with household and village.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn member_ref<C: ConnectionTrait>(
    db: &C,
    member: MemberId,
) -> Result<Option<MemberRef>, StoreError> {
    Ok(members::Entity::find_by_id(member.get())
        .one(db)
        .await?
        .map(|m| MemberRef {
            id: MemberId(m.id),
            household: HouseholdId(m.household_id),
            village: VillageId(m.village_id),
            name: m.name,
        }))
}

/// The active DingTalk accounts bound to members of a household.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn household_recipients<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
) -> Result<Vec<Recipient>, StoreError> {
    let member_ids: Vec<i64> = members::Entity::find()
        .filter(members::Column::HouseholdId.eq(household.get()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    if member_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(accounts::Entity::find()
        .filter(accounts::Column::MemberId.is_in(member_ids))
        .filter(accounts::Column::Active.eq(true))
        .order_by_asc(accounts::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| Recipient {
            account: AccountId(a.id),
            dingtalk_user_id: a.dingtalk_user_id,
            household: Some(household),
        })
        .collect())
}

/// The active accounts holding `role` for a village, with their own household.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn village_role_holders<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    role: Role,
) -> Result<Vec<Recipient>, StoreError> {
    scope_role_holders(db, aidazu_domain::org::Scope::Village(village), role).await
}

/// The active accounts holding `role` over exactly `scope` (a village's committee, a town's
/// officers), with their own household.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn scope_role_holders<C: ConnectionTrait>(
    db: &C,
    scope: aidazu_domain::org::Scope,
    role: Role,
) -> Result<Vec<Recipient>, StoreError> {
    let (kind, id) = match scope {
        aidazu_domain::org::Scope::Village(v) => ("village", v.get()),
        aidazu_domain::org::Scope::Town(t) => ("town", t.get()),
        aidazu_domain::org::Scope::District(d) => ("district", d.get()),
    };
    let account_ids: Vec<i64> = role_grants::Entity::find()
        .filter(role_grants::Column::Role.eq(role_str(role)))
        .filter(role_grants::Column::ScopeKind.eq(kind))
        .filter(role_grants::Column::ScopeId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.account_id)
        .collect();
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    let accounts = accounts::Entity::find()
        .filter(accounts::Column::Id.is_in(account_ids))
        .filter(accounts::Column::Active.eq(true))
        .order_by_asc(accounts::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(accounts.len());
    for a in accounts {
        let household = match a.member_id {
            Some(m) => members::Entity::find_by_id(m)
                .one(db)
                .await?
                .map(|m| HouseholdId(m.household_id)),
            None => None,
        };
        out.push(Recipient {
            account: AccountId(a.id),
            dingtalk_user_id: a.dingtalk_user_id,
            household,
        });
    }
    Ok(out)
}

async fn with_photos<C: ConnectionTrait>(
    db: &C,
    rows: Vec<declarations::Model>,
) -> Result<Vec<DeclarationRecord>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let links = declaration_photos::Entity::find()
        .filter(declaration_photos::Column::DeclarationId.is_in(rows.iter().map(|r| r.id)))
        .order_by_asc(declaration_photos::Column::DeclarationId)
        .order_by_asc(declaration_photos::Column::Position)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let photos = links
                .iter()
                .filter(|l| l.declaration_id == row.id)
                .map(|l| l.photo_id)
                .collect();
            read_model(row, photos)
        })
        .collect()
}

fn read_model(
    row: declarations::Model,
    photo_ids: Vec<i64>,
) -> Result<DeclarationRecord, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("declaration {}: {what}", row.id));
    Ok(DeclarationRecord {
        id: DeclarationId(row.id),
        village: VillageId(row.village_id),
        household: HouseholdId(row.household_id),
        member: MemberId(row.member_id),
        declarant: AccountId(row.declarant_account_id),
        item_code: row.item_code.clone(),
        catalogue_version_id: CatalogueVersionId(row.catalogue_version_id),
        catalogue_version: u32::try_from(row.catalogue_version)
            .map_err(|_| corrupt("catalogue version"))?,
        item_title: row.item_title.clone(),
        suggested_points: Points(row.suggested_points),
        min_points: Points(row.min_points),
        max_points: Points(row.max_points),
        occurred_on: row.occurred_on,
        text: row.text.clone(),
        state: state_from_str(&row.state).ok_or_else(|| corrupt("state"))?,
        submitted_at: row.submitted_at,
        review_deadline: row.review_deadline,
        channel: row.channel.clone(),
        decided_at: row.decided_at,
        decider: row.decider_account_id.map(AccountId),
        decision_channel: row.decision_channel.clone(),
        points: row.points.map(Points),
        reason: row.reason.clone(),
        withdrawn_at: row.withdrawn_at,
        process_instance_id: row.process_instance_id.clone(),
        card_out_track_id: row.card_out_track_id.clone(),
        ledger_entry: row.ledger_entry_id.map(LedgerEntryId),
        photo_ids,
    })
}
