//! The storage port's error: what a use case can learn about a failed repository call.

/// A failed repository call. Messages never carry a password or personal data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database failed for a reason the caller cannot fix (connection, query, migration).
    #[error("database failed")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The row the operation needs does not exist.
    #[error("{entity} {key} not found")]
    NotFound { entity: &'static str, key: String },
    /// The write collides with existing data (a unique key, a version number, an append-only row).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The input is not acceptable to the store (e.g. an entry whose source does not fit its kind).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A stored row no longer maps to a valid domain value.
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// Encrypting or decrypting personal data failed (unknown key id, tampered ciphertext).
    #[error("personal data crypto failed: {0}")]
    Crypto(String),
}

impl StoreError {
    /// Whether this is a conflict (unique violation, concurrent writer).
    #[must_use]
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict(_))
    }

    /// Whether this is a missing row.
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }
}
