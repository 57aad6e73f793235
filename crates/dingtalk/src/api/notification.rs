//! Work notifications (工作通知, API.md §7): sent by the micro-app to users' DingTalk.

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::json_endpoint;
use crate::Client;
use crate::error::DingTalkError;
use crate::ids::{DeptId, MediaId, UserId};

/// A work-notification message (`msg`), serialised as `{"msgtype": kind, kind: {...}}`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WorkMessage {
    /// Plain text.
    Text {
        /// The text.
        content: String,
    },
    /// Markdown (text ≤ 5000 characters).
    Markdown {
        /// Title shown in the conversation list.
        title: String,
        /// Markdown body.
        text: String,
    },
    /// A link card.
    Link {
        /// Target URL.
        message_url: String,
        /// Picture (URL or media id).
        pic_url: String,
        /// Title.
        title: String,
        /// Summary.
        text: String,
    },
    /// An action card with one button.
    ActionCard {
        /// Title.
        title: String,
        /// Markdown body.
        markdown: String,
        /// Button text.
        single_title: String,
        /// Button URL (e.g. a `dingtalk://` micro-app link).
        single_url: String,
    },
    /// An uploaded image.
    Image {
        /// From [`Client::upload_media`](crate::Client::upload_media).
        media_id: MediaId,
    },
}

impl Serialize for WorkMessage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Text<'a> {
            content: &'a str,
        }
        #[derive(Serialize)]
        struct Markdown<'a> {
            title: &'a str,
            text: &'a str,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Link<'a> {
            message_url: &'a str,
            pic_url: &'a str,
            title: &'a str,
            text: &'a str,
        }
        #[derive(Serialize)]
        struct ActionCard<'a> {
            title: &'a str,
            markdown: &'a str,
            single_title: &'a str,
            single_url: &'a str,
        }
        #[derive(Serialize)]
        struct Image<'a> {
            media_id: &'a MediaId,
        }
        let mut map = serializer.serialize_map(Some(2))?;
        match self {
            Self::Text { content } => {
                map.serialize_entry("msgtype", "text")?;
                map.serialize_entry("text", &Text { content })?;
            }
            Self::Markdown { title, text } => {
                map.serialize_entry("msgtype", "markdown")?;
                map.serialize_entry("markdown", &Markdown { title, text })?;
            }
            Self::Link {
                message_url,
                pic_url,
                title,
                text,
            } => {
                map.serialize_entry("msgtype", "link")?;
                map.serialize_entry(
                    "link",
                    &Link {
                        message_url,
                        pic_url,
                        title,
                        text,
                    },
                )?;
            }
            Self::ActionCard {
                title,
                markdown,
                single_title,
                single_url,
            } => {
                map.serialize_entry("msgtype", "action_card")?;
                map.serialize_entry(
                    "action_card",
                    &ActionCard {
                        title,
                        markdown,
                        single_title,
                        single_url,
                    },
                )?;
            }
            Self::Image { media_id } => {
                map.serialize_entry("msgtype", "image")?;
                map.serialize_entry("image", &Image { media_id })?;
            }
        }
        map.end()
    }
}

/// `POST /topapi/message/corpconversation/asyncsend_v2`.
///
/// Not idempotent (a repeat may notify twice, though DingTalk drops identical content to the
/// same user on the same day); retried only when refused. DingTalk silently drops recipients
/// over its limits: check [`Client::work_notification_result`].
#[derive(Debug, Clone, Serialize)]
pub struct SendWorkNotification {
    /// The micro-app.
    pub agent_id: i64,
    /// Recipients, comma-separated on the wire (≤ 100).
    #[serde(serialize_with = "comma_list", skip_serializing_if = "Vec::is_empty")]
    pub userid_list: Vec<UserId>,
    /// Departments (sub-departments included), comma-separated (≤ 20).
    #[serde(serialize_with = "comma_list", skip_serializing_if = "Vec::is_empty")]
    pub dept_id_list: Vec<DeptId>,
    /// Everyone in the organisation.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub to_all_user: bool,
    /// The message.
    pub msg: WorkMessage,
}

fn comma_list<T: std::fmt::Display, S: Serializer>(
    items: &[T],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let joined = items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    serializer.serialize_str(&joined)
}

/// `{"task_id"}`.
#[derive(Debug, Clone, Deserialize)]
pub struct SentWorkNotification {
    /// Handle for [`Client::work_notification_result`].
    pub task_id: i64,
}

json_endpoint!(SendWorkNotification => SentWorkNotification, Oapi, POST, "/topapi/message/corpconversation/asyncsend_v2", OnlyIfNotProcessed);

/// `POST /topapi/message/corpconversation/getsendresult {agent_id, task_id}`.
#[derive(Debug, Clone, Serialize)]
pub struct GetWorkNotificationResult {
    /// The micro-app.
    pub agent_id: i64,
    /// From the send call (≤ 24 h old).
    pub task_id: i64,
}

/// `{"send_result": {...}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkNotificationResultEnvelope {
    /// The result.
    pub send_result: WorkNotificationResult,
}

/// Who got the notification and who did not.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WorkNotificationResult {
    /// Unknown user ids.
    pub invalid_user_id_list: Vec<UserId>,
    /// Users dropped by a limit (see `forbidden_list`).
    pub forbidden_user_id_list: Vec<UserId>,
    /// Users the send failed for.
    pub failed_user_id_list: Vec<UserId>,
    /// Users who read it.
    pub read_user_id_list: Vec<UserId>,
    /// Users who have not read it yet.
    pub unread_user_id_list: Vec<UserId>,
    /// Unknown departments.
    pub invalid_dept_id_list: Vec<DeptId>,
    /// Why users were dropped: `143105` daily cap, `143106` same content today, ...
    pub forbidden_list: Vec<ForbiddenEntry>,
}

/// One dropped recipient.
#[derive(Debug, Clone, Deserialize)]
pub struct ForbiddenEntry {
    /// Limit code (a number or a string on the wire).
    #[serde(deserialize_with = "super::string_or_number")]
    pub code: String,
    /// How many messages.
    #[serde(default)]
    pub count: i64,
    /// The user.
    #[serde(rename = "userid")]
    pub user_id: UserId,
}

json_endpoint!(GetWorkNotificationResult => WorkNotificationResultEnvelope, Oapi, POST, "/topapi/message/corpconversation/getsendresult", Idempotent);

impl Client {
    /// Sends a work notification to users as the configured micro-app (`agent_id` required).
    ///
    /// # Errors
    /// [`DingTalkError::Config`] without an agent id; [`DingTalkError::Api`] otherwise.
    pub async fn send_work_notification(
        &self,
        user_ids: &[UserId],
        msg: WorkMessage,
    ) -> Result<i64, DingTalkError> {
        let request = SendWorkNotification {
            agent_id: self.required_agent_id()?,
            userid_list: user_ids.to_vec(),
            dept_id_list: Vec::new(),
            to_all_user: false,
            msg,
        };
        Ok(self.send(&request).await?.task_id)
    }

    /// Who received a work notification.
    ///
    /// # Errors
    /// [`DingTalkError::Config`] without an agent id; [`DingTalkError::Api`] otherwise.
    pub async fn work_notification_result(
        &self,
        task_id: i64,
    ) -> Result<WorkNotificationResult, DingTalkError> {
        let request = GetWorkNotificationResult {
            agent_id: self.required_agent_id()?,
            task_id,
        };
        Ok(self.send(&request).await?.send_result)
    }
}
