//! Decisions (R9, D6): the one [`decide`] function every channel calls — the DingTalk approval
//! result, the interactive card button and the PC console.
//!
//! In one transaction: compare-and-set the declaration from `in_review` to the outcome (a
//! conditional `UPDATE`; a second decision changes nothing and is refused with
//! `declaration.already_decided`, its attempt audited), recheck the cap, append the ledger entry
//! on approval (idempotency key `decl:<id>`), enqueue the member's work notification and the
//! closing of the other channels, and record the audit.

use aidazu_domain::calendar::shanghai_instant;
use aidazu_domain::catalogue::ItemRef;
use aidazu_domain::channel::Channel;
use aidazu_domain::ledger::{EntryKind, EntrySource, LedgerEntry, check_cap};
use aidazu_domain::org::{Action, Role};
use aidazu_domain::{DeclarationId, DomainError, ItemCode, LedgerEntryId, Points};
use aidazu_store::catalogue::catalogue_version_by_id;
use aidazu_store::declarations::{self as store_decl, DecisionWrite, DeclarationRecord};
use aidazu_store::ledger::{self, NewLedgerEntry};
use aidazu_store::outbox::{self, NewOutboxMessage};
use aidazu_store::{ConnectionTrait, audit};
use chrono::NaiveTime;
use serde_json::json;

use crate::auth::Actor;
use crate::declarations::{DeclarationView, enqueue_closing, household_cap_usage};
use crate::{App, AppError};

/// What the reviewer decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Approve with these points (a range item: the reviewer's pick, inside the range);
    /// `None` takes the item's suggested value.
    Approve { points: Option<Points> },
    /// Refuse, with the reason the member will read.
    Reject { reason: String },
}

/// One decision, from any channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    pub declaration_id: DeclarationId,
    pub outcome: Outcome,
    /// The deciding person (resolved from the DingTalk user for the approval and card channels).
    pub actor: Actor,
    /// Which channel delivered the decision.
    pub channel: Channel,
    /// The channel's own reference (approval instance id, card outTrackId, request id), for the
    /// audit trail.
    pub source_ref: Option<String>,
}

/// The decided declaration and the ledger entry an approval booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionResult {
    pub declaration: DeclarationView,
    pub ledger_entry: Option<LedgerEntryId>,
}

/// R9: decides a declaration once. See the module docs.
///
/// # Errors
/// [`AppError::DeclarationNotFound`] (also outside the actor's scope), [`AppError::Forbidden`]
/// (not a village admin), [`AppError::Recusal`] (D6: own household), [`AppError::Rule`]
/// (`catalogue.points_not_allowed` for points outside the item's range,
/// `declaration.reason_required`, `declaration.cap_exceeded`), [`AppError::AlreadyDecided`]
/// (409, the attempt is audited), [`AppError::Store`].
#[tracing::instrument(skip(app, input), fields(declaration.id = input.declaration_id.get(), channel = %input.channel))]
pub async fn decide(app: &App, input: DecisionInput) -> Result<DecisionResult, AppError> {
    let id = input.declaration_id;
    let db = app.store().connection();
    let record = store_decl::declaration(db, id)
        .await?
        .ok_or(AppError::DeclarationNotFound(id.get()))?;
    let location = app.village_location(record.village).await?;
    let actor = Actor {
        channel: input.channel,
        ..input.actor.clone()
    };
    let role = actor.require(
        Action::ReviewDeclaration,
        &location,
        AppError::DeclarationNotFound(id.get()),
    )?;
    if actor.household_id == Some(record.household) {
        return Err(AppError::Recusal);
    }
    if record.state != aidazu_domain::declaration::DeclarationState::InReview {
        refuse_second(app, &actor, role, &record, &input).await?;
        return Err(AppError::AlreadyDecided(record.state));
    }
    let code = ItemCode::parse(&record.item_code)
        .map_err(|_| AppError::InvalidInput("stored item code"))?;
    let write = match &input.outcome {
        Outcome::Approve { points } => {
            let points = points.unwrap_or(record.suggested_points);
            if points < record.min_points || points > record.max_points {
                return Err(DomainError::PointsNotAllowed { code, points }.into());
            }
            DecisionWrite {
                approved: true,
                at: app.clock().now(),
                decider: actor.account_id,
                channel: input.channel,
                points: Some(points),
                reason: None,
            }
        }
        Outcome::Reject { reason } => {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(DomainError::ReasonRequired.into());
            }
            DecisionWrite {
                approved: false,
                at: app.clock().now(),
                decider: actor.account_id,
                channel: input.channel,
                points: None,
                reason: Some(reason.to_owned()),
            }
        }
    };
    if write.approved {
        app.require_participation(record.household, record.occurred_on)
            .await?;
    }
    // Read before the transaction: SQLite has one connection, the transaction holds it.
    let version = catalogue_version_by_id(db, record.catalogue_version_id).await?;
    let cap = version
        .version
        .item(&code)
        .map(|item| item.cap())
        .unwrap_or_default();
    let calendar = app.store().village_calendar(record.village).await?;

    let txn = app.store().begin().await?;
    ledger::lock_household(&txn, record.household).await?;
    let mut entry_id = None;
    if let Some(points) = write.points {
        let usage = household_cap_usage(
            &txn,
            record.household,
            cap,
            &code,
            calendar,
            record.occurred_on,
            Some(id),
        )
        .await?;
        check_cap(cap, &code, usage, points)?;
    }
    if !store_decl::decide_in_review(&txn, id, &write).await? {
        txn.rollback().await?;
        let current = store_decl::declaration(db, id)
            .await?
            .ok_or(AppError::DeclarationNotFound(id.get()))?;
        refuse_second(app, &actor, role, &current, &input).await?;
        return Err(AppError::AlreadyDecided(current.state));
    }
    if let Some(points) = write.points {
        let entry = NewLedgerEntry {
            entry: LedgerEntry {
                household: record.household,
                member: Some(record.member),
                kind: EntryKind::Award,
                amount: points,
                source: EntrySource::Item(ItemRef {
                    code: code.clone(),
                    version: record.catalogue_version,
                }),
                declaration: Some(id),
                actor: actor.account_id,
                occurred_at: shanghai_instant(record.occurred_on, NaiveTime::MIN),
                reason: format!("{}：{}", record.item_title, record.text),
            },
            points_year: calendar.points_year_of(record.occurred_on),
            channel: input.channel,
            request_id: actor.request_id.clone(),
            idempotency_key: Some(format!("decl:{}", id.get())),
        };
        let booked = ledger::append_entry(&txn, &entry).await?;
        store_decl::set_ledger_entry(&txn, id, booked).await?;
        entry_id = Some(booked);
    }
    notify_member(&txn, &record, &write).await?;
    enqueue_closing(&txn, &record, Some(input.channel)).await?;
    audit::record(
        &txn,
        &actor.audit(
            Some(role),
            if write.approved {
                "declaration.approve"
            } else {
                "declaration.reject"
            },
            "declaration",
            Some(id.get().to_string()),
            Some(record.village),
            Some(record.household),
            json!({
                "points": write.points.map(Points::get),
                "reason": write.reason,
                "ledgerEntryId": entry_id.map(LedgerEntryId::get),
                "sourceRef": input.source_ref,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(DecisionResult {
        declaration: app.declaration_view_by_id(id).await?,
        ledger_entry: entry_id,
    })
}

/// R9: a second decision is refused and logged (in its own transaction).
async fn refuse_second(
    app: &App,
    actor: &Actor,
    role: Role,
    current: &DeclarationRecord,
    input: &DecisionInput,
) -> Result<(), AppError> {
    tracing::info!(
        declaration.id = current.id.get(),
        state = %current.state,
        channel = %input.channel,
        "second decision refused"
    );
    let txn = app.store().begin().await?;
    audit::record(
        &txn,
        &actor.audit(
            Some(role),
            "declaration.decision_refused",
            "declaration",
            Some(current.id.get().to_string()),
            Some(current.village),
            Some(current.household),
            json!({
                "state": current.state.to_string(),
                "attempted": match &input.outcome {
                    Outcome::Approve { .. } => "approve",
                    Outcome::Reject { .. } => "reject",
                },
                "sourceRef": input.source_ref,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The member's DingTalk work notification (with the reason on refusal). Sent to the member's
/// own accounts, or to the household's when the member has none.
async fn notify_member<C: ConnectionTrait>(
    db: &C,
    record: &DeclarationRecord,
    write: &DecisionWrite,
) -> Result<(), AppError> {
    let mut user_ids: Vec<String> = aidazu_store::accounts::accounts_of_member(db, record.member)
        .await?
        .into_iter()
        .map(|(_, user)| user)
        .collect();
    if user_ids.is_empty() {
        user_ids = store_decl::household_recipients(db, record.household)
            .await?
            .into_iter()
            .map(|r| r.dingtalk_user_id)
            .collect();
    }
    if user_ids.is_empty() {
        return Ok(());
    }
    let (title, text) = if write.approved {
        let points = write.points.map_or(0, Points::get);
        (
            "积分申报已通过".to_owned(),
            format!(
                "您于 {} 申报的“{}”已审核通过，获得 {} 分。",
                record.occurred_on, record.item_title, points
            ),
        )
    } else {
        (
            "积分申报未通过".to_owned(),
            format!(
                "您于 {} 申报的“{}”未通过审核。原因：{}",
                record.occurred_on,
                record.item_title,
                write.reason.as_deref().unwrap_or("")
            ),
        )
    };
    outbox::enqueue(
        db,
        NewOutboxMessage {
            kind: "notify.work".into(),
            dedupe_key: format!("notify.work:decl:{}", record.id.get()),
            village_id: Some(record.village),
            payload: json!({
                "userIds": user_ids,
                "markdown": { "title": title, "text": text },
                "declarationId": record.id.get(),
            }),
            not_before: None,
        },
    )
    .await?;
    Ok(())
}
