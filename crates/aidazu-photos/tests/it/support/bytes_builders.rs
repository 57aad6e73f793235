//! Byte-level builders: an EXIF (TIFF) block with GPS, JPEG APP1 insertion and segment listing,
//! PNG chunks with real CRCs.

/// One IFD entry: tag, TIFF type, count, value bytes (big-endian).
struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    value: Vec<u8>,
}

const BYTE: u16 = 1;
const ASCII: u16 = 2;
const SHORT: u16 = 3;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;

fn rationals(values: &[(u32, u32)]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|(n, d)| n.to_be_bytes().into_iter().chain(d.to_be_bytes()))
        .collect()
}

/// Writes an IFD at `offset` (absolute in the TIFF); out-of-line values follow the IFD.
fn write_ifd(tiff: &mut Vec<u8>, entries: &[Entry]) {
    let offset = tiff.len();
    let ifd_len = 2 + entries.len() * 12 + 4;
    let mut data_offset = offset + ifd_len;
    let mut data = Vec::new();
    tiff.extend_from_slice(&(entries.len() as u16).to_be_bytes());
    for entry in entries {
        tiff.extend_from_slice(&entry.tag.to_be_bytes());
        tiff.extend_from_slice(&entry.kind.to_be_bytes());
        tiff.extend_from_slice(&entry.count.to_be_bytes());
        if entry.value.len() <= 4 {
            let mut inline = entry.value.clone();
            inline.resize(4, 0);
            tiff.extend_from_slice(&inline);
        } else {
            tiff.extend_from_slice(&(data_offset as u32).to_be_bytes());
            data.extend_from_slice(&entry.value);
            data_offset += entry.value.len();
        }
    }
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(&data);
}

/// A big-endian TIFF/EXIF block: IFD0 with Make, optional Orientation, and (if `gps`) a GPS IFD
/// placing the photo in Dazu, Chongqing (29°42′N 105°43′E).
pub fn exif_tiff(orientation: Option<u16>, gps: bool) -> Vec<u8> {
    let mut tiff = b"MM\0*".to_vec();
    tiff.extend_from_slice(&8u32.to_be_bytes());

    let make = b"AidazuCam\0".to_vec();
    let mut ifd0 = vec![Entry {
        tag: 0x010F,
        kind: ASCII,
        count: make.len() as u32,
        value: make,
    }];
    if let Some(o) = orientation {
        ifd0.push(Entry {
            tag: 0x0112,
            kind: SHORT,
            count: 1,
            value: o.to_be_bytes().to_vec(),
        });
    }
    // The GPS IFD goes right after IFD0 and its data: compute where that is.
    let gps_entries = vec![
        Entry {
            tag: 0x0000,
            kind: BYTE,
            count: 4,
            value: vec![2, 3, 0, 0],
        },
        Entry {
            tag: 0x0001,
            kind: ASCII,
            count: 2,
            value: b"N\0".to_vec(),
        },
        Entry {
            tag: 0x0002,
            kind: RATIONAL,
            count: 3,
            value: rationals(&[(29, 1), (42, 1), (600, 100)]),
        },
        Entry {
            tag: 0x0003,
            kind: ASCII,
            count: 2,
            value: b"E\0".to_vec(),
        },
        Entry {
            tag: 0x0004,
            kind: RATIONAL,
            count: 3,
            value: rationals(&[(105, 1), (43, 1), (1200, 100)]),
        },
    ];
    if gps {
        let ifd0_entries = ifd0.len() + 1;
        let ifd0_data: usize = ifd0
            .iter()
            .filter(|e| e.value.len() > 4)
            .map(|e| e.value.len())
            .sum();
        let gps_offset = 8 + 2 + ifd0_entries * 12 + 4 + ifd0_data;
        ifd0.push(Entry {
            tag: 0x8825,
            kind: LONG,
            count: 1,
            value: (gps_offset as u32).to_be_bytes().to_vec(),
        });
    }
    ifd0.sort_by_key(|e| e.tag);
    write_ifd(&mut tiff, &ifd0);
    if gps {
        write_ifd(&mut tiff, &gps_entries);
    }
    tiff
}

/// Inserts an `APP1 Exif` segment right after the JPEG SOI marker.
pub fn jpeg_with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let payload_len = 2 + 6 + tiff.len();
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&(payload_len as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Marker bytes and payloads of the JPEG segments before the scan data.
pub fn jpeg_segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut segments = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let marker = jpeg[i + 1];
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        segments.push((marker, jpeg[i + 4..i + 2 + len].to_vec()));
        if marker == 0xDA {
            break;
        }
        i += 2 + len;
    }
    segments
}

/// CRC-32 (IEEE) as PNG uses it.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    chunk.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    chunk
}

/// A valid PNG header whose IHDR claims `width`×`height` RGB8, followed by a tiny IDAT: a
/// decompression bomb's shape (decoding would need width×height×3 bytes).
pub fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend(png_chunk(b"IHDR", &ihdr));
    // zlib stream of a few zero bytes.
    png.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    ));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

/// Inserts a chunk right after IHDR (offset 8 + 25).
pub fn png_with_chunk_after_ihdr(png: &[u8], kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let at = 8 + 25;
    assert_eq!(&png[12..16], b"IHDR");
    let mut out = png[..at].to_vec();
    out.extend(png_chunk(kind, data));
    out.extend_from_slice(&png[at..]);
    out
}

/// Chunk types of a PNG, in order.
pub fn png_chunk_types(png: &[u8]) -> Vec<String> {
    let mut types = Vec::new();
    let mut i = 8;
    while i + 8 <= png.len() {
        let len = u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]) as usize;
        types.push(String::from_utf8_lossy(&png[i + 4..i + 8]).into_owned());
        i += 12 + len;
    }
    types
}

/// A real 1×1 GIF.
pub const GIF_1X1: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

/// A real 1×1 24-bit BMP.
pub fn bmp_1x1() -> Vec<u8> {
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&58u32.to_le_bytes());
    bmp.extend_from_slice(&0u32.to_le_bytes());
    bmp.extend_from_slice(&54u32.to_le_bytes());
    bmp.extend_from_slice(&40u32.to_le_bytes());
    bmp.extend_from_slice(&1i32.to_le_bytes());
    bmp.extend_from_slice(&1i32.to_le_bytes());
    bmp.extend_from_slice(&1u16.to_le_bytes());
    bmp.extend_from_slice(&24u16.to_le_bytes());
    bmp.extend_from_slice(&[0; 24]);
    bmp.extend_from_slice(&[0, 0, 255, 0]);
    bmp
}

/// The start of an iPhone HEIC file (ISO-BMFF `ftyp` box, brand `heic`).
pub fn heic_header() -> Vec<u8> {
    let mut heic = 24u32.to_be_bytes().to_vec();
    heic.extend_from_slice(b"ftypheic");
    heic.extend_from_slice(&0u32.to_be_bytes());
    heic.extend_from_slice(b"mif1heic");
    heic.extend_from_slice(&[0; 64]);
    heic
}

/// Inserts an `APP1` XMP packet right after the JPEG SOI marker.
pub fn jpeg_with_xmp(jpeg: &[u8], xmp: &[u8]) -> Vec<u8> {
    const XMP_NS: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
    let payload_len = 2 + XMP_NS.len() + xmp.len();
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&(payload_len as u16).to_be_bytes());
    out.extend_from_slice(XMP_NS);
    out.extend_from_slice(xmp);
    out.extend_from_slice(&jpeg[2..]);
    out
}
