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
