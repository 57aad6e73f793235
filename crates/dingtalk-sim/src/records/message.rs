//! Work notifications (工作通知), robot group messages and uploaded media (API.md §7–9).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One `asyncsend_v2` call and what happened to each recipient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkNotification {
    /// `task_id` returned to the caller.
    pub task_id: i64,
    /// Agent id of the call.
    pub agent_id: i64,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// `userid_list` as split.
    pub user_ids: Vec<String>,
    /// `dept_id_list` as split.
    pub dept_ids: Vec<i64>,
    /// `to_all_user`.
    pub to_all_user: bool,
    /// The `msg` object.
    pub msg: Value,
    /// Users who actually received it.
    pub delivered: Vec<String>,
    /// Unknown user ids.
    pub invalid_user_ids: Vec<String>,
    /// Unknown department ids.
    pub invalid_dept_ids: Vec<i64>,
    /// Recipients silently dropped by a limit: `(code, userid)` with 143105 daily cap or
    /// 143106 same content today.
    pub forbidden: Vec<(i64, String)>,
}

/// One robot group message (`/v1.0/robot/groupMessages/send`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupMessage {
    /// Returned `processQueryKey`.
    pub process_query_key: String,
    /// Robot code.
    pub robot_code: String,
    /// Target group.
    pub open_conversation_id: String,
    /// `sampleText`, `sampleMarkdown`...
    pub msg_key: String,
    /// `msgParam` parsed from its JSON string.
    pub msg_param: Value,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
}

/// One uploaded media file (`/media/upload`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Media {
    /// `media_id`.
    pub media_id: String,
    /// `image`, `voice`, `video` or `file`.
    pub media_type: String,
    /// File name of the part.
    pub file_name: String,
    /// Content type of the part.
    pub content_type: String,
    /// Size in bytes.
    pub size: usize,
    /// `created_at` (ms).
    pub created_at: i64,
}

/// A group chat (群) the app's robot may post into (`robot/groupMessages/send`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// `openConversationId` (`cid...==`).
    pub open_conversation_id: String,
    /// Group title (≤ 30 characters in DingTalk).
    pub title: String,
    /// Members' user ids.
    pub member_user_ids: Vec<String>,
    /// Robot codes of the robots added to the group (an internal app's robot code is its
    /// AppKey).
    pub robot_codes: Vec<String>,
    /// The department the group belongs to (a department group), when any.
    #[serde(default)]
    pub dept_id: Option<i64>,
}

impl Group {
    /// A stable `openConversationId` for a seed name (DingTalk's ids are opaque base64 text).
    pub fn conversation_id_for(seed: &str) -> String {
        use base64::Engine;
        use sha1::{Digest, Sha1};
        let digest = Sha1::digest(seed.as_bytes());
        let text = base64::engine::general_purpose::STANDARD.encode(&digest[..15]);
        format!("cid{}==", text.replace(['+', '/'], "x"))
    }
}
