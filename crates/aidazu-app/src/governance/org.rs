//! Many districts and the organisation (R1): adding districts (operator, `aidazu org`), towns,
//! villages and groups (district officers, scoped to their district), the tree as a caller may
//! see it, and the sync from DingTalk departments (区 → 镇 → 村 → 组) with a dry run.
//!
//! Each district has its own points-year start month, catalogue template (version 1 is the
//! default template, from the first quarter of the current points-year) and catalogue bounds.
//! Scope keeps districts apart: a district officer's grant covers only its district's villages.

use aidazu_domain::calendar::{CalendarOverrides, LocalDay, PointsYearConfig, business_date};
use aidazu_domain::catalogue::{CatalogueVersion, default_catalogue};
use aidazu_domain::org::{Access, Role, Scope};
use aidazu_domain::{DistrictId, GroupId, TownId, VillageId};
use aidazu_ports::governance::{self as gov, DistrictNoticeGroup, NewDistrict, OrgNode, OrgTree};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use crate::auth::Actor;
use crate::{App, AppError};

/// One change the DingTalk sync would make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgChange {
    /// `town`, `village` or `group`.
    pub level: &'static str,
    /// `add` or `rename`.
    pub action: &'static str,
    pub dept_id: i64,
    pub name: String,
    /// The current name, for a rename.
    pub from: Option<String>,
    /// The parent's department id.
    pub parent_dept_id: i64,
}

/// The sync plan of one district.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgSyncPlan {
    pub district: String,
    pub changes: Vec<OrgChange>,
    /// Whether the changes were written.
    pub applied: bool,
}

/// Where a new node of the organisation goes.
#[derive(Debug, Clone, Copy)]
enum OrgParent {
    /// A town of the district.
    District(DistrictId),
    /// A village of the town.
    Town(TownId),
    /// A group of the village.
    Village(VillageId),
}

/// Who adds a node: the operator (`aidazu org`, naming the parent by code) or a district officer.
#[derive(Clone, Copy)]
enum AddedBy<'a> {
    Operator { parent_code: &'a str },
    Officer(&'a Actor),
}

fn conflict(err: aidazu_ports::StoreError) -> AppError {
    match err {
        aidazu_ports::StoreError::Conflict(_) => AppError::OrgCodeTaken,
        other => other.into(),
    }
}

/// R1: the caller is a district officer of `district` (any of their grants); returns the role to
/// audit. [`AppError::Forbidden`] otherwise.
pub(crate) fn require_district_officer(
    actor: &Actor,
    district: DistrictId,
) -> Result<Role, AppError> {
    let covered = actor
        .grants
        .iter()
        .any(|g| g.role == Role::DistrictOfficer && g.scope == Scope::District(district));
    if covered {
        Ok(Role::DistrictOfficer)
    } else {
        Err(AppError::Forbidden)
    }
}

fn check_name(field: &'static str, text: &str) -> Result<(), AppError> {
    let n = text.trim().chars().count();
    if n == 0 || n > 64 {
        return Err(AppError::InvalidField {
            field,
            message: "编码和名称不能为空且不超过 64 个字符",
        });
    }
    Ok(())
}

impl App {
    /// Operator (`aidazu org add-district`): a district with its calendar start month, bounds
    /// and the default catalogue template as its version 1.
    ///
    /// # Errors
    /// [`AppError::OrgCodeTaken`], [`AppError::InvalidField`], [`AppError::Database`].
    pub async fn add_district(
        &self,
        code: &str,
        name: &str,
        start_month: u32,
        max_item_points: i32,
        dept_id: Option<&str>,
    ) -> Result<DistrictId, AppError> {
        check_name("code", code)?;
        check_name("name", name)?;
        let calendar = PointsYearConfig::new(start_month)?;
        if !(1..=1000).contains(&max_item_points) {
            return Err(AppError::InvalidField {
                field: "maxItemPoints",
                message: "单项分值上限须在 1 至 1000 之间",
            });
        }
        let today = business_date(self.clock().now());
        let [first_quarter, ..] = calendar.points_year_of(today).quarters();
        let system = aidazu_ports::accounts::system_account(self.store()).await?;
        let txn = self.store().begin().await?;
        let id = gov::insert_district(
            &txn,
            &NewDistrict {
                code: code.trim().to_owned(),
                name: name.trim().to_owned(),
                dept_id: dept_id.map(str::to_owned),
                points_year_start_month: start_month,
                max_item_points,
            },
        )
        .await
        .map_err(conflict)?;
        let version = CatalogueVersion::new(
            gov::next_version_number(&txn, id).await?,
            first_quarter,
            default_catalogue(),
            "区级默认模板（三类25条），区农业农村委可编辑",
        )?;
        gov::insert_approved_version(&txn, id, None, &version, system).await?;
        aidazu_ports::audit::record(
            &txn,
            &Actor::system(aidazu_domain::channel::Channel::Job).audit(
                None,
                "org.district_added",
                "district",
                Some(id.to_string()),
                None,
                None,
                json!({ "code": code, "name": name, "startMonth": start_month }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(id)
    }

    /// Operator: a district officer account (DingTalk user) for a district.
    ///
    /// # Errors
    /// [`AppError::InvalidField`] (unknown district), [`AppError::Database`].
    pub async fn add_district_officer(
        &self,
        district_code: &str,
        dingtalk_user_id: &str,
        name: &str,
    ) -> Result<(), AppError> {
        let district = gov::district_by_code(self.store(), district_code)
            .await?
            .ok_or(AppError::InvalidField {
                field: "district",
                message: "区编码不存在",
            })?;
        let account =
            aidazu_ports::accounts::ensure_account(self.store(), dingtalk_user_id, name, None)
                .await?;
        aidazu_ports::accounts::grant_access(
            self.store(),
            account,
            Access::new(
                Role::DistrictOfficer,
                Scope::District(DistrictId(district.id)),
            )?,
            None,
        )
        .await?;
        Ok(())
    }

    /// Operator (`aidazu org add-town|add-village|add-group`): adds a node under the parent
    /// with code `parent_code` (a district for `town`, a town for `village`, a village for
    /// `group`). Returns the new row id.
    ///
    /// # Errors
    /// [`AppError::InvalidField`] (unknown parent or level), [`AppError::OrgCodeTaken`],
    /// [`AppError::Database`].
    pub async fn operator_add(
        &self,
        level: &str,
        parent_code: &str,
        code: &str,
        name: &str,
        dept_id: Option<&str>,
    ) -> Result<i64, AppError> {
        check_name("code", code)?;
        check_name("name", name)?;
        let tree = gov::org_tree(self.store()).await?;
        let parent = |list: &[OrgNode]| {
            list.iter()
                .find(|n| n.code == parent_code)
                .map(|n| n.id)
                .ok_or(AppError::InvalidField {
                    field: "parent",
                    message: "上级编码不存在",
                })
        };
        let parent = match level {
            "town" => OrgParent::District(DistrictId(parent(&tree.districts)?)),
            "village" => OrgParent::Town(TownId(parent(&tree.towns)?)),
            "group" => OrgParent::Village(VillageId(parent(&tree.villages)?)),
            _ => {
                return Err(AppError::InvalidField {
                    field: "level",
                    message: "层级须为 town、village 或 group",
                });
            }
        };
        self.add_org_node(
            AddedBy::Operator { parent_code },
            parent,
            code,
            name,
            dept_id,
        )
        .await
    }

    /// Adds a town, village or group under `parent`, audited: by the operator (`aidazu org`,
    /// as the system), or by a district officer within their district (R1).
    async fn add_org_node(
        &self,
        by: AddedBy<'_>,
        parent: OrgParent,
        code: &str,
        name: &str,
        dept_id: Option<&str>,
    ) -> Result<i64, AppError> {
        let role = match by {
            AddedBy::Operator { .. } => None,
            AddedBy::Officer(actor) => Some(match parent {
                OrgParent::District(district) => require_district_officer(actor, district)?,
                OrgParent::Town(town) => {
                    let tree = gov::org_tree(self.store()).await?;
                    let district = tree
                        .towns
                        .iter()
                        .find(|t| t.id == town.get())
                        .and_then(|t| t.parent)
                        .map(DistrictId)
                        .ok_or(AppError::Forbidden)?;
                    require_district_officer(actor, district)?
                }
                OrgParent::Village(village) => {
                    let location = self.village_location(village).await?;
                    actor.require(
                        aidazu_domain::org::Action::ManageOrganisation,
                        &location,
                        AppError::VillageNotFound(village.get()),
                    )?
                }
            }),
        };
        check_name("code", code)?;
        check_name("name", name)?;
        let (code, name) = (code.trim(), name.trim());
        let txn = self.store().begin().await?;
        let (level, id, village, parent_key, parent_id) = match parent {
            OrgParent::District(d) => {
                let id = gov::insert_town(&txn, d, code, name, dept_id)
                    .await
                    .map_err(conflict)?;
                ("town", id.get(), None, "districtId", d.get())
            }
            OrgParent::Town(t) => {
                let id = gov::insert_village(&txn, t, code, name, dept_id)
                    .await
                    .map_err(conflict)?;
                ("village", id.get(), Some(id), "townId", t.get())
            }
            OrgParent::Village(v) => {
                let id = gov::insert_group(&txn, v, code, name, dept_id)
                    .await
                    .map_err(conflict)?;
                ("group", id.get(), Some(v), "villageId", v.get())
            }
        };
        let action = format!("org.{level}_added");
        let record = match by {
            AddedBy::Operator { parent_code } => {
                Actor::system(aidazu_domain::channel::Channel::Job).audit(
                    None,
                    &action,
                    level,
                    Some(id.to_string()),
                    None,
                    None,
                    json!({ "parent": parent_code, "code": code, "name": name }),
                )
            }
            AddedBy::Officer(actor) => actor.audit(
                role,
                &action,
                level,
                Some(id.to_string()),
                village,
                None,
                json!({ parent_key: parent_id, "code": code, "name": name }),
            ),
        };
        aidazu_ports::audit::record(&txn, &record).await?;
        txn.commit().await?;
        Ok(id)
    }

    /// The organisation as the caller may see it: a district officer their district's tree, a
    /// town officer their town, village staff their village (R1).
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for a caller without a staff role, [`AppError::Database`].
    pub async fn visible_org(&self, actor: &Actor) -> Result<OrgTree, AppError> {
        let tree = gov::org_tree(self.store()).await?;
        let villages = aidazu_ports::org::list_villages(self.store()).await?;
        let visible_village = |v: &OrgNode| {
            villages.iter().any(|s| {
                s.id.get() == v.id
                    && actor
                        .grants
                        .iter()
                        .any(|g| g.role != Role::Villager && g.scope.covers(&s.location()))
            })
        };
        let village_nodes: Vec<OrgNode> = tree
            .villages
            .iter()
            .filter(|v| visible_village(v))
            .cloned()
            .collect();
        let districts_of_actor: Vec<i64> = actor
            .grants
            .iter()
            .filter_map(|g| match g.scope {
                Scope::District(d) => Some(d.get()),
                _ => None,
            })
            .collect();
        let town_nodes: Vec<OrgNode> = tree
            .towns
            .iter()
            .filter(|t| {
                t.parent.is_some_and(|d| districts_of_actor.contains(&d))
                    || village_nodes.iter().any(|v| v.parent == Some(t.id))
            })
            .cloned()
            .collect();
        if town_nodes.is_empty() && village_nodes.is_empty() {
            return Err(AppError::Forbidden);
        }
        Ok(OrgTree {
            districts: tree
                .districts
                .into_iter()
                .filter(|d| {
                    districts_of_actor.contains(&d.id)
                        || town_nodes.iter().any(|t| t.parent == Some(d.id))
                })
                .collect(),
            groups: tree
                .groups
                .into_iter()
                .filter(|g| village_nodes.iter().any(|v| Some(v.id) == g.parent))
                .collect(),
            towns: town_nodes,
            villages: village_nodes,
        })
    }

    /// A district's own days over the national working-day calendar (issue 12), for its officers.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] (not an officer of that district), [`AppError::Database`].
    pub async fn district_calendar(
        &self,
        actor: &Actor,
        district: DistrictId,
    ) -> Result<CalendarOverrides, AppError> {
        require_district_officer(actor, district)?;
        aidazu_ports::org::district_calendar(self.store(), district)
            .await?
            .ok_or(AppError::Forbidden)
    }

    /// A district officer marks a day a local holiday or a local working day, or gives it back to
    /// the national calendar; publication days, objection deadlines and reminders of the
    /// district's villages follow (D3). Audited.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] (not an officer of that district), [`AppError::InvalidField`]
    /// for a note over 200 characters, [`AppError::Database`].
    pub async fn set_district_day(
        &self,
        actor: &Actor,
        district: DistrictId,
        day: NaiveDate,
        kind: LocalDay,
        note: &str,
    ) -> Result<CalendarOverrides, AppError> {
        let role = require_district_officer(actor, district)?;
        if note.chars().count() > 200 {
            return Err(AppError::InvalidField {
                field: "note",
                message: "说明最多 200 字",
            });
        }
        let txn = self.store().begin().await?;
        let mut overrides = aidazu_ports::org::district_calendar(&txn, district)
            .await?
            .ok_or(AppError::Forbidden)?;
        overrides.set(day, kind);
        aidazu_ports::org::set_district_calendar(&txn, district, &overrides).await?;
        aidazu_ports::audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "district.calendar_day",
                "district",
                Some(district.get().to_string()),
                None,
                None,
                json!({ "day": day, "kind": kind, "note": note.trim() }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(overrides)
    }

    /// A district officer adds a town to their district.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] (not an officer of that district), [`AppError::OrgCodeTaken`],
    /// [`AppError::InvalidField`], [`AppError::Database`].
    pub async fn add_town(
        &self,
        actor: &Actor,
        district: DistrictId,
        code: &str,
        name: &str,
    ) -> Result<TownId, AppError> {
        self.add_org_node(
            AddedBy::Officer(actor),
            OrgParent::District(district),
            code,
            name,
            None,
        )
        .await
        .map(TownId)
    }

    /// A district officer adds a village to a town of their district.
    ///
    /// # Errors
    /// As [`App::add_town`].
    pub async fn add_village(
        &self,
        actor: &Actor,
        town: TownId,
        code: &str,
        name: &str,
    ) -> Result<VillageId, AppError> {
        self.add_org_node(
            AddedBy::Officer(actor),
            OrgParent::Town(town),
            code,
            name,
            None,
        )
        .await
        .map(VillageId)
    }

    /// A district officer adds a group to a village of their district.
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`] (also out of scope), as [`App::add_town`].
    pub async fn add_group(
        &self,
        actor: &Actor,
        village: VillageId,
        code: &str,
        name: &str,
    ) -> Result<GroupId, AppError> {
        self.add_org_node(
            AddedBy::Officer(actor),
            OrgParent::Village(village),
            code,
            name,
            None,
        )
        .await
        .map(GroupId)
    }

    /// `aidazu org sync`: the district's department in DingTalk and its sub-departments, three
    /// levels down (镇 → 村 → 组), compared by department id with the stored tree. New
    /// departments are added (code `dt-<deptId>`), renamed ones renamed; nothing is removed.
    /// With `dry_run` nothing is written.
    ///
    /// # Errors
    /// [`AppError::InvalidField`] (unknown district or no department id), [`AppError::DingTalk`],
    /// [`AppError::Database`].
    pub async fn sync_org(
        &self,
        district_code: &str,
        dry_run: bool,
    ) -> Result<OrgSyncPlan, AppError> {
        let db = self.store();
        let tree = gov::org_tree(db).await?;
        let district = tree
            .districts
            .iter()
            .find(|d| d.code == district_code)
            .cloned()
            .ok_or(AppError::InvalidField {
                field: "district",
                message: "区编码不存在",
            })?;
        let root: i64 = district
            .dept_id
            .as_deref()
            .and_then(|d| d.parse().ok())
            .ok_or(AppError::InvalidField {
                field: "district",
                message: "该区未设置钉钉部门 id",
            })?;
        let dept_of = |n: &OrgNode| n.dept_id.as_deref().and_then(|d| d.parse::<i64>().ok());
        let mut changes = Vec::new();
        let levels: [(&'static str, &[OrgNode]); 3] = [
            ("town", &tree.towns),
            ("village", &tree.villages),
            ("group", &tree.groups),
        ];
        let mut parents = vec![root];
        for (level, existing) in levels {
            let mut next = Vec::new();
            for parent in &parents {
                for dept in self
                    .dingtalk()
                    .sub_departments(*parent)
                    .await
                    .map_err(AppError::DingTalk)?
                {
                    next.push(dept.dept_id);
                    match existing.iter().find(|n| dept_of(n) == Some(dept.dept_id)) {
                        Some(node) if node.name == dept.name => {}
                        Some(node) => changes.push(OrgChange {
                            level,
                            action: "rename",
                            dept_id: dept.dept_id,
                            name: dept.name.clone(),
                            from: Some(node.name.clone()),
                            parent_dept_id: *parent,
                        }),
                        None => changes.push(OrgChange {
                            level,
                            action: "add",
                            dept_id: dept.dept_id,
                            name: dept.name.clone(),
                            from: None,
                            parent_dept_id: *parent,
                        }),
                    }
                }
            }
            parents = next;
        }
        if !dry_run && !changes.is_empty() {
            self.apply_sync(&tree, &district, root, &changes).await?;
        }
        Ok(OrgSyncPlan {
            district: district.code,
            applied: !dry_run && !changes.is_empty(),
            changes,
        })
    }

    async fn apply_sync(
        &self,
        tree: &OrgTree,
        district: &OrgNode,
        root: i64,
        changes: &[OrgChange],
    ) -> Result<(), AppError> {
        let txn = self.store().begin().await?;
        // Department id → row id of what exists or was just added, per level.
        let dept_of = |n: &OrgNode| n.dept_id.as_deref().and_then(|d| d.parse::<i64>().ok());
        let mut towns: Vec<(i64, i64)> = tree
            .towns
            .iter()
            .filter_map(|t| dept_of(t).map(|d| (d, t.id)))
            .collect();
        let mut villages: Vec<(i64, i64)> = tree
            .villages
            .iter()
            .filter_map(|v| dept_of(v).map(|d| (d, v.id)))
            .collect();
        let find =
            |list: &[(i64, i64)], dept: i64| list.iter().find(|(d, _)| *d == dept).map(|p| p.1);
        for change in changes {
            let code = format!("dt-{}", change.dept_id);
            let dept = change.dept_id.to_string();
            match (change.level, change.action) {
                ("town", "add") if change.parent_dept_id == root => {
                    let id = gov::insert_town(
                        &txn,
                        DistrictId(district.id),
                        &code,
                        &change.name,
                        Some(&dept),
                    )
                    .await
                    .map_err(conflict)?;
                    towns.push((change.dept_id, id.get()));
                }
                ("village", "add") => {
                    if let Some(town) = find(&towns, change.parent_dept_id) {
                        let id = gov::insert_village(
                            &txn,
                            TownId(town),
                            &code,
                            &change.name,
                            Some(&dept),
                        )
                        .await
                        .map_err(conflict)?;
                        villages.push((change.dept_id, id.get()));
                    }
                }
                ("group", "add") => {
                    if let Some(village) = find(&villages, change.parent_dept_id) {
                        gov::insert_group(
                            &txn,
                            VillageId(village),
                            &code,
                            &change.name,
                            Some(&dept),
                        )
                        .await
                        .map_err(conflict)?;
                    }
                }
                (level, "rename") => {
                    gov::rename_by_dept(&txn, level, &dept, &change.name).await?;
                }
                _ => {}
            }
        }
        aidazu_ports::audit::record(
            &txn,
            &Actor::system(aidazu_domain::channel::Channel::Job).audit(
                None,
                "org.synced",
                "district",
                Some(district.id.to_string()),
                None,
                None,
                json!({ "changes": changes }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

/// Checks the DingTalk group and robot of a notice target (a village's or a district's): the
/// openConversationId is required; the robot defaults to the app's own (its code is the AppKey).
pub(crate) fn notice_target(
    default_robot: &str,
    open_conversation_id: &str,
    robot_code: Option<&str>,
) -> Result<(String, String), AppError> {
    let conversation = open_conversation_id.trim();
    if conversation.is_empty() || conversation.len() > 128 {
        return Err(AppError::InvalidField {
            field: "openConversationId",
            message: "请填写钉钉群的 openConversationId",
        });
    }
    let robot = match robot_code.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) if r.len() <= 128 => r.to_owned(),
        Some(_) => {
            return Err(AppError::InvalidField {
                field: "robotCode",
                message: "机器人编码过长",
            });
        }
        None => default_robot.to_owned(),
    };
    Ok((conversation.to_owned(), robot))
}

impl App {
    /// The DingTalk group (and robot) a district's quarterly summary goes to, if its officers set
    /// one (issue 12 point 6, F5); unset, the summary is the deployment's work notification to
    /// the officers.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] (not an officer of that district), [`AppError::Database`].
    pub async fn district_notice_group(
        &self,
        actor: &Actor,
        district: DistrictId,
    ) -> Result<Option<DistrictNoticeGroup>, AppError> {
        require_district_officer(actor, district)?;
        Ok(gov::district_notice_group(self.store(), district).await?)
    }

    /// A district officer sets the DingTalk group (openConversationId) and robot of the district's
    /// quarterly summary (the robot defaults to the app's own). Audited as
    /// `district.notice_group_set`.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] (not an officer of that district), [`AppError::InvalidField`],
    /// [`AppError::Database`].
    pub async fn set_district_notice_group(
        &self,
        actor: &Actor,
        district: DistrictId,
        open_conversation_id: &str,
        robot_code: Option<&str>,
    ) -> Result<DistrictNoticeGroup, AppError> {
        let role = require_district_officer(actor, district)?;
        let (conversation, robot) =
            notice_target(self.dingtalk().app_key(), open_conversation_id, robot_code)?;
        let txn = self.store().begin().await?;
        let group =
            gov::set_district_notice_group(&txn, district, &conversation, &robot, actor.account_id)
                .await?;
        aidazu_ports::audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "district.notice_group_set",
                "district",
                Some(district.get().to_string()),
                None,
                None,
                json!({ "openConversationId": conversation, "robotCode": robot }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(group)
    }

    /// The district's summary of a quarter's publications (F5): the robot's post in the
    /// district's own group when its officers set one, else the deployment's work notification to
    /// the district's officers; `None` when there is nobody to tell.
    pub(crate) async fn district_summary_message<C: aidazu_ports::AsRepo>(
        &self,
        db: &C,
        district: DistrictId,
        village: VillageId,
        quarter: aidazu_domain::calendar::Quarter,
        text: String,
    ) -> Result<Option<aidazu_ports::outbox::NewOutboxMessage>, AppError> {
        let title = format!("{quarter} 积分公示汇总");
        if let Some(group) = gov::district_notice_group(db, district).await? {
            return Ok(Some(crate::messages::group_post(
                crate::messages::key::district_summary_group(district, quarter),
                Some(village),
                &group.open_conversation_id,
                &group.robot_code,
                title,
                text,
            )));
        }
        let users: Vec<String> = aidazu_ports::declarations::scope_role_holders(
            db,
            Scope::District(district),
            Role::DistrictOfficer,
        )
        .await?
        .into_iter()
        .map(|r| r.dingtalk_user_id)
        .collect();
        if users.is_empty() {
            return Ok(None);
        }
        Ok(Some(crate::messages::work_notice(
            crate::messages::key::district_summary(district, quarter),
            village,
            users,
            title,
            text,
            crate::messages::About::Other,
        )))
    }
}
