//! Public read use cases: what the scheme publishes anyway (villages, the catalogue in force).

use aidazu_domain::calendar::business_date;
use aidazu_domain::catalogue::CatalogueVersion;
use aidazu_domain::ids::VillageId;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use aidazu_ports::org::VillageSummary;

use crate::{App, AppError};

/// The catalogue version in force for a village on a business date.
#[derive(Debug)]
pub struct CatalogueInForce {
    /// The village asked about.
    pub village: VillageSummary,
    /// The business date (Asia/Shanghai) the answer is for.
    pub as_of: NaiveDate,
    /// The version in force on that date.
    pub version: CatalogueVersion,
    /// First day the version applies (the first day of its quarter).
    pub effective_from: NaiveDate,
    /// The API's encoded answer for exactly this value, made once by the first reader.
    pub encoded: std::sync::OnceLock<crate::caches::Encoded>,
}

/// The catalogues in force, per village, for one business date.
///
/// A version never changes once written (R7), and a new one takes effect only at the start of a
/// quarter, never on the day it is written (F6): the answer for (village, date) is fixed, so it
/// is kept until the business date moves on, in each replica, with no invalidation to send. When
/// the date changes the whole map is dropped, so it holds at most one entry per village.
#[derive(Default)]
pub(crate) struct CatalogueCache {
    day: Mutex<CachedDay>,
}

/// The entries of one business date.
#[derive(Default)]
struct CachedDay {
    on: Option<NaiveDate>,
    by_village: HashMap<VillageId, Arc<CatalogueInForce>>,
}

impl CatalogueCache {
    fn get(&self, village: VillageId, on: NaiveDate) -> Option<Arc<CatalogueInForce>> {
        let day = self.day.lock().ok()?;
        (day.on == Some(on))
            .then(|| day.by_village.get(&village).cloned())
            .flatten()
    }

    fn put(&self, village: VillageId, on: NaiveDate, value: Arc<CatalogueInForce>) {
        if let Ok(mut day) = self.day.lock() {
            if day.on != Some(on) {
                *day = CachedDay {
                    on: Some(on),
                    by_village: HashMap::new(),
                };
            }
            day.by_village.insert(village, value);
        }
    }
}

impl App {
    /// All villages, ordered by district, town, name.
    #[tracing::instrument(skip(self))]
    pub async fn villages(&self) -> Result<Vec<VillageSummary>, AppError> {
        Ok(aidazu_ports::org::list_villages(self.store()).await?)
    }

    /// [`App::villages`] from the replica's cache (see [`crate::caches`]: refilled after an
    /// organisation write in this replica, or after `CACHE_TTL`), with its encoded-answer slot.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn village_list(&self) -> Result<Arc<crate::caches::VillageList>, AppError> {
        let epoch = self.store().identity_epoch();
        let now = self.clock().now();
        if let Some(hit) = self.inner.caches.village_list.get(&(), epoch, now) {
            return Ok(hit);
        }
        let list = Arc::new(crate::caches::VillageList {
            villages: self.villages().await?,
            encoded: std::sync::OnceLock::new(),
        });
        self.inner
            .caches
            .village_list
            .put((), list.clone(), epoch, now);
        Ok(list)
    }

    /// The catalogue in force today (business date in Asia/Shanghai, R15) for a village.
    #[tracing::instrument(skip(self), fields(village.id = village.0))]
    pub async fn catalogue_in_force(
        &self,
        village: VillageId,
    ) -> Result<Arc<CatalogueInForce>, AppError> {
        let today = business_date(self.clock().now());
        if let Some(hit) = self.inner.catalogues.get(village, today) {
            return Ok(hit);
        }
        let summary = aidazu_ports::org::village(self.store(), village)
            .await?
            .ok_or(AppError::VillageNotFound(village.0))?;
        let version = aidazu_ports::catalogue::catalogue_in_force(self.store(), village, today)
            .await?
            .ok_or(AppError::CatalogueNotFound(village.0))?;
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let effective_from = calendar.quarter_first_day(version.effective_from());
        let found = Arc::new(CatalogueInForce {
            village: summary,
            as_of: today,
            version,
            effective_from,
            encoded: std::sync::OnceLock::new(),
        });
        self.inner.catalogues.put(village, today, found.clone());
        Ok(found)
    }

    /// A village's summary and calendar, cached per replica between identity writes (see
    /// [`crate::caches`]).
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`], storage errors.
    pub async fn village_card(
        &self,
        village: VillageId,
    ) -> Result<Arc<crate::caches::VillageCard>, AppError> {
        let epoch = self.store().identity_epoch();
        let now = self.clock().now();
        if let Some(hit) = self.inner.caches.villages.get(&village, epoch, now) {
            return Ok(hit);
        }
        let summary = aidazu_ports::org::village(self.store(), village)
            .await?
            .ok_or(AppError::VillageNotFound(village.0))?;
        let calendar = aidazu_ports::org::village_calendar(self.store(), village).await?;
        let card = Arc::new(crate::caches::VillageCard { summary, calendar });
        self.inner
            .caches
            .villages
            .put(village, card.clone(), epoch, now);
        Ok(card)
    }
}
