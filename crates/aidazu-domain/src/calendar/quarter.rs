//! A quarter of a points-year.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

use super::PointsYear;

/// Quarter `index` (1..=4) of the points-year labelled `year`. Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "QuarterRepr", into = "QuarterRepr")]
pub struct Quarter {
    year: i32,
    index: u32,
}

#[derive(Serialize, Deserialize)]
struct QuarterRepr {
    year: i32,
    index: u32,
}

impl TryFrom<QuarterRepr> for Quarter {
    type Error = DomainError;

    fn try_from(value: QuarterRepr) -> Result<Self, Self::Error> {
        Self::new(value.year, value.index)
    }
}

impl From<Quarter> for QuarterRepr {
    fn from(q: Quarter) -> Self {
        Self {
            year: q.year,
            index: q.index,
        }
    }
}

impl Quarter {
    /// Quarter `index` (1..=4) of points-year `year`.
    ///
    /// # Errors
    /// [`DomainError::InvalidQuarter`] when `index` is outside 1..=4.
    pub fn new(year: i32, index: u32) -> Result<Self, DomainError> {
        if (1..=4).contains(&index) {
            Ok(Self { year, index })
        } else {
            Err(DomainError::InvalidQuarter { year, index })
        }
    }

    pub(super) const fn from_parts_unchecked(year: i32, index: u32) -> Self {
        Self { year, index }
    }

    /// Label of the points-year this quarter belongs to.
    #[must_use]
    pub const fn year(self) -> i32 {
        self.year
    }

    /// The points-year this quarter belongs to.
    #[must_use]
    pub const fn points_year(self) -> PointsYear {
        PointsYear(self.year)
    }

    /// 1..=4.
    #[must_use]
    pub const fn index(self) -> u32 {
        self.index
    }

    /// The next quarter (Q4 is followed by Q1 of the next points-year).
    #[must_use]
    pub const fn next(self) -> Self {
        if self.index == 4 {
            Self {
                year: self.year.saturating_add(1),
                index: 1,
            }
        } else {
            Self {
                year: self.year,
                index: self.index + 1,
            }
        }
    }

    /// The previous quarter.
    #[must_use]
    pub const fn prev(self) -> Self {
        if self.index == 1 {
            Self {
                year: self.year.saturating_sub(1),
                index: 4,
            }
        } else {
            Self {
                year: self.year,
                index: self.index - 1,
            }
        }
    }
}

impl fmt::Display for Quarter {
    /// `2025-Q3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.index)
    }
}

impl FromStr for Quarter {
    type Err = DomainError;

    /// Parses `2025-Q3` (also `2025Q3`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || DomainError::InvalidQuarterLabel {
            label: s.to_owned(),
        };
        let (year, index) = s.rsplit_once('Q').ok_or_else(invalid)?;
        let year = year.strip_suffix('-').unwrap_or(year);
        let year: i32 = year.parse().map_err(|_| invalid())?;
        let index: u32 = index.parse().map_err(|_| invalid())?;
        Self::new(year, index).map_err(|_| invalid())
    }
}
