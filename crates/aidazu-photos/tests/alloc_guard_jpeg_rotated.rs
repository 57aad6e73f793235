//! P5 memory: a 12-megapixel *rotated* JPEG (EXIF Orientation 6, the usual Android portrait
//! shot) is re-encoded upright from a 1/2-scale decode, never as a full-size pixel buffer.
//!
//! A separate test binary because it installs a counting global allocator (and sets its limit
//! for the whole process). The full decode took 36 MB for the RGB pixels alone, twice over while
//! turning them; the 1/2-scale decode is 9 MB, so the heap may not grow by more than the
//! headroom below while the photo is taken in, stored (in memory, three variants) and checked.
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

/// Far below one 4000 × 3000 RGB buffer (36 MB); the scaled path peaks between 16 and 20 MB.
const HEADROOM: usize = 24 * 1024 * 1024;

/// An APP1 EXIF segment holding only Orientation = 6.
fn orientation_6() -> Vec<u8> {
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&[6, 0, 0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(tiff);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    segment.extend(payload);
    segment
}

#[tokio::test]
async fn p5_twelve_megapixel_rotated_jpeg_is_re_encoded_from_a_scaled_decode() {
    let jpeg = {
        let img = RgbImage::from_fn(4000, 3000, |x, y| {
            Rgb([(x / 16) as u8, (y / 12) as u8, ((x + y) / 28) as u8])
        });
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, ImageFormat::Jpeg)
            .unwrap();
        let plain = out.into_inner();
        let mut rotated = plain[..2].to_vec();
        rotated.extend(orientation_6());
        rotated.extend_from_slice(&plain[2..]);
        Bytes::from(rotated)
    };
    let spool = tempfile::tempdir().unwrap();
    let intake = PhotoIntake::new(
        Arc::new(ObjectStoreBlobStore::in_memory()),
        PhotoConfig::default().with_spool_dir(spool.path()),
    );
    // Any allocation past the headroom fails (and aborts the test binary) from here on.
    let before = ALLOCATOR.allocated();
    ALLOCATOR.set_limit(before + HEADROOM).unwrap();
    let photo = intake.accept_bytes(jpeg).await;
    ALLOCATOR.set_limit(usize::MAX).unwrap();
    let photo = photo.unwrap();
    assert_eq!((photo.width, photo.height), (1500, 2000));

    let public = intake.store().get_bytes(&photo.public_key).await.unwrap();
    let public = image::load_from_memory_with_format(&public, ImageFormat::Jpeg).unwrap();
    assert_eq!((public.width(), public.height()), (1500, 2000));
    let thumb = intake.store().get_bytes(&photo.thumb_key).await.unwrap();
    let thumb = image::load_from_memory_with_format(&thumb, ImageFormat::Jpeg).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (240, 320));
}
