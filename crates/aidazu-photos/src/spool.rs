//! Streams an upload into a temporary file while hashing and counting it.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;
use tokio::io::AsyncWriteExt;

use crate::error::{BoxError, PhotoError};
use crate::format::SNIFF_LEN;

/// Write buffer between the upload stream and the spool file.
const WRITE_BUFFER: usize = 64 * 1024;

/// A fully received upload, held on disk. Dropping it deletes the file.
#[derive(Debug)]
pub(crate) struct Spooled {
    pub file: NamedTempFile,
    pub size: u64,
    pub sha256: String,
    /// The first bytes, for format sniffing.
    pub head: Vec<u8>,
}

/// Receives `body` into a temp file in `dir` (OS temp dir if `None`). Fails with
/// [`PhotoError::TooLarge`] as soon as more than `max_bytes` have arrived; the partial file is
/// deleted. Memory use is one chunk plus a small write buffer, whatever the upload size.
pub(crate) async fn spool<S, E>(
    body: S,
    dir: Option<&Path>,
    max_bytes: u64,
) -> Result<Spooled, PhotoError>
where
    S: Stream<Item = Result<Bytes, E>> + Send,
    E: Into<BoxError>,
{
    let temp = create_temp(dir.map(Path::to_path_buf)).await?;
    let std_file = temp.as_file().try_clone().map_err(PhotoError::Spool)?;
    let mut writer =
        tokio::io::BufWriter::with_capacity(WRITE_BUFFER, tokio::fs::File::from_std(std_file));
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut head = Vec::with_capacity(SNIFF_LEN);

    let mut body = std::pin::pin!(body);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| PhotoError::Upload(e.into()))?;
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(PhotoError::TooLarge { limit: max_bytes });
        }
        if head.len() < SNIFF_LEN {
            let take = (SNIFF_LEN - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        hasher.update(&chunk);
        writer.write_all(&chunk).await.map_err(PhotoError::Spool)?;
    }
    writer.flush().await.map_err(PhotoError::Spool)?;
    // Later reads use fresh handles on the same path.
    drop(writer);

    Ok(Spooled {
        file: temp,
        size,
        sha256: hex::encode(hasher.finalize()),
        head,
    })
}

async fn create_temp(dir: Option<PathBuf>) -> Result<NamedTempFile, PhotoError> {
    tokio::task::spawn_blocking(move || {
        let mut builder = tempfile::Builder::new();
        builder.prefix("aidazu-upload-");
        match dir {
            Some(dir) => {
                std::fs::create_dir_all(&dir)?;
                builder.tempfile_in(dir)
            }
            None => builder.tempfile(),
        }
    })
    .await
    .map_err(|e| PhotoError::Internal(format!("spool task failed: {e}")))?
    .map_err(PhotoError::Spool)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use futures::stream;

    use super::*;

    fn chunks(parts: &[&'static [u8]]) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
        stream::iter(
            parts
                .iter()
                .map(|p| Ok(Bytes::from_static(p)))
                .collect::<Vec<_>>(),
        )
    }

    #[tokio::test]
    async fn hashes_counts_and_keeps_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let spooled = spool(chunks(&[b"hello ", b"world"]), Some(dir.path()), 100)
            .await
            .unwrap();
        assert_eq!(spooled.size, 11);
        assert_eq!(
            spooled.sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(spooled.head, b"hello world");
        let mut content = String::new();
        spooled
            .file
            .reopen()
            .unwrap()
            .read_to_string(&mut content)
            .unwrap();
        assert_eq!(content, "hello world");
    }

    #[tokio::test]
    async fn stops_at_the_limit_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let err = spool(chunks(&[b"12345", b"6"]), Some(dir.path()), 5)
            .await
            .unwrap_err();
        assert!(matches!(err, PhotoError::TooLarge { limit: 5 }), "{err:?}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn exactly_the_limit_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let spooled = spool(chunks(&[b"12345"]), Some(dir.path()), 5)
            .await
            .unwrap();
        assert_eq!(spooled.size, 5);
    }

    #[tokio::test]
    async fn body_errors_are_upload_errors() {
        let dir = tempfile::tempdir().unwrap();
        let body = stream::iter(vec![
            Ok(Bytes::from_static(b"abc")),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "gone",
            )),
        ]);
        let err = spool(body, Some(dir.path()), 100).await.unwrap_err();
        assert_eq!(err.code(), "photo.upload_failed");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
