//! OA approvals (API.md §5): form templates, instances, execute and terminate.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::events;
use crate::extract::ApiCall;
use crate::ids;
use crate::org::{Organisation, ROOT_DEPT_ID};
use crate::records::{
    Approval, ApprovalChange, ApprovalError, Decision, Form, FormComponent, NewApproval, Node,
};
use crate::state::Sim;
use crate::wire::api;

fn invalid(message: &str) -> Response {
    api::bad_request("invalidParameter", message)
}

/// DingTalk's minute-precision instance times: `2022-08-31T11:52Z`.
fn minute_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%MZ").to_string()
}

/// Emits the events of approval transitions in order.
pub fn emit_changes(sim: &Sim, approval: &Approval, changes: &[ApprovalChange]) {
    let born = sim.clock().now_ms();
    for change in changes {
        sim.emit(events::approval_event(
            &sim.config().corp_id,
            approval,
            change,
            born,
        ));
    }
}

/// `POST /v1.0/workflow/forms`: create or update a template.
pub async fn save_form(State(sim): State<Sim>, call: ApiCall) -> Response {
    let Some(name) = call.text("name") else {
        return invalid("表单名称不能为空");
    };
    let mut components = Vec::new();
    for component in call
        .body
        .get("formComponents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let props = component.get("props").unwrap_or(&Value::Null);
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_owned();
        let label = text(props.get("label"));
        if label.is_empty() {
            return invalid("控件 label 不能为空");
        }
        components.push(FormComponent {
            component_type: text(component.get("componentType")),
            component_id: text(props.get("componentId")),
            label,
            required: props
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        });
    }
    let requested = call.text("processCode");
    let result = sim.with_data(|data| {
        let process_code = match requested {
            Some(code) if data.forms.contains_key(&code) => code,
            Some(_) => return Err(api::bad_request("processCodeError", "processCode不存在")),
            None => format!("PROC-{}", ids::uuid().to_ascii_uppercase()),
        };
        data.forms.insert(
            process_code.clone(),
            Form {
                process_code: process_code.clone(),
                name,
                description: call.text("description").unwrap_or_default(),
                components,
            },
        );
        Ok(process_code)
    });
    match result {
        Ok(code) => api::ok(json!({ "result": { "processCode": code } })),
        Err(response) => response,
    }
}

fn normalise_form_values(call: &ApiCall, form: Option<&Form>) -> Result<Vec<Value>, Response> {
    let values = call
        .body
        .get("formComponentValues")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let converter = |label: &str| {
        api::bad_request(
            "formConverterError",
            &format!("表单数据校验失败，失败控件：{label}"),
        )
    };
    let mut normalised = Vec::new();
    for value in &values {
        let name = value.get("name").and_then(Value::as_str).unwrap_or("");
        let Some(text) = value.get("value").and_then(Value::as_str) else {
            return Err(converter(name));
        };
        let component = form.map(|f| f.components.iter().find(|c| c.label == name));
        if matches!(component, Some(None)) || name.is_empty() {
            return Err(converter(name));
        }
        let component = component.flatten();
        normalised.push(json!({
            "id": value.get("id").cloned().unwrap_or_else(|| json!(component.map(|c| c.component_id.clone()).unwrap_or_default())),
            "name": name,
            "value": text,
            "extValue": value.get("extValue").cloned().unwrap_or(json!("")),
            "componentType": value.get("componentType").cloned().unwrap_or_else(|| json!(component.map(|c| c.component_type.clone()).unwrap_or_default())),
            "bizAlias": value.get("bizAlias").cloned().unwrap_or(json!("")),
        }));
    }
    if let Some(form) = form {
        for component in form.components.iter().filter(|c| c.required) {
            let filled = normalised.iter().any(|v| {
                v["name"] == component.label.as_str()
                    && v["value"].as_str().is_some_and(|s| !s.is_empty())
            });
            if !filled {
                return Err(converter(&component.label));
            }
        }
    }
    Ok(normalised)
}

/// Approvers of the "console flow": staff of the department, else of the nearest ancestor.
fn console_flow(org: &Organisation, dept_id: i64) -> Vec<String> {
    let mut current = Some(dept_id);
    while let Some(id) = current {
        let staff: Vec<String> = org.staff_in(id).iter().map(|u| u.user_id.clone()).collect();
        if !staff.is_empty() {
            return staff;
        }
        current = org.departments.get(&id).and_then(|d| d.parent_id);
    }
    Vec::new()
}

fn parse_nodes(call: &ApiCall, org: &Organisation) -> Result<Option<Vec<Node>>, Response> {
    let Some(list) = call.body.get("approvers").and_then(Value::as_array) else {
        return Ok(None);
    };
    if list.len() > 20 {
        return Err(invalid("approvers 最多 20 个节点"));
    }
    let mut nodes = Vec::new();
    for entry in list {
        let user_ids: Vec<String> = entry
            .get("userIds")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        if user_ids.is_empty() {
            return Err(invalid("审批人 userIds 不能为空"));
        }
        if let Some(unknown) = user_ids.iter().find(|id| org.user(id).is_none()) {
            return Err(invalid(&format!("审批人不存在：{unknown}")));
        }
        let action_type = entry
            .get("actionType")
            .and_then(Value::as_str)
            .unwrap_or("NONE");
        if !["AND", "OR", "NONE"].contains(&action_type.to_ascii_uppercase().as_str()) {
            return Err(invalid("actionType 只能是 AND、OR 或 NONE"));
        }
        nodes.push(Node {
            action_type: action_type.to_ascii_uppercase(),
            user_ids,
        });
    }
    Ok((!nodes.is_empty()).then_some(nodes))
}

/// `POST /v1.0/workflow/processInstances` → `{"instanceId"}`.
pub async fn create(State(sim): State<Sim>, call: ApiCall) -> Response {
    let (Some(originator), Some(process_code)) =
        (call.text("originatorUserId"), call.text("processCode"))
    else {
        return invalid("originatorUserId 和 processCode 不能为空");
    };
    let dept_id = call
        .body
        .get("deptId")
        .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
    if let Some(agent) = call.body.get("microappAgentId").filter(|v| !v.is_null()) {
        let agent = agent.as_i64().or_else(|| agent.as_str()?.parse().ok());
        if agent != Some(sim.config().agent_id) {
            return api::bad_request("invalidAgentId", "microappAgentId 无效");
        }
    }
    let now = sim.clock().now();
    let configured = sim.config().process_codes.contains(&process_code);
    let result = sim.with_data(|data| {
        let form = data.forms.get(&process_code).cloned();
        if form.is_none() && !configured {
            return Err(api::bad_request("processCodeError", "processCode不存在"));
        }
        let Some(user) = data.org.user(&originator).cloned() else {
            return Err(api::bad_request(
                "processInstanceStartFailed",
                "发起人不存在",
            ));
        };
        let nodes = parse_nodes(&call, &data.org)?;
        let dept_id = match (dept_id, &nodes) {
            (Some(id), _) => id,
            (None, Some(_)) => user.dept_ids.first().copied().unwrap_or(ROOT_DEPT_ID),
            (None, None) => return Err(invalid("未指定审批人时 deptId 不能为空")),
        };
        if dept_id != -1 && !user.dept_ids.contains(&dept_id) {
            return Err(api::bad_request(
                "processInstanceStartFailed",
                "发起人不在该部门",
            ));
        }
        let nodes = match nodes {
            Some(nodes) => nodes,
            None => {
                let staff = console_flow(
                    &data.org,
                    if dept_id == -1 { ROOT_DEPT_ID } else { dept_id },
                );
                if staff.is_empty() {
                    return Err(api::bad_request(
                        "processInstanceStartFailed",
                        "审批流程中没有审批人",
                    ));
                }
                vec![Node {
                    action_type: "OR".into(),
                    user_ids: staff,
                }]
            }
        };
        let form_values = normalise_form_values(&call, form.as_ref())?;
        let form_name = form.map_or_else(|| process_code.clone(), |f| f.name);
        let cc_user_ids = call
            .body
            .get("ccList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let new = NewApproval {
            id: ids::uuid(),
            process_code: process_code.clone(),
            title: format!("{}提交的{}", user.name, form_name),
            originator_user_id: originator.clone(),
            originator_dept_id: dept_id,
            originator_dept_name: if dept_id == -1 {
                data.org.dept_name(ROOT_DEPT_ID)
            } else {
                data.org.dept_name(dept_id)
            },
            form_values,
            nodes,
            cc_user_ids,
            business_id: format!(
                "{}{:06}",
                now.format("%Y%m%d%H%M"),
                data.approvals.len() + 1
            ),
        };
        let (approval, changes) = Approval::start(new, now, &mut data.next_task_id);
        data.approvals.push(approval.clone());
        Ok((approval, changes))
    });
    match result {
        Ok((approval, changes)) => {
            emit_changes(&sim, &approval, &changes);
            api::ok(json!({ "instanceId": approval.id }))
        }
        Err(response) => response,
    }
}

/// The `result` object of `GET /v1.0/workflow/processInstances`.
pub fn instance_json(approval: &Approval, corp_id: &str) -> Value {
    let tasks: Vec<Value> = approval
        .tasks
        .iter()
        .map(|task| {
            let mut value = json!({
                "taskId": task.task_id,
                "userId": task.user_id,
                "status": task.status.as_str(),
                "createTime": minute_time(task.created_at),
                "mobileUrl": format!("aflow.dingtalk.com?procInsId={}&taskId={}&businessId={}", approval.id, task.task_id, approval.business_id),
                "pcUrl": format!("aflow.dingtalk.com?procInsId={}&taskId={}&businessId={}", approval.id, task.task_id, approval.business_id),
                "processInstanceId": approval.id,
                "activityId": task.activity_id,
            });
            if let Some(result) = task.result {
                value["result"] = json!(result.as_upper());
            }
            if let Some(finished) = task.finished_at {
                value["finishTime"] = json!(minute_time(finished));
            }
            value
        })
        .collect();
    let records: Vec<Value> = approval
        .records
        .iter()
        .map(|r| {
            json!({
                "userId": r.user_id,
                "date": minute_time(r.date),
                "type": r.kind,
                "result": r.result,
                "remark": r.remark,
                "showName": r.kind,
            })
        })
        .collect();
    let mut result = json!({
        "title": approval.title,
        "createTime": minute_time(approval.created_at),
        "originatorUserId": approval.originator_user_id,
        "originatorDeptId": approval.originator_dept_id.to_string(),
        "originatorDeptName": approval.originator_dept_name,
        "status": approval.status.as_str(),
        "approverUserIds": approval.approver_user_ids(),
        "ccUserIds": approval.cc_user_ids,
        "businessId": approval.business_id,
        "bizAction": "NONE",
        "attachedProcessInstanceIds": [],
        "mainProcessInstanceId": "",
        "formComponentValues": approval.form_values,
        "operationRecords": records,
        "tasks": tasks,
        "corpId": corp_id,
    });
    if let Some(outcome) = approval.result {
        result["result"] = json!(outcome.as_str());
    }
    if let Some(finished) = approval.finished_at {
        result["finishTime"] = json!(minute_time(finished));
    }
    result
}

/// `GET /v1.0/workflow/processInstances?processInstanceId=`.
pub async fn get_instance(State(sim): State<Sim>, call: ApiCall) -> Response {
    let id = call.query("processInstanceId").unwrap_or("").to_owned();
    let corp_id = sim.config().corp_id.clone();
    match sim.with_data(|data| data.approval_mut(&id).map(|a| instance_json(a, &corp_id))) {
        Some(result) => api::ok(json!({ "success": true, "result": result })),
        None => api::bad_request("processInstanceIdError", "审批实例id不存在"),
    }
}

/// Why a decision was refused (shared by `execute` and the control endpoint).
#[derive(Debug)]
pub enum DecideError {
    /// Unknown instance.
    UnknownInstance,
    /// State machine refusal.
    Refused(ApprovalError),
}

/// An approver edits form fields before deciding (DingTalk lets approvers edit fields the form
/// grants them): each `(label, value)` replaces that field's value, or adds it when the instance
/// has no value for it yet. Only the approver of a running task may edit.
///
/// # Errors
/// [`DecideError`] as for [`decide`].
pub fn edit_form(
    sim: &Sim,
    instance_id: &str,
    user_id: Option<&str>,
    edits: &[(String, String)],
) -> Result<(), DecideError> {
    if edits.is_empty() {
        return Ok(());
    }
    sim.with_data(|data| {
        let approval = data
            .approval_mut(instance_id)
            .ok_or(DecideError::UnknownInstance)?;
        let may_edit = approval
            .running_tasks()
            .any(|t| user_id.is_none_or(|u| u == t.user_id));
        if !may_edit {
            return Err(DecideError::Refused(ApprovalError::NotRunning));
        }
        for (label, value) in edits {
            match approval
                .form_values
                .iter_mut()
                .find(|v| v["name"] == label.as_str())
            {
                Some(existing) => existing["value"] = json!(value),
                None => approval.form_values.push(json!({
                    "id": "",
                    "name": label,
                    "value": value,
                    "extValue": "",
                    "componentType": "",
                    "bizAlias": "",
                })),
            }
        }
        Ok(())
    })
}

/// Applies an approver's decision and emits its events. With `user_id` `None`, the first
/// running task decides.
pub fn decide(
    sim: &Sim,
    instance_id: &str,
    user_id: Option<&str>,
    task_id: Option<i64>,
    decision: Decision,
    remark: &str,
) -> Result<Approval, DecideError> {
    let now = sim.clock().now();
    let (approval, changes) = sim.with_data(|data| {
        let mut next_task_id = data.next_task_id;
        let approval = data
            .approval_mut(instance_id)
            .ok_or(DecideError::UnknownInstance)?;
        let user = match user_id {
            Some(user) => user.to_owned(),
            None => approval
                .running_tasks()
                .next()
                .map(|t| t.user_id.clone())
                .ok_or(DecideError::Refused(ApprovalError::NotRunning))?,
        };
        let changes = approval
            .decide(&user, task_id, decision, remark, now, &mut next_task_id)
            .map_err(DecideError::Refused)?;
        let snapshot = approval.clone();
        data.next_task_id = next_task_id;
        Ok::<_, DecideError>((snapshot, changes))
    })?;
    emit_changes(sim, &approval, &changes);
    Ok(approval)
}

/// `POST /v1.0/workflow/processInstances/execute`.
pub async fn execute(State(sim): State<Sim>, call: ApiCall) -> Response {
    let (Some(id), Some(actioner)) = (call.text("processInstanceId"), call.text("actionerUserId"))
    else {
        return invalid("processInstanceId 和 actionerUserId 不能为空");
    };
    let Some(decision) = call.text("result").as_deref().and_then(Decision::parse) else {
        return invalid("result 只能是 agree 或 refuse");
    };
    let task_id = call
        .body
        .get("taskId")
        .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
    let Some(task_id) = task_id else {
        return invalid("taskId 不能为空");
    };
    let remark = call.text("remark").unwrap_or_default();
    match decide(&sim, &id, Some(&actioner), Some(task_id), decision, &remark) {
        Ok(_) => api::ok(json!({ "result": true, "success": true })),
        Err(DecideError::UnknownInstance) => {
            api::bad_request("processInstanceIdError", "审批实例id不存在")
        }
        Err(DecideError::Refused(error)) => invalid(&error.to_string()),
    }
}

/// `POST /v1.0/workflow/processInstances/terminate`.
pub async fn terminate(State(sim): State<Sim>, call: ApiCall) -> Response {
    let Some(id) = call.text("processInstanceId") else {
        return invalid("processInstanceId 不能为空");
    };
    let is_system = call
        .body
        .get("isSystem")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let operator = call.text("operatingUserId");
    if !is_system && operator.is_none() {
        return invalid("非系统撤销时 operatingUserId 不能为空");
    }
    let remark = call.text("remark").unwrap_or_default();
    let now = sim.clock().now();
    let result = sim.with_data(|data| {
        let approval = data.approval_mut(&id).ok_or(DecideError::UnknownInstance)?;
        let operator = if is_system { None } else { operator.as_deref() };
        let changes = approval
            .terminate(operator, &remark, now)
            .map_err(DecideError::Refused)?;
        Ok::<_, DecideError>((approval.clone(), changes))
    });
    match result {
        Ok((approval, changes)) => {
            emit_changes(&sim, &approval, &changes);
            api::ok(json!({ "result": true, "success": true }))
        }
        Err(DecideError::UnknownInstance) => {
            api::bad_request("processInstanceIdError", "审批实例id不存在")
        }
        Err(DecideError::Refused(ApprovalError::TooEarly)) => api::error(
            StatusCode::BAD_REQUEST,
            "aflowProcessInstStatusException",
            "审批实例刚发起，暂不能撤销",
        ),
        Err(DecideError::Refused(error)) => invalid(&error.to_string()),
    }
}
