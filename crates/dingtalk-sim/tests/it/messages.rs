//! Work notifications, group messages and media (API.md §7–9; docs/rules.md F2, F5).

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::support::{AGENT_ID, APP_KEY, start};

#[tokio::test]
async fn f2_work_notification_returns_task_id_and_reports_silent_drops() {
    let sim = start().await;
    let msg = json!({"msgtype": "text", "text": {"content": "您的积分申报已通过"}});
    let send = json!({"agent_id": AGENT_ID, "userid_list": "u-wangqiang,nobody", "msg": msg});
    let first = sim
        .oapi(
            "/topapi/message/corpconversation/asyncsend_v2",
            send.clone(),
        )
        .await;
    assert_eq!(first["errcode"], 0);
    assert!(first["task_id"].is_i64());
    assert!(first["request_id"].is_string());
    let second = sim
        .oapi("/topapi/message/corpconversation/asyncsend_v2", send)
        .await;
    assert_eq!(second["errcode"], 0, "limits still answer success");

    let result = sim
        .oapi(
            "/topapi/message/corpconversation/getsendresult",
            json!({"agent_id": AGENT_ID, "task_id": first["task_id"]}),
        )
        .await;
    let send_result = &result["send_result"];
    assert_eq!(send_result["invalid_user_id_list"], json!(["nobody"]));
    assert_eq!(send_result["unread_user_id_list"], json!(["u-wangqiang"]));
    let result = sim
        .oapi(
            "/topapi/message/corpconversation/getsendresult",
            json!({"agent_id": AGENT_ID, "task_id": second["task_id"]}),
        )
        .await;
    assert_eq!(
        result["send_result"]["forbidden_list"],
        json!([{"code": "143106", "count": 1, "userid": "u-wangqiang"}])
    );

    let notes = sim.get("/sim/work-notifications").await;
    assert_eq!(notes.as_array().map(Vec::len), Some(2));
    assert_eq!(notes[0]["msg"]["text"]["content"], "您的积分申报已通过");
}

#[tokio::test]
async fn work_notification_checks_the_agent_id_and_department_recipients() {
    let sim = start().await;
    let msg = json!({"msgtype": "text", "text": {"content": "通知"}});
    let wrong = sim
        .oapi(
            "/topapi/message/corpconversation/asyncsend_v2",
            json!({"agent_id": 1, "userid_list": "u-wangqiang", "msg": msg}),
        )
        .await;
    assert_eq!(wrong["errcode"], 40056);
    let by_dept = sim
        .oapi(
            "/topapi/message/corpconversation/asyncsend_v2",
            json!({"agent_id": AGENT_ID, "dept_id_list": "100", "msg": msg}),
        )
        .await;
    assert_eq!(by_dept["errcode"], 0);
    let notes = sim.get("/sim/work-notifications").await;
    let mut delivered: Vec<&str> = notes[0]["delivered"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    delivered.sort_unstable();
    assert_eq!(
        delivered,
        ["u-admin-heping", "u-wangqiang", "u-zhangming"],
        "sub-departments included"
    );
}

#[tokio::test]
async fn f5_group_message_needs_msg_param_as_a_json_string() {
    let sim = start().await;
    sim.http
        .put(sim.url("/sim/groups/cidVillageHeping"))
        .json(&json!({"title": "和平村积分通知群"}))
        .send()
        .await
        .expect("group created");
    let (status, body) = sim
        .api(
            Method::POST,
            "/v1.0/robot/groupMessages/send",
            Some(json!({
                "robotCode": APP_KEY,
                "openConversationId": "cidVillageHeping",
                "msgKey": "sampleMarkdown",
                "msgParam": "{\"title\":\"第三季度积分公示\",\"text\":\"## 公示\"}"
            })),
        )
        .await;
    assert_eq!(status, 200);
    assert!(body["processQueryKey"].is_string());
    let messages = sim.get("/sim/group-messages").await;
    assert_eq!(messages[0]["msgParam"]["title"], "第三季度积分公示");

    let (status, body) = sim
        .api(
            Method::POST,
            "/v1.0/robot/groupMessages/send",
            Some(json!({"robotCode": APP_KEY, "openConversationId": "cid", "msgKey": "sampleText", "msgParam": {"content": "x"}})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalidParameter.msgParam.invalid"))
    );
    let (status, body) = sim
        .api(
            Method::POST,
            "/v1.0/robot/groupMessages/send",
            Some(json!({"robotCode": APP_KEY, "openConversationId": "cid", "msgKey": "nope", "msgParam": "{}"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalidParameter.msgKey.invalid"))
    );
}

#[tokio::test]
async fn media_upload_takes_the_media_part_and_type_field() {
    let sim = start().await;
    let token = sim.oapi_token().await;
    let upload = |kind: &'static str| {
        let form = Form::new().text("type", kind).part(
            "media",
            Part::bytes(vec![0x89, b'P', b'N', b'G', 1, 2, 3])
                .file_name("photo.png")
                .mime_str("image/png")
                .expect("mime"),
        );
        sim.http
            .post(sim.url(&format!("/media/upload?access_token={token}")))
            .multipart(form)
            .send()
    };
    let body: Value = upload("image")
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    assert_eq!(body["errcode"], 0);
    assert_eq!(body["type"], "image");
    assert!(body["media_id"].is_string());
    assert!(body["created_at"].is_i64());
    let bad: Value = upload("sticker")
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    assert_eq!(bad["errcode"], 40004);
    let media = sim.get("/sim/media").await;
    assert_eq!(media[0]["fileName"], "photo.png");
    assert_eq!(media[0]["size"], 7);
}
