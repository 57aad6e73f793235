//! Wire types of the statistics and fairness reports (issue 12, points 3 and 4): a report is a
//! list of tables (sections), a row per village (or per village and slice), the same tables the
//! Excel export holds.

use aidazu_app::spreadsheet::Cell;
use aidazu_app::statistics::{Report, Section};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which villages and which period.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AreaReportQuery {
    /// The town whose villages are reported (give this or `districtId`).
    pub town_id: Option<i64>,
    /// The district whose villages are reported.
    pub district_id: Option<i64>,
    /// `2026` (a points-year) or `2026-Q2` (a quarter); default: the current points-year.
    pub period: Option<String>,
}

/// [`AreaReportQuery`] and, for the Excel export, one table only.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AreaReportXlsxQuery {
    pub town_id: Option<i64>,
    pub district_id: Option<i64>,
    /// `2026` or `2026-Q2`; default: the current points-year.
    pub period: Option<String>,
    /// The key of one table (`participation`, `reviewers`, …); default: every table.
    pub section: Option<String>,
}

/// One cell: a number or a text.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CellDto {
    Number(f64),
    Text(String),
}

impl From<&Cell> for CellDto {
    fn from(c: &Cell) -> Self {
        match c {
            Cell::Number(n) => Self::Number(*n),
            Cell::Text(t) => Self::Text(t.clone()),
        }
    }
}

/// One table of a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SectionDto {
    /// Stable key (`participation`, `review_latency`, `reviewers`, …).
    pub key: String,
    pub title: String,
    /// What the table shows and how to read it, in plain Chinese.
    pub explanation: String,
    pub columns: Vec<String>,
    /// Rows; the first cell is the village's name.
    pub rows: Vec<Vec<CellDto>>,
}

impl From<&Section> for SectionDto {
    fn from(s: &Section) -> Self {
        Self {
            key: s.key.to_owned(),
            title: s.title.to_owned(),
            explanation: s.explanation.to_owned(),
            columns: s.columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: s
                .rows
                .iter()
                .map(|r| r.iter().map(CellDto::from).collect())
                .collect(),
        }
    }
}

/// A village the report covers.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportVillageDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub town_name: String,
}

/// A statistics or fairness report.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AreaReportDto {
    /// `2026` or `2026-Q2`.
    pub period: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub villages: Vec<ReportVillageDto>,
    pub sections: Vec<SectionDto>,
}

impl From<Report> for AreaReportDto {
    fn from(r: Report) -> Self {
        Self {
            period: r.period.label.clone(),
            from: r.period.from,
            to: r.period.to,
            villages: r
                .villages
                .iter()
                .map(|v| ReportVillageDto {
                    id: v.id.get(),
                    code: v.code.clone(),
                    name: v.name.clone(),
                    town_name: v.town.name.clone(),
                })
                .collect(),
            sections: r.sections.iter().map(SectionDto::from).collect(),
        }
    }
}
