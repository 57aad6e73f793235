//! Enterprise robot group messages (企业机器人, API.md §8.1).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::json_endpoint;
use crate::Client;
use crate::error::DingTalkError;
use crate::ids::{OpenConversationId, RobotCode};

/// A robot message: its `msgKey` and `msgParam` object.
#[derive(Debug, Clone, PartialEq)]
pub struct RobotMessage {
    /// `sampleText`, `sampleMarkdown`, `sampleActionCard`, ...
    pub msg_key: String,
    /// The parameters, sent as a JSON string.
    pub msg_param: Value,
}

impl RobotMessage {
    /// `sampleText {content}`.
    pub fn text(content: &str) -> Self {
        Self {
            msg_key: "sampleText".into(),
            msg_param: json!({ "content": content }),
        }
    }

    /// `sampleMarkdown {title, text}`.
    pub fn markdown(title: &str, text: &str) -> Self {
        Self {
            msg_key: "sampleMarkdown".into(),
            msg_param: json!({ "title": title, "text": text }),
        }
    }

    /// `sampleActionCard {title, text, singleTitle, singleURL}`: markdown with one button.
    pub fn action_card(title: &str, text: &str, button_title: &str, button_url: &str) -> Self {
        Self {
            msg_key: "sampleActionCard".into(),
            msg_param: json!({
                "title": title,
                "text": text,
                "singleTitle": button_title,
                "singleURL": button_url,
            }),
        }
    }
}

/// `POST /v1.0/robot/groupMessages/send`. Not idempotent (no dedupe key): retried only when
/// refused.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendGroupMessage {
    /// The robot (an internal app's robot code is its AppKey).
    pub robot_code: RobotCode,
    /// The group.
    pub open_conversation_id: OpenConversationId,
    /// Message kind.
    pub msg_key: String,
    /// Message parameters as a JSON **string** (≤ 15 000 bytes).
    pub msg_param: String,
}

impl SendGroupMessage {
    /// Builds the request, stringifying the message parameters.
    pub fn new(
        robot_code: RobotCode,
        open_conversation_id: OpenConversationId,
        message: &RobotMessage,
    ) -> Self {
        Self {
            robot_code,
            open_conversation_id,
            msg_key: message.msg_key.clone(),
            msg_param: message.msg_param.to_string(),
        }
    }
}

/// `{"processQueryKey"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SentGroupMessage {
    /// Handle to query or recall the message.
    pub process_query_key: String,
}

json_endpoint!(SendGroupMessage => SentGroupMessage, Api, POST, "/v1.0/robot/groupMessages/send", OnlyIfNotProcessed);

impl Client {
    /// Posts a message into a group as the app's robot (robot code = AppKey); answers the
    /// `processQueryKey`.
    ///
    /// # Errors
    /// [`DingTalkError::Api`] (HTTP 400, not retryable): `invalid.openConversationId` for an
    /// unknown group, `invalidParameter.robotCode.notExsit` for a group the robot is not in;
    /// [`DingTalkError::is_group_refusal`] tells these apart so the caller marks the delivery
    /// failed.
    pub async fn send_group_message(
        &self,
        conversation: &OpenConversationId,
        message: &RobotMessage,
    ) -> Result<String, DingTalkError> {
        let request = SendGroupMessage::new(
            RobotCode::new(self.app_key()),
            conversation.clone(),
            message,
        );
        Ok(self.send(&request).await?.process_query_key)
    }
}
