//! What the app receives from DingTalk, whichever transport brought it: [`Event`] (from a
//! decrypted HTTP callback or a Stream `EVENT` frame), [`CardAction`] (a card button press),
//! and the [`EventHandler`] the Stream client calls.

use std::fmt;
use std::future::Future;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use thiserror::Error;

use crate::ids::{OutTrackId, ProcessCode, ProcessInstanceId, UserId};

/// Why an event or card callback payload could not be parsed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EventError {
    /// Not JSON.
    #[error("event payload is not JSON")]
    Json(#[source] serde_json::Error),
    /// JSON, but not an object.
    #[error("event payload is not a JSON object")]
    NotAnObject,
    /// A required field is missing or has the wrong type.
    #[error("event payload lacks `{0}`")]
    Missing(&'static str),
    /// The payload does not have the shape asked for; `path` names the field.
    #[error("event payload does not match at `{path}`")]
    Shape {
        /// serde path of the failing field.
        path: String,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
}

/// One DingTalk event, the same whether it came over HTTP or Stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `eventId` (newer payloads and every Stream frame); stable across redeliveries.
    pub event_id: Option<String>,
    /// `EventType`, e.g. `bpms_instance_change`, `user_add_org`, `check_url`.
    pub event_type: String,
    /// `CorpId`.
    pub corp_id: Option<String>,
    /// `EventTime` / Stream `eventBornTime`, ms since the epoch.
    pub born_at_ms: Option<i64>,
    /// The flat JSON object, as in the HTTP callback: `EventType`, `EventTime`, `CorpId`,
    /// `eventId`, plus the event's own fields (`processInstanceId`, `UserId`, ...).
    pub payload: Value,
}

/// The event types DingTalk uses to validate a callback URL (answer with the sealed success).
const URL_CHECKS: [&str; 3] = [
    "check_url",
    "check_create_suite_url",
    "check_update_suite_url",
];

impl Event {
    /// Parses the decrypted plaintext of an HTTP callback (flat JSON with `EventType`).
    ///
    /// # Errors
    /// [`EventError`] when the text is not a JSON object with a string `EventType`.
    pub fn from_http_plaintext(plaintext: &str) -> Result<Self, EventError> {
        let value: Value = serde_json::from_str(plaintext).map_err(EventError::Json)?;
        let Value::Object(object) = value else {
            return Err(EventError::NotAnObject);
        };
        let event_type = string_field(&object, &["EventType", "eventType"])
            .ok_or(EventError::Missing("EventType"))?;
        Ok(Self {
            event_id: string_field(&object, &["eventId", "EventId"]),
            corp_id: string_field(&object, &["CorpId", "corpId"]),
            born_at_ms: number_field(&object, &["EventTime", "TimeStamp", "eventTime"]),
            event_type,
            payload: Value::Object(object),
        })
    }

    /// Builds the event of a Stream `EVENT` frame from its headers and its `data` object,
    /// adding the envelope fields so the payload looks like the HTTP one.
    pub(crate) fn from_stream(
        event_type: String,
        event_id: Option<String>,
        corp_id: Option<String>,
        born_at_ms: Option<i64>,
        data: Value,
    ) -> Self {
        let mut flat = Map::new();
        flat.insert("EventType".into(), Value::String(event_type.clone()));
        if let Some(born) = born_at_ms {
            flat.insert("EventTime".into(), Value::from(born));
        }
        if let Some(corp) = &corp_id {
            flat.insert("CorpId".into(), Value::String(corp.clone()));
        }
        if let Some(id) = &event_id {
            flat.insert("eventId".into(), Value::String(id.clone()));
        }
        match data {
            Value::Object(fields) => flat.extend(fields),
            Value::Null => {}
            other => {
                flat.insert("data".into(), other);
            }
        }
        Self {
            event_id,
            event_type,
            corp_id,
            born_at_ms,
            payload: Value::Object(flat),
        }
    }

    /// The key to deduplicate deliveries with: `eventId`, else `BizId`.
    pub fn dedupe_key(&self) -> Option<String> {
        self.event_id
            .clone()
            .or_else(|| {
                self.payload
                    .get("BizId")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .filter(|key| !key.is_empty())
    }

    /// Whether this is DingTalk validating the callback URL (`check_url` and the suite variants).
    pub fn is_url_check(&self) -> bool {
        URL_CHECKS.contains(&self.event_type.as_str())
    }

    /// Deserialises the payload into a typed event (e.g. [`ApprovalInstanceChange`]).
    ///
    /// # Errors
    /// [`EventError::Shape`] naming the field that does not fit.
    pub fn parse_payload<T: DeserializeOwned>(&self) -> Result<T, EventError> {
        serde_path_to_error::deserialize(&self.payload).map_err(|error| EventError::Shape {
            path: error.path().to_string(),
            source: error.into_inner(),
        })
    }
}

fn string_field(object: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| match object.get(*name) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

fn number_field(object: &Map<String, Value>, names: &[&str]) -> Option<i64> {
    names.iter().find_map(|name| match object.get(*name) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    })
}

/// What an event says, by type: the SDK's typed view of [`Event`]. Unknown types, and known
/// types whose payload lacks what the type needs, are kept raw in [`TypedEvent::Unknown`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TypedEvent {
    /// `bpms_instance_change`.
    BpmsInstanceChange(ApprovalInstanceChange),
    /// `bpms_task_change`.
    BpmsTaskChange(ApprovalTaskChange),
    /// `user_add_org`, `user_modify_org`, `user_leave_org`.
    Contact(ContactChange),
    /// `check_url` and the suite URL checks.
    UrlCheck,
    /// Anything else, as it came.
    Unknown {
        /// `EventType`.
        event_type: String,
        /// The flat payload.
        payload: Value,
    },
}

/// Which contact change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactChangeKind {
    /// `user_add_org`: joined the organisation.
    UserAddOrg,
    /// `user_modify_org`: profile changed.
    UserModifyOrg,
    /// `user_leave_org`: left the organisation.
    UserLeaveOrg,
}

impl ContactChangeKind {
    /// From `EventType`.
    #[must_use]
    pub fn from_event_type(event_type: &str) -> Option<Self> {
        match event_type {
            "user_add_org" => Some(Self::UserAddOrg),
            "user_modify_org" => Some(Self::UserModifyOrg),
            "user_leave_org" => Some(Self::UserLeaveOrg),
            _ => None,
        }
    }
}

/// A contact change: who changed (`UserId`, a list or one id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactChange {
    /// Which change.
    pub kind: ContactChangeKind,
    /// The users concerned.
    pub user_ids: Vec<UserId>,
}

impl Event {
    /// The typed view of this event (see [`TypedEvent`]).
    #[must_use]
    pub fn typed(&self) -> TypedEvent {
        let unknown = || TypedEvent::Unknown {
            event_type: self.event_type.clone(),
            payload: self.payload.clone(),
        };
        if self.is_url_check() {
            return TypedEvent::UrlCheck;
        }
        match self.event_type.as_str() {
            "bpms_instance_change" => self
                .parse_payload()
                .map_or_else(|_| unknown(), TypedEvent::BpmsInstanceChange),
            "bpms_task_change" => self
                .parse_payload()
                .map_or_else(|_| unknown(), TypedEvent::BpmsTaskChange),
            other => match ContactChangeKind::from_event_type(other) {
                Some(kind) => {
                    let user_ids = match self
                        .payload
                        .get("UserId")
                        .or_else(|| self.payload.get("userId"))
                    {
                        Some(Value::Array(ids)) => ids
                            .iter()
                            .filter_map(Value::as_str)
                            .map(UserId::from)
                            .collect(),
                        Some(Value::String(id)) => vec![UserId::from(id.as_str())],
                        _ => Vec::new(),
                    };
                    TypedEvent::Contact(ContactChange { kind, user_ids })
                }
                None => unknown(),
            },
        }
    }
}

/// `bpms_instance_change`: an approval instance started, finished or was revoked.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalInstanceChange {
    /// The instance.
    pub process_instance_id: ProcessInstanceId,
    /// Its template.
    #[serde(default)]
    pub process_code: Option<ProcessCode>,
    /// `start`, `finish` or `terminate`.
    #[serde(rename = "type")]
    pub change: String,
    /// `agree` or `refuse` when finished.
    #[serde(default)]
    pub result: Option<String>,
    /// The originator.
    #[serde(default)]
    pub staff_id: Option<UserId>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
}

/// `bpms_task_change`: an approver's task started, finished or was cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalTaskChange {
    /// The instance.
    pub process_instance_id: ProcessInstanceId,
    /// The task (a number).
    pub task_id: i64,
    /// `start`, `finish` or `cancel`.
    #[serde(rename = "type")]
    pub change: String,
    /// `agree`, `refuse` or `redirect` when finished.
    #[serde(default)]
    pub result: Option<String>,
    /// The approver.
    #[serde(default)]
    pub staff_id: Option<UserId>,
    /// The approver's comment.
    #[serde(default)]
    pub remark: Option<String>,
}

/// A button press on an interactive card (topic `/v1.0/card/instances/callback`, or the HTTP
/// card callback body).
#[derive(Debug, Clone, PartialEq)]
pub struct CardAction {
    /// The card.
    pub out_track_id: OutTrackId,
    /// Who pressed.
    pub user_id: UserId,
    /// The organisation.
    pub corp_id: Option<String>,
    /// Ids of the actions pressed.
    pub action_ids: Vec<String>,
    /// The action parameters (`cardPrivateData.params` of the `content` JSON string).
    pub params: Map<String, Value>,
    /// `IM_GROUP`, `IM_ROBOT`, ... (Stream only).
    pub space_type: Option<String>,
    /// The conversation or user (Stream only).
    pub space_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCardCallback {
    out_track_id: Option<String>,
    user_id: Option<String>,
    corp_id: Option<String>,
    content: Option<Value>,
    space_type: Option<String>,
    space_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CardContent {
    #[serde(default)]
    card_private_data: CardPrivateData,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CardPrivateData {
    #[serde(default)]
    action_ids: Vec<String>,
    #[serde(default)]
    params: Map<String, Value>,
}

impl CardAction {
    /// Parses a card callback object; its `content` is a JSON string (an object is accepted
    /// too).
    ///
    /// # Errors
    /// [`EventError`] when `outTrackId` or `userId` is missing or `content` is not JSON.
    pub fn from_callback_json(json: &str) -> Result<Self, EventError> {
        let value: Value = serde_json::from_str(json).map_err(EventError::Json)?;
        Self::from_value(value)
    }

    pub(crate) fn from_value(value: Value) -> Result<Self, EventError> {
        if !value.is_object() {
            return Err(EventError::NotAnObject);
        }
        let raw: RawCardCallback = serde_json::from_value(value).map_err(EventError::Json)?;
        let content: CardContent = match raw.content {
            Some(Value::String(text)) if !text.is_empty() => {
                serde_json::from_str(&text).map_err(EventError::Json)?
            }
            Some(object @ Value::Object(_)) => {
                serde_json::from_value(object).map_err(EventError::Json)?
            }
            _ => CardContent::default(),
        };
        Ok(Self {
            out_track_id: raw
                .out_track_id
                .map(OutTrackId::new)
                .ok_or(EventError::Missing("outTrackId"))?,
            user_id: raw
                .user_id
                .map(UserId::new)
                .ok_or(EventError::Missing("userId"))?,
            corp_id: raw.corp_id,
            action_ids: content.card_private_data.action_ids,
            params: content.card_private_data.params,
            space_type: raw.space_type,
            space_id: raw.space_id,
        })
    }
}

/// A handler's failure. The Stream client answers it with `LATER`, so DingTalk redelivers.
#[derive(Debug)]
pub struct HandlerError(Box<dyn std::error::Error + Send + Sync>);

impl HandlerError {
    /// A failure described by a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into().into())
    }

    /// Wraps any error.
    pub fn from_error(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(error))
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for HandlerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// What the app does with events and card actions. One interface for both transports: the
/// Stream client calls it directly; an HTTP callback route builds the [`Event`] with
/// [`Event::from_http_plaintext`] and calls the same handler.
///
/// Handlers should be quick and idempotent (store the event keyed by
/// [`Event::dedupe_key`], apply it later): DingTalk may deliver an event more than once.
pub trait EventHandler: Send + Sync + 'static {
    /// Handles one event. `Err` asks DingTalk to redeliver it later.
    fn handle(&self, event: Event) -> impl Future<Output = Result<(), HandlerError>> + Send;

    /// Handles a card button press; the returned object (e.g. `{"cardData": {"cardParamMap":
    /// {...}}}`) is sent back as the callback response and may update the card. DingTalk
    /// waits at most 2 s. The default ignores card actions.
    fn handle_card_action(
        &self,
        action: CardAction,
    ) -> impl Future<Output = Result<Option<Value>, HandlerError>> + Send {
        let _ = action;
        async { Ok(None) }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn http_plaintext_parses_envelope_fields() {
        let event = Event::from_http_plaintext(
            r#"{"EventType":"bpms_instance_change","EventTime":1663143335567,"CorpId":"ding1","BizId":"b1","eventId":"e1","processInstanceId":"PI-1","type":"finish","result":"agree","staffId":"u1"}"#,
        )
        .unwrap();
        assert_eq!(event.event_type, "bpms_instance_change");
        assert_eq!(event.event_id.as_deref(), Some("e1"));
        assert_eq!(event.corp_id.as_deref(), Some("ding1"));
        assert_eq!(event.born_at_ms, Some(1_663_143_335_567));
        assert_eq!(event.dedupe_key().as_deref(), Some("e1"));
        let change: ApprovalInstanceChange = event.parse_payload().unwrap();
        assert_eq!(change.process_instance_id.as_str(), "PI-1");
        assert_eq!(change.change, "finish");
        assert_eq!(change.result.as_deref(), Some("agree"));
    }

    #[test]
    fn legacy_payload_without_event_id_dedupes_by_biz_id_and_check_url_is_recognised() {
        let legacy = Event::from_http_plaintext(
            r#"{"EventType":"user_add_org","TimeStamp":43535463645,"UserId":["user1"],"CorpId":"ding1","BizId":"biz-9"}"#,
        )
        .unwrap();
        assert_eq!(legacy.born_at_ms, Some(43_535_463_645));
        assert_eq!(legacy.dedupe_key().as_deref(), Some("biz-9"));
        assert!(!legacy.is_url_check());
        let check = Event::from_http_plaintext(r#"{"EventType":"check_url"}"#).unwrap();
        assert!(check.is_url_check());
        assert_eq!(check.dedupe_key(), None);
    }

    #[test]
    fn malformed_plaintexts_are_rejected() {
        assert!(matches!(
            Event::from_http_plaintext("success"),
            Err(EventError::Json(_))
        ));
        assert!(matches!(
            Event::from_http_plaintext("[1]"),
            Err(EventError::NotAnObject)
        ));
        assert!(matches!(
            Event::from_http_plaintext(r#"{"CorpId":"x"}"#),
            Err(EventError::Missing("EventType"))
        ));
    }

    #[test]
    fn stream_and_http_shapes_agree() {
        let from_stream = Event::from_stream(
            "bpms_task_change".into(),
            Some("e2".into()),
            Some("ding1".into()),
            Some(1_700_000_000_000),
            json!({"processInstanceId":"PI-2","taskId":7,"type":"start","staffId":"m1"}),
        );
        let from_http = Event::from_http_plaintext(
            r#"{"EventType":"bpms_task_change","EventTime":1700000000000,"CorpId":"ding1","eventId":"e2","processInstanceId":"PI-2","taskId":7,"type":"start","staffId":"m1"}"#,
        )
        .unwrap();
        assert_eq!(from_stream, from_http);
        let task: ApprovalTaskChange = from_stream.parse_payload().unwrap();
        assert_eq!(task.task_id, 7);
    }

    #[test]
    fn card_action_parses_the_content_string() {
        let action = CardAction::from_callback_json(
            r#"{"type":"actionCallback","outTrackId":"card-1","corpId":"ding1","userId":"u1","content":"{\"cardPrivateData\":{\"actionIds\":[\"accept\"],\"params\":{\"action\":\"accept\",\"points\":5}}}","spaceType":"IM_GROUP","spaceId":"cid1"}"#,
        )
        .unwrap();
        assert_eq!(action.out_track_id.as_str(), "card-1");
        assert_eq!(action.user_id.as_str(), "u1");
        assert_eq!(action.action_ids, ["accept"]);
        assert_eq!(action.params.get("points"), Some(&json!(5)));
        assert_eq!(action.space_id.as_deref(), Some("cid1"));
        assert!(matches!(
            CardAction::from_callback_json(r#"{"userId":"u1"}"#),
            Err(EventError::Missing("outTrackId"))
        ));
    }

    #[test]
    fn handler_error_displays_its_message() {
        assert_eq!(
            HandlerError::new("数据库不可用").to_string(),
            "数据库不可用"
        );
    }
}

#[cfg(test)]
mod typed_tests {
    use super::*;

    fn typed(json: &str) -> TypedEvent {
        Event::from_http_plaintext(json).unwrap().typed()
    }

    #[test]
    fn known_events_are_typed_and_the_rest_kept_raw() {
        match typed(
            r#"{"EventType":"bpms_instance_change","processInstanceId":"PI","type":"finish","result":"agree"}"#,
        ) {
            TypedEvent::BpmsInstanceChange(c) => {
                assert_eq!(
                    (c.change.as_str(), c.result.as_deref()),
                    ("finish", Some("agree"))
                );
            }
            other => panic!("{other:?}"),
        }
        match typed(
            r#"{"EventType":"bpms_task_change","processInstanceId":"PI","taskId":7,"type":"finish"}"#,
        ) {
            TypedEvent::BpmsTaskChange(t) => assert_eq!(t.task_id, 7),
            other => panic!("{other:?}"),
        }
        match typed(r#"{"EventType":"user_leave_org","UserId":["u1","u2"]}"#) {
            TypedEvent::Contact(c) => {
                assert_eq!(c.kind, ContactChangeKind::UserLeaveOrg);
                assert_eq!(c.user_ids.len(), 2);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(typed(r#"{"EventType":"check_url"}"#), TypedEvent::UrlCheck);
        // A known type without its fields, and an unknown type, stay raw.
        assert!(matches!(
            typed(r#"{"EventType":"bpms_instance_change"}"#),
            TypedEvent::Unknown { .. }
        ));
        assert!(matches!(
            typed(r#"{"EventType":"org_dept_create","DeptId":[1]}"#),
            TypedEvent::Unknown { event_type, .. } if event_type == "org_dept_create"
        ));
    }
}
