//! How many points an item gives and how often (R6).

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::Points;

use super::Direction;

/// The points an item gives. Negative items carry negative values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointsRule {
    /// Exactly this amount.
    Fixed(Points),
    /// The reviewer picks an amount in `min..=max`; `suggested` is the template's usual value.
    /// For negative items `min` is the larger deduction (`min = -15, max = -3`).
    Range {
        min: Points,
        max: Points,
        suggested: Points,
    },
}

impl PointsRule {
    /// Whether the reviewer's pick is allowed.
    #[must_use]
    pub fn accepts(&self, points: Points) -> bool {
        match *self {
            Self::Fixed(p) => points == p,
            Self::Range { min, max, .. } => min <= points && points <= max,
        }
    }

    /// The amount to propose (the fixed value, or the range's suggestion).
    #[must_use]
    pub const fn suggested(&self) -> Points {
        match *self {
            Self::Fixed(p) | Self::Range { suggested: p, .. } => p,
        }
    }

    /// Checks the amounts are non-zero and carry the direction's sign, and that a range is
    /// ordered and contains its suggestion.
    ///
    /// # Errors
    /// [`DomainError::InvalidPointsRule`].
    pub fn validate(&self, direction: Direction) -> Result<(), DomainError> {
        let signed = |p: Points| match direction {
            Direction::Positive => p.is_positive(),
            Direction::Negative => p.is_negative(),
        };
        let ok = match *self {
            Self::Fixed(p) => signed(p),
            Self::Range {
                min,
                max,
                suggested,
            } => signed(min) && signed(max) && min <= suggested && suggested <= max,
        };
        if ok {
            Ok(())
        } else {
            Err(DomainError::InvalidPointsRule)
        }
    }
}

/// How often a household may score an item (R6). Counts are per household per quarter or per
/// points-year; `PointsPerQuarter` bounds the summed points of the item in a quarter (a positive
/// ceiling for positive items, a negative floor for negative items such as ML-05's −15).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cap {
    /// No limit.
    #[default]
    None,
    /// At most this many entries per quarter.
    PerQuarter(u32),
    /// At most this many entries per points-year.
    PerYear(u32),
    /// The item's points in a quarter stay within this amount.
    PointsPerQuarter(Points),
}

impl Cap {
    /// Checks counts are positive and a points cap carries the direction's sign.
    ///
    /// # Errors
    /// [`DomainError::InvalidCap`].
    pub fn validate(&self, direction: Direction) -> Result<(), DomainError> {
        let ok = match *self {
            Self::None => true,
            Self::PerQuarter(n) | Self::PerYear(n) => n > 0,
            Self::PointsPerQuarter(p) => match direction {
                Direction::Positive => p.is_positive(),
                Direction::Negative => p.is_negative(),
            },
        };
        if ok {
            Ok(())
        } else {
            Err(DomainError::InvalidCap)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r6_fixed_rule_accepts_only_its_value() {
        let r = PointsRule::Fixed(Points(3));
        assert!(r.accepts(Points(3)));
        assert!(!r.accepts(Points(4)));
        assert_eq!(r.suggested(), Points(3));
    }

    #[test]
    fn r6_range_rule_accepts_reviewer_pick_within_bounds() {
        let r = PointsRule::Range {
            min: Points(-15),
            max: Points(-3),
            suggested: Points(-10),
        };
        assert!(r.validate(Direction::Negative).is_ok());
        assert!(r.accepts(Points(-15)) && r.accepts(Points(-3)) && r.accepts(Points(-7)));
        assert!(!r.accepts(Points(-16)) && !r.accepts(Points(-2)) && !r.accepts(Points(5)));
    }

    #[test]
    fn r6_rule_sign_must_match_direction() {
        assert!(
            PointsRule::Fixed(Points(-5))
                .validate(Direction::Positive)
                .is_err()
        );
        assert!(
            PointsRule::Fixed(Points(5))
                .validate(Direction::Negative)
                .is_err()
        );
        assert!(
            PointsRule::Fixed(Points(0))
                .validate(Direction::Positive)
                .is_err()
        );
        let unordered = PointsRule::Range {
            min: Points(10),
            max: Points(5),
            suggested: Points(7),
        };
        assert!(unordered.validate(Direction::Positive).is_err());
        let outside = PointsRule::Range {
            min: Points(5),
            max: Points(10),
            suggested: Points(11),
        };
        assert!(outside.validate(Direction::Positive).is_err());
    }

    #[test]
    fn r6_caps_are_positive_counts_or_signed_points() {
        assert!(Cap::PerQuarter(0).validate(Direction::Positive).is_err());
        assert!(
            Cap::PointsPerQuarter(Points(-15))
                .validate(Direction::Negative)
                .is_ok()
        );
        assert!(
            Cap::PointsPerQuarter(Points(15))
                .validate(Direction::Negative)
                .is_err()
        );
        assert!(Cap::None.validate(Direction::Negative).is_ok());
    }
}
