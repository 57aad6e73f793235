//! Direct scoring by an admin (R10): positive or negative, with a reason and optional photos;
//! a negative entry always names the item, the member and the evidence.

use chrono::{DateTime, Utc};

use crate::catalogue::{CatalogueItem, Direction, ItemRef, MAX_PHOTOS};
use crate::error::DomainError;
use crate::ids::{AccountId, HouseholdId, MemberId, Points};

use super::{EntryKind, EntrySource, LedgerEntry};

/// An admin's direct score, before it becomes a ledger entry.
#[derive(Debug, Clone)]
pub struct DirectScore<'a> {
    pub household: HouseholdId,
    /// The member the behaviour concerns (always named, R2, R10).
    pub member: MemberId,
    /// The item, from the catalogue version in force (`item_ref.version`).
    pub item: &'a CatalogueItem,
    pub item_ref: ItemRef,
    /// Signed like the item (negative for negative items).
    pub points: Points,
    pub reason: String,
    /// Number of photos attached as evidence.
    pub photos: usize,
    pub actor: AccountId,
    /// The actor's own household, for recusal (D6).
    pub actor_household: Option<HouseholdId>,
    pub at: DateTime<Utc>,
}

impl DirectScore<'_> {
    /// The quarterly door-to-door inspection (入户检查): only items the inspection group records
    /// (`G`), each with its evidence rule whatever its direction (photos `min..=9` when the item
    /// requires them), then every rule of [`DirectScore::into_entry`].
    ///
    /// # Errors
    /// [`DomainError::NotAnInspectionItem`], [`DomainError::PhotoCount`], and those of
    /// [`DirectScore::into_entry`].
    pub fn into_inspection_entry(self) -> Result<LedgerEntry, DomainError> {
        if !self.item.recorders().inspection_group {
            return Err(DomainError::NotAnInspectionItem {
                code: self.item.code().clone(),
            });
        }
        let range = self.item.evidence().photo_range();
        if !range.contains(&self.photos) {
            return Err(DomainError::PhotoCount {
                min: *range.start(),
                max: *range.end(),
                got: self.photos,
            });
        }
        self.into_entry()
    }

    /// Checks the score and turns it into an award (positive item) or penalty (negative item).
    ///
    /// # Errors
    /// [`DomainError::RecusalRequired`], [`DomainError::ItemNotFound`] when `item_ref` names
    /// another item, [`DomainError::PointsNotAllowed`], [`DomainError::ReasonRequired`],
    /// [`DomainError::PhotoCount`] (more than 9 photos; for negative items with photo evidence,
    /// fewer than the item requires).
    pub fn into_entry(self) -> Result<LedgerEntry, DomainError> {
        if self.actor_household == Some(self.household) {
            return Err(DomainError::RecusalRequired);
        }
        if self.item.code() != &self.item_ref.code {
            return Err(DomainError::ItemNotFound {
                code: self.item_ref.code.clone(),
                version: self.item_ref.version,
            });
        }
        if !self.item.points().accepts(self.points) {
            return Err(DomainError::PointsNotAllowed {
                code: self.item_ref.code.clone(),
                points: self.points,
            });
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            return Err(DomainError::ReasonRequired);
        }
        let kind = match self.item.direction() {
            Direction::Positive => EntryKind::Award,
            Direction::Negative => EntryKind::Penalty,
        };
        let range = if kind == EntryKind::Penalty {
            self.item.evidence().photo_range()
        } else {
            0..=usize::from(MAX_PHOTOS)
        };
        if !range.contains(&self.photos) {
            return Err(DomainError::PhotoCount {
                min: *range.start(),
                max: *range.end(),
                got: self.photos,
            });
        }
        Ok(LedgerEntry {
            household: self.household,
            member: Some(self.member),
            kind,
            amount: self.points,
            source: EntrySource::Item(self.item_ref),
            declaration: None,
            actor: self.actor,
            occurred_at: self.at,
            reason: reason.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::default_catalogue;
    use crate::ids::ItemCode;

    fn item(code: &str) -> CatalogueItem {
        let code = ItemCode::parse(code).unwrap();
        default_catalogue()
            .into_iter()
            .find(|i| i.code() == &code)
            .unwrap()
    }

    fn score<'a>(item: &'a CatalogueItem, points: i64, photos: usize) -> DirectScore<'a> {
        DirectScore {
            household: HouseholdId(1),
            member: MemberId(10),
            item,
            item_ref: ItemRef {
                code: item.code().clone(),
                version: 2,
            },
            points: Points(points),
            reason: "入户核查".into(),
            photos,
            actor: AccountId(5),
            actor_household: Some(HouseholdId(2)),
            at: "2025-05-01T02:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn r10_negative_item_books_a_penalty_naming_item_member_and_evidence() {
        let ml06 = item("ML-06");
        let e = score(&ml06, -5, 1).into_entry().unwrap();
        assert_eq!(
            (e.kind, e.amount, e.member),
            (EntryKind::Penalty, Points(-5), Some(MemberId(10)))
        );
        assert_eq!(
            e.item().map(|r| (r.code.as_str(), r.version)),
            Some(("ML-06", 2))
        );
        assert_eq!(
            score(&ml06, -5, 0).into_entry().map(|_| ()),
            Err(DomainError::PhotoCount {
                min: 1,
                max: 9,
                got: 0
            })
        );
    }

    #[test]
    fn r10_positive_direct_score_is_an_award_photos_optional() {
        let pa04 = item("PA-04");
        let e = score(&pa04, 5, 0).into_entry().unwrap();
        assert_eq!(e.kind, EntryKind::Award);
        assert!(score(&pa04, 5, 10).into_entry().is_err());
    }

    #[test]
    fn r10_reason_and_allowed_points_required() {
        let de08 = item("DE-08");
        let mut s = score(&de08, -12, 0);
        s.reason = " ".into();
        assert_eq!(s.into_entry().map(|_| ()), Err(DomainError::ReasonRequired));
        assert!(score(&de08, -12, 0).into_entry().is_ok());
        assert!(matches!(
            score(&de08, -16, 0).into_entry(),
            Err(DomainError::PointsNotAllowed { .. })
        ));
        assert!(matches!(
            score(&de08, 5, 0).into_entry(),
            Err(DomainError::PointsNotAllowed { .. })
        ));
    }

    #[test]
    fn d6_admin_does_not_score_their_own_household() {
        let pa04 = item("PA-04");
        let mut s = score(&pa04, 5, 0);
        s.actor_household = Some(HouseholdId(1));
        assert_eq!(
            s.into_entry().map(|_| ()),
            Err(DomainError::RecusalRequired)
        );
    }
}
