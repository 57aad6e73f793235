//! The next product calls through the client against the simulator (issue 13, points 2–3):
//! a refused robot group send is a typed, permanent error; departments, department users
//! (paged), work-notification result, the OAuth2 web login and `contact/users/me`.

use dingtalk::AccessToken;
use dingtalk::api::notification::WorkMessage;
use dingtalk::api::robot::RobotMessage;
use dingtalk::ids::UserId;
use serde_json::json;

use crate::support::{ADMIN, APP_KEY, NEIGHBOUR, Sim, VILLAGER};

#[tokio::test]
async fn a_refused_robot_group_send_is_a_typed_permanent_error() {
    let sim = Sim::start().await;
    let client = sim.client();
    let message = RobotMessage::text("第三季度积分公示");

    let unknown = client
        .send_group_message(&"cid-unknown".into(), &message)
        .await
        .unwrap_err();
    assert!(
        matches!(&unknown, dingtalk::DingTalkError::Api { code, http_status: 400, request_id: Some(_), .. } if code == "invalid.openConversationId"),
        "{unknown:?}"
    );
    assert!(unknown.is_group_refusal() && !unknown.is_retryable());

    sim.put(
        "/sim/groups/cid-no-robot",
        json!({"title": "和平村村民群", "memberUserIds": [VILLAGER], "robotCodes": []}),
    )
    .await;
    let without_robot = client
        .send_group_message(&"cid-no-robot".into(), &message)
        .await
        .unwrap_err();
    assert_eq!(
        without_robot.api_code(),
        Some("invalidParameter.robotCode.notExsit")
    );
    assert!(without_robot.is_group_refusal() && !without_robot.is_retryable());
    assert_eq!(
        sim.calls_to("/v1.0/robot/groupMessages/send").await,
        2,
        "a refusal is not repeated"
    );

    sim.post(
        "/sim/groups/cid-no-robot/robots",
        json!({"robotCode": APP_KEY}),
    )
    .await;
    client
        .send_group_message(&"cid-no-robot".into(), &message)
        .await
        .unwrap();
    let kept = sim
        .get("/sim/group-messages?openConversationId=cid-no-robot")
        .await;
    assert_eq!(kept.as_array().map(Vec::len), Some(1), "{kept}");
}

#[tokio::test]
async fn departments_and_their_users() {
    let sim = Sim::start().await;
    let client = sim.client();
    let subs = client.sub_departments(1).await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!((subs[0].dept_id, subs[0].name.as_str()), (100, "和平村"));
    let detail = client.department(100).await.unwrap();
    assert_eq!(detail.parent_id, Some(1));
    assert_eq!(detail.dept_manager_userid_list, [UserId::from(ADMIN)]);
    assert_eq!(
        client.department(4242).await.unwrap_err().api_code(),
        Some("60003")
    );

    let first = client.department_users_page(100, 0, 2).await.unwrap();
    assert!(first.has_more);
    assert_eq!(first.list.len(), 2);
    assert_eq!(first.next_cursor, Some(2));
    let all = client.department_users(100).await.unwrap();
    let mut ids: Vec<&str> = all.iter().map(|u| u.user_id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, [ADMIN, NEIGHBOUR, VILLAGER]);
    assert!(
        all.iter()
            .any(|u| u.mobile.as_deref() == Some("13800000001"))
    );
}

#[tokio::test]
async fn work_notification_result_names_who_got_it() {
    let sim = Sim::start().await;
    let client = sim.client();
    let message = WorkMessage::Markdown {
        title: "申报已通过".into(),
        text: "您的积分申报已通过".into(),
    };
    let task = client
        .send_work_notification(&[VILLAGER.into(), "nobody".into()], message.clone())
        .await
        .unwrap();
    let result = client.work_notification_result(task).await.unwrap();
    assert_eq!(result.invalid_user_id_list, [UserId::from("nobody")]);
    assert_eq!(result.unread_user_id_list, [UserId::from(VILLAGER)]);
    // The same content twice in a day is dropped silently (143106).
    let again = client
        .send_work_notification(&[VILLAGER.into()], message)
        .await
        .unwrap();
    let result = client.work_notification_result(again).await.unwrap();
    assert_eq!(result.forbidden_list[0].code, "143106");
}

#[tokio::test]
async fn web_login_code_buys_a_user_token_that_reads_the_profile() {
    let sim = Sim::start().await;
    let client = sim.client();
    let url =
        dingtalk::api::oauth::login_url(&sim.base_url(), APP_KEY, "http://127.0.0.1:9/login", "st")
            .unwrap();
    assert!(url.contains("/oauth2/auth?redirect_uri="), "{url}");
    let code = sim
        .post("/sim/oauth2/codes", json!({"userId": VILLAGER}))
        .await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = client.user_access_token(&code).await.unwrap();
    assert_eq!(token.expire_in, 7200);
    let profile = client.user_profile(&token.access_token).await.unwrap();
    assert_eq!(profile.nick.as_deref(), Some("张明"));
    assert_eq!(profile.mobile.as_deref(), Some("13800000001"));
    assert!(profile.union_id.is_some());

    let reused = client.user_access_token(&code).await.unwrap_err();
    assert_eq!(reused.api_code(), Some("invalidAuthCode"));
    let renewed = client
        .refresh_user_token(&token.refresh_token)
        .await
        .unwrap();
    client.user_profile(&renewed.access_token).await.unwrap();
    let app_token = client.access_token().await.unwrap();
    let refused = client.user_profile(&app_token).await.unwrap_err();
    assert_eq!(refused.api_code(), Some("InvalidAuthentication"));
    let foreign = client
        .user_profile(&AccessToken::new("not-a-token".into()))
        .await
        .unwrap_err();
    assert_eq!(foreign.api_code(), Some("InvalidAuthentication"));
}
