//! Honours (R18, D5, D7): the list with its explanation, the committee's nominations, the
//! spreadsheet; the household's own line.

use aidazu_app::honours::{HonoursLine, HonoursList, nominations_xlsx, parse_honour};
use aidazu_domain::calendar::PointsYear;
use aidazu_domain::{HouseholdId, MemberId, VillageId};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route(
            "/api/v1/admin/villages/{id}/honours/{year}",
            get(village_honours),
        )
        .route(
            "/api/v1/admin/villages/{id}/honours/{year}/nominations",
            post(nominate),
        )
        .route(
            "/api/v1/admin/villages/{id}/honours/{year}/nominations.xlsx",
            get(nominations_export),
        )
        .route("/api/v1/me/honours", get(my_honours))
}

/// One household's line: score, eligibility and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HonoursLineDto {
    pub household_id: i64,
    pub household_code: String,
    pub name: String,
    /// The year score (never the balance).
    pub score: i64,
    /// Strictly above the mean, compared in integers (score × n > sum).
    pub eligible: bool,
    /// `not_participating`, `enrolled_too_short`, `veto`, `open_objection`, or `null`.
    pub exclusion: Option<String>,
    /// Party members of an eligible household (member ids), for 最美党员.
    pub party_members: Vec<i64>,
}

impl From<HonoursLine> for HonoursLineDto {
    fn from(l: HonoursLine) -> Self {
        Self {
            household_id: l.household_id,
            household_code: l.household_code,
            name: l.name,
            score: l.score,
            eligible: l.eligible,
            exclusion: l.exclusion.and_then(|e| {
                serde_json::to_value(e)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
            }),
            party_members: l.party_members,
        }
    }
}

/// A nomination.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NominationDto {
    pub id: i64,
    /// `beautiful_family`, `beautiful_courtyard`, `clean_courtyard`,
    /// `star_civilised_household`, `hygienic_household`, `exemplary_party_member`.
    pub honour: String,
    pub household_id: i64,
    pub member_id: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The honours list of a village's points-year with its explanation (D5).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HonoursDto {
    pub village_id: i64,
    pub year: i32,
    pub as_of: chrono::NaiveDate,
    /// Households in the population.
    pub n: u32,
    pub sum: i64,
    /// The mean, two decimals.
    pub mean: Option<String>,
    pub catalogue_version: Option<u32>,
    /// Taken before the year close (D4) rather than computed now.
    pub frozen: bool,
    pub lines: Vec<HonoursLineDto>,
    pub nominations: Vec<NominationDto>,
}

fn honours_dto(list: HonoursList, nominations: Vec<NominationDto>) -> HonoursDto {
    HonoursDto {
        village_id: list.village_id,
        year: list.year,
        as_of: list.as_of,
        n: list.n,
        sum: list.sum,
        mean: list.mean,
        catalogue_version: list.catalogue_version,
        frozen: list.frozen,
        lines: list.lines.into_iter().map(HonoursLineDto::from).collect(),
        nominations,
    }
}

fn nomination_dto(n: &aidazu_app::honours::Nomination) -> NominationDto {
    NominationDto {
        id: n.id,
        honour: n.honour.clone(),
        household_id: n.household.get(),
        member_id: n.member.map(MemberId::get),
        created_at: n.created_at,
    }
}

/// The honours list (staff of the village, its town, the district): every household's score,
/// eligibility and reason, the mean and n, and the nominations.
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/honours/{year}", tag = "honours",
    params(("id" = i64, Path, description = "村社 id"),
        ("year" = i32, Path, description = "积分年度（2000–2100）", minimum = 2000, maximum = 2100)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "评先名单与说明", body = HonoursDto),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn village_honours(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath((id, year)): ApiPath<(i64, i32)>,
) -> Result<Json<HonoursDto>, ApiError> {
    let (list, nominations) = state
        .app
        .village_honours(&actor, VillageId(id), path_year(year)?)
        .await?;
    Ok(Json(honours_dto(
        list,
        nominations.iter().map(nomination_dto).collect(),
    )))
}

/// A nomination.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NominationRequest {
    /// The honour (see [`NominationDto::honour`]).
    pub honour: String,
    pub household_id: i64,
    /// For `exemplary_party_member`: the party member.
    pub member_id: Option<i64>,
}

/// The committee nominates an eligible household (or a party member of one); an ineligible one
/// is refused with the reason (`honours.not_eligible`, `details.reason`).
#[utoipa::path(post, path = "/api/v1/admin/villages/{id}/honours/{year}/nominations", tag = "honours",
    params(("id" = i64, Path, description = "村社 id"),
        ("year" = i32, Path, description = "积分年度（2000–2100）", minimum = 2000, maximum = 2100)),
    request_body = NominationRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "已提名", body = NominationDto),
        (status = 403, description = "无权提名", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 422, description = "不符合条件（honours.not_eligible）或荣誉名称不正确", body = crate::error::ErrorBody),
    ))]
pub async fn nominate(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath((id, year)): ApiPath<(i64, i32)>,
    ApiJson(body): ApiJson<NominationRequest>,
) -> Result<(StatusCode, Json<NominationDto>), ApiError> {
    let honour = parse_honour(&body.honour)?;
    let n = state
        .app
        .nominate(
            &actor,
            VillageId(id),
            path_year(year)?,
            honour,
            HouseholdId(body.household_id),
            body.member_id.map(MemberId),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(nomination_dto(&n))))
}

/// The nominations as a spreadsheet.
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/honours/{year}/nominations.xlsx", tag = "honours",
    params(("id" = i64, Path, description = "村社 id"),
        ("year" = i32, Path, description = "积分年度（2000–2100）", minimum = 2000, maximum = 2100)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Excel 名单",
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn nominations_export(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath((id, year)): ApiPath<(i64, i32)>,
) -> Result<Response, ApiError> {
    let (list, nominations) = state
        .app
        .village_honours(&actor, VillageId(id), path_year(year)?)
        .await?;
    let bytes = nominations_xlsx(&list, &nominations)?;
    Ok(crate::download::file(
        bytes,
        crate::download::XLSX,
        &format!("village-{id}-honours-{year}.xlsx"),
        crate::download::Disposition::Attachment,
    ))
}

/// Which points-year.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The points-year label (default: the current one).
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

/// Points-year labels the service answers for.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

impl YearQuery {
    /// The year asked for, checked.
    ///
    /// # Errors
    /// `request.invalid_query` outside 2000–2100.
    pub fn year(&self) -> Result<Option<PointsYear>, ApiError> {
        match self.year {
            Some(y) if !YEARS.contains(&y) => Err(ApiError::bad_request(
                "request.invalid_query",
                "积分年度应在 2000–2100 之间",
            )),
            other => Ok(other.map(PointsYear)),
        }
    }
}

fn path_year(year: i32) -> Result<PointsYear, ApiError> {
    if YEARS.contains(&year) {
        Ok(PointsYear(year))
    } else {
        Err(ApiError::bad_request(
            "request.invalid_path",
            "积分年度应在 2000–2100 之间",
        ))
    }
}

/// The household's own line in the honours assessment, with the mean and n (D5).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyHonoursDto {
    pub year: i32,
    pub as_of: chrono::NaiveDate,
    pub n: u32,
    pub mean: Option<String>,
    pub catalogue_version: Option<u32>,
    pub frozen: bool,
    pub mine: Option<HonoursLineDto>,
}

/// The caller's household: eligible for honours or not, and why.
#[utoipa::path(get, path = "/api/v1/me/honours", tag = "me",
    params(YearQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "本户评先资格与说明", body = MyHonoursDto),
        (status = 404, description = "账号未绑定农户", body = crate::error::ErrorBody),
    ))]
pub async fn my_honours(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<MyHonoursDto>, ApiError> {
    let (list, mine) = state.app.my_honours(&actor, q.year()?).await?;
    Ok(Json(MyHonoursDto {
        year: list.year,
        as_of: list.as_of,
        n: list.n,
        mean: list.mean,
        catalogue_version: list.catalogue_version,
        frozen: list.frozen,
        mine: mine.map(HonoursLineDto::from),
    }))
}
