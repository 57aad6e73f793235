//! The callback inbox (F3): receiving DingTalk events (HTTP callbacks, Stream frames, card
//! button presses) and applying each exactly once.
//!
//! Freshness of pushes and the inbox's timestamps use the wall clock (DingTalk signs with real
//! time), not the injected business clock.
//!
//! Receiving verifies the event, stores it under a stable key ([`event_key`]) and only then lets
//! the transport acknowledge it (`success` / Stream ACK): a crash before the insert makes
//! DingTalk redeliver, a crash after it loses nothing, and a redelivery inserts nothing.
//!
//! Applying ([`apply_pending`], also run by the worker of [`run_event_worker`]) takes the oldest
//! unapplied event, applies its effects and marks it applied in one transaction. Effects that
//! cannot be done (declaration already decided elsewhere, unknown declaration) are recorded as the
//! event's outcome (`refused: …`, `ignored: …`), never retried.

use std::future::Future;
use std::time::{Duration, SystemTime};

use aidazu_ports::inbox::{self, InboundEvent, NewInboundEvent};
use dingtalk::callback::{CallbackQuery, SealedMessage};
use dingtalk::event::{CardAction, Event};
use serde_json::{Value, json};

use crate::integration::CardCallback;
use crate::{App, AppError};

/// Freshness window of HTTP card callbacks.
const CARD_CALLBACK_WINDOW: Duration = Duration::from_secs(5 * 60);

/// `event_type` under which card button presses are stored.
pub const CARD_ACTION: &str = "card_action";

/// Failed application attempts after which an event is set aside with outcome `failed: …`.
const MAX_APPLY_ATTEMPTS: i32 = 10;

/// The stable identity of an event across DingTalk's redeliveries: `eventId` when present,
/// else `EventType`, `processInstanceId`, `type`, `result`, `taskId` (and for legacy contact
/// events `BizId` / `UserId` / `TimeStamp`), joined with `:`.
pub fn event_key(event: &Event) -> String {
    if let Some(id) = event.event_id.as_deref().filter(|id| !id.is_empty()) {
        return id.to_owned();
    }
    let field = |name: &str| match event.payload.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let mut parts = vec![event.event_type.clone()];
    for name in ["processInstanceId", "type", "result", "taskId"] {
        parts.push(field(name));
    }
    if parts[1..].iter().all(String::is_empty) {
        for name in ["BizId", "UserId", "TimeStamp"] {
            parts.push(field(name));
        }
    }
    parts.join(":")
}

/// The stored key of a card button press: card, user, button and a hash of the parameters. A
/// repeated delivery of the same press is stored once; a different press (another pick of
/// points after a refusal) is a new event.
pub fn card_action_key(action: &CardAction) -> String {
    let button = action
        .params
        .get("action")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| action.action_ids.first().cloned())
        .unwrap_or_default();
    let params = serde_json::to_string(&action.params).unwrap_or_default();
    format!(
        "card:{}:{}:{}:{:016x}",
        action.out_track_id,
        action.user_id,
        button,
        fnv1a(params.as_bytes())
    )
}

/// FNV-1a, 64 bit: a stable, dependency-free fingerprint for event keys (not a security hash).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The JSON a card press is stored as.
pub fn card_action_payload(action: &CardAction) -> Value {
    json!({
        "outTrackId": action.out_track_id.as_str(),
        "userId": action.user_id.as_str(),
        "corpId": action.corp_id,
        "actionIds": action.action_ids,
        "params": action.params,
        "spaceType": action.space_type,
        "spaceId": action.space_id,
    })
}

impl App {
    /// Handles one encrypted HTTP callback: verifies signature, freshness and owner key, answers
    /// `check_url` at once, stores any other event (a duplicate is a no-op) and answers the sealed
    /// `success` only after the insert committed.
    ///
    /// # Errors
    /// [`AppError::CallbackRejected`] (nothing stored), [`AppError::DingTalkNotConfigured`],
    /// [`AppError::Database`].
    pub async fn receive_callback(
        &self,
        query: &CallbackQuery,
        encrypt: &str,
    ) -> Result<SealedMessage, AppError> {
        let crypto = self
            .dingtalk_setup()
            .and_then(|d| d.callback_crypto.clone())
            .ok_or(AppError::DingTalkNotConfigured)?;
        #[expect(
            clippy::disallowed_methods,
            reason = "DingTalk signs with real time; freshness is judged against the wall clock"
        )]
        let now = SystemTime::now();
        let plaintext = crypto
            .open(query, encrypt, now)
            .map_err(AppError::CallbackRejected)?;
        let event = Event::from_http_plaintext(&plaintext)
            .map_err(|e| AppError::EventMalformed(e.to_string()))?;
        if !event.is_url_check() {
            self.receive_event(&event, inbox::SOURCE_HTTP).await?;
        }
        Ok(crypto.seal_success(now))
    }

    /// Stores a verified event (HTTP or Stream). Returns `true` when it was new.
    ///
    /// # Errors
    /// [`AppError::Database`].
    pub async fn receive_event(&self, event: &Event, source: &str) -> Result<bool, AppError> {
        if event.is_url_check() {
            return Ok(false);
        }
        let key = event_key(event);
        let inserted = inbox::insert(
            self.store(),
            NewInboundEvent {
                event_key: key.clone(),
                event_type: event.event_type.clone(),
                source: source.to_owned(),
                payload: event.payload.clone(),
            },
            self.clock().now(),
        )
        .await?;
        tracing::info!(event.key = %key, event.type = %event.event_type, source, inserted, "DingTalk event received");
        if let Some(notify) = self.events_notify() {
            notify.notify_one();
        }
        Ok(inserted)
    }

    /// Stores a card button press (Stream callback or HTTP card callback). Returns `true` when
    /// it was new.
    ///
    /// # Errors
    /// [`AppError::Database`].
    pub async fn receive_card_action(
        &self,
        action: &CardAction,
        source: &str,
    ) -> Result<bool, AppError> {
        let key = card_action_key(action);
        let inserted = inbox::insert(
            self.store(),
            NewInboundEvent {
                event_key: key.clone(),
                event_type: CARD_ACTION.to_owned(),
                source: source.to_owned(),
                payload: card_action_payload(action),
            },
            self.clock().now(),
        )
        .await?;
        tracing::info!(event.key = %key, source, inserted, "DingTalk card action received");
        if let Some(notify) = self.events_notify() {
            notify.notify_one();
        }
        Ok(inserted)
    }

    /// Handles an HTTP card callback: checks `x-ddpaas-signature = base64(HmacSHA256(secret,
    /// timestamp))` and the timestamp's freshness (5 minutes), then stores the press.
    ///
    /// # Errors
    /// [`AppError::CallbackRejected`] (nothing stored), [`AppError::EventMalformed`],
    /// [`AppError::DingTalkNotConfigured`], [`AppError::Database`].
    pub async fn receive_card_callback(
        &self,
        timestamp: &str,
        signature: &str,
        body: &str,
    ) -> Result<bool, AppError> {
        let Some(CardCallback::Http { secret, .. }) =
            self.dingtalk_setup().map(|d| &d.gateway.card_callback)
        else {
            return Err(AppError::DingTalkNotConfigured);
        };
        #[expect(
            clippy::disallowed_methods,
            reason = "DingTalk signs with real time; freshness is judged against the wall clock"
        )]
        let now = SystemTime::now();
        dingtalk::callback::verify_card_callback(
            secret,
            timestamp,
            signature,
            now,
            CARD_CALLBACK_WINDOW,
        )
        .map_err(AppError::CallbackRejected)?;
        let action = CardAction::from_callback_json(body)
            .map_err(|e| AppError::EventMalformed(e.to_string()))?;
        self.receive_card_action(&action, inbox::SOURCE_CARD_HTTP)
            .await
    }

    /// Every stored event in receipt order (diagnostics and tests).
    ///
    /// # Errors
    /// [`AppError::Database`].
    pub async fn inbound_events(&self) -> Result<Vec<InboundEvent>, AppError> {
        Ok(inbox::list(self.store()).await?)
    }
}

/// What applying one event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Inbox row id.
    pub id: i64,
    /// `EventType`.
    pub event_type: String,
    /// The outcome recorded on the row.
    pub outcome: String,
}

/// Applies every unapplied event, oldest first, and returns what was applied. Stops at the
/// first event that fails for a reason worth retrying (DingTalk or the database unavailable):
/// it stays unapplied, its failure is counted, and the error is returned.
///
/// On PostgreSQL one replica at a time applies (a transaction-scoped advisory lock), so events
/// are applied in receipt order even with several replicas; the others return at once.
///
/// # Errors
/// [`AppError::Database`], [`AppError::DingTalk`] and other internal failures of an effect.
pub async fn apply_pending(app: &App) -> Result<Vec<Applied>, AppError> {
    let guard = if app.store().backend() == aidazu_ports::Backend::Postgres {
        let txn = app.store().begin().await?;
        if !inbox::try_lock_applier(&txn).await? {
            txn.rollback().await?;
            return Ok(Vec::new());
        }
        Some(txn)
    } else {
        None
    };
    let mut applied = Vec::new();
    let result = loop {
        match apply_next(app).await {
            Ok(Some(done)) => applied.push(done),
            Ok(None) => break Ok(applied),
            Err(error) => break Err(error),
        }
    };
    if let Some(txn) = guard {
        txn.commit().await?;
    }
    result
}

/// Applies the oldest unapplied event, if any.
async fn apply_next(app: &App) -> Result<Option<Applied>, AppError> {
    let db = app.store();
    let Some(event) = inbox::next_unapplied(db).await? else {
        return Ok(None);
    };
    let outcome = if event.attempts >= MAX_APPLY_ATTEMPTS {
        let outcome = format!(
            "failed: gave up after {} attempts: {}",
            event.attempts,
            event.last_error.as_deref().unwrap_or("unknown error")
        );
        tracing::error!(event.id = event.id, %outcome, "DingTalk event set aside");
        Ok(outcome)
    } else {
        apply_one(app, &event).await
    };
    match outcome {
        Ok(outcome) => {
            // Contact events marked inside their own transaction already.
            let _ = inbox::mark_applied(db, event.id, &outcome, app.clock().now()).await?;
            tracing::info!(event.id = event.id, event.type = %event.event_type, %outcome, "DingTalk event applied");
            app.wake_workers();
            Ok(Some(Applied {
                id: event.id,
                event_type: event.event_type,
                outcome,
            }))
        }
        Err(error) => {
            tracing::warn!(event.id = event.id, %error, "applying a DingTalk event failed; will retry");
            inbox::record_failure(db, event.id, &error.to_string()).await?;
            Err(error)
        }
    }
}

/// Applies one event's effect. Decisions run in `decide`'s own transaction (its compare-and-set
/// and the ledger's idempotency key make a repeat after a crash a refused no-op); contact
/// changes are fetched from DingTalk first, then applied in one transaction together with
/// marking the event applied.
async fn apply_one(app: &App, event: &InboundEvent) -> Result<String, AppError> {
    match apply::plan(app, event).await? {
        apply::Effect::Record(outcome) => Ok(outcome),
        apply::Effect::Decide(decision) => approval::decide_once(app, *decision).await,
        apply::Effect::Withdraw(actor, id) => apply::run_withdrawal(app, &actor, id).await,
        apply::Effect::Contact(contact) => {
            // DingTalk is asked before the transaction opens.
            let details = crate::auth::fetch_contact_details(app, &contact).await?;
            let txn = app.store().begin().await?;
            let outcomes = crate::auth::apply_contact_details(app, &txn, &details).await?;
            let outcome = format!(
                "applied: contact {}",
                serde_json::to_string(&outcomes).unwrap_or_default()
            );
            inbox::mark_applied(&txn, event.id, &outcome, app.clock().now()).await?;
            txn.commit().await?;
            Ok(outcome)
        }
    }
}

/// Runs the inbox worker until `shutdown` completes: applies pending events whenever one is
/// stored (woken by the receiving side) and at least every `poll`.
pub async fn run_event_worker(app: App, poll: Duration, shutdown: impl Future<Output = ()>) {
    let notify = app.events_notify();
    tokio::pin!(shutdown);
    loop {
        if let Err(error) = apply_pending(&app).await {
            tracing::warn!(%error, "inbox worker: an event could not be applied yet");
        }
        let wake = async {
            match &notify {
                Some(n) => n.notified().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = &mut shutdown => break,
            () = wake => {}
            () = tokio::time::sleep(poll) => {}
        }
    }
    tracing::info!("inbox worker stopped");
}

pub(crate) mod apply;
pub(crate) mod approval;

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> Event {
        Event::from_http_plaintext(json).unwrap()
    }

    #[test]
    fn event_key_is_the_event_id_else_the_identifying_fields() {
        assert_eq!(
            event_key(&event(
                r#"{"EventType":"bpms_instance_change","eventId":"e-1","processInstanceId":"PI","type":"finish"}"#
            )),
            "e-1"
        );
        let legacy = r#"{"EventType":"bpms_task_change","processInstanceId":"PI","type":"finish","result":"agree","taskId":7,"EventTime":1}"#;
        assert_eq!(
            event_key(&event(legacy)),
            "bpms_task_change:PI:finish:agree:7"
        );
        // DingTalk's retry of the same event (later EventTime) has the same key.
        let retried = legacy.replace("\"EventTime\":1", "\"EventTime\":2");
        assert_eq!(event_key(&event(legacy)), event_key(&event(&retried)));
        // Contact events without eventId fall back to BizId, users and time.
        assert_eq!(
            event_key(&event(
                r#"{"EventType":"user_add_org","UserId":["u1"],"BizId":"b9","TimeStamp":5}"#
            )),
            "user_add_org:::::b9:[\"u1\"]:5"
        );
    }

    #[test]
    fn card_keys_separate_different_presses_and_merge_repeats() {
        let press = |params: &str| {
            CardAction::from_callback_json(&format!(
                r#"{{"outTrackId":"decl-1-x","userId":"u1","content":"{{\"cardPrivateData\":{{\"actionIds\":[\"approve\"],\"params\":{params}}}}}"}}"#
            ))
            .unwrap()
        };
        let forty = press(r#"{\"action\":\"approve\",\"points\":40}"#);
        let ten = press(r#"{\"action\":\"approve\",\"points\":10}"#);
        assert_eq!(card_action_key(&forty), card_action_key(&forty.clone()));
        assert_ne!(card_action_key(&forty), card_action_key(&ten));
        assert!(card_action_key(&ten).starts_with("card:decl-1-x:u1:approve:"));
    }
}
