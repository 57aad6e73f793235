//! The declaration state machine (R9) with recusal (D6).
//!
//! submitted → in_review → approved | rejected (reason required) | withdrawn (by the member,
//! before a decision). A decision is final and happens once, whichever channel delivers it first;
//! the same decision delivered again (a DingTalk retry, the card after the approval event) is
//! reported as [`DecisionOutcome::AlreadyApplied`] and changes nothing; a conflicting one is
//! refused with [`DomainError::AlreadyDecided`].

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use crate::calendar::{PointsYear, PointsYearConfig, business_date, shanghai_instant};
use serde::{Deserialize, Serialize};

use crate::catalogue::{CatalogueItem, ItemRef};
use crate::channel::Channel;
use crate::error::DomainError;
use crate::ids::{AccountId, DeclarationId, HouseholdId, MemberId, Points};
use crate::ledger::{EntryKind, EntrySource, LedgerEntry};

/// The state name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclarationState {
    Submitted,
    InReview,
    Approved,
    Rejected,
    Withdrawn,
}

impl DeclarationState {
    /// Approved, rejected and withdrawn are final.
    #[must_use]
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Approved | Self::Rejected | Self::Withdrawn)
    }

    /// 已提交 / 审核中 / 已通过 / 已驳回 / 已撤回.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Submitted => "已提交",
            Self::InReview => "审核中",
            Self::Approved => "已通过",
            Self::Rejected => "已驳回",
            Self::Withdrawn => "已撤回",
        }
    }
}

impl fmt::Display for DeclarationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Submitted => "submitted",
            Self::InReview => "in_review",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        })
    }
}

/// The state with what each final state needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReviewStatus {
    Submitted,
    InReview,
    Approved {
        points: Points,
        by: AccountId,
        channel: Channel,
        at: DateTime<Utc>,
    },
    Rejected {
        reason: String,
        by: AccountId,
        channel: Channel,
        at: DateTime<Utc>,
    },
    Withdrawn {
        at: DateTime<Utc>,
    },
}

impl ReviewStatus {
    #[must_use]
    pub const fn state(&self) -> DeclarationState {
        match self {
            Self::Submitted => DeclarationState::Submitted,
            Self::InReview => DeclarationState::InReview,
            Self::Approved { .. } => DeclarationState::Approved,
            Self::Rejected { .. } => DeclarationState::Rejected,
            Self::Withdrawn { .. } => DeclarationState::Withdrawn,
        }
    }
}

/// Who is deciding, with their own household (for recusal, D6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reviewer {
    pub account: AccountId,
    /// The reviewer's own household in this village, if they have one.
    pub household: Option<HouseholdId>,
}

/// Whether a call changed the declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[must_use]
pub enum DecisionOutcome {
    /// The transition happened; record it (ledger entry, notifications).
    Applied,
    /// The same transition had already happened; do nothing more.
    AlreadyApplied,
}

/// A declaration and its review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    pub id: DeclarationId,
    pub household: HouseholdId,
    pub member: MemberId,
    /// Item and the catalogue version in force when declared.
    pub item: ItemRef,
    pub occurred_on: NaiveDate,
    pub text: String,
    /// Content hashes of the photos.
    pub photos: Vec<String>,
    pub submitted_at: DateTime<Utc>,
    status: ReviewStatus,
}

impl Declaration {
    /// A freshly submitted declaration (validate the draft first with
    /// [`super::validate_draft`]).
    #[must_use]
    pub fn submitted(
        id: DeclarationId,
        draft: super::DeclarationDraft,
        item: ItemRef,
        submitted_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            household: draft.household,
            member: draft.member,
            item,
            occurred_on: draft.occurred_on,
            text: draft.text,
            photos: draft.photos,
            submitted_at,
            status: ReviewStatus::Submitted,
        }
    }

    /// Rebuilds a stored declaration in any state.
    #[must_use]
    pub fn with_status(mut self, status: ReviewStatus) -> Self {
        self.status = status;
        self
    }

    #[must_use]
    pub const fn status(&self) -> &ReviewStatus {
        &self.status
    }

    #[must_use]
    pub const fn state(&self) -> DeclarationState {
        self.status.state()
    }

    /// Marks the declaration as being reviewed (the DingTalk approval was opened).
    ///
    /// # Errors
    /// [`DomainError::AlreadyDecided`] once final.
    pub fn start_review(&mut self) -> Result<DecisionOutcome, DomainError> {
        match self.status {
            ReviewStatus::Submitted => {
                self.status = ReviewStatus::InReview;
                Ok(DecisionOutcome::Applied)
            }
            ReviewStatus::InReview => Ok(DecisionOutcome::AlreadyApplied),
            _ => Err(self.already_decided()),
        }
    }

    /// Approves with `points`, which the item's rule must accept; `item` is the catalogue item
    /// of `self.item` (the version declared under).
    ///
    /// # Errors
    /// [`DomainError::RecusalRequired`], [`DomainError::ItemNotFound`] for a different item,
    /// [`DomainError::PointsNotAllowed`], [`DomainError::AlreadyDecided`] after a rejection or
    /// withdrawal.
    pub fn approve(
        &mut self,
        reviewer: Reviewer,
        item: &CatalogueItem,
        points: Points,
        channel: Channel,
        at: DateTime<Utc>,
    ) -> Result<DecisionOutcome, DomainError> {
        self.check_recusal(reviewer)?;
        match self.status {
            ReviewStatus::Approved { .. } => return Ok(DecisionOutcome::AlreadyApplied),
            ReviewStatus::Submitted | ReviewStatus::InReview => {}
            _ => return Err(self.already_decided()),
        }
        if item.code() != &self.item.code {
            return Err(DomainError::ItemNotFound {
                code: self.item.code.clone(),
                version: self.item.version,
            });
        }
        if !item.points().accepts(points) {
            return Err(DomainError::PointsNotAllowed {
                code: self.item.code.clone(),
                points,
            });
        }
        self.status = ReviewStatus::Approved {
            points,
            by: reviewer.account,
            channel,
            at,
        };
        Ok(DecisionOutcome::Applied)
    }

    /// Rejects with a reason.
    ///
    /// # Errors
    /// [`DomainError::RecusalRequired`], [`DomainError::ReasonRequired`],
    /// [`DomainError::AlreadyDecided`] after an approval or withdrawal.
    pub fn reject(
        &mut self,
        reviewer: Reviewer,
        reason: &str,
        channel: Channel,
        at: DateTime<Utc>,
    ) -> Result<DecisionOutcome, DomainError> {
        self.check_recusal(reviewer)?;
        match self.status {
            ReviewStatus::Rejected { .. } => return Ok(DecisionOutcome::AlreadyApplied),
            ReviewStatus::Submitted | ReviewStatus::InReview => {}
            _ => return Err(self.already_decided()),
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DomainError::ReasonRequired);
        }
        self.status = ReviewStatus::Rejected {
            reason: reason.to_owned(),
            by: reviewer.account,
            channel,
            at,
        };
        Ok(DecisionOutcome::Applied)
    }

    /// Withdrawn by the declaring member, before a decision.
    ///
    /// # Errors
    /// [`DomainError::NotDeclarant`], [`DomainError::AlreadyDecided`] once decided.
    pub fn withdraw(
        &mut self,
        by: MemberId,
        at: DateTime<Utc>,
    ) -> Result<DecisionOutcome, DomainError> {
        if by != self.member {
            return Err(DomainError::NotDeclarant);
        }
        match self.status {
            ReviewStatus::Withdrawn { .. } => Ok(DecisionOutcome::AlreadyApplied),
            ReviewStatus::Submitted | ReviewStatus::InReview => {
                self.status = ReviewStatus::Withdrawn { at };
                Ok(DecisionOutcome::Applied)
            }
            _ => Err(self.already_decided()),
        }
    }

    /// The award entry an approved declaration books and the points-year it belongs to; `None`
    /// unless approved. The year follows [`PointsYearConfig::booking_year`] (the deed's year while
    /// open, else the decision's); the entry is dated at the deed (00:00 Shanghai) while its year
    /// is open, else at the decision. `title` is the item's title, shown before the text.
    #[must_use]
    pub fn award_entry(
        &self,
        calendar: PointsYearConfig,
        title: &str,
    ) -> Option<(PointsYear, LedgerEntry)> {
        match &self.status {
            ReviewStatus::Approved { points, by, at, .. } => {
                let decided_on = business_date(*at);
                let year = calendar.booking_year(self.occurred_on, decided_on);
                let occurred_at =
                    if calendar.booking_date(self.occurred_on, decided_on) == self.occurred_on {
                        shanghai_instant(self.occurred_on, NaiveTime::MIN)
                    } else {
                        *at
                    };
                Some((
                    year,
                    LedgerEntry {
                        household: self.household,
                        member: Some(self.member),
                        kind: EntryKind::Award,
                        amount: *points,
                        source: EntrySource::Item(self.item.clone()),
                        declaration: Some(self.id),
                        actor: *by,
                        occurred_at,
                        reason: if title.is_empty() {
                            self.text.clone()
                        } else {
                            format!("{title}：{}", self.text)
                        },
                    },
                ))
            }
            _ => None,
        }
    }

    fn check_recusal(&self, reviewer: Reviewer) -> Result<(), DomainError> {
        if reviewer.household == Some(self.household) {
            Err(DomainError::RecusalRequired)
        } else {
            Ok(())
        }
    }

    fn already_decided(&self) -> DomainError {
        DomainError::AlreadyDecided {
            state: self.state(),
        }
    }
}

#[cfg(test)]
mod tests;
