//! Quarterly publications (R16): frozen, versioned snapshots stored with their canonical content
//! and its digest; the village's notice group (F5); the board's household names.

use std::collections::HashMap;

use aidazu_domain::calendar::Quarter;
use aidazu_domain::org::NameDisplay;
use aidazu_domain::{AccountId, HouseholdId, VillageId};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entities::{households, members, publications, village_notice_groups, villages};
use crate::error::StoreError;

pub use aidazu_ports::publications::{
    BoardHousehold, NewPublication, NoticeGroup, PublicationRecord,
};

/// Stores a publication unless that (village, quarter, version) exists; `None` when it did (the
/// earlier one stands, nothing is written).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: &NewPublication,
) -> Result<Option<PublicationRecord>, StoreError> {
    let version = i32::try_from(new.version)
        .map_err(|_| StoreError::Invalid(format!("publication version {}", new.version)))?;
    let inserted = publications::Entity::insert(publications::ActiveModel {
        id: NotSet,
        village_id: Set(new.village.get()),
        quarter: Set(new.quarter.to_string()),
        version: Set(version),
        digest: Set(new.digest.clone()),
        content: Set(new.content.clone()),
        published_on: Set(new.published_on),
        objection_last_day: Set(new.objection_last_day),
        created_at: Set(crate::stamp::now()),
    })
    .on_conflict(
        OnConflict::columns([
            publications::Column::VillageId,
            publications::Column::Quarter,
            publications::Column::Version,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 0 {
        return Ok(None);
    }
    get(db, new.village, new.quarter, Some(new.version)).await
}

/// A village's publication of a quarter: `version`, or the latest when `None`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn get<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    quarter: Quarter,
    version: Option<u32>,
) -> Result<Option<PublicationRecord>, StoreError> {
    let mut query = publications::Entity::find()
        .filter(publications::Column::VillageId.eq(village.get()))
        .filter(publications::Column::Quarter.eq(quarter.to_string()));
    if let Some(v) = version {
        query = query.filter(publications::Column::Version.eq(i32::try_from(v).unwrap_or(-1)));
    }
    query
        .order_by_desc(publications::Column::Version)
        .one(db)
        .await?
        .map(read)
        .transpose()
}

/// A village's publications, newest quarter first, latest version first within a quarter.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn list<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<Vec<PublicationRecord>, StoreError> {
    let mut rows: Vec<PublicationRecord> = publications::Entity::find()
        .filter(publications::Column::VillageId.eq(village.get()))
        .all(db)
        .await?
        .into_iter()
        .map(read)
        .collect::<Result<_, _>>()?;
    rows.sort_by(|a, b| b.quarter.cmp(&a.quarter).then(b.version.cmp(&a.version)));
    Ok(rows)
}

/// The villages of `candidates` that have a publication (any version) of `quarter`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn published_villages<C: ConnectionTrait>(
    db: &C,
    candidates: &[VillageId],
    quarter: Quarter,
) -> Result<Vec<VillageId>, StoreError> {
    let mut out: Vec<VillageId> = publications::Entity::find()
        .filter(
            publications::Column::VillageId
                .is_in(candidates.iter().map(|v| v.get()).collect::<Vec<_>>()),
        )
        .filter(publications::Column::Quarter.eq(quarter.to_string()))
        .filter(publications::Column::Version.eq(1))
        .all(db)
        .await?
        .into_iter()
        .map(|r| VillageId(r.village_id))
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

fn read(row: publications::Model) -> Result<PublicationRecord, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("publication {}: {what}", row.id));
    Ok(PublicationRecord {
        id: row.id,
        village: VillageId(row.village_id),
        quarter: row.quarter.parse().map_err(|_| corrupt("quarter"))?,
        version: u32::try_from(row.version).map_err(|_| corrupt("version"))?,
        digest: row.digest,
        content: row.content,
        published_on: row.published_on,
        objection_last_day: row.objection_last_day,
        created_at: row.created_at,
    })
}

/// Sets (or replaces) the village's notice group.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_notice_group<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    open_conversation_id: &str,
    robot_code: &str,
    by: AccountId,
) -> Result<NoticeGroup, StoreError> {
    let now = crate::stamp::now();
    village_notice_groups::Entity::insert(village_notice_groups::ActiveModel {
        village_id: Set(village.get()),
        open_conversation_id: Set(open_conversation_id.to_owned()),
        robot_code: Set(robot_code.to_owned()),
        updated_by: Set(Some(by.get())),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(village_notice_groups::Column::VillageId)
            .update_columns([
                village_notice_groups::Column::OpenConversationId,
                village_notice_groups::Column::RobotCode,
                village_notice_groups::Column::UpdatedBy,
                village_notice_groups::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(NoticeGroup {
        village,
        open_conversation_id: open_conversation_id.to_owned(),
        robot_code: robot_code.to_owned(),
        updated_by: Some(by),
        updated_at: now,
    })
}

/// The village's notice group, if one is set.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn notice_group<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<Option<NoticeGroup>, StoreError> {
    Ok(village_notice_groups::Entity::find_by_id(village.get())
        .one(db)
        .await?
        .map(|r| NoticeGroup {
            village: VillageId(r.village_id),
            open_conversation_id: r.open_conversation_id,
            robot_code: r.robot_code,
            updated_by: r.updated_by.map(AccountId),
            updated_at: r.updated_at,
        }))
}

/// Every household of a village with its head, by household id; and how the village shows names.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::NotFound`].
pub async fn board_households<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
) -> Result<(NameDisplay, HashMap<HouseholdId, BoardHousehold>), StoreError> {
    let v = villages::Entity::find_by_id(village.get())
        .one(db)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "village",
            key: village.to_string(),
        })?;
    let display = if v.board_names == "full" {
        NameDisplay::Full
    } else {
        NameDisplay::Masked
    };
    let mut out: HashMap<HouseholdId, BoardHousehold> = households::Entity::find()
        .filter(households::Column::VillageId.eq(village.get()))
        .all(db)
        .await?
        .into_iter()
        .map(|h| {
            (
                HouseholdId(h.id),
                BoardHousehold {
                    household: HouseholdId(h.id),
                    code: h.code,
                    head_name: None,
                    head_birth_year: None,
                },
            )
        })
        .collect();
    for m in members::Entity::find()
        .filter(members::Column::VillageId.eq(village.get()))
        .order_by_asc(members::Column::Id)
        .all(db)
        .await?
    {
        if let Some(h) = out.get_mut(&HouseholdId(m.household_id))
            && h.head_name.is_none()
        {
            h.head_name = Some(m.name);
            h.head_birth_year = m.birth_year;
        }
    }
    Ok((display, out))
}
