//! Governance storage (R7, F6, R1): catalogue change requests, the district's bounds, the
//! latest catalogue of an owner, group inspections, and adding districts, towns, villages and
//! groups.

use crate::catalogue::StoredCatalogueVersion;
use aidazu_domain::catalogue::{CatalogueBounds, CatalogueItem, CatalogueVersion, ItemChange};
use aidazu_domain::{AccountId, CatalogueVersionId, DistrictId, GroupId, TownId, VillageId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::{AsRepo, StoreError};

/// Where a change request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    Draft,
    Submitted,
    Approved,
    Rejected,
    Withdrawn,
}

impl ChangeStatus {
    /// The stored text.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Parses the stored name.
    #[allow(clippy::missing_errors_doc)]
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "draft" => Self::Draft,
            "submitted" => Self::Submitted,
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            "withdrawn" => Self::Withdrawn,
            other => return Err(StoreError::Corrupt(format!("change status {other:?}"))),
        })
    }
}

/// A stored change request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCatalogueChange {
    pub id: i64,
    pub district: DistrictId,
    /// `None`: a change of the district's own template.
    pub village: Option<VillageId>,
    pub status: ChangeStatus,
    pub reason: String,
    pub changes: Vec<ItemChange>,
    /// The catalogue as it would be.
    pub items: Vec<CatalogueItem>,
    /// The version number the changes were applied to.
    pub base_version: u32,
    pub process_instance_id: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<AccountId>,
    pub decided_at: Option<DateTime<Utc>>,
    /// First day the approved version is in force.
    pub effective_from: Option<NaiveDate>,
    pub version_id: Option<CatalogueVersionId>,
    pub version_number: Option<u32>,
    pub created_by: AccountId,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// While a draft or submitted: the version a change would be drafted on now (see
    /// [`current_base_version`]); `None` once decided.
    pub current_base_version: Option<u32>,
}

impl StoredCatalogueChange {
    /// R7: a draft or submitted request whose catalogue got a newer approved version since it was
    /// drafted ([`aidazu_domain::catalogue::check_current`]).
    #[must_use]
    pub fn is_stale(&self) -> bool {
        self.current_base_version
            .is_some_and(|c| aidazu_domain::catalogue::check_current(self.base_version, c).is_err())
    }
}

/// A change request to write.
#[derive(Debug, Clone)]
pub struct NewCatalogueChange {
    pub district: DistrictId,
    pub village: Option<VillageId>,
    pub reason: String,
    pub changes: Vec<ItemChange>,
    pub items: Vec<CatalogueItem>,
    pub base_version: u32,
    pub created_by: AccountId,
    pub created_at: DateTime<Utc>,
}

/// A decision to record.
#[derive(Debug, Clone)]
pub struct ChangeDecision {
    pub status: ChangeStatus,
    pub reason: Option<String>,
    pub decided_by: AccountId,
    pub decided_at: DateTime<Utc>,
    pub effective_from: Option<NaiveDate>,
    pub version_id: Option<CatalogueVersionId>,
}

/// A group's inspection to record (once per group and quarter).
#[derive(Debug, Clone)]
pub struct NewInspection {
    pub village: VillageId,
    pub group: GroupId,
    pub quarter: String,
    pub inspected_on: NaiveDate,
    pub entries: i32,
    pub created_by: AccountId,
}

/// A group of a village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRow {
    pub id: GroupId,
    pub village: VillageId,
    pub code: String,
    pub name: String,
    pub dept_id: Option<String>,
}

/// A node of the organisation tree (district, town, village or group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgNode {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub dept_id: Option<String>,
    /// The parent's id (`None` for a district).
    pub parent: Option<i64>,
}

/// The whole organisation: districts, towns, villages, groups.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrgTree {
    pub districts: Vec<OrgNode>,
    pub towns: Vec<OrgNode>,
    pub villages: Vec<OrgNode>,
    pub groups: Vec<OrgNode>,
}

/// A district to add.
#[derive(Debug, Clone)]
pub struct NewDistrict {
    pub code: String,
    pub name: String,
    pub dept_id: Option<String>,
    pub points_year_start_month: u32,
    pub max_item_points: i32,
}

/// The DingTalk group (and robot) a district's quarterly summary goes to (F5, issue 12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistrictNoticeGroup {
    pub district: DistrictId,
    pub open_conversation_id: String,
    pub robot_code: String,
    pub updated_by: Option<AccountId>,
    pub updated_at: DateTime<Utc>,
}

/// The governance repository: implemented by the storage adapter (`aidazu-store`).
#[async_trait::async_trait]
pub trait GovernanceRepo: Send + Sync {
    /// Writes a draft change request.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn insert_change(&self, new: &NewCatalogueChange) -> Result<i64, StoreError>;
    /// R7: the version number a change request of the district's template (`village: None`) or of a
    /// village is drafted on now: the village's newest approved version (scheduled ones included),
    /// else the template's.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn current_base_version(
        &self,
        district: DistrictId,
        village: Option<VillageId>,
    ) -> Result<Option<u32>, StoreError>;
    /// One change request.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn change(&self, id: i64) -> Result<Option<StoredCatalogueChange>, StoreError>;
    /// The change request whose DingTalk approval is `instance`.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn change_by_process_instance(
        &self,
        instance: &str,
    ) -> Result<Option<StoredCatalogueChange>, StoreError>;
    /// Submitted change requests with a DingTalk approval, submitted at or before `by` (the
    /// reconciler re-checks their instances), oldest first.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn submitted_with_approval_by(
        &self,
        by: DateTime<Utc>,
    ) -> Result<Vec<StoredCatalogueChange>, StoreError>;
    /// Change requests of a village (`Some`) or of a district's template and all its villages
    /// (`None`), newest first.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn changes(
        &self,
        district: DistrictId,
        village: Option<VillageId>,
    ) -> Result<Vec<StoredCatalogueChange>, StoreError>;
    /// Moves a draft to `submitted`. Returns false when it was not a draft any more.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn mark_submitted(&self, id: i64, at: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Remembers the DingTalk approval of a request.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn set_process_instance_id(&self, id: i64, instance: &str) -> Result<(), StoreError>;
    /// Records the decision of a submitted request, once: returns false when it was not
    /// `submitted` any more (decided elsewhere first).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn mark_decided(&self, id: i64, decision: &ChangeDecision) -> Result<bool, StoreError>;
    /// The district's bounds on catalogue values.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Query`].
    async fn district_bounds(&self, district: DistrictId) -> Result<CatalogueBounds, StoreError>;
    /// The newest approved version of the district's template (`village: None`) or of a village's
    /// own catalogue, scheduled ones included; a village without its own gets `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn latest_version(
        &self,
        district: DistrictId,
        village: Option<VillageId>,
    ) -> Result<Option<StoredCatalogueVersion>, StoreError>;
    /// The number the district's next version must carry (see
    /// the store's `next_catalogue_version_number`), on `db` (a transaction).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    async fn next_version_number(&self, district: DistrictId) -> Result<u32, StoreError>;
    /// Writes an approved version of the district template (`village: None`) or of a village, on
    /// `db` (a transaction).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (version number taken), [`StoreError::Query`].
    async fn insert_approved_version(
        &self,
        district: DistrictId,
        village: Option<VillageId>,
        version: &CatalogueVersion,
        created_by: AccountId,
    ) -> Result<CatalogueVersionId, StoreError>;
    /// Records an inspection. [`StoreError::Conflict`] when the group was inspected that quarter.
    ///
    /// # Errors
    /// [`StoreError::Conflict`], [`StoreError::Query`].
    async fn insert_inspection(&self, new: &NewInspection) -> Result<i64, StoreError>;
    /// Whether the group was inspected in `quarter`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn inspected(&self, group: GroupId, quarter: &str) -> Result<bool, StoreError>;
    /// One group.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn group(&self, id: GroupId) -> Result<Option<GroupRow>, StoreError>;
    /// The groups of a village, by code.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn village_groups(&self, village: VillageId) -> Result<Vec<GroupRow>, StoreError>;
    /// Reads the whole tree.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn org_tree(&self) -> Result<OrgTree, StoreError>;
    /// Adds a district. [`StoreError::Conflict`] for a code already used.
    ///
    /// # Errors
    /// [`StoreError::Conflict`], [`StoreError::Query`].
    async fn insert_district(&self, new: &NewDistrict) -> Result<DistrictId, StoreError>;
    /// Adds a town to a district.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (district), [`StoreError::Conflict`] (code), [`StoreError::Query`].
    async fn insert_town(
        &self,
        district: DistrictId,
        code: &str,
        name: &str,
        dept_id: Option<&str>,
    ) -> Result<TownId, StoreError>;
    /// Adds a village to a town.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (town), [`StoreError::Conflict`] (code), [`StoreError::Query`].
    async fn insert_village(
        &self,
        town: TownId,
        code: &str,
        name: &str,
        dept_id: Option<&str>,
    ) -> Result<VillageId, StoreError>;
    /// Adds a group to a village.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (village), [`StoreError::Conflict`] (code), [`StoreError::Query`].
    async fn insert_group(
        &self,
        village: VillageId,
        code: &str,
        name: &str,
        dept_id: Option<&str>,
    ) -> Result<GroupId, StoreError>;
    /// A district by code.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn district_by_code(&self, code: &str) -> Result<Option<OrgNode>, StoreError>;
    /// The household codes of a village.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn household_codes(&self, village: VillageId) -> Result<Vec<String>, StoreError>;
    /// Renames the town, village or group (`level`) with DingTalk department `dept_id`.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn rename_by_dept(
        &self,
        level: &str,
        dept_id: &str,
        name: &str,
    ) -> Result<(), StoreError>;
    /// Sets (or replaces) the district's notice group.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn set_district_notice_group(
        &self,
        district: DistrictId,
        open_conversation_id: &str,
        robot_code: &str,
        by: AccountId,
    ) -> Result<DistrictNoticeGroup, StoreError>;
    /// The district's notice group, if one is set.
    ///
    /// # Errors
    /// [`StoreError::Query`].
    async fn district_notice_group(
        &self,
        district: DistrictId,
    ) -> Result<Option<DistrictNoticeGroup>, StoreError>;
}

/// Writes a draft change request.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn insert_change(
    db: &(impl AsRepo + ?Sized),
    new: &NewCatalogueChange,
) -> Result<i64, StoreError> {
    GovernanceRepo::insert_change(db.repo(), new).await
}

/// R7: the version number a change request of the district's template (`village: None`) or of a
/// village is drafted on now: the village's newest approved version (scheduled ones included),
/// else the template's.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn current_base_version(
    db: &(impl AsRepo + ?Sized),
    district: DistrictId,
    village: Option<VillageId>,
) -> Result<Option<u32>, StoreError> {
    GovernanceRepo::current_base_version(db.repo(), district, village).await
}

/// One change request.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn change(
    db: &(impl AsRepo + ?Sized),
    id: i64,
) -> Result<Option<StoredCatalogueChange>, StoreError> {
    GovernanceRepo::change(db.repo(), id).await
}

/// The change request whose DingTalk approval is `instance`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn change_by_process_instance(
    db: &(impl AsRepo + ?Sized),
    instance: &str,
) -> Result<Option<StoredCatalogueChange>, StoreError> {
    GovernanceRepo::change_by_process_instance(db.repo(), instance).await
}

/// Submitted change requests with a DingTalk approval, submitted at or before `by` (the
/// reconciler re-checks their instances), oldest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn submitted_with_approval_by(
    db: &(impl AsRepo + ?Sized),
    by: DateTime<Utc>,
) -> Result<Vec<StoredCatalogueChange>, StoreError> {
    GovernanceRepo::submitted_with_approval_by(db.repo(), by).await
}

/// Change requests of a village (`Some`) or of a district's template and all its villages
/// (`None`), newest first.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn changes(
    db: &(impl AsRepo + ?Sized),
    district: DistrictId,
    village: Option<VillageId>,
) -> Result<Vec<StoredCatalogueChange>, StoreError> {
    GovernanceRepo::changes(db.repo(), district, village).await
}

/// Moves a draft to `submitted`. Returns false when it was not a draft any more.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn mark_submitted(
    db: &(impl AsRepo + ?Sized),
    id: i64,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    GovernanceRepo::mark_submitted(db.repo(), id, at).await
}

/// Remembers the DingTalk approval of a request.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_process_instance_id(
    db: &(impl AsRepo + ?Sized),
    id: i64,
    instance: &str,
) -> Result<(), StoreError> {
    GovernanceRepo::set_process_instance_id(db.repo(), id, instance).await
}

/// Records the decision of a submitted request, once: returns false when it was not
/// `submitted` any more (decided elsewhere first).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn mark_decided(
    db: &(impl AsRepo + ?Sized),
    id: i64,
    decision: &ChangeDecision,
) -> Result<bool, StoreError> {
    GovernanceRepo::mark_decided(db.repo(), id, decision).await
}

/// The district's bounds on catalogue values.
///
/// # Errors
/// [`StoreError::NotFound`], [`StoreError::Query`].
pub async fn district_bounds(
    db: &(impl AsRepo + ?Sized),
    district: DistrictId,
) -> Result<CatalogueBounds, StoreError> {
    GovernanceRepo::district_bounds(db.repo(), district).await
}

/// The newest approved version of the district's template (`village: None`) or of a village's
/// own catalogue, scheduled ones included; a village without its own gets `None`.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn latest_version(
    db: &(impl AsRepo + ?Sized),
    district: DistrictId,
    village: Option<VillageId>,
) -> Result<Option<StoredCatalogueVersion>, StoreError> {
    GovernanceRepo::latest_version(db.repo(), district, village).await
}

/// The number the district's next version must carry (see
/// the store's `next_catalogue_version_number`), on `db` (a transaction).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn next_version_number(
    db: &(impl AsRepo + ?Sized),
    district: DistrictId,
) -> Result<u32, StoreError> {
    GovernanceRepo::next_version_number(db.repo(), district).await
}

/// Writes an approved version of the district template (`village: None`) or of a village, on
/// `db` (a transaction).
///
/// # Errors
/// [`StoreError::Conflict`] (version number taken), [`StoreError::Query`].
pub async fn insert_approved_version(
    db: &(impl AsRepo + ?Sized),
    district: DistrictId,
    village: Option<VillageId>,
    version: &CatalogueVersion,
    created_by: AccountId,
) -> Result<CatalogueVersionId, StoreError> {
    GovernanceRepo::insert_approved_version(db.repo(), district, village, version, created_by).await
}

/// Records an inspection. [`StoreError::Conflict`] when the group was inspected that quarter.
///
/// # Errors
/// [`StoreError::Conflict`], [`StoreError::Query`].
pub async fn insert_inspection(
    db: &(impl AsRepo + ?Sized),
    new: &NewInspection,
) -> Result<i64, StoreError> {
    GovernanceRepo::insert_inspection(db.repo(), new).await
}

/// Whether the group was inspected in `quarter`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn inspected(
    db: &(impl AsRepo + ?Sized),
    group: GroupId,
    quarter: &str,
) -> Result<bool, StoreError> {
    GovernanceRepo::inspected(db.repo(), group, quarter).await
}

/// One group.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn group(
    db: &(impl AsRepo + ?Sized),
    id: GroupId,
) -> Result<Option<GroupRow>, StoreError> {
    GovernanceRepo::group(db.repo(), id).await
}

/// The groups of a village, by code.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn village_groups(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
) -> Result<Vec<GroupRow>, StoreError> {
    GovernanceRepo::village_groups(db.repo(), village).await
}

/// Reads the whole tree.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn org_tree(db: &(impl AsRepo + ?Sized)) -> Result<OrgTree, StoreError> {
    GovernanceRepo::org_tree(db.repo()).await
}

/// Adds a district. [`StoreError::Conflict`] for a code already used.
///
/// # Errors
/// [`StoreError::Conflict`], [`StoreError::Query`].
pub async fn insert_district(
    db: &(impl AsRepo + ?Sized),
    new: &NewDistrict,
) -> Result<DistrictId, StoreError> {
    GovernanceRepo::insert_district(db.repo(), new).await
}

/// Adds a town to a district.
///
/// # Errors
/// [`StoreError::NotFound`] (district), [`StoreError::Conflict`] (code), [`StoreError::Query`].
pub async fn insert_town(
    db: &(impl AsRepo + ?Sized),
    district: DistrictId,
    code: &str,
    name: &str,
    dept_id: Option<&str>,
) -> Result<TownId, StoreError> {
    GovernanceRepo::insert_town(db.repo(), district, code, name, dept_id).await
}

/// Adds a village to a town.
///
/// # Errors
/// [`StoreError::NotFound`] (town), [`StoreError::Conflict`] (code), [`StoreError::Query`].
pub async fn insert_village(
    db: &(impl AsRepo + ?Sized),
    town: TownId,
    code: &str,
    name: &str,
    dept_id: Option<&str>,
) -> Result<VillageId, StoreError> {
    GovernanceRepo::insert_village(db.repo(), town, code, name, dept_id).await
}

/// Adds a group to a village.
///
/// # Errors
/// [`StoreError::NotFound`] (village), [`StoreError::Conflict`] (code), [`StoreError::Query`].
pub async fn insert_group(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
    code: &str,
    name: &str,
    dept_id: Option<&str>,
) -> Result<GroupId, StoreError> {
    GovernanceRepo::insert_group(db.repo(), village, code, name, dept_id).await
}

/// A district by code.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn district_by_code(
    db: &(impl AsRepo + ?Sized),
    code: &str,
) -> Result<Option<OrgNode>, StoreError> {
    GovernanceRepo::district_by_code(db.repo(), code).await
}

/// The household codes of a village.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn household_codes(
    db: &(impl AsRepo + ?Sized),
    village: VillageId,
) -> Result<Vec<String>, StoreError> {
    GovernanceRepo::household_codes(db.repo(), village).await
}

/// Renames the town, village or group (`level`) with DingTalk department `dept_id`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn rename_by_dept(
    db: &(impl AsRepo + ?Sized),
    level: &str,
    dept_id: &str,
    name: &str,
) -> Result<(), StoreError> {
    GovernanceRepo::rename_by_dept(db.repo(), level, dept_id, name).await
}

/// Sets (or replaces) the district's notice group.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_district_notice_group(
    db: &(impl AsRepo + ?Sized),
    district: DistrictId,
    open_conversation_id: &str,
    robot_code: &str,
    by: AccountId,
) -> Result<DistrictNoticeGroup, StoreError> {
    GovernanceRepo::set_district_notice_group(
        db.repo(),
        district,
        open_conversation_id,
        robot_code,
        by,
    )
    .await
}

/// The district's notice group, if one is set.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn district_notice_group(
    db: &(impl AsRepo + ?Sized),
    district: DistrictId,
) -> Result<Option<DistrictNoticeGroup>, StoreError> {
    GovernanceRepo::district_notice_group(db.repo(), district).await
}
