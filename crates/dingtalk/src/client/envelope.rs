//! Turns an HTTP answer into success or [`DingTalkError::Api`], for both dialects.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{DingTalkError, IP_THROTTLED};

/// How much of an unexpected body is kept for diagnosis.
const BODY_SNIPPET: usize = 256;

/// The union of both error envelopes; every field optional.
#[derive(Deserialize, Default)]
struct ErrorEnvelope {
    errcode: Option<i64>,
    errmsg: Option<String>,
    sub_code: Option<Value>,
    sub_msg: Option<String>,
    request_id: Option<String>,
    code: Option<Value>,
    message: Option<String>,
    requestid: Option<String>,
    /// Egress-IP throttle answer: `{"status":1111,"wait":5,"punish":"deny",...}`.
    punish: Option<String>,
    wait: Option<Value>,
}

fn value_to_string(value: Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Checks one answer. oapi reports errors as HTTP 200 with a non-zero `errcode`; api as a
/// non-2xx status with `{code, message, requestid}`. Either dialect is accepted from either
/// host (DingTalk itself answers an unknown api path with an oapi-style body).
pub(crate) fn check(
    http_status: u16,
    body: &[u8],
    header_request_id: Option<String>,
) -> Result<(), DingTalkError> {
    let success = (200..300).contains(&http_status);
    let envelope = serde_json::from_slice::<ErrorEnvelope>(body).ok();
    let Some(envelope) = envelope else {
        if success {
            return Ok(());
        }
        return Err(DingTalkError::Status {
            http_status,
            body: snippet(body),
        });
    };
    if envelope.punish.is_some() {
        let wait = envelope.wait.and_then(value_to_string).unwrap_or_default();
        return Err(DingTalkError::Api {
            code: IP_THROTTLED.to_owned(),
            message: format!("egress IP throttled by DingTalk (wait {wait} min)"),
            request_id: header_request_id,
            http_status,
            sub_code: None,
        });
    }
    if let Some(errcode) = envelope.errcode.filter(|code| *code != 0) {
        return Err(DingTalkError::Api {
            code: errcode.to_string(),
            message: envelope.errmsg.or(envelope.sub_msg).unwrap_or_default(),
            request_id: envelope
                .request_id
                .or(envelope.requestid)
                .or(header_request_id),
            http_status,
            sub_code: envelope.sub_code.and_then(value_to_string),
        });
    }
    if success {
        return Ok(());
    }
    match envelope.code.and_then(value_to_string) {
        Some(code) => Err(DingTalkError::Api {
            code,
            message: envelope.message.unwrap_or_default(),
            request_id: envelope
                .requestid
                .or(envelope.request_id)
                .or(header_request_id),
            http_status,
            sub_code: None,
        }),
        None => Err(DingTalkError::Status {
            http_status,
            body: snippet(body),
        }),
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.chars().take(BODY_SNIPPET).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(
        result: Result<(), DingTalkError>,
    ) -> (String, String, Option<String>, u16, Option<String>) {
        match result {
            Err(DingTalkError::Api {
                code,
                message,
                request_id,
                http_status,
                sub_code,
            }) => (code, message, request_id, http_status, sub_code),
            other => panic!("expected Api error, got {other:?}"),
        }
    }

    #[test]
    fn oapi_success_and_api_success_pass() {
        assert!(check(200, br#"{"errcode":0,"errmsg":"ok","task_id":1}"#, None).is_ok());
        assert!(check(200, br#"{"instanceId":"x"}"#, None).is_ok());
        assert!(check(204, b"", None).is_ok());
    }

    #[test]
    fn oapi_wrapped_token_error_keeps_sub_code() {
        let body = r#"{"errcode":88,"sub_code":"40014","sub_msg":"不合法的access_token","errmsg":"ding talk error[subcode=40014,submsg=不合法的access_token]","request_id":"16l4ew3d47pdp"}"#;
        let (code, message, request_id, status, sub_code) =
            api_error(check(200, body.as_bytes(), None));
        assert_eq!(code, "88");
        assert!(message.contains("subcode=40014"));
        assert_eq!(request_id.as_deref(), Some("16l4ew3d47pdp"));
        assert_eq!(status, 200);
        assert_eq!(sub_code.as_deref(), Some("40014"));
    }

    #[test]
    fn api_error_uses_code_and_header_request_id_as_fallback() {
        let body =
            br#"{"code":"Forbidden.AccessDenied.QpsLimitForAppkeyAndApi","message":"limited"}"#;
        let (code, message, request_id, status, _) =
            api_error(check(403, body, Some("hdr-1".into())));
        assert_eq!(code, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi");
        assert_eq!(message, "limited");
        assert_eq!(request_id.as_deref(), Some("hdr-1"));
        assert_eq!(status, 403);
    }

    #[test]
    fn unknown_api_path_answered_oapi_style_is_an_error() {
        let (code, ..) = api_error(check(
            200,
            r#"{"errcode":404,"errmsg":"请求的URI地址不存在"}"#.as_bytes(),
            None,
        ));
        assert_eq!(code, "404");
    }

    #[test]
    fn egress_ip_throttle_is_a_rate_limit() {
        let body = br#"{"status":1111,"wait":5,"source":"x5","punish":"deny","uuid":"xxx"}"#;
        let (code, message, ..) = api_error(check(200, body, None));
        assert_eq!(code, "ip.throttled");
        assert!(message.contains("wait 5"));
    }

    #[test]
    fn non_json_failure_is_a_status_error() {
        let result = check(502, b"<html>bad gateway</html>", None);
        assert!(
            matches!(result, Err(DingTalkError::Status { http_status: 502, body }) if body.contains("bad gateway"))
        );
    }
}
