//! Stream frames (API.md §4.2–4.3): what the server sends and the ACKs the client answers.

use serde::Deserialize;
use serde_json::{Map, Value, json};

/// Frame types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameType {
    System,
    Event,
    Callback,
    Other,
}

/// A server → client frame; `data` is a JSON string.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Frame {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    pub(crate) headers: Map<String, Value>,
    #[serde(default)]
    pub(crate) data: Option<String>,
}

impl Frame {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    pub(crate) fn frame_type(&self) -> FrameType {
        match self.kind.to_ascii_uppercase().as_str() {
            "SYSTEM" => FrameType::System,
            "EVENT" => FrameType::Event,
            "CALLBACK" => FrameType::Callback,
            _ => FrameType::Other,
        }
    }

    /// A header as a string (DingTalk sends strings; numbers are tolerated).
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        match self.headers.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    pub(crate) fn topic(&self) -> String {
        self.header("topic").unwrap_or_default()
    }

    pub(crate) fn message_id(&self) -> Option<String> {
        self.header("messageId").filter(|id| !id.is_empty())
    }

    /// `data` parsed from its JSON string (`Null` when absent or not JSON).
    pub(crate) fn data_value(&self) -> Value {
        self.data
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or(Value::Null)
    }
}

/// Builds an ACK: `{"code","headers":{"messageId","contentType"},"message","data":"<string>"}`.
pub(crate) fn ack(message_id: &str, code: u16, message: &str, data: &str) -> String {
    json!({
        "code": code,
        "headers": { "messageId": message_id, "contentType": "application/json" },
        "message": message,
        "data": data,
    })
    .to_string()
}

/// `data` of an EVENT ACK.
pub(crate) fn event_status(success: bool) -> String {
    if success {
        json!({ "status": "SUCCESS", "message": "success" }).to_string()
    } else {
        json!({ "status": "LATER", "message": "handler failed; redeliver later" }).to_string()
    }
}

/// `data` of a CALLBACK ACK.
pub(crate) fn callback_response(response: Option<Value>) -> String {
    json!({ "response": response.unwrap_or(Value::Null) }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_event_frame_with_string_data() {
        let frame = Frame::parse(
            r#"{"specVersion":"1.0","type":"EVENT","headers":{"topic":"*","messageId":"m1","eventType":"user_add_org","eventBornTime":"1683533823336"},"data":"{\"UserId\":[\"u1\"]}"}"#,
        )
        .unwrap();
        assert_eq!(frame.frame_type(), FrameType::Event);
        assert_eq!(frame.message_id().as_deref(), Some("m1"));
        assert_eq!(
            frame.header("eventBornTime").as_deref(),
            Some("1683533823336")
        );
        assert_eq!(frame.data_value()["UserId"][0], "u1");
    }

    #[test]
    fn ack_has_the_protocol_shape() {
        let text = ack("m1", 200, "OK", &event_status(true));
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["code"], 200);
        assert_eq!(value["headers"]["messageId"], "m1");
        assert_eq!(value["headers"]["contentType"], "application/json");
        assert_eq!(value["message"], "OK");
        let data: Value = serde_json::from_str(value["data"].as_str().unwrap()).unwrap();
        assert_eq!(data["status"], "SUCCESS");
        let later: Value = serde_json::from_str(&event_status(false)).unwrap();
        assert_eq!(later["status"], "LATER");
        let response: Value =
            serde_json::from_str(&callback_response(Some(json!({"cardData": {}})))).unwrap();
        assert_eq!(response["response"]["cardData"], json!({}));
    }
}
