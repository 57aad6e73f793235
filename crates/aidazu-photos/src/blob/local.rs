//! [`LocalBlobStore`]: blobs as files under a root folder, written atomically.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use futures::StreamExt;
use tokio::fs;
use tokio::io::AsyncWriteExt;
use tokio_util::io::ReaderStream;

use super::{Blob, BlobStore, ByteStream};
use crate::error::BlobError;
use crate::keys::BlobKey;

/// Distinguishes temp files of concurrent writes within one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Chunk size when streaming a file out.
const READ_CHUNK: usize = 64 * 1024;

/// Blobs as files below `root`, sharded by the first four characters of the key's name:
/// `orig/<sha>` lives at `<root>/orig/<sha[0..2]>/<sha[2..4]>/<sha>` (names shorter than four
/// characters are padded with `_` in the shard folders). Every blob file sits at depth four, so
/// the mapping is collision-free.
///
/// A write goes to a hidden temp file in the target folder (`.tmp-*`, never a valid key),
/// is fsynced, renamed over the target, and the folder is fsynced: after `put` returns the blob
/// survives a crash, and readers never see a partial file.
#[derive(Clone, Debug)]
pub struct LocalBlobStore {
    root: PathBuf,
}

impl LocalBlobStore {
    /// A store rooted at `root`. The folder is created on first write.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file that holds `key`.
    pub fn path_for(&self, key: &BlobKey) -> PathBuf {
        let name = key.name();
        // Keys are ASCII (validated), so every char is one byte.
        let mut shard: Vec<char> = name.chars().take(4).collect();
        shard.resize(4, '_');
        let mut path = self.root.join(key.namespace());
        path.push(shard[..2].iter().collect::<String>());
        path.push(shard[2..].iter().collect::<String>());
        path.push(name);
        path
    }

    async fn write_temp(
        temp: &Path,
        key: &BlobKey,
        mut content: ByteStream,
    ) -> Result<u64, BlobError> {
        let io_err = |source| BlobError::Io {
            key: key.to_string(),
            source,
        };
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(temp)
            .await
            .map_err(io_err)?;
        let mut written = 0u64;
        while let Some(chunk) = content.next().await {
            let chunk = chunk.map_err(|source| BlobError::Source {
                key: key.to_string(),
                source,
            })?;
            file.write_all(&chunk).await.map_err(io_err)?;
            written += chunk.len() as u64;
        }
        file.flush().await.map_err(io_err)?;
        file.sync_all().await.map_err(io_err)?;
        Ok(written)
    }
}

#[async_trait::async_trait]
impl BlobStore for LocalBlobStore {
    async fn put_stream(&self, key: &BlobKey, content: ByteStream) -> Result<u64, BlobError> {
        let io_err = |source| BlobError::Io {
            key: key.to_string(),
            source,
        };
        let target = self.path_for(key);
        let dir = target
            .parent()
            .ok_or_else(|| io_err(io::Error::other("blob path has no parent folder")))?
            .to_path_buf();
        fs::create_dir_all(&dir).await.map_err(io_err)?;
        let temp = dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        // Removes the temp file on failure and also if this future is dropped mid-write
        // (client gone): no `.tmp-*` files are left behind.
        let mut guard = TempFileGuard(Some(temp.clone()));
        let written = Self::write_temp(&temp, key, content).await?;
        fs::rename(&temp, &target).await.map_err(io_err)?;
        guard.0 = None;
        sync_dir(&dir).await.map_err(io_err)?;
        Ok(written)
    }

    async fn get(&self, key: &BlobKey) -> Result<Blob, BlobError> {
        let path = self.path_for(key);
        let file = match fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(BlobError::NotFound {
                    key: key.to_string(),
                });
            }
            Err(source) => {
                return Err(BlobError::Io {
                    key: key.to_string(),
                    source,
                });
            }
        };
        let size = file
            .metadata()
            .await
            .map_err(|source| BlobError::Io {
                key: key.to_string(),
                source,
            })?
            .len();
        Ok(Blob {
            size,
            stream: Box::pin(ReaderStream::with_capacity(file, READ_CHUNK)),
        })
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError> {
        fs::try_exists(self.path_for(key))
            .await
            .map_err(|source| BlobError::Io {
                key: key.to_string(),
                source,
            })
    }
}

/// Deletes the file at its path when dropped, unless disarmed (set to `None`).
struct TempFileGuard(Option<PathBuf>);

impl Drop for TempFileGuard {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            // Best effort; a missing file (open failed) is fine. One unlink, cheap to block on.
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Makes a rename in `dir` durable.
#[cfg(unix)]
async fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir).await?.sync_all().await
}

/// Directories cannot be opened for fsync here; the rename is still atomic.
#[cfg(not(unix))]
async fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn dropping_a_write_midway_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path());
        let key = BlobKey::new("test/abcdef").unwrap();
        let (tx, rx) = futures::channel::mpsc::unbounded::<io::Result<bytes::Bytes>>();
        tx.unbounded_send(Ok(bytes::Bytes::from_static(b"first chunk")))
            .unwrap();
        // The stream stays open, so the write never finishes; drop it once its temp file exists.
        let shard = dir.path().join("test").join("ab").join("cd");
        let temp_file_seen = async {
            loop {
                if let Ok(mut entries) = std::fs::read_dir(&shard)
                    && entries.next().is_some()
                {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        };
        tokio::select! {
            result = store.put_stream(&key, Box::pin(rx)) => panic!("write finished: {result:?}"),
            () = temp_file_seen => {}
        }
        assert_eq!(std::fs::read_dir(&shard).unwrap().count(), 0);
        assert!(!store.exists(&key).await.unwrap());
        drop(tx);
    }

    #[test]
    fn shards_the_last_segment() {
        let store = LocalBlobStore::new("/data/photos");
        let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let key = BlobKey::new(format!("orig/{sha}")).unwrap();
        assert_eq!(
            store.path_for(&key),
            PathBuf::from(format!("/data/photos/orig/9f/86/{sha}"))
        );
        let short = BlobKey::new("a/abc").unwrap();
        assert_eq!(
            store.path_for(&short),
            PathBuf::from("/data/photos/a/ab/c_/abc")
        );
    }
}
