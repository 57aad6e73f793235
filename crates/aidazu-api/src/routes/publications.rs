//! Quarterly publications (R16): the public list, board (JSON and the HTML page the group notice
//! links to), poster PDF and spreadsheet; the caller's own lines; the admin's notice group and
//! job runs.

use aidazu_domain::VillageId;
use aidazu_domain::calendar::Quarter;
use axum::extract::State;
use axum::response::{Html, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};

use crate::download;
use crate::dto::publications::{
    BoardRowDto, JobRunDto, JobRunListDto, MyPublicationDto, MyPublicationListDto, NoticeGroupDto,
    NoticeGroupRequest, NoticeGroupStateDto, PublicationDto, PublicationListDto,
    PublicationPreviewDto, PublicationSummaryDto, PublishOutcomeDto, VersionQuery,
};
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::{ApiError, ApiState};

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/api/v1/villages/{id}/publications", get(list_publications))
        .route(
            "/api/v1/villages/{id}/publications/{quarter}",
            get(get_publication),
        )
        .route(
            "/api/v1/villages/{id}/publications/{quarter}/poster.pdf",
            get(poster_pdf),
        )
        .route(
            "/api/v1/villages/{id}/publications/{quarter}/board.xlsx",
            get(board_xlsx),
        )
        .route("/board/{id}/{quarter}", get(board_page))
        .route("/api/v1/me/publications", get(my_publications))
        .route(
            "/api/v1/admin/villages/{id}/notice-group",
            put(set_notice_group).get(get_notice_group),
        )
        .route("/api/v1/admin/jobs", get(list_jobs))
        .route(
            "/api/v1/admin/villages/{id}/publications/{quarter}/preview",
            get(preview_publication),
        )
        .route(
            "/api/v1/admin/villages/{id}/publications/{quarter}/publish",
            post(publish_now),
        )
}

fn parse_quarter(text: &str) -> Result<Quarter, ApiError> {
    text.parse().map_err(|_| {
        ApiError::bad_request(
            "request.invalid_path",
            "季度格式应为 2026-Q3（积分年度与季度序号 1–4）",
        )
    })
}

fn summary(state: &ApiState, p: &aidazu_app::publication::Publication) -> PublicationSummaryDto {
    PublicationSummaryDto::new(p, state.app.board_url(p.village, p.quarter))
}

/// A village's publications, newest first (public, no login).
#[utoipa::path(get, path = "/api/v1/villages/{id}/publications", tag = "public",
    params(("id" = i64, Path, description = "村社 id")),
    responses(
        (status = 200, description = "本村历次公示（新的在前）", body = PublicationListDto),
        (status = 404, description = "村社不存在（village.not_found）", body = crate::error::ErrorBody),
    ))]
pub async fn list_publications(
    State(state): State<ApiState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PublicationListDto>, ApiError> {
    let list = state.app.publications(VillageId(id)).await?;
    Ok(Json(PublicationListDto {
        publications: list.iter().map(|p| summary(&state, p)).collect(),
    }))
}

/// One quarter's board (public): the latest version, or `?version=`.
#[utoipa::path(get, path = "/api/v1/villages/{id}/publications/{quarter}", tag = "public",
    params(("id" = i64, Path, description = "村社 id"),
        ("quarter" = String, Path, description = "季度，如 2026-Q3"), VersionQuery),
    responses(
        (status = 200, description = "公示榜单", body = PublicationDto),
        (status = 400, description = "季度格式有误", body = crate::error::ErrorBody),
        (status = 404, description = "村社或公示不存在（publication.not_found）", body = crate::error::ErrorBody),
    ))]
pub async fn get_publication(
    State(state): State<ApiState>,
    ApiPath((id, quarter)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<Json<PublicationDto>, ApiError> {
    let p = state
        .app
        .publication(VillageId(id), parse_quarter(&quarter)?, q.version)
        .await?;
    Ok(Json(PublicationDto {
        summary: summary(&state, &p),
        village_name: p.content.village.name.clone(),
        committee: p.content.committee.clone(),
        quarter_first_day: p.content.quarter_first_day,
        quarter_last_day: p.content.quarter_last_day,
        rows: p
            .content
            .rows
            .iter()
            .cloned()
            .map(BoardRowDto::from)
            .collect(),
        how_to_object: p.content.how_to_object.clone(),
        canonical: p.canonical.clone(),
    }))
}

/// The A3 poster of a quarter's board (public; latest version, or `?version=`).
#[utoipa::path(get, path = "/api/v1/villages/{id}/publications/{quarter}/poster.pdf", tag = "public",
    params(("id" = i64, Path, description = "村社 id"),
        ("quarter" = String, Path, description = "季度，如 2026-Q3"), VersionQuery),
    responses(
        (status = 200, description = "A3 公示海报", content_type = "application/pdf", body = Vec<u8>),
        (status = 400, description = "季度格式有误", body = crate::error::ErrorBody),
        (status = 404, description = "村社或公示不存在", body = crate::error::ErrorBody),
        (status = 503, description = "未安装中文字体或打印组件（publication.poster_unavailable）", body = crate::error::ErrorBody),
    ))]
pub async fn poster_pdf(
    State(state): State<ApiState>,
    ApiPath((id, quarter)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<Response, ApiError> {
    let p = state
        .app
        .publication(VillageId(id), parse_quarter(&quarter)?, q.version)
        .await?;
    let pdf =
        aidazu_app::publication::documents::poster_pdf(&p, &state.app.config().poster).await?;
    Ok(download::file(
        pdf,
        download::PDF,
        &format!(
            "{}-{}-v{}.pdf",
            p.content.village.code, p.quarter, p.version
        ),
        download::Disposition::Inline,
    ))
}

/// The board as a spreadsheet (public; latest version, or `?version=`).
#[utoipa::path(get, path = "/api/v1/villages/{id}/publications/{quarter}/board.xlsx", tag = "public",
    params(("id" = i64, Path, description = "村社 id"),
        ("quarter" = String, Path, description = "季度，如 2026-Q3"), VersionQuery),
    responses(
        (status = 200, description = "Excel 表格",
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, description = "季度格式有误", body = crate::error::ErrorBody),
        (status = 404, description = "村社或公示不存在", body = crate::error::ErrorBody),
    ))]
pub async fn board_xlsx(
    State(state): State<ApiState>,
    ApiPath((id, quarter)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<Response, ApiError> {
    let p = state
        .app
        .publication(VillageId(id), parse_quarter(&quarter)?, q.version)
        .await?;
    let bytes = aidazu_app::publication::documents::board_xlsx(&p)?;
    Ok(download::file(
        bytes,
        download::XLSX,
        &format!(
            "{}-{}-v{}.xlsx",
            p.content.village.code, p.quarter, p.version
        ),
        download::Disposition::Inline,
    ))
}

/// The public board page (HTML, no login) the group notice links to.
#[utoipa::path(get, path = "/board/{id}/{quarter}", tag = "public",
    params(("id" = i64, Path, description = "村社 id"),
        ("quarter" = String, Path, description = "季度，如 2026-Q3"), VersionQuery),
    responses(
        (status = 200, description = "公示榜单页面", content_type = "text/html", body = String),
        (status = 400, description = "季度格式有误", body = crate::error::ErrorBody),
        (status = 404, description = "村社或公示不存在", body = crate::error::ErrorBody),
    ))]
pub async fn board_page(
    State(state): State<ApiState>,
    ApiPath((id, quarter)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<Html<String>, ApiError> {
    let p = state
        .app
        .publication(VillageId(id), parse_quarter(&quarter)?, q.version)
        .await?;
    let links = summary(&state, &p);
    Ok(Html(aidazu_app::publication::documents::board_html(
        &p,
        &links.poster_url,
        &links.xlsx_url,
    )))
}

/// The caller's village's publications, with the household's own line in each.
#[utoipa::path(get, path = "/api/v1/me/publications", tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "本村公示与本户名次", body = MyPublicationListDto),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "账号未绑定农户（me.no_household）", body = crate::error::ErrorBody),
    ))]
pub async fn my_publications(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
) -> Result<Json<MyPublicationListDto>, ApiError> {
    let list = state.app.my_publications(&actor).await?;
    Ok(Json(MyPublicationListDto {
        publications: list
            .into_iter()
            .map(|(p, mine)| MyPublicationDto {
                summary: summary(&state, &p),
                mine: mine.map(BoardRowDto::from),
            })
            .collect(),
    }))
}

/// The DingTalk group a village's notices go to (`group: null` when none is set).
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/notice-group", tag = "admin",
    params(("id" = i64, Path, description = "村社 id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "本村公示通知的钉钉群（未设置时 group 为 null）", body = NoticeGroupStateDto),
        (status = 401, description = "未登录或登录已过期", body = crate::error::ErrorBody),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
    ))]
pub async fn get_notice_group(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<NoticeGroupStateDto>, ApiError> {
    let group = state.app.notice_group(&actor, VillageId(id)).await?;
    Ok(Json(NoticeGroupStateDto {
        group: group.map(|g| NoticeGroupDto {
            village_id: g.village.get(),
            open_conversation_id: g.open_conversation_id,
            robot_code: g.robot_code,
        }),
    }))
}

/// Sets the DingTalk group (openConversationId) and robot a village's notices go to (village
/// admin or district officer).
#[utoipa::path(put, path = "/api/v1/admin/villages/{id}/notice-group", tag = "admin",
    params(("id" = i64, Path, description = "村社 id")),
    request_body = NoticeGroupRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已设置", body = NoticeGroupDto),
        (status = 403, description = "无权设置", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 422, description = "群 id 或机器人编码无效", body = crate::error::ErrorBody),
    ))]
pub async fn set_notice_group(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NoticeGroupRequest>,
) -> Result<Json<NoticeGroupDto>, ApiError> {
    let group = state
        .app
        .set_notice_group(
            &actor,
            VillageId(id),
            &body.open_conversation_id,
            body.robot_code.as_deref(),
        )
        .await?;
    Ok(Json(NoticeGroupDto {
        village_id: group.village.get(),
        open_conversation_id: group.open_conversation_id,
        robot_code: group.robot_code,
    }))
}

/// A quarter's board as it would be published now (预览; village admin, committee, town officer).
/// Computed by the publication's own code; nothing is stored. `latest` as the quarter previews
/// the last quarter that has ended.
#[utoipa::path(get, path = "/api/v1/admin/villages/{id}/publications/{quarter}/preview", tag = "admin",
    params(("id" = i64, Path, description = "村社 id"),
        ("quarter" = String, Path, description = "季度，如 2026-Q3；latest 表示最近结束的季度")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "公示预览（未保存）", body = PublicationPreviewDto),
        (status = 400, description = "季度格式有误", body = crate::error::ErrorBody),
        (status = 401, description = "未登录或登录已过期", body = crate::error::ErrorBody),
        (status = 403, description = "无权预览（auth.forbidden）", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "该季度尚未结束（publication.quarter_not_ended）", body = crate::error::ErrorBody),
    ))]
pub async fn preview_publication(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath((id, quarter)): ApiPath<(i64, String)>,
) -> Result<Json<PublicationPreviewDto>, ApiError> {
    let preview = state
        .app
        .preview_publication(
            &actor,
            VillageId(id),
            if quarter == "latest" {
                None
            } else {
                Some(parse_quarter(&quarter)?)
            },
        )
        .await?;
    Ok(Json(PublicationPreviewDto::from(preview)))
}

/// Publishes an ended quarter now (立即公示; village admin, committee, town officer), instead of
/// waiting for the scheduler: the same run key, so it is published once whoever asks first.
#[utoipa::path(post, path = "/api/v1/admin/villages/{id}/publications/{quarter}/publish", tag = "admin",
    params(("id" = i64, Path, description = "村社 id"),
        ("quarter" = String, Path, description = "季度，如 2026-Q3")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "已公示（本次或此前）或正在公示", body = PublishOutcomeDto),
        (status = 400, description = "季度格式有误", body = crate::error::ErrorBody),
        (status = 401, description = "未登录或登录已过期", body = crate::error::ErrorBody),
        (status = 403, description = "无权公示（auth.forbidden）", body = crate::error::ErrorBody),
        (status = 404, description = "村社不存在或不在管辖范围", body = crate::error::ErrorBody),
        (status = 409, description = "该季度尚未结束（publication.quarter_not_ended）", body = crate::error::ErrorBody),
    ))]
pub async fn publish_now(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath((id, quarter)): ApiPath<(i64, String)>,
) -> Result<Json<PublishOutcomeDto>, ApiError> {
    use aidazu_app::publication::PublishOutcome;
    let outcome = state
        .app
        .publish_quarter_now(&actor, VillageId(id), parse_quarter(&quarter)?)
        .await?;
    let (name, publication) = match &outcome {
        PublishOutcome::Published(p) => ("published", Some(p)),
        PublishOutcome::AlreadyPublished(p) => ("already_published", Some(p)),
        PublishOutcome::Running => ("running", None),
    };
    Ok(Json(PublishOutcomeDto {
        outcome: name.to_owned(),
        publication: publication.map(|p| summary(&state, p)),
    }))
}

/// Job runs in the caller's scope (publication, year close), newest first, with progress.
#[utoipa::path(get, path = "/api/v1/admin/jobs", tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "定时任务运行记录", body = JobRunListDto),
        (status = 403, description = "无权查看", body = crate::error::ErrorBody),
    ))]
pub async fn list_jobs(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
) -> Result<Json<JobRunListDto>, ApiError> {
    let runs = state.app.job_runs(&actor, 200).await?;
    Ok(Json(JobRunListDto {
        runs: runs.into_iter().map(JobRunDto::from).collect(),
    }))
}
