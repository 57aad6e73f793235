//! F2 decompression bombs: refused without allocating the pixel buffer.
//!
//! A separate test binary because it installs a counting global allocator: after refusing a PNG
//! whose header claims 100000×100000 pixels (30 GB to decode), the process's peak heap must
//! still be small.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::alloc::System;
use std::sync::Arc;

use aidazu_photos::{ObjectStoreBlobStore, PhotoConfig, PhotoError, PhotoIntake};
use bytes::Bytes;
use cap::Cap;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const HEADROOM: usize = 64 * 1024 * 1024;

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in kind.iter().chain(data) {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    chunk.extend_from_slice(&(!crc).to_be_bytes());
    chunk
}

fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    ));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

#[tokio::test]
async fn f2_decompression_bombs_are_refused_without_large_allocations() {
    let spool = tempfile::tempdir().unwrap();
    let intake = PhotoIntake::new(
        Arc::new(ObjectStoreBlobStore::in_memory()),
        PhotoConfig::default().with_spool_dir(spool.path()),
    );
    // Any allocation past the headroom fails (and aborts the test binary) from here on.
    ALLOCATOR
        .set_limit(ALLOCATOR.allocated() + HEADROOM)
        .unwrap();
    for (w, h) in [(100_000, 100_000), (10_000, 10_000), (12_000, 4_200)] {
        let err = intake
            .accept_bytes(Bytes::from(png_bomb(w, h)))
            .await
            .unwrap_err();
        assert!(
            matches!(err, PhotoError::TooManyPixels { .. }),
            "{w}×{h}: {err:?}"
        );
    }
    ALLOCATOR.set_limit(usize::MAX).unwrap();
    assert!(
        ALLOCATOR.max_allocated() < HEADROOM * 2,
        "peak heap {} bytes",
        ALLOCATOR.max_allocated()
    );
}
