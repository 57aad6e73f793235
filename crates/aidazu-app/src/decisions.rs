//! Decisions (R9, D6): the one [`decide`] function every channel calls — the DingTalk approval
//! result, the interactive card button and the PC console.
//!
//! In one transaction: compare-and-set the declaration from `in_review` to the outcome (a
//! conditional `UPDATE`; a second decision changes nothing and is refused with
//! `declaration.already_decided`, its attempt audited), recheck the cap, append the ledger entry
//! on approval (idempotency key `decl:<id>`), enqueue the member's work notification and the
//! closing of the other channels, and record the audit.

use aidazu_domain::calendar::business_date;
use aidazu_domain::catalogue::ItemRef;
use aidazu_domain::channel::Channel;
use aidazu_domain::declaration::{
    DecisionOutcome, Declaration, DeclarationDraft, DeclarationState, ReviewStatus, Reviewer,
};
use aidazu_domain::ledger::check_cap;
use aidazu_domain::org::Role;
use aidazu_domain::{DeclarationId, DomainError, ItemCode, LedgerEntryId, Points};
use aidazu_ports::catalogue::catalogue_version_by_id;
use aidazu_ports::declarations::{self as store_decl, DecisionWrite, DeclarationRecord};
use aidazu_ports::ledger::{self, NewLedgerEntry};
use aidazu_ports::outbox;
use aidazu_ports::{AsRepo, audit};
use serde_json::json;

use crate::auth::Actor;
use crate::declarations::{DeclarationView, enqueue_closing, household_cap_usage};
use crate::messages::{self, About};
use crate::review_routing::route_declaration;
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

/// R9: decides a declaration once, as load → ask the domain → save. See the module docs.
///
/// # Errors
/// [`AppError::DeclarationNotFound`] (also outside the actor's scope), [`AppError::Forbidden`]
/// (not among the reviewers the routing chose), [`AppError::Recusal`] (D6: a household the
/// person is or was bound to in the points-year), [`AppError::Rule`]
/// (`catalogue.points_not_allowed` for points outside the item's range,
/// `declaration.reason_required`, `declaration.cap_exceeded`), [`AppError::AlreadyDecided`]
/// (409, the attempt is audited), [`AppError::Database`].
#[tracing::instrument(skip(app, input), fields(declaration.id = input.declaration_id.get(), channel = %input.channel))]
pub async fn decide(app: &App, input: DecisionInput) -> Result<DecisionResult, AppError> {
    // Load.
    let id = input.declaration_id;
    let db = app.store();
    let record = store_decl::declaration(db, id)
        .await?
        .ok_or(AppError::DeclarationNotFound(id.get()))?;
    let location = app.village_location(record.village).await?;
    let actor = Actor {
        channel: input.channel,
        ..input.actor.clone()
    };
    if !actor.grants.iter().any(|g| g.scope.covers(&location)) {
        return Err(AppError::DeclarationNotFound(id.get()));
    }
    let calendar = aidazu_ports::org::village_calendar(app.store(), record.village).await?;
    let routing = route_declaration(
        db,
        &location,
        record.household,
        calendar,
        record.occurred_on,
    )
    .await?;
    // Who may decide comes from the routing (D6: admins, else committee, else town); a person
    // tied to the household reaches the domain's recusal check below.
    let role = routing
        .candidate_role(actor.account_id)
        .ok_or(AppError::Forbidden)?;
    let recused = routing.is_recused(actor.account_id);
    if !recused
        && !routing
            .route
            .as_ref()
            .is_ok_and(|r| r.admits(actor.account_id))
    {
        return Err(AppError::Forbidden);
    }
    if record.state != DeclarationState::InReview {
        refuse_second(app, &actor, role, &record, &input).await?;
        return Err(AppError::AlreadyDecided(record.state));
    }
    let code = ItemCode::parse(&record.item_code)
        .map_err(|_| AppError::InvalidInput("stored item code"))?;
    // Read before the transaction: SQLite has one connection, the transaction holds it.
    let version = catalogue_version_by_id(db, record.catalogue_version_id).await?;
    let item = version
        .version
        .item(&code)
        .ok_or_else(|| DomainError::ItemNotFound {
            code: code.clone(),
            version: record.catalogue_version,
        })?
        .clone();

    // Ask the domain.
    let mut declaration =
        domain_declaration(&record, code.clone()).with_status(ReviewStatus::InReview);
    let reviewer = Reviewer {
        account: actor.account_id,
        household: if recused {
            Some(record.household)
        } else {
            actor.household_id
        },
    };
    let now = app.clock().now();
    let outcome = match &input.outcome {
        Outcome::Approve { points } => declaration.approve(
            reviewer,
            &item,
            points.unwrap_or(record.suggested_points),
            input.channel,
            now,
        ),
        Outcome::Reject { reason } => declaration.reject(reviewer, reason, input.channel, now),
    }
    .map_err(|err| match err {
        DomainError::RecusalRequired => AppError::Recusal,
        other => AppError::Rule(other),
    })?;
    debug_assert_eq!(outcome, DecisionOutcome::Applied);
    let award = declaration.award_entry(calendar, &record.item_title);
    if award.is_some() {
        app.require_participation(record.household, record.occurred_on)
            .await?;
    }
    let write = match declaration.status() {
        ReviewStatus::Approved { points, .. } => DecisionWrite {
            approved: true,
            at: now,
            decider: actor.account_id,
            channel: input.channel,
            points: Some(*points),
            reason: None,
        },
        ReviewStatus::Rejected { reason, .. } => DecisionWrite {
            approved: false,
            at: now,
            decider: actor.account_id,
            channel: input.channel,
            points: None,
            reason: Some(reason.clone()),
        },
        _ => return Err(AppError::InvalidInput("decision produced no final state")),
    };

    // Save: state, ledger entry, outbox and audit in one transaction.
    let txn = app.store().begin().await?;
    ledger::lock_household(&txn, record.household).await?;
    if let Some((year, entry)) = &award {
        let usage = household_cap_usage(
            &txn,
            record.household,
            item.cap(),
            &code,
            calendar,
            business_date(entry.occurred_at),
            Some(id),
        )
        .await?;
        check_cap(item.cap(), &code, usage, entry.amount)?;
        debug_assert!(calendar.contains(*year, business_date(entry.occurred_at)));
    }
    if !store_decl::decide_in_review(&txn, id, &write).await? {
        txn.rollback().await?;
        let current = store_decl::declaration(db, id)
            .await?
            .ok_or(AppError::DeclarationNotFound(id.get()))?;
        refuse_second(app, &actor, role, &current, &input).await?;
        return Err(AppError::AlreadyDecided(current.state));
    }
    let mut entry_id = None;
    if let Some((year, entry)) = award {
        let entry = NewLedgerEntry {
            entry,
            points_year: year,
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
                "reviewTier": routing.route.as_ref().ok().map(|r| r.tier),
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

/// The domain's view of a stored declaration (state set by the caller).
fn domain_declaration(record: &DeclarationRecord, code: ItemCode) -> Declaration {
    Declaration::submitted(
        record.id,
        DeclarationDraft {
            household: record.household,
            member: record.member,
            item: code.clone(),
            occurred_on: record.occurred_on,
            text: record.text.clone(),
            photos: record.photo_ids.iter().map(ToString::to_string).collect(),
        },
        ItemRef {
            code,
            version: record.catalogue_version,
        },
        record.submitted_at,
    )
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
/// own accounts, or to the household's when the member has none, and to the declarant when they
/// declared for someone else.
async fn notify_member<C: AsRepo + ?Sized>(
    db: &C,
    record: &DeclarationRecord,
    write: &DecisionWrite,
) -> Result<(), AppError> {
    let mut user_ids: Vec<String> = aidazu_ports::accounts::accounts_of_member(db, record.member)
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
    // The declarant is told too when they declared for another member of the household.
    if let Some(declarant) = aidazu_ports::dingtalk::account_user_id(db, record.declarant).await?
        && !user_ids.contains(&declarant)
    {
        user_ids.push(declarant);
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
        messages::work_notice(
            messages::key::decision_notice(record.id),
            record.village,
            user_ids,
            title,
            text,
            About::Declaration(record.id),
        ),
    )
    .await?;
    Ok(())
}
