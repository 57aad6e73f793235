//! The village shop fund (R20, D8): entries in fen written by the village admin, and the report
//! that sets the points still to be spent (the liability) beside the money the fund holds. When
//! the liability exceeds the fund, the village admins and the town are alerted (once a month per
//! village) by work notification.

use aidazu_domain::calendar::business_date;
use aidazu_domain::ledger::EntryKind;
use aidazu_domain::org::{Action, Role, Scope};
use aidazu_domain::shop::funds::{FundEntryDraft, FundEntryKind, FundFigures, FundReport};
use aidazu_domain::{Points, VillageId};
use aidazu_ports::shop::{self as store_shop, StoredFundEntry};
use aidazu_ports::{audit, ledger, outbox};
use chrono::NaiveDate;
use serde_json::json;

use crate::VillageSummary;
use crate::auth::Actor;
use crate::messages::{self, About};
use crate::spreadsheet::{self, Cell};
use crate::{App, AppError};

/// A fund report for a village and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageFundReport {
    pub village: VillageId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub report: FundReport,
}

impl App {
    /// R20: the village admin records money in or out of the shop fund.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::Rule`] (`declaration.reason_required`, `fund.wrong_sign`,
    /// `fund.donor_required`, `fund.receipt_required`), [`AppError::PhotoNotUsable`],
    /// [`AppError::InvalidField`] (a date in the future).
    pub async fn add_fund_entry(
        &self,
        actor: &Actor,
        village: VillageId,
        draft: FundEntryDraft,
        occurred_on: Option<NaiveDate>,
    ) -> Result<StoredFundEntry, AppError> {
        let location = self.village_location(village).await?;
        let role = actor.require(
            Action::RunShop,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        let entry = draft.validate()?;
        let today = business_date(self.clock().now());
        let occurred_on = occurred_on.unwrap_or(today);
        if occurred_on > today {
            return Err(AppError::InvalidField {
                field: "occurredOn",
                message: "日期不能晚于今天",
            });
        }
        if let Some(photo) = entry.receipt_photo {
            let found = aidazu_ports::photos::photos_by_ids(self.store(), &[photo]).await?;
            if !found.iter().any(|p| p.id == photo && p.village == village) {
                return Err(AppError::PhotoNotUsable(photo));
            }
        }
        let txn = self.store().begin().await?;
        let id =
            store_shop::append_fund_entry(&txn, village, &entry, occurred_on, actor.account_id)
                .await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "fund.entry",
                "fund_entry",
                Some(id.to_string()),
                Some(village),
                None,
                json!({
                    "kind": entry.kind.as_str(),
                    "amountFen": entry.amount_fen,
                    "reason": entry.reason,
                    "donor": entry.donor,
                    "receiptPhotoId": entry.receipt_photo,
                    "occurredOn": occurred_on,
                }),
            ),
        )
        .await?;
        let stored = store_shop::fund_entries(&txn, village, None, None)
            .await?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or_else(|| {
                AppError::Database(aidazu_ports::StoreError::Corrupt(format!(
                    "fund entry {id} vanished"
                )))
            })?;
        txn.commit().await?;
        Ok(stored)
    }

    /// The fund ledger of a village, dates in `from..=to` (all when `None`).
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`].
    pub async fn fund_entries(
        &self,
        actor: &Actor,
        village: VillageId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<StoredFundEntry>, AppError> {
        let location = self.village_location(village).await?;
        actor.require(
            Action::ViewRecords,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        Ok(store_shop::fund_entries(self.store(), village, from, to).await?)
    }

    /// R20: the fund report of a village for `from..=to` (default: the current points-year up to
    /// today), for the village's admins and committee, the town and the district.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), [`AppError::Forbidden`],
    /// [`AppError::InvalidField`] (`from` after `to`).
    pub async fn fund_report(
        &self,
        actor: &Actor,
        village: VillageId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<VillageFundReport, AppError> {
        let location = self.village_location(village).await?;
        actor.require(
            Action::ViewRecords,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        self.compute_fund_report(village, from, to).await
    }

    pub(crate) async fn compute_fund_report(
        &self,
        village: VillageId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<VillageFundReport, AppError> {
        let today = business_date(self.clock().now());
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| calendar.year_first_day(calendar.points_year_of(to)));
        if from > to {
            return Err(AppError::InvalidField {
                field: "from",
                message: "开始日期不能晚于结束日期",
            });
        }
        let db = self.store();
        let mut issued = 0i64;
        let mut redeemed = 0i64;
        for (kind, total) in store_shop::village_points_by_kind(db, village, from, to).await? {
            if kind.counts_toward_score() {
                issued = issued.saturating_add(total);
            } else if matches!(kind, EntryKind::Redeem | EntryKind::Refund) {
                redeemed = redeemed.saturating_sub(total);
            }
        }
        let entries = store_shop::fund_entries(db, village, None, Some(to)).await?;
        let fund_balance_fen = entries
            .iter()
            .fold(0i64, |sum, e| sum.saturating_add(e.amount_fen));
        let money_spent_fen = entries
            .iter()
            .filter(|e| e.kind == FundEntryKind::Purchase && e.occurred_on >= from)
            .fold(0i64, |sum, e| sum.saturating_sub(e.amount_fen));
        // The liability: what households of the village may still spend in the points-year of
        // `to` (a negative balance owes nothing to the fund).
        let outstanding = ledger::village_totals(db, village, calendar.points_year_of(to))
            .await?
            .into_iter()
            .fold(0i64, |sum, t| {
                sum.saturating_add(t.totals.balance.get().max(0))
            });
        let report = FundReport::compute(
            FundFigures {
                points_issued: Points(issued),
                points_redeemed: Points(redeemed),
                money_spent_fen,
                fund_balance_fen,
                outstanding_points: Points(outstanding),
            },
            self.config().fen_per_point,
        );
        Ok(VillageFundReport {
            village,
            from,
            to,
            report,
        })
    }
}

/// R20: for every village whose liability exceeds its fund today, alerts the village admins and
/// the town — once per village and month (dedupe key), safe with two replicas. Returns how many
/// alerts this pass enqueued.
///
/// # Errors
/// Storage errors.
#[tracing::instrument(skip(app))]
pub async fn send_fund_alerts(app: &App) -> Result<usize, AppError> {
    let today = business_date(app.clock().now());
    let month = today.format("%Y-%m").to_string();
    let db = app.store();
    let mut sent = 0;
    for village in aidazu_ports::org::list_villages(app.store()).await? {
        let key = messages::key::fund_alert(village.id, &month);
        if outbox::get_by_key(db, &key).await?.is_some() {
            continue;
        }
        let report = app.compute_fund_report(village.id, None, None).await?;
        if !report.report.liability_exceeds_fund {
            continue;
        }
        let location = village.location();
        let mut users = Vec::new();
        for (scope, role) in [
            (Scope::Village(village.id), Role::VillageAdmin),
            (Scope::Town(location.town), Role::TownOfficer),
        ] {
            users.extend(
                aidazu_ports::declarations::scope_role_holders(db, scope, role)
                    .await?
                    .into_iter()
                    .map(|r| r.dingtalk_user_id),
            );
        }
        if users.is_empty() {
            continue;
        }
        let r = report.report;
        outbox::enqueue(
            db,
            messages::work_notice(
                key,
                village.id,
                users,
                "积分兑换资金预警",
                format!(
                    "{}：村民尚未兑换的积分 {} 分，按每分 {:.2} 元折合 {:.2} 元，超过积分超市资金余额 {:.2} 元，请及时筹措资金。",
                    village.name,
                    r.outstanding_points,
                    fen_to_yuan(r.fen_per_point),
                    fen_to_yuan(r.liability_fen),
                    fen_to_yuan(r.fund_balance_fen)
                ),
                About::Village(village.id),
            ),
        )
        .await?;
        sent += 1;
    }
    if sent > 0 {
        app.wake_workers();
    }
    Ok(sent)
}

#[allow(clippy::cast_precision_loss)] // display only: fen of a village fund fit f64 exactly
fn fen_to_yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

/// The fund reports of every village in a town or the district, and their sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundRollup {
    pub villages: Vec<(VillageSummary, VillageFundReport)>,
    pub total: FundReport,
}

/// The area a roll-up covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Town(aidazu_domain::TownId),
    District(aidazu_domain::DistrictId),
}

impl App {
    /// R20: the fund reports of the villages of a town or district that the caller oversees, each
    /// beside the others, and their sum (the liability alert of the sum is the area's own).
    ///
    /// # Errors
    /// [`AppError::Forbidden`] when the caller oversees none of them;
    /// [`AppError::InvalidField`] (`from` after `to`).
    pub async fn fund_rollup(
        &self,
        actor: &Actor,
        area: Area,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<FundRollup, AppError> {
        let mut villages = Vec::new();
        for village in aidazu_ports::org::list_villages(self.store()).await? {
            let inside = match area {
                Area::Town(t) => village.town.id == t,
                Area::District(d) => village.district.id == d,
            };
            if !inside
                || actor
                    .role_for(Action::ViewRecords, &village.location())
                    .is_err()
            {
                continue;
            }
            let report = self.compute_fund_report(village.id, from, to).await?;
            villages.push((village, report));
        }
        if villages.is_empty() {
            return Err(AppError::Forbidden);
        }
        let sum = |f: fn(&FundReport) -> i64| {
            villages
                .iter()
                .fold(0i64, |acc, (_, r)| acc.saturating_add(f(&r.report)))
        };
        let total = FundReport::compute(
            FundFigures {
                points_issued: Points(sum(|r| r.points_issued)),
                points_redeemed: Points(sum(|r| r.points_redeemed)),
                money_spent_fen: sum(|r| r.money_spent_fen),
                fund_balance_fen: sum(|r| r.fund_balance_fen),
                outstanding_points: Points(sum(|r| r.outstanding_points)),
            },
            self.config().fen_per_point,
        );
        Ok(FundRollup { villages, total })
    }

    /// The fund ledger of a village as an Excel workbook.
    ///
    /// # Errors
    /// As [`App::fund_entries`]; [`AppError::Document`].
    pub async fn fund_ledger_xlsx(
        &self,
        actor: &Actor,
        village: VillageId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<u8>, AppError> {
        let entries = self.fund_entries(actor, village, from, to).await?;
        let name = aidazu_ports::org::village(self.store(), village)
            .await?
            .map(|v| v.name)
            .unwrap_or_default();
        let rows: Vec<Vec<Cell>> = entries
            .iter()
            .map(|e| {
                vec![
                    e.occurred_on.to_string().into(),
                    e.kind.label_zh().into(),
                    Cell::Number(fen_to_yuan(e.amount_fen)),
                    e.reason.as_str().into(),
                    e.donor.clone().unwrap_or_default().into(),
                    e.receipt_photo_id
                        .map(|p| p.to_string())
                        .unwrap_or_default()
                        .into(),
                    e.id.into(),
                ]
            })
            .collect();
        let balance = entries
            .iter()
            .fold(0i64, |sum, e| sum.saturating_add(e.amount_fen));
        spreadsheet::table_xlsx(
            "资金台账",
            &format!(
                "{name}积分超市资金台账（期间合计 {:.2} 元）",
                fen_to_yuan(balance)
            ),
            &[
                "日期",
                "类别",
                "金额（元）",
                "事由",
                "捐赠人",
                "票据照片",
                "记账编号",
            ],
            &rows,
        )
    }
}
