//! The outbox worker (F4): claims due messages with a lease, sends them through the gateway,
//! and records the result: `sent` with what DingTalk answered, a retry with exponential backoff
//! and jitter (`next_attempt_at`), or `failed` after the last attempt (visible to operators).
//!
//! Never twice: a message is sent only by the worker holding its lease, the send is cut off
//! well before the lease ends, and the result is written only while the lease is still held.
//! Two replicas on one PostgreSQL database claim disjoint rows (`FOR UPDATE SKIP LOCKED`).
//!
//! Leases and retry times use the wall clock, not the injected business clock: they are about
//! when the process may act, and `enqueue` stamps rows with the wall clock too.

use std::future::Future;
use std::time::Duration;

use aidazu_ports::outbox::OutboxMessage;
use aidazu_ports::outbox_lease;
use rand::Rng;

use crate::gateway::{self, SendError};
use crate::integration::OutboxPolicy;
use crate::{App, AppError};

/// How many messages one claim takes: one, so that every message's lease starts right before
/// its own send (a batch would age the leases of its later messages).
const CLAIM_BATCH: u64 = 1;
/// How long a rate-limited message waits at least.
const RATE_LIMIT_WAIT: Duration = Duration::from_secs(2);

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DispatchReport {
    /// Messages sent.
    pub sent: usize,
    /// Messages scheduled for another attempt.
    pub retried: usize,
    /// Messages given up on.
    pub failed: usize,
}

impl DispatchReport {
    /// Whether anything was claimed.
    pub fn is_empty(&self) -> bool {
        self.sent + self.retried + self.failed == 0
    }
}

/// The delay before attempt `attempts + 1`: `base · 2^attempts`, capped at `max`, jittered
/// into `[½·d, d]` so that replicas do not retry in lockstep.
pub fn backoff(policy: &OutboxPolicy, attempts: u32, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(attempts.min(20));
    let raw = policy
        .backoff_base
        .saturating_mul(factor)
        .min(policy.backoff_max);
    raw.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// Claims and sends due messages once (until none is due). `worker` names this worker in the
/// lease (`locked_by`).
///
/// # Errors
/// [`AppError::Database`] when claiming or recording fails.
pub async fn dispatch_due(app: &App, worker: &str) -> Result<DispatchReport, AppError> {
    dispatch_due_until(app, worker, &|| false).await
}

/// [`dispatch_due`] that ends early once `stop()` says so, between messages: a claimed message is
/// always sent and recorded first, so none is left leased by a stopping process.
///
/// # Errors
/// As [`dispatch_due`].
pub async fn dispatch_due_until(
    app: &App,
    worker: &str,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<DispatchReport, AppError> {
    let policy = app.dingtalk_setup().map(|s| s.outbox).unwrap_or_default();
    let lease = chrono::Duration::from_std(policy.lease).unwrap_or(chrono::Duration::seconds(60));
    // Cut every send off well before the lease ends, so no other worker can take the message
    // while this one may still deliver it.
    let send_deadline = policy.lease.mul_f64(0.6);
    let mut report = DispatchReport::default();
    loop {
        if stop() {
            return Ok(report);
        }
        // Leases are shared between processes (replicas), so they run on real time.
        #[expect(
            clippy::disallowed_methods,
            reason = "outbox leases are cross-process: real time"
        )]
        let now = chrono::Utc::now();
        let claimed = outbox_lease::claim_due(app.store(), worker, now, lease, CLAIM_BATCH).await?;
        if claimed.is_empty() {
            return Ok(report);
        }
        for message in claimed {
            let outcome =
                match tokio::time::timeout(send_deadline, gateway::send(app, &message)).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(SendError::Retry {
                        reason: "send timed out".to_owned(),
                        rate_limited: false,
                    }),
                };
            record(app, worker, &policy, &message, outcome, &mut report).await?;
        }
    }
}

async fn record(
    app: &App,
    worker: &str,
    policy: &OutboxPolicy,
    message: &OutboxMessage,
    outcome: Result<serde_json::Value, SendError>,
    report: &mut DispatchReport,
) -> Result<(), AppError> {
    let db = app.store();
    #[expect(
        clippy::disallowed_methods,
        reason = "outbox leases are cross-process: real time"
    )]
    let now = chrono::Utc::now();
    let attempts = u32::try_from(message.attempts).unwrap_or(0);
    match outcome {
        Ok(result) => {
            if outbox_lease::mark_sent(db, message.id, worker, &result, now).await? {
                report.sent += 1;
                tracing::info!(outbox.id = message.id, outbox.kind = %message.kind, "outbox message sent");
            } else {
                tracing::error!(outbox.id = message.id, "outbox lease lost while sending");
            }
        }
        Err(error)
            if matches!(error, SendError::Permanent(_)) || attempts + 1 >= policy.max_attempts =>
        {
            let txn = app.store().begin().await?;
            if outbox_lease::mark_failed(&txn, message.id, worker, error.reason()).await? {
                // R22: a DingTalk call given up on is visible in the audit trail.
                aidazu_ports::audit::record(
                    &txn,
                    &aidazu_ports::audit::AuditRecord {
                        actor: None,
                        role: None,
                        channel: aidazu_domain::channel::Channel::Job,
                        request_id: None,
                        action: "outbox.failed".to_owned(),
                        entity: "outbox".to_owned(),
                        entity_id: Some(message.id.to_string()),
                        village: message.village_id,
                        household: None,
                        detail: serde_json::json!({
                            "kind": message.kind,
                            "dedupeKey": message.dedupe_key,
                            "attempts": attempts + 1,
                            "lastError": error.reason(),
                        }),
                        at: now,
                    },
                )
                .await?;
            }
            txn.commit().await?;
            report.failed += 1;
            tracing::error!(
                outbox.id = message.id,
                outbox.kind = %message.kind,
                attempts = attempts + 1,
                error = error.reason(),
                "outbox message failed for good"
            );
        }
        Err(error) => {
            let jitter = rand::thread_rng().r#gen::<f64>();
            let mut delay = backoff(policy, attempts, jitter);
            if matches!(
                error,
                SendError::Retry {
                    rate_limited: true,
                    ..
                }
            ) {
                delay = delay.max(RATE_LIMIT_WAIT.min(policy.backoff_max));
            }
            let next =
                now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::seconds(1));
            outbox_lease::schedule_retry(db, message.id, worker, next, error.reason()).await?;
            report.retried += 1;
            tracing::warn!(
                outbox.id = message.id,
                outbox.kind = %message.kind,
                attempts = attempts + 1,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                error = error.reason(),
                "outbox message will be retried"
            );
        }
    }
    Ok(())
}

/// Runs the outbox worker until `shutdown` completes: sends due messages whenever woken and at
/// least every `poll`; ensures the approval form and card route on the way.
pub async fn run_outbox_worker(
    app: App,
    worker: String,
    poll: Duration,
    shutdown: impl Future<Output = ()>,
) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let notify = app.outbox_notify();
    tokio::pin!(shutdown);
    let stopping = AtomicBool::new(false);
    loop {
        let stop = || stopping.load(Ordering::Relaxed);
        let pass = dispatch_due_until(&app, &worker, &stop);
        tokio::pin!(pass);
        // A shutdown during a pass raises the flag the pass checks between messages; the pass
        // itself is polled to its end, so the message being sent is recorded.
        let result = loop {
            tokio::select! {
                result = &mut pass => break result,
                () = &mut shutdown, if !stop() => stopping.store(true, Ordering::Relaxed),
            }
        };
        match result {
            Ok(report) if !report.is_empty() => {
                tracing::debug!(?report, "outbox pass");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "outbox worker pass failed"),
        }
        if stopping.load(Ordering::Relaxed) {
            break;
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
    tracing::info!(%worker, "outbox worker stopped");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_jitters_downwards() {
        let policy = OutboxPolicy {
            max_attempts: 5,
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(1),
            lease: Duration::from_secs(60),
        };
        assert_eq!(backoff(&policy, 0, 1.0), Duration::from_millis(100));
        assert_eq!(backoff(&policy, 1, 1.0), Duration::from_millis(200));
        assert_eq!(backoff(&policy, 3, 1.0), Duration::from_millis(800));
        assert_eq!(backoff(&policy, 4, 1.0), Duration::from_secs(1));
        assert_eq!(backoff(&policy, 40, 1.0), Duration::from_secs(1));
        assert_eq!(backoff(&policy, 1, 0.0), Duration::from_millis(100));
    }
}
