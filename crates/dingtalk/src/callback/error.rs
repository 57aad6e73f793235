use thiserror::Error;

/// Why a callback message could not be verified, decrypted or built.
///
/// Each check has its own variant so callers (and tests) can tell a forged signature from a
/// replay or from a misconfigured key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The EncodingAESKey is not 43 base64 characters decoding to 32 bytes.
    #[error("invalid EncodingAESKey: expected 43 base64 characters decoding to 32 bytes")]
    InvalidAesKey,
    /// The signature in the query does not match the computed one.
    #[error("callback signature mismatch")]
    SignatureMismatch,
    /// The timestamp is outside the freshness window (possible replay).
    #[error("callback timestamp outside the freshness window")]
    StaleTimestamp,
    /// The timestamp is not a decimal number of seconds or milliseconds.
    #[error("callback timestamp is not a decimal number")]
    InvalidTimestamp,
    /// The `encrypt` field is not standard base64.
    #[error("encrypt field is not valid base64")]
    Base64,
    /// The ciphertext is empty or not a whole number of AES blocks.
    #[error("ciphertext length is not a positive multiple of the AES block size")]
    CiphertextLength,
    /// The decrypted buffer does not end in valid PKCS#7 padding (block size 32).
    #[error("decrypted message has invalid padding")]
    BadPadding,
    /// The declared message length does not fit the decrypted buffer.
    #[error("declared message length does not match the decrypted buffer")]
    LengthMismatch,
    /// The trailing owner key (AppKey, CorpId or SuiteKey) is not the expected one.
    #[error("owner key in the message does not match the configured one")]
    OwnerKeyMismatch,
    /// The message is not valid UTF-8.
    #[error("decrypted message is not valid UTF-8")]
    Utf8,
}
