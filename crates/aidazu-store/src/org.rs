//! Read models of the organisation tree (R1).

use aidazu_domain::calendar::PointsYearConfig;
use aidazu_domain::org::VillageLocation;
use aidazu_domain::{DistrictId, HouseholdId, TownId, VillageId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use crate::entities::{districts, households, towns, villages};
use crate::error::StoreError;
use crate::store::Store;

/// A town as shown beside a village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TownRef {
    pub id: TownId,
    pub code: String,
    pub name: String,
}

/// A district as shown beside a village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistrictRef {
    pub id: DistrictId,
    pub code: String,
    pub name: String,
}

/// A village with the town and district it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageSummary {
    pub id: VillageId,
    pub code: String,
    pub name: String,
    pub town: TownRef,
    pub district: DistrictRef,
}

impl VillageSummary {
    /// Where the village sits, for access checks (`aidazu_domain::org::Access`).
    #[must_use]
    pub fn location(&self) -> VillageLocation {
        VillageLocation {
            district: self.district.id,
            town: self.town.id,
            village: self.id,
        }
    }
}

impl Store {
    /// Every village, ordered by district, town and village code.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn list_villages(&self) -> Result<Vec<VillageSummary>, StoreError> {
        let districts = districts::Entity::find().all(self.connection()).await?;
        let towns = towns::Entity::find().all(self.connection()).await?;
        let villages = villages::Entity::find()
            .order_by_asc(villages::Column::Code)
            .all(self.connection())
            .await?;
        let mut out = Vec::with_capacity(villages.len());
        for v in villages {
            out.push(summarise(v, &towns, &districts)?);
        }
        out.sort_by(|a, b| {
            (&a.district.code, &a.town.code, &a.code).cmp(&(
                &b.district.code,
                &b.town.code,
                &b.code,
            ))
        });
        Ok(out)
    }

    /// One village, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn village(&self, id: VillageId) -> Result<Option<VillageSummary>, StoreError> {
        village_summary(self.connection(), id).await
    }

    /// One village by its code (`heping`), or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn village_by_code(&self, code: &str) -> Result<Option<VillageSummary>, StoreError> {
        let Some(v) = villages::Entity::find()
            .filter(villages::Column::Code.eq(code))
            .one(self.connection())
            .await?
        else {
            return Ok(None);
        };
        village_summary(self.connection(), VillageId(v.id)).await
    }

    /// The village a household belongs to, or `None` for an unknown household.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn household_village(
        &self,
        household: HouseholdId,
    ) -> Result<Option<VillageId>, StoreError> {
        Ok(households::Entity::find_by_id(household.get())
            .one(self.connection())
            .await?
            .map(|h| VillageId(h.village_id)))
    }

    /// The points-year calendar of the district a village belongs to (R14).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown village, [`StoreError::Query`].
    pub async fn village_calendar(
        &self,
        village: VillageId,
    ) -> Result<PointsYearConfig, StoreError> {
        village_calendar(self.connection(), village).await
    }
}

pub(crate) async fn village_summary<C: ConnectionTrait>(
    db: &C,
    id: VillageId,
) -> Result<Option<VillageSummary>, StoreError> {
    let Some(v) = villages::Entity::find_by_id(id.get()).one(db).await? else {
        return Ok(None);
    };
    let town = towns::Entity::find_by_id(v.town_id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("village {} has no town", v.id)))?;
    let district = districts::Entity::find_by_id(town.district_id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("town {} has no district", town.id)))?;
    summarise(v, &[town], &[district]).map(Some)
}

/// The district row a village belongs to.
pub(crate) async fn village_district<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<districts::Model, StoreError> {
    let v = villages::Entity::find_by_id(village.get())
        .one(db)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "village",
            key: village.to_string(),
        })?;
    let town = towns::Entity::find_by_id(v.town_id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("village {} has no town", v.id)))?;
    districts::Entity::find_by_id(town.district_id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("town {} has no district", town.id)))
}

pub(crate) fn calendar_of(district: &districts::Model) -> Result<PointsYearConfig, StoreError> {
    u32::try_from(district.points_year_start_month)
        .ok()
        .and_then(|m| PointsYearConfig::new(m).ok())
        .ok_or_else(|| {
            StoreError::Corrupt(format!(
                "district {} has points-year start month {}",
                district.id, district.points_year_start_month
            ))
        })
}

pub(crate) async fn village_calendar<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<PointsYearConfig, StoreError> {
    calendar_of(&village_district(db, village).await?)
}

fn summarise(
    v: villages::Model,
    towns: &[towns::Model],
    districts: &[districts::Model],
) -> Result<VillageSummary, StoreError> {
    let town = towns
        .iter()
        .find(|t| t.id == v.town_id)
        .ok_or_else(|| StoreError::Corrupt(format!("village {} has no town", v.id)))?;
    let district = districts
        .iter()
        .find(|d| d.id == town.district_id)
        .ok_or_else(|| StoreError::Corrupt(format!("town {} has no district", town.id)))?;
    Ok(VillageSummary {
        id: VillageId(v.id),
        code: v.code,
        name: v.name,
        town: TownRef {
            id: TownId(town.id),
            code: town.code.clone(),
            name: town.name.clone(),
        },
        district: DistrictRef {
            id: DistrictId(district.id),
            code: district.code.clone(),
            name: district.name.clone(),
        },
    })
}
