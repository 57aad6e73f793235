//! Evidence photos (F2): one row per (village, content hash). The bytes live in the blob store of
//! `aidazu-photos`; this table says who uploaded them, where, and what they are.

use std::collections::BTreeSet;

use aidazu_domain::{AccountId, DeclarationId, HouseholdId, VillageId};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entities::{declaration_photos, photo_uploads, photos};
use crate::error::StoreError;

pub use aidazu_ports::photos::{NewPhoto, PhotoRecord};

/// Records a photo and who uploaded it; the same content uploaded again in the same village
/// returns the first row (`created == false`) and links the new uploader to it.
///
/// # Errors
/// [`StoreError::Invalid`] (missing village/household/account), [`StoreError::Query`].
pub async fn insert_photo<C: ConnectionTrait>(
    db: &C,
    new: &NewPhoto,
) -> Result<(PhotoRecord, bool), StoreError> {
    if let Some(existing) = by_sha(db, new.village, &new.sha256).await? {
        record_upload(db, existing.id, new).await?;
        return Ok((existing, false));
    }
    let to_i64 = |v: u64| i64::try_from(v).map_err(|_| StoreError::Invalid("photo size".into()));
    let to_i32 = |v: u32| i32::try_from(v).map_err(|_| StoreError::Invalid("photo size".into()));
    let row = photos::ActiveModel {
        id: NotSet,
        village_id: Set(new.village.get()),
        household_id: Set(new.household.map(HouseholdId::get)),
        uploader_account_id: Set(new.uploader.get()),
        sha256: Set(new.sha256.clone()),
        size_bytes: Set(to_i64(new.size_bytes)?),
        format: Set(new.format.clone()),
        width: Set(to_i32(new.width)?),
        height: Set(to_i32(new.height)?),
        had_location: Set(new.had_location),
        created_at: Set(crate::stamp::now()),
    };
    photos::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([photos::Column::VillageId, photos::Column::Sha256])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map_err(|err| StoreError::from_write(err, "photo"))?;
    let stored = by_sha(db, new.village, &new.sha256)
        .await?
        .ok_or_else(|| StoreError::Conflict("photo vanished after insert".into()))?;
    record_upload(db, stored.id, new).await?;
    // Another uploader may have won a race; only the winner "created" it.
    let created = stored.uploader == new.uploader && stored.household == new.household;
    Ok((stored, created))
}

/// Links an uploader (account and household) to a photo; once per account.
async fn record_upload<C: ConnectionTrait>(
    db: &C,
    photo_id: i64,
    new: &NewPhoto,
) -> Result<(), StoreError> {
    photo_uploads::Entity::insert(photo_uploads::ActiveModel {
        id: NotSet,
        photo_id: Set(photo_id),
        household_id: Set(new.household.map(HouseholdId::get)),
        uploader_account_id: Set(new.uploader.get()),
        created_at: Set(crate::stamp::now()),
    })
    .on_conflict(
        OnConflict::columns([
            photo_uploads::Column::PhotoId,
            photo_uploads::Column::UploaderAccountId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await
    .map_err(|err| StoreError::from_write(err, "photo upload"))?;
    Ok(())
}

/// Everyone who uploaded the photo: `(account, household)` pairs, first uploader first.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn uploaders<C: ConnectionTrait>(
    db: &C,
    photo_id: i64,
) -> Result<Vec<(AccountId, Option<HouseholdId>)>, StoreError> {
    Ok(photo_uploads::Entity::find()
        .filter(photo_uploads::Column::PhotoId.eq(photo_id))
        .order_by_asc(photo_uploads::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| {
            (
                AccountId(u.uploader_account_id),
                u.household_id.map(HouseholdId),
            )
        })
        .collect())
}

/// Whether `household` uploaded the photo (itself or with the same content).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn uploaded_by_household<C: ConnectionTrait>(
    db: &C,
    photo_id: i64,
    household: HouseholdId,
) -> Result<bool, StoreError> {
    Ok(photo_uploads::Entity::find()
        .filter(photo_uploads::Column::PhotoId.eq(photo_id))
        .filter(photo_uploads::Column::HouseholdId.eq(household.get()))
        .one(db)
        .await?
        .is_some())
}

/// One photo by id.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn photo<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<PhotoRecord>, StoreError> {
    photos::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(read_model)
        .transpose()
}

/// Photos by id, in the order of `ids` (missing ids are left out).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn photos_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<Vec<PhotoRecord>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = photos::Entity::find()
        .filter(photos::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(row) = rows.iter().find(|r| r.id == *id) {
            out.push(read_model(row.clone())?);
        }
    }
    Ok(out)
}

/// Declarations other than `except` that carry a photo with the same content as one of `photo_ids`
/// (R11), ascending.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn other_declarations_with_same_photos<C: ConnectionTrait>(
    db: &C,
    photo_ids: &[i64],
    except: Option<DeclarationId>,
) -> Result<Vec<DeclarationId>, StoreError> {
    if photo_ids.is_empty() {
        return Ok(Vec::new());
    }
    let shas: Vec<String> = photos::Entity::find()
        .filter(photos::Column::Id.is_in(photo_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.sha256)
        .collect();
    let same: Vec<i64> = photos::Entity::find()
        .filter(photos::Column::Sha256.is_in(shas))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let links = declaration_photos::Entity::find()
        .filter(declaration_photos::Column::PhotoId.is_in(same))
        .order_by_asc(declaration_photos::Column::DeclarationId)
        .all(db)
        .await?;
    let ids: BTreeSet<i64> = links
        .into_iter()
        .map(|l| l.declaration_id)
        .filter(|id| Some(*id) != except.map(DeclarationId::get))
        .collect();
    Ok(ids.into_iter().map(DeclarationId).collect())
}

async fn by_sha<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    sha256: &str,
) -> Result<Option<PhotoRecord>, StoreError> {
    photos::Entity::find()
        .filter(photos::Column::VillageId.eq(village.get()))
        .filter(photos::Column::Sha256.eq(sha256))
        .one(db)
        .await?
        .map(read_model)
        .transpose()
}

fn read_model(row: photos::Model) -> Result<PhotoRecord, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("photo {}", row.id));
    Ok(PhotoRecord {
        id: row.id,
        village: VillageId(row.village_id),
        household: row.household_id.map(HouseholdId),
        uploader: AccountId(row.uploader_account_id),
        sha256: row.sha256.clone(),
        size_bytes: u64::try_from(row.size_bytes).map_err(|_| corrupt())?,
        format: row.format.clone(),
        width: u32::try_from(row.width).map_err(|_| corrupt())?,
        height: u32::try_from(row.height).map_err(|_| corrupt())?,
        had_location: row.had_location,
        created_at: row.created_at,
    })
}
