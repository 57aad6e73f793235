//! Statistics and fairness signals of the villages a town or district officer oversees (issue 12,
//! points 3 and 4): per village and per period (a quarter or a points-year). The figures are the
//! domain's (`aidazu_domain::stats`); this module loads the facts, asks the domain and lays the
//! answers out as tables, the same tables the console charts and the Excel exports show.
//! Definitions in plain words: `docs/statistics.md`.

use aidazu_domain::calendar::{PointsYear, PointsYearConfig, Quarter, business_date};
use aidazu_domain::org::Action;
use aidazu_domain::stats::{FairnessSignals, Period, VillageStatistics};

use crate::auth::Actor;
use crate::funds::Area;
use crate::spreadsheet::{self, Cell, Sheet};
use crate::{App, AppError, VillageSummary};

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// 统计 (point 3).
    Statistics,
    /// 公平性提示 (point 4).
    Fairness,
}

impl ReportKind {
    #[must_use]
    pub const fn title_zh(self) -> &'static str {
        match self {
            Self::Statistics => "积分制运行统计",
            Self::Fairness => "公平性提示",
        }
    }
}

/// One table of a report: a row per village (or per village and slice).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Stable key (`participation`, `review_latency`, `reviewers`, …).
    pub key: &'static str,
    pub title: &'static str,
    /// What the table shows and how to read it, in plain Chinese.
    pub explanation: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// A report over the villages of a town or district for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub kind: ReportKind,
    pub period: Period,
    pub villages: Vec<VillageSummary>,
    pub sections: Vec<Section>,
}

/// The period asked for: `2026` (a points-year) or `2026-Q2` (a quarter of it).
///
/// # Errors
/// [`AppError::InvalidField`] (`period`).
pub fn parse_period(label: &str, calendar: PointsYearConfig) -> Result<Period, AppError> {
    let invalid = AppError::InvalidField {
        field: "period",
        message: "期间格式应为 2026 或 2026-Q2",
    };
    let label = label.trim();
    let (from, to, text) = if label.contains('Q') {
        let q: Quarter = label.parse().map_err(|_| invalid)?;
        if !(2000..=2100).contains(&q.year()) {
            return Err(AppError::InvalidField {
                field: "period",
                message: "年度须在 2000–2100 之间",
            });
        }
        (
            calendar.quarter_first_day(q),
            calendar.quarter_last_day(q),
            q.to_string(),
        )
    } else {
        let y: i32 = label.parse().map_err(|_| AppError::InvalidField {
            field: "period",
            message: "期间格式应为 2026 或 2026-Q2",
        })?;
        if !(2000..=2100).contains(&y) {
            return Err(AppError::InvalidField {
                field: "period",
                message: "年度须在 2000–2100 之间",
            });
        }
        let y = PointsYear(y);
        (
            calendar.year_first_day(y),
            calendar.year_last_day(y),
            y.to_string(),
        )
    };
    Ok(Period {
        label: text,
        from,
        to,
        age_year: chrono::Datelike::year(&to),
    })
}

#[allow(clippy::cast_precision_loss)] // counts of a village
fn n(v: u64) -> Cell {
    Cell::Number(v as f64)
}

fn pts(v: i64) -> Cell {
    Cell::from(v)
}

/// A share as a percentage with one decimal, "—" when there is nothing to divide.
fn pct(v: Option<f64>) -> Cell {
    v.map_or_else(
        || Cell::from("—"),
        |v| Cell::Number((v * 1000.0).round() / 10.0),
    )
}

fn dec(v: Option<f64>, places: i32) -> Cell {
    let f = 10f64.powi(places);
    v.map_or_else(|| Cell::from("—"), |v| Cell::Number((v * f).round() / f))
}

fn yuan(fen: i64) -> Cell {
    #[allow(clippy::cast_precision_loss)] // fen of a village fund
    Cell::Number(fen as f64 / 100.0)
}

impl App {
    /// The villages of `area` the actor may see statistics of: town and district officers only.
    async fn statistics_villages(
        &self,
        actor: &Actor,
        area: Area,
    ) -> Result<Vec<VillageSummary>, AppError> {
        let villages: Vec<VillageSummary> = aidazu_ports::org::list_villages(self.store())
            .await?
            .into_iter()
            .filter(|v| match area {
                Area::Town(t) => v.town.id == t,
                Area::District(d) => v.district.id == d,
            })
            .filter(|v| {
                actor
                    .role_for(Action::ViewStatistics, &v.location())
                    .is_ok()
            })
            .collect();
        if villages.is_empty() {
            return Err(AppError::Forbidden);
        }
        Ok(villages)
    }

    /// Issue 12, points 3 and 4: the statistics or the fairness signals of the villages of a
    /// town or district for `period` (default: the current points-year), for town and district
    /// officers (everyone else: 403).
    ///
    /// # Errors
    /// [`AppError::Forbidden`] when the caller oversees none of the area's villages;
    /// [`AppError::InvalidField`] (`period`).
    pub async fn area_report(
        &self,
        actor: &Actor,
        kind: ReportKind,
        area: Area,
        period: Option<&str>,
    ) -> Result<Report, AppError> {
        let villages = self.statistics_villages(actor, area).await?;
        let today = business_date(self.clock().now());
        let calendar = match villages.first() {
            Some(v) => aidazu_ports::org::village_calendar(self.store(), v.id).await?,
            None => PointsYearConfig::default(),
        };
        let period = match period {
            Some(label) if !label.trim().is_empty() => parse_period(label, calendar)?,
            _ => parse_period(&calendar.points_year_of(today).to_string(), calendar)?,
        };
        let mut per_village = Vec::new();
        for v in &villages {
            let calendar = aidazu_ports::org::village_calendar(self.store(), v.id).await?;
            let year = calendar.points_year_of(period.to);
            let facts =
                aidazu_ports::stats::village_facts(self.store(), v.id, &period, year).await?;
            per_village.push((v, facts, calendar.year_first_day(year)));
        }
        let sections = match kind {
            ReportKind::Statistics => {
                let mut stats = Vec::new();
                for (v, facts, _) in &per_village {
                    let s = VillageStatistics::compute(facts, &period, today);
                    let to = period.to.min(today);
                    let funds = self
                        .compute_fund_report(v.id, Some(period.from.min(to)), Some(to))
                        .await?;
                    stats.push((*v, s, funds.report));
                }
                statistics_sections(&stats)
            }
            ReportKind::Fairness => {
                let signals: Vec<_> = per_village
                    .iter()
                    .map(|(v, facts, year_from)| {
                        (*v, FairnessSignals::compute(facts, &period, *year_from))
                    })
                    .collect();
                fairness_sections(&signals)
            }
        };
        Ok(Report {
            kind,
            period,
            villages,
            sections,
        })
    }

    /// [`App::area_report`] as an Excel workbook: one sheet per table (or only `section`).
    ///
    /// # Errors
    /// As [`App::area_report`]; [`AppError::InvalidField`] (`section` unknown);
    /// [`AppError::Document`].
    pub async fn area_report_xlsx(
        &self,
        actor: &Actor,
        kind: ReportKind,
        area: Area,
        period: Option<&str>,
        section: Option<&str>,
    ) -> Result<Vec<u8>, AppError> {
        let report = self.area_report(actor, kind, area, period).await?;
        report_xlsx(&report, section)
    }
}

/// The report as a workbook: one sheet per section (or only `section`), the title naming the
/// period and the explanation under it.
///
/// # Errors
/// [`AppError::InvalidField`] (`section` unknown); [`AppError::Document`].
pub fn report_xlsx(report: &Report, section: Option<&str>) -> Result<Vec<u8>, AppError> {
    let chosen: Vec<&Section> = report
        .sections
        .iter()
        .filter(|s| section.is_none_or(|k| k == s.key))
        .collect();
    if chosen.is_empty() {
        return Err(AppError::InvalidField {
            field: "section",
            message: "没有这个统计表",
        });
    }
    let titles: Vec<String> = chosen
        .iter()
        .map(|s| {
            format!(
                "{}·{}（{}，{} 至 {}）",
                report.kind.title_zh(),
                s.title,
                report.period.label,
                report.period.from,
                report.period.to
            )
        })
        .collect();
    let rows: Vec<Vec<Vec<Cell>>> = chosen
        .iter()
        .map(|s| {
            let mut rows = s.rows.clone();
            rows.push(Vec::new());
            rows.push(vec![Cell::from(format!("说明：{}", s.explanation))]);
            rows
        })
        .collect();
    let sheets: Vec<Sheet<'_>> = chosen
        .iter()
        .zip(&titles)
        .zip(&rows)
        .map(|((s, title), rows)| Sheet {
            name: s.title,
            title,
            headers: &s.columns,
            rows,
        })
        .collect();
    spreadsheet::workbook_xlsx(&sheets)
}

fn statistics_sections(
    stats: &[(
        &VillageSummary,
        VillageStatistics,
        aidazu_domain::shop::funds::FundReport,
    )],
) -> Vec<Section> {
    let name = |v: &VillageSummary| Cell::from(v.name.as_str());
    let mut participation = Vec::new();
    let mut by_group = Vec::new();
    let mut by_age = Vec::new();
    let mut by_kind = Vec::new();
    let mut categories = Vec::new();
    let mut negatives = Vec::new();
    let mut states = Vec::new();
    let mut latency = Vec::new();
    let mut orders = Vec::new();
    let mut objections = Vec::new();
    let mut funds = Vec::new();
    for (v, s, f) in stats {
        let p = &s.participation;
        participation.push(vec![
            name(v),
            n(p.households),
            n(p.households_in),
            n(p.households_out),
            n(p.members),
            n(p.members_in),
            n(p.declarants),
            n(p.active_households),
        ]);
        for (target, rows) in [
            (&mut by_group, &p.by_group),
            (&mut by_age, &p.by_age),
            (&mut by_kind, &p.by_kind),
        ] {
            for r in rows {
                target.push(vec![
                    name(v),
                    Cell::from(r.label.as_str()),
                    n(r.households),
                    n(r.households_in),
                    n(r.members),
                    n(r.members_in),
                    n(r.declarants),
                ]);
            }
        }
        for r in &s.points_by_category {
            categories.push(vec![
                name(v),
                Cell::from(r.category.as_str()),
                Cell::from(r.list.as_str()),
                n(r.entries),
                pts(r.points),
            ]);
        }
        for r in &s.negative_items {
            negatives.push(vec![
                name(v),
                Cell::from(r.code.as_str()),
                Cell::from(r.title.as_str()),
                n(r.entries),
                pts(r.points),
                n(r.households),
            ]);
        }
        let mut row = vec![name(v)];
        row.extend(s.declarations_by_state.iter().map(|(_, c)| n(*c)));
        row.push(n(s.declarations_by_state.iter().map(|(_, c)| c).sum()));
        states.push(row);
        let l = &s.latency;
        latency.push(vec![
            name(v),
            n(l.decided),
            n(l.pending),
            dec(l.median_hours, 1),
            dec(l.p90_hours, 1),
            n(l.overdue_decided),
            n(l.overdue_pending),
        ]);
        let o = &s.orders;
        orders.push(vec![
            name(v),
            n(o.placed),
            n(o.delivered),
            n(o.cancelled),
            n(o.open),
            pts(o.points_redeemed),
            n(o.overdue_open),
            n(o.delivered_late),
        ]);
        let mut row = vec![name(v)];
        row.extend(s.objections_by_state.iter().map(|(_, c)| n(*c)));
        row.push(n(s.objections_by_state.iter().map(|(_, c)| c).sum()));
        objections.push(row);
        funds.push(vec![
            name(v),
            pts(f.points_issued),
            pts(f.points_redeemed),
            yuan(f.money_spent_fen),
            yuan(f.fund_balance_fen),
            pts(f.outstanding_points),
            yuan(f.liability_fen),
            Cell::from(if f.liability_exceeds_fund {
                "是"
            } else {
                "否"
            }),
        ]);
    }
    let slice_cols = |what: &'static str| {
        vec![
            "村社",
            what,
            "户数",
            "参与户数",
            "人数",
            "参与人数",
            "申报人数",
        ]
    };
    vec![
        Section {
            key: "participation",
            title: "参与情况",
            explanation: "按期末参与状态统计：户内至少一人参与即为参与户。申报人数为本期提交过申报的人数（按被申报成员去重），活跃户为本期有申报或获得加分的户。",
            columns: vec![
                "村社",
                "户数",
                "参与户数",
                "未参与户数",
                "人数",
                "参与人数",
                "申报人数",
                "活跃户数",
            ],
            rows: participation,
        },
        Section {
            key: "participation_by_group",
            title: "分组参与",
            explanation: "每个村民小组的户数、参与户数、人数和申报人数。",
            columns: slice_cols("小组"),
            rows: by_group,
        },
        Section {
            key: "participation_by_age",
            title: "分年龄段参与",
            explanation: "年龄按期末所在公历年减出生年计算；未登记出生年份的单列。",
            columns: slice_cols("年龄段"),
            rows: by_age,
        },
        Section {
            key: "participation_by_kind",
            title: "分居民类别参与",
            explanation: "本村村民分常住与长期在外（一年在家三个月及以下），非本村居民单列。",
            columns: slice_cols("类别"),
            rows: by_kind,
        },
        Section {
            key: "points_by_category",
            title: "分类积分",
            explanation: "本期记入的加分、扣分和异议更正，按积分类别与正负面清单汇总（兑换和清零不计）。",
            columns: vec!["村社", "类别", "清单", "条数", "积分"],
            rows: categories,
        },
        Section {
            key: "negative_items",
            title: "负面清单扣分",
            explanation: "本期每个负面清单事项的扣分条数、扣分合计和涉及户数。",
            columns: vec!["村社", "编号", "事项", "条数", "扣分", "涉及户数"],
            rows: negatives,
        },
        Section {
            key: "declarations_by_state",
            title: "申报状态",
            explanation: "本期提交的申报，按当前状态计数。",
            columns: vec![
                "村社",
                "已提交",
                "审核中",
                "已通过",
                "未通过",
                "已撤回",
                "合计",
            ],
            rows: states,
        },
        Section {
            key: "review_latency",
            title: "审核时效",
            explanation: "从提交到审核决定的小时数：中位数为一半申报在此时间内审完；90%用时为九成申报在此时间内审完（最近秩法）。超期指审核决定晚于提交后 7 天的审核期限（D2），超期未审为截至今天仍未审核且已过期限。",
            columns: vec![
                "村社",
                "已审核",
                "待审核",
                "中位用时（小时）",
                "90%用时（小时）",
                "超期审核",
                "超期未审",
            ],
            rows: latency,
        },
        Section {
            key: "orders",
            title: "积分兑换",
            explanation: "本期下单的兑换订单。兑换积分不含已取消的订单；超期未交付为已过交付期限（生活物品 2 天、电器 7 天）仍未交付。",
            columns: vec![
                "村社",
                "订单数",
                "已交付",
                "已取消",
                "待交付",
                "兑换积分",
                "超期未交付",
                "超期交付",
            ],
            rows: orders,
        },
        Section {
            key: "objections",
            title: "异议与结果",
            explanation: "本期提出的异议，按处理结果计数。",
            columns: vec![
                "村社",
                "待处理",
                "已采纳",
                "未采纳",
                "已上报镇街",
                "镇街已采纳",
                "镇街未采纳",
                "合计",
            ],
            rows: objections,
        },
        Section {
            key: "funds",
            title: "资金与负债",
            explanation: "与资金台账同一口径（R20）：本期发放与兑换的积分、采购支出，截至期末（或今天）的资金余额，村民尚未兑换的积分及按参考比价折合的负债。",
            columns: vec![
                "村社",
                "发放积分",
                "兑换积分",
                "采购支出（元）",
                "资金余额（元）",
                "未兑换积分",
                "折合负债（元）",
                "负债超过资金",
            ],
            rows: funds,
        },
    ]
}

fn fairness_sections(signals: &[(&VillageSummary, FairnessSignals)]) -> Vec<Section> {
    let name = |v: &VillageSummary| Cell::from(v.name.as_str());
    let mut reviewers = Vec::new();
    let mut negatives = Vec::new();
    let mut spread = Vec::new();
    let mut surges = Vec::new();
    let mut gaps = Vec::new();
    for (v, f) in signals {
        for r in &f.reviewers {
            let mut hints = Vec::new();
            if r.grants >= 2 && r.own_group * 2 > r.grants {
                hints.push("一半以上的加分给了本人所在小组");
            }
            if r.grants >= 2 && r.same_surname * 2 > r.grants {
                hints.push("一半以上的加分给了同姓村民");
            }
            if r.mean_points_per_approval
                .zip(r.village_mean_points_per_approval)
                .is_some_and(|(mine, all)| all > 0.0 && mine > all * 1.5)
            {
                hints.push("每次通过给分明显高于全村平均");
            }
            reviewers.push(vec![
                name(v),
                Cell::from(r.name.as_str()),
                n(r.approved),
                n(r.rejected),
                n(r.direct_awards),
                n(r.direct_penalties),
                pts(r.points_granted),
                dec(r.mean_points_per_approval, 1),
                dec(r.village_mean_points_per_approval, 1),
                pct(r.rejection_rate),
                pct(r.village_rejection_rate),
                n(r.grants),
                n(r.own_group),
                n(r.same_surname),
                Cell::from(hints.join("；")),
            ]);
        }
        let c = &f.negatives;
        let concentrated = c.negative_entries >= 4 && c.top_share.is_some_and(|s| s > 0.5);
        negatives.push(vec![
            name(v),
            n(c.negative_entries),
            n(c.households_with_negatives),
            n(c.households_in),
            n(c.top_entries),
            pct(c.top_share),
            Cell::from(if concentrated {
                "扣分集中在少数几户，请核实是否公平"
            } else {
                ""
            }),
        ]);
        let s = &f.spread;
        spread.push(vec![
            name(v),
            n(s.households),
            pts(s.sum),
            pts(s.max),
            dec(s.gini, 3),
            Cell::from(if s.gini.is_some_and(|g| g >= 0.4) {
                "积分差距较大"
            } else {
                ""
            }),
        ]);
        for r in &f.surges {
            surges.push(vec![
                name(v),
                Cell::from(r.code.as_str()),
                pts(r.window_points),
                pts(r.earlier_points),
                Cell::from(r.earlier_days),
                Cell::from("评选前积分突增，请核实"),
            ]);
        }
        for g in &f.gaps {
            let mut hints = Vec::new();
            if g.participation_rate
                .zip(g.others_participation_rate)
                .is_some_and(|(a, b)| b - a >= 0.2)
            {
                hints.push("参与率明显低于其他人");
            }
            if g.active_rate
                .zip(g.others_active_rate)
                .is_some_and(|(a, b)| b - a >= 0.2)
            {
                hints.push("活跃度明显低于其他人");
            }
            gaps.push(vec![
                name(v),
                Cell::from(g.label.as_str()),
                n(g.members),
                n(g.members_in),
                n(g.active),
                pct(g.participation_rate),
                pct(g.others_participation_rate),
                pct(g.active_rate),
                pct(g.others_active_rate),
                Cell::from(hints.join("；")),
            ]);
        }
    }
    vec![
        Section {
            key: "reviewers",
            title: "审核人",
            explanation: "每位审核人本期的决定：通过、驳回、直接加分和扣分的次数，发放的积分，以及与全村的对比。“本组”和“同姓”数的是他给出的加分（通过的申报和直接加分）中，落在他本人所在小组的农户、或被加分成员与他同姓的次数。这些只是提示，需要结合实际核实，不是结论。",
            columns: vec![
                "村社",
                "审核人",
                "通过",
                "驳回",
                "直接加分",
                "直接扣分",
                "发放积分",
                "每次通过平均分",
                "全村每次通过平均分",
                "驳回率（%）",
                "全村驳回率（%）",
                "加分次数",
                "其中本组",
                "其中同姓",
                "提示",
            ],
            rows: reviewers,
        },
        Section {
            key: "negative_concentration",
            title: "扣分集中度",
            explanation: "本期扣分条目中，被扣分最多的 3 户所占的比例。比例越高，说明扣分越集中在少数几户；扣分本来就少时比例不说明问题。",
            columns: vec![
                "村社",
                "扣分条数",
                "被扣分户数",
                "参与户数",
                "前3户条数",
                "前3户占比（%）",
                "提示",
            ],
            rows: negatives,
        },
        Section {
            key: "gini",
            title: "年度积分差距",
            explanation: "参与户截至期末的年度积分的基尼系数：0 表示各户一样多，越接近 1 表示积分越集中在少数户（负分按 0 计）。一般 0.4 以上可视为差距较大。",
            columns: vec![
                "村社",
                "参与户数",
                "年度积分合计",
                "最高分",
                "基尼系数",
                "提示",
            ],
            rows: spread,
        },
        Section {
            key: "surges",
            title: "评选前积分突增",
            explanation: "期末最后 4 周（评先评优前）得分不少于 20 分，且不少于该户此前平均速度的 3 倍的农户。可能是正常的集中活动，也可能是突击加分，请核实。",
            columns: vec![
                "村社",
                "户号",
                "最近4周积分",
                "此前积分",
                "此前天数",
                "提示",
            ],
            rows: surges,
        },
        Section {
            key: "participation_gaps",
            title: "老人与长期在外人员参与",
            explanation: "60 岁及以上老人、长期在外人员的参与率（参与人数占人数）和活跃率（本期有申报或加分的人占参与人数），与其他村民对比。差距达到 20 个百分点时提示。",
            columns: vec![
                "村社",
                "人群",
                "人数",
                "参与人数",
                "活跃人数",
                "参与率（%）",
                "其他人参与率（%）",
                "活跃率（%）",
                "其他人活跃率（%）",
                "提示",
            ],
            rows: gaps,
        },
    ]
}
