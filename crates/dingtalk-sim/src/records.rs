//! What the simulator keeps of the business calls it receives: approval forms and instances,
//! interactive cards, work notifications, group messages and media.

mod approval;
mod card;
mod message;

pub use approval::{
    Approval, ApprovalChange, ApprovalError, ApprovalStatus, Decision, Form, FormComponent,
    NewApproval, Node,
};
pub use card::{Card, CardCallbackRoute, OpenSpace, parse_open_space_id};
pub use message::{Group, GroupMessage, Media, WorkNotification};
