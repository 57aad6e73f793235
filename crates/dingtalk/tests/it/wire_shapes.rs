//! Request bodies in DingTalk's own field names, checked without a server.

use std::collections::BTreeMap;

use dingtalk::api::card::{CreateAndDeliverCard, OpenSpaceId, UpdateCard};
use dingtalk::api::notification::{SendWorkNotification, WorkMessage};
use dingtalk::api::robot::{RobotMessage, SendGroupMessage};
use dingtalk::api::workflow::{Approver, CreateProcessInstance, FormComponentValue};
use dingtalk::ids::{OutTrackId, RobotCode};
use serde_json::{Value, json};

#[test]
fn work_notification_uses_comma_lists_and_msgtype_envelope() {
    let request = SendWorkNotification {
        agent_id: 42,
        userid_list: vec!["u1".into(), "u2".into()],
        dept_id_list: Vec::new(),
        to_all_user: false,
        msg: WorkMessage::ActionCard {
            title: "积分".into(),
            markdown: "**5** 分".into(),
            single_title: "查看".into(),
            single_url: "dingtalk://dingtalkclient/page/link?url=x".into(),
        },
    };
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({
            "agent_id": 42,
            "userid_list": "u1,u2",
            "msg": {
                "msgtype": "action_card",
                "action_card": {
                    "title": "积分",
                    "markdown": "**5** 分",
                    "single_title": "查看",
                    "single_url": "dingtalk://dingtalkclient/page/link?url=x"
                }
            }
        })
    );
}

#[test]
fn approval_create_is_camel_case_and_omits_empty_options() {
    let request = CreateProcessInstance {
        originator_user_id: "u1".into(),
        process_code: "PROC-1".into(),
        dept_id: Some(-1),
        microapp_agent_id: None,
        approvers: vec![Approver {
            action_type: "OR".into(),
            user_ids: vec!["a1".into(), "a2".into()],
        }],
        cc_list: Vec::new(),
        cc_position: None,
        form_component_values: vec![FormComponentValue::new("分值", "5")],
    };
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({
            "originatorUserId": "u1",
            "processCode": "PROC-1",
            "deptId": -1,
            "approvers": [{ "actionType": "OR", "userIds": ["a1", "a2"] }],
            "formComponentValues": [{ "name": "分值", "value": "5" }]
        })
    );
}

#[test]
fn robot_msg_param_is_a_json_string() {
    let request = SendGroupMessage::new(
        RobotCode::new("dingrobot"),
        "cid1".into(),
        &RobotMessage::action_card("标题", "正文", "查看", "https://example.org"),
    );
    let value = serde_json::to_value(&request).unwrap();
    assert_eq!(value["msgKey"], "sampleActionCard");
    let param: Value = serde_json::from_str(value["msgParam"].as_str().unwrap()).unwrap();
    assert_eq!(param["singleURL"], "https://example.org");
    assert_eq!(value["openConversationId"], "cid1");
}

#[test]
fn card_requests_use_open_space_ids_and_param_maps() {
    assert_eq!(
        OpenSpaceId::group(&"cid1".into()).as_str(),
        "dtv1.card//IM_GROUP.cid1"
    );
    let request = CreateAndDeliverCard::to_group(
        "tpl.schema",
        OutTrackId::new("c1"),
        &"cid1".into(),
        RobotCode::new("dingrobot"),
        BTreeMap::from([("k".to_owned(), "v".to_owned())]),
    );
    let value = serde_json::to_value(&request).unwrap();
    assert_eq!(value["openSpaceId"], "dtv1.card//IM_GROUP.cid1");
    assert_eq!(value["cardData"], json!({ "cardParamMap": { "k": "v" } }));
    assert_eq!(value["imGroupOpenDeliverModel"]["robotCode"], "dingrobot");
    assert_eq!(value["callbackType"], "STREAM");
    let update = serde_json::to_value(UpdateCard::merge("c1".into(), BTreeMap::new())).unwrap();
    assert_eq!(
        update["cardUpdateOptions"],
        json!({ "updateCardDataByKey": true, "updatePrivateDataByKey": true })
    );
}
