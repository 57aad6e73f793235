//! JPEG without decoding the pixels: the public copy is the original stream copied segment by
//! segment with every metadata segment dropped, and the thumbnail comes from a DCT-scaled decode
//! (1/2, 1/4 or 1/8 of each side), so a 12-megapixel photo never exists as a pixel buffer.
//!
//! What the public copy keeps — only what a decoder needs to render the image:
//! - SOF, DHT, DQT, DRI, DAC, DNL, EXP, SOS and the entropy-coded data (with RST markers), in order;
//! - APP0 `JFIF`, rewritten to its 14-byte header (any embedded thumbnail is dropped; JFXX too);
//! - APP2 `ICC_PROFILE` chunks, verbatim: a colour profile describes the device's colour space,
//!   not the person or the place, and keeps phone colours right (the decode path kept it too);
//! - APP14 `Adobe`, rewritten to its 12-byte header: it says whether the components are YCbCr
//!   or RGB/CMYK, without which some files render in wrong colours.
//!
//! Dropped: APP1 (EXIF, XMP, extended XMP: GPS, time, device serials), every other APPn (MPF,
//! FlashPix, IPTC/Photoshop, vendor blocks), COM, and everything after the first EOI (vendor
//! trailers and the MPF secondary images some phones append, which carry their own EXIF).
//!
//! Orientation: a photo whose EXIF Orientation is 2–8 is re-encoded upright (a copy without EXIF
//! would display sideways, and one with an Orientation-only EXIF relies on every viewer honouring
//! it). When its long side exceeds `max_reencoded_side`, the stripped copy is decoded here at a
//! reduced DCT scale (1/2, 1/4 or 1/8), turned and encoded, so the public copy's long side is at
//! most about the limit and the full-size pixels never exist; a smaller one takes the decode path
//! at full size. Files this decoder cannot scale (12-bit, CMYK, lossless, arithmetic-coded) take
//! the decode path too, which gives them today's verdict.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};

use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, RgbImage};
use jpeg_decoder::PixelFormat;

use crate::config::PhotoConfig;
use crate::error::PhotoError;
use crate::format::PhotoFormat;
use crate::location::{exif_has_location, xmp_has_location};
use crate::process::{Processed, PublicCopy, Rendered, encode_public, encode_thumbnail};

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP0: u8 = 0xE0;
const APP1: u8 = 0xE1;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;

/// What the segment walk found in a well-formed JPEG.
#[derive(Debug)]
struct Walked {
    /// From the SOF header (no orientation applied).
    width: u32,
    height: u32,
    had_location: bool,
    /// The first EXIF block's Orientation, if valid.
    orientation: Option<Orientation>,
    /// 8-bit Huffman DCT (SOF0/1/2) with one or three components: what the scaled decoder reads.
    scalable: bool,
}

/// The JPEG fast path. `Ok(None)` means "use the decode path" (rotated photo, or a coding the
/// scaled decoder does not read); errors are final and typed as the decode path types them.
pub(crate) fn process_jpeg<R: Read + Seek>(
    source: &mut R,
    config: &PhotoConfig,
    render: bool,
) -> Result<Option<Processed>, PhotoError> {
    let Some(public) = render.then(|| public_temp_file(config)).transpose()? else {
        let walked = walk(
            &mut BufReader::with_capacity(64 * 1024, &mut *source),
            None,
            config,
        )?;
        // The size the public copy has (or would have): a large rotated photo's is reduced.
        let (width, height) = match (walked.rotation(), walked.reduction(config)) {
            (Some(_), Some(reduction)) => walked.reduced_displayed(reduction),
            _ => walked.displayed(),
        };
        return Ok(Some(Processed {
            width,
            height,
            had_location: walked.had_location,
            rendered: None,
        }));
    };
    let mut writer = BufWriter::with_capacity(64 * 1024, public.as_file());
    let walked = walk(
        &mut BufReader::with_capacity(64 * 1024, &mut *source),
        Some(&mut writer),
        config,
    )?;
    writer.flush().map_err(PhotoError::Spool)?;
    drop(writer);
    let (width, height) = walked.displayed();
    if !walked.scalable {
        return Ok(None);
    }
    if let Some(orientation) = walked.rotation() {
        // Rotated: re-encoded upright. A large one from a DCT-scaled decode of the stripped copy
        // (no EXIF left to re-encode), so the full-size pixels never exist; a small one (or a
        // layout the scaled decoder lacks) takes the decode path at full size.
        let Some(reduction) = walked.reduction(config) else {
            return Ok(None);
        };
        let copy = std::fs::File::open(public.path()).map_err(PhotoError::Spool)?;
        return reduced_upright(
            BufReader::with_capacity(64 * 1024, copy),
            public,
            &walked,
            reduction,
            orientation,
            config,
        );
    }
    let copy = std::fs::File::open(public.path()).map_err(PhotoError::Spool)?;
    let Some(thumb) = scaled_thumbnail(
        BufReader::with_capacity(64 * 1024, copy),
        walked.width,
        walked.height,
        config,
    )?
    else {
        return Ok(None);
    };
    Ok(Some(Processed {
        width,
        height,
        had_location: walked.had_location,
        rendered: Some(Rendered {
            public: PublicCopy::File(public),
            thumb,
        }),
    }))
}

impl Walked {
    /// The EXIF orientation when it is not upright (2–8).
    fn rotation(&self) -> Option<Orientation> {
        self.orientation.filter(|&o| o != Orientation::NoTransforms)
    }

    /// For a JPEG that must be re-encoded: the DCT reduction (2, 4 or 8) of each side when the
    /// long side exceeds `max_reencoded_side` — the mildest one that brings it to at most the
    /// limit (so the copy's long side lands in (limit/2, limit]), at most 1/8 — or `None` (full
    /// size, or a coding the scaled decoder does not read).
    fn reduction(&self, config: &PhotoConfig) -> Option<u32> {
        let long = self.width.max(self.height);
        let limit = config.max_reencoded_side.max(1);
        if !self.scalable || long <= limit {
            return None;
        }
        [2, 4, 8]
            .into_iter()
            .find(|&k| long.div_ceil(k) <= limit)
            .or(Some(8))
    }

    /// The displayed size after a DCT reduction (the decoder rounds each side up).
    fn reduced_displayed(&self, reduction: u32) -> (u32, u32) {
        let (w, h) = self.displayed();
        (w.div_ceil(reduction), h.div_ceil(reduction))
    }

    /// The size as displayed: the EXIF orientation applied.
    fn displayed(&self) -> (u32, u32) {
        if self.orientation.is_some_and(swaps_axes) {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// A temp file for the public copy, where uploads are spooled.
fn public_temp_file(config: &PhotoConfig) -> Result<tempfile::NamedTempFile, PhotoError> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("aidazu-public-");
    match config.spool_dir.as_deref() {
        Some(dir) => builder.tempfile_in(dir),
        None => builder.tempfile(),
    }
    .map_err(PhotoError::Spool)
}

fn swaps_axes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// Walks the stream from SOI to the first EOI, validating its structure and the frame size, and
/// appends the segments the public copy keeps to `out` (when given).
fn walk<R: BufRead>(
    reader: &mut R,
    mut out: Option<&mut dyn Write>,
    config: &PhotoConfig,
) -> Result<Walked, PhotoError> {
    let mut emit = |bytes: &[u8]| -> Result<(), PhotoError> {
        match out.as_deref_mut() {
            Some(out) => out.write_all(bytes).map_err(PhotoError::Spool),
            None => Ok(()),
        }
    };
    if read_u8(reader)? != 0xFF || read_u8(reader)? != SOI {
        return Err(PhotoError::NotAnImage);
    }
    emit(&[0xFF, SOI])?;

    let mut frame: Option<(u32, u32, bool)> = None;
    let mut had_location = false;
    let mut orientation = None;
    let mut seen_exif = false;
    let mut seen_jfif = false;
    let mut scans = 0u32;
    let mut pending: Option<u8> = None;
    let mut payload = Vec::with_capacity(usize::from(u16::MAX));
    loop {
        let marker = match pending.take() {
            Some(marker) => marker,
            None => next_marker(reader)?,
        };
        match marker {
            EOI => {
                if scans == 0 {
                    return Err(PhotoError::NotAnImage);
                }
                emit(&[0xFF, EOI])?;
                break;
            }
            // Standalone markers without a length: TEM, and RSTn outside a scan (stray, dropped).
            0x01 | 0xD0..=0xD7 => continue,
            // A second SOI, or reserved markers (JPG, JPGn incl. JPEG-LS, RES): not a JPEG we read.
            0x00 | SOI | 0x02..=0xBF | 0xC8 | 0xF0..=0xFD => return Err(PhotoError::NotAnImage),
            _ => {}
        }
        read_segment(reader, &mut payload)?;
        match marker {
            APP0 => {
                // JFIF header: identifier (5), version (2), units (1), densities (4), thumbnail
                // size (2); the thumbnail's pixels are dropped.
                if !seen_jfif && payload.len() >= 14 && payload.starts_with(b"JFIF\0") {
                    seen_jfif = true;
                    let mut jfif = [0u8; 14];
                    jfif[..12].copy_from_slice(&payload[..12]);
                    emit_segment(&mut emit, APP0, &jfif)?;
                }
            }
            APP1 => {
                if let Some(tiff) = payload.strip_prefix(b"Exif\0\0") {
                    had_location |= exif_has_location(tiff);
                    if !seen_exif {
                        seen_exif = true;
                        orientation = Orientation::from_exif_chunk(tiff);
                    }
                } else {
                    had_location |= xmp_has_location(&payload);
                }
            }
            APP2 if payload.starts_with(b"ICC_PROFILE\0") => {
                emit_segment(&mut emit, APP2, &payload)?;
            }
            APP14 if payload.len() >= 12 && payload.starts_with(b"Adobe") => {
                emit_segment(&mut emit, APP14, &payload[..12])?;
            }
            // Every other APPn and COM: metadata, dropped.
            0xE0..=0xEF | 0xFE => {}
            // SOFn (not DHT C4, JPG C8, DAC CC).
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                if frame.is_some() {
                    return Err(PhotoError::NotAnImage);
                }
                frame = Some(parse_sof(marker, &payload, config)?);
                emit_segment(&mut emit, marker, &payload)?;
            }
            SOS => {
                if frame.is_none() {
                    return Err(PhotoError::NotAnImage);
                }
                scans += 1;
                emit_segment(&mut emit, SOS, &payload)?;
                pending = Some(copy_entropy_coded(reader, &mut emit)?);
            }
            // DHT, DAC, DNL, DQT, DRI, EXP: tables and parameters the decoder needs.
            _ => emit_segment(&mut emit, marker, &payload)?,
        }
    }
    let (width, height, scalable) = frame.ok_or(PhotoError::NotAnImage)?;
    Ok(Walked {
        width,
        height,
        had_location,
        orientation,
        scalable,
    })
}

/// Checks a SOF header: well-formed, a known size (no DNL), within the pixel limits.
fn parse_sof(
    marker: u8,
    payload: &[u8],
    config: &PhotoConfig,
) -> Result<(u32, u32, bool), PhotoError> {
    let [precision, h1, h0, w1, w0, components, ..] = *payload else {
        return Err(PhotoError::NotAnImage);
    };
    if components == 0 || payload.len() != 6 + 3 * usize::from(components) {
        return Err(PhotoError::NotAnImage);
    }
    let height = u32::from(u16::from_be_bytes([h1, h0]));
    let width = u32::from(u16::from_be_bytes([w1, w0]));
    if width == 0 || height == 0 {
        return Err(PhotoError::NotAnImage);
    }
    if width > config.max_side
        || height > config.max_side
        || u64::from(width) * u64::from(height) > config.max_pixels
    {
        return Err(PhotoError::TooManyPixels {
            max_side: config.max_side,
            max_pixels: config.max_pixels,
        });
    }
    let scalable = matches!(marker, 0xC0..=0xC2) && precision == 8 && matches!(components, 1 | 3);
    Ok((width, height, scalable))
}

fn emit_segment(
    emit: &mut impl FnMut(&[u8]) -> Result<(), PhotoError>,
    marker: u8,
    payload: &[u8],
) -> Result<(), PhotoError> {
    // Payloads come from a 16-bit length or are shorter fixed headers.
    let len = u16::try_from(payload.len() + 2).unwrap_or(u16::MAX);
    emit(&[0xFF, marker])?;
    emit(&len.to_be_bytes())?;
    emit(payload)
}

/// Copies entropy-coded data (stuffed `FF 00` and RSTn included) and returns the marker that
/// ends it. The end of the file inside a scan is a truncated image.
fn copy_entropy_coded<R: BufRead>(
    reader: &mut R,
    emit: &mut impl FnMut(&[u8]) -> Result<(), PhotoError>,
) -> Result<u8, PhotoError> {
    loop {
        let buf = reader.fill_buf().map_err(io_error)?;
        if buf.is_empty() {
            return Err(PhotoError::NotAnImage);
        }
        let Some(at) = buf.iter().position(|&b| b == 0xFF) else {
            emit(buf)?;
            let n = buf.len();
            reader.consume(n);
            continue;
        };
        emit(&buf[..at])?;
        reader.consume(at + 1);
        let mut next = read_u8(reader)?;
        while next == 0xFF {
            next = read_u8(reader)?;
        }
        match next {
            0x00 | 0xD0..=0xD7 => emit(&[0xFF, next])?,
            marker => return Ok(marker),
        }
    }
}

/// The next marker between segments: `FF`, optional `FF` fill bytes, the marker code.
fn next_marker<R: Read>(reader: &mut R) -> Result<u8, PhotoError> {
    if read_u8(reader)? != 0xFF {
        return Err(PhotoError::NotAnImage);
    }
    loop {
        match read_u8(reader)? {
            0xFF => {}
            marker => return Ok(marker),
        }
    }
}

/// Reads a segment's 16-bit length and its payload into `payload`.
fn read_segment<R: Read>(reader: &mut R, payload: &mut Vec<u8>) -> Result<(), PhotoError> {
    let len = u16::from_be_bytes([read_u8(reader)?, read_u8(reader)?]);
    let len = len.checked_sub(2).ok_or(PhotoError::NotAnImage)?;
    payload.resize(usize::from(len), 0);
    reader.read_exact(payload).map_err(io_error)
}

fn read_u8<R: Read>(reader: &mut R) -> Result<u8, PhotoError> {
    let mut byte = [0u8; 1];
    reader.read_exact(&mut byte).map_err(io_error)?;
    Ok(byte[0])
}

/// An early end of the spool file is a truncated image; anything else is the spool failing.
fn io_error(error: io::Error) -> PhotoError {
    if error.kind() == io::ErrorKind::UnexpectedEof {
        PhotoError::NotAnImage
    } else {
        PhotoError::Spool(error)
    }
}

/// The thumbnail's size: the longest side `thumb_side`, never enlarged (as `thumbnail` rounds).
fn thumbnail_size(width: u32, height: u32, side: u32) -> (u32, u32) {
    if width.max(height) <= side {
        return (width, height);
    }
    let ratio = f64::min(
        f64::from(side) / f64::from(width),
        f64::from(side) / f64::from(height),
    );
    let scale = |v: u32| ((f64::from(v) * ratio).round() as u32).max(1);
    (scale(width), scale(height))
}

/// Decodes `jpeg` (the public copy) at the smallest DCT scale that is still at least the thumbnail's size, then
/// resamples to it. `Ok(None)`: a pixel format the thumbnail path does not take.
fn scaled_thumbnail<R: Read>(
    jpeg: R,
    width: u32,
    height: u32,
    config: &PhotoConfig,
) -> Result<Option<Vec<u8>>, PhotoError> {
    let (tw, th) = thumbnail_size(width, height, config.thumb_side.max(1));
    let Some(Scaled { image: img, .. }) = decode_scaled(jpeg, tw, th, config)? else {
        return Ok(None);
    };
    let img = if (img.width(), img.height()) == (tw, th) {
        img
    } else {
        img.thumbnail_exact(tw, th)
    };
    encode_thumbnail(&img, config).map(Some)
}

/// Decodes `jpeg` at the strongest DCT reduction (1/8, 1/4, 1/2 or none) whose output still covers
/// `want_w` × `want_h`, with the decoder's allocation cap, and returns the pixels and the ICC
/// profile. `Ok(None)`: a sampling layout, feature or pixel format this decoder does not take (the
/// full decode path decides then).
fn decode_scaled<R: Read>(
    jpeg: R,
    want_w: u32,
    want_h: u32,
    config: &PhotoConfig,
) -> Result<Option<Scaled>, PhotoError> {
    let mut decoder = jpeg_decoder::Decoder::new(jpeg);
    decoder.set_max_decoding_buffer_size(
        usize::try_from(config.max_decode_alloc).unwrap_or(usize::MAX),
    );
    // Both sides fit in u16: they come from the SOF header and only shrink.
    let request = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
    let decoded = decoder
        .scale(request(want_w), request(want_h))
        .and_then(|_| decoder.decode());
    let pixels = match decoded {
        Ok(pixels) => pixels,
        Err(jpeg_decoder::Error::Unsupported(_)) => return Ok(None),
        Err(e) => return Err(decode_error(e)),
    };
    let info = decoder
        .info()
        .ok_or_else(|| PhotoError::Internal("jpeg decoder gave no frame info".to_owned()))?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let img = match info.pixel_format {
        PixelFormat::L8 => GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8),
        PixelFormat::RGB24 => RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8),
        PixelFormat::L16 | PixelFormat::CMYK32 => return Ok(None),
    }
    .ok_or_else(|| PhotoError::Internal("jpeg decoder gave a short pixel buffer".to_owned()))?;
    Ok(Some(Scaled {
        image: img,
        icc: decoder.icc_profile(),
    }))
}

/// A reduced-scale decode: the pixels and the colour profile they are in.
struct Scaled {
    image: DynamicImage,
    icc: Option<Vec<u8>>,
}

/// Decodes `jpeg` (the stripped public copy of a rotated photo) at 1/`reduction` of each side,
/// turns it upright and encodes the public copy and the thumbnail from it; the size is the
/// copy's. `Ok(None)`: a layout or pixel format this path does not take.
fn reduced_upright<R: Read>(
    jpeg: R,
    public: tempfile::NamedTempFile,
    walked: &Walked,
    reduction: u32,
    orientation: Orientation,
    config: &PhotoConfig,
) -> Result<Option<Processed>, PhotoError> {
    let Some(Scaled {
        image: mut img,
        icc,
    }) = decode_scaled(
        jpeg,
        walked.width.div_ceil(reduction),
        walked.height.div_ceil(reduction),
        config,
    )?
    else {
        return Ok(None);
    };
    img.apply_orientation(orientation);
    // Only the colour profile is carried over (the stripped copy has no EXIF/XMP to carry).
    let encoded = encode_public(&img, PhotoFormat::Jpeg, icc, config)?;
    let thumb = encode_thumbnail(&img, config)?;
    let (width, height) = (img.width(), img.height());
    drop(img);
    // The re-encoded copy replaces the stripped one in the temp file, so the uploads waiting
    // for the store do not each hold it in memory.
    {
        let mut file = public.as_file();
        file.set_len(0).map_err(PhotoError::Spool)?;
        file.rewind().map_err(PhotoError::Spool)?;
        file.write_all(&encoded).map_err(PhotoError::Spool)?;
        file.flush().map_err(PhotoError::Spool)?;
    }
    drop(encoded);
    Ok(Some(Processed {
        width,
        height,
        had_location: walked.had_location,
        rendered: Some(Rendered {
            public: PublicCopy::File(public),
            thumb,
        }),
    }))
}

fn decode_error(error: jpeg_decoder::Error) -> PhotoError {
    match error {
        jpeg_decoder::Error::Format(_) | jpeg_decoder::Error::Unsupported(_) => {
            PhotoError::NotAnImage
        }
        jpeg_decoder::Error::Io(e) => io_error(e),
        jpeg_decoder::Error::Internal(e) => PhotoError::Internal(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::{ImageFormat, Rgb};

    use super::*;
    use crate::format::PhotoFormat;
    use crate::process::process;

    /// A gradient JPEG as image's encoder writes it (SOI, APP0 JFIF, DQT, SOF0, DHT, SOS, EOI).
    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        });
        encode(&DynamicImage::ImageRgb8(img))
    }

    fn encode(img: &DynamicImage) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    /// Left half red, right half blue.
    fn two_tone(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                Rgb([220, 20, 20])
            } else {
                Rgb([20, 20, 220])
            }
        });
        encode(&DynamicImage::ImageRgb8(img))
    }

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        s.extend_from_slice(payload);
        s
    }

    /// `jpeg` with `segments` inserted right after SOI.
    fn with_segments(jpeg: &[u8], segments: &[(u8, &[u8])]) -> Vec<u8> {
        let mut out = jpeg[..2].to_vec();
        for (marker, payload) in segments {
            out.extend(segment(*marker, payload));
        }
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    /// `Exif\0\0` + little-endian TIFF: IFD0 = { Orientation?, GPSInfoIFDPointer? }, and a GPS
    /// IFD with GPSLatitudeRef "N" and GPSLatitude 29/1 42/1 6/1.
    fn exif(orientation: Option<u16>, gps: bool) -> Vec<u8> {
        let entries = u16::from(orientation.is_some()) + u16::from(gps);
        let ifd0_end = 8 + 2 + 12 * u32::from(entries) + 4;
        let mut t = b"II*\0".to_vec();
        t.extend_from_slice(&8u32.to_le_bytes());
        t.extend_from_slice(&entries.to_le_bytes());
        if let Some(o) = orientation {
            t.extend_from_slice(&0x0112u16.to_le_bytes());
            t.extend_from_slice(&3u16.to_le_bytes()); // SHORT
            t.extend_from_slice(&1u32.to_le_bytes());
            t.extend_from_slice(&u32::from(o).to_le_bytes());
        }
        if gps {
            t.extend_from_slice(&0x8825u16.to_le_bytes());
            t.extend_from_slice(&4u16.to_le_bytes()); // LONG
            t.extend_from_slice(&1u32.to_le_bytes());
            t.extend_from_slice(&ifd0_end.to_le_bytes());
        }
        t.extend_from_slice(&0u32.to_le_bytes());
        if gps {
            let gps_ifd_end = ifd0_end + 2 + 12 * 2 + 4;
            t.extend_from_slice(&2u16.to_le_bytes());
            t.extend_from_slice(&0x0001u16.to_le_bytes()); // GPSLatitudeRef
            t.extend_from_slice(&2u16.to_le_bytes()); // ASCII
            t.extend_from_slice(&2u32.to_le_bytes());
            t.extend_from_slice(b"N\0\0\0");
            t.extend_from_slice(&0x0002u16.to_le_bytes()); // GPSLatitude
            t.extend_from_slice(&5u16.to_le_bytes()); // RATIONAL
            t.extend_from_slice(&3u32.to_le_bytes());
            t.extend_from_slice(&gps_ifd_end.to_le_bytes());
            t.extend_from_slice(&0u32.to_le_bytes());
            for v in [29u32, 42, 6] {
                t.extend_from_slice(&v.to_le_bytes());
                t.extend_from_slice(&1u32.to_le_bytes());
            }
        }
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend(t);
        payload
    }

    /// Markers of the segments before the first scan.
    fn markers(jpeg: &[u8]) -> Vec<u8> {
        let mut found = Vec::new();
        let mut at = 2;
        while at + 4 <= jpeg.len() {
            let marker = jpeg[at + 1];
            found.push(marker);
            if marker == SOS {
                break;
            }
            at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        }
        found
    }

    fn fast(bytes: &[u8]) -> Result<Option<Processed>, PhotoError> {
        process_jpeg(&mut Cursor::new(bytes), &PhotoConfig::default(), true)
    }

    /// The fast path's result and its public copy's bytes.
    fn render(bytes: &[u8]) -> (Processed, Rendered, Vec<u8>) {
        let mut processed = fast(bytes).unwrap().expect("fast path");
        let rendered = processed.rendered.take().unwrap();
        assert!(matches!(rendered.public, PublicCopy::File(_)));
        let public = rendered.public.to_vec();
        (processed, rendered, public)
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// Overwrites the frame size in the SOF0 header of an encoder-made JPEG.
    fn set_frame_size(jpeg: &mut [u8], width: u16, height: u16) {
        let at = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        jpeg[at + 5..at + 7].copy_from_slice(&height.to_be_bytes());
        jpeg[at + 7..at + 9].copy_from_slice(&width.to_be_bytes());
    }

    #[test]
    fn f2_lossless_copy_drops_exif_gps_xmp_and_comments_and_keeps_the_image_bytes() {
        let base = jpeg(640, 480);
        let xmp = b"http://ns.adobe.com/xap/1.0/\0<rdf:Description exif:GPSLatitude=\"29,42.1N\"/>";
        let mut upload = with_segments(
            &base,
            &[
                (APP1, &exif(Some(1), true)),
                (APP1, xmp),
                (0xED, b"Photoshop 3.0\08BIM city=Dazu"),
                (APP2, b"MPF\0II*\0"),
                (0xFE, b"shot at 29.7N 105.7E"),
            ],
        );
        // A vendor trailer (or an MPF secondary image with its own EXIF) after EOI.
        upload.extend(with_segments(&jpeg(16, 16), &[(APP1, &exif(None, true))]));

        let (processed, _, public) = render(&upload);
        assert!(processed.had_location);
        assert_eq!((processed.width, processed.height), (640, 480));
        // Exactly the encoder's own stream: the same entropy-coded data, nothing added.
        assert_eq!(public, base, "public copy = original minus metadata");
        for needle in [&b"Exif"[..], b"GPS", b"Photoshop", b"MPF", b"29.7N"] {
            assert!(!contains(&public, needle), "{needle:?} left");
        }
        assert!(
            exif::Reader::new()
                .read_from_container(&mut Cursor::new(&public))
                .is_err()
        );
        assert_eq!(&public[public.len() - 2..], [0xFF, EOI]);
    }

    #[test]
    fn f2_icc_profile_and_adobe_header_are_kept_and_jfif_thumbnail_dropped() {
        let base = jpeg(64, 48);
        let icc = b"ICC_PROFILE\0\x01\x01not-a-real-profile";
        let adobe = b"Adobe\0\x64\0\0\0\0\x01trailing-bytes";
        // JFIF 1.01 with a 1×1 RGB thumbnail; the encoder's own APP0 follows.
        let jfif = b"JFIF\0\x01\x01\x00\x00\x48\x00\x48\x01\x01\xAA\xBB\xCC";
        let upload = with_segments(&base, &[(APP0, jfif), (APP2, icc), (APP14, adobe)]);
        let (_, _, public) = render(&upload);
        let public = &public;
        assert!(contains(public, &segment(APP2, icc)), "ICC kept verbatim");
        assert!(
            contains(public, &segment(APP14, &adobe[..12])),
            "Adobe header kept"
        );
        assert!(!contains(public, b"trailing-bytes"));
        assert!(
            contains(
                public,
                &segment(APP0, b"JFIF\0\x01\x01\x00\x00\x48\x00\x48\x00\x00")
            ),
            "JFIF header without its thumbnail"
        );
        assert!(!contains(public, &[0xAA, 0xBB, 0xCC]));
        // Only the first JFIF segment is kept.
        assert_eq!(
            markers(public).iter().filter(|&&m| m == APP0).count(),
            1,
            "{:x?}",
            markers(public)
        );
        image::load_from_memory_with_format(public, ImageFormat::Jpeg).unwrap();
    }

    #[test]
    fn f2_upright_exif_orientation_keeps_the_lossless_path() {
        let upload = with_segments(&two_tone(400, 200), &[(APP1, &exif(Some(1), false))]);
        let (processed, _, public) = render(&upload);
        assert!(!processed.had_location);
        assert_eq!((processed.width, processed.height), (400, 200));
        assert!(!markers(&public).contains(&APP1));
    }

    #[test]
    fn f2_rotated_photo_takes_the_decode_path_and_is_stored_upright() {
        // Orientation 6: display turned 90° clockwise.
        let upload = with_segments(&two_tone(400, 200), &[(APP1, &exif(Some(6), true))]);
        assert!(fast(&upload).unwrap().is_none(), "rotated: decode path");
        // Header-only (already stored) answers the displayed size without decoding.
        let header = process_jpeg(&mut Cursor::new(&upload), &PhotoConfig::default(), false)
            .unwrap()
            .unwrap();
        assert_eq!((header.width, header.height), (200, 400));
        assert!(header.had_location);

        let out = process(
            Cursor::new(&upload),
            PhotoFormat::Jpeg,
            &PhotoConfig::default(),
            true,
        )
        .unwrap();
        assert_eq!((out.width, out.height), (200, 400));
        let rendered = out.rendered.unwrap();
        assert!(matches!(rendered.public, PublicCopy::Memory(_)));
        let public = rendered.public.to_vec();
        assert!(!markers(&public).contains(&APP1));
        assert!(!contains(&public, b"Exif"));
        let public = image::load_from_memory(&public).unwrap().to_rgb8();
        assert_eq!(public.dimensions(), (200, 400));
        let (top, bottom) = (public.get_pixel(100, 50).0, public.get_pixel(100, 350).0);
        assert!(top[0] > 150 && top[2] < 100, "top red: {top:?}");
        assert!(
            bottom[2] > 150 && bottom[0] < 100,
            "bottom blue: {bottom:?}"
        );
        let thumb = image::load_from_memory(&rendered.thumb).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (160, 320));
    }

    #[test]
    fn f2_large_rotated_photo_is_decoded_at_reduced_scale_upright_without_exif() {
        // A 12-MP Android portrait shot: stored 4000 × 3000, Orientation 6 (turn 90° clockwise),
        // with GPS. Left half red, right half blue: upright, red is on top.
        let upload = with_segments(&two_tone(4000, 3000), &[(APP1, &exif(Some(6), true))]);
        let mut processed = fast(&upload)
            .unwrap()
            .expect("scaled path, not the full decode");
        assert!(processed.had_location);
        // 1/2 scale: the mildest that brings 4000 to at most 2048.
        assert_eq!((processed.width, processed.height), (1500, 2000));
        let rendered = processed.rendered.take().unwrap();
        assert!(matches!(rendered.public, PublicCopy::File(_)));
        let public = rendered.public.to_vec();
        assert!(!markers(&public).contains(&APP1));
        for needle in [&b"Exif"[..], b"GPS"] {
            assert!(!contains(&public, needle), "{needle:?} left");
        }
        assert!(
            exif::Reader::new()
                .read_from_container(&mut Cursor::new(&public))
                .is_err()
        );
        let img = image::load_from_memory_with_format(&public, ImageFormat::Jpeg)
            .unwrap()
            .to_rgb8();
        assert_eq!(img.dimensions(), (1500, 2000));
        let (top, bottom) = (img.get_pixel(750, 300).0, img.get_pixel(750, 1700).0);
        assert!(top[0] > 150 && top[2] < 100, "top red: {top:?}");
        assert!(
            bottom[2] > 150 && bottom[0] < 100,
            "bottom blue: {bottom:?}"
        );
        let thumb = image::load_from_memory(&rendered.thumb).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (240, 320));

        // Already stored (header only): the same size as the copy made the first time.
        let header = process_jpeg(&mut Cursor::new(&upload), &PhotoConfig::default(), false)
            .unwrap()
            .unwrap();
        assert_eq!((header.width, header.height), (1500, 2000));
    }

    #[test]
    fn rotated_reduction_is_the_mildest_dct_scale_that_fits_the_limit() {
        let walked = |width, height| Walked {
            width,
            height,
            had_location: false,
            orientation: Some(Orientation::Rotate90),
            scalable: true,
        };
        let config = PhotoConfig::default();
        for ((w, h), expected) in [
            ((2048, 1536), None),
            ((2049, 1536), Some(2)),
            ((4000, 3000), Some(2)),
            ((4096, 3072), Some(2)),
            ((4097, 3072), Some(4)),
            ((3000, 8000), Some(4)),
            ((12_000, 4000), Some(8)),
        ] {
            assert_eq!(walked(w, h).reduction(&config), expected, "{w}×{h}");
        }
        let tiny = PhotoConfig {
            max_reencoded_side: 100,
            ..PhotoConfig::default()
        };
        assert_eq!(walked(4000, 3000).reduction(&tiny), Some(8), "at most 1/8");
        let not_scalable = Walked {
            scalable: false,
            ..walked(4000, 3000)
        };
        assert_eq!(not_scalable.reduction(&config), None);
    }

    #[test]
    fn f2_small_rotated_photo_keeps_its_full_size() {
        // Long side at the limit: the decode path, full size, upright.
        let upload = with_segments(&two_tone(2048, 1024), &[(APP1, &exif(Some(8), false))]);
        assert!(fast(&upload).unwrap().is_none(), "small: decode path");
        let out = process(
            Cursor::new(&upload),
            PhotoFormat::Jpeg,
            &PhotoConfig::default(),
            true,
        )
        .unwrap();
        assert_eq!((out.width, out.height), (1024, 2048));
        let public = out.rendered.unwrap().public.to_vec();
        assert!(!contains(&public, b"Exif"));
        let img = image::load_from_memory(&public).unwrap();
        assert_eq!((img.width(), img.height()), (1024, 2048));
    }

    #[test]
    fn f2_thumbnail_is_made_from_a_scaled_decode_at_the_right_size() {
        for ((w, h), expected) in [
            ((4000, 3000), (320, 240)),
            ((1000, 500), (320, 160)),
            ((300, 700), (137, 320)),
            ((333, 333), (320, 320)),
            ((100, 60), (100, 60)),
        ] {
            let (processed, rendered, _) = render(&jpeg(w, h));
            assert_eq!((processed.width, processed.height), (w, h));
            let thumb =
                image::load_from_memory_with_format(&rendered.thumb, ImageFormat::Jpeg).unwrap();
            assert_eq!((thumb.width(), thumb.height()), expected, "{w}×{h}");
        }
        // The picture survives the scaling: left red, right blue.
        let (_, rendered, _) = render(&two_tone(2000, 1000));
        let thumb = image::load_from_memory(&rendered.thumb).unwrap().to_rgb8();
        assert_eq!(thumb.dimensions(), (320, 160));
        let (left, right) = (thumb.get_pixel(40, 80).0, thumb.get_pixel(280, 80).0);
        assert!(left[0] > 150 && left[2] < 100, "left red: {left:?}");
        assert!(right[2] > 150 && right[0] < 100, "right blue: {right:?}");
        // Greyscale stays greyscale.
        let grey = encode(&DynamicImage::ImageLuma8(GrayImage::from_fn(
            900,
            600,
            |x, _| image::Luma([(x % 256) as u8]),
        )));
        let (_, rendered, _) = render(&grey);
        let thumb = image::load_from_memory(&rendered.thumb).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 213));
    }

    #[test]
    fn f2_truncated_or_malformed_jpegs_are_not_images() {
        let base = jpeg(256, 192);
        let not_an_image = |bytes: &[u8], what: &str| {
            for render in [true, false] {
                let err = process_jpeg(&mut Cursor::new(bytes), &PhotoConfig::default(), render)
                    .unwrap_err();
                assert_eq!(err.code(), "photo.not_an_image", "{what} (render {render})");
            }
        };
        not_an_image(&base[..base.len() - 2], "cut before EOI");
        not_an_image(&base[..base.len() / 2], "cut inside the scan");
        not_an_image(&base[..40], "cut inside a segment");
        not_an_image(&base[..2], "SOI only");
        not_an_image(&[], "empty");
        not_an_image(b"\xFF\xD8\xFF\xD9", "EOI before any scan");
        // A segment whose length is shorter than its own length field.
        not_an_image(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01, 0x00], "length 1");
        // Garbage where a marker should be.
        let mut garbage = base[..2].to_vec();
        garbage.extend_from_slice(b"GARBAGE");
        garbage.extend_from_slice(&base[2..]);
        not_an_image(&garbage, "garbage between segments");
        // A second SOI; a reserved marker.
        not_an_image(&with_segments(&base, &[(SOI, b"")]), "second SOI");
        not_an_image(&with_segments(&base, &[(0xF7, b"\0\0\0")]), "JPEG-LS frame");
        // A scan before any frame header.
        let mut scan_first = base[..2].to_vec();
        scan_first.extend(segment(SOS, &[1, 1, 0, 0, 63, 0]));
        scan_first.extend_from_slice(&[0x12, 0x34, 0xFF, EOI]);
        not_an_image(&scan_first, "SOS before SOF");
        // Zero width, and a height left to a DNL marker.
        for (w, h) in [(0, 192), (256, 0)] {
            let mut bad = base.clone();
            set_frame_size(&mut bad, w, h);
            not_an_image(&bad, "zero-sized frame");
        }
        // Two frame headers.
        let sof_at = base.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        let sof_len = usize::from(u16::from_be_bytes([base[sof_at + 2], base[sof_at + 3]]));
        let sof = base[sof_at + 4..sof_at + 2 + sof_len].to_vec();
        not_an_image(&with_segments(&base, &[(0xC0, &sof)]), "two SOF");
    }

    #[test]
    fn f2_frame_size_beyond_the_limits_is_refused_from_the_header() {
        let base = jpeg(64, 64);
        // 60000 × 60000 passes no side limit; 10000 × 10000 fits the sides but is 100 MP.
        for (w, h) in [(60_000, 60_000), (12_001, 10), (10_000, 10_000)] {
            let mut bomb = base.clone();
            set_frame_size(&mut bomb, w, h);
            let err = fast(&bomb).unwrap_err();
            assert!(
                matches!(
                    err,
                    PhotoError::TooManyPixels {
                        max_side: 12_000,
                        ..
                    }
                ),
                "{w}×{h}: {err:?}"
            );
        }
        let config = PhotoConfig {
            max_side: 63,
            ..PhotoConfig::default()
        };
        let err = process_jpeg(&mut Cursor::new(&base), &config, true).unwrap_err();
        assert_eq!(err.code(), "photo.too_many_pixels");
    }

    #[test]
    fn restart_markers_and_stuffed_bytes_inside_the_scan_are_copied() {
        let mut scan = Vec::new();
        let mut emit = |b: &[u8]| -> Result<(), PhotoError> {
            scan.extend_from_slice(b);
            Ok(())
        };
        let data = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56, 0xFF, 0xFF, EOI];
        let marker = copy_entropy_coded(&mut Cursor::new(&data[..]), &mut emit).unwrap();
        assert_eq!(marker, EOI);
        assert_eq!(scan, [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56]);
    }
}
