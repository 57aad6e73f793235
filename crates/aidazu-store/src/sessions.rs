//! Refresh tokens of our own sessions (F1): opaque random tokens stored as SHA-256 hashes,
//! rotated on every use, grouped in families so that a reused (already rotated) token revokes the
//! whole family.

use aidazu_domain::AccountId;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};

use crate::entities::refresh_tokens;
use crate::error::StoreError;

pub use aidazu_ports::sessions::{NewRefreshToken, RefreshTokenRow};

impl From<refresh_tokens::Model> for RefreshTokenRow {
    fn from(m: refresh_tokens::Model) -> Self {
        Self {
            id: m.id,
            account: AccountId(m.account_id),
            family_id: m.family_id,
            channel: m.channel,
            issued_at: m.issued_at,
            expires_at: m.expires_at,
            revoked_at: m.revoked_at,
            replaced_by: m.replaced_by,
        }
    }
}

/// Stores a new refresh token; returns its row id.
///
/// # Errors
/// [`StoreError::Conflict`] on a duplicate hash, [`StoreError::Query`].
pub async fn insert_refresh_token<C: ConnectionTrait>(
    db: &C,
    new: &NewRefreshToken,
) -> Result<i64, StoreError> {
    let inserted = refresh_tokens::Entity::insert(refresh_tokens::ActiveModel {
        id: NotSet,
        account_id: Set(new.account.get()),
        family_id: Set(new.family_id.clone()),
        token_hash: Set(new.token_hash.clone()),
        channel: Set(new.channel.clone()),
        issued_at: Set(new.issued_at),
        expires_at: Set(new.expires_at),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        replaced_by: Set(None),
    })
    .exec(db)
    .await
    .map_err(|err| StoreError::from_write(err, "refresh token"))?;
    Ok(inserted.last_insert_id)
}

/// The token with this hash, or `None`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn refresh_token_by_hash<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
) -> Result<Option<RefreshTokenRow>, StoreError> {
    Ok(refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
        .map(RefreshTokenRow::from))
}

/// Marks `old` as rotated into `new`, only if it is still unrevoked (compare-and-set). Returns
/// `false` when another request rotated or revoked it first.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn mark_rotated<C: ConnectionTrait>(
    db: &C,
    old: i64,
    new: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .col_expr(
            refresh_tokens::Column::RevokedReason,
            Expr::value("rotated"),
        )
        .col_expr(refresh_tokens::Column::ReplacedBy, Expr::value(new))
        .filter(refresh_tokens::Column::Id.eq(old))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Revokes every still-valid token of a family; returns how many.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn revoke_family<C: ConnectionTrait>(
    db: &C,
    family_id: &str,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<u64, StoreError> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .col_expr(refresh_tokens::Column::RevokedReason, Expr::value(reason))
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Revokes every still-valid token of an account (logout everywhere, left the organisation).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn revoke_account<C: ConnectionTrait>(
    db: &C,
    account: AccountId,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<u64, StoreError> {
    let result = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(now))
        .col_expr(refresh_tokens::Column::RevokedReason, Expr::value(reason))
        .filter(refresh_tokens::Column::AccountId.eq(account.get()))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Whether the session (family) still has an unrevoked, unexpired token: access tokens of a
/// logged-out or revoked session stop working at once.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn family_is_live<C: ConnectionTrait>(
    db: &C,
    family_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .filter(refresh_tokens::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .is_some())
}
