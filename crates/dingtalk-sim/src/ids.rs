//! Random identifiers in the shapes DingTalk uses.

use rand::Rng;
use rand::distributions::Alphanumeric;

/// `n` random ASCII letters and digits.
pub fn alnum(n: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

/// `n` random lowercase hex digits.
pub fn hex_lower(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// An oapi `request_id` (13 lowercase letters and digits, e.g. `16l4ew3d47pdp`).
pub fn oapi_request_id() -> String {
    alnum(13).to_ascii_lowercase()
}

/// An api `requestid` / `x-acs-request-id` (uppercase UUID).
pub fn api_request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_ascii_uppercase()
}

/// A lowercase UUID (process instance ids, tickets, event ids).
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_match_dingtalk() {
        let oapi = oapi_request_id();
        assert_eq!(oapi.len(), 13);
        assert!(
            oapi.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        let api = api_request_id();
        assert_eq!(api.len(), 36);
        assert!(!api.chars().any(|c| c.is_ascii_lowercase()));
        assert!(
            hex_lower(32)
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}
