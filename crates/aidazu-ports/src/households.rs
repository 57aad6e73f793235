//! Households, members and participation (R2–R4) for the identity use cases: admin maintenance,
//! participation history, and the read models behind `/me/*` (ledger page, village scores).
//!
//! Functions take `&impl AsRepo` (the `Database` or a `Transaction`), so a use case can write in the same transaction as its
//! audit record.

use aidazu_domain::channel::Channel;
use aidazu_domain::org::{Member, ParticipationChange, ResidentKind};
use aidazu_domain::{AccountId, GroupId, HouseholdId, MemberId, Points, VillageId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;

use crate::{AsRepo, StoreError};

/// A household row with its group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdRow {
    pub id: HouseholdId,
    pub village: VillageId,
    pub group: Option<GroupRef>,
    pub code: String,
    pub address: String,
}

/// A village group as shown beside a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRef {
    pub id: GroupId,
    pub code: String,
    pub name: String,
}

/// A household in a village list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdListRow {
    pub household: HouseholdRow,
    pub member_count: u64,
    /// The first member (the head of household by convention).
    pub head_name: Option<String>,
}

/// A member with the personal data the caller may see (decrypted mobile; mask before showing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberRow {
    pub id: MemberId,
    pub household: HouseholdId,
    pub village: VillageId,
    pub code: Option<String>,
    pub name: String,
    pub relation: String,
    pub gender: Option<String>,
    pub birth_year: Option<i32>,
    pub kind: ResidentKind,
    pub long_term_absent: bool,
    pub party_member: bool,
    pub mobile: Option<String>,
}

impl MemberRow {
    /// The domain member.
    #[must_use]
    pub fn to_domain(&self) -> Member {
        Member {
            id: self.id,
            household: self.household,
            name: self.name.clone(),
            kind: self.kind,
            long_term_absent: self.long_term_absent,
            party_member: self.party_member,
        }
    }
}

/// A household to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHousehold {
    pub village: VillageId,
    pub group: Option<GroupId>,
    pub code: String,
    pub address: String,
}

/// A member to create (the mobile is encrypted and hashed here, R4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    pub household: HouseholdId,
    pub code: Option<String>,
    pub name: String,
    pub relation: String,
    pub gender: Option<String>,
    pub birth_year: Option<i32>,
    pub kind: ResidentKind,
    pub long_term_absent: bool,
    pub party_member: bool,
    pub mobile: Option<String>,
}

/// Changes to a member; `None` leaves a field as it is. `mobile: Some(None)` removes the mobile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberPatch {
    pub name: Option<String>,
    pub relation: Option<String>,
    pub gender: Option<Option<String>>,
    pub birth_year: Option<Option<i32>>,
    pub kind: Option<ResidentKind>,
    pub long_term_absent: Option<bool>,
    pub party_member: Option<bool>,
    pub mobile: Option<Option<String>>,
}

/// An opt-in / opt-out to append (R3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParticipationChange {
    pub member: MemberId,
    pub participating: bool,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub recorded_by: AccountId,
    pub channel: Channel,
}

/// A recorded participation change with names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParticipationRow {
    pub id: i64,
    pub member: MemberId,
    pub member_name: String,
    pub participating: bool,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub recorded_by: Option<AccountId>,
    pub recorded_by_name: Option<String>,
    pub channel: String,
    pub recorded_at: DateTime<Utc>,
}

/// A ledger entry as a household sees it (names resolved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerLine {
    pub id: i64,
    pub kind: String,
    pub amount: Points,
    pub item_code: Option<String>,
    pub item_title: Option<String>,
    pub member: Option<MemberId>,
    pub member_name: Option<String>,
    pub actor: Option<AccountId>,
    pub actor_name: Option<String>,
    pub channel: String,
    pub reason: String,
    pub points_year: String,
    pub occurred_on: NaiveDate,
    pub occurred_at: DateTime<Utc>,
    pub declaration: Option<i64>,
}

/// The households repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait HouseholdsRepo: Send + Sync {
    /// One household, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn household(&self, id: HouseholdId) -> Result<Option<HouseholdRow>, StoreError>;
    /// A page of a village's households ordered by code, with member counts, and the total.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn list_households(
        &self,
        village: VillageId,
        page: u64,
        per_page: u64,
    ) -> Result<(Vec<HouseholdListRow>, u64), StoreError>;
    /// The members of a household in id order (the head first by convention).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Crypto`], [`StoreError::Corrupt`].
    async fn household_members(&self, household: HouseholdId)
    -> Result<Vec<MemberRow>, StoreError>;
    /// The members of a household in id order with the DingTalk user ids of the active accounts
    /// bound to each, in one statement.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Crypto`], [`StoreError::Corrupt`].
    async fn household_members_with_accounts(
        &self,
        household: HouseholdId,
    ) -> Result<Vec<(MemberRow, Vec<String>)>, StoreError>;
    /// One member, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Crypto`], [`StoreError::Corrupt`].
    async fn member(&self, id: MemberId) -> Result<Option<MemberRow>, StoreError>;
    /// Members whose mobile has this number, found by keyed hash (never by plaintext, R4).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Crypto`], [`StoreError::Corrupt`].
    async fn members_by_mobile(&self, mobile: &str) -> Result<Vec<MemberRow>, StoreError>;
    /// Creates a household.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a code already used in the village, [`StoreError::Invalid`] for
    /// a group of another village, [`StoreError::Query`].
    async fn insert_household(&self, new: &NewHousehold) -> Result<HouseholdId, StoreError>;
    /// Creates a member of a household; the mobile is stored encrypted with its lookup hash.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (household), [`StoreError::Conflict`] (member code),
    /// [`StoreError::Query`].
    async fn insert_member(&self, new: &NewMember) -> Result<MemberId, StoreError>;
    /// Applies a patch to a member.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Query`].
    async fn update_member(&self, id: MemberId, patch: &MemberPatch) -> Result<(), StoreError>;
    /// Appends an opt-in / opt-out of a member (R3); returns the row id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (member), [`StoreError::Query`].
    async fn insert_participation_change(
        &self,
        new: &NewParticipationChange,
    ) -> Result<i64, StoreError>;
    /// The participation changes of a household's members, in recording order (oldest first).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn participation_history(
        &self,
        household: HouseholdId,
    ) -> Result<Vec<ParticipationRow>, StoreError>;
    /// The domain view of participation for every member of a village: members (by household) and
    /// their recorded changes, oldest first (what `aidazu_domain::org::household_participates` takes).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn village_participation(
        &self,
        village: VillageId,
    ) -> Result<(HashMap<HouseholdId, Vec<Member>>, Vec<ParticipationChange>), StoreError>;
    /// A page of a household's ledger, newest first, with item titles and member and actor names,
    /// and the total count.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn ledger_page(
        &self,
        household: HouseholdId,
        page: u64,
        per_page: u64,
    ) -> Result<(Vec<LedgerLine>, u64), StoreError>;
}

/// One household, or `None`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn household(
    db: &(impl AsRepo + ?Sized),
    id: HouseholdId,
) -> Result<Option<HouseholdRow>, StoreError> {
    HouseholdsRepo::household(db.repo(), id).await
}

/// A page of a village's households ordered by code, with member counts, and the total.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn list_households(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    page: u64,
    per_page: u64,
) -> Result<(Vec<HouseholdListRow>, u64), StoreError> {
    HouseholdsRepo::list_households(db.repo(), village, page, per_page).await
}

/// The members of a household in id order (the head first by convention).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Crypto`], [`StoreError::Corrupt`].
pub async fn household_members(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
) -> Result<Vec<MemberRow>, StoreError> {
    HouseholdsRepo::household_members(db.repo(), household).await
}

/// The members of a household in id order with the DingTalk user ids of the active accounts
/// bound to each, in one statement.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Crypto`], [`StoreError::Corrupt`].
pub async fn household_members_with_accounts(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
) -> Result<Vec<(MemberRow, Vec<String>)>, StoreError> {
    HouseholdsRepo::household_members_with_accounts(db.repo(), household).await
}

/// One member, or `None`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Crypto`], [`StoreError::Corrupt`].
pub async fn member(
    db: &(impl AsRepo + ?Sized),
    id: MemberId,
) -> Result<Option<MemberRow>, StoreError> {
    HouseholdsRepo::member(db.repo(), id).await
}

/// Members whose mobile has this number, found by keyed hash (never by plaintext, R4).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Crypto`], [`StoreError::Corrupt`].
pub async fn members_by_mobile(
    db: &(impl AsRepo + ?Sized),
    mobile: &str,
) -> Result<Vec<MemberRow>, StoreError> {
    HouseholdsRepo::members_by_mobile(db.repo(), mobile).await
}

/// Creates a household.
///
/// # Errors
/// [`StoreError::Conflict`] for a code already used in the village, [`StoreError::Invalid`] for
/// a group of another village, [`StoreError::Query`].
pub async fn insert_household(
    db: &(impl AsRepo + ?Sized),
    new: &NewHousehold,
) -> Result<HouseholdId, StoreError> {
    HouseholdsRepo::insert_household(db.repo(), new).await
}

/// Creates a member of a household; the mobile is stored encrypted with its lookup hash.
///
/// # Errors
/// [`StoreError::NotFound`] (household), [`StoreError::Conflict`] (member code),
/// [`StoreError::Query`].
pub async fn insert_member(
    db: &(impl AsRepo + ?Sized),
    new: &NewMember,
) -> Result<MemberId, StoreError> {
    HouseholdsRepo::insert_member(db.repo(), new).await
}

/// Applies a patch to a member.
///
/// # Errors
/// [`StoreError::NotFound`], [`StoreError::Query`].
pub async fn update_member(
    db: &(impl AsRepo + ?Sized),
    id: MemberId,
    patch: &MemberPatch,
) -> Result<(), StoreError> {
    HouseholdsRepo::update_member(db.repo(), id, patch).await
}

/// Appends an opt-in / opt-out of a member (R3); returns the row id.
///
/// # Errors
/// [`StoreError::NotFound`] (member), [`StoreError::Query`].
pub async fn insert_participation_change(
    db: &(impl AsRepo + ?Sized),
    new: &NewParticipationChange,
) -> Result<i64, StoreError> {
    HouseholdsRepo::insert_participation_change(db.repo(), new).await
}

/// The participation changes of a household's members, in recording order (oldest first).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn participation_history(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
) -> Result<Vec<ParticipationRow>, StoreError> {
    HouseholdsRepo::participation_history(db.repo(), household).await
}

/// The domain view of participation for every member of a village: members (by household) and
/// their recorded changes, oldest first (what `aidazu_domain::org::household_participates` takes).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_participation(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
) -> Result<(HashMap<HouseholdId, Vec<Member>>, Vec<ParticipationChange>), StoreError> {
    HouseholdsRepo::village_participation(db.repo(), village).await
}

/// A page of a household's ledger, newest first, with item titles and member and actor names,
/// and the total count.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn ledger_page(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
    page: u64,
    per_page: u64,
) -> Result<(Vec<LedgerLine>, u64), StoreError> {
    HouseholdsRepo::ledger_page(db.repo(), household, page, per_page).await
}
