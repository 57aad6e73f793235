//! Media upload (API.md §9): `POST /media/upload`, multipart with a `type` field and a file part
//! named `media`. Retried like an idempotent call: a repeat at worst leaves an unused media id.

use std::borrow::Cow;
use std::fmt;

use reqwest::Method;
use serde::Deserialize;

use crate::Client;
use crate::client::decode;
use crate::client::transport::{Call, Payload};
use crate::endpoint::Family;
use crate::error::DingTalkError;
use crate::ids::MediaId;
use crate::retry::RetrySafety;

/// The `type` field; DingTalk caps sizes per type (image/video/file 20 MB, voice 2 MB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaType {
    /// jpg, gif, png, bmp.
    Image,
    /// amr, mp3, wav.
    Voice,
    /// mp4.
    Video,
    /// doc, docx, xls, xlsx, ppt, pptx, zip, pdf, rar.
    File,
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Image => "image",
            Self::Voice => "voice",
            Self::Video => "video",
            Self::File => "file",
        })
    }
}

/// `{"media_id", "created_at", "type"}`.
#[derive(Debug, Clone, Deserialize)]
pub struct UploadedMedia {
    /// Reusable id for messages.
    pub media_id: MediaId,
    /// Upload time, ms since the epoch.
    #[serde(default)]
    pub created_at: i64,
    /// The media type as DingTalk recorded it.
    #[serde(rename = "type", default)]
    pub media_type: String,
}

impl Client {
    /// Uploads a file for use in messages.
    ///
    /// # Errors
    /// [`DingTalkError::Api`] with `40004` (bad type), `40006` (too large), ...
    pub async fn upload_media(
        &self,
        media_type: MediaType,
        file_name: &str,
        content_type: Option<&str>,
        bytes: Vec<u8>,
    ) -> Result<UploadedMedia, DingTalkError> {
        let call = Call {
            family: Family::Oapi,
            method: Method::POST,
            path: Cow::Borrowed("/media/upload"),
            query: Vec::new(),
            payload: Payload::Multipart {
                fields: vec![("type", media_type.to_string())],
                file_field: "media",
                file_name: file_name.to_owned(),
                bytes,
                mime: content_type.map(str::to_owned),
            },
            safety: RetrySafety::Idempotent,
            authenticated: true,
        };
        decode(&self.execute(&call).await?)
    }
}
