//! F2/R11: content addressing — same bytes, same keys, one blob set.

use aidazu_photos::{PhotoError, PhotoVariant};
use bytes::Bytes;

use crate::for_each_backend;
use crate::support::backend::Backend;
use crate::support::images;

for_each_backend!(
    r11_same_photo_twice_gives_same_sha_and_one_blob_set,
    r11_concurrent_uploads_of_the_same_photo_agree,
    f2_different_photos_get_different_keys,
    f2_open_serves_each_variant_and_rejects_bad_hashes,
);

async fn r11_same_photo_twice_gives_same_sha_and_one_blob_set(backend: Backend) {
    let content = Bytes::from(images::jpeg(500, 400));
    let intake = backend.intake();
    let first = intake.accept_bytes(content.clone()).await.unwrap();
    let keys_after_first = backend.stored_keys().await;
    assert_eq!(
        keys_after_first,
        vec![
            format!("orig/{}", first.sha256),
            format!("public/{}", first.sha256),
            format!("thumb/{}", first.sha256),
        ]
    );
    let public_before = backend.store.get_bytes(&first.public_key).await.unwrap();

    let second = intake.accept_bytes(content).await.unwrap();
    assert!(!first.already_stored);
    assert!(second.already_stored);
    assert_eq!(second.sha256, first.sha256);
    assert_eq!(
        (
            second.width,
            second.height,
            second.format,
            second.had_location
        ),
        (first.width, first.height, first.format, first.had_location)
    );
    assert_eq!(second.public_key, first.public_key);
    assert_eq!(
        backend.stored_keys().await,
        keys_after_first,
        "no duplicate blobs"
    );
    let public_after = backend.store.get_bytes(&first.public_key).await.unwrap();
    assert_eq!(public_after, public_before);
    assert_eq!(backend.spool_leftovers(), 0);
}

async fn r11_concurrent_uploads_of_the_same_photo_agree(backend: Backend) {
    let content = Bytes::from(images::png(200, 150));
    let intake = backend.intake();
    let (a, b) = tokio::join!(
        intake.accept_bytes(content.clone()),
        intake.accept_bytes(content.clone())
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sha256, b.sha256);
    assert_eq!(backend.stored_keys().await.len(), 3);
    let original = backend.store.get_bytes(&a.original_key).await.unwrap();
    assert_eq!(original, content);
}

async fn f2_different_photos_get_different_keys(backend: Backend) {
    let intake = backend.intake();
    let a = intake
        .accept_bytes(Bytes::from(images::jpeg(100, 100)))
        .await
        .unwrap();
    let b = intake
        .accept_bytes(Bytes::from(images::jpeg(101, 100)))
        .await
        .unwrap();
    assert_ne!(a.sha256, b.sha256);
    assert_eq!(backend.stored_keys().await.len(), 6);
}

async fn f2_open_serves_each_variant_and_rejects_bad_hashes(backend: Backend) {
    let intake = backend.intake();
    let photo = intake
        .accept_bytes(Bytes::from(images::webp(64, 48)))
        .await
        .unwrap();
    for variant in PhotoVariant::ALL {
        let blob = intake.open(variant, &photo.sha256).await.unwrap();
        let size = blob.size;
        let bytes = blob.into_bytes().await.unwrap();
        assert_eq!(bytes.len() as u64, size, "{variant:?}");
        assert!(
            image::load_from_memory(&bytes).is_ok(),
            "{variant:?} decodes"
        );
    }
    let missing = "0".repeat(64);
    let err = intake
        .open(PhotoVariant::Public, &missing)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PhotoError::Storage(aidazu_photos::BlobError::NotFound { .. })
        ),
        "{err:?}"
    );
    let err = intake
        .open(PhotoVariant::Original, "../../etc/passwd")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PhotoError::Storage(aidazu_photos::BlobError::InvalidKey { .. })
        ),
        "{err:?}"
    );
}

/// Axum handlers need `Send` futures: an upload runs inside `tokio::spawn` (which requires it).
#[tokio::test]
async fn accept_runs_on_a_spawned_task() {
    let backend = Backend::object_store();
    let intake = backend.intake();
    let content = images::jpeg(48, 32);
    let expected = images::sha256_hex(&content);
    let body = images::chunked(&content, 100);
    let photo = tokio::spawn(async move { intake.accept(body).await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(photo.sha256, expected);
}
