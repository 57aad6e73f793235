//! Photo evidence (F2): upload through the `aidazu-photos` pipeline, record who uploaded what
//! where, and serve the public copy and thumbnail only to those allowed to see them.

use aidazu_domain::org::{Role, Scope, VillageLocation};
use aidazu_domain::{AccountId, HouseholdId, VillageId};
use aidazu_photos::{
    Blob, BoxError, LinkViewer, PhotoLinkError, PhotoVariant, SignedPhotoLink, VerifiedPhotoLink,
};
use aidazu_ports::audit;
use aidazu_ports::photos::{self, NewPhoto, PhotoRecord};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::Stream;
use serde_json::json;

use crate::auth::Actor;
use crate::{App, AppError};

/// A recorded photo as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoView {
    pub id: i64,
    pub village: VillageId,
    pub household: Option<HouseholdId>,
    pub uploader: AccountId,
    pub sha256: String,
    pub size_bytes: u64,
    pub format: String,
    pub width: u32,
    pub height: u32,
    /// The upload carried GPS data; the copies others see do not.
    pub had_location: bool,
    pub created_at: DateTime<Utc>,
    /// `false` when the same content was already recorded in this village (same id returned).
    pub created: bool,
}

impl PhotoView {
    fn from_record(r: PhotoRecord, created: bool) -> Self {
        Self {
            id: r.id,
            village: r.village,
            household: r.household,
            uploader: r.uploader,
            sha256: r.sha256,
            size_bytes: r.size_bytes,
            format: r.format,
            width: r.width,
            height: r.height,
            had_location: r.had_location,
            created_at: r.created_at,
            created,
        }
    }
}

/// Which stored copy to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServedVariant {
    /// The copy without location metadata.
    Public,
    /// The JPEG thumbnail.
    Thumbnail,
}

/// An opened photo copy, ready to stream.
#[derive(Debug)]
pub struct PhotoContent {
    pub blob: Blob,
    pub content_type: &'static str,
    pub sha256: String,
}

impl App {
    /// Accepts one upload body: streamed into the pipeline (size limit, decode check, location
    /// stripped, thumbnail), then recorded for the caller's village and household. Refused
    /// uploads store nothing.
    ///
    /// # Errors
    /// [`AppError::Photo`] (`photo.not_an_image` 422, `photo.too_large` 413, …),
    /// [`AppError::NoHousehold`] when the caller has no village, [`AppError::Database`].
    #[tracing::instrument(skip(self, actor, body), fields(account.id = actor.account_id.get()))]
    pub async fn upload_photo<S, E>(&self, actor: &Actor, body: S) -> Result<PhotoView, AppError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: Into<BoxError>,
    {
        let village = upload_village(actor).ok_or(AppError::NoHousehold)?;
        let intake = self.photo_intake()?;
        let stored = intake.accept(body).await?;
        let new = NewPhoto {
            village,
            household: actor.household_id,
            uploader: actor.account_id,
            sha256: stored.sha256.clone(),
            size_bytes: stored.size_bytes,
            format: stored.format.as_str().to_owned(),
            width: stored.width,
            height: stored.height,
            had_location: stored.had_location,
        };
        let txn = self.store().begin().await?;
        let (record, created) = photos::insert_photo(&txn, &new).await?;
        if created {
            audit::record(
                &txn,
                &actor.audit(
                    None,
                    "photo.upload",
                    "photo",
                    Some(record.id.to_string()),
                    Some(village),
                    actor.household_id,
                    json!({"sha256": record.sha256, "sizeBytes": record.size_bytes,
                           "format": record.format, "hadLocation": record.had_location}),
                ),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(PhotoView::from_record(record, created))
    }

    /// A photo's metadata, if the caller may see it.
    ///
    /// # Errors
    /// [`AppError::PhotoNotFound`] (also for photos of other villages), [`AppError::Database`].
    pub async fn photo(&self, actor: &Actor, id: i64) -> Result<PhotoView, AppError> {
        let record = photos::photo(self.store(), id)
            .await?
            .ok_or(AppError::PhotoNotFound(id))?;
        let location = self.village_location(record.village).await?;
        let uploaders = photos::uploaders(self.store(), id).await?;
        if !may_view_photo(actor, &uploaders, &location) {
            return Err(AppError::PhotoNotFound(id));
        }
        Ok(PhotoView::from_record(record, false))
    }

    /// Opens the public copy or thumbnail of a photo the caller may see.
    ///
    /// # Errors
    /// As [`App::photo`], plus [`AppError::Photo`] when the blob cannot be read.
    pub async fn open_photo(
        &self,
        actor: &Actor,
        id: i64,
        variant: ServedVariant,
    ) -> Result<PhotoContent, AppError> {
        let view = self.photo(actor, id).await?;
        self.open_variant(id, &view.format, view.sha256, variant)
            .await
    }

    /// A signed, expiring link to a photo for `viewer` (F2): valid from the injected clock's
    /// now for `photos.link_ttl_days`. The link opens the location-free copy without our token.
    pub fn sign_photo_link(&self, photo_id: i64, viewer: &LinkViewer) -> SignedPhotoLink {
        self.config()
            .photo_links
            .sign(photo_id, viewer, self.clock().now().timestamp())
    }

    /// Checks the parts of a signed photo link as they arrived, against the injected clock.
    ///
    /// # Errors
    /// [`PhotoLinkError::Invalid`] (tampered, incomplete, not ours) or
    /// [`PhotoLinkError::Expired`].
    pub fn verify_photo_link(
        &self,
        photo_id: i64,
        viewer: &str,
        expires: &str,
        sig: &str,
    ) -> Result<VerifiedPhotoLink, PhotoLinkError> {
        self.config().photo_links.verify(
            photo_id,
            viewer,
            expires,
            sig,
            self.clock().now().timestamp(),
        )
    }

    /// Opens the copy without location metadata for a verified link. There is no actor: the
    /// signature is the permission (it was made for the reviewers of a declaration).
    ///
    /// # Errors
    /// [`AppError::PhotoNotFound`], [`AppError::Photo`] when the blob cannot be read,
    /// [`AppError::Database`].
    pub async fn open_linked_photo(
        &self,
        link: &VerifiedPhotoLink,
    ) -> Result<PhotoContent, AppError> {
        let id = link.photo_id();
        let record = photos::photo(self.store(), id)
            .await?
            .ok_or(AppError::PhotoNotFound(id))?;
        tracing::info!(photo.id = id, viewer = %link.viewer(), "photo opened by signed link");
        self.open_variant(id, &record.format, record.sha256, ServedVariant::Public)
            .await
    }

    async fn open_variant(
        &self,
        id: i64,
        format: &str,
        sha256: String,
        variant: ServedVariant,
    ) -> Result<PhotoContent, AppError> {
        let intake = self.photo_intake()?;
        let variant = match variant {
            ServedVariant::Public => PhotoVariant::Public,
            ServedVariant::Thumbnail => PhotoVariant::Thumbnail,
        };
        let format =
            aidazu_photos::PhotoFormat::from_name(format).ok_or(AppError::PhotoNotFound(id))?;
        let blob = intake.open(variant, &sha256).await?;
        Ok(PhotoContent {
            blob,
            content_type: aidazu_photos::variant_content_type(variant, format),
            sha256,
        })
    }
}

/// The village an upload belongs to: the caller's member's village, else the one village an
/// admin-type grant names.
fn upload_village(actor: &Actor) -> Option<VillageId> {
    actor.village_id.or_else(|| {
        let mut villages = actor.grants.iter().filter_map(|g| match g.scope {
            Scope::Village(v) => Some(v),
            _ => None,
        });
        let first = villages.next()?;
        villages.all(|v| v == first).then_some(first)
    })
}

/// F2: the uploaders, their households, the village's admins and committee, and the
/// town and district officers over it.
pub(crate) fn may_view_photo(
    actor: &Actor,
    uploaders: &[(AccountId, Option<HouseholdId>)],
    location: &VillageLocation,
) -> bool {
    uploaders.iter().any(|(account, household)| {
        *account == actor.account_id || (household.is_some() && *household == actor.household_id)
    }) || is_overseer(actor, location)
}
/// Village admins and committee of the village, town and district officers over it.
pub(crate) fn is_overseer(actor: &Actor, location: &VillageLocation) -> bool {
    actor.grants.iter().any(|g| {
        matches!(
            g.role,
            Role::VillageAdmin | Role::VillageCommittee | Role::TownOfficer | Role::DistrictOfficer
        ) && g.scope.covers(location)
    })
}
