//! What the statistics and fairness signals of a village are computed from (issue 12, points 3
//! and 4): plain reads, one query per table, turned into `aidazu_domain::stats::VillageFacts`.
//! The domain does every count and figure.

use aidazu_domain::VillageId;
use aidazu_domain::calendar::PointsYear;
use aidazu_domain::stats::{Period, VillageFacts};

use crate::{AsRepo, StoreError};

/// The stats repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait StatsRepo: Send + Sync {
    /// The facts of `village` for `period`, whose points-year is `year`: members' participation on the
    /// period's last day, the year's entries up to that day, and the declarations, orders and
    /// objections of the period.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`] for a stored value the domain does not know.
    async fn village_facts(
        &self,
        village: VillageId,
        period: &Period,
        year: PointsYear,
    ) -> Result<VillageFacts, StoreError>;
}

/// The facts of `village` for `period`, whose points-year is `year`: members' participation on the
/// period's last day, the year's entries up to that day, and the declarations, orders and
/// objections of the period.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`] for a stored value the domain does not know.
pub async fn village_facts(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    period: &Period,
    year: PointsYear,
) -> Result<VillageFacts, StoreError> {
    StatsRepo::village_facts(db.repo(), village, period, year).await
}
