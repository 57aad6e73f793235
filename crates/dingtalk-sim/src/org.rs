//! The simulated organisation (通讯录): departments and users with mobiles.
//!
//! Built from the shared demo file (`config/demo/organisation.json`) or any JSON with the same
//! schema. Users are every household member with a `dingtalkUserId` (department = the member's
//! group) plus every staff entry (department = the village, town or district its `scope` code
//! names). A staff entry whose `memberId` names a member is the same person: one user, both
//! departments.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::SimError;

/// DingTalk's root department id.
pub const ROOT_DEPT_ID: i64 = 1;

/// The demo organisation file shared with the service's seed data.
const DEMO_JSON: &str = include_str!("../../../config/demo/organisation.json");

/// A department (部门).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Department {
    /// DingTalk department id.
    pub dept_id: i64,
    /// Display name.
    pub name: String,
    /// Parent department; `None` only for the root.
    pub parent_id: Option<i64>,
    /// Administrative code from the organisation file (empty for the root).
    pub code: String,
}

/// A user (员工) of the simulated organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// DingTalk `userid`.
    pub user_id: String,
    /// DingTalk `unionid` (derived, stable).
    pub union_id: String,
    /// Name.
    pub name: String,
    /// Mobile number, when known.
    pub mobile: Option<String>,
    /// Departments the user belongs to (first = main department).
    pub dept_ids: Vec<i64>,
    /// Job title; staff get their role here.
    pub title: Option<String>,
    /// Household member id from the organisation file, when the user is a villager.
    pub member_id: Option<String>,
    /// Staff role from the organisation file, when the user is staff.
    pub role: Option<String>,
    /// Department the staff role covers (the village, town or district of its scope).
    pub staff_dept_id: Option<i64>,
}

impl User {
    /// Builds a user with a derived union id.
    pub fn new(user_id: impl Into<String>, name: impl Into<String>) -> Self {
        let user_id = user_id.into();
        Self {
            union_id: union_id_for(&user_id),
            user_id,
            name: name.into(),
            mobile: None,
            dept_ids: Vec::new(),
            title: None,
            member_id: None,
            role: None,
            staff_dept_id: None,
        }
    }

    /// Whether the user is staff (has a role) rather than only a villager.
    pub fn is_staff(&self) -> bool {
        self.role.is_some()
    }
}

/// The organisation the simulator serves: departments and users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organisation {
    /// Corp id named in the file.
    pub corp_id: String,
    /// Departments by id.
    pub departments: BTreeMap<i64, Department>,
    /// Users by user id.
    pub users: BTreeMap<String, User>,
    /// Departments that are villages (村/社区) in the organisation file.
    #[serde(default)]
    pub village_dept_ids: std::collections::BTreeSet<i64>,
}

impl Organisation {
    /// The demo organisation shipped with the repository.
    ///
    /// The embedded file is validated by this crate's tests, so failing here would be a build
    /// defect; an empty organisation is returned (and logged) instead of panicking.
    pub fn demo() -> Self {
        match Self::from_json(DEMO_JSON) {
            Ok(org) => org,
            Err(error) => {
                tracing::error!(%error, "embedded demo organisation is invalid");
                Self::empty("")
            }
        }
    }

    /// An organisation with only the root department and no users.
    pub fn empty(corp_id: &str) -> Self {
        let mut departments = BTreeMap::new();
        departments.insert(
            ROOT_DEPT_ID,
            Department {
                dept_id: ROOT_DEPT_ID,
                name: "根部门".to_owned(),
                parent_id: None,
                code: String::new(),
            },
        );
        Self {
            corp_id: corp_id.to_owned(),
            departments,
            users: BTreeMap::new(),
            village_dept_ids: std::collections::BTreeSet::new(),
        }
    }

    /// Parses the organisation file schema (see the module docs).
    pub fn from_json(json: &str) -> Result<Self, SimError> {
        let file: file::OrganisationFile =
            serde_json::from_str(json).map_err(|source| SimError::Organisation { source })?;
        Ok(file.into_organisation())
    }

    /// Looks a user up by id.
    pub fn user(&self, user_id: &str) -> Option<&User> {
        self.users.get(user_id)
    }

    /// Staff users whose role covers `dept_id` directly (their scope department).
    pub fn staff_in(&self, dept_id: i64) -> Vec<&User> {
        self.users
            .values()
            .filter(|user| user.staff_dept_id == Some(dept_id))
            .collect()
    }

    /// The department name, or an empty string for an unknown id.
    pub fn dept_name(&self, dept_id: i64) -> String {
        self.departments
            .get(&dept_id)
            .map(|dept| dept.name.clone())
            .unwrap_or_default()
    }

    /// The villages named by the organisation file, by department id.
    pub fn villages(&self) -> Vec<&Department> {
        self.village_dept_ids
            .iter()
            .filter_map(|id| self.departments.get(id))
            .collect()
    }

    /// Direct sub-departments of `dept_id`, by id.
    pub fn children(&self, dept_id: i64) -> Vec<&Department> {
        self.departments
            .values()
            .filter(|d| d.parent_id == Some(dept_id))
            .collect()
    }

    /// `dept_id` and every department below it.
    pub fn subtree(&self, dept_id: i64) -> std::collections::BTreeSet<i64> {
        let mut found = std::collections::BTreeSet::from([dept_id]);
        let mut frontier = vec![dept_id];
        while let Some(id) = frontier.pop() {
            for child in self.children(id) {
                if found.insert(child.dept_id) {
                    frontier.push(child.dept_id);
                }
            }
        }
        found
    }

    /// Users in `dept_id` or any department below it, by user id.
    pub fn users_under(&self, dept_id: i64) -> Vec<String> {
        let subtree = self.subtree(dept_id);
        self.users
            .values()
            .filter(|u| u.dept_ids.iter().any(|d| subtree.contains(d)))
            .map(|u| u.user_id.clone())
            .collect()
    }

    /// Users whose departments include `dept_id` itself, by user id.
    pub fn users_in(&self, dept_id: i64) -> Vec<&User> {
        self.users
            .values()
            .filter(|u| u.dept_ids.contains(&dept_id))
            .collect()
    }

    /// Inserts or replaces a user.
    pub fn upsert_user(&mut self, user: User) {
        self.users.insert(user.user_id.clone(), user);
    }

    /// Removes a user; returns it when it existed.
    pub fn remove_user(&mut self, user_id: &str) -> Option<User> {
        self.users.remove(user_id)
    }
}

impl Default for Organisation {
    fn default() -> Self {
        Self::empty("")
    }
}

/// A stable union id for a user id (DingTalk's union ids are opaque strings).
pub fn union_id_for(user_id: &str) -> String {
    use sha1::{Digest, Sha1};
    let digest = Sha1::digest(user_id.as_bytes());
    format!("union{}", &hex::encode(digest)[..20])
}

/// The on-disk schema of the organisation file.
mod file {
    use std::collections::{BTreeMap, HashMap};

    use serde::Deserialize;

    use super::{Department, Organisation, ROOT_DEPT_ID, User};

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(super) struct OrganisationFile {
        #[serde(default)]
        corp_id: String,
        district: Unit,
        #[serde(default)]
        towns: Vec<Town>,
        #[serde(default)]
        staff: Vec<Staff>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Unit {
        code: String,
        name: String,
        dept_id: i64,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Town {
        #[serde(flatten)]
        unit: Unit,
        #[serde(default)]
        villages: Vec<Village>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Village {
        #[serde(flatten)]
        unit: Unit,
        #[serde(default)]
        groups: Vec<Group>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Group {
        #[serde(flatten)]
        unit: Unit,
        #[serde(default)]
        households: Vec<Household>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Household {
        #[serde(default)]
        members: Vec<Member>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Member {
        id: String,
        name: String,
        #[serde(default)]
        mobile: Option<String>,
        #[serde(default)]
        dingtalk_user_id: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Staff {
        dingtalk_user_id: String,
        name: String,
        #[serde(default)]
        mobile: Option<String>,
        role: String,
        scope: String,
        #[serde(default)]
        member_id: Option<String>,
    }

    impl OrganisationFile {
        pub(super) fn into_organisation(self) -> Organisation {
            let mut org = Organisation::empty(&self.corp_id);
            let mut dept_by_code: HashMap<String, i64> = HashMap::new();
            let mut add_dept = |org: &mut Organisation, unit: &Unit, parent: i64| {
                dept_by_code.insert(unit.code.clone(), unit.dept_id);
                org.departments.insert(
                    unit.dept_id,
                    Department {
                        dept_id: unit.dept_id,
                        name: unit.name.clone(),
                        parent_id: (unit.dept_id != ROOT_DEPT_ID).then_some(parent),
                        code: unit.code.clone(),
                    },
                );
            };
            add_dept(&mut org, &self.district, ROOT_DEPT_ID);
            let mut member_user: BTreeMap<String, String> = BTreeMap::new();
            for town in &self.towns {
                add_dept(&mut org, &town.unit, self.district.dept_id);
                for village in &town.villages {
                    add_dept(&mut org, &village.unit, town.unit.dept_id);
                    org.village_dept_ids.insert(village.unit.dept_id);
                    for group in &village.groups {
                        add_dept(&mut org, &group.unit, village.unit.dept_id);
                        for member in group.households.iter().flat_map(|h| &h.members) {
                            let Some(user_id) = member.dingtalk_user_id.clone() else {
                                continue;
                            };
                            member_user.insert(member.id.clone(), user_id.clone());
                            let mut user = User::new(user_id, member.name.clone());
                            user.mobile = member.mobile.clone();
                            user.dept_ids = vec![group.unit.dept_id];
                            user.member_id = Some(member.id.clone());
                            org.upsert_user(user);
                        }
                    }
                }
            }
            for staff in self.staff {
                let scope_dept = dept_by_code
                    .get(&staff.scope)
                    .copied()
                    .unwrap_or(ROOT_DEPT_ID);
                let merged_id = staff
                    .member_id
                    .as_ref()
                    .and_then(|member_id| member_user.get(member_id))
                    .cloned();
                let user_id = merged_id.unwrap_or_else(|| staff.dingtalk_user_id.clone());
                let mut user = org
                    .users
                    .remove(&user_id)
                    .unwrap_or_else(|| User::new(user_id.clone(), staff.name.clone()));
                if user.mobile.is_none() {
                    user.mobile = staff.mobile.clone();
                }
                if !user.dept_ids.contains(&scope_dept) {
                    user.dept_ids.push(scope_dept);
                }
                user.title = Some(staff.role.clone());
                user.role = Some(staff.role);
                user.staff_dept_id = Some(scope_dept);
                org.upsert_user(user);
            }
            org
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_organisation_has_every_dingtalk_user_of_the_file_once() {
        let org = Organisation::from_json(DEMO_JSON).expect("demo file parses");
        let file: serde_json::Value = serde_json::from_str(DEMO_JSON).expect("json");
        let mut expected = std::collections::BTreeSet::new();
        for town in file["towns"].as_array().expect("towns") {
            for village in town["villages"].as_array().expect("villages") {
                for group in village["groups"].as_array().expect("groups") {
                    for household in group["households"].as_array().expect("households") {
                        for member in household["members"].as_array().expect("members") {
                            if let Some(id) = member["dingtalkUserId"].as_str() {
                                expected.insert(id.to_owned());
                            }
                        }
                    }
                }
            }
        }
        for staff in file["staff"].as_array().expect("staff") {
            let id = staff["dingtalkUserId"].as_str().expect("staff id");
            expected.insert(id.to_owned());
            let user = org.user(id).expect("staff is a user");
            assert_eq!(user.role.as_deref(), staff["role"].as_str());
            assert_eq!(user.mobile.as_deref(), staff["mobile"].as_str());
            assert!(
                user.staff_dept_id
                    .is_some_and(|d| user.dept_ids.contains(&d))
            );
        }
        let actual: std::collections::BTreeSet<String> = org.users.keys().cloned().collect();
        assert_eq!(actual, expected);
        assert_eq!(Organisation::demo(), org);
    }

    #[test]
    fn staff_with_member_id_is_merged_into_the_member_user() {
        let org = Organisation::from_json(include_str!("fixtures/sample-organisation.json"))
            .expect("sample parses");
        let zhang = org.user("u-zhangming").expect("member user exists");
        assert_eq!(
            zhang.dept_ids,
            vec![1000, 100],
            "group first, then staff scope"
        );
        assert_eq!(zhang.role.as_deref(), Some("village_committee"));
        assert_eq!(zhang.member_id.as_deref(), Some("m-0001"));
        assert_eq!(
            org.users.values().filter(|u| u.name == "张明").count(),
            1,
            "one person, one user"
        );
    }

    #[test]
    fn staff_department_comes_from_scope_code_and_members_without_user_id_are_skipped() {
        let org = Organisation::from_json(include_str!("fixtures/sample-organisation.json"))
            .expect("sample parses");
        assert_eq!(
            org.user("u-town-tangxiang").map(|u| u.dept_ids.clone()),
            Some(vec![10])
        );
        assert_eq!(
            org.user("u-district").map(|u| u.dept_ids.clone()),
            Some(vec![2])
        );
        assert!(org.users.values().all(|u| u.name != "李芳"));
        assert_eq!(org.staff_in(100).len(), 2);
        assert!(
            org.staff_in(1000).is_empty(),
            "a staff member's group is not their scope"
        );
        assert_eq!(
            org.departments.get(&1000).and_then(|d| d.parent_id),
            Some(100)
        );
    }

    #[test]
    fn malformed_json_is_an_error() {
        assert!(matches!(
            Organisation::from_json("{\"towns\":[]}"),
            Err(SimError::Organisation { .. })
        ));
    }
}
