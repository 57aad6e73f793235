//! Work notifications (API.md §7), robot group messages (§8.1) and the failed-callback list
//! (§3.5).

use std::collections::BTreeSet;

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Datelike, Utc};
use serde_json::{Value, json};

use crate::extract::{ApiCall, OapiCall};
use crate::ids;
use crate::org::Organisation;
use crate::records::{GroupMessage, WorkNotification};
use crate::state::Sim;
use crate::wire::{api, oapi};

/// Work notifications one user may receive per day from an internal app.
pub const DAILY_CAP_PER_USER: usize = 500;
/// Robot `msgKey`s accepted by `groupMessages/send`.
const MSG_KEYS: [&str; 13] = [
    "sampleText",
    "sampleMarkdown",
    "sampleImageMsg",
    "sampleLink",
    "sampleActionCard",
    "sampleActionCard2",
    "sampleActionCard3",
    "sampleActionCard4",
    "sampleActionCard5",
    "sampleActionCard6",
    "sampleAudio",
    "sampleFile",
    "sampleVideo",
];

/// Calendar day in China Standard Time (UTC+8), as `(year, ordinal)`.
fn china_day(time: DateTime<Utc>) -> (i32, u32) {
    let local = time + chrono::Duration::hours(8);
    (local.year(), local.ordinal())
}

fn split_list(value: Option<String>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn users_in_depts(org: &Organisation, dept_ids: &[i64]) -> BTreeSet<String> {
    let mut wanted: BTreeSet<i64> = dept_ids.iter().copied().collect();
    loop {
        let children: Vec<i64> = org
            .departments
            .values()
            .filter(|d| {
                d.parent_id.is_some_and(|p| wanted.contains(&p)) && !wanted.contains(&d.dept_id)
            })
            .map(|d| d.dept_id)
            .collect();
        if children.is_empty() {
            break;
        }
        wanted.extend(children);
    }
    org.users
        .values()
        .filter(|u| u.dept_ids.iter().any(|d| wanted.contains(d)))
        .map(|u| u.user_id.clone())
        .collect()
}

/// `POST /topapi/message/corpconversation/asyncsend_v2`. Limits drop recipients silently
/// (reported later by `getsendresult`): one identical message per user per day (143106), at
/// most 500 messages per user per day (143105).
pub async fn asyncsend(State(sim): State<Sim>, call: OapiCall) -> Response {
    let agent_id = call.text("agent_id").and_then(|s| s.parse::<i64>().ok());
    if agent_id != Some(sim.config().agent_id) {
        return oapi::topapi_error(40056, "不合法的agentid");
    }
    let msg = match call.field("msg") {
        Some(Value::Object(map)) => Value::Object(map.clone()),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(value @ Value::Object(_)) => value,
            _ => return oapi::topapi_error(40035, "缺少参数 msg"),
        },
        _ => return oapi::topapi_error(40035, "缺少参数 msg"),
    };
    if msg.get("msgtype").and_then(Value::as_str).is_none() {
        return oapi::topapi_error(40035, "缺少参数 msgtype");
    }
    let user_ids = split_list(call.text("userid_list"));
    if user_ids.len() > 100 {
        return oapi::topapi_error(40035, "userid_list 最多 100 个");
    }
    let dept_texts = split_list(call.text("dept_id_list"));
    let to_all = call.text("to_all_user").is_some_and(|s| s == "true");
    let now = sim.clock().now();
    let today = china_day(now);
    let task_id = sim.with_data(|data| {
        let mut invalid_user_ids = Vec::new();
        let mut recipients: BTreeSet<String> = BTreeSet::new();
        for id in &user_ids {
            if data.org.user(id).is_some() {
                recipients.insert(id.clone());
            } else {
                invalid_user_ids.push(id.clone());
            }
        }
        let mut dept_ids = Vec::new();
        let mut invalid_dept_ids = Vec::new();
        for text in &dept_texts {
            match text.parse::<i64>() {
                Ok(id) if data.org.departments.contains_key(&id) => dept_ids.push(id),
                Ok(id) => invalid_dept_ids.push(id),
                Err(_) => {}
            }
        }
        recipients.extend(users_in_depts(&data.org, &dept_ids));
        if to_all {
            recipients.extend(data.org.users.keys().cloned());
        }
        let mut delivered = Vec::new();
        let mut forbidden = Vec::new();
        for user in recipients {
            let today_msgs: Vec<&WorkNotification> = data
                .work_notifications
                .iter()
                .filter(|n| china_day(n.sent_at) == today && n.delivered.contains(&user))
                .collect();
            if today_msgs.iter().any(|n| n.msg == msg) {
                forbidden.push((143_106, user));
            } else if today_msgs.len() >= DAILY_CAP_PER_USER {
                forbidden.push((143_105, user));
            } else {
                delivered.push(user);
            }
        }
        let task_id = data.next_notification_task_id;
        data.next_notification_task_id += 1;
        data.work_notifications.push(WorkNotification {
            task_id,
            agent_id: agent_id.unwrap_or_default(),
            sent_at: now,
            user_ids: user_ids.clone(),
            dept_ids,
            to_all_user: to_all,
            msg: msg.clone(),
            delivered,
            invalid_user_ids,
            invalid_dept_ids,
            forbidden,
        });
        task_id
    });
    oapi::topapi_ok(json!({ "task_id": task_id }))
}

/// `POST /topapi/message/corpconversation/getsendresult {agent_id, task_id}`.
pub async fn getsendresult(State(sim): State<Sim>, call: OapiCall) -> Response {
    if call.text("agent_id").and_then(|s| s.parse::<i64>().ok()) != Some(sim.config().agent_id) {
        return oapi::topapi_error(40056, "不合法的agentid");
    }
    let Some(task_id) = call.text("task_id").and_then(|s| s.parse::<i64>().ok()) else {
        return oapi::topapi_error(40035, "缺少参数 task_id");
    };
    let found = sim.with_data(|data| {
        data.work_notifications
            .iter()
            .find(|n| n.task_id == task_id)
            .cloned()
    });
    let Some(n) = found else {
        return oapi::topapi_error(400_001, "task_id 不存在");
    };
    let forbidden_list: Vec<Value> = n
        .forbidden
        .iter()
        .map(|(code, user)| json!({ "code": code.to_string(), "count": 1, "userid": user }))
        .collect();
    oapi::topapi_ok(json!({
        "send_result": {
            "invalid_user_id_list": n.invalid_user_ids,
            "forbidden_user_id_list": n.forbidden.iter().map(|(_, u)| u.clone()).collect::<Vec<_>>(),
            "failed_user_id_list": [],
            "read_user_id_list": [],
            "unread_user_id_list": n.delivered,
            "invalid_dept_id_list": n.invalid_dept_ids,
            "forbidden_list": forbidden_list,
        }
    }))
}

/// `POST /v1.0/robot/groupMessages/send` → `{"processQueryKey"}`. The robot code of an internal
/// app is its AppKey.
pub async fn group_send(State(sim): State<Sim>, call: ApiCall) -> Response {
    let Some(robot_code) = call.text("robotCode") else {
        return api::bad_request("invalidParameter.robotCode.empty", "robotCode 不能为空");
    };
    if robot_code != sim.config().app_key {
        return api::bad_request("invalidParameter.robotCode.notExsit", "robotCode 不存在");
    }
    let Some(conversation) = call.text("openConversationId") else {
        return api::bad_request(
            "invalidParameter.openConversationId.empty",
            "openConversationId 不能为空",
        );
    };
    let Some(msg_key) = call.text("msgKey") else {
        return api::bad_request("invalidParameter.msgKey.empty", "msgKey 不能为空");
    };
    if !MSG_KEYS.contains(&msg_key.as_str()) {
        return api::bad_request("invalidParameter.msgKey.invalid", "msgKey 无效");
    }
    let Some(Value::String(param_text)) = call.body.get("msgParam") else {
        return api::bad_request(
            "invalidParameter.msgParam.invalid",
            "msgParam 必须是 JSON 字符串",
        );
    };
    if param_text.len() > 15_000 {
        return api::bad_request("invalidParameter.msgParam.tooLong", "msgParam 过长");
    }
    let Ok(msg_param @ Value::Object(_)) = serde_json::from_str::<Value>(param_text) else {
        return api::bad_request(
            "invalidParameter.msgParam.invalid",
            "msgParam 必须是 JSON 字符串",
        );
    };
    let key = format!("{}={}", ids::alnum(24), ids::alnum(8));
    let now = sim.clock().now();
    sim.with_data(|data| {
        // DingTalk knows the group and whether this robot was added to it (issue 13).
        let Some(group) = data.groups.get(&conversation) else {
            return Err(api::bad_request(
                "invalid.openConversationId",
                "无效的openConversationId",
            ));
        };
        if !group.robot_codes.contains(&robot_code) {
            return Err(api::bad_request(
                "invalidParameter.robotCode.notExsit",
                "机器人不存在，请检查机器人是否在群内",
            ));
        }
        data.group_messages.push(GroupMessage {
            process_query_key: key.clone(),
            robot_code,
            open_conversation_id: conversation,
            msg_key,
            msg_param,
            sent_at: now,
        });
        Ok(())
    })
    .map_or_else(
        |refusal| refusal,
        |()| api::ok(json!({ "processQueryKey": key })),
    )
}

/// `GET /call_back/get_call_back_failed_result`: up to 200 failed events, cleared once returned.
pub async fn failed_callbacks(State(sim): State<Sim>, _call: OapiCall) -> Response {
    let (list, has_more) = sim.with_data(|data| {
        let take = data.failed_events.len().min(200);
        let list: Vec<Value> = data.failed_events.drain(..take).collect();
        (list, !data.failed_events.is_empty())
    });
    oapi::ok(json!({ "has_more": has_more, "failed_list": list }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_day_rolls_over_at_16_utc() {
        let before =
            DateTime::parse_from_rfc3339("2026-11-29T15:59:00Z").map(|t| t.with_timezone(&Utc));
        let after =
            DateTime::parse_from_rfc3339("2026-11-29T16:00:00Z").map(|t| t.with_timezone(&Utc));
        let (Ok(before), Ok(after)) = (before, after) else {
            panic!("valid times")
        };
        assert_ne!(china_day(before), china_day(after));
    }
}
