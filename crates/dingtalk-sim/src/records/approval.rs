//! OA approval (工作流) templates and instances with DingTalk's state machine (API.md §5):
//! an instance starts RUNNING with tasks for the first approver node; agreeing completes the
//! node (OR: one approver, AND: all) and opens the next; the last node's agreement completes the
//! instance with `agree`; any refusal completes it with `refuse`; terminate (revoke) makes it
//! TERMINATED without a result. Every transition reports the events DingTalk would push.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

/// One component of an approval form template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormComponent {
    /// `TextField`, `DDPhotoField`, ...
    pub component_type: String,
    /// Component id.
    pub component_id: String,
    /// Label: the `name` instances must use.
    pub label: String,
    /// Whether instances must fill it.
    pub required: bool,
}

/// An approval form template (`POST /v1.0/workflow/forms`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Form {
    /// `PROC-...`.
    pub process_code: String,
    /// Template name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Components in order.
    pub components: Vec<FormComponent>,
}

/// Instance status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApprovalStatus {
    /// Waiting for approvers.
    Running,
    /// Finished with a result.
    Completed,
    /// Revoked by the originator or the system.
    Terminated,
}

impl ApprovalStatus {
    /// Wire name (`RUNNING`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "RUNNING",
            Self::Completed => "COMPLETED",
            Self::Terminated => "TERMINATED",
        }
    }
}

/// An approver's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// 同意.
    Agree,
    /// 拒绝.
    Refuse,
}

impl Decision {
    /// Parses `agree` / `refuse` (any case).
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "agree" => Some(Self::Agree),
            "refuse" => Some(Self::Refuse),
            _ => None,
        }
    }

    /// Instance/event spelling: `agree` / `refuse`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agree => "agree",
            Self::Refuse => "refuse",
        }
    }

    /// Task/record spelling: `AGREE` / `REFUSE`.
    pub fn as_upper(self) -> &'static str {
        match self {
            Self::Agree => "AGREE",
            Self::Refuse => "REFUSE",
        }
    }
}

/// Task status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    /// Waiting for its approver.
    Running,
    /// Acted on.
    Completed,
    /// Cancelled (another OR approver acted, a refusal, or a revoke).
    Canceled,
}

impl TaskStatus {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "RUNNING",
            Self::Completed => "COMPLETED",
            Self::Canceled => "CANCELED",
        }
    }
}

/// An approver node: `actionType` AND (会签), OR (或签) or NONE (single approver).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// `AND`, `OR` or `NONE`.
    pub action_type: String,
    /// Approvers of the node.
    pub user_ids: Vec<String>,
}

/// An approval task of one approver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// Task id (Long).
    pub task_id: i64,
    /// Approver.
    pub user_id: String,
    /// Status.
    pub status: TaskStatus,
    /// Result once completed.
    pub result: Option<Decision>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Finish time.
    pub finished_at: Option<DateTime<Utc>>,
    /// Node index as activity id.
    pub activity_id: String,
}

/// An entry of the instance's operation log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationRecord {
    /// Actor.
    pub user_id: String,
    /// When.
    pub date: DateTime<Utc>,
    /// `START_PROCESS_INSTANCE`, `EXECUTE_TASK_NORMAL`, `TERMINATE_PROCESS_INSTANCE`.
    pub kind: String,
    /// `AGREE`, `REFUSE` or `NONE`.
    pub result: String,
    /// Remark.
    pub remark: String,
}

/// An approval instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    /// `processInstanceId`.
    pub id: String,
    /// Template.
    pub process_code: String,
    /// `<originator>提交的<template>`.
    pub title: String,
    /// Originator user id.
    pub originator_user_id: String,
    /// Originator department (-1 = root).
    pub originator_dept_id: i64,
    /// Its name.
    pub originator_dept_name: String,
    /// Status.
    pub status: ApprovalStatus,
    /// Result when completed.
    pub result: Option<Decision>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Finish time.
    pub finished_at: Option<DateTime<Utc>>,
    /// `formComponentValues` as received (normalised objects).
    pub form_values: Vec<Value>,
    /// Approver nodes in order.
    pub nodes: Vec<Node>,
    /// Index of the node being decided.
    pub current_node: usize,
    /// CC users.
    pub cc_user_ids: Vec<String>,
    /// Tasks of every node opened so far.
    pub tasks: Vec<Task>,
    /// Operation log.
    pub records: Vec<OperationRecord>,
    /// Business id (approval number).
    pub business_id: String,
}

/// A transition's visible effect: one DingTalk event each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalChange {
    /// `bpms_instance_change` type `start`.
    InstanceStarted,
    /// `bpms_task_change` type `start`.
    TaskStarted {
        /// Task id.
        task_id: i64,
        /// Approver.
        user_id: String,
    },
    /// `bpms_task_change` type `finish`.
    TaskFinished {
        /// Task id.
        task_id: i64,
        /// Approver.
        user_id: String,
        /// agree / refuse.
        decision: Decision,
        /// Remark.
        remark: String,
    },
    /// `bpms_task_change` type `cancel`.
    TaskCanceled {
        /// Task id.
        task_id: i64,
        /// Approver.
        user_id: String,
    },
    /// `bpms_instance_change` type `finish`.
    InstanceFinished(Decision),
    /// `bpms_instance_change` type `terminate`.
    InstanceTerminated {
        /// Who revoked (originator, or the system).
        operator: String,
    },
}

/// Why an operation on an instance was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ApprovalError {
    /// The instance is no longer RUNNING.
    #[error("审批实例已结束")]
    NotRunning,
    /// The user has no running task (or the task id does not match).
    #[error("审批任务不存在或不属于该用户")]
    NoSuchTask,
    /// Only the originator may revoke.
    #[error("只有发起人可以撤销审批")]
    NotOriginator,
    /// DingTalk refuses revoking within 15 s of submitting.
    #[error("审批实例刚发起，暂不能撤销")]
    TooEarly,
}

/// Seconds after submitting during which terminate fails (`aflowProcessInstStatusException`).
pub const TERMINATE_GRACE_SECS: i64 = 15;

/// Parameters of a new instance.
pub struct NewApproval {
    /// Instance id.
    pub id: String,
    /// Template.
    pub process_code: String,
    /// Title.
    pub title: String,
    /// Originator.
    pub originator_user_id: String,
    /// Originator department.
    pub originator_dept_id: i64,
    /// Department name.
    pub originator_dept_name: String,
    /// Form values.
    pub form_values: Vec<Value>,
    /// Approver nodes (non-empty).
    pub nodes: Vec<Node>,
    /// CC users.
    pub cc_user_ids: Vec<String>,
    /// Business id.
    pub business_id: String,
}

impl Approval {
    /// Starts an instance: RUNNING with the first node's tasks.
    pub fn start(
        new: NewApproval,
        now: DateTime<Utc>,
        next_task_id: &mut i64,
    ) -> (Self, Vec<ApprovalChange>) {
        let mut approval = Self {
            id: new.id,
            process_code: new.process_code,
            title: new.title,
            originator_user_id: new.originator_user_id.clone(),
            originator_dept_id: new.originator_dept_id,
            originator_dept_name: new.originator_dept_name,
            status: ApprovalStatus::Running,
            result: None,
            created_at: now,
            finished_at: None,
            form_values: new.form_values,
            nodes: new.nodes,
            current_node: 0,
            cc_user_ids: new.cc_user_ids,
            tasks: Vec::new(),
            records: vec![OperationRecord {
                user_id: new.originator_user_id,
                date: now,
                kind: "START_PROCESS_INSTANCE".into(),
                result: "NONE".into(),
                remark: String::new(),
            }],
            business_id: new.business_id,
        };
        let mut changes = vec![ApprovalChange::InstanceStarted];
        approval.open_node(now, next_task_id, &mut changes);
        if approval.tasks.is_empty() {
            approval.complete(Decision::Agree, now, &mut changes);
        }
        (approval, changes)
    }

    /// Every approver of every node, in order.
    pub fn approver_user_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for id in self.nodes.iter().flat_map(|n| &n.user_ids) {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        ids
    }

    /// Running tasks.
    pub fn running_tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Running)
    }

    fn open_node(
        &mut self,
        now: DateTime<Utc>,
        next_task_id: &mut i64,
        changes: &mut Vec<ApprovalChange>,
    ) {
        while let Some(node) = self.nodes.get(self.current_node) {
            if node.user_ids.is_empty() {
                self.current_node += 1;
                continue;
            }
            for user_id in node.user_ids.clone() {
                let task_id = *next_task_id;
                *next_task_id += 1;
                self.tasks.push(Task {
                    task_id,
                    user_id: user_id.clone(),
                    status: TaskStatus::Running,
                    result: None,
                    created_at: now,
                    finished_at: None,
                    activity_id: format!("node-{}", self.current_node + 1),
                });
                changes.push(ApprovalChange::TaskStarted { task_id, user_id });
            }
            return;
        }
    }

    fn cancel_running(&mut self, now: DateTime<Utc>, changes: &mut Vec<ApprovalChange>) {
        for task in self
            .tasks
            .iter_mut()
            .filter(|t| t.status == TaskStatus::Running)
        {
            task.status = TaskStatus::Canceled;
            task.finished_at = Some(now);
            changes.push(ApprovalChange::TaskCanceled {
                task_id: task.task_id,
                user_id: task.user_id.clone(),
            });
        }
    }

    fn complete(
        &mut self,
        decision: Decision,
        now: DateTime<Utc>,
        changes: &mut Vec<ApprovalChange>,
    ) {
        self.status = ApprovalStatus::Completed;
        self.result = Some(decision);
        self.finished_at = Some(now);
        changes.push(ApprovalChange::InstanceFinished(decision));
    }

    /// An approver acts on their running task (`task_id` must match when given).
    pub fn decide(
        &mut self,
        user_id: &str,
        task_id: Option<i64>,
        decision: Decision,
        remark: &str,
        now: DateTime<Utc>,
        next_task_id: &mut i64,
    ) -> Result<Vec<ApprovalChange>, ApprovalError> {
        if self.status != ApprovalStatus::Running {
            return Err(ApprovalError::NotRunning);
        }
        let task = self
            .tasks
            .iter_mut()
            .find(|t| {
                t.status == TaskStatus::Running
                    && t.user_id == user_id
                    && task_id.is_none_or(|id| id == t.task_id)
            })
            .ok_or(ApprovalError::NoSuchTask)?;
        task.status = TaskStatus::Completed;
        task.result = Some(decision);
        task.finished_at = Some(now);
        let mut changes = vec![ApprovalChange::TaskFinished {
            task_id: task.task_id,
            user_id: user_id.to_owned(),
            decision,
            remark: remark.to_owned(),
        }];
        self.records.push(OperationRecord {
            user_id: user_id.to_owned(),
            date: now,
            kind: "EXECUTE_TASK_NORMAL".into(),
            result: decision.as_upper().into(),
            remark: remark.to_owned(),
        });
        let node_is_or = self
            .nodes
            .get(self.current_node)
            .is_some_and(|n| n.action_type.eq_ignore_ascii_case("OR"));
        if decision == Decision::Refuse {
            self.cancel_running(now, &mut changes);
            self.complete(Decision::Refuse, now, &mut changes);
            return Ok(changes);
        }
        if node_is_or {
            self.cancel_running(now, &mut changes);
        }
        if self.running_tasks().next().is_none() {
            self.current_node += 1;
            self.open_node(now, next_task_id, &mut changes);
            if self.running_tasks().next().is_none() {
                self.complete(Decision::Agree, now, &mut changes);
            }
        }
        Ok(changes)
    }

    /// Revokes the instance (`processInstances/terminate`).
    pub fn terminate(
        &mut self,
        operator: Option<&str>,
        remark: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<ApprovalChange>, ApprovalError> {
        if self.status != ApprovalStatus::Running {
            return Err(ApprovalError::NotRunning);
        }
        if operator.is_some_and(|operator| operator != self.originator_user_id) {
            return Err(ApprovalError::NotOriginator);
        }
        if (now - self.created_at).num_seconds() < TERMINATE_GRACE_SECS {
            return Err(ApprovalError::TooEarly);
        }
        let operator = operator.unwrap_or("system").to_owned();
        let mut changes = Vec::new();
        self.cancel_running(now, &mut changes);
        self.status = ApprovalStatus::Terminated;
        self.finished_at = Some(now);
        self.records.push(OperationRecord {
            user_id: operator.clone(),
            date: now,
            kind: "TERMINATE_PROCESS_INSTANCE".into(),
            result: "NONE".into(),
            remark: remark.to_owned(),
        });
        changes.push(ApprovalChange::InstanceTerminated { operator });
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(nodes: Vec<Node>) -> NewApproval {
        NewApproval {
            id: "pi-1".into(),
            process_code: "PROC-1".into(),
            title: "张明提交的积分申报".into(),
            originator_user_id: "u-origin".into(),
            originator_dept_id: 1000,
            originator_dept_name: "一组".into(),
            form_values: Vec::new(),
            nodes,
            cc_user_ids: Vec::new(),
            business_id: "202611290001".into(),
        }
    }

    fn node(kind: &str, users: &[&str]) -> Node {
        Node {
            action_type: kind.into(),
            user_ids: users.iter().map(|u| u.to_string()).collect(),
        }
    }

    fn kinds(changes: &[ApprovalChange]) -> Vec<&'static str> {
        changes
            .iter()
            .map(|c| match c {
                ApprovalChange::InstanceStarted => "instance.start",
                ApprovalChange::TaskStarted { .. } => "task.start",
                ApprovalChange::TaskFinished { .. } => "task.finish",
                ApprovalChange::TaskCanceled { .. } => "task.cancel",
                ApprovalChange::InstanceFinished(_) => "instance.finish",
                ApprovalChange::InstanceTerminated { .. } => "instance.terminate",
            })
            .collect()
    }

    #[test]
    fn start_opens_tasks_of_the_first_node() {
        let mut next = 1;
        let (a, changes) = Approval::start(
            new(vec![node("OR", &["a", "b"]), node("NONE", &["c"])]),
            Utc::now(),
            &mut next,
        );
        assert_eq!(a.status, ApprovalStatus::Running);
        assert_eq!(a.running_tasks().count(), 2);
        assert_eq!(
            kinds(&changes),
            ["instance.start", "task.start", "task.start"]
        );
        assert_eq!(a.approver_user_ids(), ["a", "b", "c"]);
    }

    #[test]
    fn or_node_agree_cancels_peers_and_moves_on_then_completes() {
        let mut next = 1;
        let now = Utc::now();
        let (mut a, _) = Approval::start(
            new(vec![node("OR", &["a", "b"]), node("NONE", &["c"])]),
            now,
            &mut next,
        );
        let changes = a
            .decide("a", None, Decision::Agree, "ok", now, &mut next)
            .expect("a decides");
        assert_eq!(
            kinds(&changes),
            ["task.finish", "task.cancel", "task.start"]
        );
        assert_eq!(a.status, ApprovalStatus::Running);
        let changes = a
            .decide("c", None, Decision::Agree, "", now, &mut next)
            .expect("c decides");
        assert_eq!(kinds(&changes), ["task.finish", "instance.finish"]);
        assert_eq!(
            (a.status, a.result),
            (ApprovalStatus::Completed, Some(Decision::Agree))
        );
        assert_eq!(
            a.decide("c", None, Decision::Agree, "", now, &mut next),
            Err(ApprovalError::NotRunning)
        );
    }

    #[test]
    fn and_node_needs_everyone_and_a_refusal_ends_it() {
        let mut next = 1;
        let now = Utc::now();
        let (mut a, _) = Approval::start(new(vec![node("AND", &["a", "b"])]), now, &mut next);
        let changes = a
            .decide("a", None, Decision::Agree, "", now, &mut next)
            .expect("a decides");
        assert_eq!(kinds(&changes), ["task.finish"]);
        let changes = a
            .decide("b", None, Decision::Refuse, "照片不清楚", now, &mut next)
            .expect("b decides");
        assert_eq!(kinds(&changes), ["task.finish", "instance.finish"]);
        assert_eq!(a.result, Some(Decision::Refuse));
        assert_eq!(a.records.last().map(|r| r.result.as_str()), Some("REFUSE"));
    }

    #[test]
    fn wrong_user_or_task_is_refused() {
        let mut next = 1;
        let now = Utc::now();
        let (mut a, _) = Approval::start(new(vec![node("NONE", &["a"])]), now, &mut next);
        assert_eq!(
            a.decide("x", None, Decision::Agree, "", now, &mut next),
            Err(ApprovalError::NoSuchTask)
        );
        assert_eq!(
            a.decide("a", Some(999), Decision::Agree, "", now, &mut next),
            Err(ApprovalError::NoSuchTask)
        );
    }

    #[test]
    fn terminate_needs_originator_and_15_seconds() {
        let mut next = 1;
        let now = Utc::now();
        let (mut a, _) = Approval::start(new(vec![node("NONE", &["a"])]), now, &mut next);
        assert_eq!(
            a.terminate(Some("u-origin"), "", now),
            Err(ApprovalError::TooEarly)
        );
        let later = now + chrono::Duration::seconds(16);
        assert_eq!(
            a.terminate(Some("a"), "", later),
            Err(ApprovalError::NotOriginator)
        );
        let changes = a
            .terminate(Some("u-origin"), "不申报了", later)
            .expect("terminates");
        assert_eq!(kinds(&changes), ["task.cancel", "instance.terminate"]);
        assert_eq!((a.status, a.result), (ApprovalStatus::Terminated, None));
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        fn flows() -> impl Strategy<Value = Vec<Node>> {
            let node = (prop::bool::ANY, 1usize..4).prop_map(|(or, n)| Node {
                action_type: if or { "OR".into() } else { "AND".into() },
                user_ids: (0..n).map(|i| format!("u{i}")).collect(),
            });
            prop::collection::vec(node, 1..4)
        }

        proptest! {
            #[test]
            fn any_sequence_of_decisions_keeps_the_state_machine_consistent(
                nodes in flows(),
                actions in prop::collection::vec((0usize..4, prop::bool::ANY), 0..20),
            ) {
                let mut next = 1;
                let now = Utc::now();
                let node_count = nodes.len();
                let (mut approval, _) = Approval::start(new(nodes), now, &mut next);
                let mut finishes = 0;
                let mut accepted_refusal = false;
                for (user, agree) in actions {
                    let decision = if agree { Decision::Agree } else { Decision::Refuse };
                    let was_running = approval.status == ApprovalStatus::Running;
                    match approval.decide(&format!("u{user}"), None, decision, "", now, &mut next) {
                        Ok(changes) => {
                            prop_assert!(was_running);
                            accepted_refusal |= decision == Decision::Refuse;
                            finishes += changes
                                .iter()
                                .filter(|c| matches!(c, ApprovalChange::InstanceFinished(_)))
                                .count();
                        }
                        Err(ApprovalError::NotRunning) => prop_assert!(!was_running),
                        Err(ApprovalError::NoSuchTask) => prop_assert!(was_running),
                        Err(other) => prop_assert!(false, "unexpected {other:?}"),
                    }
                    if approval.status != ApprovalStatus::Running {
                        prop_assert_eq!(approval.running_tasks().count(), 0);
                    }
                }
                prop_assert!(finishes <= 1, "an instance finishes once");
                match approval.result {
                    Some(Decision::Refuse) => prop_assert!(accepted_refusal),
                    Some(Decision::Agree) => {
                        prop_assert!(!accepted_refusal);
                        prop_assert_eq!(approval.current_node, node_count);
                    }
                    None => prop_assert_eq!(approval.status, ApprovalStatus::Running),
                }
            }
        }
    }
}
