//! What each stored event does.
//!
//! | event | effect |
//! |---|---|
//! | `bpms_instance_change` `finish` | [`decide`] (channel `DingTalkApproval`, actor = the approver's account): `agree` approves with the form's 积分 (else the suggested points), `refuse` rejects with the approver's remark |
//! | `bpms_instance_change` `finish` of an objection's approval (F6) | `decide_objection` (committee, channel `DingTalkApproval`): `agree` upholds with the correction from the form's 更正分值 or the remark (`更正 +3 分`), refused (objection stays open, the approver is told to use the console) without one; `refuse` rejects with the remark |
//! | `bpms_instance_change` `finish` of a catalogue change's approval (R7, F6) | `decide_catalogue_change` (district officer, channel `DingTalkApproval`): `agree` approves (new version from the next quarter), `refuse` rejects with the remark |
//! | `bpms_instance_change` `start` / `terminate`, `bpms_task_change` | recorded, no effect (a late task change after the decision changes nothing) |
//! | `card_action` | [`decide`] (channel `Card`, actor = the presser's account): `approve` (optional `points`) or `reject` (`reason`) |
//! | `user_add_org`, `user_modify_org`, `user_leave_org` | identity's [`apply_contact_event`] in the applying transaction |
//! | anything else | stored and marked `ignored` |
//!
//! A decision that cannot be taken (already decided elsewhere, recusal, no account, points out of
//! range) is not an error: it becomes the event's outcome (`refused: …`) and is logged (R9).

use aidazu_domain::channel::Channel;
use aidazu_domain::declaration::DeclarationState;
use aidazu_domain::{DeclarationId, Points};
use aidazu_store::declarations as store_decl;
use aidazu_store::inbox::{self, InboundEvent};
use aidazu_store::objections as store_obj;
use dingtalk::api::workflow::ProcessInstance;
use dingtalk::event::{Event, TypedEvent};
use dingtalk::ids::ProcessInstanceId;
use serde_json::Value;

use crate::auth::{ContactEvent, ContactEventKind};
use crate::decisions::{DecisionInput, Outcome, decide};
use crate::gateway::form;
use crate::{App, AppError};

/// What an event asks for.
pub(crate) enum Effect {
    /// Nothing to do but record this outcome.
    Record(String),
    /// A decision through [`decide`] (it runs its own transaction).
    Decide(Box<DecisionInput>),
    /// A contact change, applied in the marking transaction.
    Contact(ContactEvent),
    /// An objection decided in its DingTalk approval (F6).
    DecideObjection(Box<ObjectionDecision>),
    /// A catalogue change request decided in its DingTalk approval (R7, F6).
    DecideCatalogueChange(Box<CatalogueDecision>),
    /// The originator revoked the approval in DingTalk while the declaration was in review:
    /// withdraw it as them.
    Withdraw(Box<crate::auth::Actor>, DeclarationId),
}

/// A catalogue change decision from its approval.
pub(crate) struct CatalogueDecision {
    pub actor: crate::auth::Actor,
    pub change: i64,
    pub approve: bool,
    pub reason: Option<String>,
    pub instance: String,
}

/// An objection decision from its approval.
pub(crate) struct ObjectionDecision {
    pub actor: crate::auth::Actor,
    pub objection: aidazu_domain::ObjectionId,
    pub input: crate::objections::ObjectionDecisionInput,
    pub instance: String,
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
/// [`AppError::Store`], [`AppError::DingTalk`] (retry later).
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

/// The approver who finished the instance and their remark: the last completed task with a
/// result, and that user's last non-empty remark.
fn approver_and_remark(instance: &ProcessInstance) -> (Option<String>, Option<String>) {
    let approver = instance
        .tasks
        .iter()
        .filter(|t| {
            t.result.as_deref().is_some_and(|r| {
                r.eq_ignore_ascii_case("agree") || r.eq_ignore_ascii_case("refuse")
            })
        })
        .max_by_key(|t| t.task_id)
        .and_then(|t| t.user_id.as_ref())
        .map(|u| u.as_str().to_owned());
    let remark = instance
        .operation_records
        .iter()
        .rev()
        .filter(|r| {
            approver.is_none() || r.user_id.as_ref().map(|u| u.as_str()) == approver.as_deref()
        })
        .find_map(|r| r.remark.clone().filter(|s| !s.trim().is_empty()));
    (approver, remark)
}

/// Failed attempts after which an approval result is applied without the instance details
/// (approver and remark then come from the stored task event, points from the declaration).
const DETAILS_ATTEMPTS: i32 = 3;

/// The approver and remark of a finished instance: the finished task's stored event, else the
/// instance details (fetched; `None` when unavailable after a few attempts).
async fn approver_of(
    app: &App,
    instance_id: &str,
    attempts: i32,
) -> Result<(Option<String>, Option<String>, Option<ProcessInstance>), AppError> {
    let mut approver = None;
    let mut remark = None;
    for task in inbox::task_changes_of(app.store().connection(), instance_id).await? {
        let p = &task.payload;
        let finished = text(p, "type") == Some("finish")
            && matches!(text(p, "result"), Some("agree" | "refuse"));
        if finished {
            approver = text(p, "staffId").map(str::to_owned);
            remark = text(p, "remark").map(str::to_owned);
        }
    }
    let instance = match app
        .dingtalk()
        .process_instance(&ProcessInstanceId::from(instance_id))
        .await
    {
        Ok(instance) => Some(instance),
        Err(error)
            if (error.is_retryable() || error.is_token_invalid())
                && (attempts < DETAILS_ATTEMPTS || approver.is_none()) =>
        {
            return Err(AppError::DingTalk(error));
        }
        Err(error) => {
            tracing::warn!(%error, process_instance_id = instance_id, "approval details unavailable; using the stored events");
            None
        }
    };
    if let Some(instance) = &instance {
        let (from_instance, remark_of_instance) = approver_and_remark(instance);
        if approver.is_none() {
            approver = from_instance;
        }
        if remark.is_none() {
            remark = remark_of_instance;
        }
    }
    Ok((approver, remark, instance))
}

/// F6: the result of an objection's approval. Agree upholds with the approver's correction
/// (form field 更正分值, else `更正 ±n` in the remark); without one nothing is decided and the
/// approver is told to use the console. Refuse rejects with the remark as the reason.
async fn objection_approval_finished(
    app: &App,
    payload: &Value,
    instance_id: &str,
    attempts: i32,
) -> Result<Effect, AppError> {
    let db = app.store().connection();
    let Some(stored) = store_obj::by_process_instance(db, instance_id).await? else {
        return catalogue_approval_finished(app, payload, instance_id, attempts).await;
    };
    let id = stored.objection.id;
    let (approver, remark, instance) = approver_of(app, instance_id, attempts).await?;
    let Some(approver) = approver else {
        return Ok(Effect::Record("refused: approval has no approver".into()));
    };
    let Some(actor) = app
        .actor_of_dingtalk_user(&approver, Channel::DingTalkApproval)
        .await?
    else {
        return Ok(Effect::Record(format!(
            "refused: approver {approver} has no active account"
        )));
    };
    let result = text(payload, "result").map(str::to_owned).or_else(|| {
        instance
            .as_ref()
            .and_then(|i| i.result)
            .map(|r| format!("{r:?}").to_lowercase())
    });
    let input = match result.as_deref() {
        Some("agree") => {
            let field = instance
                .iter()
                .flat_map(|i| i.form_component_values.iter())
                .find(|v| v.name == crate::gateway::objection::form::CORRECTION)
                .map(|v| v.value.clone());
            let Some(correction) =
                crate::gateway::objection::correction_from(field.as_deref(), remark.as_deref())
            else {
                if stored.objection.state() == aidazu_domain::objection::ObjectionState::Open {
                    aidazu_store::outbox::enqueue(
                        db,
                        crate::messages::work_notice(
                            crate::messages::key::objection("approval_incomplete", id),
                            stored.village,
                            vec![approver.clone()],
                            "公示异议未处理",
                            format!(
                                "您在钉钉审批中同意了异议（编号 {}），但未写明更正分值（如“更正 +3 分”），该异议仍待处理，请到管理后台作出决定。",
                                id.get()
                            ),
                            crate::messages::About::Other,
                        ),
                    )
                    .await?;
                }
                return Ok(Effect::Record(format!(
                    "refused: objection {id}: approval agreed without a correction amount; decide in the console"
                )));
            };
            crate::objections::ObjectionDecisionInput {
                correction: Some(Points(correction)),
                reason: remark.unwrap_or_else(|| "经钉钉审批采纳".to_owned()),
            }
        }
        Some("refuse") => crate::objections::ObjectionDecisionInput {
            correction: None,
            reason: remark.unwrap_or_else(|| "审批未通过（钉钉审批）".to_owned()),
        },
        other => {
            return Ok(Effect::Record(format!(
                "ignored: approval finished with result {}",
                other.unwrap_or("none")
            )));
        }
    };
    Ok(Effect::DecideObjection(Box::new(ObjectionDecision {
        actor,
        objection: id,
        input,
        instance: instance_id.to_owned(),
    })))
}

/// R7, F6: the result of a catalogue change request's approval: agree approves (the new version
/// is in force from the next quarter), refuse rejects with the approver's remark.
async fn catalogue_approval_finished(
    app: &App,
    payload: &Value,
    instance_id: &str,
    attempts: i32,
) -> Result<Effect, AppError> {
    let db = app.store().connection();
    let Some(change) =
        aidazu_store::governance::change_by_process_instance(db, instance_id).await?
    else {
        return Ok(Effect::Record(format!(
            "ignored: no declaration, objection or catalogue change for approval {instance_id}"
        )));
    };
    let (approver, remark, instance) = approver_of(app, instance_id, attempts).await?;
    let Some(approver) = approver else {
        return Ok(Effect::Record("refused: approval has no approver".into()));
    };
    let Some(actor) = app
        .actor_of_dingtalk_user(&approver, Channel::DingTalkApproval)
        .await?
    else {
        return Ok(Effect::Record(format!(
            "refused: approver {approver} has no active account"
        )));
    };
    let result = text(payload, "result").map(str::to_owned).or_else(|| {
        instance
            .as_ref()
            .and_then(|i| i.result)
            .map(|r| format!("{r:?}").to_lowercase())
    });
    let (approve, reason) = match result.as_deref() {
        Some("agree") => (true, remark),
        Some("refuse") => (
            false,
            Some(remark.unwrap_or_else(|| "审批未通过（钉钉审批）".to_owned())),
        ),
        other => {
            return Ok(Effect::Record(format!(
                "ignored: approval finished with result {}",
                other.unwrap_or("none")
            )));
        }
    };
    Ok(Effect::DecideCatalogueChange(Box::new(CatalogueDecision {
        actor,
        change: change.id,
        approve,
        reason,
        instance: instance_id.to_owned(),
    })))
}

/// Runs a catalogue change decision from its approval; business refusals (decided in the
/// console first, a repeated result) become the event's outcome, never a second decision.
pub(crate) async fn run_catalogue_decision(
    app: &App,
    decision: CatalogueDecision,
) -> Result<String, AppError> {
    let id = decision.change;
    match app
        .decide_catalogue_change(&decision.actor, id, decision.approve, decision.reason)
        .await
    {
        Ok(change) => Ok(format!(
            "applied: catalogue change {id} {} (approval {})",
            change.status.as_str(),
            decision.instance
        )),
        Err(error) => match error.kind() {
            crate::ErrorKind::Internal | crate::ErrorKind::Unavailable => Err(error),
            _ => {
                tracing::info!(
                    change = id,
                    code = error.code(),
                    "catalogue decision from DingTalk refused"
                );
                Ok(format!("refused: {} ({})", error.code(), error.message()))
            }
        },
    }
}

/// Runs an objection decision from its approval; business refusals (already decided in the
/// console, recusal) become the event's outcome.
pub(crate) async fn run_objection_decision(
    app: &App,
    decision: ObjectionDecision,
) -> Result<String, AppError> {
    let id = decision.objection;
    // Decided before (the console first, or DingTalk repeating its result): a repeat of the same
    // decision would be a no-op in the domain; it is recorded as refused, never applied twice.
    if let Some(current) = store_obj::get(app.store().connection(), id).await?
        && current.objection.state() != aidazu_domain::objection::ObjectionState::Open
    {
        return Ok(format!(
            "refused: already decided (objection {id} is {})",
            current.objection.state()
        ));
    }
    match app
        .decide_objection(&decision.actor, id, decision.input)
        .await
    {
        Ok(view) => Ok(format!(
            "applied: objection {id} {} (approval {})",
            view.stored.objection.state(),
            decision.instance
        )),
        Err(error) => match error.kind() {
            crate::ErrorKind::Internal | crate::ErrorKind::Unavailable => Err(error),
            _ => {
                tracing::info!(objection.id = %id, code = error.code(), "objection decision from DingTalk refused");
                Ok(format!("refused: {} ({})", error.code(), error.message()))
            }
        },
    }
}

async fn approval_finished(app: &App, payload: &Value, attempts: i32) -> Result<Effect, AppError> {
    let Some(instance_id) = text(payload, "processInstanceId") else {
        return Ok(Effect::Record("ignored: no processInstanceId".into()));
    };
    let Some(record) =
        store_decl::declaration_by_process_instance(app.store().connection(), instance_id).await?
    else {
        return objection_approval_finished(app, payload, instance_id, attempts).await;
    };
    if record.state != DeclarationState::InReview {
        // Decided elsewhere first (console, card): R9 still audits the refused attempt below.
        tracing::info!(declaration.id = %record.id, "approval result for a declaration already decided");
    }
    // The approver and remark: from the finished task's event (already stored, DingTalk sends it
    // first), else from the instance details, which also carry the form's 积分 (an admin may have
    // edited it).
    let (approver, remark, instance) = approver_of(app, instance_id, attempts).await?;
    let Some(approver) = approver else {
        return Ok(Effect::Record("refused: approval has no approver".into()));
    };
    let Some(actor) = app
        .actor_of_dingtalk_user(&approver, Channel::DingTalkApproval)
        .await?
    else {
        return Ok(Effect::Record(format!(
            "refused: approver {approver} has no active account"
        )));
    };
    let result = text(payload, "result").map(str::to_owned).or_else(|| {
        instance
            .as_ref()
            .and_then(|i| i.result)
            .map(|r| format!("{r:?}").to_lowercase())
    });
    let outcome = match result.as_deref() {
        Some("agree") => {
            let points = instance
                .iter()
                .flat_map(|i| i.form_component_values.iter())
                .find(|v| v.name == form::POINTS)
                .and_then(|v| v.value.trim().parse::<f64>().ok())
                .filter(|p| p.fract() == 0.0)
                .map(|p| Points(p as i64));
            Outcome::Approve { points }
        }
        Some("refuse") => Outcome::Reject {
            reason: remark.unwrap_or_else(|| "审批未通过（钉钉审批）".to_owned()),
        },
        other => {
            return Ok(Effect::Record(format!(
                "ignored: approval finished with result {}",
                other.unwrap_or("none")
            )));
        }
    };
    Ok(Effect::Decide(Box::new(DecisionInput {
        declaration_id: record.id,
        outcome,
        actor,
        channel: Channel::DingTalkApproval,
        source_ref: Some(instance_id.to_owned()),
    })))
}

/// A terminated (revoked) approval: when the declaration is still in review, its originator
/// revoked it in DingTalk, which withdraws the declaration; otherwise it is our own closing of
/// the channel after a decision or withdrawal, and changes nothing.
async fn approval_terminated(app: &App, payload: &Value) -> Result<Effect, AppError> {
    let Some(instance_id) = text(payload, "processInstanceId") else {
        return Ok(Effect::Record("ignored: no processInstanceId".into()));
    };
    let Some(record) =
        store_decl::declaration_by_process_instance(app.store().connection(), instance_id).await?
    else {
        if let Some(o) =
            store_obj::by_process_instance(app.store().connection(), instance_id).await?
        {
            // Our own closing after a console decision, or the objector revoking it: the
            // objection stays where it is (decided, or open for the console).
            return Ok(Effect::Record(format!(
                "recorded: approval instance terminate (objection {} is {})",
                o.objection.id,
                o.objection.state()
            )));
        }
        if let Some(c) = aidazu_store::governance::change_by_process_instance(
            app.store().connection(),
            instance_id,
        )
        .await?
        {
            return Ok(Effect::Record(format!(
                "recorded: approval instance terminate (catalogue change {} is {})",
                c.id,
                c.status.as_str()
            )));
        }
        return Ok(Effect::Record(format!(
            "ignored: no declaration for approval {instance_id}"
        )));
    };
    if record.state != DeclarationState::InReview {
        return Ok(Effect::Record(format!(
            "recorded: approval instance terminate (declaration {} is {})",
            record.id, record.state
        )));
    }
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
    let Some(record) =
        store_decl::declaration_by_out_track_id(app.store().connection(), out_track_id).await?
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
    Ok(Effect::Decide(Box::new(DecisionInput {
        declaration_id: record.id,
        outcome,
        actor,
        channel: Channel::Card,
        source_ref: Some(out_track_id.to_owned()),
    })))
}

/// Runs a decision and turns its result into the event's outcome. Business refusals become
/// outcomes; internal failures are errors (the event stays unapplied and is retried).
pub(crate) async fn run_decision(app: &App, input: DecisionInput) -> Result<String, AppError> {
    let id: DeclarationId = input.declaration_id;
    match decide(app, input).await {
        Ok(result) => Ok(match result.ledger_entry {
            Some(entry) => format!("applied: declaration {id} approved, ledger entry {entry}"),
            None => format!("applied: declaration {id} rejected"),
        }),
        Err(error) => match error.kind() {
            crate::ErrorKind::Internal | crate::ErrorKind::Unavailable => Err(error),
            _ => {
                tracing::info!(declaration.id = %id, code = error.code(), "decision from DingTalk refused");
                Ok(match error {
                    AppError::AlreadyDecided(state) => {
                        format!("refused: already decided (declaration {id} is {state})")
                    }
                    other => format!("refused: {} ({})", other.code(), other.message()),
                })
            }
        },
    }
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
        Err(error) => match error.kind() {
            crate::ErrorKind::Internal | crate::ErrorKind::Unavailable => Err(error),
            _ => Ok(format!("refused: {} ({})", error.code(), error.message())),
        },
    }
}
