//! Personal data at rest (R4): AES-256-GCM with the key id stored beside the ciphertext, so keys
//! can rotate, and a keyed hash (HMAC-SHA256) for lookups, so nothing is searched in plaintext.
//!
//! Ciphertext layout: `nonce (12 bytes) || AES-GCM ciphertext+tag`; the key id goes in its own
//! column and is bound to the ciphertext as associated data, so a ciphertext cannot be relabelled
//! with another key id.

/// A value encrypted under one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    /// `nonce || ciphertext || tag`.
    pub ciphertext: Vec<u8>,
}

/// Normalises a mainland mobile number: keeps digits only and drops a leading `86` country code
/// (`+86 138-0013-8000` → `13800138000`).
#[must_use]
pub fn normalise_mobile(mobile: &str) -> String {
    let digits: String = mobile.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("86") {
        Some(rest) if rest.len() == 11 => rest.to_owned(),
        _ => digits,
    }
}
