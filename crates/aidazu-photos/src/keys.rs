//! Blob keys and the key layout of photo variants (`orig/<sha>`, `public/<sha>`, `thumb/<sha>`).

use std::fmt;

use crate::error::BlobError;

/// Longest accepted key, in bytes.
const MAX_KEY_LEN: usize = 512;

/// A validated storage key `<namespace>/<name>`: exactly two segments of `[A-Za-z0-9._-]`, none
/// empty, none starting with `.` (so `..` and hidden temp files are impossible). Safe to map onto
/// a file path; the fixed depth keeps the sharded local layout collision-free.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey(String);

impl BlobKey {
    /// Validates `key`.
    pub fn new(key: impl Into<String>) -> Result<Self, BlobError> {
        let key = key.into();
        let invalid = |reason| BlobError::InvalidKey {
            key: key.clone(),
            reason,
        };
        if key.is_empty() {
            return Err(invalid("empty key"));
        }
        if key.len() > MAX_KEY_LEN {
            return Err(invalid("key too long"));
        }
        if key.split('/').count() != 2 {
            return Err(invalid("expected <namespace>/<name>"));
        }
        for segment in key.split('/') {
            if segment.is_empty() {
                return Err(invalid("empty segment"));
            }
            if segment.starts_with('.') {
                return Err(invalid("segment starts with '.'"));
            }
            if !segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
            {
                return Err(invalid("characters outside [A-Za-z0-9._-]"));
            }
        }
        Ok(Self(key))
    }

    /// The key of one stored variant of a photo. `sha256_hex` must be 64 lowercase hex digits
    /// (use this when the hash comes from a URL: it cannot escape the photo namespace).
    pub fn photo(variant: PhotoVariant, sha256_hex: &str) -> Result<Self, BlobError> {
        if !is_sha256_hex(sha256_hex) {
            return Err(BlobError::InvalidKey {
                key: sha256_hex.to_owned(),
                reason: "not a lowercase hex SHA-256",
            });
        }
        Ok(Self(format!("{}/{sha256_hex}", variant.prefix())))
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The namespace (first segment), e.g. `orig`.
    pub fn namespace(&self) -> &str {
        self.0.split_once('/').map_or(self.0.as_str(), |(ns, _)| ns)
    }

    /// The name (second segment), e.g. the SHA-256.
    pub fn name(&self) -> &str {
        self.0
            .split_once('/')
            .map_or(self.0.as_str(), |(_, name)| name)
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for BlobKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// `true` for exactly 64 lowercase hex digits.
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The stored variants of one photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PhotoVariant {
    /// The upload byte for byte, metadata included. Private: reviewers/admins only.
    Original,
    /// Re-encoded copy without EXIF/GPS/XMP, orientation applied. What other members see.
    Public,
    /// JPEG thumbnail, longest side 320 px by default, no metadata.
    Thumbnail,
}

impl PhotoVariant {
    /// All variants, in storage order.
    pub const ALL: [PhotoVariant; 3] = [Self::Original, Self::Public, Self::Thumbnail];

    /// Key prefix: `orig`, `public` or `thumb`.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Original => "orig",
            Self::Public => "public",
            Self::Thumbnail => "thumb",
        }
    }

    /// Parses the prefix names used in URLs (`orig`/`original`, `public`, `thumb`/`thumbnail`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "orig" | "original" => Some(Self::Original),
            "public" => Some(Self::Public),
            "thumb" | "thumbnail" => Some(Self::Thumbnail),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn photo_keys_follow_the_layout() {
        let key = BlobKey::photo(PhotoVariant::Public, SHA).unwrap();
        assert_eq!(key.as_str(), format!("public/{SHA}"));
        assert_eq!(
            BlobKey::photo(PhotoVariant::Original, SHA)
                .unwrap()
                .as_str(),
            format!("orig/{SHA}")
        );
        assert_eq!(
            BlobKey::photo(PhotoVariant::Thumbnail, SHA)
                .unwrap()
                .as_str(),
            format!("thumb/{SHA}")
        );
    }

    #[test]
    fn photo_keys_reject_non_hashes() {
        for bad in ["", "../etc/passwd", &SHA.to_uppercase(), &SHA[1..], "zz"] {
            assert!(
                BlobKey::photo(PhotoVariant::Public, bad).is_err(),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn generic_keys_reject_traversal_and_odd_characters() {
        for bad in [
            "",
            "/abs",
            "a//b",
            "a/../b",
            "..",
            ".hidden",
            "a/.tmp-1",
            "a\\b",
            "a b",
            "trailing/",
            "中文",
            "single",
            "a/b/c",
        ] {
            assert!(BlobKey::new(bad).is_err(), "{bad:?} accepted");
        }
        assert!(BlobKey::new("a".repeat(MAX_KEY_LEN + 1)).is_err());
        for good in ["a/b", "orig/abc", "x/y_z-1.bin"] {
            assert_eq!(BlobKey::new(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn variant_names_round_trip() {
        for v in PhotoVariant::ALL {
            assert_eq!(PhotoVariant::from_name(v.prefix()), Some(v));
        }
        assert_eq!(PhotoVariant::from_name("secret"), None);
    }
}
