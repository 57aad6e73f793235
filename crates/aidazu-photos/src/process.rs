//! The blocking part of the pipeline: header checks, full decode with limits, orientation,
//! and re-encoding of the public copy and the thumbnail. Runs inside `spawn_blocking`.
//! Upright JPEGs and large rotated ones take `jpeg`'s path instead (no full-size decode); small
//! rotated JPEGs, codings the scaled decoder does not read, and PNG/WebP this one.

use std::borrow::Cow;
use std::io::{self, BufRead, BufReader, Read, Seek};

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::error::{ImageError, LimitErrorKind};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageReader, Limits, RgbImage};

use crate::config::PhotoConfig;
use crate::error::PhotoError;
use crate::format::PhotoFormat;
use crate::jpeg::process_jpeg;
use crate::location::{exif_has_location, xmp_has_location};

/// What the blocking step found and produced.
#[derive(Debug)]
pub(crate) struct Processed {
    /// Width after applying the EXIF orientation.
    pub width: u32,
    /// Height after applying the EXIF orientation.
    pub height: u32,
    pub had_location: bool,
    /// Present when rendering was requested.
    pub rendered: Option<Rendered>,
}

/// The encoded derived variants.
#[derive(Debug)]
pub(crate) struct Rendered {
    pub public: PublicCopy,
    pub thumb: Vec<u8>,
}

/// Where the public copy is: re-encoded in memory, or (a JPEG's segment copy, as large as the
/// upload) in a temp file next to the spooled upload, so that uploads waiting for the store do
/// not each hold megabytes.
#[derive(Debug)]
pub(crate) enum PublicCopy {
    Memory(Vec<u8>),
    File(tempfile::NamedTempFile),
}

impl PublicCopy {
    /// The whole copy (tests).
    #[cfg(test)]
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        match self {
            Self::Memory(bytes) => bytes.clone(),
            Self::File(file) => std::fs::read(file.path()).unwrap(),
        }
    }
}

/// Reads `source` as `format`, enforcing the configured limits before any pixel buffer is
/// allocated. With `render`, fully decodes and encodes the public copy and the thumbnail;
/// without, only reads the header and metadata.
pub(crate) fn process<R: Read + Seek>(
    mut source: R,
    format: PhotoFormat,
    config: &PhotoConfig,
    render: bool,
) -> Result<Processed, PhotoError> {
    let too_many_pixels = || PhotoError::TooManyPixels {
        max_side: config.max_side,
        max_pixels: config.max_pixels,
    };

    let mut limits = Limits::default();
    limits.max_image_width = Some(config.max_side);
    limits.max_image_height = Some(config.max_side);
    limits.max_alloc = Some(config.max_decode_alloc);

    if format == PhotoFormat::Jpeg {
        // Upright 8-bit JPEGs: public copy by dropping metadata segments, thumbnail from a
        // DCT-scaled decode; no full-size pixel buffer (see `jpeg`).
        if let Some(done) = process_jpeg(&mut source, config, render)? {
            return Ok(done);
        }
        source.rewind().map_err(PhotoError::Spool)?;
        // The JPEG decoder pads a truncated scan with grey; refuse incomplete files instead.
        if !jpeg_is_complete(&mut source).map_err(PhotoError::Spool)? {
            return Err(PhotoError::NotAnImage);
        }
        source.rewind().map_err(PhotoError::Spool)?;
    }

    let mut reader = ImageReader::with_format(BufReader::new(source), format.image_format());
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| map_image_error(e, config))?;

    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(PhotoError::NotAnImage);
    }
    if u64::from(width) * u64::from(height) > config.max_pixels {
        return Err(too_many_pixels());
    }

    // Metadata is only inspected, never copied to the derived variants.
    let exif = decoder.exif_metadata().ok().flatten();
    let xmp = decoder.xmp_metadata().ok().flatten();
    let had_location = exif.as_deref().is_some_and(exif_has_location)
        || xmp.as_deref().is_some_and(xmp_has_location);
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // The colour profile is not personal data and keeps phone colours right.
    let icc = decoder.icc_profile().ok().flatten();

    let (width, height) = if swaps_axes(orientation) {
        (height, width)
    } else {
        (width, height)
    };

    if !render {
        return Ok(Processed {
            width,
            height,
            had_location,
            rendered: None,
        });
    }

    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| map_image_error(e, config))?;
    img.apply_orientation(orientation);

    let public = encode_public(&img, format, icc, config)?;
    let thumb = encode_thumbnail(&img, config)?;
    Ok(Processed {
        width: img.width(),
        height: img.height(),
        had_location,
        rendered: Some(Rendered {
            public: PublicCopy::Memory(public),
            thumb,
        }),
    })
}

/// `true` if the JPEG's first scan is followed by an EOI marker. Segments before the scan are
/// skipped by their lengths (an EXIF thumbnail's own EOI inside APP1 does not count); inside
/// entropy-coded data a literal 0xFF is always stuffed, so `FF D9` there is the real end.
fn jpeg_is_complete<R: Read>(source: R) -> io::Result<bool> {
    let mut reader = BufReader::new(source);
    let mut byte = [0u8; 1];
    let mut read_byte = |reader: &mut BufReader<R>| -> io::Result<Option<u8>> {
        match reader.read_exact(&mut byte) {
            Ok(()) => Ok(Some(byte[0])),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    };
    // SOI
    if read_byte(&mut reader)? != Some(0xFF) || read_byte(&mut reader)? != Some(0xD8) {
        return Ok(false);
    }
    // Marker segments up to the first SOS.
    loop {
        let Some(mut marker) = read_byte(&mut reader)? else {
            return Ok(false);
        };
        if marker != 0xFF {
            return Ok(false);
        }
        while marker == 0xFF {
            let Some(next) = read_byte(&mut reader)? else {
                return Ok(false);
            };
            marker = next;
        }
        match marker {
            0xD9 => return Ok(false),
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let (Some(hi), Some(lo)) = (read_byte(&mut reader)?, read_byte(&mut reader)?) else {
            return Ok(false);
        };
        let len = u16::from_be_bytes([hi, lo]);
        if len < 2 {
            return Ok(false);
        }
        let skipped = io::copy(&mut (&mut reader).take(u64::from(len - 2)), &mut io::sink())?;
        if skipped < u64::from(len - 2) {
            return Ok(false);
        }
        if marker == 0xDA {
            break;
        }
    }
    // Entropy-coded data (and any further scans) up to EOI.
    let mut previous_ff = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        for &b in buf {
            if previous_ff && b == 0xD9 {
                return Ok(true);
            }
            previous_ff = b == 0xFF;
        }
        let consumed = buf.len();
        reader.consume(consumed);
    }
}

/// Orientations that turn the image by 90°/270°.
fn swaps_axes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

fn map_image_error(error: ImageError, config: &PhotoConfig) -> PhotoError {
    match error {
        ImageError::Limits(limit) => match limit.kind() {
            LimitErrorKind::DimensionError | LimitErrorKind::InsufficientMemory => {
                PhotoError::TooManyPixels {
                    max_side: config.max_side,
                    max_pixels: config.max_pixels,
                }
            }
            _ => PhotoError::NotAnImage,
        },
        ImageError::Decoding(_) | ImageError::Parameter(_) => PhotoError::NotAnImage,
        // A truncated file reads as an early EOF; anything else is the spool file failing.
        ImageError::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            PhotoError::NotAnImage
        }
        ImageError::IoError(e) => PhotoError::Spool(e),
        // The sniffed format is compiled in, so "unsupported" means an unsupported variant
        // inside it (e.g. a lossless JPEG or an exotic colour type).
        ImageError::Unsupported(_) => PhotoError::NotAnImage,
        other => PhotoError::Internal(other.to_string()),
    }
}

fn encode_error(error: ImageError) -> PhotoError {
    PhotoError::Internal(format!("encoding failed: {error}"))
}

/// Re-encodes the full image in its own format, without EXIF/XMP/text chunks.
pub(crate) fn encode_public(
    img: &DynamicImage,
    format: PhotoFormat,
    icc: Option<Vec<u8>>,
    config: &PhotoConfig,
) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    match format {
        PhotoFormat::Jpeg => {
            let mut encoder = JpegEncoder::new_with_quality(&mut out, config.public_jpeg_quality);
            if let Some(icc) = icc {
                // Unsupported profiles are simply not embedded.
                let _ = encoder.set_icc_profile(icc);
            }
            let flat = jpeg_compatible(img);
            flat.write_with_encoder(encoder).map_err(encode_error)?;
        }
        PhotoFormat::Png => {
            let mut encoder = PngEncoder::new(&mut out);
            if let Some(icc) = icc {
                let _ = encoder.set_icc_profile(icc);
            }
            img.write_with_encoder(encoder).map_err(encode_error)?;
        }
        PhotoFormat::Webp => {
            // image's only WebP encoder is lossless: larger than a lossy original, but exact.
            let mut encoder = WebPEncoder::new_lossless(&mut out);
            if let Some(icc) = icc {
                let _ = encoder.set_icc_profile(icc);
            }
            let eight_bit = if img.color().has_alpha() {
                DynamicImage::ImageRgba8(img.to_rgba8())
            } else {
                DynamicImage::ImageRgb8(img.to_rgb8())
            };
            eight_bit
                .write_with_encoder(encoder)
                .map_err(encode_error)?;
        }
    }
    Ok(out)
}

/// A JPEG-encodable view: 8-bit luma or RGB (borrowed, no copy), alpha flattened onto white.
fn jpeg_compatible(img: &DynamicImage) -> Cow<'_, DynamicImage> {
    match img {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => Cow::Borrowed(img),
        _ if img.color().has_alpha() => Cow::Owned(DynamicImage::ImageRgb8(flatten_on_white(img))),
        _ => Cow::Owned(DynamicImage::ImageRgb8(img.to_rgb8())),
    }
}

fn flatten_on_white(img: &DynamicImage) -> RgbImage {
    let rgba = img.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let a = u16::from(a);
        let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([blend(r), blend(g), blend(b)])
    })
}

/// JPEG thumbnail whose longest side is `thumb_side` (never enlarged).
pub(crate) fn encode_thumbnail(
    img: &DynamicImage,
    config: &PhotoConfig,
) -> Result<Vec<u8>, PhotoError> {
    let side = config.thumb_side.max(1);
    let small = if img.width().max(img.height()) > side {
        Cow::Owned(img.thumbnail(side, side))
    } else {
        Cow::Borrowed(img)
    };
    let mut out = Vec::new();
    let encoder = JpegEncoder::new_with_quality(&mut out, config.thumb_jpeg_quality);
    jpeg_compatible(&small)
        .write_with_encoder(encoder)
        .map_err(encode_error)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::{ImageFormat, Rgba, RgbaImage};

    use super::*;

    fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn png_with_alpha_keeps_alpha_in_public_and_flattens_thumbnail() {
        let img = DynamicImage::ImageRgba8(RgbaImage::from_pixel(640, 100, Rgba([0, 0, 0, 0])));
        let bytes = encode(&img, ImageFormat::Png);
        let out = process(
            Cursor::new(bytes),
            PhotoFormat::Png,
            &PhotoConfig::default(),
            true,
        )
        .unwrap();
        let rendered = out.rendered.unwrap();
        let public = image::load_from_memory(&rendered.public.to_vec()).unwrap();
        assert!(public.color().has_alpha());
        let thumb =
            image::load_from_memory_with_format(&rendered.thumb, ImageFormat::Jpeg).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 50));
        // Fully transparent pixels become white, not black.
        let px = thumb.to_rgb8().get_pixel(10, 10).0;
        assert!(px.iter().all(|&c| c > 240), "{px:?}");
    }

    #[test]
    fn small_images_are_not_enlarged() {
        let img = DynamicImage::ImageRgb8(RgbImage::new(100, 60));
        let bytes = encode(&img, ImageFormat::Png);
        let out = process(
            Cursor::new(bytes),
            PhotoFormat::Png,
            &PhotoConfig::default(),
            true,
        )
        .unwrap();
        let thumb = image::load_from_memory(&out.rendered.unwrap().thumb).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (100, 60));
    }

    #[test]
    fn header_only_mode_does_not_render() {
        let img = DynamicImage::ImageRgb8(RgbImage::new(30, 20));
        let bytes = encode(&img, ImageFormat::Png);
        let out = process(
            Cursor::new(bytes),
            PhotoFormat::Png,
            &PhotoConfig::default(),
            false,
        )
        .unwrap();
        assert_eq!((out.width, out.height), (30, 20));
        assert!(out.rendered.is_none());
    }

    #[test]
    fn pixel_budget_is_checked_from_the_header() {
        let img = DynamicImage::ImageRgb8(RgbImage::new(200, 200));
        let bytes = encode(&img, ImageFormat::Png);
        let config = PhotoConfig {
            max_pixels: 200 * 199,
            ..PhotoConfig::default()
        };
        let err = process(Cursor::new(bytes), PhotoFormat::Png, &config, true).unwrap_err();
        assert_eq!(err.code(), "photo.too_many_pixels");
    }

    #[test]
    fn jpeg_completeness_needs_eoi_after_the_scan() {
        let img = DynamicImage::ImageRgb8(RgbImage::new(64, 64));
        let jpeg = encode(&img, ImageFormat::Jpeg);
        assert!(jpeg_is_complete(Cursor::new(&jpeg)).unwrap());
        // Trailing bytes after EOI (vendor trailers) are fine.
        let mut trailer = jpeg.clone();
        trailer.extend_from_slice(b"SAMSUNG-TRAILER");
        assert!(jpeg_is_complete(Cursor::new(&trailer)).unwrap());
        // Cut inside the scan, or right before EOI.
        assert!(!jpeg_is_complete(Cursor::new(&jpeg[..jpeg.len() - 2])).unwrap());
        assert!(!jpeg_is_complete(Cursor::new(&jpeg[..jpeg.len() / 2])).unwrap());
        assert!(!jpeg_is_complete(Cursor::new(&jpeg[..3])).unwrap());
        // An EOI inside an APP1 payload before the scan is not the end of the image.
        let mut app1 = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x06, 0xFF, 0xD9, 0x00, 0x00];
        app1.extend_from_slice(&jpeg[2..jpeg.len() / 2]);
        assert!(!jpeg_is_complete(Cursor::new(&app1)).unwrap());
    }

    #[test]
    fn wrong_format_for_content_is_not_an_image() {
        let img = DynamicImage::ImageRgb8(RgbImage::new(8, 8));
        let bytes = encode(&img, ImageFormat::Png);
        let err = process(
            Cursor::new(bytes),
            PhotoFormat::Jpeg,
            &PhotoConfig::default(),
            true,
        )
        .unwrap_err();
        assert_eq!(err.code(), "photo.not_an_image");
    }
}
