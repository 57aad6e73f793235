//! Bookkeeping stamps: when a row was written (`created_at`, `updated_at`, `recorded_at`).
//! They are wall-clock by design — they say when the database saw the write — and no rule reads
//! them; business dates and deadlines come from the injected clock through the use cases.

use chrono::{DateTime, Utc};

/// The wall-clock time of a write.
#[must_use]
#[expect(
    clippy::disallowed_methods,
    reason = "the one wall-clock read of the store: bookkeeping stamps only"
)]
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now()
}
