//! Nothing approved in DingTalk is lost (issue 7 point 6). When the service is down longer than
//! DingTalk's retries, its pushes end in DingTalk's failed list; and a push can be lost in ways
//! nobody reports. The reconciler, on start and every few minutes, (1) reads
//! `call_back/get_call_back_failed_result` and stores each entry as the event it was, and (2)
//! re-checks every approval still waiting for its result with `GET /v1.0/workflow/processInstances`
//! — declarations in review submitted before the cut-off (now minus a configurable age), open
//! objections with an approval filed on or before the cut-off's business date (F6), submitted
//! catalogue changes with an approval submitted on or before the cut-off (R7, F6) — storing a
//! finished or revoked instance as the event DingTalk would have pushed. Both paths feed the one
//! inbox and the one approval path (`events/approval.rs`), whose keys and exactly-once decision
//! make repeats and late pushes harmless.

use dingtalk::api::workflow::{ApprovalResult, ProcessStatus};
use dingtalk::event::Event;
use dingtalk::ids::ProcessInstanceId;
use serde_json::json;

use crate::{App, AppError};

/// Inbox source of entries read from DingTalk's failed list.
pub const SOURCE_FAILED_LIST: &str = "failed_list";
/// Inbox source of events synthesised from a re-checked approval instance.
pub const SOURCE_RECHECK: &str = "recheck";

/// What one reconciliation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Entries read from DingTalk's failed list.
    pub failed_entries: usize,
    /// Of those, new to the inbox.
    pub failed_stored: usize,
    /// Approval instances re-checked.
    pub rechecked: usize,
    /// Of those, found finished or revoked and stored as a new inbox event.
    pub recovered: usize,
}

/// Runs both paths once. `min_age` is how old an approval must be before it is re-checked.
///
/// # Errors
/// Storage errors; DingTalk errors of the failed-list read (a failed re-check of one instance is
/// logged and retried next round).
#[tracing::instrument(skip(app))]
pub async fn reconcile(app: &App, min_age: chrono::Duration) -> Result<ReconcileReport, AppError> {
    let mut report = ReconcileReport::default();
    // 1. DingTalk's failed pushes (each handed out once: store before asking again).
    for _ in 0..50 {
        let page = app
            .dingtalk()
            .failed_callbacks()
            .await
            .map_err(AppError::DingTalk)?;
        for entry in &page.failed_list {
            report.failed_entries += 1;
            let Some(json) = entry.event_json() else {
                tracing::warn!(tag = %entry.call_back_tag, "failed-list entry without an event");
                continue;
            };
            match Event::from_http_plaintext(&json.to_string()) {
                Ok(event) => {
                    if app.receive_event(&event, SOURCE_FAILED_LIST).await? {
                        report.failed_stored += 1;
                    }
                }
                Err(error) => tracing::warn!(%error, "failed-list entry not understood"),
            }
        }
        if !page.has_more {
            break;
        }
    }
    // 2. Approvals of every kind still waiting for their result, older than `min_age`.
    let cutoff = app.clock().now() - min_age;
    let instances = crate::events::approval::awaiting_results(app, cutoff).await?;
    for (instance_id, about) in &instances {
        let instance_id = instance_id.as_str();
        report.rechecked += 1;
        let instance = match app
            .dingtalk()
            .process_instance(&ProcessInstanceId::from(instance_id))
            .await
        {
            Ok(instance) => instance,
            Err(error) => {
                tracing::warn!(%error, process_instance_id = instance_id, "re-check failed; next round");
                continue;
            }
        };
        let (kind, result) = match (instance.status, instance.result) {
            (ProcessStatus::Completed, Some(ApprovalResult::Agree)) => ("finish", Some("agree")),
            (ProcessStatus::Completed, Some(ApprovalResult::Refuse)) => ("finish", Some("refuse")),
            (ProcessStatus::Terminated, _) => ("terminate", None),
            _ => continue,
        };
        let mut payload = json!({
            "EventType": "bpms_instance_change",
            "eventId": format!("recheck:{instance_id}:{kind}"),
            "processInstanceId": instance_id,
            "type": kind,
        });
        if let Some(result) = result {
            payload["result"] = json!(result);
        }
        let event = Event::from_http_plaintext(&payload.to_string())
            .map_err(|e| AppError::EventMalformed(e.to_string()))?;
        if app.receive_event(&event, SOURCE_RECHECK).await? {
            report.recovered += 1;
            tracing::info!(
                about = about.as_str(),
                process_instance_id = instance_id,
                kind,
                "approval recovered by re-check"
            );
        }
    }
    Ok(report)
}

/// Runs [`reconcile`] at start and every `every` until `shutdown`.
pub async fn run_reconciler(
    app: App,
    every: std::time::Duration,
    min_age: chrono::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        match reconcile(&app, min_age).await {
            Ok(report) if report.failed_stored + report.recovered > 0 => {
                tracing::info!(?report, "reconciler stored missed DingTalk events");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "reconciler: DingTalk not reachable; next round"),
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(every) => {}
        }
    }
    tracing::info!("reconciler stopped");
}
