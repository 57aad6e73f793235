//! The OpenAPI document, generated from the handlers and DTOs (utoipa), served at `/openapi.json`.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::ApiState;

/// The whole API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "爱大足 积分制 API",
        description = "Rural-governance points service of Dazu District (乡村治理积分制). \
            Every error answers with `{code, message, details}`: `code` is a stable English code, \
            `message` a Chinese explanation.",
    ),
    paths(
        crate::routes::health::healthz,
        crate::routes::health::readyz,
        crate::routes::villages::list_villages,
        crate::routes::villages::village_catalogue,
        crate::routes::client_config::client_config,
        crate::routes::callback::callback,
        crate::routes::callback::card_callback,
        crate::routes::auth::login_dingtalk,
        crate::routes::auth::login_dingtalk_web,
        crate::routes::auth::refresh,
        crate::routes::auth::logout,
        crate::routes::me::my_household,
        crate::routes::me::my_ledger,
        crate::routes::me::my_catalogue,
        crate::routes::admin_households::list_households,
        crate::routes::admin_households::create_household,
        crate::routes::admin_households::get_household,
        crate::routes::admin_households::add_member,
        crate::routes::admin_households::change_member,
        crate::routes::admin_households::record_participation,
        crate::routes::admin_households::participation_history,
        crate::routes::admin_households::bind_member,
        crate::routes::audit::audit_log,
        crate::routes::audit::audit_xlsx,
        crate::routes::photos::upload_photo,
        crate::routes::photos::photo_public,
        crate::routes::photos::photo_thumb,
        crate::routes::photos::photo_signed,
        crate::routes::declarations::submit_declaration,
        crate::routes::declarations::list_declarations,
        crate::routes::declarations::get_declaration,
        crate::routes::declarations::withdraw_declaration,
        crate::routes::admin_declarations::admin_list_declarations,
        crate::routes::admin_declarations::decide_declaration,
        crate::routes::admin_entries::create_entry,
        crate::routes::shop::my_shop,
        crate::routes::shop::place_order,
        crate::routes::shop::order_qr,
        crate::routes::shop::my_orders,
        crate::routes::shop::cancel_my_order,
        crate::routes::shop::confirm_my_order,
        crate::routes::shop::admin_items,
        crate::routes::shop::create_item,
        crate::routes::shop::update_item,
        crate::routes::shop::admin_orders,
        crate::routes::shop::handover_by_code,
        crate::routes::shop::admin_cancel_order,
        crate::routes::shop::deliver_order,
        crate::routes::shop::admin_confirm_order,
        crate::routes::shop::add_fund_entry,
        crate::routes::shop::fund_entries,
        crate::routes::shop::fund_report,
        crate::routes::shop::fund_entries_xlsx,
        crate::routes::shop::orders_xlsx,
        crate::routes::shop::fund_rollup,
        crate::routes::statistics::statistics,
        crate::routes::statistics::statistics_xlsx,
        crate::routes::statistics::fairness,
        crate::routes::statistics::fairness_xlsx,
        crate::routes::activities::my_activities,
        crate::routes::activities::check_in,
        crate::routes::activities::village_activities,
        crate::routes::activities::create_activity,
        crate::routes::activities::activity_detail,
        crate::routes::activities::switch_checkin,
        crate::routes::activities::checkin_code,
        crate::routes::activities::checkin_code_svg,
        crate::routes::activities::mark_attendance,
        crate::routes::activities::attendance_csv,
        crate::routes::activities::add_story,
        crate::routes::publications::list_publications,
        crate::routes::publications::get_publication,
        crate::routes::publications::poster_pdf,
        crate::routes::publications::board_xlsx,
        crate::routes::publications::board_page,
        crate::routes::publications::my_publications,
        crate::routes::publications::set_notice_group,
        crate::routes::publications::get_notice_group,
        crate::routes::district_calendar::district_calendar,
        crate::routes::district_calendar::set_district_day,
        crate::routes::district_notice_group::get_district_notice_group,
        crate::routes::district_notice_group::set_district_notice_group,
        crate::routes::publications::list_jobs,
        crate::routes::publications::preview_publication,
        crate::routes::publications::publish_now,
        crate::routes::objections::file_objection,
        crate::routes::objections::escalate_objection,
        crate::routes::objections::my_objections,
        crate::routes::objections::admin_objections,
        crate::routes::objections::decide_objection,
        crate::routes::objections::town_decide_objection,
        crate::routes::honours::village_honours,
        crate::routes::honours::nominate,
        crate::routes::honours::nominations_export,
        crate::routes::honours::my_honours,
        crate::routes::governance::draft_change,
        crate::routes::governance::list_changes,
        crate::routes::governance::get_change,
        crate::routes::governance::submit_change,
        crate::routes::governance::replay_change,
        crate::routes::governance::replay_template_change,
        crate::routes::governance::draft_template_change,
        crate::routes::governance::district_changes,
        crate::routes::governance::submit_template_change,
        crate::routes::governance::decide_change,
        crate::routes::governance::import_template,
        crate::routes::governance::import_households,
        crate::routes::governance::list_groups,
        crate::routes::governance::add_group,
        crate::routes::governance::inspect_group,
        crate::routes::governance::org_tree,
        crate::routes::governance::add_town,
        crate::routes::governance::add_village,
    ),
    components(schemas(
        crate::error::ErrorBody,
        crate::routes::callback::EncryptedBody,
        crate::routes::callback::SealedReply,
    )),
    modifiers(&BearerAuth, &CommonErrors),
    tags(
        (name = "health", description = "进程与依赖状态"),
        (name = "public", description = "公开信息：村社、积分项目清单与季度公示（R16）"),
        (name = "auth", description = "钉钉免登登录与会话（F1）"),
        (name = "me", description = "本户积分、明细与可申报项目"),
        (name = "declarations", description = "照片证据与积分申报（F2、R8、R9、R11）"),
        (name = "admin", description = "村社管理：农户、成员、参与记录（R3）、账号绑定、审计（R22）；申报审核（R9）与直接记分（R10）"),
        (name = "shop", description = "积分超市（R19）：商品、兑换订单、交付与取消；资金台账与报表（R20、D8）"),
        (name = "activities", description = "积分分享活动（R21）：活动、动态签到码、签到与登记、积分小故事、签到名单导出"),
        (name = "objections", description = "公示异议：提出、村支两委答复、镇街复核（R17、D3、D6）"),
        (name = "honours", description = "评先表彰：资格名单与说明、村支两委提名、导出（R18、D5、D7）"),
        (name = "statistics", description = "镇街与区：各村社统计与公平性提示，按季度或年度，可导出 Excel（议题 12）"),
        (name = "governance", description = "区级治理：积分项目调整申请、模拟测算与审批（R7、F6），农户批量导入，入户检查，组织架构（R1）"),
        (name = "dingtalk", description = "钉钉回调：事件推送与互动卡片回调"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme used by `security(("bearer" = []))`.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Lists, on every operation, the error statuses the edge can answer for any route, each with the
/// one envelope: 400 (malformed request), 408 (timeout), 422 (control characters, invalid
/// fields), 431 (headers over 16 KiB), 500; plus 401/403 for operations behind a token, 404 for
/// operations with path parameters, 409 for writes, and 413/415 for operations with a body.
/// Statuses an operation documents itself keep their own description.
struct CommonErrors;

impl utoipa::Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::Operation;
        use utoipa::openapi::{Content, Ref, ResponseBuilder};
        let envelope = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                )
                .build()
        };
        let add = |op: &mut Operation, status: &str, description: &str| {
            op.responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| envelope(description).into());
        };
        for (path, item) in &mut openapi.paths.paths {
            let has_path_params = path.contains('{');
            let ops: Vec<(bool, &mut Operation)> = [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.put.as_mut()),
                (true, item.patch.as_mut()),
                (true, item.delete.as_mut()),
            ]
            .into_iter()
            .filter_map(|(write, op)| op.map(|op| (write, op)))
            .collect();
            for (write, op) in ops {
                add(op, "400", "请求格式有误（request.*）");
                add(op, "408", "请求超时");
                add(
                    op,
                    "422",
                    "内容无效或含有控制字符（request.control_character）",
                );
                add(op, "431", "请求头过大（request.headers_too_large）");
                add(op, "500", "服务内部错误");
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                if secured {
                    add(op, "401", "未登录或登录已失效（auth.*）");
                    add(op, "403", "没有权限（auth.forbidden）");
                }
                if has_path_params {
                    add(op, "404", "不存在或不可见");
                }
                if write {
                    add(op, "409", "与当前状态冲突");
                }
                if op.request_body.is_some() {
                    add(op, "413", "请求体过大");
                    add(op, "415", "请求须为 JSON 或 multipart");
                }
            }
        }
    }
}

pub fn router() -> Router<ApiState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
