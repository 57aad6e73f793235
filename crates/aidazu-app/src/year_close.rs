//! The year close (R14, D4): on the close date (the last day of the first month after the
//! points-year, 31 January for calendar years) the honours list is frozen first, then every
//! household of the village gets a `year_close` entry of −balance, in one transaction with the
//! run's end; the year stays readable (its entries and figures are kept). In the month before the
//! close, members of households with an unspent balance are reminded, once per household.

use aidazu_domain::calendar::{PointsYear, business_date, shanghai_instant};
use aidazu_domain::ledger::HouseholdYearLedger;
use aidazu_domain::{HouseholdId, VillageId};
use aidazu_ports::jobs::{self, Claim};
use aidazu_ports::ledger::{self, NewLedgerEntry};
use aidazu_ports::outbox;
use chrono::{Months, NaiveTime};
use serde_json::json;

use crate::auth::Actor;
use crate::messages::{self, About};
use crate::{App, AppError};

/// The job name of the year close in `job_runs`.
pub const JOB_YEAR_CLOSE: &str = "year-close";

/// What a year close did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YearCloseOutcome {
    /// This call closed the year: households closed and the balance closed in total.
    Closed { households: usize, closed: i64 },
    /// Closed before (another replica, an earlier run).
    AlreadyClosed,
    /// Another caller is closing it now.
    Running,
}

impl App {
    /// D4: closes `year` for a village (honours frozen first).
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`], [`AppError::YearNotClosable`] before the close date (nothing
    /// written), [`AppError::Database`].
    pub async fn close_year(
        &self,
        village: VillageId,
        year: PointsYear,
        trigger: &str,
    ) -> Result<YearCloseOutcome, AppError> {
        aidazu_ports::org::village(self.store(), village)
            .await?
            .ok_or(AppError::VillageNotFound(village.get()))?;
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let close_date = calendar.year_close_date(year);
        let now = self.clock().now();
        if business_date(now) < close_date {
            return Err(AppError::YearNotClosable {
                year: year.label(),
                close_date,
            });
        }
        let db = self.store();
        let run = match jobs::claim(db, JOB_YEAR_CLOSE, village, &year.to_string(), trigger).await?
        {
            Claim::Claimed(run) => run,
            Claim::AlreadyDone(_) => return Ok(YearCloseOutcome::AlreadyClosed),
            Claim::Running(_) => return Ok(YearCloseOutcome::Running),
        };
        match self.close_claimed(village, year, run.id, now).await {
            Ok(outcome) => Ok(outcome),
            Err(error) => {
                let _ = jobs::fail(db, run.id, &error.to_string()).await;
                Err(error)
            }
        }
    }

    async fn close_claimed(
        &self,
        village: VillageId,
        year: PointsYear,
        run: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<YearCloseOutcome, AppError> {
        let db = self.store();
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        // D4: the honours snapshot is taken first.
        let honours = self.freeze_honours(village, year).await?;
        let system = aidazu_ports::accounts::system_account(self.store()).await?;
        // Booked at the latest on the close date (the last day the year takes entries).
        let last = shanghai_instant(
            calendar.year_close_date(year),
            NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN),
        );
        let at = now.min(last);
        let entries = ledger::village_entries(db, village, year).await?;
        let (_, heads) = aidazu_ports::publications::board_households(db, village).await?;
        let mut households: Vec<HouseholdId> = heads.keys().copied().collect();
        households.sort();
        let total = i32::try_from(households.len()).unwrap_or(i32::MAX);
        jobs::progress(db, run, 0, total).await?;
        let mut closes = Vec::new();
        let mut by_household: std::collections::HashMap<HouseholdId, Vec<_>> =
            std::collections::HashMap::new();
        for e in entries {
            by_household
                .entry(e.entry.household)
                .or_default()
                .push(e.entry);
        }
        for h in &households {
            let own = by_household.remove(h).unwrap_or_default();
            let mut ledger =
                HouseholdYearLedger::from_entries(*h, year, calendar, own).map_err(|e| {
                    AppError::Database(aidazu_ports::StoreError::Corrupt(format!(
                        "ledger of household {h}: {e}"
                    )))
                })?;
            if ledger.is_closed() {
                continue;
            }
            let entry = ledger.year_close_entry(system, at, "年度清零（次年清零）");
            // The domain checks the close (−balance, on or before the close date).
            ledger.append(entry.clone())?;
            closes.push((*h, entry));
        }
        let txn = self.store().begin().await?;
        let mut closed = 0i64;
        for (i, (h, entry)) in closes.iter().enumerate() {
            closed = closed.saturating_sub(entry.amount.get());
            ledger::append_entry(
                &txn,
                &NewLedgerEntry {
                    entry: entry.clone(),
                    points_year: year,
                    channel: aidazu_domain::channel::Channel::Job,
                    request_id: None,
                    idempotency_key: Some(format!("year-close:{}:{}", year.label(), h.get())),
                },
            )
            .await?;
            if i % 100 == 99 {
                jobs::progress(&txn, run, i32::try_from(i + 1).unwrap_or(i32::MAX), total).await?;
            }
        }
        aidazu_ports::audit::record(
            &txn,
            &Actor::system(aidazu_domain::channel::Channel::Job).audit(
                None,
                "year.closed",
                "village",
                Some(village.get().to_string()),
                Some(village),
                None,
                json!({
                    "year": year.label(),
                    "households": closes.len(),
                    "closedBalance": closed,
                    "honours": { "n": honours.n, "mean": honours.mean },
                }),
            ),
        )
        .await?;
        jobs::finish(
            &txn,
            run,
            &json!({ "households": closes.len(), "closedBalance": closed }),
        )
        .await?;
        txn.commit().await?;
        Ok(YearCloseOutcome::Closed {
            households: closes.len(),
            closed,
        })
    }

    /// D4: in the month before the close, reminds the members of households with an unspent
    /// balance (once per household and year). Returns how many households were reminded now.
    ///
    /// # Errors
    /// [`AppError::Database`].
    pub async fn year_close_reminders(
        &self,
        village: VillageId,
        year: PointsYear,
    ) -> Result<usize, AppError> {
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let close = calendar.year_close_date(year);
        let today = business_date(self.clock().now());
        let from = close.checked_sub_months(Months::new(1)).unwrap_or(close);
        if today < from || today > close {
            return Ok(0);
        }
        let db = self.store();
        let mut reminded = 0;
        for t in ledger::village_totals(db, village, year).await? {
            if !t.totals.balance.is_positive() {
                continue;
            }
            let key = format!(
                "notify.work:year-close.remind:{}:{}",
                year.label(),
                t.household.get()
            );
            if outbox::get_by_key(db, &key).await?.is_some() {
                continue;
            }
            let users: Vec<String> =
                aidazu_ports::declarations::household_recipients(db, t.household)
                    .await?
                    .into_iter()
                    .map(|r| r.dingtalk_user_id)
                    .collect();
            if users.is_empty() {
                continue;
            }
            outbox::enqueue(
                db,
                messages::work_notice(
                    key,
                    village,
                    users,
                    "积分清零提醒",
                    format!(
                        "您家 {} 积分年度还有 {} 分可用积分，将于 {close} 清零，请在此之前到积分超市兑换。",
                        year.label(),
                        t.totals.balance.get()
                    ),
                    About::Other,
                ),
            )
            .await?;
            reminded += 1;
        }
        if reminded > 0 {
            self.wake_workers();
        }
        Ok(reminded)
    }
}
