//! The [`BlobStore`] trait: content storage by key, streamed in and out.

mod local;
mod object;

use std::fmt;
use std::io;
use std::pin::Pin;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt, stream};

use crate::error::BlobError;
use crate::keys::BlobKey;

pub use local::LocalBlobStore;
pub use object::ObjectStoreBlobStore;
#[cfg(feature = "s3")]
pub use object::S3Settings;

/// A stream of content chunks.
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send + 'static>>;

/// A blob being read: its size (for `Content-Length`) and its content stream.
pub struct Blob {
    /// Size in bytes.
    pub size: u64,
    /// The content, in chunks.
    pub stream: ByteStream,
}

impl Blob {
    /// Collects the whole content into memory. Meant for small blobs (thumbnails) and tests;
    /// serve large ones by forwarding [`stream`](Self::stream).
    pub async fn into_bytes(self) -> io::Result<Bytes> {
        let mut buf = BytesMut::with_capacity(usize::try_from(self.size).unwrap_or(0));
        let mut stream = self.stream;
        while let Some(chunk) = stream.next().await {
            buf.extend_from_slice(&chunk?);
        }
        Ok(buf.freeze())
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blob").field("size", &self.size).finish()
    }
}

/// Keyed blob storage. Writes are atomic: a reader sees either nothing or the complete blob.
/// Putting an existing key replaces it (content-addressed callers check
/// [`exists`](Self::exists) first). There is deliberately no delete.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync + fmt::Debug {
    /// Stores the chunks of `content` under `key`; returns the number of bytes written.
    /// If the stream fails, nothing is stored and [`BlobError::Source`] is returned.
    async fn put_stream(&self, key: &BlobKey, content: ByteStream) -> Result<u64, BlobError>;

    /// Opens the blob under `key`; [`BlobError::NotFound`] if there is none.
    async fn get(&self, key: &BlobKey) -> Result<Blob, BlobError>;

    /// Whether a blob is stored under `key`.
    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError>;

    /// Stores `bytes` under `key`.
    async fn put(&self, key: &BlobKey, bytes: Bytes) -> Result<(), BlobError> {
        let content: ByteStream = Box::pin(stream::once(async move { Ok(bytes) }));
        self.put_stream(key, content).await.map(|_| ())
    }

    /// Reads the whole blob under `key` into memory (see [`Blob::into_bytes`]).
    async fn get_bytes(&self, key: &BlobKey) -> Result<Bytes, BlobError> {
        self.get(key)
            .await?
            .into_bytes()
            .await
            .map_err(|source| BlobError::Io {
                key: key.to_string(),
                source,
            })
    }
}
