//! Signed, expiring photo links (F2): a reviewer opens a photo inside DingTalk's browser, where
//! our bearer token is not available, with a link that carries its own permission.
//!
//! A link names the photo id, a **viewer** (who the link was made for) and an expiry in unix
//! seconds; the signature is HMAC-SHA256 over exactly these three, under a key only the service
//! holds. Changing any of them, or the signature, makes the link invalid; after the expiry it is
//! refused as expired. See the crate README ("Signed photo links") for the wire format.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Domain separation of the signed message (a version bump invalidates every older link).
const MESSAGE_PREFIX: &[u8] = b"aidazu.photo-link.v1";
/// Label used when the link key is derived from another service secret.
const DERIVE_LABEL: &[u8] = b"aidazu/photo-links/v1";
/// Shortest accepted key, in bytes.
const MIN_KEY_LEN: usize = 16;
/// Longest accepted viewer text.
const MAX_VIEWER_LEN: usize = 64;
/// Length of an HMAC-SHA256 tag.
const TAG_LEN: usize = 32;

/// Failure to sign or verify a photo link.
///
/// [`code`](Self::code) is a stable English identifier for clients and logs,
/// [`message`](Self::message) a Simplified Chinese text for end users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhotoLinkError {
    /// The link was not made by this service, or one of its parts was changed (photo id,
    /// viewer, expiry or signature), or it is incomplete.
    #[error("photo link is invalid or was tampered with")]
    Invalid,
    /// A genuine link whose lifetime is over.
    #[error("photo link expired at {expires} (unix seconds)")]
    Expired {
        /// When the link expired, unix seconds.
        expires: i64,
    },
    /// The viewer text is empty, too long, or has characters outside `[A-Za-z0-9._:-]`.
    #[error("invalid photo link viewer {0:?}")]
    InvalidViewer(String),
    /// The signing key is shorter than 16 bytes.
    #[error("photo link key too short ({0} bytes, at least 16 needed)")]
    KeyTooShort(usize),
}

impl PhotoLinkError {
    /// Stable machine-readable code: `photo.link_expired` or `photo.link_invalid`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Expired { .. } => "photo.link_expired",
            Self::Invalid | Self::InvalidViewer(_) | Self::KeyTooShort(_) => "photo.link_invalid",
        }
    }

    /// User-facing message in Simplified Chinese.
    pub fn message(&self) -> &'static str {
        match self {
            Self::Expired { .. } => "照片链接已过期，请在积分系统中重新打开该申报查看照片。",
            Self::Invalid | Self::InvalidViewer(_) | Self::KeyTooShort(_) => {
                "照片链接无效或已被修改。"
            }
        }
    }

    /// `true` for a genuine but expired link (HTTP 410), `false` otherwise (HTTP 403).
    pub fn is_expired(&self) -> bool {
        matches!(self, Self::Expired { .. })
    }
}

/// Who a link is made for: a DingTalk user, an account, or a group marker such as "the
/// reviewers of declaration 12". Text of 1–64 characters from `[A-Za-z0-9._:-]`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LinkViewer(String);

impl LinkViewer {
    /// Checks a viewer text (as it arrives in a link's `v` parameter).
    ///
    /// # Errors
    /// [`PhotoLinkError::InvalidViewer`].
    pub fn parse(text: &str) -> Result<Self, PhotoLinkError> {
        let ok = !text.is_empty()
            && text.len() <= MAX_VIEWER_LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(PhotoLinkError::InvalidViewer(text.to_owned()))
        }
    }

    /// The group marker `decl:<id>`: whoever reviews declaration `id`. Used for the approval
    /// form and the interactive card, which DingTalk shows to several approvers at once.
    pub fn reviewers_of_declaration(id: i64) -> Self {
        Self(format!("decl:{id}"))
    }

    /// A single DingTalk user, `dt:<userId>`.
    ///
    /// # Errors
    /// [`PhotoLinkError::InvalidViewer`] when the user id has characters outside the set.
    pub fn dingtalk_user(user_id: &str) -> Result<Self, PhotoLinkError> {
        Self::parse(&format!("dt:{user_id}"))
    }

    /// A single account of ours, `acct:<id>`.
    pub fn account(id: i64) -> Self {
        Self(format!("acct:{id}"))
    }

    /// The declaration of a `decl:<id>` marker.
    pub fn declaration(&self) -> Option<i64> {
        self.0.strip_prefix("decl:")?.parse().ok()
    }

    /// The viewer text, as it appears in the link.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LinkViewer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LinkViewer").field(&self.0).finish()
    }
}

impl fmt::Display for LinkViewer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A link made by [`PhotoLinks::sign`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPhotoLink {
    /// The photo.
    pub photo_id: i64,
    /// Who it was made for.
    pub viewer: LinkViewer,
    /// Unix seconds; refused from this second on.
    pub expires: i64,
    /// URL-safe base64 (no padding) of the HMAC-SHA256 tag, 43 characters.
    pub sig: String,
}

impl SignedPhotoLink {
    /// The query string `v=<viewer>&exp=<unix seconds>&sig=<signature>`. Every part is already
    /// URL-safe (viewer charset, digits, base64url), so nothing needs escaping.
    pub fn query(&self) -> String {
        format!("v={}&exp={}&sig={}", self.viewer, self.expires, self.sig)
    }
}

/// A link that passed [`PhotoLinks::verify`]: only that function makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPhotoLink {
    photo_id: i64,
    viewer: LinkViewer,
    expires: i64,
}

impl VerifiedPhotoLink {
    /// The photo the link opens.
    pub fn photo_id(&self) -> i64 {
        self.photo_id
    }

    /// Who the link was made for.
    pub fn viewer(&self) -> &LinkViewer {
        &self.viewer
    }

    /// When it expires, unix seconds.
    pub fn expires(&self) -> i64 {
        self.expires
    }
}

/// Signs and verifies photo links with one key and one lifetime.
#[derive(Clone)]
pub struct PhotoLinks {
    /// HMAC state keyed once; cloned for every link.
    keyed: HmacSha256,
    ttl: Duration,
}

impl fmt::Debug for PhotoLinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PhotoLinks")
            .field("key", &"***")
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl PhotoLinks {
    /// Default lifetime of a link: 30 days.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

    /// Links under `key` (at least 16 bytes) that live `ttl`.
    ///
    /// # Errors
    /// [`PhotoLinkError::KeyTooShort`].
    pub fn new(key: &[u8], ttl: Duration) -> Result<Self, PhotoLinkError> {
        Ok(Self {
            keyed: keyed_mac(key)?,
            ttl,
        })
    }

    /// Links under a key derived from another service secret (HMAC-SHA256 of the label
    /// `aidazu/photo-links/v1` under `secret`), so the link key is never the secret itself and
    /// a link signature says nothing about tokens made with that secret.
    ///
    /// # Errors
    /// [`PhotoLinkError::KeyTooShort`] when `secret` is shorter than 16 bytes.
    pub fn derived_from(secret: &[u8], ttl: Duration) -> Result<Self, PhotoLinkError> {
        let mut mac = keyed_mac(secret)?;
        mac.update(DERIVE_LABEL);
        Self::new(&mac.finalize().into_bytes(), ttl)
    }

    /// The lifetime of new links.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A link to `photo_id` for `viewer`, valid from `now` (unix seconds) for the lifetime.
    pub fn sign(&self, photo_id: i64, viewer: &LinkViewer, now: i64) -> SignedPhotoLink {
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        let expires = now.saturating_add(ttl);
        let tag = self.mac(photo_id, viewer.as_str(), expires).finalize();
        let sig = URL_SAFE_NO_PAD.encode(tag.into_bytes());
        SignedPhotoLink {
            photo_id,
            viewer: viewer.clone(),
            expires,
            sig,
        }
    }

    /// Checks a link's parts as they arrived: the signature first (in constant time), then the
    /// expiry against `now` (unix seconds; the link is refused from its `expires` second on).
    ///
    /// # Errors
    /// [`PhotoLinkError::Invalid`] for a malformed or altered link (any part),
    /// [`PhotoLinkError::Expired`] for a genuine link past its expiry.
    pub fn verify(
        &self,
        photo_id: i64,
        viewer: &str,
        expires: &str,
        sig: &str,
        now: i64,
    ) -> Result<VerifiedPhotoLink, PhotoLinkError> {
        let viewer = LinkViewer::parse(viewer).map_err(|_| PhotoLinkError::Invalid)?;
        let expires = parse_unix(expires).ok_or(PhotoLinkError::Invalid)?;
        let tag = URL_SAFE_NO_PAD
            .decode(sig.as_bytes())
            .map_err(|_| PhotoLinkError::Invalid)?;
        if tag.len() != TAG_LEN {
            return Err(PhotoLinkError::Invalid);
        }
        self.mac(photo_id, viewer.as_str(), expires)
            .verify_slice(&tag)
            .map_err(|_| PhotoLinkError::Invalid)?;
        if now >= expires {
            return Err(PhotoLinkError::Expired { expires });
        }
        Ok(VerifiedPhotoLink {
            photo_id,
            viewer,
            expires,
        })
    }

    fn mac(&self, photo_id: i64, viewer: &str, expires: i64) -> HmacSha256 {
        // NUL separates the parts: the viewer charset and decimal numbers never contain it.
        let mut mac = self.keyed.clone();
        mac.update(MESSAGE_PREFIX);
        mac.update(b"\0");
        mac.update(photo_id.to_string().as_bytes());
        mac.update(b"\0");
        mac.update(viewer.as_bytes());
        mac.update(b"\0");
        mac.update(expires.to_string().as_bytes());
        mac
    }
}

/// An HMAC-SHA256 state under `key` (at least 16 bytes).
fn keyed_mac(key: &[u8]) -> Result<HmacSha256, PhotoLinkError> {
    if key.len() < MIN_KEY_LEN {
        return Err(PhotoLinkError::KeyTooShort(key.len()));
    }
    // HMAC accepts keys of every length; the error arm is there for the type only.
    HmacSha256::new_from_slice(key).map_err(|_| PhotoLinkError::KeyTooShort(key.len()))
}

/// A canonical decimal unix time: digits only (optionally a leading `-`), no `+`, no leading
/// zeros, so one expiry has exactly one spelling.
fn parse_unix(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const NOW: i64 = 1_750_000_000;

    fn links() -> PhotoLinks {
        PhotoLinks::new(
            b"0123456789abcdef0123456789abcdef",
            Duration::from_secs(3600),
        )
        .unwrap()
    }

    fn signed() -> SignedPhotoLink {
        links().sign(42, &LinkViewer::reviewers_of_declaration(7), NOW)
    }

    fn verify(l: &SignedPhotoLink, now: i64) -> Result<VerifiedPhotoLink, PhotoLinkError> {
        links().verify(
            l.photo_id,
            l.viewer.as_str(),
            &l.expires.to_string(),
            &l.sig,
            now,
        )
    }

    #[test]
    fn a_fresh_link_verifies_and_names_its_parts() {
        let l = signed();
        assert_eq!(l.expires, NOW + 3600);
        assert_eq!(l.sig.len(), 43);
        let ok = verify(&l, NOW).unwrap();
        assert_eq!(ok.photo_id(), 42);
        assert_eq!(ok.viewer().as_str(), "decl:7");
        assert_eq!(ok.viewer().declaration(), Some(7));
        assert_eq!(ok.expires(), NOW + 3600);
        assert_eq!(
            l.query(),
            format!("v=decl:7&exp={}&sig={}", NOW + 3600, l.sig)
        );
    }

    #[test]
    fn expiry_boundary_last_second_ok_then_expired() {
        let l = signed();
        assert!(verify(&l, l.expires - 1).is_ok());
        let err = verify(&l, l.expires).unwrap_err();
        assert_eq!(err, PhotoLinkError::Expired { expires: l.expires });
        assert_eq!(err.code(), "photo.link_expired");
        assert!(err.is_expired());
        assert!(verify(&l, l.expires + 86_400).unwrap_err().is_expired());
    }

    #[test]
    fn tampering_with_any_part_is_invalid() {
        let l = signed();
        let exp = l.expires.to_string();
        let ls = links();
        // photo id
        assert_eq!(
            ls.verify(43, l.viewer.as_str(), &exp, &l.sig, NOW),
            Err(PhotoLinkError::Invalid)
        );
        // viewer
        assert_eq!(
            ls.verify(42, "decl:8", &exp, &l.sig, NOW),
            Err(PhotoLinkError::Invalid)
        );
        // expiry, pushed later (a longer life) and earlier (even into the past: still invalid,
        // never "expired", since the link is not genuine)
        for exp in [l.expires + 1, l.expires - 1, NOW - 10] {
            assert_eq!(
                ls.verify(42, l.viewer.as_str(), &exp.to_string(), &l.sig, NOW),
                Err(PhotoLinkError::Invalid),
                "exp {exp}"
            );
        }
        // non-canonical spellings of the same expiry
        for exp in [format!("0{exp}"), format!("+{exp}"), format!(" {exp}")] {
            assert_eq!(
                ls.verify(42, l.viewer.as_str(), &exp, &l.sig, NOW),
                Err(PhotoLinkError::Invalid),
                "exp {exp:?}"
            );
        }
        // signature: each character changed, truncated, extended, empty, not base64
        let chars: Vec<char> = l.sig.chars().collect();
        for i in 0..chars.len() {
            let mut bad = chars.clone();
            bad[i] = if bad[i] == 'A' { 'B' } else { 'A' };
            let bad: String = bad.into_iter().collect();
            assert_eq!(
                ls.verify(42, l.viewer.as_str(), &exp, &bad, NOW),
                Err(PhotoLinkError::Invalid),
                "sig char {i}"
            );
        }
        for bad in [
            &l.sig[..42],
            &format!("{}A", l.sig),
            "",
            "!!!!",
            &format!("{}=", l.sig),
        ] {
            assert_eq!(
                ls.verify(42, l.viewer.as_str(), &exp, bad, NOW),
                Err(PhotoLinkError::Invalid),
                "sig {bad:?}"
            );
        }
    }

    #[test]
    fn another_key_does_not_verify() {
        let l = signed();
        let other = PhotoLinks::new(
            b"another-key-of-32-bytes-length!!",
            Duration::from_secs(3600),
        )
        .unwrap();
        assert_eq!(
            other.verify(42, l.viewer.as_str(), &l.expires.to_string(), &l.sig, NOW),
            Err(PhotoLinkError::Invalid)
        );
    }

    #[test]
    fn derived_key_differs_from_the_secret_and_is_stable() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let ttl = Duration::from_secs(60);
        let viewer = LinkViewer::account(3);
        let a = PhotoLinks::derived_from(secret, ttl)
            .unwrap()
            .sign(1, &viewer, NOW);
        let b = PhotoLinks::derived_from(secret, ttl)
            .unwrap()
            .sign(1, &viewer, NOW);
        let raw = PhotoLinks::new(secret, ttl).unwrap().sign(1, &viewer, NOW);
        assert_eq!(a, b);
        assert_ne!(a.sig, raw.sig);
        assert_eq!(
            PhotoLinks::derived_from(b"short", ttl).unwrap_err(),
            PhotoLinkError::KeyTooShort(5)
        );
        assert!(PhotoLinks::new(b"short", ttl).is_err());
    }

    #[test]
    fn viewers_are_checked() {
        assert_eq!(
            LinkViewer::dingtalk_user("demo-admin").unwrap().as_str(),
            "dt:demo-admin"
        );
        assert_eq!(LinkViewer::account(9).as_str(), "acct:9");
        assert_eq!(LinkViewer::account(9).declaration(), None);
        for bad in ["", "a b", "a&b", "a=b", "用户", &"x".repeat(65), "a\0b"] {
            assert!(LinkViewer::parse(bad).is_err(), "{bad:?}");
            assert_eq!(
                links().verify(42, bad, &(NOW + 10).to_string(), &signed().sig, NOW),
                Err(PhotoLinkError::Invalid)
            );
        }
        assert!(LinkViewer::dingtalk_user("有空格 的").is_err());
    }

    #[test]
    fn codes_and_messages() {
        assert_eq!(PhotoLinkError::Invalid.code(), "photo.link_invalid");
        assert!(PhotoLinkError::Invalid.message().contains("无效"));
        assert!(
            PhotoLinkError::Expired { expires: 1 }
                .message()
                .contains("过期")
        );
        assert!(!PhotoLinkError::Invalid.is_expired());
    }

    #[test]
    fn debug_hides_the_key() {
        let shown = format!("{:?}", links());
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
    }
}
