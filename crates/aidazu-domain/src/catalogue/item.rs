//! A catalogue item (条) and its validated construction.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::ItemCode;

use super::{Cap, Category, Direction, Evidence, PointsRule, Recorders, SubCategory};

/// The raw parts of an item, as read from storage or an admin form. Turn it into a
/// [`CatalogueItem`] with `CatalogueItem::try_from(spec)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueItemSpec {
    pub code: ItemCode,
    pub category: Category,
    #[serde(default)]
    pub subcategory: Option<SubCategory>,
    pub direction: Direction,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub points: PointsRule,
    pub evidence: Evidence,
    pub recorders: Recorders,
    #[serde(default)]
    pub cap: Cap,
}

/// A validated catalogue item (R6): the rule and cap carry the direction's sign, the title is
/// not empty, and negative items are never self-declarable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CatalogueItemSpec", into = "CatalogueItemSpec")]
pub struct CatalogueItem {
    spec: CatalogueItemSpec,
}

impl TryFrom<CatalogueItemSpec> for CatalogueItem {
    type Error = DomainError;

    fn try_from(spec: CatalogueItemSpec) -> Result<Self, Self::Error> {
        if spec.title.trim().is_empty() {
            return Err(DomainError::ItemTitleRequired {
                code: spec.code.clone(),
            });
        }
        if spec.direction == Direction::Negative && spec.recorders.self_declared {
            return Err(DomainError::NegativeItemSelfDeclarable {
                code: spec.code.clone(),
            });
        }
        spec.points.validate(spec.direction)?;
        spec.cap.validate(spec.direction)?;
        Ok(Self { spec })
    }
}

impl From<CatalogueItem> for CatalogueItemSpec {
    fn from(item: CatalogueItem) -> Self {
        item.spec
    }
}

impl CatalogueItem {
    #[must_use]
    pub const fn code(&self) -> &ItemCode {
        &self.spec.code
    }

    #[must_use]
    pub const fn category(&self) -> &Category {
        &self.spec.category
    }

    #[must_use]
    pub const fn subcategory(&self) -> Option<&SubCategory> {
        self.spec.subcategory.as_ref()
    }

    #[must_use]
    pub const fn direction(&self) -> Direction {
        self.spec.direction
    }

    #[must_use]
    pub fn title(&self) -> &str {
        &self.spec.title
    }

    #[must_use]
    pub fn description(&self) -> &str {
        &self.spec.description
    }

    #[must_use]
    pub const fn points(&self) -> &PointsRule {
        &self.spec.points
    }

    #[must_use]
    pub const fn evidence(&self) -> &Evidence {
        &self.spec.evidence
    }

    #[must_use]
    pub const fn recorders(&self) -> Recorders {
        self.spec.recorders
    }

    #[must_use]
    pub const fn cap(&self) -> Cap {
        self.spec.cap
    }

    /// Whether members may declare it themselves (never for negative items).
    #[must_use]
    pub const fn self_declarable(&self) -> bool {
        self.spec.recorders.self_declared
    }

    /// The raw parts, e.g. for storage.
    #[must_use]
    pub const fn spec(&self) -> &CatalogueItemSpec {
        &self.spec
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Points;

    fn spec(direction: Direction, points: i64, recorders: &str) -> CatalogueItemSpec {
        CatalogueItemSpec {
            code: ItemCode::parse("PA-07").unwrap(),
            category: Category::safety(),
            subcategory: None,
            direction,
            title: "野外违规用火".into(),
            description: String::new(),
            points: PointsRule::Fixed(Points(points)),
            evidence: Evidence::photos(1, "照片"),
            recorders: Recorders::parse(recorders).unwrap(),
            cap: Cap::None,
        }
    }

    #[test]
    fn r6_negative_items_are_never_self_declarable() {
        let err = CatalogueItem::try_from(spec(Direction::Negative, -5, "C,S")).unwrap_err();
        assert_eq!(err.code(), "catalogue.negative_item_self_declarable");
        assert!(CatalogueItem::try_from(spec(Direction::Negative, -5, "C,G")).is_ok());
    }

    #[test]
    fn r6_item_points_must_match_direction() {
        assert_eq!(
            CatalogueItem::try_from(spec(Direction::Positive, -5, "S")),
            Err(DomainError::InvalidPointsRule)
        );
    }

    #[test]
    fn r6_item_needs_a_title() {
        let mut s = spec(Direction::Positive, 5, "S");
        s.title = "  ".into();
        assert!(matches!(
            CatalogueItem::try_from(s),
            Err(DomainError::ItemTitleRequired { .. })
        ));
    }

    #[test]
    fn item_serde_revalidates() {
        let item = CatalogueItem::try_from(spec(Direction::Positive, 5, "S")).unwrap();
        let json = serde_json::to_value(&item).unwrap();
        assert_eq!(json["recorders"], "S");
        let back: CatalogueItem = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, item);
        let mut forged = json;
        forged["direction"] = "negative".into();
        assert!(serde_json::from_value::<CatalogueItem>(forged).is_err());
    }
}
