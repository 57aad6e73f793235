//! Gateway calls that need a declaration's details: the OA approval (form: 户, 成员, 项目,
//! 积分, 说明, 照片), the admins' interactive card, and the card's outcome update.
//!
//! Photos appear as signed, expiring links (`/api/v1/photos/{id}/signed?v=decl:<declaration>
//! &exp=…&sig=…`) that DingTalk's browser opens without our token; a photo whose content is also
//! on another declaration (R11) is flagged in the form's 照片 field and in the card
//! (`reusedPhoto`, `photoReuse`).

use aidazu_domain::DeclarationId;
use aidazu_domain::declaration::DeclarationState;
use aidazu_photos::LinkViewer;
use aidazu_ports::declarations::{self, DeclarationRecord};
use aidazu_ports::outbox::{ApprovalCreate, CardSend, CardUpdate};
use aidazu_ports::photos as photo_store;
use aidazu_ports::{dingtalk as dt_store, households};
use dingtalk::api::card::CardParams;
use dingtalk::api::workflow::{Approver, CreateProcessInstance, FormComponentValue};
use dingtalk::ids::{OutTrackId, UserId};
use serde_json::{Value, json};

use super::{SendError, card_request, card_update, ensure_card_route, ensure_form_template, form};
use crate::App;

async fn load(app: &App, id: DeclarationId) -> Result<DeclarationRecord, SendError> {
    declarations::declaration(app.store(), id)
        .await?
        .ok_or_else(|| SendError::Permanent(format!("declaration {id} not found")))
}

/// What the admins see about a declaration, in the form and on the card.
struct Summary {
    household: String,
    member: String,
    item: String,
    points: String,
    text: String,
    /// Signed, expiring links to the location-free copies (F2), one per photo.
    photos: Vec<String>,
    /// R11: the Chinese warning when a photo's content is also on other declarations.
    reuse: Option<String>,
}

impl Summary {
    /// The form's 照片 field: the R11 warning first (when any), then one link per line.
    fn photos_field(&self) -> String {
        let mut lines: Vec<&str> = self.reuse.iter().map(String::as_str).collect();
        if self.photos.is_empty() {
            lines.push("（无）");
        } else {
            lines.extend(self.photos.iter().map(String::as_str));
        }
        lines.join("\n")
    }
}

/// R11 in the reviewers' words: `⚠ 照片与其他申报重复（申报 #12、#15）`.
pub(crate) fn reuse_warning(others: &[DeclarationId]) -> Option<String> {
    if others.is_empty() {
        return None;
    }
    let ids: Vec<String> = others.iter().map(|d| format!("#{d}")).collect();
    Some(format!("⚠ 照片与其他申报重复（申报 {}）", ids.join("、")))
}

async fn summary(app: &App, record: &DeclarationRecord) -> Result<Summary, SendError> {
    let db = app.store();
    let household = households::household(db, record.household)
        .await?
        .map(|h| format!("{}（{}）", h.address, h.code))
        .unwrap_or_else(|| format!("户 {}", record.household));
    let member = declarations::member_ref(db, record.member)
        .await?
        .map(|m| m.name)
        .unwrap_or_else(|| format!("成员 {}", record.member));
    let base = app
        .dingtalk_setup()
        .map(|s| s.gateway.public_url.trim_end_matches('/').to_owned())
        .unwrap_or_default();
    // The form and the card are shown to every reviewer of the declaration (OR approval, one
    // card for all admins), so the links are made for that group, not for one person.
    let viewer = LinkViewer::reviewers_of_declaration(record.id.get());
    let photos = record
        .photo_ids
        .iter()
        .map(|id| {
            let link = app.sign_photo_link(*id, &viewer);
            format!("{base}/api/v1/photos/{id}/signed?{}", link.query())
        })
        .collect();
    let reused_with =
        photo_store::other_declarations_with_same_photos(db, &record.photo_ids, Some(record.id))
            .await?;
    let points = if record.min_points == record.max_points {
        record.suggested_points.to_string()
    } else {
        format!(
            "{}（可在 {}–{} 之间调整）",
            record.suggested_points, record.min_points, record.max_points
        )
    };
    Ok(Summary {
        household,
        member,
        item: format!("{} {}", record.item_code, record.item_title),
        points,
        text: record.text.clone(),
        photos,
        reuse: reuse_warning(&reused_with),
    })
}

/// Who may decide (R9, D6): the routing's reviewers — the village admins not tied to the
/// declaring household, else the committee, else the town.
async fn deciders(app: &App, record: &DeclarationRecord) -> Result<Vec<UserId>, SendError> {
    let db = app.store();
    let location = app
        .village_location(record.village)
        .await
        .map_err(|err| SendError::Permanent(err.to_string()))?;
    let calendar = aidazu_ports::org::village_calendar(app.store(), record.village).await?;
    let routing = crate::review_routing::route_declaration(
        db,
        &location,
        record.household,
        calendar,
        record.occurred_on,
    )
    .await
    .map_err(|err| SendError::retry(err.to_string()))?;
    Ok(routing
        .reviewer_user_ids()
        .into_iter()
        .map(UserId::from)
        .collect())
}

pub(crate) async fn create_approval(
    app: &App,
    create: &ApprovalCreate,
) -> Result<Value, SendError> {
    let record = load(app, create.declaration_id).await?;
    if let Some(existing) = &record.process_instance_id {
        return Ok(json!({ "processInstanceId": existing, "note": "already created" }));
    }
    if record.state != DeclarationState::InReview {
        return Ok(json!({ "skipped": format!("declaration is {:?}", record.state) }));
    }
    let approvers = deciders(app, &record).await?;
    if approvers.is_empty() {
        return Err(SendError::Permanent(format!(
            "village {} has no admin who may decide declaration {}",
            record.village, record.id
        )));
    }
    let originator = dt_store::account_user_id(app.store(), record.declarant)
        .await?
        .ok_or_else(|| SendError::Permanent("the declarant has no DingTalk user".into()))?;
    let process_code = ensure_form_template(app).await?;
    let s = summary(app, &record).await?;
    let photos = s.photos_field();
    let mut request = CreateProcessInstance {
        originator_user_id: UserId::from(originator),
        process_code,
        dept_id: Some(-1),
        microapp_agent_id: app.dingtalk().agent_id(),
        approvers: vec![Approver {
            action_type: "OR".to_owned(),
            user_ids: approvers,
        }],
        cc_list: Vec::new(),
        cc_position: None,
        form_component_values: vec![
            FormComponentValue::new(form::HOUSEHOLD, s.household),
            FormComponentValue::new(form::MEMBER, s.member),
            FormComponentValue::new(form::ITEM, s.item),
            FormComponentValue::new(form::POINTS, record.suggested_points.to_string()),
            FormComponentValue::new(
                form::TEXT,
                if s.text.is_empty() {
                    "（无）".to_owned()
                } else {
                    s.text
                },
            ),
            FormComponentValue::new(form::PHOTOS, photos),
        ],
    };
    let _configured = app.dingtalk_setup().ok_or_else(|| SendError::Retry {
        reason: "DingTalk is not configured".into(),
        rate_limited: false,
    })?;
    let instance = match app.dingtalk().create_process_instance(&request).await {
        // DingTalk forgot the template we remember: ensure it again, then retry once.
        Err(error) if super::is_unknown_process_code(&error) => {
            request.process_code = super::renew_form_template(app).await?;
            app.dingtalk().create_process_instance(&request).await?
        }
        other => other?,
    };
    declarations::set_process_instance_id(app.store(), record.id, instance.as_str()).await?;
    tracing::info!(declaration.id = %record.id, process_instance_id = %instance, "approval created");
    // A decision may have been taken while the instance was being created: close it too.
    if let Some(now) = declarations::declaration(app.store(), record.id).await?
        && now.state != DeclarationState::InReview
    {
        aidazu_ports::outbox::enqueue(
            app.store(),
            crate::messages::approval_terminate_late(&now, instance.as_str()),
        )
        .await?;
    }
    Ok(json!({ "processInstanceId": instance.as_str() }))
}

fn state_label(state: DeclarationState) -> &'static str {
    match state {
        DeclarationState::InReview => "待审核",
        DeclarationState::Approved => "已通过",
        DeclarationState::Rejected => "未通过",
        DeclarationState::Withdrawn => "已撤回",
        _ => "已处理",
    }
}

pub(crate) async fn send_card(app: &App, card: &CardSend) -> Result<Value, SendError> {
    let record = load(app, card.declaration_id).await?;
    let out_track_id = out_track(&card.out_track_id, &record);
    let mut users: Vec<UserId> = super::users(&card.user_ids);
    if users.is_empty() {
        users = deciders(app, &record).await?;
    }
    let setup = app.dingtalk_setup().ok_or_else(|| SendError::Retry {
        reason: "DingTalk is not configured".into(),
        rate_limited: false,
    })?;
    ensure_card_route(app).await?;
    let s = summary(app, &record).await?;
    let mut params = CardParams::new();
    params.insert("reusedPhoto".into(), s.reuse.is_some().to_string());
    params.insert("photoReuse".into(), s.reuse.clone().unwrap_or_default());
    params.insert("title".into(), "积分申报待审核".into());
    params.insert("declarationId".into(), record.id.to_string());
    params.insert("household".into(), s.household);
    params.insert("member".into(), s.member);
    params.insert("item".into(), s.item);
    params.insert("points".into(), s.points);
    params.insert("minPoints".into(), record.min_points.to_string());
    params.insert("maxPoints".into(), record.max_points.to_string());
    params.insert("text".into(), s.text);
    params.insert("photos".into(), s.photos.join("\n"));
    params.insert("status".into(), state_label(record.state).into());
    let Some(request) = card_request(app, setup, &out_track_id, &users, params) else {
        return Err(SendError::Permanent(format!(
            "no admin to send the card of declaration {} to",
            record.id
        )));
    };
    match app.dingtalk().create_and_deliver_card(&request).await {
        Ok(result) => Ok(json!({
            "outTrackId": out_track_id.as_str(),
            "delivered": result.deliver_results.iter().filter(|r| r.success).count(),
        })),
        // An earlier attempt got through (its answer was lost): the card exists.
        Err(error) if error.is_card_already_exists() => {
            Ok(json!({ "outTrackId": out_track_id.as_str(), "note": "already exists" }))
        }
        Err(error) => Err(error.into()),
    }
}

/// The card's out-track id: the message's, or the declaration's when the message has none.
fn out_track(from_message: &str, record: &DeclarationRecord) -> OutTrackId {
    if from_message.is_empty() {
        OutTrackId::from(record.card_out_track_id.as_str())
    } else {
        OutTrackId::from(from_message)
    }
}

pub(crate) async fn update_card(app: &App, card: &CardUpdate) -> Result<Value, SendError> {
    let record = load(app, card.declaration_id).await?;
    let out_track_id = out_track(&card.out_track_id, &record);
    let _configured = app.dingtalk_setup().ok_or_else(|| SendError::Retry {
        reason: "DingTalk is not configured".into(),
        rate_limited: false,
    })?;
    let mut params = CardParams::new();
    params.insert("status".into(), state_label(record.state).into());
    params.insert(
        "decided".into(),
        (record.state != DeclarationState::InReview).to_string(),
    );
    if let Some(points) = record.points {
        params.insert("awardedPoints".into(), points.to_string());
    }
    if let Some(reason) = &record.reason {
        params.insert("reason".into(), reason.clone());
    }
    if let Some(channel) = &record.decision_channel {
        params.insert("decisionChannel".into(), channel.clone());
    }
    match app
        .dingtalk()
        .update_card(&card_update(&out_track_id, params))
        .await
    {
        Ok(()) => {
            Ok(json!({ "outTrackId": out_track_id.as_str(), "status": state_label(record.state) }))
        }
        // The card was never delivered (no admin, or it failed for good): nothing to update.
        Err(error) if error.api_code() == Some("param.cardNotExist") => {
            Ok(json!({ "outTrackId": out_track_id.as_str(), "note": "card does not exist" }))
        }
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r11_warning_names_every_other_declaration() {
        assert_eq!(reuse_warning(&[]), None);
        assert_eq!(
            reuse_warning(&[DeclarationId(12)]).as_deref(),
            Some("⚠ 照片与其他申报重复（申报 #12）")
        );
        assert_eq!(
            reuse_warning(&[DeclarationId(3), DeclarationId(15)]).as_deref(),
            Some("⚠ 照片与其他申报重复（申报 #3、#15）")
        );
    }

    #[test]
    fn photo_field_puts_the_warning_first() {
        let mut s = Summary {
            household: String::new(),
            member: String::new(),
            item: String::new(),
            points: String::new(),
            text: String::new(),
            photos: vec!["https://x/1".into(), "https://x/2".into()],
            reuse: reuse_warning(&[DeclarationId(12)]),
        };
        assert_eq!(
            s.photos_field(),
            "⚠ 照片与其他申报重复（申报 #12）\nhttps://x/1\nhttps://x/2"
        );
        s.photos.clear();
        s.reuse = None;
        assert_eq!(s.photos_field(), "（无）");
    }
}
