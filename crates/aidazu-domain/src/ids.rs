//! Identifier newtypes, item codes and integer point amounts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

macro_rules! id_newtypes {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// Wraps a raw database id.
            #[must_use]
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            /// The raw database id.
            #[must_use]
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                Self(raw)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    )+};
}

id_newtypes!(
    /// A district (区).
    DistrictId,
    /// A town or street (镇街).
    TownId,
    /// A village or community (村社).
    VillageId,
    /// A village group (组/社).
    GroupId,
    /// A household (户), the unit of points (R2).
    HouseholdId,
    /// A member of a household.
    MemberId,
    /// A stored catalogue version row.
    CatalogueVersionId,
    /// A stored ledger entry row.
    LedgerEntryId,
    /// A declaration (申报).
    DeclarationId,
    /// A login account (villager, admin or officer).
    AccountId,
    /// A points-shop order (R19).
    OrderId,
    /// An objection raised during a publication window (R17).
    ObjectionId,
    /// A points-shop item (R19).
    ShopItemId,
    /// A sharing activity (积分分享活动, R21).
    ActivityId,
);

/// A catalogue item code such as `PA-01`: two upper-case ASCII letters, a dash, two digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItemCode(String);

impl ItemCode {
    /// Parses and validates a code (`^[A-Z]{2}-\d{2}$`).
    ///
    /// # Errors
    /// [`DomainError::InvalidItemCode`] when the text does not have that shape.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let bytes = text.as_bytes();
        let valid = bytes.len() == 5
            && bytes[0].is_ascii_uppercase()
            && bytes[1].is_ascii_uppercase()
            && bytes[2] == b'-'
            && bytes[3].is_ascii_digit()
            && bytes[4].is_ascii_digit();
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(DomainError::InvalidItemCode {
                code: text.to_owned(),
            })
        }
    }

    /// The code as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-letter prefix, which by convention names the category (`PA`, `DE`, `ML`).
    #[must_use]
    pub fn prefix(&self) -> &str {
        self.0.get(..2).unwrap_or_default()
    }
}

impl fmt::Display for ItemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ItemCode {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ItemCode {
    type Error = DomainError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl TryFrom<&str> for ItemCode {
    type Error = DomainError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<ItemCode> for String {
    fn from(code: ItemCode) -> Self {
        code.0
    }
}

/// An integer amount of points. Arithmetic is checked: overflow is an error, never a wrap.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Points(pub i64);

impl Points {
    /// No points.
    pub const ZERO: Self = Self(0);

    /// Wraps a raw amount.
    #[must_use]
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    /// The raw amount.
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    #[must_use]
    pub const fn checked_add(self, other: Self) -> Option<Self> {
        match self.0.checked_add(other.0) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// `self - other`, or `None` on overflow.
    #[must_use]
    pub const fn checked_sub(self, other: Self) -> Option<Self> {
        match self.0.checked_sub(other.0) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// `-self`, or `None` for `i64::MIN`.
    #[must_use]
    pub const fn checked_neg(self) -> Option<Self> {
        match self.0.checked_neg() {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// `self * factor`, or `None` on overflow.
    #[must_use]
    pub const fn checked_mul(self, factor: i64) -> Option<Self> {
        match self.0.checked_mul(factor) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// Sums amounts, or `None` on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Self>>(items: I) -> Option<Self> {
        items
            .into_iter()
            .try_fold(Self::ZERO, |acc, p| acc.checked_add(p))
    }

    /// `self + other` as a domain error on overflow.
    ///
    /// # Errors
    /// [`DomainError::PointsOverflow`].
    pub fn try_add(self, other: Self) -> Result<Self, DomainError> {
        self.checked_add(other).ok_or(DomainError::PointsOverflow)
    }

    /// True when above zero.
    #[must_use]
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// True when below zero.
    #[must_use]
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// True when zero.
    #[must_use]
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Points {
    /// Signed display for negative values; positive values have no `+`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<i64> for Points {
    fn from(raw: i64) -> Self {
        Self(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_code_accepts_catalogue_shape() {
        for ok in ["PA-01", "ML-08", "DE-99", "ZZ-00"] {
            assert_eq!(
                ItemCode::parse(ok).map(|c| c.to_string()),
                Ok(ok.to_owned())
            );
        }
    }

    #[test]
    fn item_code_refuses_other_shapes() {
        for bad in [
            "", "pa-01", "PA01", "PA-1", "PA-001", "P-01", "PAA-01", "PA_01", "ＰA-01", " PA-01",
        ] {
            assert!(
                matches!(
                    ItemCode::parse(bad),
                    Err(DomainError::InvalidItemCode { .. })
                ),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn item_code_serde_round_trip_validates() {
        let code: ItemCode = serde_json::from_str("\"DE-07\"").unwrap();
        assert_eq!(code.prefix(), "DE");
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"DE-07\"");
        assert!(serde_json::from_str::<ItemCode>("\"DE7\"").is_err());
    }

    #[test]
    fn ids_serialize_transparently() {
        assert_eq!(serde_json::to_string(&HouseholdId(42)).unwrap(), "42");
        assert_eq!(serde_json::from_str::<MemberId>("7").unwrap(), MemberId(7));
        assert_eq!(VillageId::new(3).to_string(), "3");
    }

    #[test]
    fn points_arithmetic_is_checked() {
        assert_eq!(Points(2).checked_add(Points(3)), Some(Points(5)));
        assert_eq!(Points(i64::MAX).checked_add(Points(1)), None);
        assert_eq!(Points(i64::MIN).checked_neg(), None);
        assert_eq!(
            Points::checked_sum([Points(1), Points(-4)]),
            Some(Points(-3))
        );
        assert_eq!(Points::checked_sum([Points(i64::MAX), Points(1)]), None);
        assert_eq!(
            Points(1).try_add(Points(i64::MAX)),
            Err(DomainError::PointsOverflow)
        );
    }
}
