//! The state file (issue 7, point 7): what the simulator knows survives a restart.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::support::{VILLAGER, start_with};

fn temp_state() -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("sim-state-{}-{}", std::process::id(), uuid_like()));
    dir.join("dingtalk-sim.json")
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_process_template_and_a_group_survive_a_restart() {
    let path = temp_state();
    let sim = start_with({
        let path = path.clone();
        move |c| c.state_file = Some(path)
    })
    .await;
    let (status, body) = sim
        .api(
            Method::POST,
            "/v1.0/workflow/forms",
            Some(json!({
                "name": "积分申报",
                "formComponents": [{"componentType": "TextField", "props": {"componentId": "t1", "label": "说明", "required": true}}]
            })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let code = body["result"]["processCode"]
        .as_str()
        .expect("processCode")
        .to_owned();
    sim.http
        .put(sim.url("/sim/groups/cidKept=="))
        .json(&json!({"title": "保留的群", "memberUserIds": [VILLAGER]}))
        .send()
        .await
        .expect("group");
    sim.handle.shutdown().await;
    assert!(path.exists(), "written at shutdown at the latest");

    let sim = start_with({
        let path = path.clone();
        move |c| c.state_file = Some(path)
    })
    .await;
    let forms = sim.get("/sim/forms").await;
    assert_eq!(forms[0]["processCode"], code.as_str(), "{forms}");
    let (status, body) = sim
        .api(
            Method::POST,
            "/v1.0/workflow/processInstances",
            Some(json!({
                "originatorUserId": VILLAGER, "processCode": code, "deptId": -1,
                "approvers": [{"actionType": "NONE", "userIds": ["u-admin-heping"]}],
                "formComponentValues": [{"name": "说明", "value": "打扫村道"}]
            })),
        )
        .await;
    assert_eq!(status, 200, "the process code is still known: {body}");
    let group = sim.get("/sim/groups/cidKept==").await;
    assert_eq!(group["title"], "保留的群");
    sim.handle.shutdown().await;
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
}

#[tokio::test]
async fn changes_are_written_soon_after_they_are_answered() {
    let path = temp_state();
    let sim = start_with({
        let path = path.clone();
        move |c| c.state_file = Some(path)
    })
    .await;
    let response = sim
        .http
        .put(sim.url("/sim/users/u-new"))
        .json(&json!({"name": "新村民", "deptIds": [1000], "silent": true}))
        .send()
        .await
        .expect("user");
    assert!(response.status().is_success());
    let mut written = false;
    for _ in 0..100 {
        if std::fs::read_to_string(&path).is_ok_and(|text| text.contains("u-new")) {
            written = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(written, "the state file holds the new user before shutdown");
    // Wiping the forms is a mutation too.
    let wiped = sim
        .http
        .delete(sim.url("/sim/forms"))
        .send()
        .await
        .expect("wipe");
    assert!(wiped.status().is_success());
    sim.handle.shutdown().await;
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
}
