//! How a person names a group of their village (R2): the full code (`heping-05`), the group's
//! name (`五组`), or its number within the village (`5`, `05`, `5组`, `第5组`). The number of a
//! group is the trailing number of its code (`heping-05` → 5).

/// The number a person wrote for a group: `5`, `05`, `5组`, `第5组`, `第 05 组` → 5. `None` for
/// anything else.
#[must_use]
pub fn written_group_number(text: &str) -> Option<u32> {
    let t = text.trim();
    let t = t.strip_prefix('第').unwrap_or(t);
    let t = t.strip_suffix('组').unwrap_or(t).trim();
    if t.is_empty() || t.len() > 6 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// The number of a group within its village: the trailing digits of its code (`heping-05` → 5).
#[must_use]
pub fn code_group_number(code: &str) -> Option<u32> {
    let digits = code.len() - code.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 6 {
        return None;
    }
    code[code.len() - digits..].parse().ok()
}

/// What a written group reference resolves to among a village's groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupMatch<T> {
    /// Exactly one group.
    One(T),
    /// No group of the village.
    None,
    /// The number fits several groups (codes with the same trailing number).
    Ambiguous,
}

/// Resolves `written` among `groups` (`(code, name, value)`): the full code first, then the exact
/// name, then the group number.
pub fn resolve_group<'a, T: Copy + 'a>(
    written: &str,
    groups: impl IntoIterator<Item = (&'a str, &'a str, T)> + Clone,
) -> GroupMatch<T> {
    let written = written.trim();
    if written.is_empty() {
        return GroupMatch::None;
    }
    if let Some((_, _, v)) = groups.clone().into_iter().find(|(c, _, _)| *c == written) {
        return GroupMatch::One(v);
    }
    if let Some((_, _, v)) = groups.clone().into_iter().find(|(_, n, _)| *n == written) {
        return GroupMatch::One(v);
    }
    let Some(number) = written_group_number(written) else {
        return GroupMatch::None;
    };
    let mut found = groups
        .into_iter()
        .filter(|(c, _, _)| code_group_number(c) == Some(number));
    match (found.next(), found.next()) {
        (Some((_, _, v)), None) => GroupMatch::One(v),
        (None, _) => GroupMatch::None,
        (Some(_), Some(_)) => GroupMatch::Ambiguous,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GROUPS: [(&str, &str, i64); 3] = [
        ("heping-01", "一组", 1),
        ("heping-05", "五组", 5),
        ("heping-12", "十二组", 12),
    ];

    #[test]
    fn r2_a_group_is_named_by_code_name_or_number_within_the_village() {
        for (written, want) in [
            ("heping-05", GroupMatch::One(5)),
            (" heping-05 ", GroupMatch::One(5)),
            ("五组", GroupMatch::One(5)),
            ("5", GroupMatch::One(5)),
            ("05", GroupMatch::One(5)),
            ("5组", GroupMatch::One(5)),
            ("第5组", GroupMatch::One(5)),
            ("第 05 组", GroupMatch::One(5)),
            ("01", GroupMatch::One(1)),
            ("12", GroupMatch::One(12)),
            ("9", GroupMatch::None),
            ("heping-99", GroupMatch::None),
            ("", GroupMatch::None),
            ("五", GroupMatch::None),
            ("-5", GroupMatch::None),
        ] {
            assert_eq!(resolve_group(written, GROUPS), want, "{written:?}");
        }
    }

    #[test]
    fn r2_a_number_fitting_two_groups_is_ambiguous() {
        let groups = [("a-5", "甲", 1), ("b-05", "乙", 2)];
        assert_eq!(resolve_group("5", groups), GroupMatch::Ambiguous);
        assert_eq!(resolve_group("b-05", groups), GroupMatch::One(2));
    }

    #[test]
    fn group_numbers_of_codes() {
        assert_eq!(code_group_number("heping-05"), Some(5));
        assert_eq!(code_group_number("guangfu01"), Some(1));
        assert_eq!(code_group_number("dt-9051"), Some(9051));
        assert_eq!(code_group_number("heping"), None);
    }
}
