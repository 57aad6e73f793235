//! District governance (R7, F6, R1, R2–R4, R10): catalogue change requests with their replay,
//! the district's decisions, bulk import of households, the group inspection, and the
//! organisation tree.

use aidazu_app::governance::{
    CatalogueChange, ChangeInput, InspectionInput, InspectionLine, InspectionResult,
    InspectionScore, ReplayTarget, ReplayView, describe_changes, import_template_xlsx,
};
use aidazu_domain::catalogue::{
    Cap, CatalogueItemSpec, Category, Direction, Evidence, ItemChange, PointsRule, Recorders,
};
use aidazu_domain::{
    DistrictId, GroupId, HouseholdId, ItemCode, MemberId, Points, TownId, VillageId,
};
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::{ApiError, ApiState};

/// Largest import file accepted (5 MiB).
const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route(
            "/api/v1/admin/villages/{id}/catalogue-changes",
            post(draft_change).get(list_changes),
        )
        .route(
            "/api/v1/admin/villages/{id}/catalogue-changes/{change_id}",
            get(get_change),
        )
        .route(
            "/api/v1/admin/villages/{id}/catalogue-changes/{change_id}/submit",
            post(submit_change),
        )
        .route(
            "/api/v1/admin/villages/{id}/catalogue-changes/{change_id}/replay",
            get(replay_change),
        )
        .route(
            "/api/v1/admin/districts/{id}/catalogue-changes",
            post(draft_template_change).get(district_changes),
        )
        .route(
            "/api/v1/admin/districts/{id}/catalogue-changes/{change_id}/submit",
            post(submit_template_change),
        )
        .route(
            "/api/v1/admin/districts/{id}/catalogue-changes/{change_id}/replay",
            get(replay_template_change),
        )
        .route(
            "/api/v1/admin/catalogue-changes/{change_id}/decision",
            post(decide_change),
        )
        .route(
            "/api/v1/admin/villages/{id}/households/import-template.xlsx",
            get(import_template),
        )
        .route(
            "/api/v1/admin/villages/{id}/households/import",
            post(import_households).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + 64 * 1024)),
        )
        .route(
            "/api/v1/admin/villages/{id}/groups",
            get(list_groups).post(add_group),
        )
        .route("/api/v1/admin/groups/{id}/inspections", post(inspect_group))
        .route("/api/v1/admin/org", get(org_tree))
        .route("/api/v1/admin/districts/{id}/towns", post(add_town))
        .route("/api/v1/admin/towns/{id}/villages", post(add_village))
}

// ---------- catalogue changes ----------

/// One change of a request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemChangeRequest {
    /// `add`, `retire` or `revalue`.
    pub op: String,
    /// The item code (`ML-02`).
    pub code: String,
    /// Fixed points (signed like the item), for `add` / `revalue`; or give the range.
    pub points: Option<i64>,
    pub points_min: Option<i64>,
    pub points_max: Option<i64>,
    pub points_suggested: Option<i64>,
    /// `none`, `per_quarter`, `per_year`, `points_per_quarter` (with `capValue`).
    pub cap_kind: Option<String>,
    pub cap_value: Option<i64>,
    /// For `add`: the title.
    pub title: Option<String>,
    pub description: Option<String>,
    /// For `add`: `positive` or `negative`.
    pub direction: Option<String>,
    /// For `add`: whether photos are required, how many, and what evidence.
    pub photo_required: Option<bool>,
    pub min_photos: Option<u8>,
    pub evidence: Option<String>,
    /// For `add`: who records it (`S`, `C`, `G`, `O`, comma separated).
    pub recorders: Option<String>,
}

/// A draft change request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeRequestBody {
    /// Why (shown to the district office).
    pub reason: String,
    pub changes: Vec<ItemChangeRequest>,
}

fn bad(field: &'static str, message: &'static str) -> ApiError {
    aidazu_app::AppError::InvalidField { field, message }.into()
}

fn points_rule(c: &ItemChangeRequest) -> Result<PointsRule, ApiError> {
    match (c.points, c.points_min, c.points_max) {
        (Some(p), None, None) => Ok(PointsRule::Fixed(Points(p))),
        (None, Some(min), Some(max)) => Ok(PointsRule::Range {
            min: Points(min),
            max: Points(max),
            suggested: Points(c.points_suggested.unwrap_or(min)),
        }),
        _ => Err(bad("points", "请填写固定分值，或分值范围的最小值和最大值")),
    }
}

fn cap(c: &ItemChangeRequest) -> Result<Option<Cap>, ApiError> {
    let count = |v: Option<i64>| {
        v.and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| bad("capValue", "上限次数须为正整数"))
    };
    Ok(match c.cap_kind.as_deref() {
        None => None,
        Some("none") => Some(Cap::None),
        Some("per_quarter") => Some(Cap::PerQuarter(count(c.cap_value)?)),
        Some("per_year") => Some(Cap::PerYear(count(c.cap_value)?)),
        Some("points_per_quarter") => Some(Cap::PointsPerQuarter(Points(
            c.cap_value
                .ok_or_else(|| bad("capValue", "请填写每季度分值上限"))?,
        ))),
        Some(_) => return Err(bad("capKind", "上限类型不正确")),
    })
}

fn item_change(c: &ItemChangeRequest) -> Result<ItemChange, ApiError> {
    let code = ItemCode::parse(c.code.trim()).map_err(aidazu_app::AppError::Rule)?;
    match c.op.as_str() {
        "retire" => Ok(ItemChange::Retire { code }),
        "revalue" => Ok(ItemChange::Revalue {
            code,
            points: points_rule(c)?,
            cap: cap(c)?,
        }),
        "add" => {
            let direction = match c.direction.as_deref() {
                Some("positive") => Direction::Positive,
                Some("negative") => Direction::Negative,
                _ => return Err(bad("direction", "请选择正面清单或负面清单")),
            };
            let prefix = code.as_str().get(..2).unwrap_or_default();
            let category = match prefix {
                "PA" => Category::safety(),
                "DE" => Category::morality(),
                "ML" => Category::beauty(),
                other => Category::new(other, other),
            };
            let recorders = Recorders::parse(c.recorders.as_deref().unwrap_or("C"))
                .map_err(aidazu_app::AppError::Rule)?;
            let evidence_text = c.evidence.clone().unwrap_or_default();
            let evidence = if c.photo_required.unwrap_or(false) {
                Evidence::photos(c.min_photos.unwrap_or(1), evidence_text)
            } else {
                Evidence::record(evidence_text)
            };
            Ok(ItemChange::Add {
                item: CatalogueItemSpec {
                    code,
                    category,
                    subcategory: None,
                    direction,
                    title: c.title.clone().unwrap_or_default(),
                    description: c.description.clone().unwrap_or_default(),
                    points: points_rule(c)?,
                    evidence,
                    recorders,
                    cap: cap(c)?.unwrap_or_default(),
                },
            })
        }
        _ => Err(bad("op", "操作须为 add、retire 或 revalue")),
    }
}

fn change_input(body: ChangeRequestBody) -> Result<ChangeInput, ApiError> {
    if body.changes.len() > 100 {
        return Err(bad("changes", "一次最多 100 项调整"));
    }
    Ok(ChangeInput {
        reason: body.reason,
        changes: body
            .changes
            .iter()
            .map(item_change)
            .collect::<Result<_, _>>()?,
    })
}

/// A change request as the console shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueChangeDto {
    pub id: i64,
    pub district_id: i64,
    /// `null` for a change of the district's template.
    pub village_id: Option<i64>,
    /// `draft`, `submitted`, `approved`, `rejected`, `withdrawn`.
    pub status: String,
    pub reason: String,
    /// The changes in words, one a line.
    pub summary: Vec<String>,
    /// Items of the proposed catalogue.
    pub item_count: usize,
    /// The version the changes were applied to.
    pub base_version: u32,
    /// R7: a draft or submitted request whose catalogue got a newer approved version since it was
    /// drafted: it cannot be submitted or approved (`catalogue_change.stale`); draft it again.
    pub stale: bool,
    /// While draft or submitted: the version a new draft would be applied to now.
    pub current_base_version: Option<u32>,
    /// The DingTalk OA approval, once created.
    pub approval_instance_id: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// First day the approved version is in force (the next quarter, R7).
    pub effective_from: Option<NaiveDate>,
    /// The catalogue version it became.
    pub version: Option<u32>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

fn change_dto(c: &CatalogueChange) -> CatalogueChangeDto {
    CatalogueChangeDto {
        id: c.id,
        district_id: c.district.get(),
        village_id: c.village.map(VillageId::get),
        status: c.status.as_str().to_owned(),
        reason: c.reason.clone(),
        summary: describe_changes(c).lines().map(str::to_owned).collect(),
        item_count: c.items.len(),
        base_version: c.base_version,
        stale: c.is_stale(),
        current_base_version: c.current_base_version,
        approval_instance_id: c.process_instance_id.clone(),
        decision_reason: c.decision_reason.clone(),
        decided_at: c.decided_at,
        effective_from: c.effective_from,
        version: c.version_number,
        created_at: c.created_at,
        submitted_at: c.submitted_at,
    }
}

/// Change requests.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueChangesDto {
    pub changes: Vec<CatalogueChangeDto>,
}

/// A village admin (or committee) drafts a change of the village's catalogue with a reason:
/// add, retire or re-value items within the district's bounds (R7).
#[utoipa::path(post, path = "/api/v1/admin/villages/{id}/catalogue-changes", tag = "governance",
    params(("id" = i64, Path, description = "村社 id")),
    request_body = ChangeRequestBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "草稿已保存", body = CatalogueChangeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权申请", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 422, description = "超出区级范围（catalogue_change.out_of_bounds）、项目不存在、无改动或字段有误", body = crate::error::ErrorBody),
    ))]
pub async fn draft_change(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ChangeRequestBody>,
) -> Result<(StatusCode, Json<CatalogueChangeDto>), ApiError> {
    let input = change_input(body)?;
    let change = state
        .app
        .draft_catalogue_change(&actor, VillageId(id), input)
        .await?;
    Ok((StatusCode::CREATED, Json(change_dto(&change))))
}

/// The change requests of a village, newest first.
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/catalogue-changes", tag = "governance",
    params(("id" = i64, Path, description = "村社 id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "调整申请列表", body = CatalogueChangesDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn list_changes(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CatalogueChangesDto>, ApiError> {
    let changes = state
        .app
        .village_catalogue_changes(&actor, VillageId(id))
        .await?;
    Ok(Json(CatalogueChangesDto {
        changes: changes.iter().map(change_dto).collect(),
    }))
}

/// One change request of a village.
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/catalogue-changes/{change_id}", tag = "governance",
    params(("id" = i64, Path, description = "村社 id"), ("change_id" = i64, Path, description = "调整申请 id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "调整申请", body = CatalogueChangeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "申请不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn get_change(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath((id, change_id)): ApiPath<(i64, i64)>,
) -> Result<Json<CatalogueChangeDto>, ApiError> {
    let change = state
        .app
        .village_catalogue_change(&actor, VillageId(id), change_id)
        .await?;
    Ok(Json(change_dto(&change)))
}

/// Submits a draft: a DingTalk OA approval opens for the district office (F6) and the console
/// lists it; decided once, in DingTalk or the console.
#[utoipa::path(post, path = "/api/v1/admin/villages/{id}/catalogue-changes/{change_id}/submit", tag = "governance",
    params(("id" = i64, Path, description = "村社 id"), ("change_id" = i64, Path, description = "调整申请 id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已提交区级审批", body = CatalogueChangeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权提交", body = crate::error::ErrorBody),
        (status = 404, description = "申请不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "不是草稿（catalogue_change.wrong_state），或目录已有新版本、须重新起草（catalogue_change.stale）", body = crate::error::ErrorBody),
    ))]
pub async fn submit_change(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath((id, change_id)): ApiPath<(i64, i64)>,
) -> Result<Json<CatalogueChangeDto>, ApiError> {
    let change = state
        .app
        .submit_catalogue_change(&actor, VillageId(id), change_id)
        .await?;
    Ok(Json(change_dto(&change)))
}

/// One side of the replay.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayFiguresDto {
    /// Households in the honours population (D5) and the sum of their year scores.
    pub n: u32,
    pub sum: i64,
    /// The village average, two decimals.
    pub average: Option<String>,
    /// Households strictly above the average (R18).
    pub households_above_line: u32,
    /// Net score points booked in the quarter.
    pub points_issued: i64,
    /// Points households may still spend at the quarter's end and their worth (fen, D8).
    pub outstanding_points: i64,
    pub liability_fen: i64,
    pub fund_balance_fen: i64,
    pub liability_exceeds_fund: bool,
}

/// One household, actual beside proposed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayLineDto {
    pub household_id: i64,
    pub household_code: String,
    /// As the village's board shows it.
    pub name: String,
    pub participating: bool,
    /// Why it is outside the honours population (D5): `not_participating`,
    /// `enrolled_too_short`, `veto`, `open_objection`; `null` when inside.
    pub exclusion: Option<String>,
    pub actual_quarter_points: i64,
    pub proposed_quarter_points: i64,
    pub actual_score: i64,
    pub proposed_score: i64,
    pub actual_rank: Option<u32>,
    pub proposed_rank: Option<u32>,
    pub actual_above_line: bool,
    pub proposed_above_line: bool,
}

/// Last quarter under the proposed values beside what it was (R7).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayDto {
    pub change_id: i64,
    pub village_id: i64,
    /// The quarter replayed (`2026-Q3`).
    pub quarter: String,
    pub actual: ReplayFiguresDto,
    pub proposed: ReplayFiguresDto,
    pub entries_changed: u32,
    pub entries_dropped: u32,
    pub lines: Vec<ReplayLineDto>,
}

fn figures(f: &aidazu_domain::catalogue::replay::ReplayFigures) -> ReplayFiguresDto {
    ReplayFiguresDto {
        n: f.n,
        sum: f.sum,
        average: f.average.clone(),
        households_above_line: f.households_above_line,
        points_issued: f.points_issued,
        outstanding_points: f.fund.outstanding_points,
        liability_fen: f.fund.liability_fen,
        fund_balance_fen: f.fund.fund_balance_fen,
        liability_exceeds_fund: f.fund.liability_exceeds_fund,
    }
}

fn replay_dto(view: &ReplayView) -> ReplayDto {
    let r = &view.report;
    ReplayDto {
        change_id: view.change_id,
        village_id: view.village.get(),
        quarter: r.quarter.to_string(),
        actual: figures(&r.actual),
        proposed: figures(&r.proposed),
        entries_changed: r.entries_changed,
        entries_dropped: r.entries_dropped,
        lines: r
            .lines
            .iter()
            .map(|l| {
                let info = view.households.iter().find(|h| h.household == l.household);
                ReplayLineDto {
                    household_id: l.household.get(),
                    household_code: info.map(|i| i.code.clone()).unwrap_or_default(),
                    name: info.map(|i| i.name.clone()).unwrap_or_default(),
                    participating: l.participating,
                    exclusion: l.exclusion.and_then(|e| {
                        serde_json::to_value(e)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                    }),
                    actual_quarter_points: l.actual_quarter_points,
                    proposed_quarter_points: l.proposed_quarter_points,
                    actual_score: l.actual_score,
                    proposed_score: l.proposed_score,
                    actual_rank: l.actual_rank,
                    proposed_rank: l.proposed_rank,
                    actual_above_line: l.actual_above_line,
                    proposed_above_line: l.proposed_above_line,
                }
            })
            .collect(),
    }
}

/// The replay: what last quarter would have looked like under the proposed values, from the
/// recorded entries — per household points and rank, the average, the honours line, points
/// issued and the liability against the fund — beside the actual figures.
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/catalogue-changes/{change_id}/replay", tag = "governance",
    params(("id" = i64, Path, description = "村社 id"), ("change_id" = i64, Path, description = "调整申请 id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "模拟测算", body = ReplayDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "申请不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn replay_change(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath((id, change_id)): ApiPath<(i64, i64)>,
) -> Result<Json<ReplayDto>, ApiError> {
    let view = state
        .app
        .catalogue_change_replay(&actor, ReplayTarget::Village(VillageId(id)), change_id)
        .await?;
    Ok(Json(replay_dto(&view)))
}

/// Which village of the district a template change is replayed in.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TemplateReplayQuery {
    /// A village of the district that follows the district's template.
    pub village_id: i64,
}

/// The replay of a change of the district's template in one of its villages that follows the
/// template: the same figures as a village change's replay (R7). A village holding its own
/// approved catalogue is refused (`catalogue_change.village_has_own_catalogue`).
#[utoipa::path(get, path = "/api/v1/admin/districts/{id}/catalogue-changes/{change_id}/replay", tag = "governance",
    params(("id" = i64, Path, description = "区 id"), ("change_id" = i64, Path, description = "区模板调整申请 id"), TemplateReplayQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "模拟测算", body = ReplayDto),
        (status = 400, description = "缺少或无效的 villageId", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "不是该区的区级管理人员", body = crate::error::ErrorBody),
        (status = 404, description = "申请不存在，或村社不属于该区", body = crate::error::ErrorBody),
        (status = 409, description = "该村社使用本村自己的清单，区模板调整不适用（catalogue_change.village_has_own_catalogue）", body = crate::error::ErrorBody),
    ))]
pub async fn replay_template_change(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath((id, change_id)): ApiPath<(i64, i64)>,
    ApiQuery(q): ApiQuery<TemplateReplayQuery>,
) -> Result<Json<ReplayDto>, ApiError> {
    let target = ReplayTarget::Template {
        district: DistrictId(id),
        village: VillageId(q.village_id),
    };
    let view = state
        .app
        .catalogue_change_replay(&actor, target, change_id)
        .await?;
    Ok(Json(replay_dto(&view)))
}

/// A district officer drafts a change of the district's template (villages follow it unless
/// they hold an approved version of their own).
#[utoipa::path(post, path = "/api/v1/admin/districts/{id}/catalogue-changes", tag = "governance",
    params(("id" = i64, Path, description = "区 id")),
    request_body = ChangeRequestBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "草稿已保存", body = CatalogueChangeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "区不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 422, description = "超出范围或字段有误", body = crate::error::ErrorBody),
    ))]
pub async fn draft_template_change(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ChangeRequestBody>,
) -> Result<(StatusCode, Json<CatalogueChangeDto>), ApiError> {
    let input = change_input(body)?;
    let change = state
        .app
        .draft_template_change(&actor, DistrictId(id), input)
        .await?;
    Ok((StatusCode::CREATED, Json(change_dto(&change))))
}

/// Every change request of a district (its villages' and its template's), newest first.
#[utoipa::path(get, path = "/api/v1/admin/districts/{id}/catalogue-changes", tag = "governance",
    params(("id" = i64, Path, description = "区 id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "调整申请列表", body = CatalogueChangesDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "区不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn district_changes(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CatalogueChangesDto>, ApiError> {
    let changes = state
        .app
        .district_catalogue_changes(&actor, DistrictId(id))
        .await?;
    Ok(Json(CatalogueChangesDto {
        changes: changes.iter().map(change_dto).collect(),
    }))
}

/// Submits a draft change of the district's template.
#[utoipa::path(post, path = "/api/v1/admin/districts/{id}/catalogue-changes/{change_id}/submit", tag = "governance",
    params(("id" = i64, Path, description = "区 id"), ("change_id" = i64, Path, description = "调整申请 id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已提交", body = CatalogueChangeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "申请不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "不是草稿，或目录已有新版本、须重新起草（catalogue_change.stale）", body = crate::error::ErrorBody),
    ))]
pub async fn submit_template_change(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath((id, change_id)): ApiPath<(i64, i64)>,
) -> Result<Json<CatalogueChangeDto>, ApiError> {
    let change = state
        .app
        .submit_template_change(&actor, DistrictId(id), change_id)
        .await?;
    Ok(Json(change_dto(&change)))
}

/// The district office's decision in the console.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionBody {
    pub approve: bool,
    /// Required when refusing.
    pub reason: Option<String>,
}

/// The district office approves (in force from the next quarter) or refuses (with a reason) a
/// submitted change in the console; the DingTalk approval is closed. Decided once.
#[utoipa::path(post, path = "/api/v1/admin/catalogue-changes/{change_id}/decision", tag = "governance",
    params(("change_id" = i64, Path, description = "调整申请 id")),
    request_body = DecisionBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已决定", body = CatalogueChangeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权审批", body = crate::error::ErrorBody),
        (status = 404, description = "申请不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "已决定或未提交（catalogue_change.wrong_state），或批准的申请已过时（catalogue_change.stale）", body = crate::error::ErrorBody),
        (status = 422, description = "退回须说明理由", body = crate::error::ErrorBody),
    ))]
pub async fn decide_change(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(change_id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<CatalogueChangeDto>, ApiError> {
    let change = state
        .app
        .decide_catalogue_change(&actor, change_id, body.approve, body.reason)
        .await?;
    Ok(Json(change_dto(&change)))
}

// ---------- bulk import ----------

/// What an accepted import created.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcomeDto {
    pub households: u32,
    pub members: u32,
}

/// The import template (xlsx): the columns and an example row.
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/households/import-template.xlsx", tag = "governance",
    params(("id" = i64, Path, description = "村社 id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "导入模板", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权导入", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn import_template(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let groups = state.app.village_groups(&actor, VillageId(id)).await?;
    let bytes = import_template_xlsx(&groups)?;
    Ok(crate::download::file(
        bytes,
        crate::download::XLSX,
        &format!("village-{id}-households-import.xlsx"),
        crate::download::Disposition::Attachment,
    ))
}

fn invalid_upload() -> ApiError {
    ApiError::bad_request(
        "request.invalid_multipart",
        "请以 multipart/form-data 上传，文件放在名为 file 的部分",
    )
}

/// Imports households and members from the template (xlsx, multipart part `file`): every row is
/// checked; when any is refused nothing is written and the answer (422 `import.rows_refused`)
/// lists every refused row with its reasons in `details.rows`. Mobiles are stored encrypted.
#[utoipa::path(post, path = "/api/v1/admin/villages/{id}/households/import", tag = "governance",
    params(("id" = i64, Path, description = "村社 id")),
    request_body(content_type = "multipart/form-data", description = "part `file`: the xlsx"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已全部导入", body = ImportOutcomeDto),
        (status = 400, description = "不是 multipart 请求或缺少 file 部分", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权导入", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 413, description = "文件太大", body = crate::error::ErrorBody),
        (status = 422, description = "有行被拒绝（import.rows_refused，details.rows）或文件无法读取（import.unreadable）", body = crate::error::ErrorBody),
    ))]
pub async fn import_households(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<ImportOutcomeDto>, ApiError> {
    let mut multipart = multipart.map_err(|_| invalid_upload())?;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Err(invalid_upload()),
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError::from_status(StatusCode::PAYLOAD_TOO_LARGE));
            }
            Err(_) => return Err(invalid_upload()),
        };
        if field.name() != Some("file") {
            continue;
        }
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError::from_status(StatusCode::PAYLOAD_TOO_LARGE));
            }
            Err(_) => return Err(invalid_upload()),
        };
        let outcome = state
            .app
            .import_households(&actor, VillageId(id), &bytes)
            .await?;
        return Ok(Json(ImportOutcomeDto {
            households: outcome.households,
            members: outcome.members,
        }));
    }
}

// ---------- groups and inspection ----------

/// A group of a village.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VillageGroupDto {
    pub id: i64,
    pub village_id: i64,
    pub code: String,
    pub name: String,
}

/// The groups of a village.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VillageGroupsDto {
    pub groups: Vec<VillageGroupDto>,
}

/// The groups of a village (its staff, town, district).
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/groups", tag = "governance",
    params(("id" = i64, Path, description = "村社 id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "村民小组", body = VillageGroupsDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn list_groups(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<VillageGroupsDto>, ApiError> {
    let groups = state.app.village_groups(&actor, VillageId(id)).await?;
    Ok(Json(VillageGroupsDto {
        groups: groups
            .into_iter()
            .map(|g| VillageGroupDto {
                id: g.id.get(),
                village_id: g.village.get(),
                code: g.code,
                name: g.name,
            })
            .collect(),
    }))
}

/// One score of the inspection.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InspectionScoreBody {
    /// An inspection item (recorded by `G`), e.g. `ML-02`.
    pub item_code: String,
    /// Signed like the item.
    pub points: i64,
    /// The member concerned (default: the household's first member).
    pub member_id: Option<i64>,
    /// Default: “<quarter> 入户检查”.
    #[serde(default)]
    pub reason: String,
    /// Evidence photos, as the item requires.
    #[serde(default)]
    pub photo_ids: Vec<i64>,
}

/// One household of the group (every household exactly once; no scores: nothing to record).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InspectionLineBody {
    pub household_id: i64,
    #[serde(default)]
    pub scores: Vec<InspectionScoreBody>,
}

/// The inspection of a whole group.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InspectionBody {
    /// The day of the inspection (this points-year, not in the future).
    pub occurred_on: NaiveDate,
    pub households: Vec<InspectionLineBody>,
}

/// One booked entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InspectionEntryDto {
    pub household_id: i64,
    pub entry_id: i64,
    pub item_code: String,
    pub points: i64,
    pub catalogue_version: u32,
}

/// The recorded inspection.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InspectionDto {
    pub id: i64,
    pub group_id: i64,
    pub quarter: String,
    pub households: u32,
    pub entries: Vec<InspectionEntryDto>,
}

fn inspection_dto(r: InspectionResult) -> InspectionDto {
    InspectionDto {
        id: r.id,
        group_id: r.group.get(),
        quarter: r.quarter,
        households: r.households,
        entries: r
            .entries
            .into_iter()
            .map(|e| InspectionEntryDto {
                household_id: e.household.get(),
                entry_id: e.entry_id.get(),
                item_code: e.item_code,
                points: e.points,
                catalogue_version: e.catalogue_version,
            })
            .collect(),
    }
}

/// The quarterly door-to-door inspection of a group: every household of the group once, each
/// score checked against its item (inspection items only, evidence rule, cap) and booked in ONE
/// transaction; a group is inspected once per quarter.
#[utoipa::path(post, path = "/api/v1/admin/groups/{id}/inspections", tag = "governance",
    params(("id" = i64, Path, description = "村民小组 id")),
    request_body = InspectionBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已记录", body = InspectionDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权记分或需回避", body = crate::error::ErrorBody),
        (status = 404, description = "小组不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "本季度已检查（inspection.already_done）", body = crate::error::ErrorBody),
        (status = 422, description = "名单不全、项目不属于检查项目、分值、照片或上限不符", body = crate::error::ErrorBody),
    ))]
pub async fn inspect_group(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<InspectionBody>,
) -> Result<(StatusCode, Json<InspectionDto>), ApiError> {
    if body.households.len() > 2000 {
        return Err(bad("households", "一次最多 2000 户"));
    }
    let input = InspectionInput {
        occurred_on: body.occurred_on,
        lines: body
            .households
            .into_iter()
            .map(|l| InspectionLine {
                household: HouseholdId(l.household_id),
                scores: l
                    .scores
                    .into_iter()
                    .map(|s| InspectionScore {
                        item_code: s.item_code,
                        points: Points(s.points),
                        member: s.member_id.map(MemberId),
                        reason: s.reason,
                        photo_ids: s.photo_ids,
                    })
                    .collect(),
            })
            .collect(),
    };
    let result = state.app.inspect_group(&actor, GroupId(id), input).await?;
    Ok((StatusCode::CREATED, Json(inspection_dto(result))))
}

// ---------- organisation ----------

/// A node of the organisation tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgNodeDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub dept_id: Option<String>,
    pub parent_id: Option<i64>,
}

/// The organisation as the caller may see it (R1).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgTreeDto {
    pub districts: Vec<OrgNodeDto>,
    pub towns: Vec<OrgNodeDto>,
    pub villages: Vec<OrgNodeDto>,
    pub groups: Vec<OrgNodeDto>,
}

fn nodes(list: Vec<aidazu_app::governance::OrgNode>) -> Vec<OrgNodeDto> {
    list.into_iter()
        .map(|n| OrgNodeDto {
            id: n.id,
            code: n.code,
            name: n.name,
            dept_id: n.dept_id,
            parent_id: n.parent,
        })
        .collect()
}

/// The organisation tree the caller covers: a district officer their district, a town officer
/// their town, village staff their village.
#[utoipa::path(get, path = "/api/v1/admin/org", tag = "governance",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "组织架构", body = OrgTreeDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "不是工作人员", body = crate::error::ErrorBody),
    ))]
pub async fn org_tree(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
) -> Result<Json<OrgTreeDto>, ApiError> {
    let tree = state.app.visible_org(&actor).await?;
    Ok(Json(OrgTreeDto {
        districts: nodes(tree.districts),
        towns: nodes(tree.towns),
        villages: nodes(tree.villages),
        groups: nodes(tree.groups),
    }))
}

/// A town, village or group to add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgNodeBody {
    pub code: String,
    pub name: String,
}

/// The added node's id.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedDto {
    pub id: i64,
}

/// A district officer adds a town to their district.
#[utoipa::path(post, path = "/api/v1/admin/districts/{id}/towns", tag = "governance",
    params(("id" = i64, Path, description = "区 id")),
    request_body = OrgNodeBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已添加", body = CreatedDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "不是该区的工作人员", body = crate::error::ErrorBody),
        (status = 409, description = "编码已被使用", body = crate::error::ErrorBody),
        (status = 422, description = "字段有误", body = crate::error::ErrorBody),
    ))]
pub async fn add_town(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<OrgNodeBody>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let town = state
        .app
        .add_town(&actor, DistrictId(id), &body.code, &body.name)
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id: town.get() })))
}

/// A district officer adds a village to a town of their district.
#[utoipa::path(post, path = "/api/v1/admin/towns/{id}/villages", tag = "governance",
    params(("id" = i64, Path, description = "镇街 id")),
    request_body = OrgNodeBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已添加", body = CreatedDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "不是该区的工作人员", body = crate::error::ErrorBody),
        (status = 409, description = "编码已被使用", body = crate::error::ErrorBody),
        (status = 422, description = "字段有误", body = crate::error::ErrorBody),
    ))]
pub async fn add_village(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<OrgNodeBody>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let village = state
        .app
        .add_village(&actor, TownId(id), &body.code, &body.name)
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id: village.get() })))
}

/// A district officer adds a group to a village of their district.
#[utoipa::path(post, path = "/api/v1/admin/villages/{id}/groups", tag = "governance",
    params(("id" = i64, Path, description = "村社 id")),
    request_body = OrgNodeBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已添加", body = CreatedDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 403, description = "无权添加", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "编码已被使用", body = crate::error::ErrorBody),
        (status = 422, description = "字段有误", body = crate::error::ErrorBody),
    ))]
pub async fn add_group(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<OrgNodeBody>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let group = state
        .app
        .add_group(&actor, VillageId(id), &body.code, &body.name)
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id: group.get() })))
}
