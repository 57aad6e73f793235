//! Versioned catalogues (R5–R7): inserting a version with its items, and finding the version in
//! force for a village on a date. Versions never change once written; a change is a new version.

use aidazu_domain::calendar::PointsYearConfig;
use aidazu_domain::catalogue::{
    Cap, CatalogueItem, CatalogueItemSpec, CatalogueVersion, Category, Direction, Evidence,
    PointsRule, Recorders, SubCategory,
};
use aidazu_domain::{AccountId, CatalogueVersionId, DistrictId, ItemCode, Points, VillageId};
use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use crate::entities::{catalogue_items, catalogue_versions, districts};
use crate::error::StoreError;
use crate::org::{calendar_of, village_district};
use crate::store::Store;

pub use aidazu_ports::catalogue::{CatalogueOwner, CatalogueStatus, StoredCatalogueVersion};

impl Store {
    /// Writes a new version with its items in one transaction. Version numbers are unique per
    /// district (shared by the district's versions and its villages' own ones), so an entry's
    /// (item code, version) names exactly one item row. The effective quarter is turned into its
    /// first day with the district's points-year calendar.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the district already has this version number,
    /// [`StoreError::NotFound`] for an unknown owner, [`StoreError::Query`].
    pub async fn insert_catalogue_version(
        &self,
        owner: CatalogueOwner,
        version: &CatalogueVersion,
        status: CatalogueStatus,
        created_by: Option<AccountId>,
    ) -> Result<CatalogueVersionId, StoreError> {
        let txn = self.connection().begin().await?;
        let (district, village) = match owner {
            CatalogueOwner::District(id) => {
                let d = districts::Entity::find_by_id(id.get())
                    .one(&txn)
                    .await?
                    .ok_or_else(|| StoreError::NotFound {
                        entity: "district",
                        key: id.to_string(),
                    })?;
                (d, None)
            }
            CatalogueOwner::Village(id) => (village_district(&txn, id).await?, Some(id)),
        };
        let calendar = calendar_of(&district)?;
        let id = insert_version(
            &txn, &district, village, version, status, created_by, calendar,
        )
        .await?;
        txn.commit().await?;
        Ok(id)
    }

    /// The version in force for `village` on `on`: the village's own approved version with the
    /// latest effective date on or before `on`, else the district's; never a future one (R7).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown village, [`StoreError::Corrupt`] for rows that no
    /// longer validate, [`StoreError::Query`].
    pub async fn catalogue_in_force(
        &self,
        village: VillageId,
        on: NaiveDate,
    ) -> Result<Option<CatalogueVersion>, StoreError> {
        catalogue_in_force(self.connection(), village, on).await
    }

    /// [`Store::catalogue_in_force`] with the row id and owner, which ledger entries refer to.
    ///
    /// # Errors
    /// As [`Store::catalogue_in_force`].
    pub async fn catalogue_in_force_stored(
        &self,
        village: VillageId,
        on: NaiveDate,
    ) -> Result<Option<StoredCatalogueVersion>, StoreError> {
        catalogue_in_force_stored(self.connection(), village, on).await
    }

    /// The number the district's next version (its own or one of its villages') must carry:
    /// one above the highest so far, 1 for none.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn next_catalogue_version_number(
        &self,
        district: DistrictId,
    ) -> Result<u32, StoreError> {
        let highest = catalogue_versions::Entity::find()
            .filter(catalogue_versions::Column::DistrictId.eq(district.get()))
            .order_by_desc(catalogue_versions::Column::Version)
            .one(self.connection())
            .await?
            .map_or(0, |v| v.version);
        u32::try_from(highest)
            .ok()
            .and_then(|n| n.checked_add(1))
            .ok_or_else(|| StoreError::Corrupt(format!("catalogue version number {highest}")))
    }

    /// Every version of a district and of its villages, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    pub async fn catalogue_versions(
        &self,
        district: DistrictId,
    ) -> Result<Vec<StoredCatalogueVersion>, StoreError> {
        let db = self.connection();
        let d = districts::Entity::find_by_id(district.get())
            .one(db)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "district",
                key: district.to_string(),
            })?;
        let calendar = calendar_of(&d)?;
        let rows = catalogue_versions::Entity::find()
            .filter(catalogue_versions::Column::DistrictId.eq(district.get()))
            .order_by_asc(catalogue_versions::Column::Version)
            .all(db)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(load_version(db, row, calendar).await?);
        }
        Ok(out)
    }
}

fn owner_key_district(district: DistrictId) -> String {
    format!("district:{district}")
}

fn owner_key_village(village: VillageId) -> String {
    format!("village:{village}")
}

/// Inserts a version and its items on `db` (a transaction).
pub(crate) async fn insert_version<C: ConnectionTrait>(
    db: &C,
    district: &districts::Model,
    village: Option<VillageId>,
    version: &CatalogueVersion,
    status: CatalogueStatus,
    created_by: Option<AccountId>,
    calendar: PointsYearConfig,
) -> Result<CatalogueVersionId, StoreError> {
    let owner_key = match village {
        Some(v) => owner_key_village(v),
        None => owner_key_district(DistrictId(district.id)),
    };
    let number = i32::try_from(version.version())
        .map_err(|_| StoreError::Invalid(format!("version number {}", version.version())))?;
    let row = catalogue_versions::ActiveModel {
        id: NotSet,
        district_id: Set(district.id),
        village_id: Set(village.map(VillageId::get)),
        owner_key: Set(owner_key),
        version: Set(number),
        effective_from: Set(calendar.quarter_first_day(version.effective_from())),
        status: Set(status.as_str().to_owned()),
        note: Set(Some(version.note().to_owned()).filter(|n| !n.is_empty())),
        created_by: Set(created_by.map(AccountId::get)),
        created_at: Set(crate::stamp::now()),
    };
    let inserted = catalogue_versions::Entity::insert(row)
        .exec(db)
        .await
        .map_err(|err| {
            StoreError::from_write(err, &format!("catalogue version {}", version.version()))
        })?;
    let version_id = inserted.last_insert_id;
    let items: Vec<catalogue_items::ActiveModel> = version
        .items()
        .iter()
        .enumerate()
        .map(|(position, item)| item_row(version_id, position, item))
        .collect::<Result<_, _>>()?;
    if !items.is_empty() {
        catalogue_items::Entity::insert_many(items)
            .exec(db)
            .await
            .map_err(|err| StoreError::from_write(err, "catalogue item"))?;
    }
    Ok(CatalogueVersionId(version_id))
}

fn item_row(
    version_id: i64,
    position: usize,
    item: &CatalogueItem,
) -> Result<catalogue_items::ActiveModel, StoreError> {
    let spec = item.spec();
    let (points_min, points_max, points_suggested) = match spec.points {
        PointsRule::Fixed(p) => (p.get(), p.get(), None),
        PointsRule::Range {
            min,
            max,
            suggested,
        } => (min.get(), max.get(), Some(suggested.get())),
    };
    let (cap_kind, cap_value) = match spec.cap {
        Cap::None => ("none", None),
        Cap::PerQuarter(n) => ("per_quarter", Some(i64::from(n))),
        Cap::PerYear(n) => ("per_year", Some(i64::from(n))),
        Cap::PointsPerQuarter(p) => ("points_per_quarter", Some(p.get())),
    };
    Ok(catalogue_items::ActiveModel {
        id: NotSet,
        version_id: Set(version_id),
        position: Set(i32::try_from(position)
            .map_err(|_| StoreError::Invalid("too many catalogue items".into()))?),
        code: Set(spec.code.to_string()),
        category_code: Set(spec.category.code.clone()),
        category_name: Set(spec.category.name.clone()),
        subcategory: Set(spec.subcategory.as_ref().map(|s| s.code.clone())),
        subcategory_name: Set(spec.subcategory.as_ref().map(|s| s.name.clone())),
        direction: Set(direction_str(spec.direction).to_owned()),
        title: Set(spec.title.clone()),
        description: Set(spec.description.clone()),
        points_min: Set(points_min),
        points_max: Set(points_max),
        points_suggested: Set(points_suggested),
        photo_required: Set(spec.evidence.photo_required),
        evidence_min_photos: Set(i32::from(spec.evidence.min_photos)),
        evidence_text: Set(spec.evidence.description.clone()),
        self_declarable: Set(spec.recorders.self_declared),
        cap_kind: Set(cap_kind.to_owned()),
        cap_value: Set(cap_value),
        recorder: Set(spec.recorders.to_string()),
    })
}

fn direction_str(direction: Direction) -> &'static str {
    match direction {
        Direction::Positive => "positive",
        Direction::Negative => "negative",
    }
}

pub(crate) async fn load_version<C: ConnectionTrait>(
    db: &C,
    row: catalogue_versions::Model,
    calendar: PointsYearConfig,
) -> Result<StoredCatalogueVersion, StoreError> {
    let items = catalogue_items::Entity::find()
        .filter(catalogue_items::Column::VersionId.eq(row.id))
        .order_by_asc(catalogue_items::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(item_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let number = u32::try_from(row.version)
        .map_err(|_| StoreError::Corrupt(format!("catalogue version number {}", row.version)))?;
    let quarter = calendar.quarter_of(row.effective_from);
    let version = CatalogueVersion::new(number, quarter, items, row.note.unwrap_or_default())
        .map_err(|err| StoreError::Corrupt(format!("catalogue version {}: {err}", row.id)))?;
    Ok(StoredCatalogueVersion {
        id: CatalogueVersionId(row.id),
        district: DistrictId(row.district_id),
        village: row.village_id.map(VillageId),
        status: CatalogueStatus::parse(&row.status)?,
        effective_from: row.effective_from,
        version,
    })
}

fn item_from_row(row: catalogue_items::Model) -> Result<CatalogueItem, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("catalogue item {}: {what}", row.id));
    let code = ItemCode::parse(&row.code).map_err(|_| corrupt("code"))?;
    let direction = match row.direction.as_str() {
        "positive" => Direction::Positive,
        "negative" => Direction::Negative,
        _ => return Err(corrupt("direction")),
    };
    let points = match row.points_suggested {
        None if row.points_min == row.points_max => PointsRule::Fixed(Points(row.points_min)),
        None => return Err(corrupt("fixed points with a range")),
        Some(suggested) => PointsRule::Range {
            min: Points(row.points_min),
            max: Points(row.points_max),
            suggested: Points(suggested),
        },
    };
    let count = |v: Option<i64>| {
        v.and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| corrupt("cap value"))
    };
    let cap = match row.cap_kind.as_str() {
        "none" => Cap::None,
        "per_quarter" => Cap::PerQuarter(count(row.cap_value)?),
        "per_year" => Cap::PerYear(count(row.cap_value)?),
        "points_per_quarter" => {
            Cap::PointsPerQuarter(Points(row.cap_value.ok_or_else(|| corrupt("cap value"))?))
        }
        _ => return Err(corrupt("cap kind")),
    };
    let recorders = Recorders::parse(&row.recorder).map_err(|_| corrupt("recorder"))?;
    let subcategory = row.subcategory.map(|code| SubCategory {
        code,
        name: row.subcategory_name.unwrap_or_default(),
    });
    let spec = CatalogueItemSpec {
        code,
        category: Category::new(row.category_code, row.category_name),
        subcategory,
        direction,
        title: row.title,
        description: row.description,
        points,
        evidence: Evidence {
            photo_required: row.photo_required,
            min_photos: u8::try_from(row.evidence_min_photos).map_err(|_| corrupt("min photos"))?,
            description: row.evidence_text,
        },
        recorders,
        cap,
    };
    CatalogueItem::try_from(spec).map_err(|err| corrupt(&err.to_string()))
}

/// A stored version by its row id (e.g. the version a declaration was made under).
///
/// # Errors
/// [`StoreError::NotFound`], [`StoreError::Corrupt`], [`StoreError::Query`].
pub async fn catalogue_version_by_id<C: ConnectionTrait>(
    db: &C,
    id: CatalogueVersionId,
) -> Result<StoredCatalogueVersion, StoreError> {
    let row = catalogue_versions::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "catalogue version",
            key: id.to_string(),
        })?;
    let district = districts::Entity::find_by_id(row.district_id)
        .one(db)
        .await?
        .ok_or_else(|| {
            StoreError::Corrupt(format!("catalogue version {} has no district", row.id))
        })?;
    load_version(db, row, calendar_of(&district)?).await
}

/// The version in force for `village` on `on`: the village's own approved version with the
/// latest effective date on or before `on`, else the district's; never a future one (R7).
///
/// # Errors
/// [`StoreError::NotFound`] for an unknown village, [`StoreError::Corrupt`] for rows that no
/// longer validate, [`StoreError::Query`].
pub async fn catalogue_in_force<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    on: NaiveDate,
) -> Result<Option<CatalogueVersion>, StoreError> {
    Ok(catalogue_in_force_stored(db, village, on)
        .await?
        .map(|stored| stored.version))
}

/// [`Store::catalogue_in_force`] with the row id and owner, which ledger entries refer to.
///
/// # Errors
/// As [`Store::catalogue_in_force`].
pub async fn catalogue_in_force_stored<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    on: NaiveDate,
) -> Result<Option<StoredCatalogueVersion>, StoreError> {
    let district = village_district(db, village).await?;
    let approved = catalogue_versions::Column::Status.eq(CatalogueStatus::Approved.as_str());
    let not_future = catalogue_versions::Column::EffectiveFrom.lte(on);
    let own = catalogue_versions::Entity::find()
        .filter(catalogue_versions::Column::OwnerKey.eq(owner_key_village(village)))
        .filter(approved.clone())
        .filter(not_future.clone())
        .order_by_desc(catalogue_versions::Column::EffectiveFrom)
        .order_by_desc(catalogue_versions::Column::Version)
        .one(db)
        .await?;
    let row = match own {
        Some(row) => Some(row),
        None => {
            catalogue_versions::Entity::find()
                .filter(
                    catalogue_versions::Column::OwnerKey
                        .eq(owner_key_district(DistrictId(district.id))),
                )
                .filter(approved)
                .filter(not_future)
                .order_by_desc(catalogue_versions::Column::EffectiveFrom)
                .order_by_desc(catalogue_versions::Column::Version)
                .one(db)
                .await?
        }
    };
    match row {
        Some(row) => Ok(Some(load_version(db, row, calendar_of(&district)?).await?)),
        None => Ok(None),
    }
}
