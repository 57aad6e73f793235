//! [`ObjectStoreBlobStore`]: blobs in any `object_store` backend (S3-compatible with the `s3`
//! feature; in-memory for tests and demos).

use std::io;
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use object_store::buffered::BufWriter;
use object_store::memory::InMemory;
use object_store::path::{Path as ObjectPath, PathPart};
use object_store::{ObjectStore, ObjectStoreExt};
use tokio::io::AsyncWriteExt;

use super::{Blob, BlobStore, ByteStream};
use crate::error::BlobError;
use crate::keys::BlobKey;

/// Blobs in an [`ObjectStore`], optionally below a key prefix (`<prefix>/<namespace>/<name>`).
///
/// Writes go through `object_store`'s buffered writer: one PUT for blobs up to 10 MiB, a
/// multipart upload beyond. Either way the object becomes visible only when complete.
#[derive(Clone, Debug)]
pub struct ObjectStoreBlobStore {
    store: Arc<dyn ObjectStore>,
    prefix: Option<ObjectPath>,
}

impl ObjectStoreBlobStore {
    /// Wraps any object store.
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self {
            store,
            prefix: None,
        }
    }

    /// A store in process memory (lost on exit): for tests and demos.
    pub fn in_memory() -> Self {
        Self::new(Arc::new(InMemory::new()))
    }

    /// Puts every key below `prefix` (e.g. `aidazu/photos`). An empty prefix means none.
    pub fn with_prefix(mut self, prefix: &str) -> Result<Self, BlobError> {
        let trimmed = prefix.trim_matches('/');
        self.prefix = if trimmed.is_empty() {
            None
        } else {
            Some(
                ObjectPath::parse(trimmed)
                    .map_err(|e| BlobError::Config(format!("invalid prefix {prefix:?}: {e}")))?,
            )
        };
        Ok(self)
    }

    /// The wrapped store.
    pub fn inner(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    /// The object path of `key`.
    pub fn path_for(&self, key: &BlobKey) -> ObjectPath {
        let parts = [key.namespace(), key.name()].map(PathPart::from);
        match &self.prefix {
            Some(prefix) => prefix.parts().chain(parts).collect(),
            None => parts.into_iter().collect(),
        }
    }
}

fn backend(key: &BlobKey, error: object_store::Error) -> BlobError {
    match error {
        object_store::Error::NotFound { .. } => BlobError::NotFound {
            key: key.to_string(),
        },
        other => BlobError::Backend {
            key: key.to_string(),
            source: Box::new(other),
        },
    }
}

#[async_trait::async_trait]
impl BlobStore for ObjectStoreBlobStore {
    async fn put_stream(&self, key: &BlobKey, mut content: ByteStream) -> Result<u64, BlobError> {
        let mut writer = BufWriter::new(Arc::clone(&self.store), self.path_for(key));
        let mut written = 0u64;
        while let Some(chunk) = content.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(source) => {
                    // Nothing was completed; discard any started multipart upload.
                    let _ = writer.abort().await;
                    return Err(BlobError::Source {
                        key: key.to_string(),
                        source,
                    });
                }
            };
            written += chunk.len() as u64;
            if let Err(e) = writer.put(chunk).await {
                let _ = writer.abort().await;
                return Err(backend(key, e));
            }
        }
        writer
            .shutdown()
            .await
            .map_err(|source| BlobError::Backend {
                key: key.to_string(),
                source: Box::new(source),
            })?;
        Ok(written)
    }

    async fn get(&self, key: &BlobKey) -> Result<Blob, BlobError> {
        let result = self
            .store
            .get(&self.path_for(key))
            .await
            .map_err(|e| backend(key, e))?;
        let size = result.meta.size;
        let stream = result.into_stream().map_err(io::Error::other);
        Ok(Blob {
            size,
            stream: Box::pin(stream),
        })
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError> {
        match self.store.head(&self.path_for(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(backend(key, e)),
        }
    }
}

#[cfg(feature = "s3")]
mod s3 {
    use secrecy::{ExposeSecret, SecretString};

    use super::*;

    /// Connection settings of an S3-compatible bucket (AWS S3, MinIO, Aliyun OSS / Tencent COS
    /// S3 endpoints). Unset fields fall back to the standard `AWS_*` environment variables.
    #[derive(Clone, Debug, Default)]
    #[non_exhaustive]
    pub struct S3Settings {
        /// Bucket name.
        pub bucket: String,
        /// Region, e.g. `cn-north-1`.
        pub region: Option<String>,
        /// Endpoint URL for non-AWS services, e.g. `http://127.0.0.1:9000`.
        pub endpoint: Option<String>,
        /// Access key id.
        pub access_key_id: Option<String>,
        /// Secret access key.
        pub secret_access_key: Option<SecretString>,
        /// Allow plain-HTTP endpoints (local MinIO).
        pub allow_http: bool,
        /// Use `https://<bucket>.<endpoint>` addressing instead of path style.
        pub virtual_hosted_style: bool,
        /// Key prefix inside the bucket.
        pub prefix: Option<String>,
    }

    impl S3Settings {
        /// Settings for `bucket`, everything else from the environment.
        pub fn new(bucket: impl Into<String>) -> Self {
            Self {
                bucket: bucket.into(),
                ..Self::default()
            }
        }
    }

    impl ObjectStoreBlobStore {
        /// Connects to an S3-compatible bucket. Does not touch the network; the first request does.
        pub fn s3(settings: &S3Settings) -> Result<Self, BlobError> {
            use object_store::aws::AmazonS3Builder;

            let mut builder = AmazonS3Builder::from_env()
                .with_bucket_name(&settings.bucket)
                .with_allow_http(settings.allow_http)
                .with_virtual_hosted_style_request(settings.virtual_hosted_style);
            if let Some(region) = &settings.region {
                builder = builder.with_region(region);
            }
            if let Some(endpoint) = &settings.endpoint {
                builder = builder.with_endpoint(endpoint);
            }
            if let Some(id) = &settings.access_key_id {
                builder = builder.with_access_key_id(id);
            }
            if let Some(secret) = &settings.secret_access_key {
                builder = builder.with_secret_access_key(secret.expose_secret());
            }
            let store = builder
                .build()
                .map_err(|e| BlobError::Config(format!("S3 settings: {e}")))?;
            Self::new(Arc::new(store)).with_prefix(settings.prefix.as_deref().unwrap_or(""))
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn builds_a_minio_style_store_without_network() {
            let mut settings = S3Settings::new("aidazu-photos");
            settings.region = Some("us-east-1".into());
            settings.endpoint = Some("http://127.0.0.1:9000".into());
            settings.access_key_id = Some("minio".into());
            settings.secret_access_key = Some(SecretString::from("minio-secret"));
            settings.allow_http = true;
            settings.prefix = Some("village/photos".into());
            let store = ObjectStoreBlobStore::s3(&settings).unwrap();
            let key = BlobKey::new("orig/abc").unwrap();
            assert_eq!(store.path_for(&key).as_ref(), "village/photos/orig/abc");
        }
    }
}

#[cfg(feature = "s3")]
pub use s3::S3Settings;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_prepended() {
        let key = BlobKey::new("thumb/abcdef").unwrap();
        let plain = ObjectStoreBlobStore::in_memory();
        assert_eq!(plain.path_for(&key).as_ref(), "thumb/abcdef");
        let prefixed = ObjectStoreBlobStore::in_memory()
            .with_prefix("/tenant/photos/")
            .unwrap();
        assert_eq!(
            prefixed.path_for(&key).as_ref(),
            "tenant/photos/thumb/abcdef"
        );
        let empty = ObjectStoreBlobStore::in_memory().with_prefix("").unwrap();
        assert_eq!(empty.path_for(&key).as_ref(), "thumb/abcdef");
    }
}
