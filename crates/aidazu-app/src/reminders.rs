//! D2 review reminders: a declaration still in review on day 5 reminds its reviewers; on day 7 (the
//! deadline) it is escalated to the town. Work notifications through the outbox with one dedupe key
//! per declaration and stage, so two replicas or a rerun never send a reminder twice. The domain
//! says which reminders are due ([`DeclarationPolicy::reminders_due`]); routing says who reviews.

use aidazu_domain::calendar::business_date;
use aidazu_domain::declaration::ReviewReminder;
use aidazu_domain::org::{Role, Scope};
use aidazu_ports::declarations::{in_review_submitted_before, scope_role_holders};
use aidazu_ports::outbox;
use chrono::Duration;

use crate::messages::{self, About};
use crate::review_routing::route_declaration;
use crate::{App, AppError};

/// What one run of the reminder job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderReport {
    /// Declarations looked at (in review long enough for a reminder).
    pub checked: usize,
    /// Reminders enqueued by this run (a reminder already enqueued is not counted).
    pub reminded: usize,
    /// Escalations to the town enqueued by this run.
    pub escalated: usize,
}

/// Runs the D2 reminders once, as of the injected clock.
///
/// # Errors
/// Storage errors.
#[tracing::instrument(skip(app))]
pub async fn send_review_reminders(app: &App) -> Result<ReminderReport, AppError> {
    let now = app.clock().now();
    let today = business_date(now);
    let policy = app.declaration_policy();
    let db = app.store();
    let cutoff = now - Duration::days(i64::from(policy.remind_days.saturating_sub(1)));
    let mut report = ReminderReport::default();
    for record in in_review_submitted_before(db, cutoff).await? {
        let due = policy.reminders_due(record.submitted_at, today);
        if due.is_empty() {
            continue;
        }
        report.checked += 1;
        let location = app.village_location(record.village).await?;
        let calendar = aidazu_ports::org::village_calendar(app.store(), record.village).await?;
        for stage in due {
            let (user_ids, title, text) = match stage {
                ReviewReminder::RemindReviewers => {
                    let routing = route_declaration(
                        db,
                        &location,
                        record.household,
                        calendar,
                        record.occurred_on,
                    )
                    .await?;
                    (
                        routing.reviewer_user_ids(),
                        "积分申报待审核提醒".to_owned(),
                        format!(
                            "“{}”的积分申报已提交 {} 天，请在 {} 前完成审核。",
                            record.item_title,
                            today
                                .signed_duration_since(business_date(record.submitted_at))
                                .num_days(),
                            record.review_deadline
                        ),
                    )
                }
                ReviewReminder::EscalateToTown => {
                    let users: Vec<String> =
                        scope_role_holders(db, Scope::Town(location.town), Role::TownOfficer)
                            .await?
                            .into_iter()
                            .map(|r| r.dingtalk_user_id)
                            .collect();
                    (
                        users,
                        "积分申报超期未审核".to_owned(),
                        format!(
                            "一条积分申报（编号 {}，“{}”）已超过审核期限 {}，仍未审核，请督办。",
                            record.id.get(),
                            record.item_title,
                            record.review_deadline
                        ),
                    )
                }
            };
            if user_ids.is_empty() {
                tracing::warn!(declaration.id = record.id.get(), ?stage, "nobody to remind");
                continue;
            }
            let key = messages::key::review_reminder(stage.key(), record.id);
            if outbox::get_by_key(db, &key).await?.is_some() {
                continue;
            }
            outbox::enqueue(
                db,
                messages::work_notice(
                    key,
                    record.village,
                    user_ids,
                    title,
                    text,
                    About::Declaration(record.id),
                ),
            )
            .await?;
            match stage {
                ReviewReminder::RemindReviewers => report.reminded += 1,
                ReviewReminder::EscalateToTown => report.escalated += 1,
            }
        }
    }
    if report.reminded + report.escalated > 0 {
        app.wake_workers();
        tracing::info!(?report, "review reminders enqueued");
    }
    Ok(report)
}

/// Runs [`send_review_reminders`] every `every` until `shutdown`.
pub async fn run_reminder_worker(
    app: App,
    every: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        if let Err(error) = send_review_reminders(&app).await {
            tracing::warn!(%error, "review reminders failed; retried next round");
        }
        if let Err(error) = crate::shop::send_order_reminders(&app).await {
            tracing::warn!(%error, "order reminders failed; retried next round");
        }
        if let Err(error) = crate::funds::send_fund_alerts(&app).await {
            tracing::warn!(%error, "fund alerts failed; retried next round");
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(every) => {}
        }
    }
    tracing::info!("reminder worker stopped");
}
