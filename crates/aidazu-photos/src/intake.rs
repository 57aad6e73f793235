//! [`PhotoIntake`]: upload stream in, validated and stored [`StoredPhoto`] out.

use std::sync::Arc;

use bytes::Bytes;
use futures::{Stream, stream};
use tokio::sync::Semaphore;
use tokio_util::io::ReaderStream;

use crate::blob::{Blob, BlobStore, ByteStream};
use crate::config::PhotoConfig;
use crate::error::{BoxError, PhotoError};
use crate::format::{PhotoFormat, Sniffed, sniff};
use crate::keys::{BlobKey, PhotoVariant};
use crate::process::{Processed, PublicCopy, process};
use crate::spool::{Spooled, spool};

/// Chunk size when copying the spooled original into the store.
const COPY_CHUNK: usize = 64 * 1024;

/// A photo accepted and stored under its content hash.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredPhoto {
    /// Lowercase hex SHA-256 of the uploaded bytes: the photo's identity (R11 duplicate check).
    pub sha256: String,
    /// Size of the upload (the original) in bytes.
    pub size_bytes: u64,
    /// Width of the public copy (EXIF orientation applied).
    pub width: u32,
    /// Height of the public copy (EXIF orientation applied).
    pub height: u32,
    /// Format of the original and of the public copy.
    pub format: PhotoFormat,
    /// The upload carried GPS data (EXIF or XMP); the public copy and thumbnail do not.
    pub had_location: bool,
    /// `true` when all three blobs were already stored (same content uploaded before).
    pub already_stored: bool,
    /// Private original, byte for byte: `orig/<sha256>`.
    pub original_key: BlobKey,
    /// Metadata-free copy others may see: `public/<sha256>`.
    pub public_key: BlobKey,
    /// JPEG thumbnail: `thumb/<sha256>`.
    pub thumb_key: BlobKey,
}

impl StoredPhoto {
    /// The key of one variant.
    pub fn key(&self, variant: PhotoVariant) -> &BlobKey {
        match variant {
            PhotoVariant::Original => &self.original_key,
            PhotoVariant::Public => &self.public_key,
            PhotoVariant::Thumbnail => &self.thumb_key,
        }
    }

    /// MIME type of one variant (thumbnails are always JPEG).
    pub fn content_type(&self, variant: PhotoVariant) -> &'static str {
        variant_content_type(variant, self.format)
    }
}

/// MIME type of a stored variant of a photo whose original has `format`.
pub fn variant_content_type(variant: PhotoVariant, format: PhotoFormat) -> &'static str {
    match variant {
        PhotoVariant::Thumbnail => "image/jpeg",
        PhotoVariant::Original | PhotoVariant::Public => format.content_type(),
    }
}

/// The photo pipeline: spool → hash → sniff → header limits → decode → strip → store.
///
/// Cheap to clone; share one per process.
#[derive(Clone, Debug)]
pub struct PhotoIntake {
    store: Arc<dyn BlobStore>,
    config: Arc<PhotoConfig>,
    decode_permits: Arc<Semaphore>,
}

impl PhotoIntake {
    /// A pipeline writing to `store`.
    pub fn new(store: Arc<dyn BlobStore>, config: PhotoConfig) -> Self {
        let permits = config.max_concurrent_decodes.max(1);
        Self {
            store,
            config: Arc::new(config),
            decode_permits: Arc::new(Semaphore::new(permits)),
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &PhotoConfig {
        &self.config
    }

    /// The blob store photos go to.
    pub fn store(&self) -> &Arc<dyn BlobStore> {
        &self.store
    }

    /// Accepts one upload body (e.g. an axum multipart field, which is a
    /// `Stream<Item = Result<Bytes, MultipartError>>`).
    ///
    /// The body is streamed to a temp file (never held whole in memory) and refused with
    /// [`PhotoError::TooLarge`] as soon as it passes `max_bytes`. The format is taken from the
    /// content; dimensions are checked from the header before decoding; then the public copy and
    /// thumbnail are rendered on the blocking pool and all three variants are stored. Uploading
    /// the same bytes again stores nothing new and returns the same keys.
    pub async fn accept<S, E>(&self, body: S) -> Result<StoredPhoto, PhotoError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: Into<BoxError>,
    {
        let spooled = spool(
            body,
            self.config.spool_dir.as_deref(),
            self.config.max_bytes,
        )
        .await?;
        self.store_spooled(spooled).await
    }

    /// [`accept`](Self::accept) for content already in memory (imports, tests).
    pub async fn accept_bytes(&self, bytes: Bytes) -> Result<StoredPhoto, PhotoError> {
        self.accept(stream::iter([Ok::<_, std::io::Error>(bytes)]))
            .await
    }

    /// Opens a stored variant for serving. Authorisation is the caller's job: only the
    /// uploader and reviewers may read [`PhotoVariant::Original`].
    pub async fn open(&self, variant: PhotoVariant, sha256: &str) -> Result<Blob, PhotoError> {
        let key = BlobKey::photo(variant, sha256)?;
        Ok(self.store.get(&key).await?)
    }

    async fn store_spooled(&self, spooled: Spooled) -> Result<StoredPhoto, PhotoError> {
        if spooled.size == 0 {
            return Err(PhotoError::NotAnImage);
        }
        let format = match sniff(&spooled.head) {
            Sniffed::Supported(format) => format,
            Sniffed::Unsupported(format) => return Err(PhotoError::UnsupportedFormat { format }),
            Sniffed::Unknown => return Err(PhotoError::NotAnImage),
        };
        let keys = PhotoVariant::ALL.map(|v| BlobKey::photo(v, &spooled.sha256));
        let [original_key, public_key, thumb_key] = keys;
        let (original_key, public_key, thumb_key) = (original_key?, public_key?, thumb_key?);

        let mut already_stored = true;
        for key in [&original_key, &public_key, &thumb_key] {
            if !self.store.exists(key).await? {
                already_stored = false;
                break;
            }
        }

        let processed = self.run_blocking(&spooled, format, !already_stored).await?;

        if let Some(rendered) = processed.rendered {
            match rendered.public {
                PublicCopy::Memory(bytes) => {
                    self.store.put(&public_key, Bytes::from(bytes)).await?
                }
                PublicCopy::File(file) => {
                    let file = tokio::fs::File::open(file.path())
                        .await
                        .map_err(PhotoError::Spool)?;
                    let content: ByteStream =
                        Box::pin(ReaderStream::with_capacity(file, COPY_CHUNK));
                    self.store.put_stream(&public_key, content).await?;
                }
            }
            self.store
                .put(&thumb_key, Bytes::from(rendered.thumb))
                .await?;
            // The original last: its presence is not enough to skip rendering (all three are
            // checked), but it is the largest write and the others are already derived.
            let file = tokio::fs::File::open(spooled.file.path())
                .await
                .map_err(PhotoError::Spool)?;
            let content: ByteStream = Box::pin(ReaderStream::with_capacity(file, COPY_CHUNK));
            self.store.put_stream(&original_key, content).await?;
            tracing::debug!(sha256 = %spooled.sha256, size = spooled.size, "photo stored");
        }

        Ok(StoredPhoto {
            sha256: spooled.sha256.clone(),
            size_bytes: spooled.size,
            width: processed.width,
            height: processed.height,
            format,
            had_location: processed.had_location,
            already_stored,
            original_key,
            public_key,
            thumb_key,
        })
    }

    /// Runs the CPU-heavy step on the blocking pool, at most `max_concurrent_decodes` at once.
    async fn run_blocking(
        &self,
        spooled: &Spooled,
        format: PhotoFormat,
        render: bool,
    ) -> Result<Processed, PhotoError> {
        let _permit = self
            .decode_permits
            .acquire()
            .await
            .map_err(|e| PhotoError::Internal(format!("decode semaphore closed: {e}")))?;
        let file = spooled.file.reopen().map_err(PhotoError::Spool)?;
        let config = Arc::clone(&self.config);
        tokio::task::spawn_blocking(move || process(file, format, &config, render))
            .await
            .map_err(|e| PhotoError::Internal(format!("photo worker failed: {e}")))?
    }
}
