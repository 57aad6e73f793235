//! Gateway calls for catalogue change requests (R7, F6): the district office's OA approval of
//! a change and its closing. The third approval kind on the same machinery as declarations and
//! objections: its own form template (kept in `dingtalk_state` under
//! [`dt_store::STATE_CATALOGUE_PROCESS_CODE`]), an instance per request (stored on it, unique),
//! results applied once through the inbox, whichever of DingTalk or the console decides first.
//!
//! Agree approves (the new version is in force from the next quarter); refuse rejects with the
//! approver's remark as the reason.

use aidazu_domain::org::{Role, Scope};
use aidazu_ports::dingtalk as dt_store;
use aidazu_ports::governance::{self as gov, ChangeStatus, StoredCatalogueChange};
use aidazu_ports::outbox::{CatalogueApprovalCreate, CatalogueApprovalTerminate};
use dingtalk::api::workflow::{
    Approver, CreateProcessInstance, FormComponent, FormComponentValue, SaveFormTemplate,
};
use dingtalk::ids::{ProcessCode, UserId};
use serde_json::{Value, json};

use super::{SendError, setup};
use crate::App;

/// Labels of the catalogue change form (the order of the form).
pub mod form {
    /// 申请单位 (the village, or 区级模板).
    pub const REQUESTER: &str = "申请单位";
    /// 调整内容 (the changes, one a line).
    pub const CHANGES: &str = "调整内容";
    /// 调整理由 (the reason).
    pub const REASON: &str = "调整理由";
    /// 模拟测算 (the replay in one line; the full table is in the console).
    pub const REPLAY: &str = "模拟测算";
    /// 生效说明 (when it would take effect).
    pub const EFFECTIVE: &str = "生效说明";
}

const FORM_NAME: &str = "爱大足积分制·积分项目调整";

const EFFECTIVE_TEXT: &str =
    "同意后自下一季度第一天起生效，本季度不变（R7）；拒绝请在审批意见中写明理由。";

async fn load(app: &App, id: i64) -> Result<StoredCatalogueChange, SendError> {
    gov::change(app.store(), id)
        .await?
        .ok_or_else(|| SendError::Permanent(format!("catalogue change {id} not found")))
}

pub(crate) async fn create_approval(
    app: &App,
    create: &CatalogueApprovalCreate,
) -> Result<Value, SendError> {
    let change = load(app, create.change_id).await?;
    if let Some(existing) = &change.process_instance_id {
        return Ok(json!({ "processInstanceId": existing, "note": "already created" }));
    }
    if change.status != ChangeStatus::Submitted {
        return Ok(json!({ "skipped": format!("catalogue change is {}", change.status.as_str()) }));
    }
    let db = app.store();
    let approvers: Vec<UserId> = aidazu_ports::declarations::scope_role_holders(
        db,
        Scope::District(change.district),
        Role::DistrictOfficer,
    )
    .await?
    .into_iter()
    .filter(|r| r.account != change.created_by)
    .map(|r| UserId::from(r.dingtalk_user_id))
    .collect();
    if approvers.is_empty() {
        return Ok(json!({ "skipped": "no district officer may decide this change" }));
    }
    let originator = aidazu_ports::accounts::account_by_id(db, change.created_by)
        .await?
        .map(|a| a.dingtalk_user_id)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| SendError::Permanent("the requester has no DingTalk user".into()))?;
    setup(app)?;
    let requester = match change.village {
        Some(v) => aidazu_ports::org::village(app.store(), v)
            .await?
            .map_or_else(
                || format!("村社 {v}"),
                |s| format!("{}{}", s.town.name, s.name),
            ),
        None => "区级模板".to_owned(),
    };
    let replay = match app.replay_summary(&change).await {
        Ok(text) => text,
        Err(error) => {
            tracing::warn!(%error, change = change.id, "replay for the approval form failed");
            "请在管理后台查看".to_owned()
        }
    };
    let mut request = CreateProcessInstance {
        originator_user_id: UserId::from(originator),
        process_code: ensure_form_template(app).await?,
        dept_id: Some(-1),
        microapp_agent_id: app.dingtalk().agent_id(),
        approvers: vec![Approver {
            action_type: "OR".to_owned(),
            user_ids: approvers,
        }],
        cc_list: Vec::new(),
        cc_position: None,
        form_component_values: vec![
            FormComponentValue::new(form::REQUESTER, requester),
            FormComponentValue::new(form::CHANGES, crate::governance::describe_changes(&change)),
            FormComponentValue::new(form::REASON, change.reason.clone()),
            FormComponentValue::new(form::REPLAY, replay),
            FormComponentValue::new(form::EFFECTIVE, EFFECTIVE_TEXT),
        ],
    };
    let instance = match app.dingtalk().create_process_instance(&request).await {
        Err(error) if super::is_unknown_process_code(&error) => {
            request.process_code = create_form_template(app).await?;
            app.dingtalk().create_process_instance(&request).await?
        }
        other => other?,
    };
    gov::set_process_instance_id(db, change.id, instance.as_str()).await?;
    tracing::info!(change = change.id, process_instance_id = %instance, "catalogue change approval created");
    if let Some(now) = gov::change(db, change.id).await?
        && now.status != ChangeStatus::Submitted
    {
        aidazu_ports::outbox::enqueue(
            db,
            crate::messages::catalogue_approval_terminate(
                change.id,
                change.village,
                Some(instance.as_str().to_owned()),
            ),
        )
        .await?;
    }
    Ok(json!({ "processInstanceId": instance.as_str() }))
}

pub(crate) async fn terminate_approval(
    app: &App,
    terminate: &CatalogueApprovalTerminate,
) -> Result<Value, SendError> {
    setup(app)?;
    let instance = match terminate
        .process_instance_id
        .as_deref()
        .filter(|i| !i.is_empty())
    {
        Some(instance) => instance.to_owned(),
        None => {
            let recorded = load(app, terminate.change_id).await?.process_instance_id;
            let key = crate::messages::key::catalogue_approval_create(terminate.change_id);
            match super::instance_or_wait(app, recorded, &key).await? {
                Some(instance) => instance,
                None => {
                    return Ok(json!({ "terminated": false, "note": "no approval was created" }));
                }
            }
        }
    };
    super::terminate_instance(app, &instance, "目录调整申请已在管理后台处理".to_owned()).await
}

async fn ensure_form_template(app: &App) -> Result<ProcessCode, SendError> {
    let db = app.store();
    if let Some(code) = dt_store::state_get(db, dt_store::STATE_CATALOGUE_PROCESS_CODE).await? {
        return Ok(ProcessCode::from(code));
    }
    create_form_template(app).await
}

async fn create_form_template(app: &App) -> Result<ProcessCode, SendError> {
    setup(app)?;
    let components = vec![
        FormComponent::new("TextField", "TextField-requester", form::REQUESTER, true),
        FormComponent::new(
            "TextareaField",
            "TextareaField-changes",
            form::CHANGES,
            true,
        ),
        FormComponent::new("TextareaField", "TextareaField-reason", form::REASON, true),
        FormComponent::new("TextareaField", "TextareaField-replay", form::REPLAY, false),
        FormComponent::new(
            "TextareaField",
            "TextareaField-effective",
            form::EFFECTIVE,
            false,
        ),
    ];
    let code = app
        .dingtalk()
        .save_form_template(&SaveFormTemplate {
            process_code: None,
            name: FORM_NAME.to_owned(),
            description: Some("爱大足积分制：村社积分项目调整申请，由区人居办审批".to_owned()),
            form_components: components,
        })
        .await?;
    dt_store::state_put(
        app.store(),
        dt_store::STATE_CATALOGUE_PROCESS_CODE,
        code.as_str(),
    )
    .await?;
    tracing::info!(process_code = %code, "catalogue change approval form template created");
    Ok(code)
}
