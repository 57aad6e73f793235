//! Approval result → decide once: the one path of every DingTalk OA approval kind (declaration,
//! objection F6, catalogue change R7/F6), used by the callback inbox and by the reconciler (whose
//! re-checks are stored as the same inbox events).
//!
//! 1. [`ApprovalSubject::of_instance`] finds what an instance decides (one subject per instance).
//! 2. [`finished_result`] reads the result once for every kind: the approver (the finished task's
//!    stored event, else the instance details), their account, agree or refuse, the remark.
//! 3. [`plan_decision`] turns it into the kind's [`Decision`].
//! 4. [`decide_once`] runs it through the kind's use case (the same one the console calls), whose
//!    compare-and-set decides once; business refusals (decided elsewhere first, a repeated or late
//!    result, recusal) become the event's outcome, never a second decision.
//!
//! [`awaiting_results`] lists the approvals still waiting for their result, for the reconciler.

use aidazu_domain::channel::Channel;
use aidazu_domain::declaration::DeclarationState;
use aidazu_domain::objection::ObjectionState;
use aidazu_domain::{DeclarationId, ObjectionId, Points};
use aidazu_ports::declarations::{self as store_decl, DeclarationRecord};
use aidazu_ports::governance::{self as gov, ChangeStatus, StoredCatalogueChange};
use aidazu_ports::inbox;
use aidazu_ports::objections::{self as store_obj, StoredObjection};
use chrono::{DateTime, Utc};
use dingtalk::api::workflow::ProcessInstance;
use dingtalk::ids::ProcessInstanceId;
use serde_json::Value;

use crate::auth::Actor;
use crate::decisions::{DecisionInput, Outcome, decide};
use crate::gateway::form;
use crate::objections::ObjectionDecisionInput;
use crate::{App, AppError, ErrorKind};

/// What an approval instance decides.
pub(crate) enum ApprovalSubject {
    Declaration(Box<DeclarationRecord>),
    Objection(Box<StoredObjection>),
    CatalogueChange(Box<StoredCatalogueChange>),
}

impl ApprovalSubject {
    /// The declaration, objection or catalogue change whose approval is `instance_id`.
    ///
    /// # Errors
    /// [`AppError::Database`].
    pub(crate) async fn of_instance(
        app: &App,
        instance_id: &str,
    ) -> Result<Option<Self>, AppError> {
        let db = app.store();
        if let Some(record) = store_decl::declaration_by_process_instance(db, instance_id).await? {
            return Ok(Some(Self::Declaration(Box::new(record))));
        }
        if let Some(stored) = store_obj::by_process_instance(db, instance_id).await? {
            return Ok(Some(Self::Objection(Box::new(stored))));
        }
        Ok(gov::change_by_process_instance(db, instance_id)
            .await?
            .map(|c| Self::CatalogueChange(Box::new(c))))
    }

    /// `declaration 5`, `objection 3`, `catalogue change 7` (logs and outcomes).
    pub(crate) fn label(&self) -> String {
        match self {
            Self::Declaration(r) => format!("declaration {}", r.id),
            Self::Objection(o) => format!("objection {}", o.objection.id),
            Self::CatalogueChange(c) => format!("catalogue change {}", c.id),
        }
    }

    /// Its state in words (`in_review`, `open`, `submitted`, …).
    pub(crate) fn state(&self) -> String {
        match self {
            Self::Declaration(r) => r.state.to_string(),
            Self::Objection(o) => o.objection.state().to_string(),
            Self::CatalogueChange(c) => c.status.as_str().to_owned(),
        }
    }
}

/// The approvals still waiting for their DingTalk result, `(instance id, label)`: declarations in
/// review submitted before `cutoff`, open objections with an approval filed on or before the
/// cut-off's business date (F6), submitted catalogue changes with an approval submitted on or
/// before `cutoff` (R7, F6).
///
/// # Errors
/// [`AppError::Database`].
pub(crate) async fn awaiting_results(
    app: &App,
    cutoff: DateTime<Utc>,
) -> Result<Vec<(String, String)>, AppError> {
    let db = app.store();
    let mut out = Vec::new();
    for record in store_decl::in_review_submitted_before(db, cutoff).await? {
        if let Some(instance) = record.process_instance_id {
            out.push((instance, format!("declaration {}", record.id)));
        }
    }
    for stored in
        store_obj::open_with_approval_filed_by(db, aidazu_domain::calendar::business_date(cutoff))
            .await?
    {
        if let Some(instance) = stored.process_instance_id {
            out.push((instance, format!("objection {}", stored.objection.id)));
        }
    }
    for change in gov::submitted_with_approval_by(db, cutoff).await? {
        if let Some(instance) = change.process_instance_id {
            out.push((instance, format!("catalogue change {}", change.id)));
        }
    }
    Ok(out)
}

/// A decision from an approval (or a card), for [`decide_once`].
pub(crate) enum Decision {
    Declaration(DecisionInput),
    Objection {
        actor: Actor,
        objection: ObjectionId,
        input: ObjectionDecisionInput,
        instance: String,
    },
    CatalogueChange {
        actor: Actor,
        change: i64,
        approve: bool,
        reason: Option<String>,
        instance: String,
    },
}

/// A finished approval's result, read the same way for every kind.
pub(crate) struct FinishedResult {
    /// The approver's DingTalk user id.
    pub approver: String,
    /// The approver's account (channel `DingTalkApproval`).
    pub actor: Actor,
    pub agree: bool,
    pub remark: Option<String>,
    /// The instance details, when they could be fetched (form values).
    pub instance: Option<ProcessInstance>,
}

fn text<'a>(payload: &'a Value, name: &str) -> Option<&'a str> {
    payload
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
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
    for task in inbox::task_changes_of(app.store(), instance_id).await? {
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

/// Reads a finished instance's result. `Err(outcome)` when there is nothing to decide (no
/// approver, an approver without an account, a result other than agree or refuse).
///
/// # Errors
/// [`AppError::Database`], [`AppError::DingTalk`] (retry later).
pub(crate) async fn finished_result(
    app: &App,
    payload: &Value,
    instance_id: &str,
    attempts: i32,
) -> Result<Result<FinishedResult, String>, AppError> {
    // The approver and remark: from the finished task's event (already stored, DingTalk sends it
    // first), else from the instance details, which also carry the form's values.
    let (approver, remark, instance) = approver_of(app, instance_id, attempts).await?;
    let Some(approver) = approver else {
        return Ok(Err("refused: approval has no approver".into()));
    };
    let Some(actor) = app
        .actor_of_dingtalk_user(&approver, Channel::DingTalkApproval)
        .await?
    else {
        return Ok(Err(format!(
            "refused: approver {approver} has no active account"
        )));
    };
    let result = text(payload, "result").map(str::to_owned).or_else(|| {
        instance
            .as_ref()
            .and_then(|i| i.result)
            .map(|r| format!("{r:?}").to_lowercase())
    });
    let agree = match result.as_deref() {
        Some("agree") => true,
        Some("refuse") => false,
        other => {
            return Ok(Err(format!(
                "ignored: approval finished with result {}",
                other.unwrap_or("none")
            )));
        }
    };
    Ok(Ok(FinishedResult {
        approver,
        actor,
        agree,
        remark,
        instance,
    }))
}

/// The value of a form field of the instance, if the details are known.
fn form_value<'a>(instance: Option<&'a ProcessInstance>, name: &str) -> Option<&'a str> {
    instance
        .into_iter()
        .flat_map(|i| i.form_component_values.iter())
        .find(|v| v.name == name)
        .map(|v| v.value.as_str())
}

/// What a finished approval asks of its subject. `Err(outcome)` when nothing is to be decided
/// (an objection agreed without a correction amount: its approver is told to use the console).
///
/// # Errors
/// [`AppError::Database`].
pub(crate) async fn plan_decision(
    app: &App,
    subject: ApprovalSubject,
    result: FinishedResult,
    instance_id: &str,
) -> Result<Result<Decision, String>, AppError> {
    let FinishedResult {
        approver,
        actor,
        agree,
        remark,
        instance,
    } = result;
    let refused_reason =
        |remark: Option<String>| remark.unwrap_or_else(|| "审批未通过（钉钉审批）".to_owned());
    Ok(Ok(match subject {
        ApprovalSubject::Declaration(record) => {
            if record.state != DeclarationState::InReview {
                // Decided elsewhere first (console, card): R9 still audits the refused attempt.
                tracing::info!(declaration.id = %record.id, "approval result for a declaration already decided");
            }
            // The form's 积分 (an admin may have edited it), else the suggested points.
            let outcome = if agree {
                Outcome::Approve {
                    points: form_value(instance.as_ref(), form::POINTS)
                        .and_then(|v| v.trim().parse::<f64>().ok())
                        .filter(|p| p.fract() == 0.0)
                        .map(|p| Points(p as i64)),
                }
            } else {
                Outcome::Reject {
                    reason: refused_reason(remark),
                }
            };
            Decision::Declaration(DecisionInput {
                declaration_id: record.id,
                outcome,
                actor,
                channel: Channel::DingTalkApproval,
                source_ref: Some(instance_id.to_owned()),
            })
        }
        ApprovalSubject::Objection(stored) => {
            let id = stored.objection.id;
            // F6: agree upholds with the approver's correction (form field 更正分值, else
            // `更正 ±n` in the remark); without one nothing is decided. Refuse rejects.
            let input = if agree {
                let field = form_value(
                    instance.as_ref(),
                    crate::gateway::objection::form::CORRECTION,
                );
                let Some(correction) =
                    crate::gateway::objection::correction_from(field, remark.as_deref())
                else {
                    if stored.objection.state() == ObjectionState::Open {
                        aidazu_ports::outbox::enqueue(
                            app.store(),
                            crate::messages::work_notice(
                                crate::messages::key::objection("approval_incomplete", id),
                                stored.village,
                                vec![approver],
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
                    return Ok(Err(format!(
                        "refused: objection {id}: approval agreed without a correction amount; decide in the console"
                    )));
                };
                ObjectionDecisionInput {
                    correction: Some(Points(correction)),
                    reason: remark.unwrap_or_else(|| "经钉钉审批采纳".to_owned()),
                }
            } else {
                ObjectionDecisionInput {
                    correction: None,
                    reason: refused_reason(remark),
                }
            };
            Decision::Objection {
                actor,
                objection: id,
                input,
                instance: instance_id.to_owned(),
            }
        }
        // R7, F6: agree approves (the new version is in force from the next quarter), refuse
        // rejects with the approver's remark.
        ApprovalSubject::CatalogueChange(change) => Decision::CatalogueChange {
            actor,
            change: change.id,
            approve: agree,
            reason: if agree {
                remark
            } else {
                Some(refused_reason(remark))
            },
            instance: instance_id.to_owned(),
        },
    }))
}

/// A business refusal of a decision from DingTalk becomes the event's outcome; internal and
/// unavailable failures stay errors (the event is retried).
pub(crate) fn refused(about: &str, error: AppError) -> Result<String, AppError> {
    match error.kind() {
        ErrorKind::Internal | ErrorKind::Unavailable => Err(error),
        _ => {
            tracing::info!(about, code = error.code(), "decision from DingTalk refused");
            Ok(match error {
                AppError::AlreadyDecided(state) => {
                    format!("refused: already decided ({about} is {state})")
                }
                other => format!("refused: {} ({})", other.code(), other.message()),
            })
        }
    }
}

/// Runs a decision through its kind's use case, once: a subject decided before (the console
/// first, DingTalk repeating its result, the reconciler's re-check after a late push) is recorded
/// as refused, never decided twice.
///
/// # Errors
/// Internal failures of the use case ([`AppError::Database`], …): the event is retried.
pub(crate) async fn decide_once(app: &App, decision: Decision) -> Result<String, AppError> {
    let db = app.store();
    match decision {
        Decision::Declaration(input) => {
            let id: DeclarationId = input.declaration_id;
            match decide(app, input).await {
                Ok(result) => Ok(match result.ledger_entry {
                    Some(entry) => {
                        format!("applied: declaration {id} approved, ledger entry {entry}")
                    }
                    None => format!("applied: declaration {id} rejected"),
                }),
                Err(error) => refused(&format!("declaration {id}"), error),
            }
        }
        Decision::Objection {
            actor,
            objection: id,
            input,
            instance,
        } => {
            let about = format!("objection {id}");
            if let Some(current) = store_obj::get(db, id).await?
                && current.objection.state() != ObjectionState::Open
            {
                return Ok(format!(
                    "refused: already decided ({about} is {})",
                    current.objection.state()
                ));
            }
            match app.decide_objection(&actor, id, input).await {
                Ok(view) => Ok(format!(
                    "applied: objection {id} {} (approval {instance})",
                    view.stored.objection.state()
                )),
                Err(error) => refused(&about, error),
            }
        }
        Decision::CatalogueChange {
            actor,
            change: id,
            approve,
            reason,
            instance,
        } => {
            let about = format!("catalogue change {id}");
            if let Some(current) = gov::change(db, id).await?
                && current.status != ChangeStatus::Submitted
            {
                return Ok(format!(
                    "refused: already decided ({about} is {})",
                    current.status.as_str()
                ));
            }
            match app
                .decide_catalogue_change(&actor, id, approve, reason)
                .await
            {
                Ok(change) => Ok(format!(
                    "applied: catalogue change {id} {} (approval {instance})",
                    change.status.as_str()
                )),
                Err(error) => refused(&about, error),
            }
        }
    }
}
