//! Catalogue change requests (R7, F6): a village (or the district, for its template) asks to add,
//! retire or re-value items; the change must stay within the district's bounds.
//!
//! The bounds are the district's, and deliberately few:
//! - no item gives or takes more than `max_item_points` points in one entry;
//! - an item of the district template that requires photos keeps requiring at least as many;
//! - an item of the district template with a cap keeps a cap (a village may tighten it, not
//!   drop it);
//! - negative items are never self-declarable (checked by [`CatalogueItem`] itself, R6).

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{ItemCode, Points};

use super::{Cap, CatalogueItem, CatalogueItemSpec, PointsRule};

/// The district's limits on any catalogue of its villages (and on its own template).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueBounds {
    /// Largest absolute value an item may give or take in one entry.
    pub max_item_points: Points,
}

impl Default for CatalogueBounds {
    /// 30 points: the largest value in the default template (PA-03, DE-05).
    fn default() -> Self {
        Self {
            max_item_points: Points(30),
        }
    }
}

/// One change to a catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ItemChange {
    /// A new item.
    Add { item: CatalogueItemSpec },
    /// Take an item off the catalogue.
    Retire { code: ItemCode },
    /// New points (and optionally a new cap) for an item.
    Revalue {
        code: ItemCode,
        points: PointsRule,
        #[serde(default)]
        cap: Option<Cap>,
    },
}

impl ItemChange {
    /// The item the change concerns.
    #[must_use]
    pub fn code(&self) -> &ItemCode {
        match self {
            Self::Add { item } => &item.code,
            Self::Retire { code } | Self::Revalue { code, .. } => code,
        }
    }
}

/// Applies `changes` to the items of `base` (the catalogue the requester has now) and checks the
/// result against the district `template` and `bounds`. Returns the proposed items in the base's
/// order, added items last.
///
/// # Errors
/// [`DomainError::CatalogueChangeEmpty`] for no changes (or a result equal to the base),
/// [`DomainError::ItemNotFound`] for retiring or re-valuing an unknown item (version
/// `base_version`), [`DomainError::CatalogueChangeItemExists`] for adding an existing code,
/// [`DomainError::CatalogueChangeOutOfBounds`], and the item rules of [`CatalogueItem`] (R6).
pub fn apply_changes(
    base: &[CatalogueItem],
    base_version: u32,
    template: &[CatalogueItem],
    changes: &[ItemChange],
    bounds: CatalogueBounds,
) -> Result<Vec<CatalogueItem>, DomainError> {
    if changes.is_empty() {
        return Err(DomainError::CatalogueChangeEmpty);
    }
    let mut items: Vec<CatalogueItem> = base.to_vec();
    let position = |items: &[CatalogueItem], code: &ItemCode| {
        items
            .iter()
            .position(|i| i.code() == code)
            .ok_or_else(|| DomainError::ItemNotFound {
                code: code.clone(),
                version: base_version,
            })
    };
    for change in changes {
        match change {
            ItemChange::Add { item } => {
                if items.iter().any(|i| i.code() == &item.code) {
                    return Err(DomainError::CatalogueChangeItemExists {
                        code: item.code.clone(),
                    });
                }
                items.push(CatalogueItem::try_from(item.clone())?);
            }
            ItemChange::Retire { code } => {
                let at = position(&items, code)?;
                items.remove(at);
            }
            ItemChange::Revalue { code, points, cap } => {
                let at = position(&items, code)?;
                let mut spec = items[at].spec().clone();
                spec.points = *points;
                if let Some(cap) = cap {
                    spec.cap = *cap;
                }
                items[at] = CatalogueItem::try_from(spec)?;
            }
        }
    }
    if items.is_empty() || items == base {
        return Err(DomainError::CatalogueChangeEmpty);
    }
    for item in &items {
        check_bounds(item, template, bounds)?;
    }
    Ok(items)
}

/// R7: a change request is a list of changes applied to one version of the requester's catalogue
/// (`drafted_on`: the newest approved version when it was drafted, scheduled ones included). Once
/// another version has been approved for that catalogue (`current`), the request is stale: its
/// proposed catalogue would silently drop what the newer version changed. A stale request is not
/// submitted and not approved; it is drafted again on the newer version.
///
/// # Errors
/// [`DomainError::CatalogueChangeStale`].
pub fn check_current(drafted_on: u32, current: u32) -> Result<(), DomainError> {
    if drafted_on == current {
        Ok(())
    } else {
        Err(DomainError::CatalogueChangeStale {
            drafted_on,
            current,
        })
    }
}

/// Checks one item against the district's bounds and template.
///
/// # Errors
/// [`DomainError::CatalogueChangeOutOfBounds`].
pub fn check_bounds(
    item: &CatalogueItem,
    template: &[CatalogueItem],
    bounds: CatalogueBounds,
) -> Result<(), DomainError> {
    let out = |detail: String| DomainError::CatalogueChangeOutOfBounds {
        code: item.code().clone(),
        detail,
    };
    let limit = bounds.max_item_points.get().unsigned_abs();
    let (low, high) = match *item.points() {
        PointsRule::Fixed(p) => (p, p),
        PointsRule::Range { min, max, .. } => (min, max),
    };
    if low.get().unsigned_abs() > limit || high.get().unsigned_abs() > limit {
        return Err(out(format!("单次分值不得超过 {limit} 分")));
    }
    if let Some(model) = template.iter().find(|t| t.code() == item.code()) {
        let required = model.evidence();
        let given = item.evidence();
        if required.photo_required
            && (!given.photo_required || given.min_photos < required.min_photos)
        {
            return Err(out(format!(
                "区级模板要求至少 {} 张照片佐证，不得降低",
                required.min_photos
            )));
        }
        if model.cap() != Cap::None && item.cap() == Cap::None {
            return Err(out("区级模板设有上限，不得取消".to_owned()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::default_catalogue;

    fn code(c: &str) -> ItemCode {
        ItemCode::parse(c).unwrap()
    }

    fn apply(changes: &[ItemChange]) -> Result<Vec<CatalogueItem>, DomainError> {
        let base = default_catalogue();
        apply_changes(&base, 1, &base, changes, CatalogueBounds::default())
    }

    #[test]
    fn r7_a_change_drafted_on_an_older_version_is_stale() {
        assert_eq!(check_current(3, 3), Ok(()));
        let stale = check_current(3, 4).unwrap_err();
        assert_eq!(
            stale,
            DomainError::CatalogueChangeStale {
                drafted_on: 3,
                current: 4
            }
        );
        assert_eq!(stale.code(), "catalogue_change.stale");
        assert!(stale.message().contains("重新起草"));
    }

    #[test]
    fn r7_revalue_retire_and_add_within_bounds() {
        let mut added = default_catalogue()[0].spec().clone();
        added.code = code("PA-09");
        added.title = "参加森林防火宣传".into();
        let items = apply(&[
            ItemChange::Revalue {
                code: code("ML-02"),
                points: PointsRule::Fixed(Points(4)),
                cap: None,
            },
            ItemChange::Retire {
                code: code("PA-08"),
            },
            ItemChange::Add { item: added },
        ])
        .unwrap();
        assert_eq!(items.len(), 25);
        let ml02 = items.iter().find(|i| i.code() == &code("ML-02")).unwrap();
        assert_eq!(ml02.points(), &PointsRule::Fixed(Points(4)));
        assert_eq!(ml02.cap(), Cap::PerQuarter(3));
        assert!(items.iter().all(|i| i.code() != &code("PA-08")));
        assert_eq!(items.last().unwrap().code(), &code("PA-09"));
    }

    #[test]
    fn r7_changes_outside_the_district_bounds_are_refused() {
        let too_many = apply(&[ItemChange::Revalue {
            code: code("ML-02"),
            points: PointsRule::Fixed(Points(31)),
            cap: None,
        }]);
        assert_eq!(
            too_many.unwrap_err().code(),
            "catalogue_change.out_of_bounds"
        );
        let uncapped = apply(&[ItemChange::Revalue {
            code: code("ML-02"),
            points: PointsRule::Fixed(Points(2)),
            cap: Some(Cap::None),
        }]);
        assert_eq!(
            uncapped.unwrap_err().code(),
            "catalogue_change.out_of_bounds"
        );
        let mut weaker = default_catalogue()
            .into_iter()
            .find(|i| i.code() == &code("ML-04"))
            .unwrap()
            .spec()
            .clone();
        weaker.evidence.min_photos = 1;
        let base: Vec<_> = default_catalogue()
            .into_iter()
            .filter(|i| i.code() != &code("ML-04"))
            .collect();
        let err = apply_changes(
            &base,
            2,
            &default_catalogue(),
            &[ItemChange::Add { item: weaker }],
            CatalogueBounds::default(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "catalogue_change.out_of_bounds");
    }

    #[test]
    fn r7_extreme_values_are_out_of_bounds_not_a_panic() {
        for p in [i64::MIN, i64::MAX] {
            let direction_ok = apply(&[ItemChange::Revalue {
                code: code(if p > 0 { "ML-02" } else { "ML-08" }),
                points: PointsRule::Fixed(Points(p)),
                cap: None,
            }]);
            assert_eq!(
                direction_ok.unwrap_err().code(),
                "catalogue_change.out_of_bounds"
            );
        }
    }

    #[test]
    fn r7_unknown_duplicate_and_empty_changes_are_refused() {
        assert_eq!(apply(&[]), Err(DomainError::CatalogueChangeEmpty));
        assert!(matches!(
            apply(&[ItemChange::Retire {
                code: code("ZZ-01")
            }]),
            Err(DomainError::ItemNotFound { version: 1, .. })
        ));
        let existing = default_catalogue()[0].spec().clone();
        assert!(matches!(
            apply(&[ItemChange::Add { item: existing }]),
            Err(DomainError::CatalogueChangeItemExists { .. })
        ));
        // Re-valuing to the same value changes nothing.
        assert_eq!(
            apply(&[ItemChange::Revalue {
                code: code("ML-02"),
                points: PointsRule::Fixed(Points(2)),
                cap: None,
            }]),
            Err(DomainError::CatalogueChangeEmpty)
        );
        // R6 still holds: a negative item cannot become positive by its points.
        assert_eq!(
            apply(&[ItemChange::Revalue {
                code: code("ML-08"),
                points: PointsRule::Fixed(Points(5)),
                cap: None,
            }]),
            Err(DomainError::InvalidPointsRule)
        );
    }
}
