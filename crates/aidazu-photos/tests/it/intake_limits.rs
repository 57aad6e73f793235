//! F2: size limit while streaming and decompression-bomb refusal.

use aidazu_photos::PhotoError;
use bytes::Bytes;

use crate::for_each_backend;
use crate::support::backend::Backend;
use crate::support::bytes_builders::png_bomb;
use crate::support::images::{self, chunked};

for_each_backend!(
    f2_upload_of_limit_plus_one_byte_is_too_large_and_nothing_is_stored,
    f2_upload_of_exactly_the_limit_is_accepted,
    f2_default_limit_is_ten_mib,
    f2_png_claiming_100000_square_is_refused_before_decoding,
    f2_png_over_fifty_megapixels_within_side_limit_is_refused,
    f2_pixel_limits_are_configurable,
);

async fn f2_upload_of_limit_plus_one_byte_is_too_large_and_nothing_is_stored(backend: Backend) {
    let content = images::jpeg(300, 300);
    let limit = content.len() as u64 - 1;
    let intake = backend.intake_with(backend.config().with_max_bytes(limit));
    let err = intake.accept(chunked(&content, 1024)).await.unwrap_err();
    assert!(
        matches!(err, PhotoError::TooLarge { limit: l } if l == limit),
        "{err:?}"
    );
    assert_eq!(err.code(), "photo.too_large");
    assert!(err.is_client_error());
    assert!(backend.stored_keys().await.is_empty(), "nothing stored");
    assert_eq!(backend.spool_leftovers(), 0, "spool file removed");
}

async fn f2_upload_of_exactly_the_limit_is_accepted(backend: Backend) {
    let content = images::jpeg(300, 300);
    let intake = backend.intake_with(backend.config().with_max_bytes(content.len() as u64));
    let photo = intake.accept(chunked(&content, 1000)).await.unwrap();
    assert_eq!(photo.size_bytes, content.len() as u64);
    assert_eq!(backend.spool_leftovers(), 0);
}

async fn f2_default_limit_is_ten_mib(backend: Backend) {
    // 10 MiB + 1 of zeroes behind a JPEG signature: refused by size, never decoded.
    let mut content = vec![0u8; 10 * 1024 * 1024 + 1];
    content[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let err = backend
        .intake()
        .accept(chunked(&content, 256 * 1024))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PhotoError::TooLarge { limit } if limit == 10 * 1024 * 1024),
        "{err:?}"
    );
    assert!(err.message().contains("10 MB"), "{}", err.message());
    assert!(backend.stored_keys().await.is_empty());
}

async fn f2_png_claiming_100000_square_is_refused_before_decoding(backend: Backend) {
    // Decoding would need 100000 × 100000 × 3 bytes = 30 GB; the header check refuses it.
    // (tests/alloc_guard.rs proves no large allocation happens.)
    let bomb = png_bomb(100_000, 100_000);
    let err = backend
        .intake()
        .accept_bytes(Bytes::from(bomb))
        .await
        .unwrap_err();
    assert!(matches!(err, PhotoError::TooManyPixels { .. }), "{err:?}");
    assert_eq!(err.code(), "photo.too_many_pixels");
    assert!(backend.stored_keys().await.is_empty());
}

async fn f2_png_over_fifty_megapixels_within_side_limit_is_refused(backend: Backend) {
    // 10000 × 10000 passes the 12000 px side limit but is 100 megapixels.
    let bomb = png_bomb(10_000, 10_000);
    let err = backend
        .intake()
        .accept_bytes(Bytes::from(bomb))
        .await
        .unwrap_err();
    assert!(matches!(err, PhotoError::TooManyPixels { .. }), "{err:?}");
}

async fn f2_pixel_limits_are_configurable(backend: Backend) {
    let mut config = backend.config();
    config.max_side = 256;
    let intake = backend.intake_with(config);
    let err = intake
        .accept_bytes(Bytes::from(images::png(257, 10)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PhotoError::TooManyPixels { max_side: 256, .. }),
        "{err:?}"
    );
    intake
        .accept_bytes(Bytes::from(images::png(256, 10)))
        .await
        .unwrap();
}
