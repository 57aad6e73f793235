//! F2: which contents are accepted, refused as unsupported, or refused as not an image.

use aidazu_photos::{PhotoError, PhotoFormat, PhotoVariant};
use bytes::Bytes;
use image::ImageFormat;

use crate::for_each_backend;
use crate::support::backend::Backend;
use crate::support::bytes_builders::{GIF_1X1, bmp_1x1, heic_header};
use crate::support::images::{self, chunked, sha256_hex};

for_each_backend!(
    f2_jpeg_is_accepted_with_thumbnail_of_320px,
    f2_png_is_accepted_and_public_copy_stays_png,
    f2_webp_is_accepted_and_public_copy_stays_webp,
    f2_text_file_named_jpg_is_not_an_image,
    f2_truncated_jpeg_is_not_an_image,
    f2_truncated_png_and_webp_are_not_images,
    f2_gif_bmp_heic_are_unsupported,
    f2_empty_upload_is_not_an_image,
    f2_chunked_upload_hashes_the_exact_bytes,
);

async fn f2_jpeg_is_accepted_with_thumbnail_of_320px(backend: Backend) {
    let content = images::jpeg(1000, 500);
    let photo = backend
        .intake()
        .accept(chunked(&content, 8 * 1024))
        .await
        .unwrap();
    assert_eq!(photo.format, PhotoFormat::Jpeg);
    assert_eq!((photo.width, photo.height), (1000, 500));
    assert_eq!(photo.size_bytes, content.len() as u64);
    assert!(!photo.had_location);
    assert!(!photo.already_stored);

    let thumb = backend.store.get_bytes(&photo.thumb_key).await.unwrap();
    let thumb = image::load_from_memory_with_format(&thumb, ImageFormat::Jpeg).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 160));

    let public = backend.store.get_bytes(&photo.public_key).await.unwrap();
    let public = image::load_from_memory_with_format(&public, ImageFormat::Jpeg).unwrap();
    assert_eq!((public.width(), public.height()), (1000, 500));
    assert_eq!(photo.content_type(PhotoVariant::Public), "image/jpeg");
}

async fn f2_png_is_accepted_and_public_copy_stays_png(backend: Backend) {
    let content = images::png(300, 700);
    let photo = backend
        .intake()
        .accept_bytes(Bytes::from(content))
        .await
        .unwrap();
    assert_eq!(photo.format, PhotoFormat::Png);
    assert_eq!(photo.format.as_str(), "png");
    let public = backend.store.get_bytes(&photo.public_key).await.unwrap();
    assert_eq!(
        image::guess_format(&public).unwrap(),
        ImageFormat::Png,
        "public copy keeps the format"
    );
    let thumb = backend.store.get_bytes(&photo.thumb_key).await.unwrap();
    let thumb = image::load_from_memory_with_format(&thumb, ImageFormat::Jpeg).unwrap();
    assert_eq!(thumb.height(), 320, "longest side is the height here");
    assert!((136..=138).contains(&thumb.width()), "{}", thumb.width());
    assert_eq!(photo.content_type(PhotoVariant::Thumbnail), "image/jpeg");
}

async fn f2_webp_is_accepted_and_public_copy_stays_webp(backend: Backend) {
    let content = images::webp(400, 400);
    let photo = backend
        .intake()
        .accept_bytes(Bytes::from(content))
        .await
        .unwrap();
    assert_eq!(photo.format, PhotoFormat::Webp);
    let public = backend.store.get_bytes(&photo.public_key).await.unwrap();
    let decoded = image::load_from_memory_with_format(&public, ImageFormat::WebP).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (400, 400));
    assert_eq!(photo.content_type(PhotoVariant::Original), "image/webp");
}

async fn f2_text_file_named_jpg_is_not_an_image(backend: Backend) {
    // What "村委会通知.jpg" holds when someone renames a text file: names are never consulted.
    let text = "村民大会通知：本周六上午九点在村委会召开。\n".repeat(20);
    let err = backend
        .intake()
        .accept_bytes(Bytes::from(text))
        .await
        .unwrap_err();
    assert!(matches!(err, PhotoError::NotAnImage), "{err:?}");
    assert_eq!(err.code(), "photo.not_an_image");
    assert!(backend.stored_keys().await.is_empty());
    assert_eq!(backend.spool_leftovers(), 0);
}

async fn f2_truncated_jpeg_is_not_an_image(backend: Backend) {
    let content = images::jpeg(200, 200);
    let truncated = &content[..content.len() / 3];
    let err = backend
        .intake()
        .accept_bytes(Bytes::copy_from_slice(truncated))
        .await
        .unwrap_err();
    assert!(matches!(err, PhotoError::NotAnImage), "{err:?}");
    assert!(backend.stored_keys().await.is_empty());
}

async fn f2_gif_bmp_heic_are_unsupported(backend: Backend) {
    let intake = backend.intake();
    for (content, name) in [
        (GIF_1X1.to_vec(), "gif"),
        (bmp_1x1(), "bmp"),
        (heic_header(), "heic"),
    ] {
        let err = intake.accept_bytes(Bytes::from(content)).await.unwrap_err();
        match &err {
            PhotoError::UnsupportedFormat { format } => assert_eq!(*format, name),
            other => panic!("{name}: expected UnsupportedFormat, got {other:?}"),
        }
        assert_eq!(err.code(), "photo.unsupported_format");
        assert!(err.message().contains("JPEG"), "{}", err.message());
    }
    assert!(backend.stored_keys().await.is_empty());
}

async fn f2_empty_upload_is_not_an_image(backend: Backend) {
    let err = backend
        .intake()
        .accept_bytes(Bytes::new())
        .await
        .unwrap_err();
    assert!(matches!(err, PhotoError::NotAnImage), "{err:?}");
}

async fn f2_chunked_upload_hashes_the_exact_bytes(backend: Backend) {
    let content = images::jpeg(120, 90);
    // Odd chunk sizes, including ones smaller than the sniffed header.
    let photo = backend.intake().accept(chunked(&content, 7)).await.unwrap();
    assert_eq!(photo.sha256, sha256_hex(&content));
    assert_eq!(
        photo.original_key.as_str(),
        format!("orig/{}", photo.sha256)
    );
    let original = backend.store.get_bytes(&photo.original_key).await.unwrap();
    assert_eq!(original.as_ref(), content.as_slice());
}

async fn f2_truncated_png_and_webp_are_not_images(backend: Backend) {
    let intake = backend.intake();
    for content in [images::png(200, 200), images::webp(200, 200)] {
        let truncated = &content[..content.len() / 2];
        let err = intake
            .accept_bytes(Bytes::copy_from_slice(truncated))
            .await
            .unwrap_err();
        assert!(matches!(err, PhotoError::NotAnImage), "{err:?}");
    }
    assert!(backend.stored_keys().await.is_empty());
}
