//! Property tests of the callback crypto: round trips and tamper rejection.

use std::time::{Duration, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use dingtalk::callback::{CallbackCrypto, CryptoError};
use proptest::prelude::*;

const KEY: &str = "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus";

fn key_strategy() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9]{43}"
}

proptest! {
    #[test]
    fn round_trip_for_any_utf8_and_owner_key(
        key in key_strategy(),
        token in "[a-zA-Z0-9]{3,32}",
        owner in "\\PC{0,40}",
        msg in "\\PC{0,300}",
        ts in 1_000_000_000_000u64..4_000_000_000_000,
        nonce in "[a-zA-Z0-9]{8,16}",
    ) {
        let c = CallbackCrypto::new(&token, &key, &owner).unwrap();
        let sealed = c.seal(&msg, &ts.to_string(), &nonce);
        let now = UNIX_EPOCH + Duration::from_millis(ts);
        prop_assert_eq!(c.open(&sealed.query(), &sealed.encrypt, now), Ok(msg.clone()));
        prop_assert_eq!(c.decrypt(&c.encrypt(&msg)), Ok(msg));
    }

    #[test]
    fn any_flipped_char_of_encrypt_or_signature_is_rejected(
        msg in "\\PC{0,100}",
        pick in any::<prop::sample::Index>(),
        in_signature in any::<bool>(),
    ) {
        let c = CallbackCrypto::new("token", KEY, "dingowner").unwrap();
        let sealed = c.seal(&msg, "1700000000000", "nonce");
        let now = UNIX_EPOCH + Duration::from_millis(1_700_000_000_000);
        let mut q = sealed.query();
        let mut encrypt = sealed.encrypt.clone();
        let target = if in_signature { &mut q.signature } else { &mut encrypt };
        let i = pick.index(target.len());
        let original = target.as_bytes()[i];
        let replacement = if original == b'A' { 'B' } else { 'A' };
        target.replace_range(i..=i, &replacement.to_string());
        prop_assert!(c.open(&q, &encrypt, now).is_err());
    }

    #[test]
    fn any_flipped_ciphertext_byte_fails_signature(
        msg in "\\PC{0,100}",
        pick in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let c = CallbackCrypto::new("token", KEY, "dingowner").unwrap();
        let sealed = c.seal(&msg, "1700000000", "nonce");
        let mut raw = STANDARD.decode(&sealed.encrypt).unwrap();
        let i = pick.index(raw.len());
        raw[i] ^= 1 << bit;
        let tampered = STANDARD.encode(&raw);
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        prop_assert_eq!(
            c.open(&sealed.query(), &tampered, now),
            Err(CryptoError::SignatureMismatch)
        );
    }

    #[test]
    fn wrong_owner_key_is_its_own_error(msg in "\\PC{0,100}", owner in "[a-z0-9]{1,20}") {
        let sender = CallbackCrypto::new("token", KEY, &owner).unwrap();
        let receiver = CallbackCrypto::new("token", KEY, &format!("{owner}x")).unwrap();
        prop_assert_eq!(receiver.decrypt(&sender.encrypt(&msg)), Err(CryptoError::OwnerKeyMismatch));
    }

    #[test]
    fn stale_timestamp_is_its_own_error(late_by in 301u64..10_000_000) {
        let c = CallbackCrypto::new("token", KEY, "o").unwrap();
        let sealed = c.seal("x", "1700000000", "n");
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000 + late_by);
        prop_assert_eq!(c.open(&sealed.query(), &sealed.encrypt, now), Err(CryptoError::StaleTimestamp));
    }
}

/// Encrypts a raw buffer with the same key/iv, bypassing the message framing.
fn encrypt_raw(plain: &[u8]) -> String {
    use aes::cipher::block_padding::NoPadding;
    use aes::cipher::{BlockEncryptMut, KeyIvInit};
    let key: [u8; 32] = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    )
    .decode(format!("{KEY}="))
    .unwrap()
    .try_into()
    .unwrap();
    let mut buf = plain.to_vec();
    let len = buf.len();
    let iv: [u8; 16] = key[..16].try_into().unwrap();
    let out = cbc::Encryptor::<aes::Aes256>::new(&key.into(), &iv.into())
        .encrypt_padded_mut::<NoPadding>(&mut buf, len)
        .unwrap()
        .to_vec();
    STANDARD.encode(out)
}

#[test]
fn bad_padding_is_its_own_error() {
    let c = CallbackCrypto::new("token", KEY, "o").unwrap();
    let mut zero_pad = vec![b'a'; 32];
    zero_pad[31] = 0;
    assert_eq!(
        c.decrypt(&encrypt_raw(&zero_pad)),
        Err(CryptoError::BadPadding)
    );
    let mut too_big = vec![b'a'; 64];
    too_big[63] = 33;
    assert_eq!(
        c.decrypt(&encrypt_raw(&too_big)),
        Err(CryptoError::BadPadding)
    );
}

#[test]
fn declared_length_beyond_buffer_is_a_length_mismatch() {
    let c = CallbackCrypto::new("token", KEY, "o").unwrap();
    let mut buf = vec![b'r'; 16];
    buf.extend_from_slice(&1000u32.to_be_bytes());
    buf.extend_from_slice(b"short");
    let pad = 32 - buf.len() % 32;
    buf.resize(buf.len() + pad, pad as u8);
    assert_eq!(
        c.decrypt(&encrypt_raw(&buf)),
        Err(CryptoError::LengthMismatch)
    );
}

#[test]
fn invalid_utf8_is_its_own_error() {
    let c = CallbackCrypto::new("token", KEY, "o").unwrap();
    let mut buf = vec![b'r'; 16];
    buf.extend_from_slice(&2u32.to_be_bytes());
    buf.extend_from_slice(&[0xff, 0xfe]);
    buf.push(b'o');
    let pad = 32 - buf.len() % 32;
    buf.resize(buf.len() + pad, pad as u8);
    assert_eq!(c.decrypt(&encrypt_raw(&buf)), Err(CryptoError::Utf8));
}

#[test]
fn malformed_ciphertext_errors() {
    let c = CallbackCrypto::new("token", KEY, "o").unwrap();
    assert_eq!(c.decrypt("not base64!"), Err(CryptoError::Base64));
    assert_eq!(c.decrypt(""), Err(CryptoError::CiphertextLength));
    assert_eq!(
        c.decrypt(&STANDARD.encode([0u8; 17])),
        Err(CryptoError::CiphertextLength)
    );
}

#[test]
fn non_numeric_timestamp_is_invalid() {
    let c = CallbackCrypto::new("token", KEY, "o").unwrap();
    let sealed = c.seal("x", "yesterday", "n");
    assert_eq!(
        c.open(&sealed.query(), &sealed.encrypt, UNIX_EPOCH),
        Err(CryptoError::InvalidTimestamp)
    );
}
