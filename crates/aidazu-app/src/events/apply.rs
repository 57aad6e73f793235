//! What each stored event does.
//!
//! | event | effect |
//! |---|---|
//! | `bpms_instance_change` `finish` | the one approval path ([`super::approval`]): the subject of the instance, its result read once, the kind's use case run once |
//! | — of a declaration's approval | `decide` (channel `DingTalkApproval`, actor = the approver's account): `agree` approves with the form's 积分 (else the suggested points), `refuse` rejects with the approver's remark |
//! | — of an objection's approval (F6) | `decide_objection` (committee, channel `DingTalkApproval`): `agree` upholds with the correction from the form's 更正分值 or the remark (`更正 +3 分`), refused (objection stays open, the approver is told to use the console) without one; `refuse` rejects with the remark |
//! | — of a catalogue change's approval (R7, F6) | `decide_catalogue_change` (district officer, channel `DingTalkApproval`): `agree` approves (new version from the next quarter; a stale change is rejected instead, R7), `refuse` rejects with the remark |
//! | `bpms_instance_change` `terminate` | a declaration in review is withdrawn (its originator revoked it); otherwise recorded, no effect |
//! | `bpms_instance_change` `start`, `bpms_task_change` | recorded, no effect (a late task change after the decision changes nothing) |
//! | `card_action` | `decide` (channel `Card`, actor = the presser's account): `approve` (optional `points`) or `reject` (`reason`) |
//! | `user_add_org`, `user_modify_org`, `user_leave_org` | identity's `apply_contact_event` in the applying transaction |
//! | anything else | stored and marked `ignored` |
//!
//! A decision that cannot be taken (already decided elsewhere, recusal, no account, points out of
//! range) is not an error: it becomes the event's outcome (`refused: …`) and is logged (R9).

use aidazu_domain::DeclarationId;
use aidazu_domain::Points;
use aidazu_domain::channel::Channel;
use aidazu_domain::declaration::DeclarationState;
use aidazu_ports::declarations as store_decl;
use aidazu_ports::inbox::InboundEvent;
use dingtalk::event::{Event, TypedEvent};
use serde_json::Value;

use super::approval::{self, ApprovalSubject, Decision};
use crate::auth::{ContactEvent, ContactEventKind};
use crate::decisions::{DecisionInput, Outcome};
use crate::{App, AppError};

/// What an event asks for.
pub(crate) enum Effect {
    /// Nothing to do but record this outcome.
    Record(String),
    /// A decision of any approval kind or a card, through [`approval::decide_once`] (each use
    /// case runs its own transaction).
    Decide(Box<Decision>),
    /// A contact change, applied in the marking transaction.
    Contact(ContactEvent),
    /// The originator revoked the approval in DingTalk while the declaration was in review:
    /// withdraw it as them.
    Withdraw(Box<crate::auth::Actor>, DeclarationId),
}

fn text<'a>(payload: &'a Value, name: &str) -> Option<&'a str> {
    payload
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Works out the effect of an event (reads only; may call DingTalk for the approval details).
///
/// # Errors
/// [`AppError::Database`], [`AppError::DingTalk`] (retry later).
pub(crate) async fn plan(app: &App, event: &InboundEvent) -> Result<Effect, AppError> {
    let payload = &event.payload;
    if event.event_type == super::CARD_ACTION {
        return card_action(app, payload).await;
    }
    // The stored event, seen through the SDK's typed view.
    let stored = Event {
        event_id: None,
        event_type: event.event_type.clone(),
        corp_id: None,
        born_at_ms: None,
        payload: payload.clone(),
    };
    Ok(match stored.typed() {
        TypedEvent::BpmsInstanceChange(change) => match change.change.as_str() {
            "finish" => approval_finished(app, payload, event.attempts).await?,
            "terminate" => approval_terminated(app, payload).await?,
            other => Effect::Record(format!("recorded: approval instance {other}")),
        },
        TypedEvent::BpmsTaskChange(task) => {
            Effect::Record(format!("recorded: approval task {}", task.change))
        }
        TypedEvent::Contact(change) => Effect::Contact(ContactEvent {
            kind: ContactEventKind::from(change.kind),
            user_ids: change
                .user_ids
                .iter()
                .map(|u| u.as_str().to_owned())
                .collect(),
        }),
        TypedEvent::UrlCheck => Effect::Record("ignored: URL check".into()),
        TypedEvent::Unknown { event_type, .. } => Effect::Record(format!(
            "ignored: event type {event_type} has no effect here (or lacks its fields)"
        )),
        other => Effect::Record(format!("ignored: {other:?}")),
    })
}

/// A finished approval of any kind: its subject, its result read once, the kind's decision.
async fn approval_finished(app: &App, payload: &Value, attempts: i32) -> Result<Effect, AppError> {
    let Some(instance_id) = text(payload, "processInstanceId") else {
        return Ok(Effect::Record("ignored: no processInstanceId".into()));
    };
    let Some(subject) = ApprovalSubject::of_instance(app, instance_id).await? else {
        return Ok(Effect::Record(format!(
            "ignored: no declaration, objection or catalogue change for approval {instance_id}"
        )));
    };
    let result = match approval::finished_result(app, payload, instance_id, attempts).await? {
        Ok(result) => result,
        Err(outcome) => return Ok(Effect::Record(outcome)),
    };
    Ok(
        match approval::plan_decision(app, subject, result, instance_id).await? {
            Ok(decision) => Effect::Decide(Box::new(decision)),
            Err(outcome) => Effect::Record(outcome),
        },
    )
}

/// A terminated (revoked) approval: when the declaration is still in review, its originator
/// revoked it in DingTalk, which withdraws the declaration; otherwise (a declaration decided or
/// withdrawn, an objection or a catalogue change) it is our own closing of the channel after a
/// console decision, or the originator revoking it, and changes nothing.
async fn approval_terminated(app: &App, payload: &Value) -> Result<Effect, AppError> {
    let Some(instance_id) = text(payload, "processInstanceId") else {
        return Ok(Effect::Record("ignored: no processInstanceId".into()));
    };
    let record = match ApprovalSubject::of_instance(app, instance_id).await? {
        None => {
            return Ok(Effect::Record(format!(
                "ignored: no declaration for approval {instance_id}"
            )));
        }
        Some(ApprovalSubject::Declaration(record))
            if record.state == DeclarationState::InReview =>
        {
            record
        }
        Some(other) => {
            return Ok(Effect::Record(format!(
                "recorded: approval instance terminate ({} is {})",
                other.label(),
                other.state()
            )));
        }
    };
    let originator = text(payload, "staffId").map(str::to_owned);
    let actor = match originator {
        Some(user) => {
            app.actor_of_dingtalk_user(&user, Channel::DingTalkApproval)
                .await?
        }
        None => None,
    };
    match actor {
        Some(actor) => Ok(Effect::Withdraw(Box::new(actor), record.id)),
        None => Ok(Effect::Record(
            "refused: the approval's originator has no active account".into(),
        )),
    }
}

async fn card_action(app: &App, payload: &Value) -> Result<Effect, AppError> {
    let (Some(out_track_id), Some(user_id)) =
        (text(payload, "outTrackId"), text(payload, "userId"))
    else {
        return Ok(Effect::Record(
            "ignored: card action without card or user".into(),
        ));
    };
    let Some(record) = store_decl::declaration_by_out_track_id(app.store(), out_track_id).await?
    else {
        return Ok(Effect::Record(format!(
            "ignored: no declaration for card {out_track_id}"
        )));
    };
    let params = payload.get("params").cloned().unwrap_or(Value::Null);
    let action = params
        .get("action")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            payload
                .get("actionIds")
                .and_then(Value::as_array)
                .and_then(|ids| ids.first())
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let outcome = match action.as_str() {
        "approve" | "agree" | "accept" => Outcome::Approve {
            points: params
                .get("points")
                .and_then(|p| p.as_i64().or_else(|| p.as_str()?.trim().parse().ok()))
                .map(Points),
        },
        "reject" | "refuse" => Outcome::Reject {
            reason: params
                .get("reason")
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .unwrap_or("审核未通过（钉钉卡片）")
                .to_owned(),
        },
        other => return Ok(Effect::Record(format!("ignored: card action `{other}`"))),
    };
    let Some(actor) = app.actor_of_dingtalk_user(user_id, Channel::Card).await? else {
        return Ok(Effect::Record(format!(
            "refused: card user {user_id} has no active account"
        )));
    };
    Ok(Effect::Decide(Box::new(Decision::Declaration(
        DecisionInput {
            declaration_id: record.id,
            outcome,
            actor,
            channel: Channel::Card,
            source_ref: Some(out_track_id.to_owned()),
        },
    ))))
}

/// Withdraws a declaration whose approval the originator revoked in DingTalk.
pub(crate) async fn run_withdrawal(
    app: &App,
    actor: &crate::auth::Actor,
    id: DeclarationId,
) -> Result<String, AppError> {
    match app.withdraw_declaration(actor, id).await {
        Ok(_) => Ok(format!(
            "applied: declaration {id} withdrawn (approval revoked in DingTalk)"
        )),
        Err(error) => approval::refused(&format!("declaration {id}"), error),
    }
}
