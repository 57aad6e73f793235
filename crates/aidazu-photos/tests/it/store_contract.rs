//! The `BlobStore` contract, run against both implementations.

use std::io;

use aidazu_photos::{BlobError, BlobKey, ByteStream};
use bytes::Bytes;
use futures::stream;

use crate::for_each_backend;
use crate::support::backend::Backend;

for_each_backend!(
    put_then_get_round_trips,
    missing_key_is_not_found,
    put_replaces_existing_content,
    put_stream_of_many_chunks_round_trips,
    failing_stream_stores_nothing,
);

fn key(text: &str) -> BlobKey {
    BlobKey::new(text).unwrap()
}

async fn put_then_get_round_trips(backend: Backend) {
    let k = key("test/abcdef0123");
    assert!(!backend.store.exists(&k).await.unwrap());
    backend
        .store
        .put(&k, Bytes::from_static(b"village photo"))
        .await
        .unwrap();
    assert!(backend.store.exists(&k).await.unwrap());
    let blob = backend.store.get(&k).await.unwrap();
    assert_eq!(blob.size, 13);
    assert_eq!(blob.into_bytes().await.unwrap().as_ref(), b"village photo");
    assert_eq!(
        backend.stored_keys().await,
        vec!["test/abcdef0123".to_owned()]
    );
}

async fn missing_key_is_not_found(backend: Backend) {
    let err = backend.store.get(&key("test/nothing")).await.unwrap_err();
    assert!(
        matches!(err, BlobError::NotFound { ref key } if key == "test/nothing"),
        "{err:?}"
    );
    assert!(!backend.store.exists(&key("test/nothing")).await.unwrap());
}

async fn put_replaces_existing_content(backend: Backend) {
    let k = key("test/x1");
    backend
        .store
        .put(&k, Bytes::from_static(b"one"))
        .await
        .unwrap();
    backend
        .store
        .put(&k, Bytes::from_static(b"second"))
        .await
        .unwrap();
    assert_eq!(
        backend.store.get_bytes(&k).await.unwrap().as_ref(),
        b"second"
    );
    assert_eq!(backend.stored_keys().await.len(), 1, "no temp files left");
}

async fn put_stream_of_many_chunks_round_trips(backend: Backend) {
    // 12 MiB in 64 KiB chunks: crosses object_store's 10 MiB single-PUT buffer (multipart path).
    let chunk: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    let chunk = Bytes::from(chunk);
    let count = 12 * 16;
    let content: ByteStream = Box::pin(stream::iter(
        (0..count).map(move |_| Ok::<_, io::Error>(chunk.clone())),
    ));
    let k = key("test/big0001");
    let written = backend.store.put_stream(&k, content).await.unwrap();
    assert_eq!(written, 12 * 1024 * 1024);
    let back = backend.store.get_bytes(&k).await.unwrap();
    assert_eq!(back.len(), 12 * 1024 * 1024);
    assert!(
        back.iter()
            .enumerate()
            .all(|(i, &b)| b == ((i % (64 * 1024)) % 251) as u8)
    );
}

async fn failing_stream_stores_nothing(backend: Backend) {
    let k = key("test/broken1");
    let content: ByteStream = Box::pin(stream::iter(vec![
        Ok(Bytes::from_static(b"partial")),
        Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "client left",
        )),
    ]));
    let err = backend.store.put_stream(&k, content).await.unwrap_err();
    assert!(matches!(err, BlobError::Source { .. }), "{err:?}");
    assert!(!backend.store.exists(&k).await.unwrap());
    assert!(backend.stored_keys().await.is_empty(), "no temp files left");
}
