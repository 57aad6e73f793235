//! P5 memory: a 12-megapixel upright JPEG is stored without ever holding its pixels.
//!
//! A separate test binary because it installs a counting global allocator. The full decode the
//! pipeline did before needed 36 MB for the RGB pixels alone (plus the decoder's and encoder's
//! buffers); the public copy is now the original's segments minus metadata and the thumbnail a
//! 1/8-scale decode, so the heap may not grow by more than the headroom below while the photo
//! is taken in, stored (in memory, three variants) and checked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::System;
use std::io::Cursor;
use std::sync::Arc;

use aidazu_photos::{ObjectStoreBlobStore, PhotoConfig, PhotoIntake};
use bytes::Bytes;
use cap::Cap;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// Far below one 4000 × 3000 RGB buffer (36 MB).
const HEADROOM: usize = 24 * 1024 * 1024;

#[tokio::test]
async fn p5_twelve_megapixel_jpeg_is_stored_without_a_full_size_pixel_buffer() {
    let jpeg = {
        let img = RgbImage::from_fn(4000, 3000, |x, y| {
            Rgb([(x / 16) as u8, (y / 12) as u8, ((x + y) / 28) as u8])
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, ImageFormat::Jpeg)
            .unwrap();
        Bytes::from(out.into_inner())
    };
    let spool = tempfile::tempdir().unwrap();
    let intake = PhotoIntake::new(
        Arc::new(ObjectStoreBlobStore::in_memory()),
        PhotoConfig::default().with_spool_dir(spool.path()),
    );
    // Any allocation past the headroom fails (and aborts the test binary) from here on.
    let before = ALLOCATOR.allocated();
    ALLOCATOR.set_limit(before + HEADROOM).unwrap();
    let photo = intake.accept_bytes(jpeg.clone()).await;
    ALLOCATOR.set_limit(usize::MAX).unwrap();
    let photo = photo.unwrap();
    assert_eq!((photo.width, photo.height), (4000, 3000));

    let thumb = intake.store().get_bytes(&photo.thumb_key).await.unwrap();
    let thumb = image::load_from_memory_with_format(&thumb, ImageFormat::Jpeg).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 240));
    let public = intake.store().get_bytes(&photo.public_key).await.unwrap();
    assert_eq!(
        public.len(),
        jpeg.len(),
        "the encoder's stream has no metadata to drop"
    );
}
