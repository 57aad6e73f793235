//! Declarations (R8, R9): rows, their photos, and the one-way state changes out of `in_review`.
//!
//! State changes are conditional updates (`… WHERE state = 'in_review'`), so of two concurrent
//! decisions exactly one changes a row; the caller learns which from the returned flag.

use crate::accounts::MemberRef;
use aidazu_domain::channel::Channel;
use aidazu_domain::declaration::DeclarationState;
use aidazu_domain::org::Role;
use aidazu_domain::{
    AccountId, CatalogueVersionId, DeclarationId, HouseholdId, ItemCode, LedgerEntryId, MemberId,
    Points, VillageId,
};
use chrono::{DateTime, NaiveDate, Utc};

use crate::{AsRepo, StoreError};

/// A declaration to insert (state `in_review`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeclaration {
    pub village: VillageId,
    pub household: HouseholdId,
    pub member: MemberId,
    pub declarant: AccountId,
    pub item_code: ItemCode,
    pub catalogue_version_id: CatalogueVersionId,
    pub catalogue_version: u32,
    pub item_title: String,
    pub suggested_points: Points,
    pub min_points: Points,
    pub max_points: Points,
    pub occurred_on: NaiveDate,
    pub text: String,
    pub submitted_at: DateTime<Utc>,
    pub review_deadline: NaiveDate,
    pub channel: Channel,
    pub request_id: Option<String>,
    /// Photo ids in the order given.
    pub photo_ids: Vec<i64>,
}

/// A stored declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationRecord {
    pub id: DeclarationId,
    pub village: VillageId,
    pub household: HouseholdId,
    pub member: MemberId,
    pub declarant: AccountId,
    pub item_code: String,
    pub catalogue_version_id: CatalogueVersionId,
    pub catalogue_version: u32,
    pub item_title: String,
    pub suggested_points: Points,
    pub min_points: Points,
    pub max_points: Points,
    pub occurred_on: NaiveDate,
    pub text: String,
    pub state: DeclarationState,
    pub submitted_at: DateTime<Utc>,
    pub review_deadline: NaiveDate,
    pub channel: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub decider: Option<AccountId>,
    pub decision_channel: Option<String>,
    pub points: Option<Points>,
    pub reason: Option<String>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub process_instance_id: Option<String>,
    pub card_out_track_id: String,
    pub ledger_entry: Option<LedgerEntryId>,
    pub photo_ids: Vec<i64>,
}

/// The outcome written by a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionWrite {
    pub approved: bool,
    pub at: DateTime<Utc>,
    pub decider: AccountId,
    pub channel: Channel,
    /// Points awarded (approval).
    pub points: Option<Points>,
    /// Reason (refusal).
    pub reason: Option<String>,
}

/// A person to notify through DingTalk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub account: AccountId,
    pub dingtalk_user_id: String,
    /// The household of the account's member, if any (recusal, D6).
    pub household: Option<HouseholdId>,
}

/// The card's `outTrackId` of a declaration.
#[must_use]
pub fn out_track_id(id: DeclarationId, nonce: &str) -> String {
    format!("decl-{}-{nonce}", id.get())
}

/// Parses a state name as stored and as the API accepts it.
#[must_use]
pub fn state_from_str(text: &str) -> Option<DeclarationState> {
    Some(match text {
        "submitted" => DeclarationState::Submitted,
        "in_review" => DeclarationState::InReview,
        "approved" => DeclarationState::Approved,
        "rejected" => DeclarationState::Rejected,
        "withdrawn" => DeclarationState::Withdrawn,
        _ => return None,
    })
}

/// The declarations repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait DeclarationsRepo: Send + Sync {
    /// Inserts a declaration with its photos. `card_out_track_id` is derived from the new id.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] (missing rows), [`StoreError::Query`].
    async fn insert_declaration(
        &self,
        new: &NewDeclaration,
        out_track_nonce: &str,
    ) -> Result<DeclarationId, StoreError>;
    /// One declaration with its photo ids.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn declaration(&self, id: DeclarationId)
    -> Result<Option<DeclarationRecord>, StoreError>;
    /// The declaration whose approval instance is `process_instance_id`.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn declaration_by_process_instance(
        &self,
        process_instance_id: &str,
    ) -> Result<Option<DeclarationRecord>, StoreError>;
    /// The declaration whose card is `out_track_id`.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn declaration_by_out_track_id(
        &self,
        out_track_id: &str,
    ) -> Result<Option<DeclarationRecord>, StoreError>;
    /// A household's declarations, newest first.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn household_declarations(
        &self,
        household: HouseholdId,
    ) -> Result<Vec<DeclarationRecord>, StoreError>;
    /// A village's declarations, optionally in one state, newest first.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn village_declarations(
        &self,
        village: VillageId,
        state: Option<DeclarationState>,
    ) -> Result<Vec<DeclarationRecord>, StoreError>;
    /// Every declaration still `in_review` submitted before `before`, oldest first (D2 reminders).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn in_review_submitted_before(
        &self,
        before: DateTime<Utc>,
    ) -> Result<Vec<DeclarationRecord>, StoreError>;
    /// A household's declarations still `in_review` of one item (pending cap usage).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn pending_of_item(
        &self,
        household: HouseholdId,
        item_code: &ItemCode,
    ) -> Result<Vec<DeclarationRecord>, StoreError>;
    /// Moves the declaration from `in_review` to approved/rejected. Returns `false` (and writes
    /// nothing) when it was no longer `in_review`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn decide_in_review(
        &self,
        id: DeclarationId,
        write: &DecisionWrite,
    ) -> Result<bool, StoreError>;
    /// Moves the declaration from `in_review` to withdrawn. Returns `false` when it was no longer
    /// `in_review`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn withdraw_in_review(
        &self,
        id: DeclarationId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Links the ledger entry an approval booked.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn set_ledger_entry(
        &self,
        id: DeclarationId,
        entry: LedgerEntryId,
    ) -> Result<(), StoreError>;
    /// Records the DingTalk approval instance opened for a declaration (set by the gateway once
    /// `approval.create` was sent). Idempotent for the same value.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn set_process_instance_id(
        &self,
        id: DeclarationId,
        process_instance_id: &str,
    ) -> Result<(), StoreError>;
    /// A member with household and village.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn member_ref(&self, member: MemberId) -> Result<Option<MemberRef>, StoreError>;
    /// The active DingTalk accounts bound to members of a household.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn household_recipients(
        &self,
        household: HouseholdId,
    ) -> Result<Vec<Recipient>, StoreError>;
    /// The active accounts holding `role` over exactly `scope` (a village's committee, a town's
    /// officers), with their own household.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn scope_role_holders(
        &self,
        scope: aidazu_domain::org::Scope,
        role: Role,
    ) -> Result<Vec<Recipient>, StoreError>;
}

/// Inserts a declaration with its photos. `card_out_track_id` is derived from the new id.
///
/// # Errors
/// [`StoreError::Invalid`] (missing rows), [`StoreError::Query`].
pub async fn insert_declaration(
    db: &(impl AsRepo + ?Sized),
    new: &NewDeclaration,
    out_track_nonce: &str,
) -> Result<DeclarationId, StoreError> {
    DeclarationsRepo::insert_declaration(db.repo(), new, out_track_nonce).await
}

/// One declaration with its photo ids.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn declaration(
    db: &(impl AsRepo + ?Sized),
    id: DeclarationId,
) -> Result<Option<DeclarationRecord>, StoreError> {
    DeclarationsRepo::declaration(db.repo(), id).await
}

/// The declaration whose approval instance is `process_instance_id`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn declaration_by_process_instance(
    db: &(impl AsRepo + ?Sized),
    process_instance_id: &str,
) -> Result<Option<DeclarationRecord>, StoreError> {
    DeclarationsRepo::declaration_by_process_instance(db.repo(), process_instance_id).await
}

/// The declaration whose card is `out_track_id`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn declaration_by_out_track_id(
    db: &(impl AsRepo + ?Sized),
    out_track_id: &str,
) -> Result<Option<DeclarationRecord>, StoreError> {
    DeclarationsRepo::declaration_by_out_track_id(db.repo(), out_track_id).await
}

/// A household's declarations, newest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn household_declarations(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
) -> Result<Vec<DeclarationRecord>, StoreError> {
    DeclarationsRepo::household_declarations(db.repo(), household).await
}

/// A village's declarations, optionally in one state, newest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn village_declarations(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    state: Option<DeclarationState>,
) -> Result<Vec<DeclarationRecord>, StoreError> {
    DeclarationsRepo::village_declarations(db.repo(), village, state).await
}

/// Every declaration still `in_review` submitted before `before`, oldest first (D2 reminders).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn in_review_submitted_before(
    db: &(impl AsRepo + ?Sized),
    before: DateTime<Utc>,
) -> Result<Vec<DeclarationRecord>, StoreError> {
    DeclarationsRepo::in_review_submitted_before(db.repo(), before).await
}

/// A household's declarations still `in_review` of one item (pending cap usage).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn pending_of_item(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
    item_code: &ItemCode,
) -> Result<Vec<DeclarationRecord>, StoreError> {
    DeclarationsRepo::pending_of_item(db.repo(), household, item_code).await
}

/// Moves the declaration from `in_review` to approved/rejected. Returns `false` (and writes
/// nothing) when it was no longer `in_review`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn decide_in_review(
    db: &(impl AsRepo + ?Sized),
    id: DeclarationId,
    write: &DecisionWrite,
) -> Result<bool, StoreError> {
    DeclarationsRepo::decide_in_review(db.repo(), id, write).await
}

/// Moves the declaration from `in_review` to withdrawn. Returns `false` when it was no longer
/// `in_review`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn withdraw_in_review(
    db: &(impl AsRepo + ?Sized),
    id: DeclarationId,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    DeclarationsRepo::withdraw_in_review(db.repo(), id, at).await
}

/// Links the ledger entry an approval booked.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_ledger_entry(
    db: &(impl AsRepo + ?Sized),
    id: DeclarationId,
    entry: LedgerEntryId,
) -> Result<(), StoreError> {
    DeclarationsRepo::set_ledger_entry(db.repo(), id, entry).await
}

/// Records the DingTalk approval instance opened for a declaration (set by the gateway once
/// `approval.create` was sent). Idempotent for the same value.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_process_instance_id(
    db: &(impl AsRepo + ?Sized),
    id: DeclarationId,
    process_instance_id: &str,
) -> Result<(), StoreError> {
    DeclarationsRepo::set_process_instance_id(db.repo(), id, process_instance_id).await
}

/// A member with household and village.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn member_ref(
    db: &(impl AsRepo + ?Sized),
    member: MemberId,
) -> Result<Option<MemberRef>, StoreError> {
    DeclarationsRepo::member_ref(db.repo(), member).await
}

/// The active DingTalk accounts bound to members of a household.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn household_recipients(
    db: &(impl AsRepo + ?Sized),
    household: HouseholdId,
) -> Result<Vec<Recipient>, StoreError> {
    DeclarationsRepo::household_recipients(db.repo(), household).await
}

/// The active accounts holding `role` over exactly `scope` (a village's committee, a town's
/// officers), with their own household.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn scope_role_holders(
    db: &(impl AsRepo + ?Sized),
    scope: aidazu_domain::org::Scope,
    role: Role,
) -> Result<Vec<Recipient>, StoreError> {
    DeclarationsRepo::scope_role_holders(db.repo(), scope, role).await
}
