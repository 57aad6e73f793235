//! `GET /sim/`: a plain server-rendered page (no JavaScript) listing what the simulator holds,
//! with forms to decide approvals and to issue 免登 codes by hand.

use std::fmt::Write as _;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::control;
use crate::records::ApprovalStatus;
use crate::state::Sim;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn table(out: &mut String, title: &str, headers: &[&str], rows: Vec<Vec<String>>) {
    let _ = write!(
        out,
        "<h2>{} <small>（{}）</small></h2>",
        escape(title),
        rows.len()
    );
    if rows.is_empty() {
        out.push_str("<p class=\"empty\">暂无</p>");
        return;
    }
    out.push_str("<table><thead><tr>");
    for header in headers {
        let _ = write!(out, "<th>{}</th>", escape(header));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            // Cells are pre-escaped by the caller (some hold forms).
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn decide_form_html(id: &str, approvers: &[String]) -> String {
    let options: String = approvers
        .iter()
        .map(|a| format!("<option value=\"{0}\">{0}</option>", escape(a)))
        .collect();
    format!(
        "<form method=\"post\" action=\"/sim/ui/approvals/{id}/decide\">\
         <select name=\"staffId\">{options}</select> \
         <input name=\"remark\" placeholder=\"审批意见\"> \
         <button name=\"result\" value=\"agree\">同意</button> \
         <button name=\"result\" value=\"refuse\">拒绝</button></form>",
        id = escape(id),
    )
}

/// The page.
pub async fn page(State(sim): State<Sim>) -> Html<String> {
    let config = sim.config();
    let mut out = String::from(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>钉钉模拟器</title>\
         <style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1em}\
         td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}\
         th{background:#f3f3f3}.empty{color:#888}small{color:#888}</style></head><body>",
    );
    let _ = write!(
        out,
        "<h1>钉钉开放平台模拟器</h1><p>应用 AppKey：<code>{}</code>　企业 CorpId：<code>{}</code>　\
         回调地址：<code>{}</code>　Stream 连接数：{}　模拟时钟：{}</p>",
        escape(&config.app_key),
        escape(&config.corp_id),
        escape(
            &sim.callback()
                .map(|c| c.url)
                .unwrap_or_else(|| "未配置".into())
        ),
        sim.streams().list().len(),
        escape(&sim.clock().now().to_rfc3339()),
    );
    sim.with_data(|data| {
        let approvals = data
            .approvals
            .iter()
            .rev()
            .map(|a| {
                let running: Vec<String> = a.running_tasks().map(|t| t.user_id.clone()).collect();
                let action = if a.status == ApprovalStatus::Running {
                    decide_form_html(&a.id, &running)
                } else {
                    String::new()
                };
                vec![
                    escape(&a.title),
                    format!("<code>{}</code>", escape(&a.id)),
                    escape(a.status.as_str()),
                    escape(a.result.map(|r| r.as_str()).unwrap_or("")),
                    escape(&a.approver_user_ids().join("、")),
                    action,
                ]
            })
            .collect();
        table(
            &mut out,
            "审批实例",
            &["标题", "实例 ID", "状态", "结果", "审批人", "操作"],
            approvals,
        );
        let cards = data
            .cards
            .iter()
            .rev()
            .map(|c| {
                vec![
                    format!("<code>{}</code>", escape(&c.out_track_id)),
                    escape(&c.card_template_id),
                    escape(
                        &c.spaces
                            .iter()
                            .map(|s| format!("{}.{}", s.space_type, s.space_id))
                            .collect::<Vec<_>>()
                            .join("；"),
                    ),
                    escape(&serde_json::to_string(&c.card_data).unwrap_or_default()),
                    c.actions.len().to_string(),
                ]
            })
            .collect();
        table(
            &mut out,
            "互动卡片",
            &["outTrackId", "模板", "投放场域", "卡片数据", "按钮回调次数"],
            cards,
        );
        let notes = data
            .work_notifications
            .iter()
            .rev()
            .map(|n| {
                vec![
                    n.task_id.to_string(),
                    escape(&n.delivered.join("、")),
                    escape(&n.msg.to_string()),
                    escape(
                        &n.forbidden
                            .iter()
                            .map(|(c, u)| format!("{u}:{c}"))
                            .collect::<Vec<_>>()
                            .join("、"),
                    ),
                ]
            })
            .collect();
        table(
            &mut out,
            "工作通知",
            &["task_id", "接收人", "消息", "被限制"],
            notes,
        );
        let groups = data
            .group_messages
            .iter()
            .rev()
            .map(|m| {
                vec![
                    escape(&m.open_conversation_id),
                    escape(&m.msg_key),
                    escape(&m.msg_param.to_string()),
                ]
            })
            .collect();
        table(&mut out, "群消息", &["群会话", "消息类型", "内容"], groups);
        let events = data
            .events
            .iter()
            .rev()
            .take(50)
            .map(|e| {
                let last = e.attempts.last();
                vec![
                    escape(&e.event_type),
                    format!("<code>{}</code>", escape(&e.event_id)),
                    escape(&format!("{:?}", e.status)),
                    e.attempts.len().to_string(),
                    escape(&last.map(|a| a.detail.clone()).unwrap_or_default()),
                ]
            })
            .collect();
        table(
            &mut out,
            "事件推送（最近 50 条）",
            &["事件类型", "eventId", "状态", "尝试次数", "最近结果"],
            events,
        );
        let users = data
            .org
            .users
            .values()
            .filter(|u| u.is_staff())
            .map(|u| {
                vec![
                    format!("<code>{}</code>", escape(&u.user_id)),
                    escape(&u.name),
                    escape(u.role.as_deref().unwrap_or("")),
                    escape(
                        &u.dept_ids
                            .iter()
                            .map(|d| data.org.dept_name(*d))
                            .collect::<Vec<_>>()
                            .join("、"),
                    ),
                ]
            })
            .collect();
        table(
            &mut out,
            "工作人员",
            &["userId", "姓名", "角色", "部门"],
            users,
        );
        let _ = write!(
            out,
            "<p>通讯录共 {} 人、{} 个部门。</p>",
            data.org.users.len(),
            data.org.departments.len()
        );
    });
    out.push_str(
        "<h2>免登授权码</h2><form method=\"post\" action=\"/sim/ui/auth-codes\">\
         <input name=\"userId\" placeholder=\"userId\"> <button>生成授权码</button></form></body></html>",
    );
    Html(out)
}

/// Form fields of a decision.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecideForm {
    result: String,
    #[serde(default)]
    remark: String,
    #[serde(default)]
    staff_id: String,
}

/// `POST /sim/ui/approvals/{id}/decide` (form) → back to the page.
pub async fn decide_form(
    State(sim): State<Sim>,
    Path(id): Path<String>,
    Form(form): Form<DecideForm>,
) -> Response {
    let response =
        control::decide_approval(&sim, &id, &form.result, &form.remark, Some(&form.staff_id));
    if response.status().is_success() {
        Redirect::to("/sim/").into_response()
    } else {
        response
    }
}

/// Form fields of an auth-code request.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthCodeForm {
    user_id: String,
}

/// `POST /sim/ui/auth-codes` (form) → a page showing the code.
pub async fn auth_code_form(State(sim): State<Sim>, Form(form): Form<AuthCodeForm>) -> Response {
    match control::issue_auth_code(&sim, &form.user_id) {
        Some(code) => Html(format!(
            "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>授权码</title>\
             <p>{} 的免登授权码（5 分钟内有效，只能使用一次）：</p><p><code>{}</code></p><p><a href=\"/sim/\">返回</a></p></html>",
            escape(&form.user_id),
            escape(&code)
        ))
        .into_response(),
        None => (StatusCode::NOT_FOUND, Html("<p>用户不存在</p><p><a href=\"/sim/\">返回</a></p>".to_owned())).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
