//! The demo organisation file (`config/demo/organisation.json`) as serde structs.

use aidazu_domain::org::Role;
use serde::{Deserialize, Deserializer};

use crate::error::StoreError;

/// `config/demo/organisation.json`: the four pilot villages of 大足区, their households and
/// members, and the staff accounts. Every person in it is fictitious.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DemoOrganisation {
    pub corp_id: String,
    pub district: DemoDistrict,
    pub towns: Vec<DemoTown>,
    pub staff: Vec<DemoStaff>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DemoDistrict {
    pub code: String,
    pub name: String,
    #[serde(deserialize_with = "dept_id")]
    pub dept_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DemoTown {
    pub code: String,
    pub name: String,
    #[serde(deserialize_with = "dept_id")]
    pub dept_id: String,
    pub villages: Vec<DemoVillage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DemoVillage {
    pub code: String,
    pub name: String,
    #[serde(deserialize_with = "dept_id")]
    pub dept_id: String,
    pub groups: Vec<DemoGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DemoGroup {
    pub code: String,
    pub name: String,
    #[serde(deserialize_with = "dept_id")]
    pub dept_id: String,
    pub households: Vec<DemoHousehold>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DemoHousehold {
    pub code: String,
    pub address: String,
    pub members: Vec<DemoMember>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemoKind {
    Villager,
    NonVillager,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DemoMember {
    /// Member code, unique in the file (`heping-01-001-1`).
    pub id: String,
    pub name: String,
    pub relation: String,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub birth_year: Option<i32>,
    pub kind: DemoKind,
    pub absent: bool,
    /// `None`: the default of R3 applies.
    #[serde(default)]
    pub opted_in: Option<bool>,
    pub party_member: bool,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub dingtalk_user_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DemoStaff {
    pub dingtalk_user_id: String,
    pub name: String,
    #[serde(default)]
    pub mobile: Option<String>,
    pub role: Role,
    /// Code of the village, town or district the role covers.
    pub scope: String,
    #[serde(default)]
    pub member_id: Option<String>,
}

impl DemoOrganisation {
    /// The file shipped in the repository, compiled in.
    ///
    /// # Errors
    /// [`StoreError::DemoData`] if the shipped file does not parse.
    pub fn embedded() -> Result<Self, StoreError> {
        Self::from_json(include_str!("../../../../config/demo/organisation.json"))
    }

    /// Parses a file of the same schema; the error names the path of the bad field.
    ///
    /// # Errors
    /// [`StoreError::DemoData`].
    pub fn from_json(text: &str) -> Result<Self, StoreError> {
        serde_json::from_str(text).map_err(|err| StoreError::DemoData(err.to_string()))
    }

    /// Every village with its town.
    pub fn villages(&self) -> impl Iterator<Item = (&DemoTown, &DemoVillage)> {
        self.towns
            .iter()
            .flat_map(|t| t.villages.iter().map(move |v| (t, v)))
    }

    /// Number of households in the file.
    #[must_use]
    pub fn household_count(&self) -> usize {
        self.villages()
            .flat_map(|(_, v)| &v.groups)
            .map(|g| g.households.len())
            .sum()
    }

    /// Number of members in the file.
    #[must_use]
    pub fn member_count(&self) -> usize {
        self.villages()
            .flat_map(|(_, v)| &v.groups)
            .flat_map(|g| &g.households)
            .map(|h| h.members.len())
            .sum()
    }
}

/// DingTalk department ids arrive as numbers or strings; they are kept as text.
fn dept_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(i64),
        Text(String),
    }
    Ok(match NumberOrText::deserialize(deserializer)? {
        NumberOrText::Number(n) => n.to_string(),
        NumberOrText::Text(t) => t,
    })
}
