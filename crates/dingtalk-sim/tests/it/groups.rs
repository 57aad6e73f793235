//! Groups and robots (issue 13, point 2): DingTalk knows each group and the robots added to it;
//! a robot message to an unknown group, or to a group without the robot, is refused in the api
//! family's error shape; messages are kept per group.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{ADMIN, APP_KEY, TestSim, VILLAGER, start};

async fn send(sim: &TestSim, conversation: &str) -> (u16, Value) {
    sim.api(
        Method::POST,
        "/v1.0/robot/groupMessages/send",
        Some(json!({
            "robotCode": APP_KEY,
            "openConversationId": conversation,
            "msgKey": "sampleText",
            "msgParam": json!({"content": format!("通知 {conversation}")}).to_string(),
        })),
    )
    .await
}

async fn put_group(sim: &TestSim, id: &str, body: Value) -> (u16, Value) {
    let response = sim
        .http
        .put(sim.url(&format!("/sim/groups/{id}")))
        .json(&body)
        .send()
        .await
        .expect("put group");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

#[tokio::test]
async fn every_village_has_a_group_with_its_people_and_the_robot() {
    let sim = start().await;
    let groups = sim.get("/sim/groups").await;
    let groups = groups.as_array().expect("list");
    assert_eq!(
        groups.len(),
        1,
        "the sample organisation has one village: {groups:?}"
    );
    let group = &groups[0];
    assert!(
        group["openConversationId"]
            .as_str()
            .is_some_and(|id| id.starts_with("cid"))
    );
    assert_eq!(group["robotCodes"], json!([APP_KEY]));
    let members = group["memberUserIds"].as_array().expect("members");
    for user in [VILLAGER, ADMIN] {
        assert!(members.iter().any(|m| m == user), "{user} in {members:?}");
    }
    let id = group["openConversationId"].as_str().expect("id");
    let (status, body) = send(&sim, id).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn unknown_group_and_group_without_the_robot_are_refused_like_dingtalk() {
    let sim = start().await;
    let (status, body) = send(&sim, "cidUnknownGroup==").await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "invalid.openConversationId");
    assert_eq!(body["message"], "无效的openConversationId");
    assert!(body["requestid"].is_string(), "{body}");

    let (status, _) = put_group(
        &sim,
        "cidNoRobot==",
        json!({"title": "没有机器人的群", "memberUserIds": [VILLAGER], "robotCodes": []}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = send(&sim, "cidNoRobot==").await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "invalidParameter.robotCode.notExsit");
    assert!(body["requestid"].is_string(), "{body}");

    // Adding the robot lets the message through; removing it refuses again.
    sim.post(
        "/sim/groups/cidNoRobot==/robots",
        json!({"robotCode": APP_KEY}),
    )
    .await;
    assert_eq!(send(&sim, "cidNoRobot==").await.0, 200);
    sim.http
        .delete(sim.url(&format!("/sim/groups/cidNoRobot==/robots/{APP_KEY}")))
        .send()
        .await
        .expect("remove robot");
    assert_eq!(send(&sim, "cidNoRobot==").await.0, 400);

    // Nothing refused was recorded.
    let messages = sim.get("/sim/group-messages").await;
    assert_eq!(messages.as_array().map(Vec::len), Some(1), "{messages}");
}

#[tokio::test]
async fn messages_are_readable_per_group() {
    let sim = start().await;
    for id in ["cidA==", "cidB=="] {
        assert_eq!(put_group(&sim, id, json!({"title": id})).await.0, 200);
    }
    for id in ["cidA==", "cidB==", "cidA=="] {
        assert_eq!(send(&sim, id).await.0, 200);
    }
    let of_a = sim
        .get("/sim/group-messages?openConversationId=cidA%3D%3D")
        .await;
    assert_eq!(of_a.as_array().map(Vec::len), Some(2), "{of_a}");
    assert!(
        of_a.as_array()
            .expect("list")
            .iter()
            .all(|m| m["openConversationId"] == "cidA==")
    );
    let all = sim.get("/sim/group-messages").await;
    assert_eq!(all.as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn group_control_checks_its_input() {
    let sim = start().await;
    let (status, body) = put_group(
        &sim,
        "cidX==",
        json!({"title": "群", "memberUserIds": ["nobody"]}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = put_group(&sim, "cidX==", json!({"title": ""})).await;
    assert_eq!(status, 400);
    let response = sim
        .http
        .delete(sim.url("/sim/groups/cidMissing=="))
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), 404);
}
