//! Departments (部门): the direct sub-departments of one and the details of one (contact
//! permission `qyapi_get_department_list`).

use serde::{Deserialize, Serialize};

use super::{OapiResult, json_endpoint};
use crate::Client;
use crate::error::DingTalkError;
use crate::ids::{DeptId, UserId};

/// `POST /topapi/v2/department/listsub {dept_id, language}`: the direct sub-departments only
/// (not the whole subtree). DingTalk's root department is `1`.
#[derive(Debug, Clone, Serialize)]
pub struct ListSubDepartments {
    /// The parent department.
    pub dept_id: DeptId,
    /// `zh_CN` (default) or `en_US`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// One sub-department.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SubDepartment {
    /// Its id.
    pub dept_id: DeptId,
    /// Its name.
    pub name: String,
    /// Its parent.
    #[serde(default)]
    pub parent_id: Option<DeptId>,
    /// Whether a department group chat is created with it.
    #[serde(default)]
    pub create_dept_group: bool,
    /// Whether new users join its group automatically.
    #[serde(default)]
    pub auto_add_user: bool,
}

json_endpoint!(ListSubDepartments => OapiResult<Vec<SubDepartment>>, Oapi, POST, "/topapi/v2/department/listsub", Idempotent);

/// `POST /topapi/v2/department/get {dept_id, language}`: one department's details.
#[derive(Debug, Clone, Serialize)]
pub struct GetDepartment {
    /// The department.
    pub dept_id: DeptId,
    /// `zh_CN` (default) or `en_US`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// A department's details; optional fields are omitted by DingTalk when empty.
#[derive(Debug, Clone, Deserialize)]
pub struct DepartmentDetail {
    /// Its id.
    pub dept_id: DeptId,
    /// Its name.
    pub name: String,
    /// Its parent (absent for the root).
    #[serde(default)]
    pub parent_id: Option<DeptId>,
    /// The id given by the organisation's own system, when set.
    #[serde(default)]
    pub source_identifier: Option<String>,
    /// Managers (主管) of the department.
    #[serde(default)]
    pub dept_manager_userid_list: Vec<UserId>,
    /// Whether a department group chat exists.
    #[serde(default)]
    pub create_dept_group: bool,
    /// Sort order among siblings.
    #[serde(default)]
    pub order: Option<i64>,
    /// Whether it is hidden from the address book.
    #[serde(default)]
    pub hide_dept: bool,
}

json_endpoint!(GetDepartment => OapiResult<DepartmentDetail>, Oapi, POST, "/topapi/v2/department/get", Idempotent);

impl Client {
    /// The direct sub-departments of `dept_id` (`1` = the root).
    ///
    /// # Errors
    /// [`DingTalkError::Api`] with code `60003` for an unknown department.
    pub async fn sub_departments(
        &self,
        dept_id: DeptId,
    ) -> Result<Vec<SubDepartment>, DingTalkError> {
        let request = ListSubDepartments {
            dept_id,
            language: None,
        };
        Ok(self.send(&request).await?.result)
    }

    /// One department's details.
    ///
    /// # Errors
    /// [`DingTalkError::Api`] with code `60003` for an unknown department.
    pub async fn department(&self, dept_id: DeptId) -> Result<DepartmentDetail, DingTalkError> {
        let request = GetDepartment {
            dept_id,
            language: None,
        };
        Ok(self.send(&request).await?.result)
    }
}
