//! Name masking for public boards (R4).

use serde::{Deserialize, Serialize};

/// How a village shows names on its public board.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameDisplay {
    /// 张*明 (the default).
    #[default]
    Masked,
    /// The full name, when the village chooses so.
    Full,
}

/// Masks a name: the first and last characters stay, the rest become `*` (张*明, 欧**明);
/// two-character names keep the first (张*); a one-character name becomes `*`.
#[must_use]
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.as_slice() {
        [] => String::new(),
        [_] => "*".to_owned(),
        [first, _] => format!("{first}*"),
        [first, middle @ .., last] => {
            let mut out = String::with_capacity(name.len());
            out.push(*first);
            out.extend(std::iter::repeat_n('*', middle.len()));
            out.push(*last);
            out
        }
    }
}

/// The name as a board shows it under the village's choice.
#[must_use]
pub fn display_name(name: &str, mode: NameDisplay) -> String {
    match mode {
        NameDisplay::Masked => mask_name(name),
        NameDisplay::Full => name.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r4_three_character_name_keeps_first_and_last() {
        assert_eq!(mask_name("张三明"), "张*明");
    }

    #[test]
    fn r4_two_character_name_keeps_first() {
        assert_eq!(mask_name("张三"), "张*");
    }

    #[test]
    fn r4_long_and_short_names() {
        assert_eq!(mask_name("欧阳修明"), "欧**明");
        assert_eq!(mask_name("张"), "*");
        assert_eq!(mask_name("  "), "");
        assert_eq!(mask_name(" 李四光 "), "李*光");
    }

    #[test]
    fn r4_village_may_choose_full_names() {
        assert_eq!(display_name("张三明", NameDisplay::Full), "张三明");
        assert_eq!(display_name("张三明", NameDisplay::default()), "张*明");
    }
}
