//! Gateway calls that need an objection's details (F6): the committee's OA approval of an
//! objection and its closing.
//!
//! **Its own form template, not the declaration's extended.** The declaration form's fields
//! (户, 成员, 项目, required 积分 prefilled with the item's points) describe a claim for points;
//! an objection names a quarter, the household questioned and the objector's text, and its
//! outcome is a correction of either sign that nobody can prefill. Sharing one template would
//! make every declaration carry empty objection fields (and the other way round), would show
//! both kinds under one name in the approvers' DingTalk lists, and a change to one form would
//! re-save the other. The template is created once, its `processCode` kept in `dingtalk_state`
//! under [`dt_store::STATE_OBJECTION_PROCESS_CODE`], renewed like the declaration's when
//! DingTalk forgets it.
//!
//! **How the approver gives the correction.** Agree means uphold, which needs a correction
//! amount (±, not 0). The approver writes it in the approval remark (`更正 +3 分：核实有值守记录`;
//! the form's 处理说明 field says so), or — where the tenant lets approvers edit the form — in
//! the number field 更正分值. The inbox reads the field first, then the remark
//! ([`correction_from`]). An agreement without an amount decides nothing: the event is recorded
//! as refused, the objection stays open and the approver is told to decide it in the console.
//! Refuse means reject, with the approver's remark as the reason.

use aidazu_domain::ObjectionId;
use aidazu_domain::objection::ObjectionState;
use aidazu_domain::org::{Role, Scope};
use aidazu_ports::objections::{self as store_obj, StoredObjection};
use aidazu_ports::outbox::{ObjectionApprovalCreate, ObjectionApprovalTerminate};
use aidazu_ports::{dingtalk as dt_store, households};
use dingtalk::api::workflow::{
    Approver, CreateProcessInstance, FormComponent, FormComponentValue, SaveFormTemplate,
};
use dingtalk::ids::{ProcessCode, UserId};
use serde_json::{Value, json};

use super::{SendError, setup};
use crate::App;

/// Labels of the objection approval form (the order of the form).
pub mod form {
    /// 季度 (the publication's quarter, `2026-Q3`).
    pub const QUARTER: &str = "季度";
    /// 异议对象户 (the household questioned).
    pub const HOUSEHOLD: &str = "异议对象户";
    /// 异议人 (the objector).
    pub const OBJECTOR: &str = "异议人";
    /// 异议内容 (the objector's text).
    pub const TEXT: &str = "异议内容";
    /// 照片 (how many evidence photos; they are seen in the console).
    pub const PHOTOS: &str = "照片";
    /// 处理说明 (how to answer in DingTalk).
    pub const HOW: &str = "处理说明";
    /// 更正分值 (the correction when upheld; empty at creation, an approver may fill it in).
    pub const CORRECTION: &str = "更正分值";
}

/// What the 处理说明 field says.
const HOW_TO_ANSWER: &str = "同意＝采纳异议：请在审批意见中写明更正分值，如“更正 +3 分：核实有值守记录”（负数为扣减）；\
未写分值的同意不生效，请到管理后台处理。拒绝＝不采纳：审批意见即答复理由。申请镇街复核在管理后台办理。";

/// The form's name in DingTalk.
const FORM_NAME: &str = "爱大足积分制·公示异议";

/// The correction an approver gave: the form's 更正分值 when filled in, else the first signed
/// integer after 更正 in the remark (`更正 +3 分`, `更正-2`, `更正：5`). `None` when neither.
#[must_use]
pub fn correction_from(field: Option<&str>, remark: Option<&str>) -> Option<i64> {
    if let Some(value) = field.map(str::trim).filter(|v| !v.is_empty())
        && let Ok(number) = value.parse::<f64>()
        && number.fract() == 0.0
        && number != 0.0
    {
        return Some(number as i64);
    }
    let remark = remark?;
    let after = &remark[remark.find("更正")? + "更正".len()..];
    let rest = after.trim_start_matches([' ', '：', ':', '　']);
    let mut chars = rest.char_indices().peekable();
    let mut sign = 1;
    if let Some(&(_, c)) = chars.peek()
        && matches!(c, '+' | '＋' | '-' | '－' | '−')
    {
        if matches!(c, '-' | '－' | '−') {
            sign = -1;
        }
        chars.next();
    }
    let digits: String = chars
        .map(|(_, c)| c)
        .take_while(char::is_ascii_digit)
        .collect();
    let number: i64 = digits.parse().ok()?;
    (number != 0).then_some(sign * number)
}

async fn load(app: &App, id: ObjectionId) -> Result<StoredObjection, SendError> {
    store_obj::get(app.store(), id)
        .await?
        .ok_or_else(|| SendError::Permanent(format!("objection {id} not found")))
}

/// Who may decide (D6): the village committee, without anyone of the household questioned or
/// of the objector's household.
async fn deciders(app: &App, stored: &StoredObjection) -> Result<Vec<UserId>, SendError> {
    let o = &stored.objection;
    Ok(aidazu_ports::declarations::scope_role_holders(
        app.store(),
        Scope::Village(stored.village),
        Role::VillageCommittee,
    )
    .await?
    .into_iter()
    .filter(|r| r.household != Some(o.about) && r.household != Some(o.raised_by_household))
    .map(|r| UserId::from(r.dingtalk_user_id))
    .collect())
}

/// The objector's DingTalk user (the approval's originator): their own account, else one of
/// their household's.
async fn originator(app: &App, stored: &StoredObjection) -> Result<Option<String>, SendError> {
    let db = app.store();
    let o = &stored.objection;
    if let Some((_, user)) = aidazu_ports::accounts::accounts_of_member(db, o.raised_by)
        .await?
        .into_iter()
        .next()
    {
        return Ok(Some(user));
    }
    Ok(
        aidazu_ports::declarations::household_recipients(db, o.raised_by_household)
            .await?
            .into_iter()
            .next()
            .map(|r| r.dingtalk_user_id),
    )
}

pub(crate) async fn create_approval(
    app: &App,
    create: &ObjectionApprovalCreate,
) -> Result<Value, SendError> {
    let stored = load(app, create.objection_id).await?;
    let id = stored.objection.id;
    if let Some(existing) = &stored.process_instance_id {
        return Ok(json!({ "processInstanceId": existing, "note": "already created" }));
    }
    if stored.objection.state() != ObjectionState::Open {
        return Ok(json!({ "skipped": format!("objection is {}", stored.objection.state()) }));
    }
    let approvers = deciders(app, &stored).await?;
    if approvers.is_empty() {
        // Nobody may decide in DingTalk (D6): the console (or the town) handles it.
        return Ok(json!({ "skipped": "no committee member may decide this objection" }));
    }
    let originator = originator(app, &stored)
        .await?
        .ok_or_else(|| SendError::Permanent("the objector has no DingTalk user".into()))?;
    setup(app)?;
    let db = app.store();
    let household = |h: aidazu_domain::HouseholdId| async move {
        households::household(db, h).await.map(|found| {
            found.map_or_else(
                || format!("户 {h}"),
                |x| format!("{}（{}）", x.address, x.code),
            )
        })
    };
    let o = &stored.objection;
    let objector = aidazu_ports::declarations::member_ref(db, o.raised_by)
        .await?
        .map_or_else(|| format!("成员 {}", o.raised_by), |m| m.name);
    let mut text = o.text.clone();
    if let Some(entry) = o.entry {
        text = format!("（针对积分记录 #{entry}）{text}");
    }
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
            FormComponentValue::new(form::QUARTER, o.quarter.to_string()),
            FormComponentValue::new(form::HOUSEHOLD, household(o.about).await?),
            FormComponentValue::new(
                form::OBJECTOR,
                format!("{objector}（{}）", household(o.raised_by_household).await?),
            ),
            FormComponentValue::new(form::TEXT, text),
            FormComponentValue::new(
                form::PHOTOS,
                if stored.photo_ids.is_empty() {
                    "（无）".to_owned()
                } else {
                    format!("{} 张，请在管理后台查看", stored.photo_ids.len())
                },
            ),
            FormComponentValue::new(form::HOW, HOW_TO_ANSWER),
        ],
    };
    let instance = match app.dingtalk().create_process_instance(&request).await {
        // DingTalk forgot the template we remember: create it again, then retry once.
        Err(error) if super::is_unknown_process_code(&error) => {
            request.process_code = create_form_template(app).await?;
            app.dingtalk().create_process_instance(&request).await?
        }
        other => other?,
    };
    store_obj::set_process_instance_id(db, id, instance.as_str()).await?;
    tracing::info!(objection.id = %id, process_instance_id = %instance, "objection approval created");
    // Decided in the console while the instance was being created: close it too.
    if let Some(now) = store_obj::get(db, id).await?
        && now.objection.state() != ObjectionState::Open
    {
        aidazu_ports::outbox::enqueue(
            db,
            crate::messages::objection_approval_terminate_late(id, now.village, instance.as_str()),
        )
        .await?;
    }
    Ok(json!({ "processInstanceId": instance.as_str() }))
}

pub(crate) async fn terminate_approval(
    app: &App,
    terminate: &ObjectionApprovalTerminate,
) -> Result<Value, SendError> {
    setup(app)?;
    let id = terminate.objection_id;
    let instance = match terminate
        .process_instance_id
        .as_deref()
        .filter(|i| !i.is_empty())
    {
        Some(instance) => instance.to_owned(),
        None => {
            let recorded = load(app, id).await?.process_instance_id;
            let key = crate::messages::key::objection_approval_create(id);
            match super::instance_or_wait(app, recorded, &key).await? {
                Some(instance) => instance,
                None => {
                    return Ok(json!({ "terminated": false, "note": "no approval was created" }));
                }
            }
        }
    };
    super::terminate_instance(app, &instance, "异议已在管理后台处理".to_owned()).await
}

async fn ensure_form_template(app: &App) -> Result<ProcessCode, SendError> {
    let db = app.store();
    if let Some(code) = dt_store::state_get(db, dt_store::STATE_OBJECTION_PROCESS_CODE).await? {
        return Ok(ProcessCode::from(code));
    }
    create_form_template(app).await
}

async fn create_form_template(app: &App) -> Result<ProcessCode, SendError> {
    setup(app)?;
    let components = vec![
        FormComponent::new("TextField", "TextField-quarter", form::QUARTER, true),
        FormComponent::new("TextField", "TextField-about", form::HOUSEHOLD, true),
        FormComponent::new("TextField", "TextField-objector", form::OBJECTOR, true),
        FormComponent::new("TextareaField", "TextareaField-text", form::TEXT, true),
        FormComponent::new("TextField", "TextField-photos", form::PHOTOS, false),
        FormComponent::new("TextareaField", "TextareaField-how", form::HOW, false),
        FormComponent::new(
            "NumberField",
            "NumberField-correction",
            form::CORRECTION,
            false,
        ),
    ];
    let code = app
        .dingtalk()
        .save_form_template(&SaveFormTemplate {
            process_code: None,
            name: FORM_NAME.to_owned(),
            description: Some("爱大足积分制：季度公示异议，由村支两委答复".to_owned()),
            form_components: components,
        })
        .await?;
    dt_store::state_put(
        app.store(),
        dt_store::STATE_OBJECTION_PROCESS_CODE,
        code.as_str(),
    )
    .await?;
    tracing::info!(process_code = %code, "objection approval form template created");
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_correction_comes_from_the_field_else_the_remark() {
        assert_eq!(correction_from(Some("3"), Some("更正 -2 分")), Some(3));
        assert_eq!(
            correction_from(Some(" "), Some("更正 +3 分：核实")),
            Some(3)
        );
        assert_eq!(correction_from(None, Some("核实后更正-2分")), Some(-2));
        assert_eq!(correction_from(None, Some("更正：5")), Some(5));
        assert_eq!(correction_from(None, Some("更正 －4 分")), Some(-4));
        assert_eq!(correction_from(None, Some("同意")), None);
        assert_eq!(correction_from(None, Some("更正 0 分")), None);
        assert_eq!(correction_from(Some("0"), None), None);
        assert_eq!(correction_from(Some("1.5"), Some("更正 2")), Some(2));
        assert_eq!(correction_from(None, None), None);
    }
}
