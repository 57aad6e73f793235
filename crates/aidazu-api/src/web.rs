//! The built front end (`dingtalk-miniapp/dist`): the villager app at `/`, the console at
//! `/console/`. Files come precompressed (`.br`, `.gz` beside each, written by the front end's
//! build); hashed files under `/assets/` are cached for a year (`immutable`), everything else
//! (the `index.html` pages) is `no-cache`. Client routes (`/ledger`, `/console/review`) answer
//! their app's `index.html`; paths of the API and the service (`/api/…`, `/healthz`, `/readyz`,
//! `/openapi.json`, `/dingtalk/…`) never do: they keep the JSON error envelope.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, Response, StatusCode, header};
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

use crate::ApiError;

/// `Cache-Control` of content-hashed files.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else (the HTML entry points).
pub const NO_CACHE: &str = "no-cache";

/// Where the built front end is.
#[derive(Debug, Clone)]
pub struct WebAssets {
    /// The build output: `index.html`, `console/index.html`, `assets/…`.
    pub dir: PathBuf,
}

/// Whether a path belongs to the API or the service itself (never answered with a page).
#[must_use]
pub fn is_service_path(path: &str) -> bool {
    const EXACT: [&str; 5] = ["/api", "/healthz", "/readyz", "/openapi.json", "/dingtalk"];
    const PREFIXES: [&str; 2] = ["/api/", "/dingtalk/"];
    EXACT.contains(&path) || PREFIXES.iter().any(|p| path.starts_with(p))
}

/// Whether the last segment looks like a file (`app.js`, `logo.png`): a missing file answers
/// 404, never a page.
fn looks_like_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// The fallback of the router: the front end for pages, the envelope for everything else.
pub async fn fallback(assets: Option<Arc<WebAssets>>, req: Request<Body>) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let Some(assets) = assets else {
        return not_found();
    };
    if is_service_path(&path) {
        return not_found();
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return axum::response::IntoResponse::into_response(ApiError::from_status(
            StatusCode::METHOD_NOT_ALLOWED,
        ));
    }
    let dir = ServeDir::new(&assets.dir)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true);
    let headers = req.headers().clone();
    let method = req.method().clone();
    let served = match dir.oneshot(req).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    let response = if served.status() == StatusCode::NOT_FOUND && !looks_like_file(&path) {
        // A client route of one of the two apps: its index.html.
        let index = if path == "/console" || path.starts_with("/console/") {
            assets.dir.join("console").join("index.html")
        } else {
            assets.dir.join("index.html")
        };
        let mut page = Request::builder()
            .method(method)
            .uri("/index.html")
            .body(Body::empty())
            .unwrap_or_default();
        *page.headers_mut() = headers;
        match ServeFile::new(index)
            .precompressed_br()
            .precompressed_gzip()
            .oneshot(page)
            .await
        {
            Ok(response) => response.map(Body::new),
            Err(never) => match never {},
        }
    } else {
        served
    };
    with_cache_headers(&path, response)
}

fn not_found() -> Response<Body> {
    axum::response::IntoResponse::into_response(ApiError::from_status(StatusCode::NOT_FOUND))
}

fn with_cache_headers(path: &str, mut response: Response<Body>) -> Response<Body> {
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let value = if path.starts_with("/assets/") {
            IMMUTABLE
        } else {
            NO_CACHE
        };
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_paths_never_get_a_page() {
        for path in [
            "/api",
            "/api/unknown",
            "/api/v1/villages/x",
            "/healthz",
            "/readyz",
            "/openapi.json",
            "/dingtalk/callback",
        ] {
            assert!(is_service_path(path), "{path}");
        }
        for path in [
            "/",
            "/ledger",
            "/console/",
            "/console/review",
            "/apiary",
            "/assets/a.js",
        ] {
            assert!(!is_service_path(path), "{path}");
        }
    }

    #[test]
    fn file_like_paths_are_not_client_routes() {
        assert!(looks_like_file("/assets/index-abc.js"));
        assert!(looks_like_file("/favicon.ico"));
        assert!(!looks_like_file("/console/review"));
        assert!(!looks_like_file("/"));
    }
}
