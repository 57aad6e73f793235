//! QR codes as SVG (`qrcode`): the pick-up code of an order and the check-in code of an activity,
//! drawn by the server so a cheap phone or the console needs no QR library of its own.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use qrcode::QrCode;
use qrcode::render::svg;

use crate::ApiError;

/// `content` as an SVG QR code (medium error correction, 8-pixel modules, a quiet zone), with
/// `cache` as its `Cache-Control`.
///
/// # Errors
/// 500 when the content does not fit a QR code (it always does for our short codes).
pub fn svg_response(content: &str, cache: &'static str) -> Result<Response, ApiError> {
    let code = QrCode::with_error_correction_level(content.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| ApiError::from_status(StatusCode::INTERNAL_SERVER_ERROR))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        image,
    )
        .into_response())
}
