#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod blob;
mod config;
mod error;
mod format;
mod intake;
mod jpeg;
mod keys;
mod links;
mod location;
mod process;
mod spool;

#[cfg(feature = "s3")]
pub use blob::S3Settings;
pub use blob::{Blob, BlobStore, ByteStream, LocalBlobStore, ObjectStoreBlobStore};
pub use config::PhotoConfig;
pub use error::{BlobError, BoxError, PhotoError};
pub use format::PhotoFormat;
pub use intake::{PhotoIntake, StoredPhoto, variant_content_type};
pub use keys::{BlobKey, PhotoVariant, is_sha256_hex};
pub use links::{LinkViewer, PhotoLinkError, PhotoLinks, SignedPhotoLink, VerifiedPhotoLink};
