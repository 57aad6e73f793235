//! Contacts (API.md §2.2–2.3): 免登 code → user, user details.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::extract::OapiCall;
use crate::org::User;
use crate::state::Sim;
use crate::wire::oapi;

/// `POST /topapi/v2/user/getuserinfo {"code"}`; unknown, used or expired code → 40078.
pub async fn getuserinfo(State(sim): State<Sim>, call: OapiCall) -> Response {
    let Some(code) = call.text("code").filter(|c| !c.is_empty()) else {
        return oapi::topapi_error(40078, "不存在的临时授权码");
    };
    let now = sim.clock().now();
    let user = sim.with_data(|data| {
        let user_id = data.auth_codes.redeem(&code, now)?;
        data.org.user(&user_id).cloned()
    });
    let Some(user) = user else {
        return oapi::topapi_error(40078, "不存在的临时授权码");
    };
    oapi::topapi_ok(json!({
        "result": {
            "userid": user.user_id,
            "unionid": user.union_id,
            "associated_unionid": "",
            "name": user.name,
            "device_id": crate::ids::hex_lower(32),
            // Nobody in the simulated organisation administers DingTalk itself.
            "sys": false,
            "sys_level": 0,
        }
    }))
}

fn user_detail(user: &User) -> Value {
    let mut result = Map::new();
    result.insert("userid".into(), json!(user.user_id));
    result.insert("unionid".into(), json!(user.union_id));
    result.insert("name".into(), json!(user.name));
    if let Some(mobile) = &user.mobile {
        result.insert("mobile".into(), json!(mobile));
        result.insert("state_code".into(), json!("86"));
        result.insert("hide_mobile".into(), json!(false));
    }
    if let Some(title) = &user.title {
        result.insert("title".into(), json!(title));
    }
    result.insert("dept_id_list".into(), json!(user.dept_ids));
    result.insert(
        "dept_order_list".into(),
        Value::Array(
            user.dept_ids
                .iter()
                .map(|id| json!({ "dept_id": id, "order": 176_294_576_350_761_512_i64 }))
                .collect(),
        ),
    );
    result.insert(
        "leader_in_dept".into(),
        Value::Array(
            user.dept_ids
                .iter()
                .map(|id| json!({ "dept_id": id, "leader": false }))
                .collect(),
        ),
    );
    result.insert("active".into(), json!(true));
    result.insert("admin".into(), json!(false));
    result.insert("boss".into(), json!(false));
    result.insert("senior".into(), json!(false));
    result.insert("real_authed".into(), json!(true));
    result.insert("exclusive_account".into(), json!(false));
    Value::Object(result)
}

/// `POST /topapi/v2/user/get {"userid","language"}`; unknown user → 60121.
pub async fn user_get(State(sim): State<Sim>, call: OapiCall) -> Response {
    let Some(user_id) = call.text("userid").filter(|c| !c.is_empty()) else {
        return oapi::topapi_error(33012, "无效的USERID");
    };
    match sim.with_data(|data| data.org.user(&user_id).cloned()) {
        Some(user) => oapi::topapi_ok(json!({ "result": user_detail(&user) })),
        None => oapi::topapi_error(60121, "找不到该用户"),
    }
}

/// `POST /topapi/user/getbyunionid {"unionid"}` → `result: {contact_type, userid}`; a union id
/// of nobody in the organisation → 60121.
pub async fn user_by_union_id(State(sim): State<Sim>, call: OapiCall) -> Response {
    let Some(union_id) = call.text("unionid").filter(|c| !c.is_empty()) else {
        return oapi::topapi_error(40035, "缺少参数 unionid");
    };
    let user = sim.with_data_read(|data| {
        data.org
            .users
            .values()
            .find(|u| u.union_id == union_id)
            .map(|u| u.user_id.clone())
    });
    match user {
        Some(user_id) => oapi::topapi_ok(json!({
            "result": { "contact_type": 0, "userid": user_id }
        })),
        None => oapi::topapi_error(60121, "找不到该用户"),
    }
}

/// The department id of a body (`dept_id`, number or numeric string); `default` when absent.
fn dept_id(call: &OapiCall, default: Option<i64>) -> Result<i64, Response> {
    match call.text("dept_id") {
        Some(text) => text
            .parse::<i64>()
            .map_err(|_| oapi::topapi_error(40035, "不合法的参数 dept_id")),
        None => default.ok_or_else(|| oapi::topapi_error(40035, "缺少参数 dept_id")),
    }
}

fn unknown_department() -> Response {
    oapi::topapi_error(60003, "部门不存在")
}

/// `POST /topapi/v2/department/listsub {dept_id (default 1), language}`: the direct
/// sub-departments (`result: [{dept_id, name, parent_id, create_dept_group, auto_add_user}]`).
pub async fn department_listsub(State(sim): State<Sim>, call: OapiCall) -> Response {
    let id = match dept_id(&call, Some(crate::org::ROOT_DEPT_ID)) {
        Ok(id) => id,
        Err(refusal) => return refusal,
    };
    sim.with_data_read(|data| {
        if !data.org.departments.contains_key(&id) {
            return unknown_department();
        }
        let list: Vec<Value> = data
            .org
            .children(id)
            .into_iter()
            .map(|d| {
                json!({
                    "dept_id": d.dept_id,
                    "name": d.name,
                    "parent_id": d.parent_id.unwrap_or_default(),
                    "create_dept_group": false,
                    "auto_add_user": false,
                })
            })
            .collect();
        oapi::topapi_ok(json!({ "result": list }))
    })
}

/// `POST /topapi/v2/department/get {dept_id, language}`: one department's details.
pub async fn department_get(State(sim): State<Sim>, call: OapiCall) -> Response {
    let id = match dept_id(&call, None) {
        Ok(id) => id,
        Err(refusal) => return refusal,
    };
    sim.with_data_read(|data| {
        let Some(dept) = data.org.departments.get(&id) else {
            return unknown_department();
        };
        let managers: Vec<String> = data
            .org
            .staff_in(id)
            .into_iter()
            .map(|u| u.user_id.clone())
            .collect();
        let mut result = Map::new();
        result.insert("dept_id".into(), json!(dept.dept_id));
        result.insert("name".into(), json!(dept.name));
        if let Some(parent) = dept.parent_id {
            result.insert("parent_id".into(), json!(parent));
        }
        if !dept.code.is_empty() {
            result.insert("source_identifier".into(), json!(dept.code));
        }
        result.insert("create_dept_group".into(), json!(false));
        result.insert("auto_add_user".into(), json!(false));
        result.insert("from_union_org".into(), json!(false));
        result.insert("group_contain_sub_dept".into(), json!(false));
        result.insert("outer_dept".into(), json!(false));
        result.insert("hide_dept".into(), json!(false));
        result.insert("order".into(), json!(dept.dept_id));
        result.insert("dept_manager_userid_list".into(), json!(managers));
        oapi::topapi_ok(json!({ "result": Value::Object(result) }))
    })
}

/// Largest page of `topapi/v2/user/list`.
pub const USER_LIST_MAX_SIZE: usize = 100;

/// `POST /topapi/v2/user/list {dept_id, cursor, size (≤ 100), ...}`: the users of the department
/// itself (not of its sub-departments), paged: `result: {has_more, next_cursor?, list}`.
pub async fn user_list(State(sim): State<Sim>, call: OapiCall) -> Response {
    let id = match dept_id(&call, None) {
        Ok(id) => id,
        Err(refusal) => return refusal,
    };
    let Some(cursor) = call.text("cursor").and_then(|c| c.parse::<usize>().ok()) else {
        return oapi::topapi_error(40035, "缺少参数 cursor");
    };
    let Some(size) = call.text("size").and_then(|c| c.parse::<usize>().ok()) else {
        return oapi::topapi_error(40035, "缺少参数 size");
    };
    if size == 0 || size > USER_LIST_MAX_SIZE {
        return oapi::topapi_error(400_002, "size 必须在 1 到 100 之间");
    }
    sim.with_data_read(|data| {
        if !data.org.departments.contains_key(&id) {
            return unknown_department();
        }
        let users = data.org.users_in(id);
        let page: Vec<Value> = users
            .iter()
            .skip(cursor)
            .take(size)
            .map(|user| {
                let mut detail = user_detail(user);
                if let Value::Object(map) = &mut detail {
                    map.insert("leader".into(), json!(false));
                    map.insert("dept_order".into(), json!(176_294_576_350_761_512_i64));
                }
                detail
            })
            .collect();
        let next = cursor + page.len();
        let mut result = Map::new();
        result.insert("has_more".into(), json!(next < users.len()));
        if next < users.len() {
            result.insert("next_cursor".into(), json!(next));
        }
        result.insert("list".into(), Value::Array(page));
        oapi::topapi_ok(json!({ "result": Value::Object(result) }))
    })
}
