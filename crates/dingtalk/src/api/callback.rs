//! `GET /call_back/get_call_back_failed_result`: the events DingTalk could not push (our service
//! was down longer than DingTalk's retries). DingTalk hands each entry out once, so the caller
//! must store what it reads before asking again.

use std::borrow::Cow;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::Client;
use crate::endpoint::{Endpoint, Family};
use crate::error::DingTalkError;
use crate::retry::RetrySafety;

/// The request (no parameters).
#[derive(Debug, Clone, Copy, Default)]
pub struct GetFailedCallbacks;

/// One page of failed pushes.
#[derive(Debug, Clone, Deserialize)]
pub struct FailedCallbacks {
    /// More entries wait; ask again.
    #[serde(default)]
    pub has_more: bool,
    /// The entries, each with `call_back_tag`, `event_time` and its data under a key per tag.
    #[serde(default)]
    pub failed_list: Vec<FailedCallback>,
}

/// One failed push.
#[derive(Debug, Clone, Deserialize)]
pub struct FailedCallback {
    /// The event type (`bpms_instance_change`, `user_add_org`, …).
    pub call_back_tag: String,
    /// When DingTalk produced it (ms since the epoch).
    #[serde(default)]
    pub event_time: Option<i64>,
    /// The rest: the event's data under `bpmsCallBackData`, `callbackData` or the tag itself.
    #[serde(flatten)]
    pub data: Map<String, Value>,
}

impl FailedCallback {
    /// The event as DingTalk would have pushed it (its JSON object with `EventType`), when the
    /// entry carries a JSON object payload.
    #[must_use]
    pub fn event_json(&self) -> Option<Value> {
        let payload = [
            "bpmsCallBackData",
            "callbackData",
            self.call_back_tag.as_str(),
        ]
        .iter()
        .find_map(|key| self.data.get(*key))?;
        let mut object = match payload {
            Value::Object(map) => map.clone(),
            Value::String(text) => match serde_json::from_str::<Value>(text).ok()? {
                Value::Object(map) => map,
                _ => return None,
            },
            _ => return None,
        };
        object
            .entry("EventType")
            .or_insert_with(|| Value::String(self.call_back_tag.clone()));
        Some(Value::Object(object))
    }
}

impl Endpoint for GetFailedCallbacks {
    type Response = FailedCallbacks;
    type Body = ();
    const FAMILY: Family = Family::Oapi;
    const METHOD: Method = Method::GET;

    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/call_back/get_call_back_failed_result")
    }

    fn body(&self) -> Option<&()> {
        None
    }

    fn retry_safety(&self) -> RetrySafety {
        // Each read consumes entries: never repeat a read whose answer may have been lost.
        RetrySafety::OnlyIfNotProcessed
    }
}

impl Client {
    /// One page of the events DingTalk failed to push.
    ///
    /// # Errors
    /// [`DingTalkError`].
    pub async fn failed_callbacks(&self) -> Result<FailedCallbacks, DingTalkError> {
        self.send(&GetFailedCallbacks).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_become_the_pushed_event() {
        let page: FailedCallbacks = serde_json::from_value(serde_json::json!({
            "errcode": 0, "has_more": false,
            "failed_list": [
                { "call_back_tag": "bpms_instance_change", "event_time": 1,
                  "bpmsCallBackData": { "processInstanceId": "PI", "type": "finish", "result": "agree" } },
                { "call_back_tag": "bpms_task_change",
                  "bpmsCallBackData": "{\"processInstanceId\":\"PI\",\"type\":\"finish\"}" }
            ]
        }))
        .unwrap();
        let first = page.failed_list[0].event_json().unwrap();
        assert_eq!(first["EventType"], "bpms_instance_change");
        assert_eq!(first["result"], "agree");
        let second = page.failed_list[1].event_json().unwrap();
        assert_eq!(second["EventType"], "bpms_task_change");
    }
}
