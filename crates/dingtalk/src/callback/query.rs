use serde::{Deserialize, Serialize};

/// The signed query string DingTalk appends to a callback URL.
///
/// DingTalk's pages disagree on the names, so both spellings are accepted:
/// `signature` or `msg_signature`, `timestamp` or `timeStamp`. When both are present the
/// first spelling wins.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawCallbackQuery")]
pub struct CallbackQuery {
    /// Lowercase hex SHA1 signature (`signature` / `msg_signature`).
    pub signature: String,
    /// Timestamp in seconds or milliseconds, as sent (`timestamp` / `timeStamp`).
    pub timestamp: String,
    /// Random nonce chosen by the sender.
    pub nonce: String,
}

#[derive(Deserialize)]
struct RawCallbackQuery {
    signature: Option<String>,
    msg_signature: Option<String>,
    timestamp: Option<String>,
    #[serde(rename = "timeStamp")]
    time_stamp: Option<String>,
    nonce: Option<String>,
}

impl TryFrom<RawCallbackQuery> for CallbackQuery {
    type Error = &'static str;

    fn try_from(raw: RawCallbackQuery) -> Result<Self, Self::Error> {
        Ok(Self {
            signature: raw
                .signature
                .or(raw.msg_signature)
                .ok_or("missing field `signature` (or `msg_signature`)")?,
            timestamp: raw
                .timestamp
                .or(raw.time_stamp)
                .ok_or("missing field `timestamp` (or `timeStamp`)")?,
            nonce: raw.nonce.ok_or("missing field `nonce`")?,
        })
    }
}

/// An encrypted, signed message in DingTalk's reply/push shape:
/// `{"msg_signature", "timeStamp", "nonce", "encrypt"}`.
///
/// This is the JSON body a callback endpoint must answer with (the encrypted `"success"`), and
/// what a sender needs to build a push (`encrypt` as the body, the rest as the query).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedMessage {
    /// Lowercase hex SHA1 over the sorted token, timestamp, nonce and ciphertext.
    pub msg_signature: String,
    /// Timestamp as sent.
    #[serde(rename = "timeStamp")]
    pub time_stamp: String,
    /// Random nonce.
    pub nonce: String,
    /// Base64 ciphertext.
    pub encrypt: String,
}

impl SealedMessage {
    /// The JSON body of a push: `{"encrypt": "..."}`.
    pub fn push_body(&self) -> serde_json::Value {
        serde_json::json!({ "encrypt": self.encrypt })
    }

    /// The query string of a push as DingTalk sends it
    /// (`signature=...&timestamp=...&nonce=...`), URL-encoded.
    pub fn query_string(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("signature", &self.msg_signature)
            .append_pair("timestamp", &self.time_stamp)
            .append_pair("nonce", &self.nonce)
            .finish()
    }

    /// The query a receiver would see if this message were pushed to it.
    pub fn query(&self) -> CallbackQuery {
        CallbackQuery {
            signature: self.msg_signature.clone(),
            timestamp: self.time_stamp.clone(),
            nonce: self.nonce.clone(),
        }
    }
}
