//! F2: location metadata never reaches the public copy or thumbnail; the original keeps it.

use std::io::Cursor;

use bytes::Bytes;
use image::ImageFormat;

use crate::for_each_backend;
use crate::support::backend::Backend;
use crate::support::bytes_builders::{
    exif_tiff, jpeg_segments, jpeg_with_exif, jpeg_with_xmp, png_chunk_types,
    png_with_chunk_after_ihdr,
};
use crate::support::images::{self, encode, two_tone};

for_each_backend!(
    f2_jpeg_with_gps_exif_public_copy_has_no_exif_and_original_is_kept,
    f2_exif_orientation_is_applied_to_public_copy_and_thumbnail,
    f2_jpeg_without_gps_reports_no_location,
    f2_png_with_exif_chunk_loses_it_in_public_copy,
    f2_png_alpha_survives_in_public_copy,
    f2_jpeg_with_gps_in_xmp_is_flagged_and_stripped,
);

/// No EXIF anywhere: no APP1 segment, no `Exif\0\0` header, and kamadak-exif finds nothing.
fn assert_no_exif_in_jpeg(jpeg: &[u8]) {
    for (marker, payload) in jpeg_segments(jpeg) {
        assert_ne!(marker, 0xE1, "APP1 (EXIF/XMP) segment present");
        assert!(
            !payload.starts_with(b"Exif"),
            "Exif payload in marker {marker:#x}"
        );
    }
    assert!(
        !jpeg.windows(6).any(|w| w == b"Exif\0\0"),
        "Exif header bytes present"
    );
    assert!(
        exif::Reader::new()
            .read_from_container(&mut Cursor::new(jpeg))
            .is_err(),
        "an EXIF block is still readable"
    );
}

async fn f2_jpeg_with_gps_exif_public_copy_has_no_exif_and_original_is_kept(backend: Backend) {
    let upload = jpeg_with_exif(&images::jpeg(640, 480), &exif_tiff(None, true));
    // The test input really carries GPS (guards the builder itself).
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(&upload))
        .unwrap();
    assert!(
        exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );

    let photo = backend
        .intake()
        .accept_bytes(Bytes::from(upload.clone()))
        .await
        .unwrap();
    assert!(photo.had_location);

    let public = backend.store.get_bytes(&photo.public_key).await.unwrap();
    assert_no_exif_in_jpeg(&public);
    let thumb = backend.store.get_bytes(&photo.thumb_key).await.unwrap();
    assert_no_exif_in_jpeg(&thumb);

    let original = backend.store.get_bytes(&photo.original_key).await.unwrap();
    assert_eq!(
        original.as_ref(),
        upload.as_slice(),
        "original kept byte for byte"
    );
    let kept = exif::Reader::new()
        .read_from_container(&mut Cursor::new(original.as_ref()))
        .unwrap();
    assert!(
        kept.get_field(exif::Tag::GPSLongitude, exif::In::PRIMARY)
            .is_some()
    );
}

async fn f2_exif_orientation_is_applied_to_public_copy_and_thumbnail(backend: Backend) {
    // 400×200, red left half, blue right half; Orientation 6 = display rotated 90° clockwise.
    let jpeg = encode(&two_tone(400, 200), ImageFormat::Jpeg);
    let upload = jpeg_with_exif(&jpeg, &exif_tiff(Some(6), true));
    let photo = backend
        .intake()
        .accept_bytes(Bytes::from(upload))
        .await
        .unwrap();
    assert_eq!((photo.width, photo.height), (200, 400));

    let public = backend.store.get_bytes(&photo.public_key).await.unwrap();
    let public = image::load_from_memory(&public).unwrap().to_rgb8();
    assert_eq!(public.dimensions(), (200, 400));
    // After a clockwise turn the old left (red) is on top, the old right (blue) below.
    let top = public.get_pixel(100, 50).0;
    let bottom = public.get_pixel(100, 350).0;
    assert!(top[0] > 150 && top[2] < 100, "top should be red: {top:?}");
    assert!(
        bottom[2] > 150 && bottom[0] < 100,
        "bottom should be blue: {bottom:?}"
    );

    let thumb = backend.store.get_bytes(&photo.thumb_key).await.unwrap();
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (160, 320));
}

async fn f2_jpeg_without_gps_reports_no_location(backend: Backend) {
    let upload = jpeg_with_exif(&images::jpeg(64, 64), &exif_tiff(Some(1), false));
    let photo = backend
        .intake()
        .accept_bytes(Bytes::from(upload))
        .await
        .unwrap();
    assert!(!photo.had_location);
    let public = backend.store.get_bytes(&photo.public_key).await.unwrap();
    assert_no_exif_in_jpeg(&public);
}

async fn f2_png_with_exif_chunk_loses_it_in_public_copy(backend: Backend) {
    let png = png_with_chunk_after_ihdr(&images::png(80, 60), b"eXIf", &exif_tiff(None, true));
    assert!(png_chunk_types(&png).contains(&"eXIf".to_owned()));
    let png = png_with_chunk_after_ihdr(&png, b"tEXt", b"Comment\0GPS 29.7N 105.7E");
    let photo = backend
        .intake()
        .accept_bytes(Bytes::from(png))
        .await
        .unwrap();
    assert!(photo.had_location, "eXIf GPS detected");
    let public = backend.store.get_bytes(&photo.public_key).await.unwrap();
    let chunks = png_chunk_types(&public);
    assert!(
        chunks
            .iter()
            .all(|c| c != "eXIf" && c != "tEXt" && c != "iTXt" && c != "zTXt"),
        "{chunks:?}"
    );
    assert!(chunks.contains(&"IDAT".to_owned()));
}

async fn f2_png_alpha_survives_in_public_copy(backend: Backend) {
    let png = encode(&images::translucent(50, 20), ImageFormat::Png);
    let photo = backend
        .intake()
        .accept_bytes(Bytes::from(png))
        .await
        .unwrap();
    let public = backend.store.get_bytes(&photo.public_key).await.unwrap();
    let public = image::load_from_memory(&public).unwrap();
    assert!(public.color().has_alpha());
    assert_eq!(public.to_rgba8().get_pixel(0, 0).0[3], 0);
    assert_eq!(public.to_rgba8().get_pixel(1, 0).0[3], 255);
}

async fn f2_jpeg_with_gps_in_xmp_is_flagged_and_stripped(backend: Backend) {
    let xmp = br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="29,42.1N" exif:GPSLongitude="105,43.2E"/></rdf:RDF></x:xmpmeta>"#;
    let upload = jpeg_with_xmp(&images::jpeg(64, 48), xmp);
    let photo = backend
        .intake()
        .accept_bytes(Bytes::from(upload))
        .await
        .unwrap();
    assert!(photo.had_location);
    let public = backend.store.get_bytes(&photo.public_key).await.unwrap();
    assert!(!public.windows(11).any(|w| w == b"GPSLatitude"));
    assert_no_exif_in_jpeg(&public);
}
