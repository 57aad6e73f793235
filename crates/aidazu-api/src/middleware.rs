//! Cross-cutting layers: a header size limit, request ids (`x-request-id`, set or propagated;
//! replaced when longer than 128 characters or not printable), one tracing span per
//! request carrying the request id and matched route, a request timeout, panic catching, and the
//! envelope for bare error statuses produced by layers or axum itself.

use axum::Router;
use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{HeaderName, Request, Response, StatusCode, header};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::RouterOptions;
use crate::error::{ApiError, EnvelopeDone};

/// The request-id header, set when the client did not send one and echoed on the response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id we keep from a client; longer or non-printable ones are replaced.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// The most header bytes (names + values) a request may carry; more answers 431.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Whether a client's `x-request-id` is kept: 1–128 printable ASCII characters, no spaces.
#[must_use]
pub fn is_acceptable_request_id(value: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&value.len())
        && value.iter().all(|b| (0x21..=0x7e).contains(b))
}

/// Refuses oversized headers (431 in the envelope) and drops an unacceptable request id so a
/// fresh one is generated (logs and spans never carry a client's megabyte or escape codes).
async fn edge_guard(mut req: Request<Body>, next: axum::middleware::Next) -> Response<Body> {
    let size: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if size > MAX_HEADER_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request.headers_too_large",
            "请求头过大",
        )
        .with_details(serde_json::json!({ "maxBytes": MAX_HEADER_BYTES }))
        .into_response_parts();
    }
    if req
        .headers()
        .get(&REQUEST_ID)
        .is_some_and(|v| !is_acceptable_request_id(v.as_bytes()))
    {
        req.headers_mut().remove(&REQUEST_ID);
    }
    next.run(req).await
}

/// Wraps the routes with every layer, outermost first.
pub fn wrap(routes: Router, options: RouterOptions) -> Router {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request<Body>| {
            let request_id = req
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(MatchedPath::as_str)
                .unwrap_or("-");
            tracing::info_span!(
                "http.request",
                request_id = %request_id,
                http.method = %req.method(),
                http.route = %route,
                http.path = %req.uri().path(),
            )
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO))
        .on_failure(DefaultOnFailure::new().level(Level::WARN));

    routes.layer(
        ServiceBuilder::new()
            .layer(axum::middleware::from_fn(edge_guard))
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(trace)
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(CatchPanicLayer::custom(|_| {
                tracing::error!("handler panicked");
                ApiError::internal().into_response_parts()
            }))
            .layer(axum::middleware::map_response(envelope_bare_errors))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                options.request_timeout,
            )),
    )
}

impl ApiError {
    fn into_response_parts(self) -> Response<Body> {
        axum::response::IntoResponse::into_response(self)
    }
}

/// Gives every error status without the envelope (axum rejections we did not wrap, layers such as
/// the timeout or body limit) the one error format.
async fn envelope_bare_errors(response: Response<Body>) -> Response<Body> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    if response.extensions().get::<EnvelopeDone>().is_some() {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    axum::response::IntoResponse::into_response(ApiError::from_status(status))
}
