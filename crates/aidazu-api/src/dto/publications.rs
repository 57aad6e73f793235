//! Quarterly publications (R16), the village's notice group (F5) and job runs.

use aidazu_app::publication::{BoardRow, Publication};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One household's line on a board: totals only.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BoardRowDto {
    /// Competition rank (1, 2, 2, 4).
    pub rank: u32,
    /// 户号.
    pub household_code: String,
    /// The head's name as the village shows it (张*明 by default).
    pub name: String,
    pub quarter_points: i64,
    /// Year score so far.
    pub score: i64,
    /// Balance at the snapshot.
    pub balance: i64,
}

impl From<BoardRow> for BoardRowDto {
    fn from(r: BoardRow) -> Self {
        Self {
            rank: r.rank,
            household_code: r.household_code,
            name: r.name,
            quarter_points: r.quarter_points,
            score: r.score,
            balance: r.balance,
        }
    }
}

/// A publication as listed (no rows).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicationSummaryDto {
    pub id: i64,
    pub village_id: i64,
    /// `2026-Q3` (quarter of the points-year).
    pub quarter: String,
    /// 1, then 2… for amended versions (更正).
    pub version: u32,
    pub amended: bool,
    /// SHA-256 of the canonical content, hex.
    pub digest: String,
    pub published_on: chrono::NaiveDate,
    /// Last day objections are accepted (D3).
    pub objection_last_day: chrono::NaiveDate,
    pub households: usize,
    /// Mean year score of the ranked households, two decimals.
    pub average_score: Option<String>,
    /// The public board page.
    pub board_url: String,
    pub poster_url: String,
    pub xlsx_url: String,
}

impl PublicationSummaryDto {
    pub fn new(p: &Publication, board_url: String) -> Self {
        let base = format!(
            "/api/v1/villages/{}/publications/{}",
            p.village.get(),
            p.quarter
        );
        let version = if p.version > 1 {
            format!("?version={}", p.version)
        } else {
            String::new()
        };
        Self {
            id: p.id,
            village_id: p.village.get(),
            quarter: p.quarter.to_string(),
            version: p.version,
            amended: p.content.amended,
            digest: p.digest.clone(),
            published_on: p.published_on,
            objection_last_day: p.objection_last_day,
            households: p.content.rows.len(),
            average_score: p.content.average_score.clone(),
            board_url: format!("{board_url}{version}"),
            poster_url: format!("{base}/poster.pdf{version}"),
            xlsx_url: format!("{base}/board.xlsx{version}"),
        }
    }
}

/// A village's publications, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicationListDto {
    pub publications: Vec<PublicationSummaryDto>,
}

/// A publication with its board.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicationDto {
    #[serde(flatten)]
    pub summary: PublicationSummaryDto,
    pub village_name: String,
    /// Who publishes (和平村村民委员会).
    pub committee: String,
    pub quarter_first_day: chrono::NaiveDate,
    pub quarter_last_day: chrono::NaiveDate,
    pub rows: Vec<BoardRowDto>,
    pub how_to_object: String,
    /// The exact JSON the digest is taken over.
    pub canonical: String,
}

/// A quarter's board as it would be published now (预览); nothing is stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicationPreviewDto {
    pub village_id: i64,
    /// `2026-Q3`.
    pub quarter: String,
    /// The day it would be published: the scheduled day (first working day after the quarter),
    /// or today when that has passed.
    pub planned_on: chrono::NaiveDate,
    pub objection_last_day: chrono::NaiveDate,
    /// Version 1 is published already (the preview then shows today's figures, not the record).
    pub published: bool,
    pub village_name: String,
    pub committee: String,
    pub quarter_first_day: chrono::NaiveDate,
    pub quarter_last_day: chrono::NaiveDate,
    pub households: usize,
    /// Mean year score of the ranked households, two decimals.
    pub average_score: Option<String>,
    pub rows: Vec<BoardRowDto>,
}

impl From<aidazu_app::publication::PublicationPreview> for PublicationPreviewDto {
    fn from(p: aidazu_app::publication::PublicationPreview) -> Self {
        Self {
            village_id: p.content.village.id,
            quarter: p.quarter.to_string(),
            planned_on: p.planned_on,
            objection_last_day: p.objection_last_day,
            published: p.published,
            village_name: p.content.village.name.clone(),
            committee: p.content.committee.clone(),
            quarter_first_day: p.content.quarter_first_day,
            quarter_last_day: p.content.quarter_last_day,
            households: p.content.rows.len(),
            average_score: p.content.average_score.clone(),
            rows: p.content.rows.into_iter().map(BoardRowDto::from).collect(),
        }
    }
}

/// What `立即公示` did.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublishOutcomeDto {
    /// `published` (this request), `already_published` (earlier: scheduler, CLI or another
    /// person) or `running` (someone is publishing it right now; look again shortly).
    pub outcome: String,
    pub publication: Option<PublicationSummaryDto>,
}

/// The caller's household's line in one publication.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyPublicationDto {
    #[serde(flatten)]
    pub summary: PublicationSummaryDto,
    /// `null` when the household was not ranked (out of the scheme at the quarter's end).
    pub mine: Option<BoardRowDto>,
}

/// The caller's village's publications with the household's line in each.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyPublicationListDto {
    pub publications: Vec<MyPublicationDto>,
}

/// Which version of a quarter.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A version number (default: the latest).
    #[param(minimum = 1, maximum = 1000)]
    pub version: Option<u32>,
}

/// The DingTalk group a village's notices go to.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NoticeGroupRequest {
    /// The group's openConversationId.
    #[schema(min_length = 1, max_length = 128)]
    pub open_conversation_id: String,
    /// The robot that posts (default: the app's own robot, whose code is its AppKey).
    #[schema(max_length = 128)]
    pub robot_code: Option<String>,
}

/// The notice group as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoticeGroupDto {
    pub village_id: i64,
    pub open_conversation_id: String,
    pub robot_code: String,
}

/// The village's notice group, when one is set.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoticeGroupStateDto {
    /// `null`: no group set, publications are not announced in DingTalk.
    pub group: Option<NoticeGroupDto>,
}

/// One run of a clock-driven job.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobRunDto {
    pub id: i64,
    /// `publish`, `amend` (a corrected version after an upheld objection), `year-close`,
    /// `year-close-remind`.
    pub job: String,
    pub village_id: i64,
    /// The period (`2026-Q3`, `2026`).
    pub period: String,
    /// `running`, `done`, `failed`.
    pub status: String,
    /// `schedule`, `cli`, `api`.
    pub trigger: String,
    pub progress_done: i32,
    pub progress_total: i32,
    pub attempts: i32,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub error: Option<String>,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<aidazu_app::jobs::JobRun> for JobRunDto {
    fn from(r: aidazu_app::jobs::JobRun) -> Self {
        Self {
            id: r.id,
            job: r.job,
            village_id: r.village.get(),
            period: r.period,
            status: r.status,
            trigger: r.trigger,
            progress_done: r.progress_done,
            progress_total: r.progress_total,
            attempts: r.attempts,
            detail: r.detail,
            error: r.error,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

/// Job runs, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobRunListDto {
    pub runs: Vec<JobRunDto>,
}
