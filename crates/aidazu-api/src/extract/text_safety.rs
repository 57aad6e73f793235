//! Control characters are refused at the edge (issue 7): NUL and the other C0/C1 controls and DEL
//! in any JSON string (keys included), query parameter or path segment give a 422
//! `request.control_character` naming where, and nothing is stored. PostgreSQL cannot store NUL
//! in text at all, and the other controls only ever arrive by mistake or malice. Line breaks and
//! tabs stay allowed (a declaration text has paragraphs).

use serde_json::Value;

/// Whether a character is refused.
#[must_use]
pub fn is_refused(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// The JSON path (`/text`, `/items/2/name`) of the first string holding a refused character.
#[must_use]
pub fn find_in_json(value: &Value) -> Option<String> {
    fn walk(value: &Value, path: &mut String) -> bool {
        match value {
            Value::String(s) => s.chars().any(is_refused),
            Value::Array(items) => items.iter().enumerate().any(|(i, v)| {
                let len = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                let found = walk(v, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            Value::Object(map) => map.iter().any(|(k, v)| {
                let len = path.len();
                path.push('/');
                path.push_str(k);
                let found = k.chars().any(is_refused) || walk(v, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    let mut path = String::new();
    walk(value, &mut path).then(|| {
        if path.is_empty() {
            "/".to_owned()
        } else {
            path
        }
    })
}

/// Whether a percent-encoded URI part (path or query) decodes to a refused character, e.g.
/// `%00`, `%1B`, `%7F` or the UTF-8 of U+0085.
#[must_use]
pub fn encoded_part_has_refused(part: &str) -> bool {
    let bytes = part.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' && i + 2 < bytes.len() {
            let hex = |x: u8| (x as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                decoded.push(u8::try_from(h * 16 + l).unwrap_or(0));
                i += 3;
                continue;
            }
        }
        decoded.push(if b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&decoded).chars().any(is_refused)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nul_and_controls_are_found_with_their_path() {
        assert_eq!(
            find_in_json(&json!({ "text": "好\u{0}" })),
            Some("/text".into())
        );
        assert_eq!(
            find_in_json(&json!({ "a": [ "ok", { "b": "\u{1b}[31m" } ] })),
            Some("/a/1/b".into())
        );
        assert_eq!(
            find_in_json(&json!({ "k\u{7f}": 1 })),
            Some("/k\u{7f}".into())
        );
        assert_eq!(find_in_json(&json!("\u{85}")), Some("/".into()));
        assert_eq!(find_in_json(&json!({ "text": "第一段\n第二段\t完" })), None);
    }

    #[test]
    fn encoded_controls_in_uris_are_found() {
        assert!(encoded_part_has_refused("state=%00"));
        assert!(encoded_part_has_refused("/api/v1/x%1B"));
        assert!(encoded_part_has_refused("q=%C2%85"));
        assert!(!encoded_part_has_refused("q=%E5%A5%BD&page=2"));
        assert!(!encoded_part_has_refused("q=100%"));
        assert!(!encoded_part_has_refused("q=%0"));
    }
}
