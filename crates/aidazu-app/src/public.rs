//! Public read use cases: what the scheme publishes anyway (villages, the catalogue in force).

use aidazu_domain::calendar::business_date;
use aidazu_domain::catalogue::CatalogueVersion;
use aidazu_domain::ids::VillageId;
use chrono::NaiveDate;

pub use aidazu_store::org::VillageSummary;

use crate::{App, AppError};

/// The catalogue version in force for a village on a business date.
#[derive(Debug, Clone)]
pub struct CatalogueInForce {
    /// The village asked about.
    pub village: VillageSummary,
    /// The business date (Asia/Shanghai) the answer is for.
    pub as_of: NaiveDate,
    /// The version in force on that date.
    pub version: CatalogueVersion,
    /// First day the version applies (the first day of its quarter).
    pub effective_from: NaiveDate,
}

impl App {
    /// All villages, ordered by district, town, name.
    #[tracing::instrument(skip(self))]
    pub async fn villages(&self) -> Result<Vec<VillageSummary>, AppError> {
        Ok(self.store().list_villages().await?)
    }

    /// The catalogue in force today (business date in Asia/Shanghai, R15) for a village.
    #[tracing::instrument(skip(self), fields(village.id = village.0))]
    pub async fn catalogue_in_force(
        &self,
        village: VillageId,
    ) -> Result<CatalogueInForce, AppError> {
        let summary = self
            .store()
            .village(village)
            .await?
            .ok_or(AppError::VillageNotFound(village.0))?;
        let today = business_date(self.clock().now());
        let version = self
            .store()
            .catalogue_in_force(village, today)
            .await?
            .ok_or(AppError::CatalogueNotFound(village.0))?;
        let calendar = self.store().village_calendar(village).await?;
        let effective_from = calendar.quarter_first_day(version.effective_from());
        Ok(CatalogueInForce {
            village: summary,
            as_of: today,
            version,
            effective_from,
        })
    }
}
