//! `LocalBlobStore` specifics: layout on disk and durability across re-opening.

use aidazu_photos::{BlobStore, LocalBlobStore, PhotoConfig, PhotoIntake, PhotoVariant};
use bytes::Bytes;
use std::sync::Arc;

use crate::support::images;

#[tokio::test]
async fn local_store_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("photos");
    let config = PhotoConfig::default().with_spool_dir(dir.path().join("spool"));
    let content = Bytes::from(images::jpeg(320, 240));

    let photo = {
        let intake = PhotoIntake::new(Arc::new(LocalBlobStore::new(&root)), config.clone());
        intake.accept_bytes(content.clone()).await.unwrap()
    };

    let reopened = LocalBlobStore::new(&root);
    for variant in PhotoVariant::ALL {
        assert!(
            reopened.exists(photo.key(variant)).await.unwrap(),
            "{variant:?}"
        );
    }
    assert_eq!(
        reopened.get_bytes(&photo.original_key).await.unwrap(),
        content
    );
    let again = PhotoIntake::new(Arc::new(reopened), config)
        .accept_bytes(content)
        .await
        .unwrap();
    assert!(again.already_stored);
}

#[tokio::test]
async fn local_store_shards_by_hash_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::new(dir.path());
    let intake = PhotoIntake::new(
        Arc::new(store.clone()),
        PhotoConfig::default().with_spool_dir(dir.path().join("spool")),
    );
    let photo = intake
        .accept_bytes(Bytes::from(images::png(40, 40)))
        .await
        .unwrap();
    let sha = &photo.sha256;
    let expected = dir
        .path()
        .join("orig")
        .join(&sha[..2])
        .join(&sha[2..4])
        .join(sha);
    assert_eq!(store.path_for(&photo.original_key), expected);
    assert!(expected.is_file());
    assert!(
        dir.path()
            .join("public")
            .join(&sha[..2])
            .join(&sha[2..4])
            .join(sha)
            .is_file()
    );
}
