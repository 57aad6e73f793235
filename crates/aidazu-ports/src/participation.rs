//! Participation changes of households (R3): opt-in and opt-out history.

use crate::AsRepo;

/// The participation repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait ParticipationRepo: Send + Sync {
    /// Every participation change of a household's members, in the order recorded — the
    /// `history` argument of `aidazu_domain::org::household_participates`.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn participation_history(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<aidazu_domain::org::ParticipationChange>, crate::StoreError>;
}

/// Every participation change of a household's members, in the order recorded — the
/// `history` argument of `aidazu_domain::org::household_participates`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn participation_history(
    db: &(impl AsRepo + ?Sized),
    household: aidazu_domain::HouseholdId,
) -> Result<Vec<aidazu_domain::org::ParticipationChange>, crate::StoreError> {
    ParticipationRepo::participation_history(db.repo(), household).await
}
