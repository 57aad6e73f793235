//! Evidence photos (F2): one row per (village, content hash). The bytes live in the blob store of
//! `aidazu-photos`; this table says who uploaded them, where, and what they are.

use aidazu_domain::{AccountId, DeclarationId, HouseholdId, VillageId};
use chrono::{DateTime, Utc};

use crate::{AsRepo, StoreError};

/// A photo to record after its bytes were stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPhoto {
    pub village: VillageId,
    /// The uploader's household (`None` for an officer without one).
    pub household: Option<HouseholdId>,
    pub uploader: AccountId,
    pub sha256: String,
    pub size_bytes: u64,
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub had_location: bool,
}

/// A recorded photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRecord {
    pub id: i64,
    pub village: VillageId,
    pub household: Option<HouseholdId>,
    pub uploader: AccountId,
    pub sha256: String,
    pub size_bytes: u64,
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub had_location: bool,
    pub created_at: DateTime<Utc>,
}

/// The photos repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait PhotosRepo: Send + Sync {
    /// Records a photo and who uploaded it; the same content uploaded again in the same village
    /// returns the first row (`created == false`) and links the new uploader to it.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] (missing village/household/account), [`StoreError::Query`].
    async fn insert_photo(&self, new: &NewPhoto) -> Result<(PhotoRecord, bool), StoreError>;
    /// Everyone who uploaded the photo: `(account, household)` pairs, first uploader first.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn uploaders(
        &self,
        photo_id: i64,
    ) -> Result<Vec<(AccountId, Option<HouseholdId>)>, StoreError>;
    /// Whether `household` uploaded the photo (itself or with the same content).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn uploaded_by_household(
        &self,
        photo_id: i64,
        household: HouseholdId,
    ) -> Result<bool, StoreError>;
    /// One photo by id.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn photo(&self, id: i64) -> Result<Option<PhotoRecord>, StoreError>;
    /// Photos by id, in the order of `ids` (missing ids are left out).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn photos_by_ids(&self, ids: &[i64]) -> Result<Vec<PhotoRecord>, StoreError>;
    /// Declarations other than `except` that carry a photo with the same content as one of `photo_ids`
    /// (R11), ascending.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn other_declarations_with_same_photos(
        &self,
        photo_ids: &[i64],
        except: Option<DeclarationId>,
    ) -> Result<Vec<DeclarationId>, StoreError>;
}

/// Records a photo and who uploaded it; the same content uploaded again in the same village
/// returns the first row (`created == false`) and links the new uploader to it.
///
/// # Errors
/// [`StoreError::Invalid`] (missing village/household/account), [`StoreError::Query`].
pub async fn insert_photo(
    db: &(impl AsRepo + ?Sized),
    new: &NewPhoto,
) -> Result<(PhotoRecord, bool), StoreError> {
    PhotosRepo::insert_photo(db.repo(), new).await
}

/// Everyone who uploaded the photo: `(account, household)` pairs, first uploader first.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn uploaders(
    db: &(impl AsRepo + ?Sized),
    photo_id: i64,
) -> Result<Vec<(AccountId, Option<HouseholdId>)>, StoreError> {
    PhotosRepo::uploaders(db.repo(), photo_id).await
}

/// Whether `household` uploaded the photo (itself or with the same content).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn uploaded_by_household(
    db: &(impl AsRepo + ?Sized),
    photo_id: i64,
    household: HouseholdId,
) -> Result<bool, StoreError> {
    PhotosRepo::uploaded_by_household(db.repo(), photo_id, household).await
}

/// One photo by id.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn photo(
    db: &(impl AsRepo + ?Sized),
    id: i64,
) -> Result<Option<PhotoRecord>, StoreError> {
    PhotosRepo::photo(db.repo(), id).await
}

/// Photos by id, in the order of `ids` (missing ids are left out).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn photos_by_ids(
    db: &(impl AsRepo + ?Sized),
    ids: &[i64],
) -> Result<Vec<PhotoRecord>, StoreError> {
    PhotosRepo::photos_by_ids(db.repo(), ids).await
}

/// Declarations other than `except` that carry a photo with the same content as one of `photo_ids`
/// (R11), ascending.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn other_declarations_with_same_photos(
    db: &(impl AsRepo + ?Sized),
    photo_ids: &[i64],
    except: Option<DeclarationId>,
) -> Result<Vec<DeclarationId>, StoreError> {
    PhotosRepo::other_declarations_with_same_photos(db.repo(), photo_ids, except).await
}
