//! Typed errors: [`BlobError`] for the storage layer, [`PhotoError`] for the intake pipeline.

use std::error::Error as StdError;

/// A boxed error from an upload body or a storage backend.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Failure of a [`BlobStore`](crate::BlobStore) operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlobError {
    /// No blob is stored under the key.
    #[error("blob not found: {key}")]
    NotFound {
        /// The key that was looked up.
        key: String,
    },
    /// The key is not acceptable (empty segment, `..`, characters outside `[A-Za-z0-9._-]`, ...).
    #[error("invalid blob key {key:?}: {reason}")]
    InvalidKey {
        /// The rejected key text.
        key: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Local file-system failure.
    #[error("blob I/O error on {key}: {source}")]
    Io {
        /// The key being read or written.
        key: String,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The content stream handed to `put_stream` failed.
    #[error("blob content stream failed for {key}: {source}")]
    Source {
        /// The key being written.
        key: String,
        /// The stream's error.
        #[source]
        source: std::io::Error,
    },
    /// Failure reported by an `object_store` backend (S3, in-memory, ...).
    #[error("object store error on {key}: {source}")]
    Backend {
        /// The key being accessed.
        key: String,
        /// The backend's error.
        #[source]
        source: BoxError,
    },
    /// The store could not be configured (bad S3 settings, bad prefix, ...).
    #[error("blob store configuration error: {0}")]
    Config(String),
}

/// Failure of [`PhotoIntake`](crate::PhotoIntake).
///
/// [`code`](Self::code) is a stable English identifier for clients and logs,
/// [`message`](Self::message) a Simplified Chinese text for end users.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PhotoError {
    /// The upload passed the configured byte limit (the upload was aborted there).
    #[error("photo exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The configured limit in bytes.
        limit: u64,
    },
    /// The content is not a decodable image (garbage, text, truncated or corrupt data).
    #[error("content is not a decodable image")]
    NotAnImage,
    /// The content is a recognisable image in a format this service does not accept.
    #[error("unsupported image format: {format}")]
    UnsupportedFormat {
        /// Short lowercase name of the detected format (`gif`, `bmp`, `heic`, ...).
        format: &'static str,
    },
    /// The image declares more pixels than allowed (decompression-bomb guard); refused before
    /// the pixel buffer is allocated.
    #[error("image dimensions exceed the limit ({max_side} px per side, {max_pixels} pixels)")]
    TooManyPixels {
        /// Longest allowed side in pixels.
        max_side: u32,
        /// Allowed width × height.
        max_pixels: u64,
    },
    /// The upload body stream failed (client disconnect, malformed multipart, ...).
    #[error("upload stream failed: {0}")]
    Upload(#[source] BoxError),
    /// Storing or reading blobs failed.
    #[error("photo storage failed: {0}")]
    Storage(#[from] BlobError),
    /// The local spool (temporary upload file) could not be written or read.
    #[error("photo spool file failed: {0}")]
    Spool(#[source] std::io::Error),
    /// An internal step failed (encoder error, worker task panicked).
    #[error("photo processing failed: {0}")]
    Internal(String),
}

impl PhotoError {
    /// Stable machine-readable code, e.g. `photo.too_large`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "photo.too_large",
            Self::NotAnImage => "photo.not_an_image",
            Self::UnsupportedFormat { .. } => "photo.unsupported_format",
            Self::TooManyPixels { .. } => "photo.too_many_pixels",
            Self::Upload(_) => "photo.upload_failed",
            Self::Storage(_) | Self::Spool(_) => "photo.storage",
            Self::Internal(_) => "photo.internal",
        }
    }

    /// User-facing message in Simplified Chinese.
    pub fn message(&self) -> String {
        match self {
            Self::TooLarge { limit } => {
                format!("照片太大，单张不能超过 {}。", human_size(*limit))
            }
            Self::NotAnImage => "文件不是有效的图片，请重新选择照片。".to_owned(),
            Self::UnsupportedFormat { format } => format!(
                "不支持该图片格式（{}），请上传 JPEG、PNG 或 WebP 格式的照片。",
                format.to_uppercase()
            ),
            Self::TooManyPixels { .. } => "图片尺寸过大，请缩小后再上传。".to_owned(),
            Self::Upload(_) => "照片上传中断，请重试。".to_owned(),
            Self::Storage(_) | Self::Spool(_) => "照片保存失败，请稍后重试。".to_owned(),
            Self::Internal(_) => "照片处理失败，请稍后重试。".to_owned(),
        }
    }

    /// `true` when the client sent something unacceptable (HTTP 4xx), `false` for server-side
    /// failures (HTTP 5xx). `Upload` counts as a client error.
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            Self::TooLarge { .. }
                | Self::NotAnImage
                | Self::UnsupportedFormat { .. }
                | Self::TooManyPixels { .. }
                | Self::Upload(_)
        )
    }
}

/// `10485760` → `10 MB`, `1536` → `1.5 KB` (binary units, Chinese users read "MB").
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(PhotoError::TooLarge { limit: 1 }.code(), "photo.too_large");
        assert_eq!(PhotoError::NotAnImage.code(), "photo.not_an_image");
        assert_eq!(
            PhotoError::UnsupportedFormat { format: "gif" }.code(),
            "photo.unsupported_format"
        );
        assert_eq!(
            PhotoError::TooManyPixels {
                max_side: 1,
                max_pixels: 1
            }
            .code(),
            "photo.too_many_pixels"
        );
        assert_eq!(
            PhotoError::Storage(BlobError::Config("x".into())).code(),
            "photo.storage"
        );
    }

    #[test]
    fn too_large_message_names_the_limit_in_megabytes() {
        let msg = PhotoError::TooLarge {
            limit: 10 * 1024 * 1024,
        }
        .message();
        assert!(msg.contains("10 MB"), "{msg}");
        assert!(msg.contains("照片太大"), "{msg}");
    }

    #[test]
    fn unsupported_message_names_the_format() {
        let msg = PhotoError::UnsupportedFormat { format: "heic" }.message();
        assert!(msg.contains("HEIC"), "{msg}");
    }

    #[test]
    fn client_and_server_errors_are_told_apart() {
        assert!(PhotoError::NotAnImage.is_client_error());
        assert!(!PhotoError::Internal("boom".into()).is_client_error());
        assert!(!PhotoError::Storage(BlobError::Config("x".into())).is_client_error());
    }

    #[test]
    fn human_size_formats() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(10 * 1024 * 1024), "10 MB");
    }
}
