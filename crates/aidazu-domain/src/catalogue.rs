//! The points catalogue (积分项目): items, rules, caps and versions (R5–R7).

mod change;
mod default_template;
mod item;
mod recorders;
pub mod replay;
mod rule;
mod version;

use serde::{Deserialize, Serialize};

pub use change::{CatalogueBounds, ItemChange, apply_changes, check_bounds, check_current};
pub use default_template::default_catalogue;
pub use item::{CatalogueItem, CatalogueItemSpec};
pub use recorders::Recorders;
pub use rule::{Cap, PointsRule};
pub use version::{Catalogue, CatalogueVersion, ItemRef, effective_after_approval};

/// Which list an item is on (R5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// 正面清单: adds points.
    Positive,
    /// 负面清单: deducts points.
    Negative,
}

impl Direction {
    /// 正面清单 / 负面清单.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Positive => "正面清单",
            Self::Negative => "负面清单",
        }
    }
}

/// A category (类), e.g. 平安建设.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Category {
    /// Short code, by convention the item-code prefix (`PA`).
    pub code: String,
    /// Chinese name (平安建设).
    pub name: String,
}

impl Category {
    /// A category with the given code and Chinese name.
    pub fn new(code: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            name: name.into(),
        }
    }

    /// 平安建设 (safety), code `PA`.
    #[must_use]
    pub fn safety() -> Self {
        Self::new("PA", "平安建设")
    }

    /// 道德建设 (morality), code `DE`.
    #[must_use]
    pub fn morality() -> Self {
        Self::new("DE", "道德建设")
    }

    /// 美丽建设 (beautiful village), code `ML`.
    #[must_use]
    pub fn beauty() -> Self {
        Self::new("ML", "美丽建设")
    }
}

/// Optional middle level (项) between category (类) and item (条), so the seed's "四项" can be
/// slotted in later.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SubCategory {
    pub code: String,
    pub name: String,
}

/// What evidence an item needs (R6, R8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Whether a declaration must carry photos (then 1–9, at least `min_photos`).
    pub photo_required: bool,
    /// Least number of photos when required (e.g. 2 for before/after); ignored otherwise.
    #[serde(default = "one")]
    pub min_photos: u8,
    /// What evidence the reviewer expects (Chinese, shown to users).
    pub description: String,
}

const fn one() -> u8 {
    1
}

impl Evidence {
    /// Photos required, at least `min_photos`.
    pub fn photos(min_photos: u8, description: impl Into<String>) -> Self {
        Self {
            photo_required: true,
            min_photos: min_photos.max(1),
            description: description.into(),
        }
    }

    /// Evidence other than photos (a roster, a record, a certificate seen at the door).
    pub fn record(description: impl Into<String>) -> Self {
        Self {
            photo_required: false,
            min_photos: 1,
            description: description.into(),
        }
    }

    /// The allowed photo count range for a declaration: `min..=9` when required, else `0..=9`.
    #[must_use]
    pub fn photo_range(&self) -> std::ops::RangeInclusive<usize> {
        let min = if self.photo_required {
            usize::from(self.min_photos.clamp(1, MAX_PHOTOS))
        } else {
            0
        };
        min..=usize::from(MAX_PHOTOS)
    }
}

/// Most photos on a declaration (R8).
pub const MAX_PHOTOS: u8 = 9;
