//! HTTP-mode interactive-card callbacks (API.md §6.4): DingTalk signs each POST with
//! `x-ddpaas-signature = base64(HmacSHA256(key = apiSecret, msg = timestamp))` and sends the
//! timestamp (ms) in `x-ddpaas-signature-timestamp`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::CryptoError;

/// Header carrying the signature.
pub const CARD_SIGNATURE_HEADER: &str = "x-ddpaas-signature";
/// Header carrying the timestamp (ms).
pub const CARD_TIMESTAMP_HEADER: &str = "x-ddpaas-signature-timestamp";

/// `base64(HmacSHA256(key = api_secret, msg = timestamp))`.
pub fn card_callback_signature(api_secret: &str, timestamp: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(api_secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Verifies a card callback's signature (constant time) and that its millisecond timestamp is
/// within `window` of `now`.
///
/// # Errors
/// [`CryptoError::SignatureMismatch`], [`CryptoError::InvalidTimestamp`] or
/// [`CryptoError::StaleTimestamp`].
pub fn verify_card_callback(
    api_secret: &str,
    timestamp: &str,
    signature: &str,
    now: SystemTime,
    window: Duration,
) -> Result<(), CryptoError> {
    let expected = card_callback_signature(api_secret, timestamp);
    if !bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
        return Err(CryptoError::SignatureMismatch);
    }
    let millis: u64 = timestamp
        .trim()
        .parse()
        .map_err(|_| CryptoError::InvalidTimestamp)?;
    let sent = Duration::from_millis(millis);
    let now = now
        .duration_since(UNIX_EPOCH)
        .map_err(|_| CryptoError::InvalidTimestamp)?;
    if now.abs_diff(sent) > window {
        return Err(CryptoError::StaleTimestamp);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn matches_the_published_vector() {
        assert_eq!(
            card_callback_signature("ACTION", "1700000000000"),
            "ZDl1TSqcOZvcWEsqqUm1kbBYI8Lv5ssEdzZ3QsjoP9c="
        );
    }

    #[test]
    fn verifies_signature_and_freshness() {
        let now = UNIX_EPOCH + Duration::from_millis(1_700_000_030_000);
        let good = "ZDl1TSqcOZvcWEsqqUm1kbBYI8Lv5ssEdzZ3QsjoP9c=";
        assert_eq!(
            verify_card_callback("ACTION", "1700000000000", good, now, MINUTE),
            Ok(())
        );
        assert_eq!(
            verify_card_callback("OTHER", "1700000000000", good, now, MINUTE),
            Err(CryptoError::SignatureMismatch)
        );
        let later = now + Duration::from_secs(120);
        assert_eq!(
            verify_card_callback("ACTION", "1700000000000", good, later, MINUTE),
            Err(CryptoError::StaleTimestamp)
        );
        let sig = card_callback_signature("ACTION", "soon");
        assert_eq!(
            verify_card_callback("ACTION", "soon", &sig, now, MINUTE),
            Err(CryptoError::InvalidTimestamp)
        );
    }
}
