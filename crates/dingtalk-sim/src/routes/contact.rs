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
