//! The DingTalk gateway: turns one outbox message into DingTalk calls.
//!
//! Messages are [`OutboxCommand`]s (written by the use cases through
//! `aidazu_ports::outbox::enqueue`, read back here through the same type):
//!
//! | command (kind) | DingTalk call |
//! |---|---|
//! | `ApprovalCreate` (`approval.create`) | ensure the form template once, then `POST /v1.0/workflow/processInstances` for the declaration's reviewers; the `processInstanceId` is stored on the declaration |
//! | `ApprovalTerminate` (`approval.terminate`) | `POST /v1.0/workflow/processInstances/terminate` (system); an instance already finished is fine |
//! | `CardSend` (`card.send`) | `POST /v1.0/card/instances/createAndDeliver` to each reviewer's robot chat; `param.cardAlreadyExist` counts as sent |
//! | `CardUpdate` (`card.update`) | `PUT /v1.0/card/instances` with the declaration's state |
//! | `NotifyWork` (`notify.work`) | `asyncsend_v2` markdown work notification |
//! | `NotifyGroup` (`notify.group`) | `POST /v1.0/robot/groupMessages/send` (markdown) |
//! | `ObjectionApprovalCreate` (`objection.approval.create`) | ensure the objection form template once, then `POST /v1.0/workflow/processInstances` for the village committee without the households concerned (D6); the id is stored on the objection (F6) |
//! | `ObjectionApprovalTerminate` (`objection.approval.terminate`) | as `approval.terminate`, for an objection decided in the console |
//! | `CatalogueApprovalCreate` (`catalogue.approval.create`) | ensure the catalogue-change form template once, then `POST /v1.0/workflow/processInstances` for the district officers; the id is stored on the change request (R7, F6) |
//! | `CatalogueApprovalTerminate` (`catalogue.approval.terminate`) | as `approval.terminate`, for a change request decided in the console |
//!
//! Errors are classified for the worker: [`SendError::Retry`] (5xx, timeouts, rate limits,
//! token trouble, an instance too young to terminate, a database hiccup) or
//! [`SendError::Permanent`] (a row that does not read as a command, unknown declaration,
//! DingTalk refusing for good).

use aidazu_ports::dingtalk as dt_store;
use aidazu_ports::outbox::{
    ApprovalTerminate, GroupNotice, OutboxCommand, OutboxMessage, WorkNotice,
};
use dingtalk::DingTalkError;
use dingtalk::api::card::{CardParams, CreateAndDeliverCard, RegisterCardCallback, UpdateCard};
use dingtalk::api::notification::WorkMessage;
use dingtalk::api::workflow::{FormComponent, SaveFormTemplate, TerminateProcessInstance};
use dingtalk::ids::{OutTrackId, ProcessCode, ProcessInstanceId, RobotCode, UserId};
use serde_json::{Value, json};

use crate::App;
use crate::integration::{CardCallback, DingTalkSetup};

/// Outbox kinds (the stored names of the [`OutboxCommand`] variants).
pub use aidazu_ports::outbox::kind;

/// Labels of the approval form (the order of the form).
pub mod form {
    /// 户 (household).
    pub const HOUSEHOLD: &str = "户";
    /// 成员 (member).
    pub const MEMBER: &str = "成员";
    /// 项目 (catalogue item).
    pub const ITEM: &str = "项目";
    /// 积分 (points; the admin may edit it for a range item).
    pub const POINTS: &str = "积分";
    /// 说明 (the villager's text).
    pub const TEXT: &str = "说明";
    /// 照片 (photo links).
    pub const PHOTOS: &str = "照片";
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Try again later (after backoff). `rate_limited` asks for a longer wait.
    Retry {
        /// What went wrong.
        reason: String,
        /// DingTalk said "too many requests".
        rate_limited: bool,
    },
    /// Trying again will not help; the message is marked failed.
    Permanent(String),
}

impl SendError {
    fn retry(reason: impl Into<String>) -> Self {
        Self::Retry {
            reason: reason.into(),
            rate_limited: false,
        }
    }

    /// The text recorded as `last_error`.
    pub fn reason(&self) -> &str {
        match self {
            Self::Retry { reason, .. } | Self::Permanent(reason) => reason,
        }
    }
}

impl From<DingTalkError> for SendError {
    fn from(error: DingTalkError) -> Self {
        let text = error.to_string();
        let kind = error.kind();
        if kind == dingtalk::ErrorKind::RateLimited {
            return Self::Retry {
                reason: text,
                rate_limited: true,
            };
        }
        if error.is_retryable() || error.is_token_invalid() {
            Self::retry(text)
        } else {
            Self::Permanent(text)
        }
    }
}

impl From<aidazu_ports::StoreError> for SendError {
    fn from(error: aidazu_ports::StoreError) -> Self {
        Self::retry(format!("storage: {error}"))
    }
}

fn setup(app: &App) -> Result<&DingTalkSetup, SendError> {
    app.dingtalk_setup()
        .ok_or_else(|| SendError::retry("DingTalk is not configured in this process"))
}

fn users(ids: &[String]) -> Vec<UserId> {
    ids.iter()
        .filter(|id| !id.is_empty())
        .map(|id| UserId::from(id.as_str()))
        .collect()
}

/// Sends one outbox message. Returns what DingTalk answered (stored on the row).
///
/// # Errors
/// [`SendError`], classified for retry; a row that does not read as an [`OutboxCommand`] is
/// permanent.
pub async fn send(app: &App, message: &OutboxMessage) -> Result<Value, SendError> {
    let command = message
        .command()
        .map_err(|error| SendError::Permanent(error.to_string()))?;
    match command {
        OutboxCommand::NotifyWork(notice) => notify_work(app, &notice).await,
        OutboxCommand::NotifyGroup(notice) => notify_group(app, &notice).await,
        OutboxCommand::ApprovalTerminate(terminate) => terminate_approval(app, &terminate).await,
        OutboxCommand::ApprovalCreate(create) => {
            crate::gateway::declaration::create_approval(app, &create).await
        }
        OutboxCommand::CardSend(card) => crate::gateway::declaration::send_card(app, &card).await,
        OutboxCommand::CardUpdate(card) => {
            crate::gateway::declaration::update_card(app, &card).await
        }
        OutboxCommand::ObjectionApprovalCreate(create) => {
            crate::gateway::objection::create_approval(app, &create).await
        }
        OutboxCommand::ObjectionApprovalTerminate(terminate) => {
            crate::gateway::objection::terminate_approval(app, &terminate).await
        }
        OutboxCommand::CatalogueApprovalCreate(create) => {
            crate::gateway::catalogue::create_approval(app, &create).await
        }
        OutboxCommand::CatalogueApprovalTerminate(terminate) => {
            crate::gateway::catalogue::terminate_approval(app, &terminate).await
        }
    }
}

async fn notify_work(app: &App, notice: &WorkNotice) -> Result<Value, SendError> {
    setup(app)?;
    let client = app.dingtalk();
    let users = users(&notice.user_ids);
    if users.is_empty() {
        return Ok(json!({ "skipped": "no recipients" }));
    }
    let task_id = client
        .send_work_notification(
            &users,
            WorkMessage::Markdown {
                title: notice.markdown.title.clone(),
                text: notice.markdown.text.clone(),
            },
        )
        .await?;
    Ok(json!({ "taskId": task_id }))
}

/// `notify.group`: the robot posts to the group. A group DingTalk does not know, or one without
/// our robot, is a permanent failure: the message ends `failed` (and audited by the worker),
/// never a silent success.
async fn notify_group(app: &App, notice: &GroupNotice) -> Result<Value, SendError> {
    if notice.open_conversation_id.is_empty() {
        return Err(SendError::Permanent(
            "the group notice names no group".into(),
        ));
    }
    let message =
        dingtalk::api::robot::RobotMessage::markdown(&notice.markdown.title, &notice.markdown.text);
    // The village's own robot when its notice group names one (F5), else the app's.
    let robot = notice
        .robot_code
        .as_deref()
        .filter(|r| !r.is_empty())
        .unwrap_or(app.dingtalk().app_key());
    let request = dingtalk::api::robot::SendGroupMessage::new(
        RobotCode::new(robot),
        notice.open_conversation_id.as_str().into(),
        &message,
    );
    match app
        .dingtalk()
        .send(&request)
        .await
        .map(|r| r.process_query_key)
    {
        Ok(process_query_key) => Ok(json!({ "processQueryKey": process_query_key })),
        Err(error) if error.is_group_refusal() => Err(SendError::Permanent(format!(
            "DingTalk refused the group message: {error}"
        ))),
        Err(error) => Err(error.into()),
    }
}

/// DingTalk codes meaning "this instance cannot be terminated because it is no longer running".
fn is_not_running(error: &DingTalkError) -> bool {
    matches!(error, DingTalkError::Api { message, .. } if message.contains("不是运行中") || message.contains("已结束") || message.contains("not running"))
}

async fn terminate_approval(app: &App, terminate: &ApprovalTerminate) -> Result<Value, SendError> {
    setup(app)?;
    let instance: String = match terminate
        .process_instance_id
        .as_deref()
        .filter(|id| !id.is_empty())
    {
        Some(id) => id.to_owned(),
        // Enqueued before the approval existed: take the id from the declaration now.
        None => match instance_of_declaration(app, terminate.declaration_id).await? {
            Some(id) => id,
            None => return Ok(json!({ "terminated": false, "note": "no approval was created" })),
        },
    };
    let remark = terminate
        .remark
        .clone()
        .unwrap_or_else(|| "申报已在其他渠道处理".to_owned());
    terminate_instance(app, &instance, remark).await
}

/// Terminates an approval instance decided elsewhere (console, card), for every approval kind:
/// done, already finished (nothing to do), or a retry while DingTalk refuses a fresh instance.
pub(crate) async fn terminate_instance(
    app: &App,
    instance: &str,
    remark: String,
) -> Result<Value, SendError> {
    let request = TerminateProcessInstance {
        process_instance_id: ProcessInstanceId::from(instance),
        is_system: true,
        remark: Some(remark),
        operating_user_id: None,
    };
    match app.dingtalk().terminate_process_instance(&request).await {
        Ok(done) => Ok(json!({ "processInstanceId": instance, "terminated": done })),
        // DingTalk refuses to terminate an instance in its first seconds: wait and retry.
        Err(error) if error.api_code() == Some("aflowProcessInstStatusException") => {
            Err(SendError::retry(error.to_string()))
        }
        Err(error) if is_not_running(&error) => Ok(
            json!({ "processInstanceId": instance, "terminated": false, "note": "already finished" }),
        ),
        Err(error) => Err(error.into()),
    }
}

/// The instance to terminate when the terminate command was enqueued before the approval
/// existed: the one recorded since (`recorded`), else a retry while its create command (`create_key`)
/// is still pending, else `None` (no approval was ever created).
pub(crate) async fn instance_or_wait(
    app: &App,
    recorded: Option<String>,
    create_key: &str,
) -> Result<Option<String>, SendError> {
    if recorded.is_some() {
        return Ok(recorded);
    }
    let create = aidazu_ports::outbox::get_by_key(app.store(), create_key).await?;
    if create.is_some_and(|m| m.status == aidazu_ports::outbox::STATUS_PENDING) {
        return Err(SendError::retry("the approval is not created yet"));
    }
    Ok(None)
}

/// The approval instance of declaration `id`: `Some` once created; `None` when none will be
/// (its `approval.create` is done without one); a retry while it is pending.
async fn instance_of_declaration(
    app: &App,
    id: aidazu_domain::DeclarationId,
) -> Result<Option<String>, SendError> {
    let db = app.store();
    let record = aidazu_ports::declarations::declaration(db, id).await?;
    if let Some(instance) = record.and_then(|r| r.process_instance_id) {
        return Ok(Some(instance));
    }
    let create =
        aidazu_ports::outbox::get_by_key(db, &crate::messages::key::approval_create(id)).await?;
    match create {
        Some(m) if m.status == aidazu_ports::outbox::STATUS_PENDING => {
            Err(SendError::retry("the approval is not created yet"))
        }
        _ => Ok(None),
    }
}

/// The approval form template: created once, its `processCode` kept in `dingtalk_state`.
///
/// # Errors
/// [`SendError`].
pub async fn ensure_form_template(app: &App) -> Result<ProcessCode, SendError> {
    let db = app.store();
    if let Some(code) = dt_store::state_get(db, dt_store::STATE_PROCESS_CODE).await? {
        return Ok(ProcessCode::from(code));
    }
    create_form_template(app).await
}

/// Whether DingTalk says the process code does not exist (`processCodeError`,
/// "processCode不存在"): the template we remember is gone on DingTalk's side.
pub fn is_unknown_process_code(error: &DingTalkError) -> bool {
    matches!(error, DingTalkError::Api { code, message, .. }
        if code == "processCodeError" || message.contains("processCode不存在"))
}

/// Creates the approval form template again and remembers its new `processCode` (after
/// DingTalk answered that the remembered one is unknown).
///
/// # Errors
/// [`SendError`].
pub async fn renew_form_template(app: &App) -> Result<ProcessCode, SendError> {
    tracing::warn!("DingTalk does not know the approval form template any more; creating it again");
    create_form_template(app).await
}

async fn create_form_template(app: &App) -> Result<ProcessCode, SendError> {
    let db = app.store();
    let setup = setup(app)?;
    let components = vec![
        FormComponent::new("TextField", "TextField-household", form::HOUSEHOLD, true),
        FormComponent::new("TextField", "TextField-member", form::MEMBER, true),
        FormComponent::new("TextField", "TextField-item", form::ITEM, true),
        FormComponent::new("NumberField", "NumberField-points", form::POINTS, true),
        FormComponent::new("TextareaField", "TextareaField-text", form::TEXT, false),
        FormComponent::new("TextareaField", "TextareaField-photos", form::PHOTOS, false),
    ];
    let code = app
        .dingtalk()
        .save_form_template(&SaveFormTemplate {
            process_code: None,
            name: setup.gateway.form_name.clone(),
            description: Some("爱大足积分制：村民积分申报，由村管理员审核".to_owned()),
            form_components: components,
        })
        .await?;
    dt_store::state_put(db, dt_store::STATE_PROCESS_CODE, code.as_str()).await?;
    tracing::info!(process_code = %code, "approval form template created");
    Ok(code)
}

/// Registers the HTTP card callback route once (HTTP card mode only).
///
/// # Errors
/// [`SendError`].
pub async fn ensure_card_route(app: &App) -> Result<(), SendError> {
    let setup = setup(app)?;
    let CardCallback::Http {
        route_key,
        url,
        secret,
    } = &setup.gateway.card_callback
    else {
        return Ok(());
    };
    let db = app.store();
    let marker = format!("{route_key} {url}");
    if dt_store::state_get(db, dt_store::STATE_CARD_ROUTE)
        .await?
        .as_deref()
        == Some(&marker)
    {
        return Ok(());
    }
    app.dingtalk()
        .register_card_callback(&RegisterCardCallback {
            callback_route_key: route_key.clone(),
            callback_url: url.clone(),
            api_secret: secret.clone(),
            force_update: true,
        })
        .await?;
    dt_store::state_put(db, dt_store::STATE_CARD_ROUTE, &marker).await?;
    tracing::info!(%route_key, %url, "card callback route registered");
    Ok(())
}

/// Builds a create-and-deliver request for the robot chats of `users` (one card, one space
/// per admin).
fn card_request(
    app: &App,
    setup: &DingTalkSetup,
    out_track_id: &OutTrackId,
    users: &[UserId],
    params: CardParams,
) -> Option<CreateAndDeliverCard> {
    let first = users.first()?;
    let robot = RobotCode::from(app.dingtalk().app_key());
    let mut request = CreateAndDeliverCard::to_user(
        setup.gateway.card_template_id.clone(),
        out_track_id.clone(),
        first,
        robot,
        params,
    );
    let spaces: Vec<String> = users.iter().map(|u| format!("IM_ROBOT.{u}")).collect();
    request.open_space_id = format!("dtv1.card//{}", spaces.join(";"));
    if let CardCallback::Http { route_key, .. } = &setup.gateway.card_callback {
        request.callback_type = "HTTP".to_owned();
        request.callback_route_key = Some(route_key.clone());
    }
    Some(request)
}

/// Card update merging `params` into the card's data.
fn card_update(out_track_id: &OutTrackId, params: CardParams) -> UpdateCard {
    UpdateCard::merge(out_track_id.clone(), params)
}

pub mod catalogue;
pub(crate) mod declaration;
pub mod objection;
