//! Detects location metadata (EXIF GPS, XMP GPS) in an upload, to report `had_location`.

use exif::{Context, Tag};

/// `true` if the raw EXIF block (TIFF structure, optionally behind an `Exif\0\0` header)
/// carries GPS data. `GPSVersionID` alone does not count; an unreadable GPS IFD pointer does.
pub(crate) fn exif_has_location(raw: &[u8]) -> bool {
    let tiff = raw.strip_prefix(b"Exif\0\0").unwrap_or(raw);
    let reader = {
        let mut reader = exif::Reader::new();
        reader.continue_on_error(true);
        reader
    };
    let exif = match reader.read_raw(tiff.to_vec()) {
        Ok(exif) => exif,
        Err(exif::Error::PartialResult(partial)) => partial.into_inner().0,
        Err(_) => return false,
    };
    exif.fields().any(|field| {
        (field.tag.context() == Context::Gps && field.tag != Tag::GPSVersionID)
            || field.tag == Tag::GPSInfoIFDPointer
    })
}

/// `true` if an XMP packet mentions GPS coordinates (`exif:GPSLatitude` and friends).
pub(crate) fn xmp_has_location(xmp: &[u8]) -> bool {
    const NEEDLES: [&[u8]; 3] = [b"GPSLatitude", b"GPSLongitude", b"GPSAltitude"];
    NEEDLES
        .iter()
        .any(|needle| xmp.windows(needle.len()).any(|window| window == *needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Little-endian TIFF with IFD0 = { GPSInfoIFDPointer → GPS IFD = { GPSLatitudeRef = "N" } }.
    fn tiff_with_gps() -> Vec<u8> {
        let mut t = Vec::new();
        t.extend_from_slice(b"II*\0");
        t.extend_from_slice(&8u32.to_le_bytes());
        // IFD0 at 8: one entry.
        t.extend_from_slice(&1u16.to_le_bytes());
        t.extend_from_slice(&0x8825u16.to_le_bytes()); // GPSInfoIFDPointer
        t.extend_from_slice(&4u16.to_le_bytes()); // LONG
        t.extend_from_slice(&1u32.to_le_bytes());
        t.extend_from_slice(&26u32.to_le_bytes()); // GPS IFD offset
        t.extend_from_slice(&0u32.to_le_bytes()); // next IFD
        // GPS IFD at 26: one entry.
        t.extend_from_slice(&1u16.to_le_bytes());
        t.extend_from_slice(&0x0001u16.to_le_bytes()); // GPSLatitudeRef
        t.extend_from_slice(&2u16.to_le_bytes()); // ASCII
        t.extend_from_slice(&2u32.to_le_bytes());
        t.extend_from_slice(b"N\0\0\0");
        t.extend_from_slice(&0u32.to_le_bytes());
        t
    }

    #[test]
    fn finds_gps_in_exif() {
        let tiff = tiff_with_gps();
        assert!(exif_has_location(&tiff));
        let mut with_header = b"Exif\0\0".to_vec();
        with_header.extend_from_slice(&tiff);
        assert!(exif_has_location(&with_header));
    }

    #[test]
    fn no_gps_in_garbage_or_empty_exif() {
        assert!(!exif_has_location(b""));
        assert!(!exif_has_location(b"not exif at all"));
        // IFD0 with zero entries.
        let mut t = b"II*\0".to_vec();
        t.extend_from_slice(&8u32.to_le_bytes());
        t.extend_from_slice(&0u16.to_le_bytes());
        t.extend_from_slice(&0u32.to_le_bytes());
        assert!(!exif_has_location(&t));
    }

    #[test]
    fn finds_gps_in_xmp() {
        assert!(xmp_has_location(
            br#"<rdf:Description exif:GPSLatitude="29,42.1N"/>"#
        ));
        assert!(!xmp_has_location(
            br#"<rdf:Description tiff:Make="Huawei"/>"#
        ));
    }
}
