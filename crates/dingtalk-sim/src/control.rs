//! The simulator's own control API under `/sim` (JSON): inspect what it holds, act as users
//! (approve, press card buttons, log in), change the organisation, push events, move the
//! clock, and set fault knobs. Errors: 4xx `{"error": "<中文说明>"}`.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::delivery;
use crate::events::{self, CONTACT_EVENT_TYPES};
use crate::guard::Faults;
use crate::org::User;
use crate::records::{Decision, Group};
use crate::routes::{card, workflow};
use crate::state::Sim;
use crate::{credentials, ui};

/// Routes under `/sim`.
pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/sim/", get(ui::page))
        .route("/sim", get(ui::page))
        .route("/sim/ui/approvals/{id}/decide", post(ui::decide_form))
        .route("/sim/ui/auth-codes", post(ui::auth_code_form))
        .route("/sim/users", get(users))
        .route(
            "/sim/users/{user_id}",
            put(put_user).delete(delete_user).get(user),
        )
        .route("/sim/departments", get(departments))
        .route("/sim/departments/{dept_id}", put(put_department))
        .route("/sim/auth-codes", post(auth_code))
        .route("/sim/forms", get(forms).delete(delete_forms))
        .route("/sim/groups", get(groups))
        .route(
            "/sim/groups/{open_conversation_id}",
            get(group).put(put_group).delete(delete_group),
        )
        .route("/sim/groups/{open_conversation_id}/robots", post(add_robot))
        .route(
            "/sim/groups/{open_conversation_id}/robots/{robot_code}",
            axum::routing::delete(remove_robot),
        )
        .route("/sim/oauth2/codes", post(oauth_code))
        .route("/sim/approvals", get(approvals))
        .route("/sim/approvals/{id}", get(approval))
        .route("/sim/approvals/{id}/decide", post(decide))
        .route("/sim/cards", get(cards))
        .route("/sim/cards/{out_track_id}/press", post(press))
        .route("/sim/work-notifications", get(work_notifications))
        .route("/sim/group-messages", get(group_messages))
        .route("/sim/media", get(media))
        .route("/sim/events", get(list_events))
        .route("/sim/stats", get(stats))
        .route("/sim/faults", get(get_faults).post(set_faults))
        .route("/sim/clock", get(clock))
        .route("/sim/clock/advance", post(advance_clock))
        .route("/sim/contacts/events", post(contact_events))
        .route("/sim/check-url", post(check_url))
        .route("/sim/stream/connections", get(stream_connections))
        .route("/sim/stream/drop", post(stream_drop))
        .route("/sim/stream/disconnect", post(stream_disconnect))
        .route("/sim/stream/ping", post(stream_ping))
        .layer(axum::middleware::from_fn(cors))
}

/// The control API answers browsers of any origin (CORS): the micro-app's sim-mode login page,
/// served by the service on another port, lists the users and asks for auth codes here. The
/// simulator holds no secret worth an origin check.
async fn cors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use axum::http::{HeaderValue, Method, header};
    let mut response = if req.method() == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PUT, DELETE, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}

/// A control-API error.
pub fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn to_json<T: serde::Serialize>(value: &T) -> Response {
    match serde_json::to_value(value) {
        Ok(value) => Json(value).into_response(),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "序列化失败"),
    }
}

async fn users(State(sim): State<Sim>) -> Response {
    sim.with_data_read(|data| to_json(&data.org.users.values().collect::<Vec<_>>()))
}

async fn user(State(sim): State<Sim>, Path(user_id): Path<String>) -> Response {
    match sim.with_data(|data| data.org.user(&user_id).cloned()) {
        Some(user) => to_json(&user),
        None => error(StatusCode::NOT_FOUND, "用户不存在"),
    }
}

async fn departments(State(sim): State<Sim>) -> Response {
    sim.with_data_read(|data| to_json(&data.org.departments.values().collect::<Vec<_>>()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DepartmentBody {
    name: String,
    /// The parent; kept when changing an existing department.
    #[serde(default)]
    parent_id: Option<i64>,
}

/// `PUT /sim/departments/{deptId}`: adds or renames a department (a test reshaping the org).
async fn put_department(
    State(sim): State<Sim>,
    Path(dept_id): Path<i64>,
    Json(body): Json<DepartmentBody>,
) -> Response {
    let result = sim.with_data(|data| {
        let existing = data.org.departments.get(&dept_id).cloned();
        let parent_id = body
            .parent_id
            .or_else(|| existing.as_ref().and_then(|d| d.parent_id));
        match parent_id {
            Some(p) if !data.org.departments.contains_key(&p) => {
                return Err(format!("上级部门不存在：{p}"));
            }
            None if existing.is_none() => return Err("缺少上级部门 parentId".to_owned()),
            _ => {}
        }
        let department = crate::org::Department {
            dept_id,
            name: body.name.clone(),
            parent_id,
            code: existing.map(|d| d.code).unwrap_or_default(),
        };
        data.org.departments.insert(dept_id, department.clone());
        Ok(department)
    });
    match result {
        Ok(department) => to_json(&department),
        Err(message) => (
            axum::http::StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({ "errcode": 400, "errmsg": message })),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserBody {
    name: String,
    #[serde(default)]
    mobile: Option<String>,
    #[serde(default)]
    dept_ids: Vec<i64>,
    #[serde(default)]
    title: Option<String>,
    /// Do not push `user_add_org` / `user_modify_org`.
    #[serde(default)]
    silent: bool,
}

/// `PUT /sim/users/{userId}`: adds or changes a user and pushes the contact event.
async fn put_user(
    State(sim): State<Sim>,
    Path(user_id): Path<String>,
    Json(body): Json<UserBody>,
) -> Response {
    let result = sim.with_data(|data| {
        if let Some(unknown) = body
            .dept_ids
            .iter()
            .find(|id| !data.org.departments.contains_key(id))
        {
            return Err(format!("部门不存在：{unknown}"));
        }
        let existing = data.org.user(&user_id).cloned();
        let mut user = existing
            .clone()
            .unwrap_or_else(|| User::new(user_id.clone(), body.name.clone()));
        user.name = body.name.clone();
        user.mobile = body.mobile.clone().or(user.mobile);
        if !body.dept_ids.is_empty() {
            user.dept_ids = body.dept_ids.clone();
        }
        if body.title.is_some() {
            user.title = body.title.clone();
        }
        data.org.upsert_user(user.clone());
        Ok((user, existing.is_some()))
    });
    match result {
        Ok((user, existed)) => {
            if !body.silent {
                let kind = if existed {
                    "user_modify_org"
                } else {
                    "user_add_org"
                };
                sim.emit(events::contact_event(
                    &sim.config().corp_id,
                    kind,
                    &[user_id],
                    sim.clock().now_ms(),
                ));
            }
            to_json(&user)
        }
        Err(message) => error(StatusCode::BAD_REQUEST, &message),
    }
}

/// `DELETE /sim/users/{userId}`: removes a user and pushes `user_leave_org`.
async fn delete_user(State(sim): State<Sim>, Path(user_id): Path<String>) -> Response {
    match sim.with_data(|data| data.org.remove_user(&user_id)) {
        Some(user) => {
            sim.emit(events::contact_event(
                &sim.config().corp_id,
                "user_leave_org",
                &[user_id],
                sim.clock().now_ms(),
            ));
            to_json(&user)
        }
        None => error(StatusCode::NOT_FOUND, "用户不存在"),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthCodeBody {
    user_id: String,
}

/// Issues a 免登 auth code for a user (what `dd.getAuthCode` yields on the phone).
pub fn issue_auth_code(sim: &Sim, user_id: &str) -> Option<String> {
    let now = sim.clock().now();
    let ttl = sim.config().auth_code_ttl;
    sim.with_data(|data| {
        data.org.user(user_id)?;
        Some(
            data.auth_codes
                .issue(credentials::new_auth_code(), user_id.to_owned(), now, ttl),
        )
    })
}

async fn auth_code(State(sim): State<Sim>, Json(body): Json<AuthCodeBody>) -> Response {
    match issue_auth_code(&sim, &body.user_id) {
        Some(code) => Json(json!({ "code": code })).into_response(),
        None => error(StatusCode::NOT_FOUND, "用户不存在"),
    }
}

async fn forms(State(sim): State<Sim>) -> Response {
    sim.with_data_read(|data| to_json(&data.forms.values().collect::<Vec<_>>()))
}

/// `DELETE /sim/forms`: forgets every form template registered through the API (what a
/// simulator that lost its state would do; the service must then re-ensure its template).
async fn delete_forms(State(sim): State<Sim>) -> Response {
    let removed = sim.with_data(|data| std::mem::take(&mut data.forms).len());
    Json(json!({ "removed": removed })).into_response()
}

async fn groups(State(sim): State<Sim>) -> Response {
    sim.with_data_read(|data| to_json(&data.groups.values().collect::<Vec<_>>()))
}

async fn group(State(sim): State<Sim>, Path(id): Path<String>) -> Response {
    match sim.with_data_read(|data| data.groups.get(&id).cloned()) {
        Some(group) => to_json(&group),
        None => error(StatusCode::NOT_FOUND, "群不存在"),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupBody {
    title: String,
    #[serde(default)]
    member_user_ids: Vec<String>,
    /// Absent: the app's robot (robot code = AppKey); `[]`: a group without any robot.
    #[serde(default)]
    robot_codes: Option<Vec<String>>,
    #[serde(default)]
    dept_id: Option<i64>,
}

/// `PUT /sim/groups/{openConversationId}`: creates or replaces a group.
async fn put_group(
    State(sim): State<Sim>,
    Path(id): Path<String>,
    Json(body): Json<GroupBody>,
) -> Response {
    if body.title.trim().is_empty() || body.title.chars().count() > 30 {
        return error(StatusCode::BAD_REQUEST, "群名称为 1 到 30 个字符");
    }
    let app_key = sim.config().app_key.clone();
    let result = sim.with_data(|data| {
        if let Some(unknown) = body
            .member_user_ids
            .iter()
            .find(|u| data.org.user(u).is_none())
        {
            return Err(format!("用户不存在：{unknown}"));
        }
        let group = Group {
            open_conversation_id: id.clone(),
            title: body.title.clone(),
            member_user_ids: body.member_user_ids.clone(),
            robot_codes: body.robot_codes.clone().unwrap_or_else(|| vec![app_key]),
            dept_id: body.dept_id,
        };
        data.groups.insert(id.clone(), group.clone());
        Ok(group)
    });
    match result {
        Ok(group) => to_json(&group),
        Err(message) => error(StatusCode::BAD_REQUEST, &message),
    }
}

async fn delete_group(State(sim): State<Sim>, Path(id): Path<String>) -> Response {
    match sim.with_data(|data| data.groups.remove(&id)) {
        Some(group) => to_json(&group),
        None => error(StatusCode::NOT_FOUND, "群不存在"),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RobotBody {
    robot_code: String,
}

/// `POST /sim/groups/{id}/robots {"robotCode"}`: adds a robot to the group.
async fn add_robot(
    State(sim): State<Sim>,
    Path(id): Path<String>,
    Json(body): Json<RobotBody>,
) -> Response {
    let updated = sim.with_data(|data| {
        let group = data.groups.get_mut(&id)?;
        if !group.robot_codes.contains(&body.robot_code) {
            group.robot_codes.push(body.robot_code.clone());
        }
        Some(group.clone())
    });
    match updated {
        Some(group) => to_json(&group),
        None => error(StatusCode::NOT_FOUND, "群不存在"),
    }
}

/// `DELETE /sim/groups/{id}/robots/{robotCode}`: removes a robot from the group.
async fn remove_robot(
    State(sim): State<Sim>,
    Path((id, robot_code)): Path<(String, String)>,
) -> Response {
    let updated = sim.with_data(|data| {
        let group = data.groups.get_mut(&id)?;
        group.robot_codes.retain(|r| *r != robot_code);
        Some(group.clone())
    });
    match updated {
        Some(group) => to_json(&group),
        None => error(StatusCode::NOT_FOUND, "群不存在"),
    }
}

/// `POST /sim/oauth2/codes {"userId"}` → `{"code"}`: the code DingTalk's web login would put
/// on the redirect after the user confirmed.
async fn oauth_code(State(sim): State<Sim>, Json(body): Json<AuthCodeBody>) -> Response {
    match crate::routes::oauth::issue_code(&sim, &body.user_id) {
        Some(code) => Json(json!({ "code": code })).into_response(),
        None => error(StatusCode::NOT_FOUND, "用户不存在"),
    }
}

async fn approvals(State(sim): State<Sim>) -> Response {
    sim.with_data_read(|data| to_json(&data.approvals))
}

async fn approval(State(sim): State<Sim>, Path(id): Path<String>) -> Response {
    match sim.with_data(|data| data.approval_mut(&id).map(|a| a.clone())) {
        Some(approval) => to_json(&approval),
        None => error(StatusCode::NOT_FOUND, "审批实例不存在"),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DecideBody {
    result: String,
    #[serde(default)]
    remark: String,
    #[serde(default)]
    staff_id: Option<String>,
    /// Fields the approver edits before deciding: `[{"name": "更正分值", "value": "3"}]`.
    #[serde(default)]
    form_values: Vec<FormEdit>,
}

#[derive(Deserialize)]
struct FormEdit {
    name: String,
    value: String,
}

/// Applies a decision from the control API or the page.
pub fn decide_approval(
    sim: &Sim,
    id: &str,
    result: &str,
    remark: &str,
    staff_id: Option<&str>,
) -> Response {
    let Some(decision) = Decision::parse(result) else {
        return error(StatusCode::BAD_REQUEST, "result 只能是 agree 或 refuse");
    };
    match workflow::decide(
        sim,
        id,
        staff_id.filter(|s| !s.is_empty()),
        None,
        decision,
        remark,
    ) {
        Ok(approval) => to_json(&approval),
        Err(workflow::DecideError::UnknownInstance) => {
            error(StatusCode::NOT_FOUND, "审批实例不存在")
        }
        Err(workflow::DecideError::Refused(refusal)) => {
            error(StatusCode::CONFLICT, &refusal.to_string())
        }
    }
}

async fn decide(
    State(sim): State<Sim>,
    Path(id): Path<String>,
    Json(body): Json<DecideBody>,
) -> Response {
    let edits: Vec<(String, String)> = body
        .form_values
        .iter()
        .map(|e| (e.name.clone(), e.value.clone()))
        .collect();
    let staff = body.staff_id.as_deref().filter(|s| !s.is_empty());
    match workflow::edit_form(&sim, &id, staff, &edits) {
        Ok(()) => {}
        Err(workflow::DecideError::UnknownInstance) => {
            return error(StatusCode::NOT_FOUND, "审批实例不存在");
        }
        Err(workflow::DecideError::Refused(refusal)) => {
            return error(StatusCode::CONFLICT, &refusal.to_string());
        }
    }
    decide_approval(
        &sim,
        &id,
        &body.result,
        &body.remark,
        body.staff_id.as_deref(),
    )
}

async fn cards(State(sim): State<Sim>) -> Response {
    sim.with_data_read(|data| to_json(&data.cards))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PressBody {
    user_id: String,
    #[serde(default)]
    params: Value,
}

async fn press(
    State(sim): State<Sim>,
    Path(out_track_id): Path<String>,
    Json(body): Json<PressBody>,
) -> Response {
    let params = if body.params.is_null() {
        json!({})
    } else {
        body.params
    };
    match card::press(&sim, &out_track_id, &body.user_id, params).await {
        Ok(record) => Json(record).into_response(),
        Err(message) if message == "卡片不存在" => error(StatusCode::NOT_FOUND, &message),
        Err(message) => error(StatusCode::BAD_GATEWAY, &message),
    }
}

async fn work_notifications(State(sim): State<Sim>) -> Response {
    sim.with_data_read(|data| to_json(&data.work_notifications))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupMessagesQuery {
    #[serde(default)]
    open_conversation_id: Option<String>,
}

/// `GET /sim/group-messages[?openConversationId=]`: messages sent, of one group when asked.
async fn group_messages(
    State(sim): State<Sim>,
    axum::extract::Query(query): axum::extract::Query<GroupMessagesQuery>,
) -> Response {
    sim.with_data_read(|data| {
        let list: Vec<_> = data
            .group_messages
            .iter()
            .filter(|m| {
                query
                    .open_conversation_id
                    .as_deref()
                    .is_none_or(|id| m.open_conversation_id == id)
            })
            .collect();
        to_json(&list)
    })
}

async fn media(State(sim): State<Sim>) -> Response {
    sim.with_data_read(|data| to_json(&data.media))
}

async fn list_events(State(sim): State<Sim>) -> Response {
    sim.with_data_read(|data| to_json(&data.events))
}

async fn stats(State(sim): State<Sim>) -> Response {
    let stats = sim.with_stats(|stats| stats.clone());
    to_json(&stats)
}

async fn get_faults(State(sim): State<Sim>) -> Response {
    let faults = sim.with_faults(|faults| faults.clone());
    to_json(&faults)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultsBody {
    error_rate: Option<f64>,
    latency_ms: Option<u64>,
    drop_rate: Option<f64>,
    rate_limit_next: Option<u32>,
    duplicate_rate: Option<f64>,
    callbacks_down: Option<bool>,
    #[serde(default)]
    invalidate_tokens: bool,
}

/// `POST /sim/faults`: sets the given knobs (others unchanged); `invalidateTokens` is a one-off.
async fn set_faults(State(sim): State<Sim>, Json(body): Json<FaultsBody>) -> Response {
    for rate in [body.error_rate, body.drop_rate, body.duplicate_rate]
        .into_iter()
        .flatten()
    {
        if !(0.0..=1.0).contains(&rate) {
            return error(StatusCode::BAD_REQUEST, "比例必须在 0 到 1 之间");
        }
    }
    let faults: Faults = sim.with_faults(|faults| {
        if let Some(rate) = body.error_rate {
            faults.error_rate = rate;
        }
        if let Some(latency) = body.latency_ms {
            faults.latency_ms = latency;
        }
        if let Some(rate) = body.drop_rate {
            faults.drop_rate = rate;
        }
        if let Some(rate) = body.duplicate_rate {
            faults.duplicate_rate = rate;
        }
        if let Some(next) = body.rate_limit_next {
            faults.rate_limit_next = next;
        }
        if let Some(down) = body.callbacks_down {
            faults.callbacks_down = down;
        }
        faults.clone()
    });
    if body.invalidate_tokens {
        sim.with_data(|data| data.tokens.invalidate());
    }
    to_json(&faults)
}

async fn clock(State(sim): State<Sim>) -> Response {
    Json(json!({ "now": sim.clock().now(), "offsetSeconds": sim.clock().offset().as_secs() }))
        .into_response()
}

#[derive(Deserialize)]
struct AdvanceBody {
    seconds: u64,
}

async fn advance_clock(State(sim): State<Sim>, Json(body): Json<AdvanceBody>) -> Response {
    sim.clock().advance(Duration::from_secs(body.seconds));
    clock(State(sim)).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContactEventBody {
    event_type: String,
    user_ids: Vec<String>,
}

async fn contact_events(State(sim): State<Sim>, Json(body): Json<ContactEventBody>) -> Response {
    if !CONTACT_EVENT_TYPES.contains(&body.event_type.as_str()) {
        return error(
            StatusCode::BAD_REQUEST,
            "eventType 只能是 user_add_org、user_modify_org 或 user_leave_org",
        );
    }
    if body.user_ids.is_empty() {
        return error(StatusCode::BAD_REQUEST, "userIds 不能为空");
    }
    let event = events::contact_event(
        &sim.config().corp_id,
        &body.event_type,
        &body.user_ids,
        sim.clock().now_ms(),
    );
    let event_id = event.event_id.clone();
    sim.emit(event);
    Json(json!({ "eventId": event_id })).into_response()
}

async fn check_url(State(sim): State<Sim>) -> Response {
    let (ok, detail) = delivery::check_url(&sim).await;
    Json(json!({ "ok": ok, "detail": detail })).into_response()
}

async fn stream_connections(State(sim): State<Sim>) -> Response {
    Json(Value::Array(sim.streams().list())).into_response()
}

async fn stream_drop(State(sim): State<Sim>) -> Response {
    Json(json!({ "closed": sim.streams().drop_all() })).into_response()
}

async fn stream_disconnect(State(sim): State<Sim>) -> Response {
    let grace = sim.config().stream_disconnect_grace;
    Json(json!({ "notified": sim.streams().disconnect_all(grace) })).into_response()
}

async fn stream_ping(State(sim): State<Sim>) -> Response {
    let timeout = sim.config().event_timeout;
    let mut results = Vec::new();
    for (pending, opaque) in sim.streams().ping_all() {
        let answered = match tokio::time::timeout(timeout, pending.ack).await {
            Ok(Ok(ack)) => {
                ack.code == Some(200)
                    && ack.data.get("opaque").and_then(Value::as_str) == Some(opaque.as_str())
            }
            _ => false,
        };
        results.push(json!({ "connectionId": pending.connection_id, "ok": answered }));
    }
    Json(Value::Array(results)).into_response()
}
