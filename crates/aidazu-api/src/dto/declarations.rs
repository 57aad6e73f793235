//! Wire types of photos (F2), declarations (R8, R9, R11), decisions and admin scoring (R10).

use aidazu_app::decisions::DecisionResult;
use aidazu_app::declarations::DeclarationView;
use aidazu_app::photos::PhotoView;
use aidazu_app::scoring::ScoreResult;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A recorded photo (answer of `POST /api/v1/photos`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PhotoDto {
    pub id: i64,
    pub village_id: i64,
    pub household_id: Option<i64>,
    /// Lowercase hex SHA-256 of the uploaded bytes.
    pub sha256: String,
    pub size_bytes: u64,
    /// `jpeg`, `png` or `webp`.
    pub format: String,
    pub width: u32,
    pub height: u32,
    /// The upload carried GPS data; the copies served never do.
    pub had_location: bool,
    pub created_at: DateTime<Utc>,
    /// `false` when the same content had already been uploaded in the village (same id).
    pub created: bool,
    /// Path of the public copy.
    pub url: String,
    /// Path of the thumbnail.
    pub thumb_url: String,
}

impl From<PhotoView> for PhotoDto {
    fn from(p: PhotoView) -> Self {
        Self {
            url: format!("/api/v1/photos/{}", p.id),
            thumb_url: format!("/api/v1/photos/{}/thumb", p.id),
            id: p.id,
            village_id: p.village.get(),
            household_id: p.household.map(|h| h.get()),
            sha256: p.sha256,
            size_bytes: p.size_bytes,
            format: p.format,
            width: p.width,
            height: p.height,
            had_location: p.had_location,
            created_at: p.created_at,
            created: p.created,
        }
    }
}

/// Query of `GET /api/v1/photos/{id}/signed`: the parts of a signed photo link as the approval
/// form and the card carry them. All three are required; a missing one makes the link invalid.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignedPhotoQuery {
    /// Who the link was made for: `decl:<id>` = the reviewers of that declaration.
    #[param(example = "decl:12", max_length = 64)]
    pub v: Option<String>,
    /// Expiry, unix seconds; refused from this second on.
    #[param(example = "1767225600")]
    pub exp: Option<String>,
    /// HMAC-SHA256 over photo id, viewer and expiry, URL-safe base64 without padding.
    #[param(min_length = 43, max_length = 43)]
    pub sig: Option<String>,
}

/// `POST /api/v1/declarations`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeclareRequest {
    /// Item code of the catalogue in force, e.g. `PA-01`.
    pub item_code: String,
    /// The day the deed happened (this points-year, not in the future, within the window).
    pub occurred_on: NaiveDate,
    /// A member of the caller's household.
    pub member_id: i64,
    /// What was done (at most `points.declaration_max_text_chars` characters, default 500).
    #[schema(min_length = 1, max_length = 500)]
    pub text: String,
    /// Photos uploaded by the caller's household (1–9 when the item requires evidence).
    #[serde(default)]
    #[schema(max_items = 9)]
    pub photo_ids: Vec<i64>,
}

/// A declaration.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeclarationDto {
    pub id: i64,
    pub village_id: i64,
    pub household_id: i64,
    pub member_id: i64,
    pub declarant_account_id: i64,
    pub item_code: String,
    pub item_title: String,
    /// Number of the catalogue version the declaration was made under.
    pub catalogue_version: u32,
    /// Suggested points, and the range a reviewer may pick from (equal for fixed items).
    pub suggested_points: i64,
    pub min_points: i64,
    pub max_points: i64,
    pub occurred_on: NaiveDate,
    pub text: String,
    /// `in_review`, `approved`, `rejected` or `withdrawn`.
    pub state: String,
    /// The state in Chinese.
    pub state_label: String,
    pub submitted_at: DateTime<Utc>,
    pub review_deadline: NaiveDate,
    pub decided_at: Option<DateTime<Utc>>,
    pub decider_account_id: Option<i64>,
    /// `console`, `dingtalk_approval`, `card`.
    pub decision_channel: Option<String>,
    /// Points awarded (approved).
    pub points: Option<i64>,
    /// Reason of a refusal.
    pub reason: Option<String>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub process_instance_id: Option<String>,
    pub ledger_entry_id: Option<i64>,
    pub photo_ids: Vec<i64>,
    /// R11: a photo of this declaration (same content) is also on another declaration.
    pub reused_photo: bool,
    /// The other declarations sharing a photo (R11).
    pub reused_with: Vec<i64>,
}

impl From<DeclarationView> for DeclarationDto {
    fn from(v: DeclarationView) -> Self {
        let reused_photo = v.reused_photo();
        let r = v.record;
        Self {
            id: r.id.get(),
            village_id: r.village.get(),
            household_id: r.household.get(),
            member_id: r.member.get(),
            declarant_account_id: r.declarant.get(),
            item_code: r.item_code,
            item_title: r.item_title,
            catalogue_version: r.catalogue_version,
            suggested_points: r.suggested_points.get(),
            min_points: r.min_points.get(),
            max_points: r.max_points.get(),
            occurred_on: r.occurred_on,
            text: r.text,
            state: r.state.to_string(),
            state_label: r.state.label_zh().to_owned(),
            submitted_at: r.submitted_at,
            review_deadline: r.review_deadline,
            decided_at: r.decided_at,
            decider_account_id: r.decider.map(|a| a.get()),
            decision_channel: r.decision_channel,
            points: r.points.map(|p| p.get()),
            reason: r.reason,
            withdrawn_at: r.withdrawn_at,
            process_instance_id: r.process_instance_id,
            ledger_entry_id: r.ledger_entry.map(|e| e.get()),
            photo_ids: r.photo_ids,
            reused_photo,
            reused_with: v.reused_with.into_iter().map(|d| d.get()).collect(),
        }
    }
}

/// A list of declarations.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeclarationListDto {
    pub items: Vec<DeclarationDto>,
}

/// `GET /api/v1/admin/declarations` filters.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AdminDeclarationsQuery {
    /// The village (required).
    pub village_id: i64,
    /// `in_review`, `approved`, `rejected` or `withdrawn`.
    pub state: Option<String>,
}

/// `POST /api/v1/admin/declarations/{id}/decision`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionRequest {
    /// `approve` or `reject`.
    pub outcome: String,
    /// Points to award (range items: inside the range; default the suggested value).
    pub points: Option<i64>,
    /// Reason of a refusal (required to reject).
    pub reason: Option<String>,
}

/// The decided declaration.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DecisionDto {
    pub declaration: DeclarationDto,
    /// The ledger entry booked by an approval.
    pub ledger_entry_id: Option<i64>,
}

impl From<DecisionResult> for DecisionDto {
    fn from(r: DecisionResult) -> Self {
        Self {
            ledger_entry_id: r.ledger_entry.map(|e| e.get()),
            declaration: r.declaration.into(),
        }
    }
}

/// `POST /api/v1/admin/entries`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScoreRequest {
    /// Positive or negative item of the catalogue in force.
    pub item_code: String,
    pub member_id: i64,
    /// Signed points allowed by the item (negative for a negative item).
    pub points: i64,
    /// Why (required).
    pub reason: String,
    /// Evidence photos (required for negative items that require evidence).
    #[serde(default)]
    pub photo_ids: Vec<i64>,
    /// The day it happened (default today).
    pub occurred_on: Option<NaiveDate>,
}

/// The booked entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScoreDto {
    pub entry_id: i64,
    pub village_id: i64,
    pub household_id: i64,
    pub member_id: i64,
    /// `award` or `penalty`.
    pub kind: String,
    pub item_code: String,
    pub catalogue_version: u32,
    pub points: i64,
    pub reason: String,
    pub photo_ids: Vec<i64>,
    pub occurred_on: NaiveDate,
}

impl From<ScoreResult> for ScoreDto {
    fn from(r: ScoreResult) -> Self {
        Self {
            entry_id: r.entry_id.get(),
            village_id: r.village.get(),
            household_id: r.household.get(),
            member_id: r.member.get(),
            kind: r.kind.to_string(),
            item_code: r.item_code,
            catalogue_version: r.catalogue_version,
            points: r.points.get(),
            reason: r.reason,
            photo_ids: r.photo_ids,
            occurred_on: r.occurred_on,
        }
    }
}
