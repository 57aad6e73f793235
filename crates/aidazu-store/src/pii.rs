//! Personal data at rest (R4): AES-256-GCM with the key id stored beside the ciphertext, so keys
//! can rotate, and a keyed hash (HMAC-SHA256) for lookups, so nothing is searched in plaintext.
//!
//! Ciphertext layout: `nonce (12 bytes) || AES-GCM ciphertext+tag`; the key id goes in its own
//! column and is bound to the ciphertext as associated data, so a ciphertext cannot be relabelled
//! with another key id.

use std::collections::HashMap;
use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::error::StoreError;

pub use aidazu_ports::pii::{Sealed, normalise_mobile};

const NONCE_LEN: usize = 12;

/// The keys for personal data. `Debug` never prints key material.
#[derive(Clone)]
pub struct PiiKeys {
    /// The key new data is encrypted with: (key id, key).
    pub current: (String, [u8; 32]),
    /// Older keys still needed to decrypt, by key id.
    pub others: HashMap<String, [u8; 32]>,
    /// The key of the lookup hash. Rotating it means recomputing every lookup column.
    pub lookup_key: [u8; 32],
}

impl fmt::Debug for PiiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut others: Vec<&String> = self.others.keys().collect();
        others.sort();
        f.debug_struct("PiiKeys")
            .field("current", &self.current.0)
            .field("others", &others)
            .field("lookup_key", &"***")
            .finish()
    }
}

impl PiiKeys {
    /// Keys with no older ones.
    pub fn new(key_id: impl Into<String>, key: [u8; 32], lookup_key: [u8; 32]) -> Self {
        Self {
            current: (key_id.into(), key),
            others: HashMap::new(),
            lookup_key,
        }
    }

    /// Fixed, public keys for the embedded demo and tests. Never use them for real data.
    #[must_use]
    pub fn demo() -> Self {
        Self::new("demo-1", [0x5a; 32], [0xa5; 32])
    }

    /// Encrypts under the current key with a fresh random 96-bit nonce.
    ///
    /// # Errors
    /// [`StoreError::Crypto`] if the cipher fails (it does not for valid keys).
    pub fn encrypt(&self, plaintext: &str) -> Result<Sealed, StoreError> {
        let (key_id, key) = &self.current;
        let cipher = Aes256Gcm::new(key.into());
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let body = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: key_id.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Crypto("encryption failed".into()))?;
        let mut ciphertext = Vec::with_capacity(NONCE_LEN + body.len());
        ciphertext.extend_from_slice(&nonce);
        ciphertext.extend_from_slice(&body);
        Ok(Sealed {
            key_id: key_id.clone(),
            ciphertext,
        })
    }

    /// Decrypts with the key named by `key_id` (current or older).
    ///
    /// # Errors
    /// [`StoreError::Crypto`] for an unknown key id, a short or tampered ciphertext.
    pub fn decrypt(&self, key_id: &str, ciphertext: &[u8]) -> Result<String, StoreError> {
        let key = if self.current.0 == key_id {
            &self.current.1
        } else {
            self.others
                .get(key_id)
                .ok_or_else(|| StoreError::Crypto(format!("unknown key id {key_id:?}")))?
        };
        if ciphertext.len() < NONCE_LEN {
            return Err(StoreError::Crypto("ciphertext too short".into()));
        }
        let (nonce, body) = ciphertext.split_at(NONCE_LEN);
        let plain = Aes256Gcm::new(key.into())
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: key_id.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Crypto("ciphertext does not authenticate".into()))?;
        String::from_utf8(plain).map_err(|_| StoreError::Crypto("plaintext is not UTF-8".into()))
    }

    /// The lookup hash of a mobile number: hex HMAC-SHA256 of [`normalise_mobile`].
    #[must_use]
    pub fn lookup_hash(&self, mobile: &str) -> String {
        let normalised = normalise_mobile(mobile);
        // HMAC accepts keys of any length, so this cannot fail for a 32-byte key.
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup_key) else {
            return String::new();
        };
        mac.update(normalised.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r4_round_trip_and_fresh_nonce_per_encryption() {
        let keys = PiiKeys::demo();
        let a = keys.encrypt("13800138000").unwrap();
        let b = keys.encrypt("13800138000").unwrap();
        assert_ne!(a.ciphertext, b.ciphertext, "nonces must differ");
        assert!(!a.ciphertext.windows(11).any(|w| w == b"13800138000"));
        assert_eq!(
            keys.decrypt(&a.key_id, &a.ciphertext).unwrap(),
            "13800138000"
        );
    }

    #[test]
    fn r4_rotated_keys_still_decrypt_old_data() {
        let old = PiiKeys::new("k1", [1; 32], [9; 32]);
        let sealed = old.encrypt("10012345678").unwrap();
        let mut rotated = PiiKeys::new("k2", [2; 32], [9; 32]);
        assert!(rotated.decrypt("k1", &sealed.ciphertext).is_err());
        rotated.others.insert("k1".into(), [1; 32]);
        assert_eq!(
            rotated.decrypt("k1", &sealed.ciphertext).unwrap(),
            "10012345678"
        );
        assert_eq!(rotated.encrypt("x").unwrap().key_id, "k2");
    }

    #[test]
    fn r4_tampering_and_relabelling_are_detected() {
        let mut keys = PiiKeys::new("k1", [1; 32], [0; 32]);
        keys.others.insert("k0".into(), [1; 32]);
        let mut sealed = keys.encrypt("10012345678").unwrap();
        assert!(
            keys.decrypt("k0", &sealed.ciphertext).is_err(),
            "key id is bound as AAD"
        );
        let last = sealed.ciphertext.len() - 1;
        sealed.ciphertext[last] ^= 1;
        assert!(keys.decrypt("k1", &sealed.ciphertext).is_err());
        assert!(keys.decrypt("k1", &[0; 5]).is_err());
    }

    #[test]
    fn r4_lookup_hash_is_keyed_and_normalised() {
        let keys = PiiKeys::new("k", [0; 32], [7; 32]);
        let h = keys.lookup_hash("13800138000");
        assert_eq!(h.len(), 64);
        assert_eq!(keys.lookup_hash("+86 138-0013-8000"), h);
        assert_ne!(keys.lookup_hash("13800138001"), h);
        let other = PiiKeys::new("k", [0; 32], [8; 32]);
        assert_ne!(other.lookup_hash("13800138000"), h);
    }

    proptest::proptest! {
        #[test]
        fn r4_any_text_round_trips_under_any_key(
            text in "\\PC{0,64}",
            key in proptest::array::uniform32(proptest::num::u8::ANY),
            key_id in "[a-z0-9-]{1,12}",
        ) {
            let keys = PiiKeys::new(key_id.clone(), key, [0; 32]);
            let sealed = keys.encrypt(&text).unwrap();
            proptest::prop_assert_eq!(&sealed.key_id, &key_id);
            proptest::prop_assert_eq!(sealed.ciphertext.len(), NONCE_LEN + text.len() + 16);
            proptest::prop_assert_eq!(keys.decrypt(&key_id, &sealed.ciphertext).unwrap(), text);
        }

        #[test]
        fn r4_lookup_ignores_formatting(digits in "1[0-9]{10}") {
            let keys = PiiKeys::demo();
            let formatted = format!("+86 {}-{}-{}", &digits[..3], &digits[3..7], &digits[7..]);
            proptest::prop_assert_eq!(normalise_mobile(&formatted), digits.clone());
            proptest::prop_assert_eq!(keys.lookup_hash(&formatted), keys.lookup_hash(&digits));
        }
    }

    #[test]
    fn debug_never_prints_keys() {
        let text = format!("{:?}", PiiKeys::new("k1", [0x41; 32], [0x42; 32]));
        assert!(text.contains("k1"));
        assert!(!text.contains("65, 65") && !text.contains("66, 66"));
    }
}
