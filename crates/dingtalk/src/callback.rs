//! DingTalk HTTP event callbacks (事件订阅 HTTP 推送): the encryption scheme, the query string
//! DingTalk signs, and the sealed reply it expects; plus the HMAC signature of HTTP-mode card
//! callbacks.
//!
//! Everything here is pure: no I/O, and the current time is always passed in, so the
//! application's HTTP route and the simulator share one verified implementation.

mod card;
mod crypto;
mod error;
mod query;

pub use card::{
    CARD_SIGNATURE_HEADER, CARD_TIMESTAMP_HEADER, card_callback_signature, verify_card_callback,
};
pub use crypto::CallbackCrypto;
pub use error::CryptoError;
pub use query::{CallbackQuery, SealedMessage};
