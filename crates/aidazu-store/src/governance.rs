//! Governance storage (R7, F6, R1): catalogue change requests, the district's bounds, the
//! latest catalogue of an owner, group inspections, and adding districts, towns, villages and
//! groups.

use aidazu_domain::catalogue::{CatalogueBounds, CatalogueItem, CatalogueVersion, ItemChange};
use aidazu_domain::{
    AccountId, CatalogueVersionId, DistrictId, GroupId, Points, TownId, VillageId,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PrimaryKeyTrait, QueryFilter,
    QueryOrder,
    sea_query::{Expr, OnConflict},
};
use serde::Serialize;

use crate::catalogue::{CatalogueStatus, StoredCatalogueVersion, insert_version, load_version};
use crate::entities::{
    catalogue_changes, catalogue_versions, district_notice_groups, districts, inspections, towns,
    village_groups, villages,
};
use crate::error::StoreError;
use crate::org::calendar_of;

pub use aidazu_ports::governance::{
    ChangeDecision, ChangeStatus, DistrictNoticeGroup, GroupRow, NewCatalogueChange, NewDistrict,
    NewInspection, OrgNode, OrgTree, StoredCatalogueChange,
};

fn json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid(format!("json: {e}")))
}

/// Writes a draft change request.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn insert_change<C: ConnectionTrait>(
    db: &C,
    new: &NewCatalogueChange,
) -> Result<i64, StoreError> {
    let row = catalogue_changes::ActiveModel {
        id: NotSet,
        district_id: Set(new.district.get()),
        village_id: Set(new.village.map(VillageId::get)),
        status: Set(ChangeStatus::Draft.as_str().to_owned()),
        reason: Set(new.reason.clone()),
        changes: Set(json(&new.changes)?),
        items: Set(json(&new.items)?),
        base_version: Set(i32::try_from(new.base_version)
            .map_err(|_| StoreError::Invalid("version number".into()))?),
        process_instance_id: Set(None),
        decision_reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        effective_from: Set(None),
        version_id: Set(None),
        created_by: Set(new.created_by.get()),
        created_at: Set(new.created_at),
        submitted_at: Set(None),
    };
    Ok(catalogue_changes::Entity::insert(row)
        .exec(db)
        .await?
        .last_insert_id)
}

async fn read<C: ConnectionTrait>(
    db: &C,
    row: catalogue_changes::Model,
) -> Result<StoredCatalogueChange, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("catalogue change {}: {what}", row.id));
    let changes: Vec<ItemChange> =
        serde_json::from_str(&row.changes).map_err(|_| corrupt("changes"))?;
    let items: Vec<CatalogueItem> =
        serde_json::from_str(&row.items).map_err(|_| corrupt("items"))?;
    let status = ChangeStatus::parse(&row.status)?;
    let current_base_version = match status {
        ChangeStatus::Draft | ChangeStatus::Submitted => {
            current_base_version(
                db,
                DistrictId(row.district_id),
                row.village_id.map(VillageId),
            )
            .await?
        }
        _ => None,
    };
    let version_number = match row.version_id {
        Some(id) => catalogue_versions::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|v| u32::try_from(v.version).ok()),
        None => None,
    };
    Ok(StoredCatalogueChange {
        id: row.id,
        district: DistrictId(row.district_id),
        village: row.village_id.map(VillageId),
        status,
        reason: row.reason,
        changes,
        items,
        base_version: u32::try_from(row.base_version).map_err(|_| corrupt("base version"))?,
        process_instance_id: row.process_instance_id,
        decision_reason: row.decision_reason,
        decided_by: row.decided_by.map(AccountId),
        decided_at: row.decided_at,
        effective_from: row.effective_from,
        version_id: row.version_id.map(CatalogueVersionId),
        version_number,
        created_by: AccountId(row.created_by),
        created_at: row.created_at,
        submitted_at: row.submitted_at,
        current_base_version,
    })
}

fn owner_key(district: DistrictId, village: Option<VillageId>) -> String {
    match village {
        Some(v) => format!("village:{v}"),
        None => format!("district:{district}"),
    }
}

async fn newest_approved_number<C: ConnectionTrait>(
    db: &C,
    owner: String,
) -> Result<Option<u32>, StoreError> {
    catalogue_versions::Entity::find()
        .filter(catalogue_versions::Column::OwnerKey.eq(owner))
        .filter(catalogue_versions::Column::Status.eq("approved"))
        .order_by_desc(catalogue_versions::Column::Version)
        .one(db)
        .await?
        .map(|v| {
            u32::try_from(v.version)
                .map_err(|_| StoreError::Corrupt(format!("catalogue version number {}", v.version)))
        })
        .transpose()
}

/// R7: the version number a change request of the district's template (`village: None`) or of a
/// village is drafted on now: the village's newest approved version (scheduled ones included),
/// else the template's.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn current_base_version<C: ConnectionTrait>(
    db: &C,
    district: DistrictId,
    village: Option<VillageId>,
) -> Result<Option<u32>, StoreError> {
    if village.is_some()
        && let Some(own) = newest_approved_number(db, owner_key(district, village)).await?
    {
        return Ok(Some(own));
    }
    newest_approved_number(db, owner_key(district, None)).await
}

/// One change request.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn change<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<StoredCatalogueChange>, StoreError> {
    match catalogue_changes::Entity::find_by_id(id).one(db).await? {
        Some(row) => Ok(Some(read(db, row).await?)),
        None => Ok(None),
    }
}

/// The change request whose DingTalk approval is `instance`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn change_by_process_instance<C: ConnectionTrait>(
    db: &C,
    instance: &str,
) -> Result<Option<StoredCatalogueChange>, StoreError> {
    match catalogue_changes::Entity::find()
        .filter(catalogue_changes::Column::ProcessInstanceId.eq(instance))
        .one(db)
        .await?
    {
        Some(row) => Ok(Some(read(db, row).await?)),
        None => Ok(None),
    }
}

/// Submitted change requests with a DingTalk approval, submitted at or before `by` (the
/// reconciler re-checks their instances), oldest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn submitted_with_approval_by<C: ConnectionTrait>(
    db: &C,
    by: DateTime<Utc>,
) -> Result<Vec<StoredCatalogueChange>, StoreError> {
    let rows = catalogue_changes::Entity::find()
        .filter(catalogue_changes::Column::Status.eq(ChangeStatus::Submitted.as_str()))
        .filter(catalogue_changes::Column::ProcessInstanceId.is_not_null())
        .filter(catalogue_changes::Column::SubmittedAt.lte(by))
        .order_by_asc(catalogue_changes::Column::Id)
        .all(db)
        .await?;
    read_all(db, rows).await
}

async fn read_all<C: ConnectionTrait>(
    db: &C,
    rows: Vec<catalogue_changes::Model>,
) -> Result<Vec<StoredCatalogueChange>, StoreError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(read(db, row).await?);
    }
    Ok(out)
}

/// Change requests of a village (`Some`) or of a district's template and all its villages
/// (`None`), newest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn changes<C: ConnectionTrait>(
    db: &C,
    district: DistrictId,
    village: Option<VillageId>,
) -> Result<Vec<StoredCatalogueChange>, StoreError> {
    let mut query = catalogue_changes::Entity::find()
        .filter(catalogue_changes::Column::DistrictId.eq(district.get()));
    if let Some(v) = village {
        query = query.filter(catalogue_changes::Column::VillageId.eq(v.get()));
    }
    let rows = query
        .order_by_desc(catalogue_changes::Column::Id)
        .all(db)
        .await?;
    read_all(db, rows).await
}

/// Moves a draft to `submitted`. Returns false when it was not a draft any more.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn mark_submitted<C: ConnectionTrait>(
    db: &C,
    id: i64,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = catalogue_changes::Entity::update_many()
        .col_expr(
            catalogue_changes::Column::Status,
            Expr::value(ChangeStatus::Submitted.as_str()),
        )
        .col_expr(catalogue_changes::Column::SubmittedAt, Expr::value(at))
        .filter(catalogue_changes::Column::Id.eq(id))
        .filter(catalogue_changes::Column::Status.eq(ChangeStatus::Draft.as_str()))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Remembers the DingTalk approval of a request.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_process_instance_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
    instance: &str,
) -> Result<(), StoreError> {
    catalogue_changes::Entity::update_many()
        .col_expr(
            catalogue_changes::Column::ProcessInstanceId,
            Expr::value(instance),
        )
        .filter(catalogue_changes::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records the decision of a submitted request, once: returns false when it was not
/// `submitted` any more (decided elsewhere first).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn mark_decided<C: ConnectionTrait>(
    db: &C,
    id: i64,
    decision: &ChangeDecision,
) -> Result<bool, StoreError> {
    let done = catalogue_changes::Entity::update_many()
        .col_expr(
            catalogue_changes::Column::Status,
            Expr::value(decision.status.as_str()),
        )
        .col_expr(
            catalogue_changes::Column::DecisionReason,
            Expr::value(decision.reason.clone()),
        )
        .col_expr(
            catalogue_changes::Column::DecidedBy,
            Expr::value(decision.decided_by.get()),
        )
        .col_expr(
            catalogue_changes::Column::DecidedAt,
            Expr::value(decision.decided_at),
        )
        .col_expr(
            catalogue_changes::Column::EffectiveFrom,
            Expr::value(decision.effective_from),
        )
        .col_expr(
            catalogue_changes::Column::VersionId,
            Expr::value(decision.version_id.map(CatalogueVersionId::get)),
        )
        .filter(catalogue_changes::Column::Id.eq(id))
        .filter(catalogue_changes::Column::Status.eq(ChangeStatus::Submitted.as_str()))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The district's bounds on catalogue values.
///
/// # Errors
/// [`StoreError::NotFound`], [`StoreError::Query`].
pub async fn district_bounds<C: ConnectionTrait>(
    db: &C,
    district: DistrictId,
) -> Result<CatalogueBounds, StoreError> {
    let d = district_row(db, district).await?;
    Ok(CatalogueBounds {
        max_item_points: Points(i64::from(d.max_item_points)),
    })
}

async fn district_row<C: ConnectionTrait>(
    db: &C,
    district: DistrictId,
) -> Result<districts::Model, StoreError> {
    districts::Entity::find_by_id(district.get())
        .one(db)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "district",
            key: district.to_string(),
        })
}

/// The newest approved version of the district's template (`village: None`) or of a village's
/// own catalogue, scheduled ones included; a village without its own gets `None`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn latest_version<C: ConnectionTrait>(
    db: &C,
    district: DistrictId,
    village: Option<VillageId>,
) -> Result<Option<StoredCatalogueVersion>, StoreError> {
    let d = district_row(db, district).await?;
    let row = catalogue_versions::Entity::find()
        .filter(catalogue_versions::Column::OwnerKey.eq(owner_key(district, village)))
        .filter(catalogue_versions::Column::Status.eq("approved"))
        .order_by_desc(catalogue_versions::Column::Version)
        .one(db)
        .await?;
    match row {
        Some(row) => Ok(Some(load_version(db, row, calendar_of(&d)?).await?)),
        None => Ok(None),
    }
}

/// The number the district's next version must carry (see
/// [`crate::Store::next_catalogue_version_number`]), on `db` (a transaction).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn next_version_number<C: ConnectionTrait>(
    db: &C,
    district: DistrictId,
) -> Result<u32, StoreError> {
    let highest = catalogue_versions::Entity::find()
        .filter(catalogue_versions::Column::DistrictId.eq(district.get()))
        .order_by_desc(catalogue_versions::Column::Version)
        .one(db)
        .await?
        .map_or(0, |v| v.version);
    u32::try_from(highest)
        .ok()
        .and_then(|n| n.checked_add(1))
        .ok_or_else(|| StoreError::Corrupt(format!("catalogue version number {highest}")))
}

/// Writes an approved version of the district template (`village: None`) or of a village, on
/// `db` (a transaction).
///
/// # Errors
/// [`StoreError::Conflict`] (version number taken), [`StoreError::Query`].
pub async fn insert_approved_version<C: ConnectionTrait>(
    db: &C,
    district: DistrictId,
    village: Option<VillageId>,
    version: &CatalogueVersion,
    created_by: AccountId,
) -> Result<CatalogueVersionId, StoreError> {
    let d = district_row(db, district).await?;
    let calendar = calendar_of(&d)?;
    insert_version(
        db,
        &d,
        village,
        version,
        CatalogueStatus::Approved,
        Some(created_by),
        calendar,
    )
    .await
}

/// Records an inspection. [`StoreError::Conflict`] when the group was inspected that quarter.
///
/// # Errors
/// [`StoreError::Conflict`], [`StoreError::Query`].
pub async fn insert_inspection<C: ConnectionTrait>(
    db: &C,
    new: &NewInspection,
) -> Result<i64, StoreError> {
    let row = inspections::ActiveModel {
        id: NotSet,
        village_id: Set(new.village.get()),
        group_id: Set(new.group.get()),
        quarter: Set(new.quarter.clone()),
        inspected_on: Set(new.inspected_on),
        entries: Set(new.entries),
        created_by: Set(new.created_by.get()),
        created_at: Set(crate::stamp::now()),
    };
    insert_row(db, row, "inspection of the group this quarter").await
}

/// Whether the group was inspected in `quarter`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn inspected<C: ConnectionTrait>(
    db: &C,
    group: GroupId,
    quarter: &str,
) -> Result<bool, StoreError> {
    Ok(inspections::Entity::find()
        .filter(inspections::Column::GroupId.eq(group.get()))
        .filter(inspections::Column::Quarter.eq(quarter))
        .one(db)
        .await?
        .is_some())
}

/// One group.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn group<C: ConnectionTrait>(
    db: &C,
    id: GroupId,
) -> Result<Option<GroupRow>, StoreError> {
    Ok(village_groups::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .map(group_row))
}

/// The groups of a village, by code.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn village_groups<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<Vec<GroupRow>, StoreError> {
    Ok(village_groups::Entity::find()
        .filter(village_groups::Column::VillageId.eq(village.get()))
        .order_by_asc(village_groups::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(group_row)
        .collect())
}

fn group_row(g: village_groups::Model) -> GroupRow {
    GroupRow {
        id: GroupId(g.id),
        village: VillageId(g.village_id),
        code: g.code,
        name: g.name,
        dept_id: g.dept_id,
    }
}

fn district_node(d: districts::Model) -> OrgNode {
    OrgNode {
        id: d.id,
        code: d.code,
        name: d.name,
        dept_id: d.dept_id,
        parent: None,
    }
}

/// Reads the whole tree.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn org_tree<C: ConnectionTrait>(db: &C) -> Result<OrgTree, StoreError> {
    Ok(OrgTree {
        districts: districts::Entity::find()
            .order_by_asc(districts::Column::Code)
            .all(db)
            .await?
            .into_iter()
            .map(district_node)
            .collect(),
        towns: towns::Entity::find()
            .order_by_asc(towns::Column::Code)
            .all(db)
            .await?
            .into_iter()
            .map(|t| OrgNode {
                id: t.id,
                code: t.code,
                name: t.name,
                dept_id: t.dept_id,
                parent: Some(t.district_id),
            })
            .collect(),
        villages: villages::Entity::find()
            .order_by_asc(villages::Column::Code)
            .all(db)
            .await?
            .into_iter()
            .map(|v| OrgNode {
                id: v.id,
                code: v.code,
                name: v.name,
                dept_id: v.dept_id,
                parent: Some(v.town_id),
            })
            .collect(),
        groups: village_groups::Entity::find()
            .order_by_asc(village_groups::Column::Code)
            .all(db)
            .await?
            .into_iter()
            .map(|g| OrgNode {
                id: g.id,
                code: g.code,
                name: g.name,
                dept_id: g.dept_id,
                parent: Some(g.village_id),
            })
            .collect(),
    })
}

/// Adds a district. [`StoreError::Conflict`] for a code already used.
///
/// # Errors
/// [`StoreError::Conflict`], [`StoreError::Query`].
pub async fn insert_district<C: ConnectionTrait>(
    db: &C,
    new: &NewDistrict,
) -> Result<DistrictId, StoreError> {
    let row = districts::ActiveModel {
        id: NotSet,
        code: Set(new.code.clone()),
        name: Set(new.name.clone()),
        dept_id: Set(new.dept_id.clone()),
        created_at: Set(crate::stamp::now()),
        points_year_start_month: Set(i32::try_from(new.points_year_start_month)
            .map_err(|_| StoreError::Invalid("start month".into()))?),
        max_item_points: Set(new.max_item_points),
        calendar_overrides: Set(None),
    };
    insert_row(db, row, "district code").await.map(DistrictId)
}

/// Inserts a row and returns its id; a unique-index violation is [`StoreError::Conflict`]
/// naming `what`.
async fn insert_row<C, A>(db: &C, row: A, what: &str) -> Result<i64, StoreError>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    <<A::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType: Into<i64>,
{
    Ok(<A::Entity as EntityTrait>::insert(row)
        .exec(db)
        .await
        .map_err(|e| StoreError::from_write(e, what))?
        .last_insert_id
        .into())
}

/// [`StoreError::NotFound`] unless the row `id` of `E` (`entity` in the error) exists.
async fn require_row<C, E>(db: &C, id: i64, entity: &'static str) -> Result<(), StoreError>
where
    C: ConnectionTrait,
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
{
    match E::find_by_id(id).one(db).await? {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound {
            entity,
            key: id.to_string(),
        }),
    }
}

/// Adds a town to a district.
///
/// # Errors
/// [`StoreError::NotFound`] (district), [`StoreError::Conflict`] (code), [`StoreError::Query`].
pub async fn insert_town<C: ConnectionTrait>(
    db: &C,
    district: DistrictId,
    code: &str,
    name: &str,
    dept_id: Option<&str>,
) -> Result<TownId, StoreError> {
    require_row::<_, districts::Entity>(db, district.get(), "district").await?;
    let row = towns::ActiveModel {
        id: NotSet,
        district_id: Set(district.get()),
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
        dept_id: Set(dept_id.map(str::to_owned)),
        created_at: Set(crate::stamp::now()),
    };
    insert_row(db, row, "town code").await.map(TownId)
}

/// Adds a village to a town.
///
/// # Errors
/// [`StoreError::NotFound`] (town), [`StoreError::Conflict`] (code), [`StoreError::Query`].
pub async fn insert_village<C: ConnectionTrait>(
    db: &C,
    town: TownId,
    code: &str,
    name: &str,
    dept_id: Option<&str>,
) -> Result<VillageId, StoreError> {
    require_row::<_, towns::Entity>(db, town.get(), "town").await?;
    let row = villages::ActiveModel {
        id: NotSet,
        town_id: Set(town.get()),
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
        dept_id: Set(dept_id.map(str::to_owned)),
        created_at: Set(crate::stamp::now()),
        board_names: NotSet,
    };
    insert_row(db, row, "village code").await.map(VillageId)
}

/// Adds a group to a village.
///
/// # Errors
/// [`StoreError::NotFound`] (village), [`StoreError::Conflict`] (code), [`StoreError::Query`].
pub async fn insert_group<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    code: &str,
    name: &str,
    dept_id: Option<&str>,
) -> Result<GroupId, StoreError> {
    require_row::<_, villages::Entity>(db, village.get(), "village").await?;
    let row = village_groups::ActiveModel {
        id: NotSet,
        village_id: Set(village.get()),
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
        dept_id: Set(dept_id.map(str::to_owned)),
        created_at: Set(crate::stamp::now()),
    };
    insert_row(db, row, "group code").await.map(GroupId)
}

/// A district by code.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn district_by_code<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> Result<Option<OrgNode>, StoreError> {
    Ok(districts::Entity::find()
        .filter(districts::Column::Code.eq(code))
        .one(db)
        .await?
        .map(district_node))
}

/// The household codes of a village.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn household_codes<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<Vec<String>, StoreError> {
    Ok(crate::entities::households::Entity::find()
        .filter(crate::entities::households::Column::VillageId.eq(village.get()))
        .all(db)
        .await?
        .into_iter()
        .map(|h| h.code)
        .collect())
}

/// Renames the town, village or group (`level`) with DingTalk department `dept_id`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn rename_by_dept<C: ConnectionTrait>(
    db: &C,
    level: &str,
    dept_id: &str,
    name: &str,
) -> Result<(), StoreError> {
    match level {
        "town" => {
            towns::Entity::update_many()
                .col_expr(towns::Column::Name, Expr::value(name))
                .filter(towns::Column::DeptId.eq(dept_id))
                .exec(db)
                .await?;
        }
        "village" => {
            villages::Entity::update_many()
                .col_expr(villages::Column::Name, Expr::value(name))
                .filter(villages::Column::DeptId.eq(dept_id))
                .exec(db)
                .await?;
        }
        "group" => {
            village_groups::Entity::update_many()
                .col_expr(village_groups::Column::Name, Expr::value(name))
                .filter(village_groups::Column::DeptId.eq(dept_id))
                .exec(db)
                .await?;
        }
        _ => {}
    }
    Ok(())
}

/// Sets (or replaces) the district's notice group.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_district_notice_group<C: ConnectionTrait>(
    db: &C,
    district: DistrictId,
    open_conversation_id: &str,
    robot_code: &str,
    by: AccountId,
) -> Result<DistrictNoticeGroup, StoreError> {
    let now = crate::stamp::now();
    district_notice_groups::Entity::insert(district_notice_groups::ActiveModel {
        district_id: Set(district.get()),
        open_conversation_id: Set(open_conversation_id.to_owned()),
        robot_code: Set(robot_code.to_owned()),
        updated_by: Set(Some(by.get())),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(district_notice_groups::Column::DistrictId)
            .update_columns([
                district_notice_groups::Column::OpenConversationId,
                district_notice_groups::Column::RobotCode,
                district_notice_groups::Column::UpdatedBy,
                district_notice_groups::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(DistrictNoticeGroup {
        district,
        open_conversation_id: open_conversation_id.to_owned(),
        robot_code: robot_code.to_owned(),
        updated_by: Some(by),
        updated_at: now,
    })
}

/// The district's notice group, if one is set.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn district_notice_group<C: ConnectionTrait>(
    db: &C,
    district: DistrictId,
) -> Result<Option<DistrictNoticeGroup>, StoreError> {
    Ok(district_notice_groups::Entity::find_by_id(district.get())
        .one(db)
        .await?
        .map(|r| DistrictNoticeGroup {
            district: DistrictId(r.district_id),
            open_conversation_id: r.open_conversation_id,
            robot_code: r.robot_code,
            updated_by: r.updated_by.map(AccountId),
            updated_at: r.updated_at,
        }))
}
