//! Conditional GET for answers the service keeps encoded (issue 11): the catalogue in force and the
//! village list. A client that sends back the `ETag` it holds in `If-None-Match` gets `304 Not
//! Modified` with no body — on a cheap phone over a slow link, the 9 KB catalogue is not sent again.
//! `Cache-Control: no-cache` makes every client ask (the answer can change at midnight or after an
//! organisation edit), and the question costs no query.

use std::sync::OnceLock;

use aidazu_app::caches::Encoded;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::ApiError;

/// The encoded answer kept in `slot`, made from `make()` by the first reader.
pub(crate) fn encoded<T: Serialize>(
    slot: &OnceLock<Encoded>,
    make: impl FnOnce() -> T,
) -> Result<&Encoded, ApiError> {
    if let Some(hit) = slot.get() {
        return Ok(hit);
    }
    let body = serde_json::to_vec(&make()).map_err(|error| {
        tracing::error!(%error, "cannot encode a cached answer");
        ApiError::internal()
    })?;
    // Two first readers may both encode; either result is the same bytes.
    Ok(slot.get_or_init(|| Encoded::new(body)))
}

/// `200` with the JSON body and its `ETag`, or `304` when `If-None-Match` names that tag.
pub(crate) fn json(request: &HeaderMap, encoded: &Encoded) -> Response {
    let etag = HeaderValue::from_str(&encoded.etag).ok();
    let matches = request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == encoded.etag);
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            Body::from(encoded.body.clone()),
        )
            .into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Some(etag) = etag {
        headers.insert(header::ETAG, etag);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagged(inm: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(inm).unwrap());
        h
    }

    #[test]
    fn a_matching_tag_answers_304_and_any_other_the_body() {
        let e = Encoded::new(b"{\"a\":1}".to_vec());
        assert_eq!(json(&HeaderMap::new(), &e).status(), StatusCode::OK);
        assert_eq!(
            json(&tagged(&e.etag), &e).status(),
            StatusCode::NOT_MODIFIED
        );
        let list = format!("\"old\", W/{}", e.etag);
        assert_eq!(json(&tagged(&list), &e).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(json(&tagged("*"), &e).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(json(&tagged("\"other\""), &e).status(), StatusCode::OK);
        let ok = json(&HeaderMap::new(), &e);
        assert_eq!(ok.headers()[header::ETAG], e.etag.as_str());
        assert_eq!(ok.headers()[header::CACHE_CONTROL], "no-cache");
        assert_eq!(ok.headers()[header::CONTENT_TYPE], "application/json");
    }

    #[test]
    fn the_slot_encodes_once() {
        let slot = OnceLock::new();
        let first = encoded(&slot, || vec![1, 2]).unwrap().etag.clone();
        let second = encoded(&slot, || vec![3]).unwrap().etag.clone();
        assert_eq!(first, second);
        assert_eq!(&slot.get().unwrap().body[..], b"[1,2]");
    }
}
