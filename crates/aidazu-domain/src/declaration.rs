//! Declarations (线上申报) and their review (R8, R9, D2, D6).

mod review;
mod routing;
mod validation;

pub use review::{DecisionOutcome, Declaration, DeclarationState, ReviewStatus, Reviewer};
pub use routing::{ReviewCandidate, ReviewRoute, ReviewTier, review_route};
pub use validation::{
    DeclarationDraft, DeclarationPolicy, ReviewReminder, validate_draft, validate_draft_in_version,
};
