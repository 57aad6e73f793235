//! Objections to a quarterly publication (R17, D3).

use aidazu_app::objections::ObjectionView;
use aidazu_domain::objection::ObjectionStatus;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What a member files.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectionRequest {
    /// The publication's quarter, e.g. `2026-Q3`.
    pub quarter: String,
    /// The publication's village (default: the caller's; another village is refused).
    pub village_id: Option<i64>,
    /// The household questioned (default: the caller's own; another household of the village
    /// is a report).
    pub about_household_id: Option<i64>,
    /// The household questioned by the code the public board shows (`heping-01-007`): a report
    /// about another household picked from the board. At most one of the two.
    #[schema(max_length = 64)]
    pub about_household_code: Option<String>,
    /// The questioned ledger entry, if one is named.
    pub entry_id: Option<i64>,
    /// What is wrong (required).
    #[schema(min_length = 1, max_length = 1000)]
    pub text: String,
    /// Evidence photos (uploaded through `/api/v1/photos` by the household), at most 9.
    #[serde(default)]
    #[schema(max_items = 9)]
    pub photo_ids: Vec<i64>,
}

/// A committee or town decision.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectionDecisionRequest {
    /// `uphold` or `reject`.
    pub outcome: String,
    /// For `uphold`: the correction in points (±, not 0).
    pub correction: Option<i64>,
    /// The reason (required).
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// A decision as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectionDecisionDto {
    pub reason: String,
    pub by_account_id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// An objection.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectionDto {
    pub id: i64,
    pub village_id: i64,
    pub quarter: String,
    pub publication_id: i64,
    pub raised_by_member_id: i64,
    pub raised_by_household_id: i64,
    pub about_household_id: i64,
    pub entry_id: Option<i64>,
    pub text: String,
    pub photo_ids: Vec<i64>,
    pub filed_on: chrono::NaiveDate,
    /// `open`, `upheld`, `rejected`, `escalated`, `town_upheld`, `town_rejected`.
    pub state: String,
    /// 待处理 / 已采纳 / …
    pub state_label: String,
    /// The correction booked (upheld), in points.
    pub correction: Option<i64>,
    pub correction_entry_id: Option<i64>,
    pub committee_decision: Option<ObjectionDecisionDto>,
    pub town_decision: Option<ObjectionDecisionDto>,
    /// The committee's deadline (D3: 5 working days).
    pub committee_due: chrono::NaiveDate,
    /// The town's deadline once escalated (D3: 10 working days).
    pub town_due: Option<chrono::NaiveDate>,
    /// The amended publication version this decision produced.
    pub amended_version: Option<u32>,
    /// The committee's DingTalk OA approval of this objection (F6), once created.
    pub approval_instance_id: Option<String>,
}

fn decision(d: &aidazu_domain::objection::ObjectionDecision) -> ObjectionDecisionDto {
    ObjectionDecisionDto {
        reason: d.reason.clone(),
        by_account_id: d.by.get(),
        at: d.at,
    }
}

impl From<ObjectionView> for ObjectionDto {
    fn from(v: ObjectionView) -> Self {
        let o = &v.stored.objection;
        let (correction, committee, town) = match o.status() {
            ObjectionStatus::Open => (None, None, None),
            ObjectionStatus::Upheld {
                correction,
                decision: d,
            } => (Some(correction.get()), Some(decision(d)), None),
            ObjectionStatus::Rejected { decision: d } => (None, Some(decision(d)), None),
            ObjectionStatus::Escalated { committee, .. } => (None, Some(decision(committee)), None),
            ObjectionStatus::TownUpheld {
                correction,
                committee,
                decision: d,
            } => (
                Some(correction.get()),
                Some(decision(committee)),
                Some(decision(d)),
            ),
            ObjectionStatus::TownRejected {
                committee,
                decision: d,
            } => (None, Some(decision(committee)), Some(decision(d))),
        };
        Self {
            id: o.id.get(),
            village_id: v.stored.village.get(),
            quarter: o.quarter.to_string(),
            publication_id: v.stored.publication_id,
            raised_by_member_id: o.raised_by.get(),
            raised_by_household_id: o.raised_by_household.get(),
            about_household_id: o.about.get(),
            entry_id: o.entry.map(|e| e.get()),
            text: o.text.clone(),
            photo_ids: v.stored.photo_ids.clone(),
            filed_on: o.filed_on,
            state: o.state().to_string(),
            state_label: o.state().label_zh().to_owned(),
            correction,
            correction_entry_id: v.stored.correction_entry.map(|e| e.get()),
            committee_decision: committee,
            town_decision: town,
            committee_due: v.committee_due,
            town_due: v.town_due,
            amended_version: v.amended_version,
            approval_instance_id: v.stored.process_instance_id.clone(),
        }
    }
}

/// Objections, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectionListDto {
    pub objections: Vec<ObjectionDto>,
}

/// Which objections to list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ObjectionQuery {
    /// The village.
    pub village_id: i64,
    /// One state only (`open`, `escalated`, …).
    pub state: Option<String>,
}
