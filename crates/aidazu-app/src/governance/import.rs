//! Bulk import of households and members from an xlsx sheet (R2–R4): the template, row-by-row
//! validation with a report of every refused row, applied all-or-nothing in one transaction,
//! mobiles encrypted on the way in (through the same store call as a single member).
//!
//! The sheet has one member per row; rows with the same 户编号 form one household, created with
//! the 组编号 and 地址 of its rows (they must agree). Households must be new to the village.

use std::collections::{BTreeMap, HashMap, HashSet};

use aidazu_domain::org::{Action, GroupMatch, ResidentKind, resolve_group};
use aidazu_domain::{GroupId, VillageId};
use aidazu_ports::households::{self, NewHousehold, NewMember};
use serde::Serialize;
use serde_json::json;

use crate::auth::Actor;
use crate::spreadsheet::{Cell, read_first_sheet, table_xlsx};
use crate::{App, AppError};

/// The template's columns, in order.
pub const COLUMNS: [&str; 11] = [
    "户编号",
    "组编号",
    "地址",
    "姓名",
    "与户主关系",
    "性别",
    "出生年份",
    "类别",
    "长期在外",
    "党员",
    "手机号",
];

/// Most data rows one import takes.
pub const MAX_ROWS: usize = 5000;

/// A refused row: its Excel row number and every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowProblem {
    /// The row number as Excel shows it.
    pub row: u32,
    pub household_code: String,
    pub errors: Vec<String>,
}

/// What an accepted import created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    pub households: u32,
    pub members: u32,
}

/// The downloadable template of a village: the columns, a note line and one example row whose
/// 组编号 is the short number of the village's first group (`01` for `heping-01`), so the example
/// imports as it stands.
///
/// # Errors
/// [`AppError::Document`].
pub fn import_template_xlsx(
    groups: &[aidazu_ports::governance::GroupRow],
) -> Result<Vec<u8>, AppError> {
    let example_group = groups.first().map_or_else(
        || "01".to_owned(),
        |g| match aidazu_domain::org::code_group_number(&g.code) {
            Some(n) => format!("{n:02}"),
            None => g.code.clone(),
        },
    );
    table_xlsx(
        "农户导入",
        "农户批量导入模板：每行一名成员，同一户编号的多行为同一户；组编号填本村小组的组号（如“5”“05”“5组”“第5组”）或完整编号（如 heping-05）；类别填“村民”或“非村民”；长期在外、党员填“是”或“否”；手机号可空",
        &COLUMNS,
        &[vec![
            Cell::from("HP-09-001"),
            Cell::from(example_group),
            Cell::from("和平村一组9号"),
            Cell::from("张三"),
            Cell::from("户主"),
            Cell::from("男"),
            Cell::from(1970),
            Cell::from("村民"),
            Cell::from("否"),
            Cell::from("否"),
            Cell::from("13800000000"),
        ]],
    )
}

struct Row {
    number: u32,
    code: String,
    group: Option<GroupId>,
    address: String,
    member: NewMember,
}

fn check(errors: &mut Vec<String>, ok: bool, message: &str) {
    if !ok {
        errors.push(message.to_owned());
    }
}

fn yes_no(text: &str) -> Option<bool> {
    match text {
        "" | "否" | "N" | "n" | "FALSE" | "0" => Some(false),
        "是" | "Y" | "y" | "TRUE" | "1" => Some(true),
        _ => None,
    }
}

impl App {
    /// Imports households and members of a village from an xlsx sheet of the template, all or
    /// nothing (village admin).
    ///
    /// # Errors
    /// [`AppError::ImportRefused`] with every refused row (nothing written),
    /// [`AppError::ImportUnreadable`], [`AppError::VillageNotFound`] (also out of scope),
    /// [`AppError::Forbidden`], [`AppError::Database`].
    pub async fn import_households(
        &self,
        actor: &Actor,
        village: VillageId,
        bytes: &[u8],
    ) -> Result<ImportOutcome, AppError> {
        let location = self.village_location(village).await?;
        let role = actor.require(
            Action::ManageMembers,
            &location,
            AppError::VillageNotFound(village.get()),
        )?;
        let sheet = read_first_sheet(bytes).map_err(AppError::ImportUnreadable)?;
        let header = sheet
            .iter()
            .position(|r| r.first().map(|c| c.trim()) == Some(COLUMNS[0]))
            .ok_or_else(|| AppError::ImportUnreadable("no header row".into()))?;
        let columns: Vec<&str> = sheet[header].iter().map(|c| c.trim()).collect();
        if columns.len() < COLUMNS.len() || columns[..COLUMNS.len()] != COLUMNS {
            return Err(AppError::ImportUnreadable(
                "columns differ from the template".into(),
            ));
        }
        let data: Vec<(u32, &Vec<String>)> = sheet
            .iter()
            .enumerate()
            .skip(header + 1)
            .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
            .map(|(i, r)| (u32::try_from(i + 1).unwrap_or(u32::MAX), r))
            .collect();
        if data.is_empty() || data.len() > MAX_ROWS {
            return Err(AppError::ImportUnreadable(format!(
                "{} data rows (1..={MAX_ROWS})",
                data.len()
            )));
        }
        let db = self.store();
        let groups = aidazu_ports::governance::village_groups(db, village).await?;
        // R2: the full code, the group's name, or its number within the village (`5`, `05`,
        // `5组`, `第5组`).
        let group_of = |written: &str| -> Result<GroupId, &'static str> {
            match resolve_group(
                written,
                groups
                    .iter()
                    .map(|g| (g.code.as_str(), g.name.as_str(), g.id)),
            ) {
                GroupMatch::One(id) => Ok(id),
                GroupMatch::None => {
                    Err("组编号不是本村已有小组（可填组号如“5”“05”“5组”“第5组”，或完整编号）")
                }
                GroupMatch::Ambiguous => Err("组编号对应本村多个小组，请填写完整编号"),
            }
        };
        let existing: HashSet<String> = aidazu_ports::governance::household_codes(db, village)
            .await?
            .into_iter()
            .collect();
        let this_year = aidazu_domain::calendar::business_date(self.clock().now())
            .format("%Y")
            .to_string()
            .parse::<i32>()
            .unwrap_or(2100);

        let mut problems: Vec<RowProblem> = Vec::new();
        let mut rows: Vec<Row> = Vec::with_capacity(data.len());
        let mut mobiles: HashMap<String, u32> = HashMap::new();
        let mut first_of: HashMap<String, (Option<GroupId>, String)> = HashMap::new();
        for (number, cells) in data {
            let cell = |i: usize| cells.get(i).map_or("", |c| c.trim());
            let mut errors = Vec::new();
            let code = cell(0).to_owned();
            check(
                &mut errors,
                !code.is_empty() && code.chars().count() <= 64,
                "户编号不能为空且不超过 64 个字符",
            );
            check(&mut errors, !existing.contains(&code), "户编号已存在于本村");
            // Empty on a household's later rows: the first row's group.
            let group = match cell(1) {
                "" => Ok(None),
                written => group_of(written).map(Some),
            };
            let address = cell(2).to_owned();
            match first_of.get(&code) {
                Some((first_group, first_address)) => {
                    match group {
                        Err(message) => errors.push(message.to_owned()),
                        Ok(Some(g)) if Some(g) != *first_group => {
                            errors.push("同一户的组编号不一致".to_owned());
                        }
                        Ok(_) => {}
                    }
                    check(
                        &mut errors,
                        address.is_empty() || &address == first_address,
                        "同一户的地址不一致",
                    );
                }
                None => {
                    match group {
                        Err(message) => errors.push(message.to_owned()),
                        Ok(None) => errors.push("组编号不能为空".to_owned()),
                        Ok(Some(_)) => {}
                    }
                    check(
                        &mut errors,
                        !address.is_empty() && address.chars().count() <= 200,
                        "地址不能为空且不超过 200 个字符",
                    );
                }
            }
            let group = group.ok().flatten();
            let name = cell(3).to_owned();
            check(
                &mut errors,
                !name.is_empty() && name.chars().count() <= 50,
                "姓名不能为空且不超过 50 个字符",
            );
            let relation = cell(4).to_owned();
            check(
                &mut errors,
                !relation.is_empty() && relation.chars().count() <= 20,
                "与户主关系不能为空且不超过 20 个字符",
            );
            let gender = cell(5).to_owned();
            check(
                &mut errors,
                matches!(gender.as_str(), "" | "男" | "女"),
                "性别须为“男”或“女”",
            );
            let birth_year = match cell(6) {
                "" => None,
                text => {
                    let year = text
                        .parse::<i32>()
                        .ok()
                        .filter(|y| (1900..=this_year).contains(y));
                    check(
                        &mut errors,
                        year.is_some(),
                        "出生年份须为 1900 至今年的四位数字",
                    );
                    year
                }
            };
            let kind = match cell(7) {
                "" | "村民" => Some(ResidentKind::Villager),
                "非村民" => Some(ResidentKind::NonVillager),
                _ => None,
            };
            check(&mut errors, kind.is_some(), "类别须为“村民”或“非村民”");
            let absent = yes_no(cell(8));
            check(&mut errors, absent.is_some(), "长期在外须为“是”或“否”");
            let party = yes_no(cell(9));
            check(&mut errors, party.is_some(), "党员须为“是”或“否”");
            let mobile = match cell(10) {
                "" => None,
                text => {
                    let digits = aidazu_ports::pii::normalise_mobile(text);
                    check(
                        &mut errors,
                        digits.len() == 11 && digits.starts_with('1'),
                        "手机号须为 11 位数字",
                    );
                    if let Some(previous) = mobiles.insert(digits.clone(), number) {
                        errors.push(format!("手机号与第 {previous} 行重复"));
                    }
                    Some(digits)
                }
            };
            if !first_of.contains_key(&code) && !code.is_empty() {
                first_of.insert(code.clone(), (group, address.clone()));
            }
            if errors.is_empty() {
                rows.push(Row {
                    number,
                    code: code.clone(),
                    group,
                    address,
                    member: NewMember {
                        household: aidazu_domain::HouseholdId(0),
                        code: None,
                        name,
                        relation,
                        gender: Some(gender).filter(|g| !g.is_empty()),
                        birth_year,
                        kind: kind.unwrap_or(ResidentKind::Villager),
                        long_term_absent: absent.unwrap_or(false),
                        party_member: party.unwrap_or(false),
                        mobile,
                    },
                });
            } else {
                problems.push(RowProblem {
                    row: number,
                    household_code: code,
                    errors,
                });
            }
        }
        if !problems.is_empty() {
            return Err(AppError::ImportRefused { rows: problems });
        }

        // All rows are good: one transaction for everything.
        let mut by_household: BTreeMap<String, Vec<Row>> = BTreeMap::new();
        for row in rows {
            by_household.entry(row.code.clone()).or_default().push(row);
        }
        let txn = self.store().begin().await?;
        let mut members = 0u32;
        for (code, rows) in &by_household {
            let first = &rows[0];
            let group = first.group;
            let household = households::insert_household(
                &txn,
                &NewHousehold {
                    village,
                    group,
                    code: code.clone(),
                    address: first.address.clone(),
                },
            )
            .await
            .map_err(|e| match e {
                aidazu_ports::StoreError::Conflict(_) => AppError::ImportRefused {
                    rows: vec![RowProblem {
                        row: first.number,
                        household_code: code.clone(),
                        errors: vec!["户编号已存在于本村".to_owned()],
                    }],
                },
                other => other.into(),
            })?;
            for row in rows {
                let mut member = row.member.clone();
                member.household = household;
                households::insert_member(&txn, &member).await?;
                members += 1;
            }
        }
        let outcome = ImportOutcome {
            households: u32::try_from(by_household.len()).unwrap_or(u32::MAX),
            members,
        };
        aidazu_ports::audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "households.imported",
                "village",
                Some(village.to_string()),
                Some(village),
                None,
                json!({ "households": outcome.households, "members": outcome.members,
                        "codes": by_household.keys().collect::<Vec<_>>() }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(outcome)
    }
}
