//! Image format sniffing from content (never from file names or Content-Type).

/// An accepted photo format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PhotoFormat {
    /// JPEG / JFIF / EXIF JPEG.
    Jpeg,
    /// PNG (APNG decodes to its first frame).
    Png,
    /// WebP, lossy or lossless.
    Webp,
}

impl PhotoFormat {
    /// `"jpeg"`, `"png"` or `"webp"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Webp => "webp",
        }
    }

    /// MIME type of the original and of the public copy (which keeps the format).
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    /// Parses [`as_str`](Self::as_str) output (as stored in a database row).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "jpeg" => Some(Self::Jpeg),
            "png" => Some(Self::Png),
            "webp" => Some(Self::Webp),
            _ => None,
        }
    }

    pub(crate) fn image_format(self) -> image::ImageFormat {
        match self {
            Self::Jpeg => image::ImageFormat::Jpeg,
            Self::Png => image::ImageFormat::Png,
            Self::Webp => image::ImageFormat::WebP,
        }
    }
}

/// How many leading bytes [`sniff`] looks at.
pub(crate) const SNIFF_LEN: usize = 32;

/// What the leading bytes say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sniffed {
    Supported(PhotoFormat),
    /// A recognisable image format we refuse (named for the error).
    Unsupported(&'static str),
    Unknown,
}

/// Classifies content by its magic bytes.
pub(crate) fn sniff(head: &[u8]) -> Sniffed {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Supported(PhotoFormat::Jpeg);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Supported(PhotoFormat::Png);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Sniffed::Supported(PhotoFormat::Webp);
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Sniffed::Unsupported("gif");
    }
    // BMP: "BM", file size, two reserved zero u16s.
    if head.len() >= 10 && &head[..2] == b"BM" && head[6..10] == [0, 0, 0, 0] {
        return Sniffed::Unsupported("bmp");
    }
    if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        return Sniffed::Unsupported("tiff");
    }
    // ISO base media file: size, "ftyp", major brand.
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return match &head[8..12] {
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                Sniffed::Unsupported("heic")
            }
            b"avif" | b"avis" => Sniffed::Unsupported("avif"),
            _ => Sniffed::Unknown,
        };
    }
    Sniffed::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_supported_formats() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Sniffed::Supported(PhotoFormat::Jpeg)
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Sniffed::Supported(PhotoFormat::Png)
        );
        assert_eq!(
            sniff(b"RIFF\x24\0\0\0WEBPVP8 "),
            Sniffed::Supported(PhotoFormat::Webp)
        );
    }

    #[test]
    fn names_refused_formats() {
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Sniffed::Unsupported("gif"));
        assert_eq!(
            sniff(b"BM\x3a\0\0\0\0\0\0\0\x36\0"),
            Sniffed::Unsupported("bmp")
        );
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Sniffed::Unsupported("tiff"));
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Sniffed::Unsupported("heic")
        );
        assert_eq!(
            sniff(b"\0\0\0\x1cftypavif\0\0\0\0"),
            Sniffed::Unsupported("avif")
        );
    }

    #[test]
    fn text_and_truncated_magic_are_unknown() {
        assert_eq!(sniff(b"hello, this is text"), Sniffed::Unknown);
        assert_eq!(sniff(b"BM is a text line"), Sniffed::Unknown);
        assert_eq!(sniff(&[0xFF, 0xD8]), Sniffed::Unknown);
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVE"), Sniffed::Unknown);
        assert_eq!(sniff(b"\0\0\0\x18ftypisom"), Sniffed::Unknown);
        assert_eq!(sniff(b""), Sniffed::Unknown);
    }

    #[test]
    fn names_round_trip() {
        for f in [PhotoFormat::Jpeg, PhotoFormat::Png, PhotoFormat::Webp] {
            assert_eq!(PhotoFormat::from_name(f.as_str()), Some(f));
        }
    }
}
