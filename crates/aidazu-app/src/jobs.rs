//! Clock-driven jobs: the scheduler inside `serve` and the runs people start by hand
//! (`aidazu jobs run …`). Every run is claimed under its unique key (`aidazu_ports::jobs`), so
//! replicas and reruns never repeat work. Times are Asia/Shanghai on the injected clock.

use aidazu_domain::VillageId;
use aidazu_domain::calendar::{Quarter, WorkingDays, business_date, shanghai_instant};
use aidazu_domain::org::Action;
pub use aidazu_ports::jobs::JobRun;
use aidazu_ports::jobs::{self as store_jobs};
use chrono::NaiveTime;

use crate::auth::Actor;
use crate::publication::{JOB_PUBLISH, PublishOutcome};

/// The job name of the year-close reminder pass in `job_runs`.
pub const JOB_YEAR_CLOSE_REMIND: &str = "year-close-remind";
use crate::{App, AppError};

/// What a run over several villages did, village by village.
#[derive(Debug)]
pub struct VillageOutcome {
    pub village: VillageId,
    pub code: String,
    pub outcome: Result<PublishOutcome, AppError>,
}

impl App {
    /// A village's working days (D3): the national calendar with its district's own days laid
    /// over it (issue 12: each district its own calendar).
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`], [`AppError::Database`].
    pub async fn working_days_of(&self, village: VillageId) -> Result<WorkingDays, AppError> {
        let location = self.village_location(village).await?;
        let overrides = aidazu_ports::org::district_calendar(self.store(), location.district)
            .await?
            .unwrap_or_default();
        Ok(self.config().working_days.with_overrides(&overrides))
    }

    /// The quarter whose publication is due now for a village (R16, D3): the last quarter that
    /// has ended, once its publication instant (first working day after it, 09:00) has passed.
    ///
    /// # Errors
    /// [`AppError::Database`].
    pub async fn due_publication(&self, village: VillageId) -> Result<Option<Quarter>, AppError> {
        let now = self.clock().now();
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let quarter = calendar.quarter_of(business_date(now)).prev();
        let day = calendar.publication_date(quarter, &self.working_days_of(village).await?);
        let at = shanghai_instant(
            day,
            NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
        );
        Ok((now >= at).then_some(quarter))
    }

    /// Publishes `quarter` for every village, several side by side (at most the database pool's
    /// connections, and 8), calling `progress(done, total)` after each (the CLI draws its bar
    /// with it). Each village's run is claimed under its own key, so running villages
    /// concurrently never publishes one twice. A village's failure does not stop the others.
    /// The district summaries (F5) are sent once at the end, for each district that this run
    /// completed. Outcomes come back in the order of the village list.
    ///
    /// # Errors
    /// [`AppError::Database`] when the villages cannot be listed.
    pub async fn publish_all(
        &self,
        quarter: Quarter,
        trigger: &str,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Vec<VillageOutcome>, AppError> {
        use futures::StreamExt as _;
        let villages = aidazu_ports::org::list_villages(self.store()).await?;
        let total = villages.len();
        let parallel = usize::try_from(self.store().pool_size())
            .unwrap_or(1)
            .clamp(1, 8);
        let mut runs =
            futures::stream::iter(villages.iter().enumerate().map(|(i, v)| async move {
                let outcome = self
                    .publish_quarter_by(v.id, quarter, trigger, None, false)
                    .await;
                (i, outcome)
            }))
            .buffer_unordered(parallel);
        let mut done: Vec<(usize, Result<PublishOutcome, AppError>)> = Vec::with_capacity(total);
        while let Some(run) = runs.next().await {
            done.push(run);
            progress(done.len(), total);
        }
        drop(runs);
        done.sort_by_key(|(i, _)| *i);
        // F5: one summary per district this run published in (sent only once the district is
        // complete; the outbox key keeps it to one even if another process sends it too).
        let mut districts = std::collections::BTreeMap::new();
        for (i, outcome) in &done {
            if let (Ok(PublishOutcome::Published(_)), Some(v)) = (outcome, villages.get(*i)) {
                districts.entry(v.district.id).or_insert(v);
            }
        }
        for v in districts.into_values() {
            if let Err(e) = self.district_summary_if_complete(v, quarter).await {
                tracing::error!(error = %e, district = %v.district.code, "cannot send the district summary");
            }
        }
        Ok(done
            .into_iter()
            .filter_map(|(i, outcome)| {
                let v = villages.get(i)?;
                Some(VillageOutcome {
                    village: v.id,
                    code: v.code.clone(),
                    outcome,
                })
            })
            .collect())
    }

    /// The job runs the caller may see (villages in their scope), newest first.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for villagers, [`AppError::Database`].
    pub async fn job_runs(&self, actor: &Actor, limit: u64) -> Result<Vec<JobRun>, AppError> {
        let mut visible = Vec::new();
        for v in aidazu_ports::org::list_villages(self.store()).await? {
            if actor
                .require(Action::ViewRecords, &v.location(), AppError::Forbidden)
                .is_ok()
            {
                visible.push(v.id);
            }
        }
        if visible.is_empty() {
            return Err(AppError::Forbidden);
        }
        Ok(store_jobs::list(self.store(), Some(&visible), limit.clamp(1, 500)).await?)
    }

    /// D4 for one village: the reminders of the month before the close, then the close itself
    /// on the close date (each once).
    async fn year_close_due(&self, village: VillageId, code: &str) -> Result<(), AppError> {
        let db = self.store();
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let today = business_date(self.clock().now());
        let year = calendar.points_year_of(today).prev();
        let close = calendar.year_close_date(year);
        let period = year.to_string();
        let done = |job: &'static str| {
            let period = period.clone();
            async move {
                Ok::<bool, AppError>(
                    store_jobs::find(db, job, village, &period)
                        .await?
                        .is_some_and(|r| r.status == store_jobs::DONE),
                )
            }
        };
        // The month before the close: one reminder pass per village and year (a run).
        let remind_from = close
            .checked_sub_months(chrono::Months::new(1))
            .unwrap_or(close);
        if (remind_from..=close).contains(&today)
            && !done(JOB_YEAR_CLOSE_REMIND).await?
            && let store_jobs::Claim::Claimed(run) =
                store_jobs::claim(db, JOB_YEAR_CLOSE_REMIND, village, &period, "schedule").await?
        {
            match self.year_close_reminders(village, year).await {
                Ok(n) => {
                    store_jobs::finish(db, run.id, &serde_json::json!({ "reminded": n })).await?;
                }
                Err(error) => store_jobs::fail(db, run.id, &error.to_string()).await?,
            }
        }
        if today < close || done(crate::year_close::JOB_YEAR_CLOSE).await? {
            return Ok(());
        }
        // A year in which the village booked nothing (before it joined the scheme) has nothing
        // to close: recorded once as a finished run with nothing done, so later passes skip it.
        let totals = aidazu_ports::ledger::village_totals(db, village, year).await?;
        if totals
            .iter()
            .all(|t| t.totals.score.is_zero() && t.totals.balance.is_zero())
        {
            if let store_jobs::Claim::Claimed(run) = store_jobs::claim(
                db,
                crate::year_close::JOB_YEAR_CLOSE,
                village,
                &period,
                "schedule",
            )
            .await?
            {
                store_jobs::finish(
                    db,
                    run.id,
                    &serde_json::json!({ "households": 0, "skipped": "no entries in the year" }),
                )
                .await?;
            }
            return Ok(());
        }
        if let Err(error) = self.close_year(village, year, "schedule").await {
            tracing::warn!(village = %code, %year, %error, "scheduled year close failed; retried next pass");
        }
        Ok(())
    }

    /// One pass of the scheduler: publishes every village's due quarter that has no finished
    /// run yet, retries the amended publications of upheld objections that did not finish (R17),
    /// sends the year-close reminders, closes a points-year on its close date and reminds
    /// the committee of unanswered objections (D3).
    /// Returns how many publications this pass made.
    ///
    /// # Errors
    /// [`AppError::Database`] when the villages cannot be listed; a village's own failure is
    /// recorded on its run and logged.
    pub async fn run_due_jobs(&self) -> Result<usize, AppError> {
        self.run_due_jobs_until(&|| false).await
    }

    /// [`run_due_jobs`](Self::run_due_jobs) that ends the pass early, between villages, once
    /// `stop()` answers `true` (shutdown). A village's publication or year close, once begun, is
    /// finished first: its claimed run never stays `running`. The next pass does the rest.
    ///
    /// # Errors
    /// As [`run_due_jobs`](Self::run_due_jobs).
    pub async fn run_due_jobs_until(
        &self,
        stop: &(dyn Fn() -> bool + Sync),
    ) -> Result<usize, AppError> {
        let mut published = 0;
        for v in aidazu_ports::org::list_villages(self.store()).await? {
            if stop() {
                return Ok(published);
            }
            let Some(quarter) = self.due_publication(v.id).await? else {
                continue;
            };
            let done = store_jobs::find(self.store(), JOB_PUBLISH, v.id, &quarter.to_string())
                .await?
                .is_some_and(|r| r.status == store_jobs::DONE);
            if done {
                continue;
            }
            match self.publish_quarter(v.id, quarter, "schedule").await {
                Ok(PublishOutcome::Published(_)) => published += 1,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(village = %v.code, %quarter, %error, "scheduled publication failed; retried next pass");
                }
            }
        }
        if stop() {
            return Ok(published);
        }
        published += self.retry_amendments().await?;
        for v in aidazu_ports::org::list_villages(self.store()).await? {
            if stop() {
                return Ok(published);
            }
            self.year_close_due(v.id, &v.code).await?;
        }
        if stop() {
            return Ok(published);
        }
        self.objection_reminders().await?;
        Ok(published)
    }
}

/// Runs [`App::run_due_jobs`] every `every` until `shutdown`. A shutdown during a pass ends the
/// pass at the next village boundary ([`App::run_due_jobs_until`]), not after the whole pass.
pub async fn run_scheduler(
    app: App,
    every: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    use std::sync::atomic::{AtomicBool, Ordering};
    tokio::pin!(shutdown);
    let stopping = AtomicBool::new(false);
    loop {
        let stop = || stopping.load(Ordering::Relaxed);
        let pass = app.run_due_jobs_until(&stop);
        tokio::pin!(pass);
        // The pass is polled to its end; the shutdown only raises the flag it checks.
        let result = loop {
            tokio::select! {
                result = &mut pass => break result,
                () = &mut shutdown, if !stop() => stopping.store(true, Ordering::Relaxed),
            }
        };
        match result {
            Ok(0) => {}
            Ok(n) => tracing::info!(published = n, "scheduler published quarters"),
            Err(error) => tracing::warn!(%error, "scheduler pass failed; retried next round"),
        }
        if stopping.load(Ordering::Relaxed) {
            break;
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(every) => {}
        }
    }
    tracing::info!("scheduler stopped");
}
