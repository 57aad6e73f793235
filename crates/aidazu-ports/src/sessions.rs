//! Refresh tokens of our own sessions (F1): opaque random tokens stored as SHA-256 hashes,
//! rotated on every use, grouped in families so that a reused (already rotated) token revokes the
//! whole family.

use aidazu_domain::AccountId;
use chrono::{DateTime, Utc};

use crate::{AsRepo, StoreError};

/// A refresh token to store (only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefreshToken {
    pub account: AccountId,
    /// Groups a login's successive tokens (a UUID).
    pub family_id: String,
    /// SHA-256 of the token, lowercase hex.
    pub token_hash: String,
    /// `mini_app` or `console`.
    pub channel: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A stored refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRow {
    pub id: i64,
    pub account: AccountId,
    pub family_id: String,
    pub channel: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub replaced_by: Option<i64>,
}

/// The sessions repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait SessionsRepo: Send + Sync {
    /// Stores a new refresh token; returns its row id.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] on a duplicate hash, [`StoreError::Query`].
    async fn insert_refresh_token(&self, new: &NewRefreshToken) -> Result<i64, StoreError>;
    /// The token with this hash, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn refresh_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<RefreshTokenRow>, StoreError>;
    /// Marks `old` as rotated into `new`, only if it is still unrevoked (compare-and-set). Returns
    /// `false` when another request rotated or revoked it first.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn mark_rotated(
        &self,
        old: i64,
        new: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Revokes every still-valid token of a family; returns how many.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn revoke_family(
        &self,
        family_id: &str,
        now: DateTime<Utc>,
        reason: &str,
    ) -> Result<u64, StoreError>;
    /// Revokes every still-valid token of an account (logout everywhere, left the organisation).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn revoke_account(
        &self,
        account: AccountId,
        now: DateTime<Utc>,
        reason: &str,
    ) -> Result<u64, StoreError>;
    /// Whether the session (family) still has an unrevoked, unexpired token: access tokens of a
    /// logged-out or revoked session stop working at once.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn family_is_live(&self, family_id: &str, now: DateTime<Utc>)
    -> Result<bool, StoreError>;
}

/// Stores a new refresh token; returns its row id.
///
/// # Errors
/// [`StoreError::Conflict`] on a duplicate hash, [`StoreError::Query`].
pub async fn insert_refresh_token(
    db: &(impl AsRepo + ?Sized),
    new: &NewRefreshToken,
) -> Result<i64, StoreError> {
    SessionsRepo::insert_refresh_token(db.repo(), new).await
}

/// The token with this hash, or `None`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn refresh_token_by_hash(
    db: &(impl AsRepo + ?Sized),
    token_hash: &str,
) -> Result<Option<RefreshTokenRow>, StoreError> {
    SessionsRepo::refresh_token_by_hash(db.repo(), token_hash).await
}

/// Marks `old` as rotated into `new`, only if it is still unrevoked (compare-and-set). Returns
/// `false` when another request rotated or revoked it first.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn mark_rotated(
    db: &(impl AsRepo + ?Sized),
    old: i64,
    new: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    SessionsRepo::mark_rotated(db.repo(), old, new, now).await
}

/// Revokes every still-valid token of a family; returns how many.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn revoke_family(
    db: &(impl AsRepo + ?Sized),
    family_id: &str,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<u64, StoreError> {
    SessionsRepo::revoke_family(db.repo(), family_id, now, reason).await
}

/// Revokes every still-valid token of an account (logout everywhere, left the organisation).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn revoke_account(
    db: &(impl AsRepo + ?Sized),
    account: AccountId,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<u64, StoreError> {
    SessionsRepo::revoke_account(db.repo(), account, now, reason).await
}

/// Whether the session (family) still has an unrevoked, unexpired token: access tokens of a
/// logged-out or revoked session stop working at once.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn family_is_live(
    db: &(impl AsRepo + ?Sized),
    family_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    SessionsRepo::family_is_live(db.repo(), family_id, now).await
}
