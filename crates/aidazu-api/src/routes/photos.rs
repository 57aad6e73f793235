//! Photo evidence (F2): `POST /api/v1/photos` (multipart, part `file`, streamed into the photo
//! pipeline), `GET /api/v1/photos/{id}` (public copy), `GET /api/v1/photos/{id}/thumb`, and
//! `GET /api/v1/photos/{id}/signed?v=&exp=&sig=` (public copy by signed, expiring link, no
//! token: what reviewers open from the DingTalk approval form and card).

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use aidazu_app::photos::{PhotoContent, ServedVariant};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest as _, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::{Stream, TryStreamExt as _};

use crate::dto::declarations::{PhotoDto, SignedPhotoQuery};
use crate::extract::{ApiPath, AuthUser};
use crate::{ApiError, ApiState};

/// Room for the multipart framing around the file part, above the photo limit, so the
/// pipeline's own limit (413 `photo.too_large`) is what refuses an oversize file.
const MULTIPART_SLACK: u64 = 64 * 1024;

pub fn router(max_photo_bytes: u64) -> Router<ApiState> {
    let limit =
        usize::try_from(max_photo_bytes.saturating_add(MULTIPART_SLACK)).unwrap_or(usize::MAX);
    Router::new()
        .route(
            "/api/v1/photos",
            post(upload_photo).layer(DefaultBodyLimit::max(limit)),
        )
        .route("/api/v1/photos/{id}", get(photo_public))
        .route("/api/v1/photos/{id}/thumb", get(photo_thumb))
        .route("/api/v1/photos/{id}/signed", get(photo_signed))
}

/// Uploads one photo (JPEG, PNG or WebP; checked by decoding). The location metadata is removed
/// from the copy others see and a thumbnail is made. The same content uploaded again in the
/// village answers the same photo (`created: false`).
#[utoipa::path(post, path = "/api/v1/photos", tag = "declarations",
    security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "part `file`: the image"),
    responses(
        (status = 201, description = "照片已保存", body = PhotoDto),
        (status = 200, description = "同一照片已上传过（返回原记录）", body = PhotoDto),
        (status = 400, description = "不是 multipart 请求或缺少 file 部分（request.invalid_multipart）", body = crate::error::ErrorBody),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 413, description = "照片太大（photo.too_large）", body = crate::error::ErrorBody),
        (status = 422, description = "不是有效图片（photo.not_an_image）或格式不支持", body = crate::error::ErrorBody),
    ))]
pub async fn upload_photo(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    request: Request,
) -> Result<Response, ApiError> {
    // The multipart parser takes every chunk the body has ready into its buffer before it
    // yields the field: on a fast link, the whole upload in memory (P5: 50 uploads, 250 MB).
    // Handing it one chunk per turn leaves the rest in the socket until the spool has written it.
    let request =
        request.map(|body| Body::from_stream(OneChunkPerPoll::new(body.into_data_stream())));
    let mut multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|_| invalid_multipart())?;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Err(invalid_multipart()),
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large(&state));
            }
            Err(_) => return Err(invalid_multipart()),
        };
        if field.name() != Some("file") {
            continue;
        }
        // The route's body limit can trip inside the multipart parser before the pipeline has
        // counted past its own limit; both mean "too large".
        let over_limit = AtomicBool::new(false);
        let stream = field.map_err(|err| -> aidazu_photos::BoxError {
            if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
                over_limit.store(true, Ordering::Relaxed);
            }
            Box::new(err)
        });
        let view = match state.app.upload_photo(&actor, stream).await {
            Ok(view) => view,
            Err(_) if over_limit.load(Ordering::Relaxed) => return Err(too_large(&state)),
            Err(err) => return Err(err.into()),
        };
        let status = if view.created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        return Ok((status, Json(PhotoDto::from(view))).into_response());
    }
}

/// The photo without location metadata; for the uploader's household, the village's admins and
/// committee, and the town and district officers over it (others: 404).
#[utoipa::path(get, path = "/api/v1/photos/{id}", tag = "declarations",
    params(("id" = i64, Path, description = "photo id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "图片内容", content_type = "image/jpeg"),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "照片不存在或无权查看（photo.not_found）", body = crate::error::ErrorBody),
    ))]
pub async fn photo_public(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let content = state
        .app
        .open_photo(&actor, id, ServedVariant::Public)
        .await?;
    Ok(serve(content))
}

/// The photo's JPEG thumbnail; same audience as the photo.
#[utoipa::path(get, path = "/api/v1/photos/{id}/thumb", tag = "declarations",
    params(("id" = i64, Path, description = "photo id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "缩略图", content_type = "image/jpeg"),
        (status = 401, description = "未登录", body = crate::error::ErrorBody),
        (status = 404, description = "照片不存在或无权查看（photo.not_found）", body = crate::error::ErrorBody),
    ))]
pub async fn photo_thumb(
    State(state): State<ApiState>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let content = state
        .app
        .open_photo(&actor, id, ServedVariant::Thumbnail)
        .await?;
    Ok(serve(content))
}

/// The photo without location metadata, by a signed, expiring link (no token): the links of the
/// DingTalk approval form and card, which reviewers open in DingTalk's browser. A link is bound
/// to the photo id, the viewer it was made for (`decl:<id>`: the reviewers of that declaration)
/// and its expiry (default 30 days after it was made, `photos.link_ttl_days`).
#[utoipa::path(get, path = "/api/v1/photos/{id}/signed", tag = "declarations",
    params(("id" = i64, Path, description = "photo id"), SignedPhotoQuery),
    responses(
        (status = 200, description = "图片内容（已去除位置信息），Cache-Control: private", content_type = "image/jpeg"),
        (status = 403, description = "链接无效或被修改（photo.link_invalid）", body = crate::error::ErrorBody),
        (status = 404, description = "照片不存在（photo.not_found）", body = crate::error::ErrorBody),
        (status = 410, description = "链接已过期（photo.link_expired）", body = crate::error::ErrorBody),
    ))]
pub async fn photo_signed(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    query: Result<Query<SignedPhotoQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let invalid = || link_error(&aidazu_photos::PhotoLinkError::Invalid);
    // Every malformed part (id, query) is "invalid link", never a hint which part was wrong.
    let id: i64 = id.parse().map_err(|_| invalid())?;
    let Query(q) = query.map_err(|_| invalid())?;
    let (Some(viewer), Some(exp), Some(sig)) = (q.v, q.exp, q.sig) else {
        return Err(invalid());
    };
    let link = state
        .app
        .verify_photo_link(id, &viewer, &exp, &sig)
        .map_err(|err| link_error(&err))?;
    let content = state.app.open_linked_photo(&link).await?;
    let mut response = serve(content);
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, max-age=3600"),
    );
    // The link is the permission: never hand it on to another site.
    headers.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// 410 `photo.link_expired` or 403 `photo.link_invalid`, in the one envelope.
fn link_error(err: &aidazu_photos::PhotoLinkError) -> ApiError {
    let status = if err.is_expired() {
        StatusCode::GONE
    } else {
        StatusCode::FORBIDDEN
    };
    ApiError::new(status, err.code(), err.message())
}

fn serve(content: PhotoContent) -> Response {
    let PhotoContent {
        blob,
        content_type,
        sha256,
    } = content;
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_LENGTH, blob.size.to_string()),
            (header::CACHE_CONTROL, "private, max-age=86400".to_owned()),
            (header::ETAG, format!("\"{sha256}\"")),
        ],
        Body::from_stream(blob.stream),
    )
        .into_response()
}

fn invalid_multipart() -> ApiError {
    ApiError::bad_request(
        "request.invalid_multipart",
        "请以 multipart/form-data 上传，图片放在名为 file 的部分",
    )
}

fn too_large(state: &ApiState) -> ApiError {
    let limit = state
        .app
        .photo_intake()
        .map(|i| i.config().max_bytes)
        .unwrap_or(aidazu_photos::PhotoConfig::DEFAULT_MAX_BYTES);
    aidazu_app::AppError::Photo(aidazu_photos::PhotoError::TooLarge { limit }).into()
}

/// Passes the inner stream's chunks on with a (self-woken) `Pending` after each, so a reader
/// that drains "everything ready" takes one chunk per turn and the body stays in the socket.
struct OneChunkPerPoll<S> {
    inner: S,
    yielded: bool,
}

impl<S> OneChunkPerPoll<S> {
    fn new(inner: S) -> Self {
        Self {
            inner,
            yielded: false,
        }
    }
}

impl<S: Stream + Unpin> Stream for OneChunkPerPoll<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        if std::mem::take(&mut self.yielded) {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let next = Pin::new(&mut self.inner).poll_next(cx);
        self.yielded = matches!(next, Poll::Ready(Some(_)));
        next
    }
}

#[cfg(test)]
mod tests {
    use futures::StreamExt as _;

    use super::*;

    #[tokio::test]
    async fn one_chunk_per_poll_passes_every_chunk_with_a_turn_between() {
        let chunks = futures::stream::iter([1, 2, 3]);
        let mut throttled = OneChunkPerPoll::new(chunks);
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert_eq!(
            Pin::new(&mut throttled).poll_next(&mut cx),
            Poll::Ready(Some(1))
        );
        assert_eq!(Pin::new(&mut throttled).poll_next(&mut cx), Poll::Pending);
        assert_eq!(
            Pin::new(&mut throttled).poll_next(&mut cx),
            Poll::Ready(Some(2))
        );
        assert_eq!(throttled.collect::<Vec<_>>().await, [3]);
    }
}
