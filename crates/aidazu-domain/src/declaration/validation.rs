//! Checks on a new declaration before it is stored (R8).

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{PointsYearConfig, business_date};
use crate::catalogue::{Catalogue, CatalogueItem, CatalogueVersion, Direction, ItemRef};
use crate::error::DomainError;
use crate::ids::{HouseholdId, ItemCode, MemberId};

/// Per-district settings for declarations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationPolicy {
    /// How many days back a deed may be declared (R8; default 30).
    pub window_days: u32,
    /// Days the admins have to review (D2; default 7).
    pub review_days: u32,
    /// Longest description, in characters (default 500).
    pub max_text_chars: u32,
    /// Days after which the reviewers are reminded (D2; default 5).
    pub remind_days: u32,
}

/// A reminder a declaration still in review is due for (D2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReminder {
    /// Day 5: remind the reviewers.
    RemindReviewers,
    /// Day 7 (the deadline): escalate to the town.
    EscalateToTown,
}

impl ReviewReminder {
    /// A stable key for the reminder (`d5`, `d7`), for exactly-once sending.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::RemindReviewers => "remind",
            Self::EscalateToTown => "escalate",
        }
    }
}

impl Default for DeclarationPolicy {
    fn default() -> Self {
        Self {
            window_days: 30,
            review_days: 7,
            max_text_chars: 500,
            remind_days: 5,
        }
    }
}

impl DeclarationPolicy {
    /// The reminders due by `today` for a declaration submitted at `submitted_at` and still in
    /// review (D2): the reviewers from day `remind_days`, the town from the deadline on.
    #[must_use]
    pub fn reminders_due(
        &self,
        submitted_at: DateTime<Utc>,
        today: NaiveDate,
    ) -> Vec<ReviewReminder> {
        let day = business_date(submitted_at);
        let waited = today.signed_duration_since(day).num_days();
        let mut due = Vec::new();
        if waited >= i64::from(self.remind_days) {
            due.push(ReviewReminder::RemindReviewers);
        }
        if today >= self.review_deadline(submitted_at) {
            due.push(ReviewReminder::EscalateToTown);
        }
        due
    }

    /// The review deadline (D2): `review_days` after the submission's business date.
    #[must_use]
    pub fn review_deadline(&self, submitted_at: DateTime<Utc>) -> NaiveDate {
        let day = business_date(submitted_at);
        day.checked_add_days(Days::new(u64::from(self.review_days)))
            .unwrap_or(day)
    }
}

/// What a member submits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationDraft {
    pub household: HouseholdId,
    pub member: MemberId,
    pub item: ItemCode,
    pub occurred_on: NaiveDate,
    pub text: String,
    /// Content hashes of the uploaded photos.
    pub photos: Vec<String>,
}

/// Checks a draft against the catalogue in force today (R8): the item exists, is positive and
/// self-declarable; the deed happened today or earlier, in the current points-year and within
/// the window; there is a text; the photo count fits the item's evidence (1–9 when required).
/// Returns the item and the reference (code + version) the declaration is made under.
///
/// Caps ([`crate::ledger::check_cap`]), participation ([`crate::org::household_participates`])
/// and photo reuse (R11) need data beyond the draft and are checked by the caller.
///
/// # Errors
/// The first rule the draft breaks.
pub fn validate_draft<'c>(
    draft: &DeclarationDraft,
    catalogue: &'c Catalogue,
    calendar: PointsYearConfig,
    policy: &DeclarationPolicy,
    today: NaiveDate,
) -> Result<(&'c CatalogueItem, ItemRef), DomainError> {
    let version = catalogue.require_in_force(calendar.quarter_of(today))?;
    let item = validate_draft_in_version(draft, version, calendar, policy, today)?;
    Ok((item, version.item_ref(&draft.item)))
}

/// [`validate_draft`] against the version the caller already knows to be in force today (e.g.
/// loaded from storage), returning the item.
///
/// # Errors
/// As [`validate_draft`], except the catalogue-in-force lookup.
pub fn validate_draft_in_version<'c>(
    draft: &DeclarationDraft,
    version: &'c CatalogueVersion,
    calendar: PointsYearConfig,
    policy: &DeclarationPolicy,
    today: NaiveDate,
) -> Result<&'c CatalogueItem, DomainError> {
    let item = version.require_item(&draft.item)?;
    if item.direction() == Direction::Negative {
        return Err(DomainError::NegativeItemDeclared {
            code: draft.item.clone(),
        });
    }
    if !item.self_declarable() {
        return Err(DomainError::ItemNotSelfDeclarable {
            code: draft.item.clone(),
        });
    }
    if draft.occurred_on > today {
        return Err(DomainError::OccurredInFuture);
    }
    if calendar.points_year_of(draft.occurred_on) != calendar.points_year_of(today) {
        return Err(DomainError::OutsidePointsYear);
    }
    let age = today.signed_duration_since(draft.occurred_on).num_days();
    if age > i64::from(policy.window_days) {
        return Err(DomainError::DeclarationTooOld {
            window_days: policy.window_days,
        });
    }
    if draft.text.trim().is_empty() {
        return Err(DomainError::TextRequired);
    }
    if draft.text.chars().count() > policy.max_text_chars as usize {
        return Err(DomainError::TextTooLong {
            max: policy.max_text_chars,
        });
    }
    let range = item.evidence().photo_range();
    if !range.contains(&draft.photos.len()) {
        return Err(DomainError::PhotoCount {
            min: *range.start(),
            max: *range.end(),
            got: draft.photos.len(),
        });
    }
    Ok(item)
}

#[cfg(test)]
mod tests;
