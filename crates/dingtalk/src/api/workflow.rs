//! OA approvals (工作流, API.md §5): form templates and approval instances.

use std::borrow::Cow;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::json_endpoint;
use crate::Client;
use crate::endpoint::{Endpoint, Family};
use crate::error::DingTalkError;
use crate::ids::{DeptId, ProcessCode, ProcessInstanceId, UserId};
use crate::retry::RetrySafety;

/// One form value of an instance: `name` is the form label, `value` always a string (JSON
/// values stringified).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormComponentValue {
    /// The control's label.
    pub name: String,
    /// The value as a string (≤ 65 535 characters).
    #[serde(default)]
    pub value: String,
    /// Component id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Business alias of the control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_alias: Option<String>,
    /// Extended value (JSON string) for rich controls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext_value: Option<String>,
    /// Component type (`TextField`, `NumberField`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_type: Option<String>,
}

impl FormComponentValue {
    /// A value for the control labelled `name`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            id: None,
            biz_alias: None,
            ext_value: None,
            component_type: None,
        }
    }
}

/// One approval step chosen by the caller instead of the console flow.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Approver {
    /// `AND` (all must approve), `OR` (any one), `NONE` (single approver).
    pub action_type: String,
    /// The approvers of this step.
    pub user_ids: Vec<UserId>,
}

/// `POST /v1.0/workflow/processInstances`: starts an approval.
///
/// **Not idempotent**: DingTalk has no dedupe key here, so the client retries only refusals
/// (rate limits, connect failures); the caller's outbox owns any other retry.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateProcessInstance {
    /// Who submits.
    pub originator_user_id: UserId,
    /// The template.
    pub process_code: ProcessCode,
    /// The originator's department (`-1` = root); required when `approvers` is empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dept_id: Option<DeptId>,
    /// The micro-app agent id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub microapp_agent_id: Option<i64>,
    /// Explicit approval steps (overrides the console flow).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<Approver>,
    /// Users copied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cc_list: Vec<UserId>,
    /// When the cc users are notified: `START`, `FINISH` or `START_FINISH`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cc_position: Option<String>,
    /// The form values.
    pub form_component_values: Vec<FormComponentValue>,
}

/// `{"instanceId"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedProcessInstance {
    /// The new instance.
    pub instance_id: ProcessInstanceId,
}

json_endpoint!(CreateProcessInstance => CreatedProcessInstance, Api, POST, "/v1.0/workflow/processInstances", OnlyIfNotProcessed);

/// `GET /v1.0/workflow/processInstances?processInstanceId=`: an instance with its tasks.
#[derive(Debug, Clone)]
pub struct GetProcessInstance {
    /// The instance.
    pub process_instance_id: ProcessInstanceId,
}

impl Endpoint for GetProcessInstance {
    type Response = ProcessInstanceEnvelope;
    type Body = ();
    const FAMILY: Family = Family::Api;
    const METHOD: Method = Method::GET;

    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/v1.0/workflow/processInstances")
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        vec![("processInstanceId", self.process_instance_id.to_string())]
    }

    fn body(&self) -> Option<&()> {
        None
    }

    fn retry_safety(&self) -> RetrySafety {
        RetrySafety::Idempotent
    }
}

/// `{"success", "result"}` of the instance query.
#[derive(Debug, Clone, Deserialize)]
pub struct ProcessInstanceEnvelope {
    /// The instance.
    pub result: ProcessInstance,
}

/// Instance status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ProcessStatus {
    /// Just created.
    New,
    /// Waiting for approvers.
    Running,
    /// Revoked by the originator.
    Terminated,
    /// Finished; see the result.
    Completed,
    /// Cancelled.
    Canceled,
    /// A status this client does not know.
    #[serde(other)]
    Unknown,
}

/// Outcome of a completed instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ApprovalResult {
    /// Approved.
    Agree,
    /// Rejected.
    Refuse,
    /// Empty or unknown.
    #[serde(other)]
    Unknown,
}

/// An approval instance.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessInstance {
    /// Title (`张三提交的积分申报`).
    #[serde(default)]
    pub title: String,
    /// Status.
    pub status: ProcessStatus,
    /// Outcome once completed.
    #[serde(default)]
    pub result: Option<ApprovalResult>,
    /// Creation time as sent (`2022-08-31T11:52Z`).
    #[serde(default)]
    pub create_time: Option<String>,
    /// Finish time as sent.
    #[serde(default)]
    pub finish_time: Option<String>,
    /// Who submitted.
    #[serde(default)]
    pub originator_user_id: Option<UserId>,
    /// The originator's department (a string on the wire, `-1` = root).
    #[serde(default)]
    pub originator_dept_id: Option<String>,
    /// Approval number.
    #[serde(default)]
    pub business_id: Option<String>,
    /// Current approvers.
    #[serde(default)]
    pub approver_user_ids: Vec<UserId>,
    /// Users copied.
    #[serde(default)]
    pub cc_user_ids: Vec<UserId>,
    /// Form values.
    #[serde(default)]
    pub form_component_values: Vec<FormComponentValue>,
    /// Approval history.
    #[serde(default)]
    pub operation_records: Vec<OperationRecord>,
    /// Tasks of the approvers.
    #[serde(default)]
    pub tasks: Vec<Task>,
}

/// One entry of the approval history.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationRecord {
    /// Who acted.
    #[serde(default)]
    pub user_id: Option<UserId>,
    /// When, as sent.
    #[serde(default)]
    pub date: Option<String>,
    /// Operation type (`EXECUTE_TASK_NORMAL`, ...).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `AGREE`, `REFUSE` or `NONE`.
    #[serde(default)]
    pub result: Option<String>,
    /// Comment.
    #[serde(default)]
    pub remark: Option<String>,
}

/// An approver's task.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// Task id (a number).
    pub task_id: i64,
    /// The approver.
    #[serde(default)]
    pub user_id: Option<UserId>,
    /// `NEW`, `RUNNING`, `PAUSED`, `CANCELED`, `COMPLETED`, `TERMINATED`.
    #[serde(default)]
    pub status: Option<String>,
    /// `AGREE`, `REFUSE`, `REDIRECTED`.
    #[serde(default)]
    pub result: Option<String>,
}

/// `POST /v1.0/workflow/processInstances/terminate`: revokes an instance.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TerminateProcessInstance {
    /// The instance.
    pub process_instance_id: ProcessInstanceId,
    /// `true` = revoked by the system; otherwise `operating_user_id` must be the originator.
    pub is_system: bool,
    /// Reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// Who revokes (required unless `is_system`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operating_user_id: Option<UserId>,
}

/// `{"result": bool, "success": bool}`.
#[derive(Debug, Clone, Deserialize)]
pub struct BoolResult {
    /// Whether the operation took effect.
    #[serde(default)]
    pub result: bool,
}

json_endpoint!(TerminateProcessInstance => BoolResult, Api, POST, "/v1.0/workflow/processInstances/terminate", OnlyIfNotProcessed);

/// One control of a form template.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormComponent {
    /// `TextField`, `TextareaField`, `NumberField`, `DDSelectField`, `DDPhotoField`, ...
    pub component_type: String,
    /// The control's properties.
    pub props: FormComponentProps,
}

/// Properties of a form control.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormComponentProps {
    /// Stable id of the control (`TextField_1`).
    pub component_id: String,
    /// Label shown to users; instance values refer to it as `name`.
    pub label: String,
    /// Whether a value is required.
    pub required: bool,
    /// Business alias.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub biz_alias: Option<String>,
    /// Placeholder text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// Further properties (`options`, `unit`, ...), sent as is.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FormComponent {
    /// A control with the common properties.
    pub fn new(
        component_type: impl Into<String>,
        component_id: impl Into<String>,
        label: impl Into<String>,
        required: bool,
    ) -> Self {
        Self {
            component_type: component_type.into(),
            props: FormComponentProps {
                component_id: component_id.into(),
                label: label.into(),
                required,
                biz_alias: None,
                placeholder: None,
                extra: Map::new(),
            },
        }
    }
}

/// `POST /v1.0/workflow/forms`: creates a template (no `process_code`) or updates one.
///
/// Updating is idempotent and retried; creating is not (each call makes a new template).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveFormTemplate {
    /// The template to update; `None` creates one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_code: Option<ProcessCode>,
    /// Name (≤ 200 characters).
    pub name: String,
    /// Description (≤ 300 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Controls (≤ 200).
    pub form_components: Vec<FormComponent>,
}

/// `{"result":{"processCode"}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct SavedFormTemplate {
    /// The result.
    pub result: SavedFormTemplateResult,
}

/// The saved template's code.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedFormTemplateResult {
    /// The template code to start instances with.
    pub process_code: ProcessCode,
}

impl Endpoint for SaveFormTemplate {
    type Response = SavedFormTemplate;
    type Body = Self;
    const FAMILY: Family = Family::Api;
    const METHOD: Method = Method::POST;

    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/v1.0/workflow/forms")
    }

    fn body(&self) -> Option<&Self> {
        Some(self)
    }

    fn retry_safety(&self) -> RetrySafety {
        if self.process_code.is_some() {
            RetrySafety::Idempotent
        } else {
            RetrySafety::OnlyIfNotProcessed
        }
    }
}

impl Client {
    /// Starts an approval instance.
    ///
    /// # Errors
    /// [`DingTalkError::Api`] with DingTalk's 400 codes (`processCodeError`,
    /// `formConverterError`, ...).
    pub async fn create_process_instance(
        &self,
        request: &CreateProcessInstance,
    ) -> Result<ProcessInstanceId, DingTalkError> {
        Ok(self.send(request).await?.instance_id)
    }

    /// Reads an approval instance.
    ///
    /// # Errors
    /// [`DingTalkError::Api`] with code `processInstanceIdError` for unknown ids.
    pub async fn process_instance(
        &self,
        id: &ProcessInstanceId,
    ) -> Result<ProcessInstance, DingTalkError> {
        let request = GetProcessInstance {
            process_instance_id: id.clone(),
        };
        Ok(self.send(&request).await?.result)
    }

    /// Revokes an approval instance.
    ///
    /// # Errors
    /// [`DingTalkError::Api`], e.g. `aflowProcessInstStatusException` within 15 s of submit.
    pub async fn terminate_process_instance(
        &self,
        request: &TerminateProcessInstance,
    ) -> Result<bool, DingTalkError> {
        Ok(self.send(request).await?.result)
    }

    /// Creates or updates a form template; answers its process code.
    ///
    /// # Errors
    /// [`DingTalkError::Api`] for invalid templates or an unknown `process_code`.
    pub async fn save_form_template(
        &self,
        request: &SaveFormTemplate,
    ) -> Result<ProcessCode, DingTalkError> {
        Ok(self.send(request).await?.result.process_code)
    }
}
