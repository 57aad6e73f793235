//! OA approvals (API.md §5; docs/rules.md F2, R9).

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{ADMIN, Reply, TestSim, VILLAGER, start, start_with_receiver};

async fn form(sim: &TestSim) -> String {
    let (status, body) = sim
        .api(
            Method::POST,
            "/v1.0/workflow/forms",
            Some(json!({
                "name": "积分申报",
                "description": "村民申报好人好事",
                "formComponents": [
                    {"componentType": "TextField", "props": {"componentId": "TextField-1", "label": "积分项目", "required": true}},
                    {"componentType": "TextareaField", "props": {"componentId": "TextareaField-1", "label": "事项说明", "required": false}}
                ]
            })),
        )
        .await;
    assert_eq!(status, 200);
    body["result"]["processCode"]
        .as_str()
        .expect("processCode")
        .to_owned()
}

async fn create(sim: &TestSim, process_code: &str, extra: Value) -> (u16, Value) {
    let mut body = json!({
        "originatorUserId": VILLAGER,
        "processCode": process_code,
        "deptId": 1000,
        "formComponentValues": [
            {"name": "积分项目", "value": "PA-01 帮助邻里"},
            {"name": "事项说明", "value": "帮邻居收稻谷"}
        ]
    });
    if let (Some(target), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        target.extend(extra.clone());
    }
    sim.api(Method::POST, "/v1.0/workflow/processInstances", Some(body))
        .await
}

async fn instance(sim: &TestSim, id: &str) -> Value {
    let (status, body) = sim
        .api(
            Method::GET,
            &format!("/v1.0/workflow/processInstances?processInstanceId={id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["success"], true);
    body["result"].clone()
}

#[tokio::test]
async fn f2_create_answers_instance_id_and_get_shows_running_with_tasks() {
    let sim = start().await;
    let code = form(&sim).await;
    let (status, body) = create(&sim, &code, json!({})).await;
    assert_eq!(status, 200);
    let id = body["instanceId"].as_str().expect("instanceId").to_owned();
    assert_eq!(body.as_object().map(|o| o.len()), Some(1));

    let result = instance(&sim, &id).await;
    assert_eq!(result["status"], "RUNNING");
    assert!(result.get("result").is_none());
    assert_eq!(result["originatorUserId"], VILLAGER);
    assert_eq!(result["originatorDeptId"], "1000");
    assert_eq!(result["title"], "王强提交的积分申报");
    assert_eq!(result["formComponentValues"][0]["name"], "积分项目");
    assert_eq!(result["formComponentValues"][0]["value"], "PA-01 帮助邻里");
    let tasks = result["tasks"].as_array().expect("tasks");
    // Console flow: the staff of the nearest department with staff (village 100).
    let mut approvers: Vec<&str> = tasks.iter().filter_map(|t| t["userId"].as_str()).collect();
    approvers.sort_unstable();
    assert_eq!(approvers, ["u-admin-heping", "u-zhangming"]);
    assert!(
        tasks
            .iter()
            .all(|t| t["status"] == "RUNNING" && t["taskId"].is_i64())
    );
    assert!(
        result["createTime"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.len() == 17)
    );
}

#[tokio::test]
async fn explicit_approvers_and_execute_complete_the_instance() {
    let sim = start().await;
    let code = form(&sim).await;
    let (_, body) = create(
        &sim,
        &code,
        json!({"approvers": [{"actionType": "NONE", "userIds": [ADMIN]}]}),
    )
    .await;
    let id = body["instanceId"].as_str().expect("id").to_owned();
    let task_id = instance(&sim, &id).await["tasks"][0]["taskId"]
        .as_i64()
        .expect("taskId");

    let (status, body) = sim
        .api(
            Method::POST,
            "/v1.0/workflow/processInstances/execute",
            Some(json!({"processInstanceId": id, "taskId": task_id, "actionerUserId": VILLAGER, "result": "agree"})),
        )
        .await;
    assert_eq!(status, 400, "only the task's approver may act: {body}");

    let (status, body) = sim
        .api(
            Method::POST,
            "/v1.0/workflow/processInstances/execute",
            Some(json!({"processInstanceId": id, "taskId": task_id, "actionerUserId": ADMIN, "result": "refuse", "remark": "照片不清楚"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"result": true, "success": true}))
    );
    let result = instance(&sim, &id).await;
    assert_eq!(result["status"], "COMPLETED");
    assert_eq!(result["result"], "refuse");
    assert_eq!(result["tasks"][0]["result"], "REFUSE");
    assert!(result["finishTime"].is_string());
}

#[tokio::test]
async fn invalid_instances_are_refused_with_documented_codes() {
    let sim = start().await;
    let (status, body) = create(&sim, "PROC-UNKNOWN", json!({})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("processCodeError"))
    );

    let code = form(&sim).await;
    let (status, body) = create(
        &sim,
        &code,
        json!({"formComponentValues": [{"name": "不存在的控件", "value": "x"}]}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "formConverterError");
    assert_eq!(body["message"], "表单数据校验失败，失败控件：不存在的控件");

    let (status, body) = create(
        &sim,
        &code,
        json!({"formComponentValues": [{"name": "事项说明", "value": "x"}]}),
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (400, Some("表单数据校验失败，失败控件：积分项目"))
    );

    let mut no_dept = json!({"originatorUserId": VILLAGER, "processCode": code,
        "formComponentValues": [{"name": "积分项目", "value": "x"}]});
    let (status, body) = sim
        .api(
            Method::POST,
            "/v1.0/workflow/processInstances",
            Some(no_dept.take()),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalidParameter"))
    );

    let (status, body) = sim
        .api(
            Method::GET,
            "/v1.0/workflow/processInstances?processInstanceId=nope",
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("processInstanceIdError"))
    );
}

#[tokio::test]
async fn process_codes_from_the_console_need_no_form() {
    let sim = crate::support::start_with(|c| c.process_codes = vec!["PROC-CONSOLE".into()]).await;
    let (status, _) = create(&sim, "PROC-CONSOLE", json!({})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn terminate_needs_15_seconds_then_revokes_without_result() {
    let sim = start().await;
    let code = form(&sim).await;
    let (_, body) = create(&sim, &code, json!({})).await;
    let id = body["instanceId"].as_str().expect("id").to_owned();
    let revoke = json!({"processInstanceId": id, "isSystem": false, "operatingUserId": VILLAGER, "remark": "不申报了"});
    let (status, body) = sim
        .api(
            Method::POST,
            "/v1.0/workflow/processInstances/terminate",
            Some(revoke.clone()),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("aflowProcessInstStatusException"))
    );
    sim.advance(16).await;
    let (status, _) = sim
        .api(
            Method::POST,
            "/v1.0/workflow/processInstances/terminate",
            Some(revoke),
        )
        .await;
    assert_eq!(status, 200);
    let result = instance(&sim, &id).await;
    assert_eq!(result["status"], "TERMINATED");
    assert!(result.get("result").is_none());
    assert!(
        result["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .all(|t| t["status"] == "CANCELED")
    );
}

#[tokio::test]
async fn r9_decide_pushes_task_finish_then_instance_finish_to_the_callback() {
    let (sim, receiver) = start_with_receiver(Reply::Sealed).await;
    let code = form(&sim).await;
    let (_, body) = create(
        &sim,
        &code,
        json!({"approvers": [{"actionType": "OR", "userIds": [ADMIN, "u-zhangming"]}]}),
    )
    .await;
    let id = body["instanceId"].as_str().expect("id").to_owned();
    let decided = sim
        .post(
            &format!("/sim/approvals/{id}/decide"),
            json!({"result": "agree", "remark": "已上门核实", "staffId": ADMIN}),
        )
        .await;
    assert_eq!(decided["status"], "COMPLETED");

    let events = sim
        .events_until(|events| events.iter().filter(|e| e["status"] == "delivered").count() >= 6)
        .await;
    let kinds: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            (
                e["eventType"].as_str().unwrap_or("").to_owned(),
                e["payload"]["type"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("bpms_instance_change", "start"),
        ("bpms_task_change", "start"),
        ("bpms_task_change", "start"),
        ("bpms_task_change", "finish"),
        ("bpms_task_change", "cancel"),
        ("bpms_instance_change", "finish"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(kinds, expected);

    let payloads = receiver.payloads();
    let task_finish = payloads
        .iter()
        .find(|p| p["EventType"] == "bpms_task_change" && p["type"] == "finish")
        .expect("task finish pushed");
    assert_eq!(task_finish["result"], "agree");
    assert_eq!(task_finish["staffId"], ADMIN);
    assert_eq!(task_finish["remark"], "已上门核实");
    assert!(task_finish["taskId"].is_i64());
    let finish = payloads
        .iter()
        .find(|p| p["EventType"] == "bpms_instance_change" && p["type"] == "finish")
        .expect("instance finish pushed");
    assert_eq!(finish["processInstanceId"], id.as_str());
    assert_eq!(finish["processCode"], code.as_str());
    assert_eq!(finish["result"], "agree");
    assert_eq!(finish["staffId"], VILLAGER);
    assert_eq!(finish["CorpId"], "dingtestcorp");
    assert_eq!(finish["BizId"], id.as_str());
    for field in ["eventId", "title", "url", "businessId"] {
        assert!(finish[field].is_string(), "{field}");
    }
    for field in ["EventTime", "createTime", "finishTime"] {
        assert!(finish[field].is_i64(), "{field}");
    }
    let position = |kind: &str, ty: &str| {
        payloads
            .iter()
            .position(|p| p["EventType"] == kind && p["type"] == ty)
    };
    assert!(position("bpms_task_change", "finish") < position("bpms_instance_change", "finish"));

    let again = sim
        .http
        .post(sim.url(&format!("/sim/approvals/{id}/decide")))
        .json(&json!({"result": "refuse"}))
        .send()
        .await
        .expect("post");
    assert_eq!(
        again.status(),
        409,
        "a decided instance cannot be decided again"
    );
}

#[tokio::test]
async fn the_page_lists_approvals_and_its_form_decides_them() {
    let sim = start().await;
    let code = form(&sim).await;
    let (_, body) = create(
        &sim,
        &code,
        json!({"approvers": [{"actionType": "NONE", "userIds": [ADMIN]}]}),
    )
    .await;
    let id = body["instanceId"].as_str().expect("id").to_owned();

    let page = sim.http.get(sim.url("/sim/")).send().await.expect("page");
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/html"))
    );
    let html = page.text().await.expect("html");
    assert!(html.contains("审批实例"));
    assert!(html.contains("王强提交的积分申报"));
    assert!(html.contains(&format!("/sim/ui/approvals/{id}/decide")));

    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let response = no_redirect
        .post(sim.url(&format!("/sim/ui/approvals/{id}/decide")))
        .form(&[("result", "agree"), ("remark", "同意"), ("staffId", ADMIN)])
        .send()
        .await
        .expect("form post");
    assert_eq!(response.status(), 303);
    assert_eq!(instance(&sim, &id).await["result"], "agree");
}

#[tokio::test]
async fn a_wrong_agent_id_is_refused() {
    let sim = start().await;
    let code = form(&sim).await;
    let (status, body) = create(&sim, &code, json!({"microappAgentId": 42})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalidAgentId"))
    );
}
