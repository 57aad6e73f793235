//! The typed outbox vocabulary: every message the service sends to DingTalk is one
//! [`OutboxCommand`], written by the use cases and read back by the gateway through this one type.
//!
//! Stored form: the row's `kind` column holds the serde tag (`approval.create`, `notify.work`, …)
//! and `payload` the variant's fields in camelCase JSON. **Versioning**: a kind's payload only
//! ever gains optional fields (readers ignore fields they do not know, so a newer writer and an
//! older reader can share a queue during a rolling deploy); an incompatible change is a new kind
//! (`notify.work.v2`) beside the old one, kept until no row of the old kind is pending.

use aidazu_domain::{DeclarationId, LedgerEntryId, ObjectionId, OrderId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::StoreError;

/// The stored kind names (the serde tags of [`OutboxCommand`]), for listing and diagnostics.
pub mod kind {
    /// [`super::OutboxCommand::ApprovalCreate`].
    pub const APPROVAL_CREATE: &str = "approval.create";
    /// [`super::OutboxCommand::ApprovalTerminate`].
    pub const APPROVAL_TERMINATE: &str = "approval.terminate";
    /// [`super::OutboxCommand::CardSend`].
    pub const CARD_SEND: &str = "card.send";
    /// [`super::OutboxCommand::CardUpdate`].
    pub const CARD_UPDATE: &str = "card.update";
    /// [`super::OutboxCommand::NotifyWork`].
    pub const NOTIFY_WORK: &str = "notify.work";
    /// [`super::OutboxCommand::NotifyGroup`].
    pub const NOTIFY_GROUP: &str = "notify.group";
    /// [`super::OutboxCommand::ObjectionApprovalCreate`].
    pub const OBJECTION_APPROVAL_CREATE: &str = "objection.approval.create";
    /// [`super::OutboxCommand::ObjectionApprovalTerminate`].
    pub const OBJECTION_APPROVAL_TERMINATE: &str = "objection.approval.terminate";
    /// [`super::OutboxCommand::CatalogueApprovalCreate`].
    pub const CATALOGUE_APPROVAL_CREATE: &str = "catalogue.approval.create";
    /// [`super::OutboxCommand::CatalogueApprovalTerminate`].
    pub const CATALOGUE_APPROVAL_TERMINATE: &str = "catalogue.approval.terminate";
}

/// One message to DingTalk, as enqueued in the transaction of the change that causes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum OutboxCommand {
    /// Open the OA approval of a declaration for its reviewers (F3).
    #[serde(rename = "approval.create")]
    ApprovalCreate(ApprovalCreate),
    /// Close the OA approval of a declaration decided elsewhere or withdrawn (R9).
    #[serde(rename = "approval.terminate")]
    ApprovalTerminate(ApprovalTerminate),
    /// Send the reviewers the interactive card of a declaration.
    #[serde(rename = "card.send")]
    CardSend(CardSend),
    /// Show a declaration's outcome on its card.
    #[serde(rename = "card.update")]
    CardUpdate(CardUpdate),
    /// A markdown work notification (工作通知) to DingTalk users.
    #[serde(rename = "notify.work")]
    NotifyWork(WorkNotice),
    /// A markdown message from the enterprise robot to a DingTalk group (village notices).
    #[serde(rename = "notify.group")]
    NotifyGroup(GroupNotice),
    /// Open the OA approval of an objection for the village committee (F6). A kind of its own:
    /// its payload names an objection, not a declaration.
    #[serde(rename = "objection.approval.create")]
    ObjectionApprovalCreate(ObjectionApprovalCreate),
    /// Close the OA approval of an objection decided in the console (F6).
    #[serde(rename = "objection.approval.terminate")]
    ObjectionApprovalTerminate(ObjectionApprovalTerminate),
    /// Open the OA approval of a catalogue change request for the district office (R7, F6).
    #[serde(rename = "catalogue.approval.create")]
    CatalogueApprovalCreate(CatalogueApprovalCreate),
    /// Close the OA approval of a change request decided in the console (F6).
    #[serde(rename = "catalogue.approval.terminate")]
    CatalogueApprovalTerminate(CatalogueApprovalTerminate),
}

/// `catalogue.approval.create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueApprovalCreate {
    pub change_id: i64,
}

/// `catalogue.approval.terminate`; `process_instance_id` as for objections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueApprovalTerminate {
    pub change_id: i64,
    #[serde(default)]
    pub process_instance_id: Option<String>,
}

/// `objection.approval.create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectionApprovalCreate {
    pub objection_id: ObjectionId,
}

/// `objection.approval.terminate`. `process_instance_id` is `None` when the message was
/// enqueued before the approval existed; the gateway then reads it from the objection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectionApprovalTerminate {
    pub objection_id: ObjectionId,
    #[serde(default)]
    pub process_instance_id: Option<String>,
}

/// `approval.create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalCreate {
    pub declaration_id: DeclarationId,
}

/// `approval.terminate`. `process_instance_id` is `None` when the message was enqueued before
/// the approval existed; the gateway then reads it from the declaration when it sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalTerminate {
    pub declaration_id: DeclarationId,
    #[serde(default)]
    pub process_instance_id: Option<String>,
    /// Shown in DingTalk as the reason; a default Chinese remark when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
}

/// `card.send`. An empty `user_ids` means "the declaration's reviewers as routed now".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardSend {
    pub declaration_id: DeclarationId,
    pub out_track_id: String,
    #[serde(default)]
    pub user_ids: Vec<String>,
}

/// `card.update`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardUpdate {
    pub declaration_id: DeclarationId,
    pub out_track_id: String,
}

/// A markdown body: the title shown in lists and the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Markdown {
    pub title: String,
    pub text: String,
}

/// `notify.work`: a work notification; `declaration_id` / `ledger_entry_id` / `order_id` say what
/// it is about
/// (diagnostics and tests; the gateway does not need them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkNotice {
    pub user_ids: Vec<String>,
    pub markdown: Markdown,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declaration_id: Option<DeclarationId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_entry_id: Option<LedgerEntryId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
}

/// `notify.group`: the robot posts `markdown` to the group `open_conversation_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupNotice {
    pub open_conversation_id: String,
    pub markdown: Markdown,
    /// The robot that posts (the village's notice group setting); `None`: the app's own robot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub robot_code: Option<String>,
}

impl OutboxCommand {
    /// The stored kind (the serde tag).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ApprovalCreate(_) => kind::APPROVAL_CREATE,
            Self::ApprovalTerminate(_) => kind::APPROVAL_TERMINATE,
            Self::CardSend(_) => kind::CARD_SEND,
            Self::CardUpdate(_) => kind::CARD_UPDATE,
            Self::NotifyWork(_) => kind::NOTIFY_WORK,
            Self::NotifyGroup(_) => kind::NOTIFY_GROUP,
            Self::ObjectionApprovalCreate(_) => kind::OBJECTION_APPROVAL_CREATE,
            Self::ObjectionApprovalTerminate(_) => kind::OBJECTION_APPROVAL_TERMINATE,
            Self::CatalogueApprovalCreate(_) => kind::CATALOGUE_APPROVAL_CREATE,
            Self::CatalogueApprovalTerminate(_) => kind::CATALOGUE_APPROVAL_TERMINATE,
        }
    }

    /// The stored pair: `(kind, payload)`.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] if the command does not serialize (it always does).
    pub fn to_stored(&self) -> Result<(&'static str, Value), StoreError> {
        let mut value = serde_json::to_value(self)
            .map_err(|err| StoreError::Invalid(format!("outbox command: {err}")))?;
        let payload = value
            .get_mut("payload")
            .map(Value::take)
            .unwrap_or(Value::Null);
        Ok((self.kind(), payload))
    }

    /// Reads a stored row back.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for an unknown kind or a payload that does not fit it.
    pub fn from_stored(kind: &str, payload: &Value) -> Result<Self, StoreError> {
        let tagged = serde_json::json!({ "kind": kind, "payload": payload });
        serde_json::from_value(tagged)
            .map_err(|err| StoreError::Corrupt(format!("outbox message of kind `{kind}`: {err}")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn all() -> Vec<OutboxCommand> {
        let markdown = Markdown {
            title: "标题".into(),
            text: "正文".into(),
        };
        vec![
            OutboxCommand::ApprovalCreate(ApprovalCreate {
                declaration_id: DeclarationId(7),
            }),
            OutboxCommand::ApprovalTerminate(ApprovalTerminate {
                declaration_id: DeclarationId(7),
                process_instance_id: None,
                remark: Some("已撤回".into()),
            }),
            OutboxCommand::CardSend(CardSend {
                declaration_id: DeclarationId(7),
                out_track_id: "decl-7-x".into(),
                user_ids: vec!["demo-admin".into()],
            }),
            OutboxCommand::CardUpdate(CardUpdate {
                declaration_id: DeclarationId(7),
                out_track_id: "decl-7-x".into(),
            }),
            OutboxCommand::NotifyWork(WorkNotice {
                user_ids: vec!["u1".into()],
                markdown: markdown.clone(),
                declaration_id: None,
                ledger_entry_id: Some(LedgerEntryId(3)),
                order_id: None,
            }),
            OutboxCommand::NotifyGroup(GroupNotice {
                open_conversation_id: "cid".into(),
                markdown,
                robot_code: None,
            }),
            OutboxCommand::ObjectionApprovalCreate(ObjectionApprovalCreate {
                objection_id: ObjectionId(4),
            }),
            OutboxCommand::ObjectionApprovalTerminate(ObjectionApprovalTerminate {
                objection_id: ObjectionId(4),
                process_instance_id: Some("PI-4".into()),
            }),
            OutboxCommand::CatalogueApprovalCreate(CatalogueApprovalCreate { change_id: 3 }),
            OutboxCommand::CatalogueApprovalTerminate(CatalogueApprovalTerminate {
                change_id: 3,
                process_instance_id: None,
            }),
        ]
    }

    #[test]
    fn every_command_round_trips_through_its_stored_form() {
        for command in all() {
            let (kind, payload) = command.to_stored().unwrap();
            assert_eq!(kind, command.kind());
            assert_eq!(OutboxCommand::from_stored(kind, &payload).unwrap(), command);
        }
    }

    #[test]
    fn stored_payloads_keep_the_wire_shape_of_wave_one() {
        // Rows written before the enum existed must still read: camelCase fields, ids as numbers.
        let old = json!({ "declarationId": 12, "processInstanceId": null });
        assert_eq!(
            OutboxCommand::from_stored(kind::APPROVAL_TERMINATE, &old).unwrap(),
            OutboxCommand::ApprovalTerminate(ApprovalTerminate {
                declaration_id: DeclarationId(12),
                process_instance_id: None,
                remark: None,
            })
        );
        let (_, payload) = OutboxCommand::ApprovalCreate(ApprovalCreate {
            declaration_id: DeclarationId(5),
        })
        .to_stored()
        .unwrap();
        assert_eq!(payload, json!({ "declarationId": 5 }));
    }

    #[test]
    fn a_newer_writer_may_add_fields_an_older_reader_ignores() {
        let newer = json!({ "declarationId": 1, "priority": "high" });
        assert!(OutboxCommand::from_stored(kind::APPROVAL_CREATE, &newer).is_ok());
    }

    #[test]
    fn unknown_kinds_and_misfit_payloads_are_corrupt_not_panics() {
        assert!(matches!(
            OutboxCommand::from_stored("fax.send", &json!({})),
            Err(StoreError::Corrupt(_))
        ));
        assert!(matches!(
            OutboxCommand::from_stored(kind::CARD_SEND, &json!({ "declarationId": "x" })),
            Err(StoreError::Corrupt(_))
        ));
    }
}
