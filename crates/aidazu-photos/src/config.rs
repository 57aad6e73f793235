//! Tunable limits and output settings of the intake pipeline.

use std::path::PathBuf;

/// Settings of [`PhotoIntake`](crate::PhotoIntake). Start from [`Default`] and override fields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PhotoConfig {
    /// Largest accepted upload in bytes (default 10 MiB). Checked while streaming.
    pub max_bytes: u64,
    /// Longest accepted side in pixels, from the image header (default 12000).
    pub max_side: u32,
    /// Largest accepted width × height, from the image header (default 50 megapixels).
    pub max_pixels: u64,
    /// Allocation budget handed to the decoder (default 512 MiB, image's own default).
    pub max_decode_alloc: u64,
    /// How many photos may be decoded at the same time (bounds peak memory; default 2).
    pub max_concurrent_decodes: usize,
    /// JPEG quality of the public copy of a JPEG that has to be re-encoded (default 85): only
    /// rotated ones (EXIF Orientation 2–8) and codings the scaled decoder does not read; an upright
    /// JPEG's public copy is its own stream without the metadata segments.
    pub public_jpeg_quality: u8,
    /// A JPEG that must be re-encoded (EXIF Orientation 2–8) and whose long side exceeds this
    /// (default 2048 px) is decoded at a reduced DCT scale (1/2, 1/4 or 1/8: the mildest that
    /// brings the long side to at most this, so the public copy's long side lies between half
    /// of it and it), which keeps a 12-megapixel portrait shot from ever being a full-size
    /// pixel buffer. Upright JPEGs keep their full size (lossless copy); PNG/WebP are not scaled.
    pub max_reencoded_side: u32,
    /// Longest side of the thumbnail in pixels (default 320). Smaller images are not enlarged.
    pub thumb_side: u32,
    /// JPEG quality of the thumbnail (default 80).
    pub thumb_jpeg_quality: u8,
    /// Where uploads are spooled while they arrive (default: the OS temp dir).
    pub spool_dir: Option<PathBuf>,
}

impl PhotoConfig {
    /// Default upload limit: 10 MiB.
    pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;

    /// Returns the config with another byte limit.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Returns the config with another spool directory.
    pub fn with_spool_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spool_dir = Some(dir.into());
        self
    }
}

impl Default for PhotoConfig {
    fn default() -> Self {
        Self {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_side: 12_000,
            max_pixels: 50_000_000,
            max_decode_alloc: 512 * 1024 * 1024,
            max_concurrent_decodes: 2,
            public_jpeg_quality: 85,
            max_reencoded_side: 2048,
            thumb_side: 320,
            thumb_jpeg_quality: 80,
            spool_dir: None,
        }
    }
}
