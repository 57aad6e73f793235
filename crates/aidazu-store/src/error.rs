//! The store's error type.

use sea_orm::{DbErr, SqlErr};

/// Everything the store can fail with. Messages never carry a password or personal data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened; `url_redacted` has any password replaced by `***`.
    #[error("cannot connect to {url_redacted}")]
    Connect {
        url_redacted: String,
        #[source]
        source: DbErr,
    },
    /// The URL names no database the store supports.
    #[error("unsupported database URL {url_redacted} (expected sqlite: or postgres:)")]
    UnsupportedUrl { url_redacted: String },
    /// Applying or listing migrations failed.
    #[error("migration failed")]
    Migration(#[source] DbErr),
    /// A query failed for a reason the caller cannot fix.
    #[error("database query failed")]
    Query(#[source] DbErr),
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
    /// The demo organisation file could not be read.
    #[error("invalid demo organisation: {0}")]
    DemoData(String),
}

impl StoreError {
    /// Maps a query error: unique violations become [`StoreError::Conflict`] naming `what`, the
    /// rest [`StoreError::Query`].
    pub(crate) fn from_write(err: DbErr, what: &str) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Self::Conflict(format!("{what} already exists"))
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                Self::Invalid(format!("{what} refers to a missing row"))
            }
            _ => Self::Query(err),
        }
    }

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

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        Self::Query(err)
    }
}

/// Replaces the password of `scheme://user:password@host/…` with `***`.
#[must_use]
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &url[authority_start..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:***{}",
        &url[..authority_start],
        &userinfo[..colon],
        &rest[at..]
    )
}

impl From<StoreError> for aidazu_ports::StoreError {
    fn from(err: StoreError) -> Self {
        use aidazu_ports::StoreError as P;
        match err {
            StoreError::NotFound { entity, key } => P::NotFound { entity, key },
            StoreError::Conflict(m) => P::Conflict(m),
            StoreError::Invalid(m) => P::Invalid(m),
            StoreError::Corrupt(m) => P::Corrupt(m),
            StoreError::Crypto(m) => P::Crypto(m),
            other => P::Database(Box::new(other)),
        }
    }
}

impl From<aidazu_ports::StoreError> for StoreError {
    fn from(err: aidazu_ports::StoreError) -> Self {
        use aidazu_ports::StoreError as P;
        match err {
            P::NotFound { entity, key } => StoreError::NotFound { entity, key },
            P::Conflict(m) => StoreError::Conflict(m),
            P::Invalid(m) => StoreError::Invalid(m),
            P::Corrupt(m) => StoreError::Corrupt(m),
            P::Crypto(m) => StoreError::Crypto(m),
            other => StoreError::Corrupt(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_survive_redaction() {
        assert_eq!(
            redact_url("postgres://app:s3cr%40t@db.example:5432/aidazu?sslmode=require"),
            "postgres://app:***@db.example:5432/aidazu?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/test"
        );
        assert_eq!(
            redact_url("sqlite://data/aidazu.db?mode=rwc"),
            "sqlite://data/aidazu.db?mode=rwc"
        );
        assert_eq!(redact_url("postgres://u:p@h"), "postgres://u:***@h");
    }
}
