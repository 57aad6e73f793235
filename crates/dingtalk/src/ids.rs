//! Typed identifiers, so a user id cannot be passed where a process instance id is expected.
//! All are transparent on the wire.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a raw id.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The raw id.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Unwraps the raw id.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// A user's id inside the organisation (`userid`, `staffId`).
    UserId
);
string_id!(
    /// A user's cross-organisation union id (`unionid`).
    UnionId
);
string_id!(
    /// An approval template code (`processCode`, `PROC-...`).
    ProcessCode
);
string_id!(
    /// An approval instance id (`processInstanceId` / `instanceId`).
    ProcessInstanceId
);
string_id!(
    /// The caller-chosen unique id of an interactive card (`outTrackId`).
    OutTrackId
);
string_id!(
    /// A group chat id (`openConversationId`, `cid...`).
    OpenConversationId
);
string_id!(
    /// A robot's code (`robotCode`, usually the AppKey).
    RobotCode
);
string_id!(
    /// An uploaded media file (`media_id`).
    MediaId
);

/// A department id (`dept_id`; the root department is 1 in contacts, -1 in approvals).
pub type DeptId = i64;
