//! Wire types of the identity endpoints: login and sessions, households and members,
//! participation, `/me/*` queries and the audit trail.

use aidazu_app::Grant;
use aidazu_app::audit::AuditPage;
use aidazu_app::auth::Session;
use aidazu_app::household::{
    DeclarableItem, HouseholdDetail, HouseholdPage, LedgerPage, MemberView, MyCatalogue,
    MyHousehold,
};
use aidazu_app::household::{HouseholdRow, LedgerLine, MemberRow, ParticipationRow};
use aidazu_domain::catalogue::PointsRule;
use aidazu_domain::ledger::CapRemaining;
use aidazu_domain::org::{ResidentKind, Role, Scope};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::dto::village::Village;

/// `POST /api/v1/auth/dingtalk`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DingTalkLoginRequest {
    /// The 免登 auth code from `dd.getAuthCode` (single use, 5 minutes).
    pub auth_code: String,
    /// `miniapp` (default) or `console`: decides the channel recorded with changes (R22).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "miniapp")]
    pub client: Option<aidazu_app::auth::ClientKind>,
}

/// `POST /api/v1/auth/dingtalk/web`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DingTalkWebLoginRequest {
    /// The `authCode` DingTalk's web login (扫码登录) put on the redirect (single use).
    #[schema(max_length = 512)]
    pub auth_code: String,
}

/// `POST /api/v1/auth/refresh` and `/logout`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token of the last login or refresh.
    pub refresh_token: String,
}

/// `POST /api/v1/auth/logout`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogoutRequest {
    /// End only this session; without it every session of the account ends.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// Logout result.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogoutResponse {
    /// How many refresh tokens were revoked.
    pub revoked: u64,
}

/// A role in a scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleView {
    /// `villager`, `village_admin`, `village_committee`, `town_officer`, `district_officer`.
    pub role: String,
    /// `village`, `town` or `district`.
    pub scope_level: String,
    /// Id of the village, town or district.
    pub scope_id: i64,
}

/// The stable name of a role.
#[must_use]
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Villager => "villager",
        Role::VillageAdmin => "village_admin",
        Role::VillageCommittee => "village_committee",
        Role::TownOfficer => "town_officer",
        Role::DistrictOfficer => "district_officer",
    }
}

impl From<Grant> for RoleView {
    fn from(g: Grant) -> Self {
        let (scope_level, scope_id) = match g.scope {
            Scope::Village(v) => ("village", v.get()),
            Scope::Town(t) => ("town", t.get()),
            Scope::District(d) => ("district", d.get()),
        };
        Self {
            role: role_name(g.role).to_owned(),
            scope_level: scope_level.to_owned(),
            scope_id,
        }
    }
}

/// The member a session belongs to.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionMember {
    pub id: i64,
    pub name: String,
    pub household_id: i64,
    pub village_id: i64,
}

/// The household of the session's member.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionHousehold {
    pub id: i64,
    pub code: String,
    pub address: String,
    pub village: Village,
}

/// Login / refresh answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionResponse {
    /// Our JWT (HS256); send it as `Authorization: Bearer …`.
    pub access_token: String,
    /// Opaque, single use: exchange it at `/api/v1/auth/refresh` for a new pair.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// The account's display name.
    pub name: String,
    pub member: Option<SessionMember>,
    pub household: Option<SessionHousehold>,
    pub roles: Vec<RoleView>,
}

impl From<Session> for SessionResponse {
    fn from(s: Session) -> Self {
        Self {
            access_token: s.access_token,
            refresh_token: s.refresh_token,
            token_type: "Bearer".to_owned(),
            expires_in: s.expires_in,
            name: s.account.name,
            member: s.member.map(|m| SessionMember {
                id: m.id.get(),
                name: m.name,
                household_id: m.household.get(),
                village_id: m.village.get(),
            }),
            household: s.household.map(|(h, v)| SessionHousehold {
                id: h.id.get(),
                code: h.code,
                address: h.address,
                village: Village::from(v),
            }),
            roles: s.roles.into_iter().map(RoleView::from).collect(),
        }
    }
}

/// `page` and `perPage` query parameters.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page (default 1).
    #[param(minimum = 1)]
    pub page: Option<u64>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

/// A member of a household.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberDto {
    pub id: i64,
    pub household_id: i64,
    pub code: Option<String>,
    pub name: String,
    /// Relation to the head of household (户主, 配偶, 子女…).
    pub relation: String,
    pub gender: Option<String>,
    pub birth_year: Option<i32>,
    /// `villager` or `non_villager` (R3).
    pub kind: String,
    pub long_term_absent: bool,
    pub party_member: bool,
    /// Masked (R4), e.g. `100****9769`.
    pub mobile_masked: Option<String>,
    /// Takes part in the scheme today (R3).
    pub participating: bool,
    /// DingTalk users bound to the member.
    pub dingtalk_user_ids: Vec<String>,
}

fn kind_name(kind: ResidentKind) -> &'static str {
    match kind {
        ResidentKind::Villager => "villager",
        ResidentKind::NonVillager => "non_villager",
    }
}

impl From<MemberView> for MemberDto {
    fn from(v: MemberView) -> Self {
        let m: MemberRow = v.member;
        Self {
            id: m.id.get(),
            household_id: m.household.get(),
            code: m.code,
            name: m.name,
            relation: m.relation,
            gender: m.gender,
            birth_year: m.birth_year,
            kind: kind_name(m.kind).to_owned(),
            long_term_absent: m.long_term_absent,
            party_member: m.party_member,
            mobile_masked: v.mobile_masked,
            participating: v.participating,
            dingtalk_user_ids: v.dingtalk_user_ids,
        }
    }
}

/// A village group.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupDto {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// A household with its members.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HouseholdDto {
    pub id: i64,
    pub code: String,
    pub address: String,
    pub group: Option<GroupDto>,
    pub village: Village,
    /// Takes part today: at least one member does (R3).
    pub participating: bool,
    pub members: Vec<MemberDto>,
}

fn group_of(h: &HouseholdRow) -> Option<GroupDto> {
    h.group.as_ref().map(|g| GroupDto {
        id: g.id.get(),
        code: g.code.clone(),
        name: g.name.clone(),
    })
}

impl From<HouseholdDetail> for HouseholdDto {
    fn from(d: HouseholdDetail) -> Self {
        Self {
            id: d.household.id.get(),
            group: group_of(&d.household),
            code: d.household.code,
            address: d.household.address,
            village: Village::from(d.village),
            participating: d.participating,
            members: d.members.into_iter().map(MemberDto::from).collect(),
        }
    }
}

/// A household in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HouseholdSummaryDto {
    pub id: i64,
    pub code: String,
    pub address: String,
    pub group: Option<GroupDto>,
    pub head_name: Option<String>,
    pub member_count: u64,
    pub participating: bool,
}

/// A page of a village's households.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HouseholdListDto {
    pub village: Village,
    pub households: Vec<HouseholdSummaryDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl From<HouseholdPage> for HouseholdListDto {
    fn from(p: HouseholdPage) -> Self {
        Self {
            village: Village::from(p.village),
            households: p
                .households
                .into_iter()
                .map(|(r, participating)| HouseholdSummaryDto {
                    id: r.household.id.get(),
                    group: group_of(&r.household),
                    code: r.household.code,
                    address: r.household.address,
                    head_name: r.head_name,
                    member_count: r.member_count,
                    participating,
                })
                .collect(),
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        }
    }
}

/// `POST /api/v1/admin/villages/{id}/households`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewHouseholdRequest {
    /// Unique in the village, e.g. `heping-01-051`.
    pub code: String,
    pub address: String,
    pub group_id: Option<i64>,
}

/// `POST /api/v1/admin/households/{id}/members`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMemberRequest {
    pub code: Option<String>,
    pub name: String,
    pub relation: String,
    pub gender: Option<String>,
    pub birth_year: Option<i32>,
    /// `villager` (default) or `non_villager`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub kind: Option<ResidentKindDto>,
    #[serde(default)]
    pub long_term_absent: bool,
    #[serde(default)]
    pub party_member: bool,
    /// 11-digit mobile; stored encrypted (R4), used to bind the DingTalk user at first login.
    pub mobile: Option<String>,
}

/// `villager` or `non_villager`.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResidentKindDto {
    Villager,
    NonVillager,
}

impl From<ResidentKindDto> for ResidentKind {
    fn from(k: ResidentKindDto) -> Self {
        match k {
            ResidentKindDto::Villager => Self::Villager,
            ResidentKindDto::NonVillager => Self::NonVillager,
        }
    }
}

/// `PATCH /api/v1/admin/members/{id}`: only the fields present change; `"mobile": null` removes
/// the mobile.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MemberPatchRequest {
    pub name: Option<String>,
    pub relation: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub gender: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub birth_year: Option<Option<i32>>,
    #[schema(value_type = Option<String>)]
    pub kind: Option<ResidentKindDto>,
    pub long_term_absent: Option<bool>,
    pub party_member: Option<bool>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub mobile: Option<Option<String>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// `POST /api/v1/admin/members/{id}/participation` (R3).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParticipationRequest {
    /// `true` opt-in, `false` opt-out.
    pub participating: bool,
    /// First day the change applies.
    pub effective_on: NaiveDate,
    pub reason: String,
}

/// One recorded opt-in / opt-out.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipationDto {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub participating: bool,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub recorded_by: Option<i64>,
    pub recorded_by_name: Option<String>,
    pub channel: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<ParticipationRow> for ParticipationDto {
    fn from(r: ParticipationRow) -> Self {
        Self {
            id: r.id,
            member_id: r.member.get(),
            member_name: r.member_name,
            participating: r.participating,
            effective_on: r.effective_on,
            reason: r.reason,
            recorded_by: r.recorded_by.map(|a| a.get()),
            recorded_by_name: r.recorded_by_name,
            channel: r.channel,
            recorded_at: r.recorded_at,
        }
    }
}

/// A household's participation history.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipationHistoryDto {
    pub household_id: i64,
    pub changes: Vec<ParticipationDto>,
}

/// `POST /api/v1/admin/members/{id}/binding`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BindingRequest {
    /// The DingTalk user id (1–64 characters).
    #[schema(min_length = 1, max_length = 64)]
    pub dingtalk_user_id: String,
}

/// Binding result.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BindingResponse {
    pub account_id: i64,
    pub member: MemberDto,
}

/// `GET /api/v1/me/household`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyHouseholdDto {
    pub household: HouseholdDto,
    /// Points-year label (R14).
    pub points_year: i32,
    /// Current quarter, e.g. `2026-Q4`.
    pub quarter: String,
    /// 年度积分 (R13).
    pub year_score: i64,
    /// 可用积分 (R13).
    pub balance: i64,
    /// Points scored this quarter.
    pub quarter_points: i64,
    /// Rank in the village among participating households; `null` when not participating (R3).
    pub rank: Option<u32>,
    /// How many households are ranked.
    pub ranked_households: u32,
}

impl From<MyHousehold> for MyHouseholdDto {
    fn from(m: MyHousehold) -> Self {
        Self {
            household: HouseholdDto::from(m.detail),
            points_year: m.points_year.label(),
            quarter: m.quarter.to_string(),
            year_score: m.year_score.get(),
            balance: m.balance.get(),
            quarter_points: m.quarter_points.get(),
            rank: m.rank,
            ranked_households: m.ranked_households,
        }
    }
}

/// One ledger line.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LedgerLineDto {
    pub id: i64,
    /// `award`, `penalty`, `correction`, `redeem`, `refund`, `year_close`.
    pub kind: String,
    pub amount: i64,
    pub item_code: Option<String>,
    pub item_title: Option<String>,
    pub member_id: Option<i64>,
    pub member_name: Option<String>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    /// `mini_app`, `console`, `dingtalk_approval`, `card`, `job`, …
    pub channel: String,
    pub reason: String,
    pub points_year: String,
    pub occurred_on: NaiveDate,
    pub occurred_at: DateTime<Utc>,
    pub declaration_id: Option<i64>,
}

impl From<LedgerLine> for LedgerLineDto {
    fn from(l: LedgerLine) -> Self {
        Self {
            id: l.id,
            kind: l.kind,
            amount: l.amount.get(),
            item_code: l.item_code,
            item_title: l.item_title,
            member_id: l.member.map(|m| m.get()),
            member_name: l.member_name,
            actor_id: l.actor.map(|a| a.get()),
            actor_name: l.actor_name,
            channel: l.channel,
            reason: l.reason,
            points_year: l.points_year,
            occurred_on: l.occurred_on,
            occurred_at: l.occurred_at,
            declaration_id: l.declaration,
        }
    }
}

/// A page of the household ledger, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LedgerPageDto {
    pub entries: Vec<LedgerLineDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl From<LedgerPage> for LedgerPageDto {
    fn from(p: LedgerPage) -> Self {
        Self {
            entries: p.entries.into_iter().map(LedgerLineDto::from).collect(),
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        }
    }
}

/// An item the member may declare, with the household's cap use.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeclarableItemDto {
    pub code: String,
    pub title: String,
    pub category: String,
    pub description: String,
    /// Fixed points, or the range's minimum.
    pub points_min: i64,
    pub points_max: i64,
    pub points_suggested: i64,
    /// Least number of photos required as evidence.
    pub min_photos: usize,
    pub evidence: String,
    /// `none`, `per_quarter`, `per_year`, `points_per_quarter`.
    pub cap_kind: String,
    pub cap_value: Option<i64>,
    /// Entries of the item counted against the cap in its period.
    pub used_times: u32,
    pub used_points: i64,
    /// Times or points left; `null` when unlimited.
    pub remaining: Option<i64>,
    /// Whether one more declaration fits under the cap now.
    pub available: bool,
}

impl From<DeclarableItem> for DeclarableItemDto {
    fn from(d: DeclarableItem) -> Self {
        let item = &d.item;
        let (points_min, points_max, points_suggested) = match *item.points() {
            PointsRule::Fixed(p) => (p.get(), p.get(), p.get()),
            PointsRule::Range {
                min,
                max,
                suggested,
            } => (min.get(), max.get(), suggested.get()),
        };
        let (cap_kind, cap_value) = match item.cap() {
            aidazu_domain::catalogue::Cap::None => ("none", None),
            aidazu_domain::catalogue::Cap::PerQuarter(n) => ("per_quarter", Some(i64::from(n))),
            aidazu_domain::catalogue::Cap::PerYear(n) => ("per_year", Some(i64::from(n))),
            aidazu_domain::catalogue::Cap::PointsPerQuarter(p) => {
                ("points_per_quarter", Some(p.get()))
            }
        };
        let remaining = match d.remaining {
            CapRemaining::Unlimited => None,
            CapRemaining::Times(n) => Some(i64::from(n)),
            CapRemaining::Points(p) => Some(p.get()),
        };
        Self {
            code: item.code().to_string(),
            title: item.title().to_owned(),
            category: item.category().name.clone(),
            description: item.description().to_owned(),
            points_min,
            points_max,
            points_suggested,
            min_photos: *item.evidence().photo_range().start(),
            evidence: item.evidence().description.clone(),
            cap_kind: cap_kind.to_owned(),
            cap_value,
            used_times: d.used.times,
            used_points: d.used.points.get(),
            remaining,
            available: d.available,
        }
    }
}

/// `GET /api/v1/me/catalogue`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyCatalogueDto {
    pub village: Village,
    /// Catalogue version in force.
    pub version: u32,
    pub as_of: NaiveDate,
    pub quarter: String,
    pub items: Vec<DeclarableItemDto>,
}

impl From<MyCatalogue> for MyCatalogueDto {
    fn from(c: MyCatalogue) -> Self {
        Self {
            village: Village::from(c.village),
            version: c.version,
            as_of: c.as_of,
            quarter: c.quarter.to_string(),
            items: c.items.into_iter().map(DeclarableItemDto::from).collect(),
        }
    }
}

/// `GET /api/v1/admin/audit` query.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AuditQueryParams {
    /// The village (required unless `householdId` is given).
    pub village_id: Option<i64>,
    pub household_id: Option<i64>,
    /// Account id of the actor.
    pub actor_id: Option<i64>,
    /// 1-based page (default 1).
    #[param(minimum = 1)]
    pub page: Option<u64>,
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u64>,
}

/// One audit record.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryDto {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub role: Option<String>,
    pub channel: String,
    pub request_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub village_id: Option<i64>,
    pub household_id: Option<i64>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// A page of audit records, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPageDto {
    pub village_id: i64,
    pub entries: Vec<AuditEntryDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl From<AuditPage> for AuditPageDto {
    fn from(p: AuditPage) -> Self {
        Self {
            village_id: p.village.get(),
            entries: p
                .entries
                .into_iter()
                .map(|e| AuditEntryDto {
                    id: e.id,
                    at: e.at,
                    actor_id: e.actor_account.map(|a| a.get()),
                    actor_name: e.actor_name,
                    role: e.role,
                    channel: e.channel,
                    request_id: e.request_id,
                    action: e.action,
                    entity: e.entity,
                    entity_id: e.entity_id,
                    village_id: e.village_id.map(|v| v.get()),
                    household_id: e.household_id.map(|h| h.get()),
                    detail: e.detail,
                })
                .collect(),
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        }
    }
}
