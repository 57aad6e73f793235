//! Reading the audit trail (R22): for the village admin and committee of the village, the town
//! officers of its town and the district.

use aidazu_domain::org::Action;
use aidazu_domain::{AccountId, HouseholdId, VillageId};
use aidazu_ports::audit::{self, AuditListEntry, AuditPageFilter};

use crate::auth::Actor;
use crate::{App, AppError};

/// What to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditQuery {
    /// Required unless `household` is given (then its village).
    pub village: Option<VillageId>,
    pub household: Option<HouseholdId>,
    pub actor: Option<AccountId>,
    pub page: u64,
    pub per_page: u64,
}

/// A page of audit records.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub village: VillageId,
    pub entries: Vec<AuditListEntry>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl App {
    /// Audit records of a village, newest first, filterable by household and actor.
    ///
    /// # Errors
    /// [`AppError::InvalidField`], [`AppError::HouseholdNotFound`], [`AppError::Forbidden`],
    /// storage errors.
    pub async fn audit_log(&self, actor: &Actor, query: AuditQuery) -> Result<AuditPage, AppError> {
        let household_village = match query.household {
            Some(h) => Some(
                aidazu_ports::org::household_village(self.store(), h)
                    .await?
                    .ok_or(AppError::HouseholdNotFound(h.get()))?,
            ),
            None => None,
        };
        let village = match (query.village, household_village) {
            (Some(v), Some(hv)) if v != hv => {
                return Err(AppError::HouseholdNotFound(
                    query.household.map_or(0, HouseholdId::get),
                ));
            }
            (Some(v), _) | (None, Some(v)) => v,
            (None, None) => {
                return Err(AppError::InvalidField {
                    field: "villageId",
                    message: "请指定村社 villageId 或农户 householdId",
                });
            }
        };
        let location = self.village_location(village).await?;
        let not_found = match query.household {
            Some(h) => AppError::HouseholdNotFound(h.get()),
            None => AppError::Forbidden,
        };
        actor.require(Action::ViewRecords, &location, not_found)?;
        let (entries, total) = audit::list_page(
            self.store(),
            AuditPageFilter {
                village,
                household: query.household,
                actor: query.actor,
                page: query.page,
                per_page: query.per_page,
            },
        )
        .await?;
        Ok(AuditPage {
            village,
            entries,
            total,
            page: query.page,
            per_page: query.per_page,
        })
    }
}

/// Most rows one export holds (the newest first); a longer trail is exported by household or
/// actor.
pub const EXPORT_MAX_ROWS: u64 = 50_000;

impl App {
    /// R22: the audit records `query` selects (all pages, newest first, at most
    /// [`EXPORT_MAX_ROWS`]) as an Excel workbook, for the same people who may view them.
    ///
    /// # Errors
    /// As [`App::audit_log`]; [`AppError::Document`].
    pub async fn audit_xlsx(&self, actor: &Actor, query: AuditQuery) -> Result<Vec<u8>, AppError> {
        const PAGE: u64 = 500;
        let mut rows = Vec::new();
        let mut page = 1;
        let mut village = None;
        loop {
            let found = self
                .audit_log(
                    actor,
                    AuditQuery {
                        page,
                        per_page: PAGE,
                        ..query
                    },
                )
                .await?;
            village.get_or_insert(found.village);
            let n = found.entries.len() as u64;
            for e in found.entries {
                rows.push(vec![
                    e.at.with_timezone(&chrono_tz::Asia::Shanghai)
                        .format("%Y-%m-%d %H:%M:%S")
                        .to_string()
                        .into(),
                    e.actor_name.unwrap_or_else(|| "系统".to_owned()).into(),
                    e.role.unwrap_or_default().into(),
                    e.channel.into(),
                    e.action.into(),
                    e.entity.into(),
                    e.entity_id.unwrap_or_default().into(),
                    e.household_id
                        .map(|h| h.get().to_string())
                        .unwrap_or_default()
                        .into(),
                    e.request_id.unwrap_or_default().into(),
                    e.detail.to_string().into(),
                ]);
            }
            if n < PAGE || rows.len() as u64 >= EXPORT_MAX_ROWS || page * PAGE >= found.total {
                break;
            }
            page += 1;
        }
        let name = match village {
            Some(v) => aidazu_ports::org::village(self.store(), v)
                .await?
                .map(|v| v.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        crate::spreadsheet::table_xlsx(
            "操作日志",
            &format!("{name}操作日志（R22，最新在前）"),
            &[
                "时间",
                "操作人",
                "角色",
                "渠道",
                "操作",
                "对象",
                "对象编号",
                "农户",
                "请求编号",
                "详情",
            ],
            &rows,
        )
    }
}
