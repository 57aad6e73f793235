use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aes::Aes256;
use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::{DecodePaddingMode, general_purpose};
use rand::Rng;
use rand::distributions::Alphanumeric;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

use super::{CallbackQuery, CryptoError, SealedMessage};

/// DingTalk pads to 32 bytes (not the AES block size); confirmed by the official vectors.
const PAD_BLOCK: usize = 32;
const RANDOM_LEN: usize = 16;
const LEN_PREFIX: usize = 4;
const AES_BLOCK: usize = 16;
const DEFAULT_WINDOW: Duration = Duration::from_secs(5 * 60);
/// Timestamps above this are milliseconds (as seconds they would be past the year 5000).
const MILLIS_THRESHOLD: u64 = 100_000_000_000;

/// Lenient decoder for the 43-character EncodingAESKey: most real keys carry non-zero trailing
/// bits in their last character, which a strict decoder rejects.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Callback encryption for one app subscription: token, AES key and owner key
/// (AppKey for console subscriptions, CorpId for `register_call_back`, SuiteKey for ISVs).
///
/// ```
/// use dingtalk::callback::CallbackCrypto;
/// let crypto = CallbackCrypto::new("123456", "1234567890123456789012345678901234567890123", "dingsnotzck6pm5veliw")?;
/// let sealed = crypto.seal("success", "1614767836", "A7Co0cJLMzIDtMMI");
/// assert_eq!(crypto.decrypt(&sealed.encrypt)?, "success");
/// # Ok::<(), dingtalk::callback::CryptoError>(())
/// ```
#[derive(Clone)]
pub struct CallbackCrypto {
    token: String,
    key: [u8; 32],
    owner_key: String,
    freshness_window: Duration,
}

impl fmt::Debug for CallbackCrypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackCrypto")
            .field("token", &"<redacted>")
            .field("key", &"<redacted>")
            .field("owner_key", &self.owner_key)
            .field("freshness_window", &self.freshness_window)
            .finish()
    }
}

impl CallbackCrypto {
    /// Builds the crypto from the console values.
    ///
    /// `encoding_aes_key` must be 43 characters; it is decoded leniently (an `=` is appended and
    /// non-zero trailing bits are allowed).
    ///
    /// # Errors
    /// [`CryptoError::InvalidAesKey`] when the key is not 43 characters of base64 decoding to 32
    /// bytes.
    pub fn new(token: &str, encoding_aes_key: &str, owner_key: &str) -> Result<Self, CryptoError> {
        if encoding_aes_key.len() != 43 {
            return Err(CryptoError::InvalidAesKey);
        }
        let decoded = LENIENT
            .decode(format!("{encoding_aes_key}="))
            .map_err(|_| CryptoError::InvalidAesKey)?;
        let key: [u8; 32] = decoded.try_into().map_err(|_| CryptoError::InvalidAesKey)?;
        Ok(Self {
            token: token.to_owned(),
            key,
            owner_key: owner_key.to_owned(),
            freshness_window: DEFAULT_WINDOW,
        })
    }

    /// Replaces the timestamp freshness window used by [`open`](Self::open) (default 5 minutes).
    #[must_use]
    pub fn with_freshness_window(mut self, window: Duration) -> Self {
        self.freshness_window = window;
        self
    }

    /// The owner key appended to every plaintext (AppKey, CorpId or SuiteKey).
    pub fn owner_key(&self) -> &str {
        &self.owner_key
    }

    /// Lowercase hex SHA1 of the lexicographically sorted `[token, timestamp, nonce, encrypt]`,
    /// concatenated.
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypt: &str) -> String {
        let mut parts = [self.token.as_str(), timestamp, nonce, encrypt];
        parts.sort_unstable();
        let mut hasher = Sha1::new();
        for part in parts {
            hasher.update(part.as_bytes());
        }
        hex::encode(hasher.finalize())
    }

    /// Encrypts deterministically with the given 16-byte prefix:
    /// `random16 || u32be(len) || msg || owner_key`, PKCS#7-padded to 32 bytes,
    /// AES-256-CBC with `iv = key[..16]`, standard base64.
    pub fn encrypt_with_prefix(&self, plaintext: &str, random16: &[u8; 16]) -> String {
        let msg = plaintext.as_bytes();
        let body_len = RANDOM_LEN + LEN_PREFIX + msg.len() + self.owner_key.len();
        let pad = PAD_BLOCK - body_len % PAD_BLOCK;
        let mut buf = Vec::with_capacity(body_len + pad);
        buf.extend_from_slice(random16);
        // DingTalk's wire format has a 32-bit length; longer messages cannot be represented.
        let declared = u32::try_from(msg.len()).unwrap_or(u32::MAX);
        buf.extend_from_slice(&declared.to_be_bytes());
        buf.extend_from_slice(msg);
        buf.extend_from_slice(self.owner_key.as_bytes());
        // `pad` is in 1..=32, so it always fits a byte.
        buf.resize(body_len + pad, pad as u8);
        let len = buf.len();
        let encryptor = cbc::Encryptor::<Aes256>::new(&self.key.into(), self.iv().into());
        let ciphertext = match encryptor.encrypt_padded_mut::<NoPadding>(&mut buf, len) {
            Ok(ciphertext) => ciphertext,
            // Unreachable: the buffer is a whole number of 32-byte blocks.
            Err(_) => &[],
        };
        STANDARD.encode(ciphertext)
    }

    /// Encrypts with a fresh random 16-character ASCII alphanumeric prefix.
    pub fn encrypt(&self, plaintext: &str) -> String {
        let mut prefix = [0u8; RANDOM_LEN];
        for (slot, byte) in prefix
            .iter_mut()
            .zip(rand::thread_rng().sample_iter(&Alphanumeric))
        {
            *slot = byte;
        }
        self.encrypt_with_prefix(plaintext, &prefix)
    }

    /// Decrypts an `encrypt` field and checks padding, declared length and owner key.
    ///
    /// This does **not** check the signature; use [`open`](Self::open) for untrusted input.
    ///
    /// # Errors
    /// [`CryptoError::Base64`], [`CryptoError::CiphertextLength`], [`CryptoError::BadPadding`],
    /// [`CryptoError::LengthMismatch`], [`CryptoError::OwnerKeyMismatch`] or
    /// [`CryptoError::Utf8`], one per failed check.
    pub fn decrypt(&self, encrypt: &str) -> Result<String, CryptoError> {
        let mut buf = general_purpose::STANDARD
            .decode(encrypt)
            .map_err(|_| CryptoError::Base64)?;
        if buf.is_empty() || buf.len() % AES_BLOCK != 0 {
            return Err(CryptoError::CiphertextLength);
        }
        let decryptor = cbc::Decryptor::<Aes256>::new(&self.key.into(), self.iv().into());
        let plain = decryptor
            .decrypt_padded_mut::<NoPadding>(&mut buf)
            .map_err(|_| CryptoError::CiphertextLength)?;
        let unpadded = strip_padding(plain)?;
        if unpadded.len() < RANDOM_LEN + LEN_PREFIX {
            return Err(CryptoError::LengthMismatch);
        }
        let mut declared = [0u8; LEN_PREFIX];
        declared.copy_from_slice(&unpadded[RANDOM_LEN..RANDOM_LEN + LEN_PREFIX]);
        let declared = usize::try_from(u32::from_be_bytes(declared))
            .map_err(|_| CryptoError::LengthMismatch)?;
        let rest = &unpadded[RANDOM_LEN + LEN_PREFIX..];
        if declared > rest.len() {
            return Err(CryptoError::LengthMismatch);
        }
        let (msg, owner) = rest.split_at(declared);
        if owner != self.owner_key.as_bytes() {
            return Err(CryptoError::OwnerKeyMismatch);
        }
        String::from_utf8(msg.to_vec()).map_err(|_| CryptoError::Utf8)
    }

    /// Verifies the signature (constant time), the timestamp freshness against `now` (seconds or
    /// milliseconds accepted), then decrypts.
    ///
    /// # Errors
    /// [`CryptoError::SignatureMismatch`], [`CryptoError::InvalidTimestamp`],
    /// [`CryptoError::StaleTimestamp`], or any error of [`decrypt`](Self::decrypt).
    pub fn open(
        &self,
        q: &CallbackQuery,
        encrypt: &str,
        now: SystemTime,
    ) -> Result<String, CryptoError> {
        let expected = self.signature(&q.timestamp, &q.nonce, encrypt);
        if !bool::from(expected.as_bytes().ct_eq(q.signature.as_bytes())) {
            return Err(CryptoError::SignatureMismatch);
        }
        self.check_fresh(&q.timestamp, now)?;
        self.decrypt(encrypt)
    }

    /// Encrypts and signs any plaintext into DingTalk's reply/push shape.
    pub fn seal(&self, plaintext: &str, timestamp: &str, nonce: &str) -> SealedMessage {
        let encrypt = self.encrypt(plaintext);
        SealedMessage {
            msg_signature: self.signature(timestamp, nonce, &encrypt),
            time_stamp: timestamp.to_owned(),
            nonce: nonce.to_owned(),
            encrypt,
        }
    }

    /// Seals `plaintext` as DingTalk would push it at `now` (millisecond timestamp, random
    /// 16-character nonce). Tests use it to post valid encrypted events to a callback route:
    /// the query is [`SealedMessage::query`], the body [`SealedMessage::push_body`].
    pub fn seal_at(&self, plaintext: &str, now: SystemTime) -> SealedMessage {
        let millis = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_millis());
        self.seal(plaintext, &millis.to_string(), &random_nonce())
    }

    /// The reply DingTalk requires to mark a delivery successful: encrypted `"success"` with a
    /// millisecond timestamp and a 16-character nonce.
    pub fn seal_success(&self, now: SystemTime) -> SealedMessage {
        self.seal_at("success", now)
    }

    fn iv(&self) -> &[u8; 16] {
        let (iv, _) = self
            .key
            .split_first_chunk::<16>()
            .unwrap_or((&[0; 16], &[]));
        iv
    }

    fn check_fresh(&self, timestamp: &str, now: SystemTime) -> Result<(), CryptoError> {
        let value: u64 = timestamp
            .trim()
            .parse()
            .map_err(|_| CryptoError::InvalidTimestamp)?;
        let sent = if value > MILLIS_THRESHOLD {
            Duration::from_millis(value)
        } else {
            Duration::from_secs(value)
        };
        let now = now
            .duration_since(UNIX_EPOCH)
            .map_err(|_| CryptoError::InvalidTimestamp)?;
        let skew = now.abs_diff(sent);
        if skew > self.freshness_window {
            return Err(CryptoError::StaleTimestamp);
        }
        Ok(())
    }
}

fn random_nonce() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(RANDOM_LEN)
        .map(char::from)
        .collect()
}

/// Strips PKCS#7 padding with DingTalk's 32-byte block.
fn strip_padding(buf: &[u8]) -> Result<&[u8], CryptoError> {
    let Some(&last) = buf.last() else {
        return Err(CryptoError::BadPadding);
    };
    let pad = usize::from(last);
    if pad == 0 || pad > PAD_BLOCK || pad > buf.len() {
        return Err(CryptoError::BadPadding);
    }
    let (body, padding) = buf.split_at(buf.len() - pad);
    if padding.iter().any(|&b| b != last) {
        return Err(CryptoError::BadPadding);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus";

    #[test]
    fn rejects_keys_of_the_wrong_length_or_alphabet() {
        assert_eq!(
            CallbackCrypto::new("t", &KEY[..42], "o").err(),
            Some(CryptoError::InvalidAesKey)
        );
        let bad = format!("{}!", &KEY[..42]);
        assert_eq!(
            CallbackCrypto::new("t", &bad, "o").err(),
            Some(CryptoError::InvalidAesKey)
        );
    }

    #[test]
    fn padding_is_pkcs7_with_block_32() {
        assert_eq!(strip_padding(&[b'a', 1]), Ok(&b"a"[..]));
        assert_eq!(strip_padding(&[b'a', 0]), Err(CryptoError::BadPadding));
        assert_eq!(strip_padding(&[b'a', 33]), Err(CryptoError::BadPadding));
        assert_eq!(strip_padding(&[b'a', 2, 3]), Err(CryptoError::BadPadding));
        assert_eq!(strip_padding(&[32; 32]), Ok(&b""[..]));
    }

    #[test]
    fn freshness_accepts_seconds_and_millis_within_window() {
        let crypto = CallbackCrypto::new("t", KEY, "o")
            .map(|c| c.with_freshness_window(Duration::from_secs(60)))
            .unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(crypto.check_fresh("1700000030", now), Ok(()));
        assert_eq!(crypto.check_fresh("1699999940000", now), Ok(()));
        assert_eq!(
            crypto.check_fresh("1699999939", now),
            Err(CryptoError::StaleTimestamp)
        );
        assert_eq!(
            crypto.check_fresh("1700000061000", now),
            Err(CryptoError::StaleTimestamp)
        );
        assert_eq!(
            crypto.check_fresh("soon", now),
            Err(CryptoError::InvalidTimestamp)
        );
    }
}
