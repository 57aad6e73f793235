//! The catalogue in force (积分项目清单) as published: items grouped by category and list.

use aidazu_domain::catalogue::{Cap, CatalogueItem, Direction, PointsRule};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::village::Village;

/// The catalogue version in force for a village.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueView {
    /// The village asked about.
    pub village: Village,
    /// Version number (increases with every approved change).
    pub version: u32,
    /// First day the version applies (always the first day of a quarter, R7).
    pub effective_from: NaiveDate,
    /// The business date (Asia/Shanghai) this answer is for.
    pub as_of: NaiveDate,
    /// Number of items (norms, 条) in the version.
    pub item_count: usize,
    /// Items grouped by category (平安建设 / 道德建设 / 美丽建设), each split into the two lists.
    pub categories: Vec<CategoryView>,
}

/// One category and its two lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CategoryView {
    /// Category code (`PA`).
    pub code: String,
    /// Category name (平安建设).
    pub name: String,
    /// 正面清单: items that add points.
    pub positive: Vec<ItemView>,
    /// 负面清单: items that deduct points.
    pub negative: Vec<ItemView>,
}

/// One item (条) of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemView {
    /// Item code (`PA-01`).
    pub code: String,
    /// `positive` (正面) or `negative` (负面).
    pub direction: &'static str,
    /// Title (Chinese).
    pub title: String,
    /// Longer description, may be empty.
    pub description: String,
    /// Sub-category (项), when the catalogue uses that level.
    pub subcategory: Option<String>,
    /// Points per entry: fixed (`min == max`) or a range the reviewer picks within.
    pub points: PointsView,
    /// Evidence rule.
    pub evidence: EvidenceView,
    /// Whether a villager may declare it in the mini-app (never for negative items).
    pub self_declarable: bool,
    /// Cap per household, or null when unlimited.
    pub cap: Option<CapView>,
    /// Who may record the item, canonical letters `C,G,O,S` (C committee, G inspection group,
    /// O activity organiser, S self-declared); the 入户检查 screen offers the `G` items only.
    #[schema(example = "C,G,S")]
    pub recorders: String,
}

/// Points of an item; negative items carry negative values.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PointsView {
    /// Smallest amount (for negative items, the largest deduction).
    pub min: i64,
    /// Largest amount.
    pub max: i64,
    /// The usual amount.
    pub suggested: i64,
    /// Whether the reviewer picks within `min..=max`.
    pub range: bool,
}

/// Evidence an entry needs.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceView {
    /// Photos must be attached (1–9).
    pub photo_required: bool,
    /// Least number of photos when required.
    pub min_photos: u8,
    /// What the reviewer expects (Chinese).
    pub description: String,
}

/// A cap per household.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CapView {
    /// `per_quarter` (times), `per_year` (times) or `points_per_quarter` (summed points).
    pub kind: &'static str,
    /// The limit.
    pub value: i64,
}

impl From<&CatalogueItem> for ItemView {
    fn from(item: &CatalogueItem) -> Self {
        let points = match *item.points() {
            PointsRule::Fixed(p) => PointsView {
                min: p.0,
                max: p.0,
                suggested: p.0,
                range: false,
            },
            PointsRule::Range {
                min,
                max,
                suggested,
            } => PointsView {
                min: min.0,
                max: max.0,
                suggested: suggested.0,
                range: true,
            },
        };
        let cap = match item.cap() {
            Cap::PerQuarter(n) => Some(CapView {
                kind: "per_quarter",
                value: i64::from(n),
            }),
            Cap::PerYear(n) => Some(CapView {
                kind: "per_year",
                value: i64::from(n),
            }),
            Cap::PointsPerQuarter(p) => Some(CapView {
                kind: "points_per_quarter",
                value: p.0,
            }),
            _ => None,
        };
        let evidence = item.evidence();
        Self {
            code: item.code().to_string(),
            direction: match item.direction() {
                Direction::Positive => "positive",
                Direction::Negative => "negative",
            },
            title: item.title().to_owned(),
            description: item.description().to_owned(),
            subcategory: item.subcategory().map(|s| s.name.clone()),
            recorders: item.recorders().to_string(),
            points,
            evidence: EvidenceView {
                photo_required: evidence.photo_required,
                min_photos: if evidence.photo_required {
                    evidence.min_photos
                } else {
                    0
                },
                description: evidence.description.clone(),
            },
            self_declarable: item.self_declarable(),
            cap,
        }
    }
}

/// Groups items by category in first-seen order, each split into the positive and negative list.
pub fn group_items<'a>(items: impl IntoIterator<Item = &'a CatalogueItem>) -> Vec<CategoryView> {
    let mut out: Vec<CategoryView> = Vec::new();
    for item in items {
        let cat = item.category();
        let idx = match out.iter().position(|c| c.code == cat.code) {
            Some(i) => i,
            None => {
                out.push(CategoryView {
                    code: cat.code.clone(),
                    name: cat.name.clone(),
                    positive: Vec::new(),
                    negative: Vec::new(),
                });
                out.len() - 1
            }
        };
        let view = ItemView::from(item);
        match item.direction() {
            Direction::Positive => out[idx].positive.push(view),
            Direction::Negative => out[idx].negative.push(view),
        }
    }
    out
}
