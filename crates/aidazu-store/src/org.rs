//! Read models of the organisation tree (R1).

use aidazu_domain::calendar::{CalendarOverrides, PointsYearConfig};
use aidazu_domain::org::{Member, ResidentKind};
use aidazu_domain::{DistrictId, GroupId, HouseholdId, MemberId, TownId, VillageId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::{districts, households, members, towns, villages};
use crate::error::StoreError;
use crate::store::Store;

pub use aidazu_ports::org::{DistrictRef, HouseholdSummary, TownRef, VillageSummary};

impl Store {
    /// The households of a village, ordered by code, with the head's name.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn households(
        &self,
        village: VillageId,
    ) -> Result<Vec<HouseholdSummary>, StoreError> {
        households(self.connection(), village).await
    }

    /// One household by village and code (`heping-01-001`), or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn household_by_code(
        &self,
        village: VillageId,
        code: &str,
    ) -> Result<Option<HouseholdSummary>, StoreError> {
        household_by_code(self.connection(), village, code).await
    }

    /// The members of a household as domain values (no personal data), in insertion order.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    pub async fn household_members(
        &self,
        household: HouseholdId,
    ) -> Result<Vec<Member>, StoreError> {
        household_members(self.connection(), household).await
    }

    /// Every village, ordered by district, town and village code.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn list_villages(&self) -> Result<Vec<VillageSummary>, StoreError> {
        list_villages(self.connection()).await
    }

    /// One village, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn village(&self, id: VillageId) -> Result<Option<VillageSummary>, StoreError> {
        village(self.connection(), id).await
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
        household_village(self.connection(), household).await
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

/// The points-year calendar of the district a village belongs to (R14).
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown village, [`StoreError::Query`].
pub async fn village_calendar<C: ConnectionTrait>(
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

/// A district's own days over the national working-day calendar (issue 12); `None` when the
/// district does not exist.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`] for an unreadable stored value.
pub async fn district_calendar<C: ConnectionTrait>(
    db: &C,
    district: DistrictId,
) -> Result<Option<CalendarOverrides>, StoreError> {
    let Some(row) = districts::Entity::find_by_id(district.get())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    match row.calendar_overrides.as_deref() {
        None | Some("") => Ok(Some(CalendarOverrides::default())),
        Some(text) => serde_json::from_str(text)
            .map(Some)
            .map_err(|_| StoreError::Corrupt(format!("district {}: calendar_overrides", row.id))),
    }
}

/// Stores a district's own days (`NULL` when it has none left).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_district_calendar<C: ConnectionTrait>(
    db: &C,
    district: DistrictId,
    overrides: &CalendarOverrides,
) -> Result<(), StoreError> {
    let value = (overrides != &CalendarOverrides::default())
        .then(|| serde_json::to_string(overrides))
        .transpose()
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    districts::Entity::update_many()
        .col_expr(
            districts::Column::CalendarOverrides,
            sea_orm::sea_query::Expr::value(value),
        )
        .filter(districts::Column::Id.eq(district.get()))
        .exec(db)
        .await?;
    Ok(())
}

/// The households of a village, ordered by code, with the head's name.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn households<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<Vec<HouseholdSummary>, StoreError> {
    let rows = households::Entity::find()
        .filter(households::Column::VillageId.eq(village.get()))
        .order_by_asc(households::Column::Code)
        .all(db)
        .await?;
    let heads = members::Entity::find()
        .filter(members::Column::VillageId.eq(village.get()))
        .order_by_asc(members::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|h| HouseholdSummary {
            head_name: heads
                .iter()
                .find(|m| m.household_id == h.id)
                .map(|m| m.name.clone()),
            id: HouseholdId(h.id),
            village: VillageId(h.village_id),
            group: h.group_id.map(GroupId),
            code: h.code,
            address: h.address,
        })
        .collect())
}

/// One household by village and code (`heping-01-001`), or `None`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn household_by_code<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    code: &str,
) -> Result<Option<HouseholdSummary>, StoreError> {
    let Some(h) = households::Entity::find()
        .filter(households::Column::VillageId.eq(village.get()))
        .filter(households::Column::Code.eq(code))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let head = members::Entity::find()
        .filter(members::Column::HouseholdId.eq(h.id))
        .order_by_asc(members::Column::Id)
        .one(db)
        .await?;
    Ok(Some(HouseholdSummary {
        id: HouseholdId(h.id),
        village: VillageId(h.village_id),
        group: h.group_id.map(GroupId),
        code: h.code,
        address: h.address,
        head_name: head.map(|m| m.name),
    }))
}

/// The members of a household as domain values (no personal data), in insertion order.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn household_members<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
) -> Result<Vec<Member>, StoreError> {
    members::Entity::find()
        .filter(members::Column::HouseholdId.eq(household.get()))
        .order_by_asc(members::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            let kind = match m.kind.as_str() {
                "villager" => ResidentKind::Villager,
                "non_villager" => ResidentKind::NonVillager,
                other => {
                    return Err(StoreError::Corrupt(format!(
                        "member {} kind {other:?}",
                        m.id
                    )));
                }
            };
            Ok(Member {
                id: MemberId(m.id),
                household: HouseholdId(m.household_id),
                name: m.name,
                kind,
                long_term_absent: m.long_term_absent,
                party_member: m.party_member,
            })
        })
        .collect()
}

/// Every village, ordered by district, town and village code.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn list_villages<C: ConnectionTrait>(db: &C) -> Result<Vec<VillageSummary>, StoreError> {
    let districts = districts::Entity::find().all(db).await?;
    let towns = towns::Entity::find().all(db).await?;
    let villages = villages::Entity::find()
        .order_by_asc(villages::Column::Code)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(villages.len());
    for v in villages {
        out.push(summarise(v, &towns, &districts)?);
    }
    out.sort_by(|a, b| {
        (&a.district.code, &a.town.code, &a.code).cmp(&(&b.district.code, &b.town.code, &b.code))
    });
    Ok(out)
}

/// One village, or `None`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn village<C: ConnectionTrait>(
    db: &C,
    id: VillageId,
) -> Result<Option<VillageSummary>, StoreError> {
    village_summary(db, id).await
}

/// The village a household belongs to, or `None` for an unknown household.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn household_village<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
) -> Result<Option<VillageId>, StoreError> {
    Ok(households::Entity::find_by_id(household.get())
        .one(db)
        .await?
        .map(|h| VillageId(h.village_id)))
}
