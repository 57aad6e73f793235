//! Catalogue versions and their history (R7).
//!
//! A version takes effect at the start of a quarter and stays in force until a later version
//! does. A change approved during a quarter takes effect at the start of the NEXT quarter, never
//! mid-quarter, so what was in force for past and current quarters never changes.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{PointsYearConfig, Quarter};
use crate::error::DomainError;
use crate::ids::ItemCode;

use super::CatalogueItem;

/// Which item, under which catalogue version, an entry was scored (R7). Versions are numbered
/// per catalogue (one catalogue per village, derived from the district template).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ItemRef {
    pub code: ItemCode,
    pub version: u32,
}

/// One version of a catalogue: numbered from 1, in force from the first day of `effective_from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CatalogueVersionRepr", into = "CatalogueVersionRepr")]
pub struct CatalogueVersion {
    version: u32,
    effective_from: Quarter,
    items: Vec<CatalogueItem>,
    note: String,
}

#[derive(Serialize, Deserialize)]
struct CatalogueVersionRepr {
    version: u32,
    effective_from: Quarter,
    items: Vec<CatalogueItem>,
    #[serde(default)]
    note: String,
}

impl TryFrom<CatalogueVersionRepr> for CatalogueVersion {
    type Error = DomainError;

    fn try_from(r: CatalogueVersionRepr) -> Result<Self, Self::Error> {
        Self::new(r.version, r.effective_from, r.items, r.note)
    }
}

impl From<CatalogueVersion> for CatalogueVersionRepr {
    fn from(v: CatalogueVersion) -> Self {
        Self {
            version: v.version,
            effective_from: v.effective_from,
            items: v.items,
            note: v.note,
        }
    }
}

impl CatalogueVersion {
    /// A version; numbers start at 1 and item codes are unique within it.
    ///
    /// # Errors
    /// [`DomainError::InvalidCatalogueVersion`] for version 0,
    /// [`DomainError::DuplicateItemCode`] when a code repeats.
    pub fn new(
        version: u32,
        effective_from: Quarter,
        items: Vec<CatalogueItem>,
        note: impl Into<String>,
    ) -> Result<Self, DomainError> {
        if version == 0 {
            return Err(DomainError::InvalidCatalogueVersion);
        }
        let mut seen = BTreeSet::new();
        for item in &items {
            if !seen.insert(item.code()) {
                return Err(DomainError::DuplicateItemCode {
                    code: item.code().clone(),
                });
            }
        }
        Ok(Self {
            version,
            effective_from,
            items,
            note: note.into(),
        })
    }

    #[must_use]
    pub const fn version(&self) -> u32 {
        self.version
    }

    #[must_use]
    pub const fn effective_from(&self) -> Quarter {
        self.effective_from
    }

    #[must_use]
    pub fn items(&self) -> &[CatalogueItem] {
        &self.items
    }

    #[must_use]
    pub fn note(&self) -> &str {
        &self.note
    }

    /// The item with this code, if the version has it.
    #[must_use]
    pub fn item(&self, code: &ItemCode) -> Option<&CatalogueItem> {
        self.items.iter().find(|i| i.code() == code)
    }

    /// The item with this code, or a typed error.
    ///
    /// # Errors
    /// [`DomainError::ItemNotFound`].
    pub fn require_item(&self, code: &ItemCode) -> Result<&CatalogueItem, DomainError> {
        self.item(code).ok_or_else(|| DomainError::ItemNotFound {
            code: code.clone(),
            version: self.version,
        })
    }

    /// A reference to an item of this version, for ledger entries.
    #[must_use]
    pub fn item_ref(&self, code: &ItemCode) -> ItemRef {
        ItemRef {
            code: code.clone(),
            version: self.version,
        }
    }
}

/// The quarter a change approved on `approved_on` takes effect: the start of the NEXT quarter,
/// never mid-quarter (R7). The one place this rule lives.
#[must_use]
pub fn effective_after_approval(approved_on: NaiveDate, calendar: PointsYearConfig) -> Quarter {
    calendar.quarter_of(approved_on).next()
}

/// The version history of one catalogue, oldest first. Versions only get added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<CatalogueVersion>", into = "Vec<CatalogueVersion>")]
pub struct Catalogue {
    versions: Vec<CatalogueVersion>,
}

impl TryFrom<Vec<CatalogueVersion>> for Catalogue {
    type Error = DomainError;

    fn try_from(versions: Vec<CatalogueVersion>) -> Result<Self, Self::Error> {
        Self::from_versions(versions)
    }
}

impl From<Catalogue> for Vec<CatalogueVersion> {
    fn from(c: Catalogue) -> Self {
        c.versions
    }
}

impl Catalogue {
    /// A catalogue whose first version is in force from `effective_from` (e.g. the quarter a
    /// village joins, with the district template).
    ///
    /// # Errors
    /// As [`CatalogueVersion::new`].
    pub fn with_initial(
        items: Vec<CatalogueItem>,
        effective_from: Quarter,
        note: impl Into<String>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            versions: vec![CatalogueVersion::new(1, effective_from, items, note)?],
        })
    }

    /// Rebuilds a history (e.g. from storage): numbered 1, 2, 3… with non-decreasing
    /// effective quarters.
    ///
    /// # Errors
    /// [`DomainError::CatalogueVersionOutOfOrder`] otherwise, or for an empty list.
    pub fn from_versions(mut versions: Vec<CatalogueVersion>) -> Result<Self, DomainError> {
        versions.sort_by_key(CatalogueVersion::version);
        let numbered = versions.iter().zip(1u32..).all(|(v, n)| v.version == n);
        let ordered = versions
            .windows(2)
            .all(|w| w[0].effective_from <= w[1].effective_from);
        if versions.is_empty() || !numbered || !ordered {
            return Err(DomainError::CatalogueVersionOutOfOrder);
        }
        Ok(Self { versions })
    }

    /// All versions, oldest first.
    #[must_use]
    pub fn versions(&self) -> &[CatalogueVersion] {
        &self.versions
    }

    /// The newest version (possibly scheduled for a future quarter).
    #[must_use]
    pub fn latest(&self) -> Option<&CatalogueVersion> {
        self.versions.last()
    }

    /// A version by number.
    #[must_use]
    pub fn version(&self, version: u32) -> Option<&CatalogueVersion> {
        self.versions.iter().find(|v| v.version == version)
    }

    /// The item an entry was scored under.
    #[must_use]
    pub fn item(&self, item: &ItemRef) -> Option<&CatalogueItem> {
        self.version(item.version).and_then(|v| v.item(&item.code))
    }

    /// The version in force during `quarter`: the highest-numbered version effective on or before
    /// it; `None` before the first version.
    #[must_use]
    pub fn in_force(&self, quarter: Quarter) -> Option<&CatalogueVersion> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.effective_from <= quarter)
    }

    /// [`Catalogue::in_force`] as a typed error.
    ///
    /// # Errors
    /// [`DomainError::NoCatalogueInForce`].
    pub fn require_in_force(&self, quarter: Quarter) -> Result<&CatalogueVersion, DomainError> {
        self.in_force(quarter)
            .ok_or(DomainError::NoCatalogueInForce { quarter })
    }

    /// Adds an approved change as the next version, effective at the start of the quarter after
    /// the one containing `approved_on` (R7). Returns that quarter.
    ///
    /// `approved_on` is the business date of the approval, i.e. `business_date(now)`: the domain
    /// has no clock, and a back-dated approval would reach into quarters already under way.
    ///
    /// # Errors
    /// [`DomainError::CatalogueVersionOutOfOrder`] when an already scheduled version starts later
    /// than this one would; errors of [`CatalogueVersion::new`].
    pub fn schedule(
        &mut self,
        items: Vec<CatalogueItem>,
        approved_on: NaiveDate,
        calendar: PointsYearConfig,
        note: impl Into<String>,
    ) -> Result<Quarter, DomainError> {
        let effective_from = effective_after_approval(approved_on, calendar);
        let last = self.versions.last();
        if last.is_some_and(|l| l.effective_from > effective_from) {
            return Err(DomainError::CatalogueVersionOutOfOrder);
        }
        let number = last.map_or(1, |l| l.version.saturating_add(1));
        let version = CatalogueVersion::new(number, effective_from, items, note)?;
        self.versions.push(version);
        Ok(effective_from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::default_catalogue;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn q(y: i32, i: u32) -> Quarter {
        Quarter::new(y, i).unwrap()
    }

    #[test]
    fn r7_change_takes_effect_next_quarter_never_mid_quarter() {
        let cal = PointsYearConfig::default();
        let mut c = Catalogue::with_initial(default_catalogue(), q(2025, 1), "v1").unwrap();
        let mut items = default_catalogue();
        items.pop();
        let eff = c
            .schedule(items, day(2025, 5, 20), cal, "去掉一条")
            .unwrap();
        assert_eq!(eff, q(2025, 3));
        assert_eq!(c.in_force(q(2025, 2)).unwrap().version(), 1);
        assert_eq!(c.in_force(q(2025, 3)).unwrap().version(), 2);
        assert_eq!(c.in_force(q(2026, 1)).unwrap().items().len(), 24);
        assert!(c.in_force(q(2024, 4)).is_none());
    }

    #[test]
    fn r7_approval_on_last_day_of_quarter_still_waits() {
        let cal = PointsYearConfig::new(9).unwrap();
        let mut c = Catalogue::with_initial(default_catalogue(), q(2021, 1), "v1").unwrap();
        // Pilot year 2021 starts in September: Q1 = Sep–Nov 2021.
        let eff = c
            .schedule(default_catalogue(), day(2021, 11, 30), cal, "")
            .unwrap();
        assert_eq!(eff, q(2021, 2));
        assert_eq!(cal.quarter_first_day(eff), day(2021, 12, 1));
    }

    #[test]
    fn r7_two_changes_in_one_quarter_the_later_wins() {
        let cal = PointsYearConfig::default();
        let mut c = Catalogue::with_initial(default_catalogue(), q(2025, 1), "v1").unwrap();
        c.schedule(default_catalogue(), day(2025, 2, 1), cal, "a")
            .unwrap();
        c.schedule(default_catalogue(), day(2025, 3, 1), cal, "b")
            .unwrap();
        assert_eq!(c.in_force(q(2025, 2)).unwrap().note(), "b");
        assert_eq!(c.in_force(q(2025, 1)).unwrap().version(), 1);
    }

    #[test]
    fn r7_back_dated_approval_is_refused() {
        let cal = PointsYearConfig::default();
        let mut c = Catalogue::with_initial(default_catalogue(), q(2025, 3), "v1").unwrap();
        assert_eq!(
            c.schedule(default_catalogue(), day(2025, 1, 10), cal, ""),
            Err(DomainError::CatalogueVersionOutOfOrder)
        );
    }

    #[test]
    fn r7_entries_resolve_the_version_they_were_scored_under() {
        let cal = PointsYearConfig::default();
        let mut c = Catalogue::with_initial(default_catalogue(), q(2025, 1), "v1").unwrap();
        let code = ItemCode::parse("ML-08").unwrap();
        let old_ref = c.in_force(q(2025, 1)).unwrap().item_ref(&code);
        let items: Vec<_> = default_catalogue()
            .into_iter()
            .filter(|i| i.code() != &code)
            .collect();
        c.schedule(items, day(2025, 2, 1), cal, "").unwrap();
        assert!(c.item(&old_ref).is_some());
        assert!(c.in_force(q(2025, 2)).unwrap().item(&code).is_none());
    }

    #[test]
    fn duplicate_codes_refused_and_history_round_trips() {
        let mut items = default_catalogue();
        items.push(items[0].clone());
        assert!(matches!(
            CatalogueVersion::new(1, q(2025, 1), items, ""),
            Err(DomainError::DuplicateItemCode { .. })
        ));
        let c = Catalogue::with_initial(default_catalogue(), q(2025, 1), "v1").unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Catalogue>(&json).unwrap(), c);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn r7_history_never_changes_when_a_version_is_added(
                start in 1u32..=12,
                approvals in prop::collection::vec((0i64..2000, 0usize..25), 1..12),
            ) {
                let cal = PointsYearConfig::new(start).unwrap();
                let base = day(2024, 1, 1);
                let first = cal.quarter_of(base);
                let mut c = Catalogue::with_initial(default_catalogue(), first, "v1").unwrap();
                // Every item of every version, as entries would reference it.
                let refs = |c: &Catalogue| -> Vec<(ItemRef, CatalogueItem)> {
                    c.versions().iter().flat_map(|v| {
                        v.items().iter().map(|i| (v.item_ref(i.code()), i.clone()))
                    }).collect()
                };
                for (offset, drop) in approvals {
                    let approved_on = base + chrono::Days::new(offset.unsigned_abs());
                    let before = c.clone();
                    let old_refs = refs(&c);
                    let mut items = default_catalogue();
                    items.remove(drop);
                    match c.schedule(items, approved_on, cal, "change") {
                        Ok(effective) => {
                            prop_assert!(effective > cal.quarter_of(approved_on));
                            prop_assert_eq!(cal.quarter_first_day(effective) > approved_on, true);
                            // Every quarter up to the approval keeps its version in force.
                            let mut q = first;
                            while q < effective {
                                prop_assert_eq!(c.in_force(q), before.in_force(q));
                                q = q.next();
                            }
                            prop_assert_eq!(c.in_force(effective).map(CatalogueVersion::version),
                                Some(before.versions().len() as u32 + 1));
                        }
                        Err(_) => prop_assert_eq!(&c, &before),
                    }
                    // Entries keep resolving to the item they were scored under.
                    for (r, item) in old_refs {
                        prop_assert_eq!(c.item(&r), Some(&item));
                    }
                }
            }
        }
    }
}
