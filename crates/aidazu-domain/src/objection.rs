//! Objections to a quarterly publication (R17) with the D3 deadlines and recusal (D6).
//!
//! open → upheld (correction entry) | rejected (reason); a rejected objection may be escalated
//! to the town by the objector within the escalation window; the town then upholds or rejects.
//! Periods in calendar days start the day after the event (publication, answer), as Chinese law
//! counts them (民法典 第二百零一条); periods in working days use [`WorkingDays`].

mod policy;

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Quarter;
use crate::declaration::{DecisionOutcome, Reviewer};
use crate::error::DomainError;
use crate::ids::{AccountId, HouseholdId, LedgerEntryId, MemberId, ObjectionId, Points};
use crate::ledger::{EntryKind, EntrySource, LedgerEntry};

use crate::calendar::WorkingDays;
pub use policy::ObjectionPolicy;

/// The state name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionState {
    Open,
    Upheld,
    Rejected,
    Escalated,
    TownUpheld,
    TownRejected,
}

impl ObjectionState {
    /// 待处理 / 已采纳 / 未采纳 / 已上报镇街 / 镇街采纳 / 镇街未采纳.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Open => "待处理",
            Self::Upheld => "已采纳",
            Self::Rejected => "未采纳",
            Self::Escalated => "已上报镇街",
            Self::TownUpheld => "镇街已采纳",
            Self::TownRejected => "镇街未采纳",
        }
    }
}

impl fmt::Display for ObjectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Open => "open",
            Self::Upheld => "upheld",
            Self::Rejected => "rejected",
            Self::Escalated => "escalated",
            Self::TownUpheld => "town_upheld",
            Self::TownRejected => "town_rejected",
        })
    }
}

/// A decision on an objection by the committee or the town.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionDecision {
    pub reason: String,
    pub by: AccountId,
    pub at: DateTime<Utc>,
}

/// The state with what each state needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ObjectionStatus {
    Open,
    Upheld {
        correction: Points,
        decision: ObjectionDecision,
    },
    Rejected {
        decision: ObjectionDecision,
    },
    Escalated {
        committee: ObjectionDecision,
        escalated_on: NaiveDate,
    },
    TownUpheld {
        correction: Points,
        committee: ObjectionDecision,
        decision: ObjectionDecision,
    },
    TownRejected {
        committee: ObjectionDecision,
        decision: ObjectionDecision,
    },
}

impl ObjectionStatus {
    #[must_use]
    pub const fn state(&self) -> ObjectionState {
        match self {
            Self::Open => ObjectionState::Open,
            Self::Upheld { .. } => ObjectionState::Upheld,
            Self::Rejected { .. } => ObjectionState::Rejected,
            Self::Escalated { .. } => ObjectionState::Escalated,
            Self::TownUpheld { .. } => ObjectionState::TownUpheld,
            Self::TownRejected { .. } => ObjectionState::TownRejected,
        }
    }
}

/// What a member files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionDraft {
    /// The publication objected to.
    pub quarter: Quarter,
    pub raised_by: MemberId,
    pub raised_by_household: HouseholdId,
    /// The household whose entries are questioned: the objector's own, or another (a report).
    pub about: HouseholdId,
    /// The questioned entry, if one is named.
    pub entry: Option<LedgerEntryId>,
    pub text: String,
}

/// An objection and its handling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub id: ObjectionId,
    pub quarter: Quarter,
    pub raised_by: MemberId,
    pub raised_by_household: HouseholdId,
    pub about: HouseholdId,
    pub entry: Option<LedgerEntryId>,
    pub text: String,
    pub filed_on: NaiveDate,
    status: ObjectionStatus,
}

impl Objection {
    /// Files an objection while the window of the publication is open.
    ///
    /// # Errors
    /// [`DomainError::ObjectionWindowClosed`] before publication or after the window,
    /// [`DomainError::TextRequired`].
    pub fn file(
        id: ObjectionId,
        draft: ObjectionDraft,
        published_on: NaiveDate,
        today: NaiveDate,
        policy: &ObjectionPolicy,
    ) -> Result<Self, DomainError> {
        if today < published_on || today > policy.window_last_day(published_on) {
            return Err(DomainError::ObjectionWindowClosed);
        }
        if draft.text.trim().is_empty() {
            return Err(DomainError::TextRequired);
        }
        Ok(Self {
            id,
            quarter: draft.quarter,
            raised_by: draft.raised_by,
            raised_by_household: draft.raised_by_household,
            about: draft.about,
            entry: draft.entry,
            text: draft.text,
            filed_on: today,
            status: ObjectionStatus::Open,
        })
    }

    /// Rebuilds a stored objection from its filed draft, filing date and status (storage only:
    /// the rules were checked when it was filed and decided).
    #[must_use]
    pub fn restore(
        id: ObjectionId,
        draft: ObjectionDraft,
        filed_on: NaiveDate,
        status: ObjectionStatus,
    ) -> Self {
        Self {
            id,
            quarter: draft.quarter,
            raised_by: draft.raised_by,
            raised_by_household: draft.raised_by_household,
            about: draft.about,
            entry: draft.entry,
            text: draft.text,
            filed_on,
            status,
        }
    }

    /// Rebuilds a stored objection in any state.
    #[must_use]
    pub fn with_status(mut self, status: ObjectionStatus) -> Self {
        self.status = status;
        self
    }

    #[must_use]
    pub const fn status(&self) -> &ObjectionStatus {
        &self.status
    }

    #[must_use]
    pub const fn state(&self) -> ObjectionState {
        self.status.state()
    }

    /// The committee's answer deadline (D3: 5 working days after filing).
    #[must_use]
    pub fn committee_due(&self, policy: &ObjectionPolicy, working_days: &WorkingDays) -> NaiveDate {
        working_days.add_working_days(self.filed_on, policy.committee_working_days)
    }

    /// The committee upholds: a correction entry of `correction` follows.
    ///
    /// # Errors
    /// [`DomainError::RecusalRequired`], [`DomainError::CorrectionRequired`],
    /// [`DomainError::ReasonRequired`], [`DomainError::ObjectionAlreadyDecided`].
    pub fn uphold(
        &mut self,
        reviewer: Reviewer,
        correction: Points,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<DecisionOutcome, DomainError> {
        self.check_recusal(reviewer)?;
        match self.status {
            ObjectionStatus::Open => {}
            ObjectionStatus::Upheld { .. } => return Ok(DecisionOutcome::AlreadyApplied),
            _ => return Err(self.already_decided()),
        }
        let decision = decision(reviewer, reason, at)?;
        if correction.is_zero() {
            return Err(DomainError::CorrectionRequired);
        }
        self.status = ObjectionStatus::Upheld {
            correction,
            decision,
        };
        Ok(DecisionOutcome::Applied)
    }

    /// The committee rejects, with a reason.
    ///
    /// # Errors
    /// [`DomainError::RecusalRequired`], [`DomainError::ReasonRequired`],
    /// [`DomainError::ObjectionAlreadyDecided`].
    pub fn reject(
        &mut self,
        reviewer: Reviewer,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<DecisionOutcome, DomainError> {
        self.check_recusal(reviewer)?;
        match self.status {
            ObjectionStatus::Open => {}
            ObjectionStatus::Rejected { .. } => return Ok(DecisionOutcome::AlreadyApplied),
            _ => return Err(self.already_decided()),
        }
        let decision = decision(reviewer, reason, at)?;
        self.status = ObjectionStatus::Rejected { decision };
        Ok(DecisionOutcome::Applied)
    }

    /// The objector takes a rejected objection to the town within the escalation window (D3).
    ///
    /// # Errors
    /// [`DomainError::NotObjector`], [`DomainError::ObjectionNotEscalable`] unless rejected by
    /// the committee, [`DomainError::EscalationWindowClosed`].
    pub fn escalate(
        &mut self,
        by: MemberId,
        today: NaiveDate,
        policy: &ObjectionPolicy,
    ) -> Result<DecisionOutcome, DomainError> {
        if by != self.raised_by {
            return Err(DomainError::NotObjector);
        }
        let committee = match &self.status {
            ObjectionStatus::Rejected { decision } => decision.clone(),
            ObjectionStatus::Escalated { .. } => return Ok(DecisionOutcome::AlreadyApplied),
            _ => return Err(DomainError::ObjectionNotEscalable),
        };
        let answered_on = crate::calendar::business_date(committee.at);
        if today > policy.escalation_last_day(answered_on) {
            return Err(DomainError::EscalationWindowClosed);
        }
        self.status = ObjectionStatus::Escalated {
            committee,
            escalated_on: today,
        };
        Ok(DecisionOutcome::Applied)
    }

    /// The town's deadline for an escalated objection (D3: 10 working days).
    #[must_use]
    pub fn town_due(
        &self,
        policy: &ObjectionPolicy,
        working_days: &WorkingDays,
    ) -> Option<NaiveDate> {
        match &self.status {
            ObjectionStatus::Escalated { escalated_on, .. } => {
                Some(working_days.add_working_days(*escalated_on, policy.town_working_days))
            }
            _ => None,
        }
    }

    /// The town decides an escalated objection: `Some(correction)` upholds, `None` rejects.
    ///
    /// # Errors
    /// [`DomainError::RecusalRequired`], [`DomainError::CorrectionRequired`],
    /// [`DomainError::ReasonRequired`], [`DomainError::ObjectionNotEscalable`] unless escalated,
    /// [`DomainError::ObjectionAlreadyDecided`] after a conflicting town decision.
    pub fn town_decide(
        &mut self,
        reviewer: Reviewer,
        correction: Option<Points>,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<DecisionOutcome, DomainError> {
        self.check_recusal(reviewer)?;
        let committee = match (&self.status, correction) {
            (ObjectionStatus::Escalated { committee, .. }, _) => committee.clone(),
            (ObjectionStatus::TownUpheld { .. }, Some(_))
            | (ObjectionStatus::TownRejected { .. }, None) => {
                return Ok(DecisionOutcome::AlreadyApplied);
            }
            (ObjectionStatus::TownUpheld { .. } | ObjectionStatus::TownRejected { .. }, _) => {
                return Err(self.already_decided());
            }
            _ => return Err(DomainError::ObjectionNotEscalable),
        };
        let decision = decision(reviewer, reason, at)?;
        self.status = match correction {
            Some(c) if c.is_zero() => return Err(DomainError::CorrectionRequired),
            Some(correction) => ObjectionStatus::TownUpheld {
                correction,
                committee,
                decision,
            },
            None => ObjectionStatus::TownRejected {
                committee,
                decision,
            },
        };
        Ok(DecisionOutcome::Applied)
    }

    /// The correction entry an upheld objection books on the household it is about (R12);
    /// `member` is the member the corrected entry concerned. `None` unless upheld.
    #[must_use]
    pub fn correction_entry(&self, member: Option<MemberId>) -> Option<LedgerEntry> {
        let (correction, decision) = match &self.status {
            ObjectionStatus::Upheld {
                correction,
                decision,
            }
            | ObjectionStatus::TownUpheld {
                correction,
                decision,
                ..
            } => (*correction, decision),
            _ => return None,
        };
        Some(LedgerEntry {
            household: self.about,
            member,
            kind: EntryKind::Correction,
            amount: correction,
            source: EntrySource::Objection(self.id),
            declaration: None,
            actor: decision.by,
            occurred_at: decision.at,
            reason: decision.reason.clone(),
        })
    }

    /// Nobody decides an objection raised by or about their own household (D6).
    fn check_recusal(&self, reviewer: Reviewer) -> Result<(), DomainError> {
        match reviewer.household {
            Some(h) if h == self.about || h == self.raised_by_household => {
                Err(DomainError::RecusalRequired)
            }
            _ => Ok(()),
        }
    }

    fn already_decided(&self) -> DomainError {
        DomainError::ObjectionAlreadyDecided {
            state: self.state(),
        }
    }
}

fn decision(
    reviewer: Reviewer,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<ObjectionDecision, DomainError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DomainError::ReasonRequired);
    }
    Ok(ObjectionDecision {
        reason: reason.to_owned(),
        by: reviewer.account,
        at,
    })
}

#[cfg(test)]
mod tests;
