//! Files the API hands out (posters, spreadsheets, lists): one way to set their type and name.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// `.xlsx` (Office Open XML spreadsheet).
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// `.pdf`.
pub const PDF: &str = "application/pdf";
/// `.csv`, UTF-8.
pub const CSV: &str = "text/csv; charset=utf-8";

/// How the browser should treat the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Shown in the browser when it can (a poster opened from a notice).
    Inline,
    /// Saved (an export).
    Attachment,
}

/// `bytes` as a file of `content_type` named `name`.
pub fn file(
    bytes: Vec<u8>,
    content_type: &'static str,
    name: &str,
    disposition: Disposition,
) -> Response {
    let kind = match disposition {
        Disposition::Inline => "inline",
        Disposition::Attachment => "attachment",
    };
    let mut resp = bytes.into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("{kind}; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}
