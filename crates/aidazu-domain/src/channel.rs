//! Where a change came from (R22), recorded with every decision and audit row.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The channel a change arrived through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The DingTalk micro-app on a phone.
    MiniApp,
    /// The PC console.
    Console,
    /// A DingTalk OA approval result event.
    DingTalkApproval,
    /// A DingTalk interactive card button.
    Card,
    /// A scheduled job (publication, year close, reminders).
    Job,
    /// A DingTalk event other than an approval result (contact changes).
    DingTalkEvent,
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MiniApp => "mini_app",
            Self::Console => "console",
            Self::DingTalkApproval => "dingtalk_approval",
            Self::Card => "card",
            Self::Job => "job",
            Self::DingTalkEvent => "dingtalk_event",
        })
    }
}
