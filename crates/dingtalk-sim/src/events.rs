//! The events DingTalk pushes, built as JSON (API.md §3.3, §5.5): each [`OutboundEvent`]
//! carries both its flat HTTP form (`EventType`, `EventTime`, `CorpId`, `BizId`, `eventId` +
//! data fields) and its Stream `data` object (the data fields only, event headers separate).

use serde_json::{Map, Value, json};

use crate::delivery::OutboundEvent;
use crate::ids;
use crate::records::{Approval, ApprovalChange};

impl OutboundEvent {
    /// An event with DingTalk's common envelope around `data`.
    pub fn new(
        event_type: &str,
        corp_id: &str,
        biz_id: &str,
        born_ms: i64,
        data: Map<String, Value>,
    ) -> Self {
        let event_id = ids::hex_lower(32);
        let mut flat = Map::new();
        flat.insert("EventType".into(), json!(event_type));
        flat.insert("EventTime".into(), json!(born_ms));
        flat.insert("CorpId".into(), json!(corp_id));
        flat.insert("BizId".into(), json!(biz_id));
        flat.insert("eventId".into(), json!(event_id));
        flat.extend(data.clone());
        Self {
            event_id,
            event_type: event_type.to_owned(),
            corp_id: corp_id.to_owned(),
            born_ms,
            data: Value::Object(data),
            http_payload: Value::Object(flat),
        }
    }
}

fn approval_url(corp_id: &str, approval: &Approval) -> String {
    format!(
        "https://aflow.dingtalk.com/dingtalk/mobile/homepage.htm?corpid={corp_id}&dd_share=false&showmenu=true&dd_progress=false&back=native&procInstId={}&taskId=&swfrom=isv&dinghash=approval&dtaction=os&dd_from=corp#approval",
        approval.id
    )
}

/// The `bpms_instance_change` / `bpms_task_change` event of one approval transition.
pub fn approval_event(
    corp_id: &str,
    approval: &Approval,
    change: &ApprovalChange,
    born_ms: i64,
) -> OutboundEvent {
    let mut data = Map::new();
    data.insert("processInstanceId".into(), json!(approval.id));
    data.insert("processCode".into(), json!(approval.process_code));
    data.insert("bizCategoryId".into(), json!(""));
    data.insert("businessId".into(), json!(approval.business_id));
    data.insert("title".into(), json!(approval.title));
    data.insert("url".into(), json!(approval_url(corp_id, approval)));
    data.insert(
        "createTime".into(),
        json!(approval.created_at.timestamp_millis()),
    );
    data.insert("businessType".into(), json!(""));
    let finish_time = approval
        .finished_at
        .map_or(born_ms, |t| t.timestamp_millis());
    let event_type = match change {
        ApprovalChange::InstanceStarted => {
            data.insert("type".into(), json!("start"));
            data.insert("staffId".into(), json!(approval.originator_user_id));
            "bpms_instance_change"
        }
        ApprovalChange::InstanceFinished(decision) => {
            data.insert("type".into(), json!("finish"));
            data.insert("result".into(), json!(decision.as_str()));
            data.insert("staffId".into(), json!(approval.originator_user_id));
            data.insert("finishTime".into(), json!(finish_time));
            "bpms_instance_change"
        }
        ApprovalChange::InstanceTerminated { .. } => {
            data.insert("type".into(), json!("terminate"));
            data.insert("staffId".into(), json!(approval.originator_user_id));
            data.insert("finishTime".into(), json!(finish_time));
            "bpms_instance_change"
        }
        ApprovalChange::TaskStarted { task_id, user_id } => {
            data.insert("type".into(), json!("start"));
            data.insert("taskId".into(), json!(task_id));
            data.insert("staffId".into(), json!(user_id));
            "bpms_task_change"
        }
        ApprovalChange::TaskFinished {
            task_id,
            user_id,
            decision,
            remark,
        } => {
            data.insert("type".into(), json!("finish"));
            data.insert("result".into(), json!(decision.as_str()));
            data.insert("taskId".into(), json!(task_id));
            data.insert("staffId".into(), json!(user_id));
            data.insert("remark".into(), json!(remark));
            data.insert("finishTime".into(), json!(born_ms));
            "bpms_task_change"
        }
        ApprovalChange::TaskCanceled { task_id, user_id } => {
            data.insert("type".into(), json!("cancel"));
            data.insert("taskId".into(), json!(task_id));
            data.insert("staffId".into(), json!(user_id));
            data.insert("finishTime".into(), json!(born_ms));
            "bpms_task_change"
        }
    };
    OutboundEvent::new(event_type, corp_id, &approval.id, born_ms, data)
}

/// A contact event (`user_add_org`, `user_modify_org`, `user_leave_org`).
pub fn contact_event(
    corp_id: &str,
    event_type: &str,
    user_ids: &[String],
    born_ms: i64,
) -> OutboundEvent {
    let mut data = Map::new();
    data.insert("TimeStamp".into(), json!(born_ms));
    data.insert("UserId".into(), json!(user_ids));
    OutboundEvent::new(event_type, corp_id, &ids::hex_lower(16), born_ms, data)
}

/// Contact event types the simulator can push.
pub const CONTACT_EVENT_TYPES: [&str; 3] = ["user_add_org", "user_modify_org", "user_leave_org"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Decision, NewApproval, Node};

    #[test]
    fn instance_finish_event_is_flat_with_envelope_and_result() {
        let mut next = 1;
        let (approval, _) = Approval::start(
            NewApproval {
                id: "pi-9".into(),
                process_code: "PROC-X".into(),
                title: "t".into(),
                originator_user_id: "origin".into(),
                originator_dept_id: 11,
                originator_dept_name: "和平村".into(),
                form_values: Vec::new(),
                nodes: vec![Node {
                    action_type: "NONE".into(),
                    user_ids: vec!["a".into()],
                }],
                cc_user_ids: Vec::new(),
                business_id: "b".into(),
            },
            chrono::Utc::now(),
            &mut next,
        );
        let event = approval_event(
            "dingcorp",
            &approval,
            &ApprovalChange::InstanceFinished(Decision::Refuse),
            42,
        );
        let flat = &event.http_payload;
        assert_eq!(flat["EventType"], "bpms_instance_change");
        assert_eq!(flat["EventTime"], 42);
        assert_eq!(flat["CorpId"], "dingcorp");
        assert_eq!(flat["BizId"], "pi-9");
        assert_eq!(flat["eventId"], json!(event.event_id));
        assert_eq!(flat["type"], "finish");
        assert_eq!(flat["result"], "refuse");
        assert_eq!(flat["staffId"], "origin");
        assert!(
            event.data.get("EventType").is_none(),
            "stream data has no envelope"
        );
        assert_eq!(event.data["processInstanceId"], "pi-9");
    }
}
