//! Objection deadlines (D3), configurable per district.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// Objection periods (D3 defaults: 7 calendar days, 5 working days, 3 days, 10 working days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionPolicy {
    /// Calendar days the window stays open after the publication day.
    pub window_days: u32,
    /// Working days the committee has to answer.
    pub committee_working_days: u32,
    /// Calendar days after the committee's answer to escalate to the town.
    pub escalation_days: u32,
    /// Working days the town has to decide.
    pub town_working_days: u32,
}

impl Default for ObjectionPolicy {
    fn default() -> Self {
        Self {
            window_days: 7,
            committee_working_days: 5,
            escalation_days: 3,
            town_working_days: 10,
        }
    }
}

impl ObjectionPolicy {
    /// The last day objections are accepted: `window_days` after the publication day.
    #[must_use]
    pub fn window_last_day(&self, published_on: NaiveDate) -> NaiveDate {
        published_on
            .checked_add_days(Days::new(u64::from(self.window_days)))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The last day a rejected objection may be escalated: `escalation_days` after the answer.
    #[must_use]
    pub fn escalation_last_day(&self, answered_on: NaiveDate) -> NaiveDate {
        answered_on
            .checked_add_days(Days::new(u64::from(self.escalation_days)))
            .unwrap_or(NaiveDate::MAX)
    }
}
