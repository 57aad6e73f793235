//! Every typed call against the simulator's wire contract.

use std::collections::BTreeMap;

use dingtalk::api::card::{CreateAndDeliverCard, UpdateCard};
use dingtalk::api::media::MediaType;
use dingtalk::api::notification::WorkMessage;
use dingtalk::api::robot::RobotMessage;
use dingtalk::api::workflow::{
    ApprovalResult, Approver, CreateProcessInstance, FormComponent, FormComponentValue,
    ProcessStatus, SaveFormTemplate, TerminateProcessInstance,
};
use dingtalk::ids::{OutTrackId, RobotCode};
use serde_json::json;

use crate::support::{ADMIN, APP_KEY, Sim, VILLAGER};

#[tokio::test]
async fn login_free_code_resolves_the_user_once() {
    let sim = Sim::start().await;
    let client = sim.client();
    let code = sim.handle.issue_auth_code(VILLAGER).unwrap();
    let user = client.user_info_by_code(&code).await.unwrap();
    assert_eq!(user.user_id.as_str(), VILLAGER);
    assert_eq!(user.name.as_deref(), Some("张明"));
    let reused = client.user_info_by_code(&code).await.unwrap_err();
    assert_eq!(reused.api_code(), Some("40078"));
}

#[tokio::test]
async fn user_detail_has_mobile_and_departments() {
    let sim = Sim::start().await;
    let user = sim.client().user_detail(&VILLAGER.into()).await.unwrap();
    assert_eq!(user.mobile.as_deref(), Some("13800000001"));
    assert!(!user.dept_id_list.is_empty());
    let missing = sim
        .client()
        .user_detail(&"nobody".into())
        .await
        .unwrap_err();
    assert_eq!(missing.api_code(), Some("60121"));
}

fn claim_form() -> SaveFormTemplate {
    SaveFormTemplate {
        process_code: None,
        name: "积分申报".into(),
        description: Some("村民积分申报".into()),
        form_components: vec![
            FormComponent::new("TextField", "TextField_item", "事项", true),
            FormComponent::new("NumberField", "NumberField_points", "分值", true),
        ],
    }
}

#[tokio::test]
async fn approval_lifecycle_create_read_terminate() {
    let sim = Sim::start().await;
    let client = sim.client();
    let process_code = client.save_form_template(&claim_form()).await.unwrap();
    // Updating an existing template keeps its code.
    let mut update = claim_form();
    update.process_code = Some(process_code.clone());
    assert_eq!(
        client.save_form_template(&update).await.unwrap(),
        process_code
    );

    let request = CreateProcessInstance {
        originator_user_id: VILLAGER.into(),
        process_code: process_code.clone(),
        dept_id: None,
        microapp_agent_id: Some(crate::support::AGENT_ID),
        approvers: vec![Approver {
            action_type: "NONE".into(),
            user_ids: vec![ADMIN.into()],
        }],
        cc_list: Vec::new(),
        cc_position: None,
        form_component_values: vec![
            FormComponentValue::new("事项", "打扫公共区域"),
            FormComponentValue::new("分值", "5"),
        ],
    };
    let id = client.create_process_instance(&request).await.unwrap();
    let instance = client.process_instance(&id).await.unwrap();
    assert_eq!(instance.status, ProcessStatus::Running);
    assert_eq!(instance.result, None);
    assert_eq!(
        instance.originator_user_id.as_ref().map(|u| u.as_str()),
        Some(VILLAGER)
    );
    assert!(
        instance
            .form_component_values
            .iter()
            .any(|v| v.name == "分值" && v.value == "5")
    );
    assert!(!instance.tasks.is_empty());

    // The simulated approver agrees.
    sim.post(
        &format!("/sim/approvals/{id}/decide"),
        json!({ "result": "agree", "remark": "同意" }),
    )
    .await;
    let decided = client.process_instance(&id).await.unwrap();
    assert_eq!(decided.status, ProcessStatus::Completed);
    assert_eq!(decided.result, Some(ApprovalResult::Agree));

    let second = client.create_process_instance(&request).await.unwrap();
    let terminate = TerminateProcessInstance {
        process_instance_id: second.clone(),
        is_system: true,
        remark: Some("撤回".into()),
        operating_user_id: None,
    };
    // Revoking within 15 s of submit is refused, as on DingTalk.
    let early = client.terminate_process_instance(&terminate).await;
    if let Err(error) = &early {
        assert_eq!(error.api_code(), Some("aflowProcessInstStatusException"));
        sim.handle.advance_clock(std::time::Duration::from_secs(16));
        assert!(client.terminate_process_instance(&terminate).await.unwrap());
    }
    let revoked = client.process_instance(&second).await.unwrap();
    assert_eq!(revoked.status, ProcessStatus::Terminated);
}

#[tokio::test]
async fn card_create_and_deliver_then_update() {
    let sim = Sim::start().await;
    let client = sim.client();
    let params = BTreeMap::from([("title".to_owned(), "积分申报待审".to_owned())]);
    let request = CreateAndDeliverCard::to_user(
        "tpl-claim.schema",
        OutTrackId::new("claim-42"),
        &ADMIN.into(),
        RobotCode::new(APP_KEY),
        params,
    );
    let result = client.create_and_deliver_card(&request).await.unwrap();
    assert_eq!(result.deliver_results.len(), 1);
    assert!(result.deliver_results[0].success, "{result:?}");
    assert_eq!(result.deliver_results[0].space_type, "IM_ROBOT");

    let again = client.create_and_deliver_card(&request).await.unwrap_err();
    assert!(again.is_card_already_exists());

    let update = UpdateCard::merge(
        "claim-42".into(),
        BTreeMap::from([("status".to_owned(), "已通过".to_owned())]),
    );
    client.update_card(&update).await.unwrap();
    let cards = sim.get("/sim/cards").await;
    let card = cards
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["outTrackId"] == "claim-42")
        .unwrap()
        .clone();
    assert_eq!(card["cardData"]["title"], "积分申报待审", "{card}");
    assert_eq!(card["cardData"]["status"], "已通过", "{card}");
}

#[tokio::test]
async fn work_notification_and_its_result() {
    let sim = Sim::start().await;
    let client = sim.client();
    let msg = WorkMessage::Markdown {
        title: "积分到账".into(),
        text: "### 您获得 5 积分".into(),
    };
    let task = client
        .send_work_notification(&[VILLAGER.into(), "nobody".into()], msg.clone())
        .await
        .unwrap();
    let result = client.work_notification_result(task).await.unwrap();
    assert_eq!(result.invalid_user_id_list, ["nobody".into()]);
    assert!(result.unread_user_id_list.contains(&VILLAGER.into()));
    // Same content to the same user on the same day is dropped silently (143106).
    let repeat = client
        .send_work_notification(&[VILLAGER.into()], msg)
        .await
        .unwrap();
    let dropped = client.work_notification_result(repeat).await.unwrap();
    assert_eq!(dropped.forbidden_list.len(), 1);
    assert_eq!(dropped.forbidden_list[0].code, "143106");
    let sent = sim.get("/sim/work-notifications").await;
    assert_eq!(sent[0]["msg"]["msgtype"], "markdown", "{sent}");
}

#[tokio::test]
async fn robot_group_message_sends_msg_param_as_a_string() {
    let sim = Sim::start().await;
    sim.put("/sim/groups/cid-heping-village", json!({"title": "和平村"}))
        .await;
    let client = sim.client();
    let key = client
        .send_group_message(
            &"cid-heping-village".into(),
            &RobotMessage::markdown("积分公示", "## 本季度积分"),
        )
        .await
        .unwrap();
    assert!(!key.is_empty());
    let messages = sim.get("/sim/group-messages").await;
    assert_eq!(messages[0]["msgKey"], "sampleMarkdown", "{messages}");
    assert_eq!(messages[0]["msgParam"]["title"], "积分公示", "{messages}");
}

#[tokio::test]
async fn media_upload_is_multipart_with_type_and_media_part() {
    let sim = Sim::start().await;
    let client = sim.client();
    let png = vec![0x89, b'P', b'N', b'G', 0, 1, 2, 3];
    let uploaded = client
        .upload_media(MediaType::Image, "photo.png", Some("image/png"), png)
        .await
        .unwrap();
    assert!(uploaded.media_id.as_str().starts_with('@'));
    assert_eq!(uploaded.media_type, "image");
    let empty = client
        .upload_media(MediaType::Image, "empty.png", None, Vec::new())
        .await
        .unwrap_err();
    assert_eq!(empty.api_code(), Some("40005"));
}
