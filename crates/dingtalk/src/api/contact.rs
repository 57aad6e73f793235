//! Login-free sign-in (免登) and user details (API.md §2).

use serde::{Deserialize, Serialize};

use super::{OapiResult, json_endpoint};
use crate::Client;
use crate::error::DingTalkError;
use crate::ids::{DeptId, UnionId, UserId};

/// `POST /topapi/v2/user/getuserinfo {code}`: exchanges a 免登 auth code (5 minutes, single use)
/// for the user's identity. Not retried after ambiguous failures: the code may be consumed.
#[derive(Debug, Clone, Serialize)]
pub struct GetUserInfoByCode {
    /// The `authCode` from `dd.getAuthCode` / `dd.requestAuthCode`.
    pub code: String,
}

/// Who signed in.
#[derive(Debug, Clone, Deserialize)]
pub struct SignedInUser {
    /// The user's id in the organisation.
    #[serde(rename = "userid")]
    pub user_id: UserId,
    /// Union id, when present.
    #[serde(rename = "unionid", default)]
    pub union_id: Option<UnionId>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Device id of the sign-in.
    #[serde(default)]
    pub device_id: Option<String>,
    /// Whether the user is an administrator.
    #[serde(default)]
    pub sys: bool,
    /// 1 primary admin, 2 sub-admin, 100 boss, 0 other.
    #[serde(default)]
    pub sys_level: i64,
}

json_endpoint!(GetUserInfoByCode => OapiResult<SignedInUser>, Oapi, POST, "/topapi/v2/user/getuserinfo", OnlyIfNotProcessed);

/// `POST /topapi/v2/user/get {userid, language}`: a user's details.
#[derive(Debug, Clone, Serialize)]
pub struct GetUser {
    /// The user.
    #[serde(rename = "userid")]
    pub user_id: UserId,
    /// `zh_CN` (default) or `en_US`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// A user's details; optional fields are omitted by DingTalk when empty or not permitted.
#[derive(Debug, Clone, Deserialize)]
pub struct UserDetail {
    /// The user's id.
    #[serde(rename = "userid")]
    pub user_id: UserId,
    /// Union id.
    #[serde(rename = "unionid", default)]
    pub union_id: Option<UnionId>,
    /// Name.
    pub name: String,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
    /// Mobile number (only with the contact permission).
    #[serde(default)]
    pub mobile: Option<String>,
    /// Country code of the mobile number (`86`).
    #[serde(default)]
    pub state_code: Option<String>,
    /// Job title.
    #[serde(default)]
    pub title: Option<String>,
    /// Employee number.
    #[serde(default)]
    pub job_number: Option<String>,
    /// Departments the user belongs to.
    #[serde(default)]
    pub dept_id_list: Vec<DeptId>,
    /// Departments the user leads.
    #[serde(default)]
    pub leader_in_dept: Vec<LeaderInDept>,
    /// Whether the user is an administrator.
    #[serde(default)]
    pub admin: bool,
    /// Whether the user is the boss.
    #[serde(default)]
    pub boss: bool,
    /// Whether the user has activated DingTalk.
    #[serde(default)]
    pub active: bool,
    /// Roles.
    #[serde(default)]
    pub role_list: Vec<Role>,
}

/// Leadership of one department.
#[derive(Debug, Clone, Deserialize)]
pub struct LeaderInDept {
    /// The department.
    pub dept_id: DeptId,
    /// Whether the user leads it.
    pub leader: bool,
}

/// A role of the user.
#[derive(Debug, Clone, Deserialize)]
pub struct Role {
    /// Role id.
    pub id: i64,
    /// Role name.
    pub name: String,
    /// Role group.
    #[serde(default)]
    pub group_name: Option<String>,
}

json_endpoint!(GetUser => OapiResult<UserDetail>, Oapi, POST, "/topapi/v2/user/get", Idempotent);

impl Client {
    /// 免登: exchanges an auth code for the signed-in user.
    ///
    /// # Errors
    /// [`DingTalkError::Api`] with code `40078` for unknown, expired or reused codes.
    pub async fn user_info_by_code(&self, code: &str) -> Result<SignedInUser, DingTalkError> {
        let request = GetUserInfoByCode {
            code: code.to_owned(),
        };
        Ok(self.send(&request).await?.result)
    }

    /// A user's details (mobile, departments, ...).
    ///
    /// # Errors
    /// [`DingTalkError::Api`] with code `60121` for unknown users.
    pub async fn user_detail(&self, user_id: &UserId) -> Result<UserDetail, DingTalkError> {
        let request = GetUser {
            user_id: user_id.clone(),
            language: None,
        };
        Ok(self.send(&request).await?.result)
    }
}

/// `POST /topapi/user/getbyunionid {unionid}`: the organisation's user id of a union id (the web
/// login of [`crate::api::oauth`] knows the user by union id only).
#[derive(Debug, Clone, Serialize)]
pub struct GetUserIdByUnionId {
    /// The union id from `contact/users/me`.
    #[serde(rename = "unionid")]
    pub union_id: UnionId,
}

/// The user a union id belongs to in this organisation.
#[derive(Debug, Clone, Deserialize)]
pub struct UnionIdUser {
    /// The user's id in the organisation.
    #[serde(rename = "userid")]
    pub user_id: UserId,
    /// `0` an employee of the organisation, `1` an external contact.
    #[serde(default)]
    pub contact_type: i64,
}

json_endpoint!(GetUserIdByUnionId => OapiResult<UnionIdUser>, Oapi, POST, "/topapi/user/getbyunionid", Idempotent);

impl Client {
    /// The organisation's user of a union id.
    ///
    /// # Errors
    /// [`DingTalkError::Api`] with code `60121` when the union id is no user of the organisation.
    pub async fn user_by_union_id(&self, union_id: &UnionId) -> Result<UnionIdUser, DingTalkError> {
        let request = GetUserIdByUnionId {
            union_id: union_id.clone(),
        };
        Ok(self.send(&request).await?.result)
    }
}

/// Largest `size` of [`ListDepartmentUsers`].
pub const USER_PAGE_MAX: u32 = 100;

/// `POST /topapi/v2/user/list {dept_id, cursor, size, order_field, contain_access_limit,
/// language}`: one page of the users of a department itself (not of its sub-departments).
#[derive(Debug, Clone, Serialize)]
pub struct ListDepartmentUsers {
    /// The department.
    pub dept_id: DeptId,
    /// Offset: `0` for the first page, then the previous page's `next_cursor`.
    pub cursor: i64,
    /// Page size, 1 to [`USER_PAGE_MAX`].
    pub size: u32,
    /// `entry_asc`, `entry_desc`, `modify_asc`, `modify_desc`, `custom`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_field: Option<String>,
    /// `zh_CN` (default) or `en_US`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// One page of users.
#[derive(Debug, Clone, Deserialize)]
pub struct UserPage {
    /// Whether more pages follow.
    pub has_more: bool,
    /// The cursor of the next page (present when `has_more`).
    #[serde(default)]
    pub next_cursor: Option<i64>,
    /// The users (same fields as [`UserDetail`]).
    #[serde(default)]
    pub list: Vec<UserDetail>,
}

json_endpoint!(ListDepartmentUsers => OapiResult<UserPage>, Oapi, POST, "/topapi/v2/user/list", Idempotent);

impl Client {
    /// One page of the users of `dept_id` (start with `cursor = 0`).
    ///
    /// # Errors
    /// [`DingTalkError::Api`] with code `60003` for an unknown department.
    pub async fn department_users_page(
        &self,
        dept_id: DeptId,
        cursor: i64,
        size: u32,
    ) -> Result<UserPage, DingTalkError> {
        let request = ListDepartmentUsers {
            dept_id,
            cursor,
            size: size.clamp(1, USER_PAGE_MAX),
            order_field: None,
            language: None,
        };
        Ok(self.send(&request).await?.result)
    }

    /// Every user of `dept_id`, following `next_cursor` page by page.
    ///
    /// # Errors
    /// As [`department_users_page`](Self::department_users_page); also
    /// [`DingTalkError::Decode`] if DingTalk says `has_more` without a `next_cursor`.
    pub async fn department_users(
        &self,
        dept_id: DeptId,
    ) -> Result<Vec<UserDetail>, DingTalkError> {
        let mut users = Vec::new();
        let mut cursor = 0;
        loop {
            let page = self
                .department_users_page(dept_id, cursor, USER_PAGE_MAX)
                .await?;
            users.extend(page.list);
            if !page.has_more {
                return Ok(users);
            }
            match page.next_cursor {
                Some(next) if next > cursor => cursor = next,
                _ => {
                    return Err(DingTalkError::Decode {
                        path: "result.next_cursor".into(),
                        source: serde::de::Error::custom(
                            "has_more without a next_cursor past the current one",
                        ),
                    });
                }
            }
        }
    }
}
