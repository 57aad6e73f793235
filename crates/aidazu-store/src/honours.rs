//! Honours (R18, D5): the frozen assessment of a village's points-year and the committee's
//! nominations. The content is the application's JSON (the domain's assessment with names).

use aidazu_domain::calendar::PointsYear;
use aidazu_domain::{AccountId, HouseholdId, MemberId, VillageId};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entities::{honour_nominations, honours_lists};
use crate::error::StoreError;

pub use aidazu_ports::honours::{HonoursListRecord, NewHonoursList, Nomination};

/// Stores the assessment unless one exists for (village, year); returns the one that stands.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn freeze<C: ConnectionTrait>(
    db: &C,
    new: NewHonoursList,
) -> Result<HonoursListRecord, StoreError> {
    let NewHonoursList {
        village,
        year,
        n,
        sum,
        mean,
        catalogue_version,
        content,
    } = new;
    honours_lists::Entity::insert(honours_lists::ActiveModel {
        id: NotSet,
        village_id: Set(village.get()),
        points_year: Set(year.label().to_string()),
        n: Set(i32::try_from(n).unwrap_or(i32::MAX)),
        sum: Set(sum),
        mean: Set(mean),
        catalogue_version: Set(catalogue_version.and_then(|v| i32::try_from(v).ok())),
        content: Set(content),
        taken_at: Set(crate::stamp::now()),
    })
    .on_conflict(
        OnConflict::columns([
            honours_lists::Column::VillageId,
            honours_lists::Column::PointsYear,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    frozen(db, village, year)
        .await?
        .ok_or_else(|| StoreError::Corrupt("honours list vanished after insert".into()))
}

/// The frozen assessment of (village, year), if taken.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn frozen<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    year: PointsYear,
) -> Result<Option<HonoursListRecord>, StoreError> {
    honours_lists::Entity::find()
        .filter(honours_lists::Column::VillageId.eq(village.get()))
        .filter(honours_lists::Column::PointsYear.eq(year.label().to_string()))
        .one(db)
        .await?
        .map(|r| {
            Ok(HonoursListRecord {
                id: r.id,
                village: VillageId(r.village_id),
                year,
                n: u32::try_from(r.n)
                    .map_err(|_| StoreError::Corrupt(format!("honours list {}: n", r.id)))?,
                sum: r.sum,
                mean: r.mean,
                catalogue_version: r.catalogue_version.and_then(|v| u32::try_from(v).ok()),
                content: r.content,
                taken_at: r.taken_at,
            })
        })
        .transpose()
}

/// Records a nomination (once: the same nomination again returns the first).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn nominate<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    year: PointsYear,
    honour: &str,
    household: HouseholdId,
    member: Option<MemberId>,
    by: AccountId,
) -> Result<Nomination, StoreError> {
    let member_key = member.map_or(0, MemberId::get);
    honour_nominations::Entity::insert(honour_nominations::ActiveModel {
        id: NotSet,
        village_id: Set(village.get()),
        points_year: Set(year.label().to_string()),
        honour: Set(honour.to_owned()),
        household_id: Set(household.get()),
        member_id: Set(member_key),
        nominated_by: Set(Some(by.get())),
        created_at: Set(crate::stamp::now()),
    })
    .on_conflict(
        OnConflict::columns([
            honour_nominations::Column::VillageId,
            honour_nominations::Column::PointsYear,
            honour_nominations::Column::Honour,
            honour_nominations::Column::HouseholdId,
            honour_nominations::Column::MemberId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    nominations(db, village, year)
        .await?
        .into_iter()
        .find(|n| {
            n.honour == honour
                && n.household == household
                && n.member.map_or(0, MemberId::get) == member_key
        })
        .ok_or_else(|| StoreError::Corrupt("nomination vanished after insert".into()))
}

/// The nominations of (village, year), oldest first.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn nominations<C: ConnectionTrait>(
    db: &C,
    village: VillageId,
    year: PointsYear,
) -> Result<Vec<Nomination>, StoreError> {
    Ok(honour_nominations::Entity::find()
        .filter(honour_nominations::Column::VillageId.eq(village.get()))
        .filter(honour_nominations::Column::PointsYear.eq(year.label().to_string()))
        .order_by_asc(honour_nominations::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| Nomination {
            id: r.id,
            village: VillageId(r.village_id),
            year,
            honour: r.honour,
            household: HouseholdId(r.household_id),
            member: (r.member_id != 0).then_some(MemberId(r.member_id)),
            nominated_by: r.nominated_by.map(AccountId),
            created_at: r.created_at,
        })
        .collect())
}
