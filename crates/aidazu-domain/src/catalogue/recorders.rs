//! Who may record an item (S / C / G / O in the catalogue template).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// Who may record entries for an item. Serialised as the template's letters, e.g. `"O,S"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[allow(clippy::struct_excessive_bools)]
pub struct Recorders {
    /// S: the member may self-declare (an admin then verifies).
    pub self_declared: bool,
    /// C: village admin / cadre.
    pub cadre: bool,
    /// G: inspection group.
    pub inspection_group: bool,
    /// O: activity organiser (roster or check-in).
    pub organiser: bool,
}

impl Recorders {
    /// Parses letters separated by commas or spaces: `"O, S"`, `"C,G"`.
    ///
    /// # Errors
    /// [`DomainError::InvalidRecorders`] on an unknown letter or an empty list.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let mut out = Self::default();
        let invalid = || DomainError::InvalidRecorders {
            text: text.to_owned(),
        };
        for part in text.split([',', ' ', '，']).filter(|p| !p.is_empty()) {
            match part {
                "S" => out.self_declared = true,
                "C" => out.cadre = true,
                "G" => out.inspection_group = true,
                "O" => out.organiser = true,
                _ => return Err(invalid()),
            }
        }
        if out == Self::default() {
            return Err(invalid());
        }
        Ok(out)
    }
}

impl fmt::Display for Recorders {
    /// Canonical order `C,G,O,S`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letters: Vec<&str> = [
            (self.cadre, "C"),
            (self.inspection_group, "G"),
            (self.organiser, "O"),
            (self.self_declared, "S"),
        ]
        .into_iter()
        .filter_map(|(on, l)| on.then_some(l))
        .collect();
        f.write_str(&letters.join(","))
    }
}

impl FromStr for Recorders {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Recorders {
    type Error = DomainError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Recorders> for String {
    fn from(r: Recorders) -> Self {
        r.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorders_round_trip_template_letters() {
        let r = Recorders::parse("O, S").unwrap();
        assert!(r.self_declared && r.organiser && !r.cadre);
        assert_eq!(r.to_string(), "O,S");
        assert_eq!(Recorders::parse("G, C, S").unwrap().to_string(), "C,G,S");
        assert!(Recorders::parse("X").is_err());
        assert!(Recorders::parse("").is_err());
    }
}
