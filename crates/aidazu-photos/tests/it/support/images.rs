//! Real images made with the `image` crate, and upload streams of them.

use std::io::Cursor;

use bytes::Bytes;
use futures::Stream;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

/// `width`×`height`, left half red, right half blue (so rotations are observable).
pub fn two_tone(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    }))
}

/// A noisy gradient: compresses like a photo, not like a flat colour.
pub fn photo_like(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        let noise = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 31;
        Rgb([
            ((x * 255 / width.max(1)) as u8).saturating_add(noise as u8),
            ((y * 255 / height.max(1)) as u8).saturating_add(noise as u8),
            128,
        ])
    }))
}

pub fn translucent(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, _| {
        Rgba([10, 200, 10, if x % 2 == 0 { 0 } else { 255 }])
    }))
}

pub fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode(&photo_like(width, height), ImageFormat::Jpeg)
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    encode(&photo_like(width, height), ImageFormat::Png)
}

pub fn webp(width: u32, height: u32) -> Vec<u8> {
    encode(&photo_like(width, height), ImageFormat::WebP)
}

/// The content as an upload body in `chunk`-sized pieces (like multipart fields arrive).
pub fn chunked(
    content: &[u8],
    chunk: usize,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + use<> {
    let parts: Vec<_> = content
        .chunks(chunk)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    futures::stream::iter(parts)
}

pub fn sha256_hex(content: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(content))
}
