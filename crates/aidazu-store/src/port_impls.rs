//! The storage adapter: implements the repository ports of `aidazu-ports` over sea-orm.

use aidazu_ports::StoreError as PortError;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};

/// A connection or a transaction seen through the repository ports.
pub struct SeaRepo<C> {
    conn: C,
    keys: std::sync::Arc<crate::PiiKeys>,
    /// For a transaction: the store and its identity epoch when the transaction began.
    began: Option<(crate::Store, u64)>,
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::accounts::AccountsRepo
    for SeaRepo<C>
{
    async fn account_by_dingtalk_user_id(
        &self,
        dingtalk_user_id: &str,
    ) -> Result<Option<crate::accounts::AccountView>, PortError> {
        crate::accounts::account_by_dingtalk_user_id(&self.conn, dingtalk_user_id)
            .await
            .map_err(Into::into)
    }
    async fn account_by_id(
        &self,
        id: aidazu_domain::AccountId,
    ) -> Result<Option<crate::accounts::AccountView>, PortError> {
        crate::accounts::account_by_id(&self.conn, id)
            .await
            .map_err(Into::into)
    }
    async fn accounts_of_member(
        &self,
        member: aidazu_domain::MemberId,
    ) -> Result<Vec<(aidazu_domain::AccountId, String)>, PortError> {
        crate::accounts::accounts_of_member(&self.conn, member)
            .await
            .map_err(Into::into)
    }
    async fn bind_account(
        &self,
        dingtalk_user_id: &str,
        name: &str,
        member: Option<aidazu_domain::MemberId>,
        mobile: Option<&str>,
    ) -> Result<aidazu_domain::AccountId, PortError> {
        crate::accounts::bind_account(
            &self.conn,
            &self.keys,
            dingtalk_user_id,
            name,
            member,
            mobile,
        )
        .await
        .map_err(Into::into)
    }
    async fn deactivate_account(&self, account: aidazu_domain::AccountId) -> Result<(), PortError> {
        crate::accounts::deactivate_account(&self.conn, account)
            .await
            .map_err(Into::into)
    }
    async fn ensure_grant(
        &self,
        account: aidazu_domain::AccountId,
        access: aidazu_domain::org::Access,
        granted_by: Option<aidazu_domain::AccountId>,
    ) -> Result<bool, PortError> {
        crate::accounts::ensure_grant(&self.conn, account, access, granted_by)
            .await
            .map_err(Into::into)
    }
    async fn binding_facts(
        &self,
        dingtalk_user_id: &str,
    ) -> Result<Option<crate::accounts::BindingFacts>, PortError> {
        crate::accounts::binding_facts(&self.conn, dingtalk_user_id)
            .await
            .map_err(Into::into)
    }
    async fn accounts_tied_to_household(
        &self,
        household: aidazu_domain::HouseholdId,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<aidazu_domain::AccountId>, PortError> {
        crate::accounts::accounts_tied_to_household(&self.conn, household, since)
            .await
            .map_err(Into::into)
    }

    async fn system_account(&self) -> Result<aidazu_domain::AccountId, PortError> {
        crate::accounts::system_account(&self.conn)
            .await
            .map_err(Into::into)
    }

    async fn ensure_account(
        &self,
        dingtalk_user_id: &str,
        name: &str,
        mobile: Option<&str>,
    ) -> Result<aidazu_domain::AccountId, PortError> {
        crate::accounts::ensure_account(&self.conn, &self.keys, dingtalk_user_id, name, mobile)
            .await
            .map_err(Into::into)
    }

    async fn grant_access(
        &self,
        account: aidazu_domain::AccountId,
        access: aidazu_domain::org::Access,
        granted_by: Option<aidazu_domain::AccountId>,
    ) -> Result<(), PortError> {
        crate::accounts::grant_access(&self.conn, account, access, granted_by)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::activities::ActivitiesRepo
    for SeaRepo<C>
{
    async fn insert_activity(
        &self,
        new: &crate::activities::NewActivity,
    ) -> Result<aidazu_domain::ActivityId, PortError> {
        crate::activities::insert_activity(&self.conn, new)
            .await
            .map_err(Into::into)
    }
    async fn activity(
        &self,
        id: aidazu_domain::ActivityId,
    ) -> Result<Option<crate::activities::StoredActivity>, PortError> {
        crate::activities::activity(&self.conn, id)
            .await
            .map_err(Into::into)
    }
    async fn village_activities(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<Vec<crate::activities::StoredActivity>, PortError> {
        crate::activities::village_activities(&self.conn, village)
            .await
            .map_err(Into::into)
    }
    async fn set_checkin_open(
        &self,
        id: aidazu_domain::ActivityId,
        open: bool,
    ) -> Result<(), PortError> {
        crate::activities::set_checkin_open(&self.conn, id, open)
            .await
            .map_err(Into::into)
    }
    async fn record_attendance(
        &self,
        activity: aidazu_domain::ActivityId,
        household: aidazu_domain::HouseholdId,
        member: aidazu_domain::MemberId,
        via: aidazu_domain::activity::AttendanceVia,
        recorded_by: aidazu_domain::AccountId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, PortError> {
        crate::activities::record_attendance(
            &self.conn,
            activity,
            household,
            member,
            via,
            recorded_by,
            at,
        )
        .await
        .map_err(Into::into)
    }
    async fn set_attendance_entry(
        &self,
        activity: aidazu_domain::ActivityId,
        household: aidazu_domain::HouseholdId,
        entry: aidazu_domain::LedgerEntryId,
    ) -> Result<(), PortError> {
        crate::activities::set_attendance_entry(&self.conn, activity, household, entry)
            .await
            .map_err(Into::into)
    }
    async fn attendance(
        &self,
        activity: aidazu_domain::ActivityId,
    ) -> Result<Vec<crate::activities::Attendance>, PortError> {
        crate::activities::attendance(&self.conn, activity)
            .await
            .map_err(Into::into)
    }
    async fn attendance_counts(
        &self,
        ids: &[aidazu_domain::ActivityId],
    ) -> Result<std::collections::HashMap<aidazu_domain::ActivityId, u32>, PortError> {
        crate::activities::attendance_counts(&self.conn, ids)
            .await
            .map_err(Into::into)
    }
    async fn add_story(
        &self,
        activity: aidazu_domain::ActivityId,
        member: Option<aidazu_domain::MemberId>,
        text: &str,
        photo_ids: &[i64],
        created_by: aidazu_domain::AccountId,
    ) -> Result<i64, PortError> {
        crate::activities::add_story(&self.conn, activity, member, text, photo_ids, created_by)
            .await
            .map_err(Into::into)
    }
    async fn stories(
        &self,
        activity: aidazu_domain::ActivityId,
    ) -> Result<Vec<crate::activities::Story>, PortError> {
        crate::activities::stories(&self.conn, activity)
            .await
            .map_err(Into::into)
    }
    async fn group_village(
        &self,
        group: aidazu_domain::GroupId,
    ) -> Result<Option<aidazu_domain::VillageId>, PortError> {
        crate::activities::group_village(&self.conn, group)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::audit::AuditRepo
    for SeaRepo<C>
{
    async fn record(&self, record: &crate::audit::AuditRecord) -> Result<i64, PortError> {
        crate::audit::record(&self.conn, record)
            .await
            .map_err(Into::into)
    }
    async fn list_page(
        &self,
        filter: crate::audit::AuditPageFilter,
    ) -> Result<(Vec<crate::audit::AuditListEntry>, u64), PortError> {
        crate::audit::list_page(&self.conn, filter)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::catalogue::CatalogueRepo
    for SeaRepo<C>
{
    async fn catalogue_version_by_id(
        &self,
        id: aidazu_domain::CatalogueVersionId,
    ) -> Result<crate::catalogue::StoredCatalogueVersion, PortError> {
        crate::catalogue::catalogue_version_by_id(&self.conn, id)
            .await
            .map_err(Into::into)
    }

    async fn catalogue_in_force(
        &self,
        village: aidazu_domain::VillageId,
        on: chrono::NaiveDate,
    ) -> Result<Option<aidazu_domain::catalogue::CatalogueVersion>, PortError> {
        crate::catalogue::catalogue_in_force(&self.conn, village, on)
            .await
            .map_err(Into::into)
    }

    async fn catalogue_in_force_stored(
        &self,
        village: aidazu_domain::VillageId,
        on: chrono::NaiveDate,
    ) -> Result<Option<aidazu_ports::catalogue::StoredCatalogueVersion>, PortError> {
        crate::catalogue::catalogue_in_force_stored(&self.conn, village, on)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::chain::ChainRepo
    for SeaRepo<C>
{
    async fn head(&self, village: aidazu_domain::VillageId) -> Result<(i64, String), PortError> {
        crate::chain::head(&self.conn, village)
            .await
            .map_err(Into::into)
    }
    async fn verify(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<crate::chain::Verification, PortError> {
        crate::chain::verify(&self.conn, village)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync>
    aidazu_ports::declarations::DeclarationsRepo for SeaRepo<C>
{
    async fn insert_declaration(
        &self,
        new: &crate::declarations::NewDeclaration,
        out_track_nonce: &str,
    ) -> Result<aidazu_domain::DeclarationId, PortError> {
        crate::declarations::insert_declaration(&self.conn, new, out_track_nonce)
            .await
            .map_err(Into::into)
    }
    async fn declaration(
        &self,
        id: aidazu_domain::DeclarationId,
    ) -> Result<Option<crate::declarations::DeclarationRecord>, PortError> {
        crate::declarations::declaration(&self.conn, id)
            .await
            .map_err(Into::into)
    }
    async fn declaration_by_process_instance(
        &self,
        process_instance_id: &str,
    ) -> Result<Option<crate::declarations::DeclarationRecord>, PortError> {
        crate::declarations::declaration_by_process_instance(&self.conn, process_instance_id)
            .await
            .map_err(Into::into)
    }
    async fn declaration_by_out_track_id(
        &self,
        out_track_id: &str,
    ) -> Result<Option<crate::declarations::DeclarationRecord>, PortError> {
        crate::declarations::declaration_by_out_track_id(&self.conn, out_track_id)
            .await
            .map_err(Into::into)
    }
    async fn household_declarations(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<crate::declarations::DeclarationRecord>, PortError> {
        crate::declarations::household_declarations(&self.conn, household)
            .await
            .map_err(Into::into)
    }
    async fn village_declarations(
        &self,
        village: aidazu_domain::VillageId,
        state: Option<aidazu_domain::declaration::DeclarationState>,
    ) -> Result<Vec<crate::declarations::DeclarationRecord>, PortError> {
        crate::declarations::village_declarations(&self.conn, village, state)
            .await
            .map_err(Into::into)
    }
    async fn in_review_submitted_before(
        &self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<crate::declarations::DeclarationRecord>, PortError> {
        crate::declarations::in_review_submitted_before(&self.conn, before)
            .await
            .map_err(Into::into)
    }
    async fn pending_of_item(
        &self,
        household: aidazu_domain::HouseholdId,
        item_code: &aidazu_domain::ItemCode,
    ) -> Result<Vec<crate::declarations::DeclarationRecord>, PortError> {
        crate::declarations::pending_of_item(&self.conn, household, item_code)
            .await
            .map_err(Into::into)
    }
    async fn decide_in_review(
        &self,
        id: aidazu_domain::DeclarationId,
        write: &crate::declarations::DecisionWrite,
    ) -> Result<bool, PortError> {
        crate::declarations::decide_in_review(&self.conn, id, write)
            .await
            .map_err(Into::into)
    }
    async fn withdraw_in_review(
        &self,
        id: aidazu_domain::DeclarationId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, PortError> {
        crate::declarations::withdraw_in_review(&self.conn, id, at)
            .await
            .map_err(Into::into)
    }
    async fn set_ledger_entry(
        &self,
        id: aidazu_domain::DeclarationId,
        entry: aidazu_domain::LedgerEntryId,
    ) -> Result<(), PortError> {
        crate::declarations::set_ledger_entry(&self.conn, id, entry)
            .await
            .map_err(Into::into)
    }
    async fn set_process_instance_id(
        &self,
        id: aidazu_domain::DeclarationId,
        process_instance_id: &str,
    ) -> Result<(), PortError> {
        crate::declarations::set_process_instance_id(&self.conn, id, process_instance_id)
            .await
            .map_err(Into::into)
    }
    async fn member_ref(
        &self,
        member: aidazu_domain::MemberId,
    ) -> Result<Option<crate::accounts::MemberRef>, PortError> {
        crate::declarations::member_ref(&self.conn, member)
            .await
            .map_err(Into::into)
    }
    async fn household_recipients(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<crate::declarations::Recipient>, PortError> {
        crate::declarations::household_recipients(&self.conn, household)
            .await
            .map_err(Into::into)
    }
    async fn scope_role_holders(
        &self,
        scope: aidazu_domain::org::Scope,
        role: aidazu_domain::org::Role,
    ) -> Result<Vec<crate::declarations::Recipient>, PortError> {
        crate::declarations::scope_role_holders(&self.conn, scope, role)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::dingtalk::DingtalkRepo
    for SeaRepo<C>
{
    async fn state_get(&self, key: &str) -> Result<Option<String>, PortError> {
        crate::dingtalk::state_get(&self.conn, key)
            .await
            .map_err(Into::into)
    }
    async fn state_put(&self, key: &str, value: &str) -> Result<(), PortError> {
        crate::dingtalk::state_put(&self.conn, key, value)
            .await
            .map_err(Into::into)
    }
    async fn account_user_id(
        &self,
        account: aidazu_domain::AccountId,
    ) -> Result<Option<String>, PortError> {
        crate::dingtalk::account_user_id(&self.conn, account)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::governance::GovernanceRepo
    for SeaRepo<C>
{
    async fn insert_change(
        &self,
        new: &crate::governance::NewCatalogueChange,
    ) -> Result<i64, PortError> {
        crate::governance::insert_change(&self.conn, new)
            .await
            .map_err(Into::into)
    }
    async fn current_base_version(
        &self,
        district: aidazu_domain::DistrictId,
        village: Option<aidazu_domain::VillageId>,
    ) -> Result<Option<u32>, PortError> {
        crate::governance::current_base_version(&self.conn, district, village)
            .await
            .map_err(Into::into)
    }
    async fn change(
        &self,
        id: i64,
    ) -> Result<Option<crate::governance::StoredCatalogueChange>, PortError> {
        crate::governance::change(&self.conn, id)
            .await
            .map_err(Into::into)
    }
    async fn change_by_process_instance(
        &self,
        instance: &str,
    ) -> Result<Option<crate::governance::StoredCatalogueChange>, PortError> {
        crate::governance::change_by_process_instance(&self.conn, instance)
            .await
            .map_err(Into::into)
    }
    async fn submitted_with_approval_by(
        &self,
        by: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<crate::governance::StoredCatalogueChange>, PortError> {
        crate::governance::submitted_with_approval_by(&self.conn, by)
            .await
            .map_err(Into::into)
    }
    async fn changes(
        &self,
        district: aidazu_domain::DistrictId,
        village: Option<aidazu_domain::VillageId>,
    ) -> Result<Vec<crate::governance::StoredCatalogueChange>, PortError> {
        crate::governance::changes(&self.conn, district, village)
            .await
            .map_err(Into::into)
    }
    async fn mark_submitted(
        &self,
        id: i64,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, PortError> {
        crate::governance::mark_submitted(&self.conn, id, at)
            .await
            .map_err(Into::into)
    }
    async fn set_process_instance_id(&self, id: i64, instance: &str) -> Result<(), PortError> {
        crate::governance::set_process_instance_id(&self.conn, id, instance)
            .await
            .map_err(Into::into)
    }
    async fn mark_decided(
        &self,
        id: i64,
        decision: &crate::governance::ChangeDecision,
    ) -> Result<bool, PortError> {
        crate::governance::mark_decided(&self.conn, id, decision)
            .await
            .map_err(Into::into)
    }
    async fn district_bounds(
        &self,
        district: aidazu_domain::DistrictId,
    ) -> Result<aidazu_domain::catalogue::CatalogueBounds, PortError> {
        crate::governance::district_bounds(&self.conn, district)
            .await
            .map_err(Into::into)
    }
    async fn latest_version(
        &self,
        district: aidazu_domain::DistrictId,
        village: Option<aidazu_domain::VillageId>,
    ) -> Result<Option<crate::catalogue::StoredCatalogueVersion>, PortError> {
        crate::governance::latest_version(&self.conn, district, village)
            .await
            .map_err(Into::into)
    }
    async fn next_version_number(
        &self,
        district: aidazu_domain::DistrictId,
    ) -> Result<u32, PortError> {
        crate::governance::next_version_number(&self.conn, district)
            .await
            .map_err(Into::into)
    }
    async fn insert_approved_version(
        &self,
        district: aidazu_domain::DistrictId,
        village: Option<aidazu_domain::VillageId>,
        version: &aidazu_domain::catalogue::CatalogueVersion,
        created_by: aidazu_domain::AccountId,
    ) -> Result<aidazu_domain::CatalogueVersionId, PortError> {
        crate::governance::insert_approved_version(
            &self.conn, district, village, version, created_by,
        )
        .await
        .map_err(Into::into)
    }
    async fn insert_inspection(
        &self,
        new: &crate::governance::NewInspection,
    ) -> Result<i64, PortError> {
        crate::governance::insert_inspection(&self.conn, new)
            .await
            .map_err(Into::into)
    }
    async fn inspected(
        &self,
        group: aidazu_domain::GroupId,
        quarter: &str,
    ) -> Result<bool, PortError> {
        crate::governance::inspected(&self.conn, group, quarter)
            .await
            .map_err(Into::into)
    }
    async fn group(
        &self,
        id: aidazu_domain::GroupId,
    ) -> Result<Option<crate::governance::GroupRow>, PortError> {
        crate::governance::group(&self.conn, id)
            .await
            .map_err(Into::into)
    }
    async fn village_groups(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<Vec<crate::governance::GroupRow>, PortError> {
        crate::governance::village_groups(&self.conn, village)
            .await
            .map_err(Into::into)
    }
    async fn org_tree(&self) -> Result<crate::governance::OrgTree, PortError> {
        crate::governance::org_tree(&self.conn)
            .await
            .map_err(Into::into)
    }
    async fn insert_district(
        &self,
        new: &crate::governance::NewDistrict,
    ) -> Result<aidazu_domain::DistrictId, PortError> {
        crate::governance::insert_district(&self.conn, new)
            .await
            .map_err(Into::into)
    }
    async fn insert_town(
        &self,
        district: aidazu_domain::DistrictId,
        code: &str,
        name: &str,
        dept_id: Option<&str>,
    ) -> Result<aidazu_domain::TownId, PortError> {
        crate::governance::insert_town(&self.conn, district, code, name, dept_id)
            .await
            .map_err(Into::into)
    }
    async fn insert_village(
        &self,
        town: aidazu_domain::TownId,
        code: &str,
        name: &str,
        dept_id: Option<&str>,
    ) -> Result<aidazu_domain::VillageId, PortError> {
        crate::governance::insert_village(&self.conn, town, code, name, dept_id)
            .await
            .map_err(Into::into)
    }
    async fn insert_group(
        &self,
        village: aidazu_domain::VillageId,
        code: &str,
        name: &str,
        dept_id: Option<&str>,
    ) -> Result<aidazu_domain::GroupId, PortError> {
        crate::governance::insert_group(&self.conn, village, code, name, dept_id)
            .await
            .map_err(Into::into)
    }
    async fn district_by_code(
        &self,
        code: &str,
    ) -> Result<Option<crate::governance::OrgNode>, PortError> {
        crate::governance::district_by_code(&self.conn, code)
            .await
            .map_err(Into::into)
    }
    async fn household_codes(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<Vec<String>, PortError> {
        crate::governance::household_codes(&self.conn, village)
            .await
            .map_err(Into::into)
    }
    async fn rename_by_dept(
        &self,
        level: &str,
        dept_id: &str,
        name: &str,
    ) -> Result<(), PortError> {
        crate::governance::rename_by_dept(&self.conn, level, dept_id, name)
            .await
            .map_err(Into::into)
    }
    async fn set_district_notice_group(
        &self,
        district: aidazu_domain::DistrictId,
        open_conversation_id: &str,
        robot_code: &str,
        by: aidazu_domain::AccountId,
    ) -> Result<crate::governance::DistrictNoticeGroup, PortError> {
        crate::governance::set_district_notice_group(
            &self.conn,
            district,
            open_conversation_id,
            robot_code,
            by,
        )
        .await
        .map_err(Into::into)
    }
    async fn district_notice_group(
        &self,
        district: aidazu_domain::DistrictId,
    ) -> Result<Option<crate::governance::DistrictNoticeGroup>, PortError> {
        crate::governance::district_notice_group(&self.conn, district)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::honours::HonoursRepo
    for SeaRepo<C>
{
    async fn freeze(
        &self,
        new: crate::honours::NewHonoursList,
    ) -> Result<crate::honours::HonoursListRecord, PortError> {
        crate::honours::freeze(&self.conn, new)
            .await
            .map_err(Into::into)
    }
    async fn frozen(
        &self,
        village: aidazu_domain::VillageId,
        year: aidazu_domain::calendar::PointsYear,
    ) -> Result<Option<crate::honours::HonoursListRecord>, PortError> {
        crate::honours::frozen(&self.conn, village, year)
            .await
            .map_err(Into::into)
    }
    async fn nominate(
        &self,
        village: aidazu_domain::VillageId,
        year: aidazu_domain::calendar::PointsYear,
        honour: &str,
        household: aidazu_domain::HouseholdId,
        member: Option<aidazu_domain::MemberId>,
        by: aidazu_domain::AccountId,
    ) -> Result<crate::honours::Nomination, PortError> {
        crate::honours::nominate(&self.conn, village, year, honour, household, member, by)
            .await
            .map_err(Into::into)
    }
    async fn nominations(
        &self,
        village: aidazu_domain::VillageId,
        year: aidazu_domain::calendar::PointsYear,
    ) -> Result<Vec<crate::honours::Nomination>, PortError> {
        crate::honours::nominations(&self.conn, village, year)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::households::HouseholdsRepo
    for SeaRepo<C>
{
    async fn household(
        &self,
        id: aidazu_domain::HouseholdId,
    ) -> Result<Option<crate::households::HouseholdRow>, PortError> {
        crate::households::household(&self.conn, id)
            .await
            .map_err(Into::into)
    }
    async fn list_households(
        &self,
        village: aidazu_domain::VillageId,
        page: u64,
        per_page: u64,
    ) -> Result<(Vec<crate::households::HouseholdListRow>, u64), PortError> {
        crate::households::list_households(&self.conn, village, page, per_page)
            .await
            .map_err(Into::into)
    }
    async fn household_members(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<crate::households::MemberRow>, PortError> {
        crate::households::household_members(&self.conn, &self.keys, household)
            .await
            .map_err(Into::into)
    }
    async fn household_members_with_accounts(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<(crate::households::MemberRow, Vec<String>)>, PortError> {
        crate::households::household_members_with_accounts(&self.conn, &self.keys, household)
            .await
            .map_err(Into::into)
    }
    async fn member(
        &self,
        id: aidazu_domain::MemberId,
    ) -> Result<Option<crate::households::MemberRow>, PortError> {
        crate::households::member(&self.conn, &self.keys, id)
            .await
            .map_err(Into::into)
    }
    async fn members_by_mobile(
        &self,
        mobile: &str,
    ) -> Result<Vec<crate::households::MemberRow>, PortError> {
        crate::households::members_by_mobile(&self.conn, &self.keys, mobile)
            .await
            .map_err(Into::into)
    }
    async fn insert_household(
        &self,
        new: &crate::households::NewHousehold,
    ) -> Result<aidazu_domain::HouseholdId, PortError> {
        crate::households::insert_household(&self.conn, new)
            .await
            .map_err(Into::into)
    }
    async fn insert_member(
        &self,
        new: &crate::households::NewMember,
    ) -> Result<aidazu_domain::MemberId, PortError> {
        crate::households::insert_member(&self.conn, &self.keys, new)
            .await
            .map_err(Into::into)
    }
    async fn update_member(
        &self,
        id: aidazu_domain::MemberId,
        patch: &crate::households::MemberPatch,
    ) -> Result<(), PortError> {
        crate::households::update_member(&self.conn, &self.keys, id, patch)
            .await
            .map_err(Into::into)
    }
    async fn insert_participation_change(
        &self,
        new: &crate::households::NewParticipationChange,
    ) -> Result<i64, PortError> {
        crate::households::insert_participation_change(&self.conn, new)
            .await
            .map_err(Into::into)
    }
    async fn participation_history(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<crate::households::ParticipationRow>, PortError> {
        crate::households::participation_history(&self.conn, household)
            .await
            .map_err(Into::into)
    }
    async fn village_participation(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<
        (
            std::collections::HashMap<aidazu_domain::HouseholdId, Vec<aidazu_domain::org::Member>>,
            Vec<aidazu_domain::org::ParticipationChange>,
        ),
        PortError,
    > {
        crate::households::village_participation(&self.conn, village)
            .await
            .map_err(Into::into)
    }
    async fn ledger_page(
        &self,
        household: aidazu_domain::HouseholdId,
        page: u64,
        per_page: u64,
    ) -> Result<(Vec<crate::households::LedgerLine>, u64), PortError> {
        crate::households::ledger_page(&self.conn, household, page, per_page)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::inbox::InboxRepo
    for SeaRepo<C>
{
    async fn insert(
        &self,
        event: crate::inbox::NewInboundEvent,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, PortError> {
        crate::inbox::insert(&self.conn, event, now)
            .await
            .map_err(Into::into)
    }
    async fn next_unapplied(&self) -> Result<Option<crate::inbox::InboundEvent>, PortError> {
        crate::inbox::next_unapplied(&self.conn)
            .await
            .map_err(Into::into)
    }
    async fn task_changes_of(
        &self,
        process_instance_id: &str,
    ) -> Result<Vec<crate::inbox::InboundEvent>, PortError> {
        crate::inbox::task_changes_of(&self.conn, process_instance_id)
            .await
            .map_err(Into::into)
    }
    async fn try_lock_applier(&self) -> Result<bool, PortError> {
        crate::inbox::try_lock_applier(&self.conn)
            .await
            .map_err(Into::into)
    }
    async fn mark_applied(
        &self,
        id: i64,
        outcome: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, PortError> {
        crate::inbox::mark_applied(&self.conn, id, outcome, now)
            .await
            .map_err(Into::into)
    }
    async fn record_failure(&self, id: i64, error: &str) -> Result<(), PortError> {
        crate::inbox::record_failure(&self.conn, id, error)
            .await
            .map_err(Into::into)
    }
    async fn list(&self) -> Result<Vec<crate::inbox::InboundEvent>, PortError> {
        crate::inbox::list(&self.conn).await.map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::jobs::JobsRepo
    for SeaRepo<C>
{
    async fn claim(
        &self,
        job: &str,
        village: aidazu_domain::VillageId,
        period: &str,
        trigger: &str,
    ) -> Result<crate::jobs::Claim, PortError> {
        crate::jobs::claim(&self.conn, job, village, period, trigger)
            .await
            .map_err(Into::into)
    }
    async fn progress(&self, id: i64, done: i32, total: i32) -> Result<(), PortError> {
        crate::jobs::progress(&self.conn, id, done, total)
            .await
            .map_err(Into::into)
    }
    async fn finish(&self, id: i64, detail: &serde_json::Value) -> Result<(), PortError> {
        crate::jobs::finish(&self.conn, id, detail)
            .await
            .map_err(Into::into)
    }
    async fn fail(&self, id: i64, error: &str) -> Result<(), PortError> {
        crate::jobs::fail(&self.conn, id, error)
            .await
            .map_err(Into::into)
    }
    async fn find(
        &self,
        job: &str,
        village: aidazu_domain::VillageId,
        period: &str,
    ) -> Result<Option<crate::jobs::JobRun>, PortError> {
        crate::jobs::find(&self.conn, job, village, period)
            .await
            .map_err(Into::into)
    }
    async fn done_keys(
        &self,
        job: &str,
    ) -> Result<std::collections::HashSet<(i64, String)>, PortError> {
        crate::jobs::done_keys(&self.conn, job)
            .await
            .map_err(Into::into)
    }
    async fn list(
        &self,
        villages: Option<&[aidazu_domain::VillageId]>,
        limit: u64,
    ) -> Result<Vec<crate::jobs::JobRun>, PortError> {
        crate::jobs::list(&self.conn, villages, limit)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::ledger::LedgerRepo
    for SeaRepo<C>
{
    async fn append_entry(
        &self,
        new: &crate::ledger::NewLedgerEntry,
    ) -> Result<aidazu_domain::LedgerEntryId, PortError> {
        crate::ledger::append_entry(&self.conn, new)
            .await
            .map_err(Into::into)
    }
    async fn lock_household(&self, household: aidazu_domain::HouseholdId) -> Result<(), PortError> {
        crate::ledger::lock_household(&self.conn, household)
            .await
            .map_err(Into::into)
    }
    async fn household_totals(
        &self,
        household: aidazu_domain::HouseholdId,
        points_year: aidazu_domain::calendar::PointsYear,
    ) -> Result<crate::ledger::HouseholdTotals, PortError> {
        crate::ledger::household_totals(&self.conn, household, points_year)
            .await
            .map_err(Into::into)
    }
    async fn village_totals(
        &self,
        village: aidazu_domain::VillageId,
        points_year: aidazu_domain::calendar::PointsYear,
    ) -> Result<Vec<crate::ledger::HouseholdYearTotals>, PortError> {
        crate::ledger::village_totals(&self.conn, village, points_year)
            .await
            .map_err(Into::into)
    }
    async fn household_entries(
        &self,
        household: aidazu_domain::HouseholdId,
        points_year: aidazu_domain::calendar::PointsYear,
    ) -> Result<Vec<crate::ledger::StoredLedgerEntry>, PortError> {
        crate::ledger::household_entries(&self.conn, household, points_year)
            .await
            .map_err(Into::into)
    }
    async fn village_entries(
        &self,
        village: aidazu_domain::VillageId,
        points_year: aidazu_domain::calendar::PointsYear,
    ) -> Result<Vec<crate::ledger::StoredLedgerEntry>, PortError> {
        crate::ledger::village_entries(&self.conn, village, points_year)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::objections::ObjectionsRepo
    for SeaRepo<C>
{
    async fn insert(
        &self,
        village: aidazu_domain::VillageId,
        publication_id: i64,
        draft: &aidazu_domain::objection::ObjectionDraft,
        photo_ids: &[i64],
        filed_on: chrono::NaiveDate,
    ) -> Result<i64, PortError> {
        crate::objections::insert(
            &self.conn,
            village,
            publication_id,
            draft,
            photo_ids,
            filed_on,
        )
        .await
        .map_err(Into::into)
    }
    async fn get(
        &self,
        id: aidazu_domain::ObjectionId,
    ) -> Result<Option<crate::objections::StoredObjection>, PortError> {
        crate::objections::get(&self.conn, id)
            .await
            .map_err(Into::into)
    }
    async fn by_household(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<crate::objections::StoredObjection>, PortError> {
        crate::objections::by_household(&self.conn, household)
            .await
            .map_err(Into::into)
    }
    async fn by_village(
        &self,
        village: aidazu_domain::VillageId,
        state: Option<aidazu_domain::objection::ObjectionState>,
    ) -> Result<Vec<crate::objections::StoredObjection>, PortError> {
        crate::objections::by_village(&self.conn, village, state)
            .await
            .map_err(Into::into)
    }
    async fn upheld(&self) -> Result<Vec<crate::objections::StoredObjection>, PortError> {
        crate::objections::upheld(&self.conn)
            .await
            .map_err(Into::into)
    }
    async fn save_decision(
        &self,
        objection: &aidazu_domain::objection::Objection,
        expected: aidazu_domain::objection::ObjectionState,
        correction_entry: Option<aidazu_domain::LedgerEntryId>,
    ) -> Result<bool, PortError> {
        crate::objections::save_decision(&self.conn, objection, expected, correction_entry)
            .await
            .map_err(Into::into)
    }
    async fn set_process_instance_id(
        &self,
        id: aidazu_domain::ObjectionId,
        process_instance_id: &str,
    ) -> Result<(), PortError> {
        crate::objections::set_process_instance_id(&self.conn, id, process_instance_id)
            .await
            .map_err(Into::into)
    }
    async fn by_process_instance(
        &self,
        process_instance_id: &str,
    ) -> Result<Option<crate::objections::StoredObjection>, PortError> {
        crate::objections::by_process_instance(&self.conn, process_instance_id)
            .await
            .map_err(Into::into)
    }
    async fn open_with_approval_filed_by(
        &self,
        filed_by: chrono::NaiveDate,
    ) -> Result<Vec<crate::objections::StoredObjection>, PortError> {
        crate::objections::open_with_approval_filed_by(&self.conn, filed_by)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::org::OrgRepo
    for SeaRepo<C>
{
    async fn district_calendar(
        &self,
        district: aidazu_domain::DistrictId,
    ) -> Result<Option<aidazu_domain::calendar::CalendarOverrides>, PortError> {
        crate::org::district_calendar(&self.conn, district)
            .await
            .map_err(Into::into)
    }
    async fn set_district_calendar(
        &self,
        district: aidazu_domain::DistrictId,
        overrides: &aidazu_domain::calendar::CalendarOverrides,
    ) -> Result<(), PortError> {
        crate::org::set_district_calendar(&self.conn, district, overrides)
            .await
            .map_err(Into::into)
    }

    async fn households(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<Vec<aidazu_ports::org::HouseholdSummary>, PortError> {
        crate::org::households(&self.conn, village)
            .await
            .map_err(Into::into)
    }

    async fn household_by_code(
        &self,
        village: aidazu_domain::VillageId,
        code: &str,
    ) -> Result<Option<aidazu_ports::org::HouseholdSummary>, PortError> {
        crate::org::household_by_code(&self.conn, village, code)
            .await
            .map_err(Into::into)
    }

    async fn household_members(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<aidazu_domain::org::Member>, PortError> {
        crate::org::household_members(&self.conn, household)
            .await
            .map_err(Into::into)
    }

    async fn list_villages(&self) -> Result<Vec<aidazu_ports::org::VillageSummary>, PortError> {
        crate::org::list_villages(&self.conn)
            .await
            .map_err(Into::into)
    }

    async fn village(
        &self,
        id: aidazu_domain::VillageId,
    ) -> Result<Option<aidazu_ports::org::VillageSummary>, PortError> {
        crate::org::village(&self.conn, id)
            .await
            .map_err(Into::into)
    }

    async fn household_village(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Option<aidazu_domain::VillageId>, PortError> {
        crate::org::household_village(&self.conn, household)
            .await
            .map_err(Into::into)
    }

    async fn village_calendar(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<aidazu_domain::calendar::PointsYearConfig, PortError> {
        crate::org::village_calendar(&self.conn, village)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::outbox::OutboxRepo
    for SeaRepo<C>
{
    async fn enqueue(&self, message: crate::outbox::NewOutboxMessage) -> Result<i64, PortError> {
        crate::outbox::enqueue(&self.conn, message)
            .await
            .map_err(Into::into)
    }
    async fn get_by_key(
        &self,
        dedupe_key: &str,
    ) -> Result<Option<crate::outbox::OutboxMessage>, PortError> {
        crate::outbox::get_by_key(&self.conn, dedupe_key)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync>
    aidazu_ports::outbox_lease::OutboxLeaseRepo for SeaRepo<C>
{
    async fn claim_due(
        &self,
        worker: &str,
        now: chrono::DateTime<chrono::Utc>,
        lease: chrono::Duration,
        limit: u64,
    ) -> Result<Vec<crate::outbox::OutboxMessage>, PortError> {
        crate::outbox_lease::claim_due(&self.conn, worker, now, lease, limit)
            .await
            .map_err(Into::into)
    }
    async fn mark_sent(
        &self,
        id: i64,
        worker: &str,
        result: &serde_json::Value,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, PortError> {
        crate::outbox_lease::mark_sent(&self.conn, id, worker, result, now)
            .await
            .map_err(Into::into)
    }
    async fn schedule_retry(
        &self,
        id: i64,
        worker: &str,
        next_attempt_at: chrono::DateTime<chrono::Utc>,
        error: &str,
    ) -> Result<bool, PortError> {
        crate::outbox_lease::schedule_retry(&self.conn, id, worker, next_attempt_at, error)
            .await
            .map_err(Into::into)
    }
    async fn mark_failed(&self, id: i64, worker: &str, error: &str) -> Result<bool, PortError> {
        crate::outbox_lease::mark_failed(&self.conn, id, worker, error)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::photos::PhotosRepo
    for SeaRepo<C>
{
    async fn insert_photo(
        &self,
        new: &crate::photos::NewPhoto,
    ) -> Result<(crate::photos::PhotoRecord, bool), PortError> {
        crate::photos::insert_photo(&self.conn, new)
            .await
            .map_err(Into::into)
    }
    async fn uploaders(
        &self,
        photo_id: i64,
    ) -> Result<Vec<(aidazu_domain::AccountId, Option<aidazu_domain::HouseholdId>)>, PortError>
    {
        crate::photos::uploaders(&self.conn, photo_id)
            .await
            .map_err(Into::into)
    }
    async fn uploaded_by_household(
        &self,
        photo_id: i64,
        household: aidazu_domain::HouseholdId,
    ) -> Result<bool, PortError> {
        crate::photos::uploaded_by_household(&self.conn, photo_id, household)
            .await
            .map_err(Into::into)
    }
    async fn photo(&self, id: i64) -> Result<Option<crate::photos::PhotoRecord>, PortError> {
        crate::photos::photo(&self.conn, id)
            .await
            .map_err(Into::into)
    }
    async fn photos_by_ids(
        &self,
        ids: &[i64],
    ) -> Result<Vec<crate::photos::PhotoRecord>, PortError> {
        crate::photos::photos_by_ids(&self.conn, ids)
            .await
            .map_err(Into::into)
    }
    async fn other_declarations_with_same_photos(
        &self,
        photo_ids: &[i64],
        except: Option<aidazu_domain::DeclarationId>,
    ) -> Result<Vec<aidazu_domain::DeclarationId>, PortError> {
        crate::photos::other_declarations_with_same_photos(&self.conn, photo_ids, except)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync>
    aidazu_ports::publications::PublicationsRepo for SeaRepo<C>
{
    async fn insert(
        &self,
        new: &crate::publications::NewPublication,
    ) -> Result<Option<crate::publications::PublicationRecord>, PortError> {
        crate::publications::insert(&self.conn, new)
            .await
            .map_err(Into::into)
    }
    async fn get(
        &self,
        village: aidazu_domain::VillageId,
        quarter: aidazu_domain::calendar::Quarter,
        version: Option<u32>,
    ) -> Result<Option<crate::publications::PublicationRecord>, PortError> {
        crate::publications::get(&self.conn, village, quarter, version)
            .await
            .map_err(Into::into)
    }
    async fn list(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<Vec<crate::publications::PublicationRecord>, PortError> {
        crate::publications::list(&self.conn, village)
            .await
            .map_err(Into::into)
    }
    async fn published_villages(
        &self,
        candidates: &[aidazu_domain::VillageId],
        quarter: aidazu_domain::calendar::Quarter,
    ) -> Result<Vec<aidazu_domain::VillageId>, PortError> {
        crate::publications::published_villages(&self.conn, candidates, quarter)
            .await
            .map_err(Into::into)
    }
    async fn set_notice_group(
        &self,
        village: aidazu_domain::VillageId,
        open_conversation_id: &str,
        robot_code: &str,
        by: aidazu_domain::AccountId,
    ) -> Result<crate::publications::NoticeGroup, PortError> {
        crate::publications::set_notice_group(
            &self.conn,
            village,
            open_conversation_id,
            robot_code,
            by,
        )
        .await
        .map_err(Into::into)
    }
    async fn notice_group(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<Option<crate::publications::NoticeGroup>, PortError> {
        crate::publications::notice_group(&self.conn, village)
            .await
            .map_err(Into::into)
    }
    async fn board_households(
        &self,
        village: aidazu_domain::VillageId,
    ) -> Result<
        (
            aidazu_domain::org::NameDisplay,
            std::collections::HashMap<
                aidazu_domain::HouseholdId,
                crate::publications::BoardHousehold,
            >,
        ),
        PortError,
    > {
        crate::publications::board_households(&self.conn, village)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::read_models::ReadModelsRepo
    for SeaRepo<C>
{
    async fn village_year_totals(
        &self,
        village: aidazu_domain::VillageId,
        points_year: aidazu_domain::calendar::PointsYear,
    ) -> Result<
        std::collections::HashMap<aidazu_domain::HouseholdId, aidazu_domain::ledger::YearTotals>,
        PortError,
    > {
        crate::read_models::village_year_totals(&self.conn, village, points_year)
            .await
            .map_err(Into::into)
    }
    async fn participating_households(
        &self,
        village: aidazu_domain::VillageId,
        on: chrono::NaiveDate,
    ) -> Result<Vec<aidazu_domain::HouseholdId>, PortError> {
        crate::read_models::participating_households(&self.conn, village, on)
            .await
            .map_err(Into::into)
    }
    async fn standing(
        &self,
        household: aidazu_domain::HouseholdId,
        points_year: aidazu_domain::calendar::PointsYear,
        on: chrono::NaiveDate,
    ) -> Result<Option<crate::read_models::Standing>, PortError> {
        crate::read_models::standing(&self.conn, household, points_year, on)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::sessions::SessionsRepo
    for SeaRepo<C>
{
    async fn insert_refresh_token(
        &self,
        new: &crate::sessions::NewRefreshToken,
    ) -> Result<i64, PortError> {
        crate::sessions::insert_refresh_token(&self.conn, new)
            .await
            .map_err(Into::into)
    }
    async fn refresh_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<crate::sessions::RefreshTokenRow>, PortError> {
        crate::sessions::refresh_token_by_hash(&self.conn, token_hash)
            .await
            .map_err(Into::into)
    }
    async fn mark_rotated(
        &self,
        old: i64,
        new: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, PortError> {
        crate::sessions::mark_rotated(&self.conn, old, new, now)
            .await
            .map_err(Into::into)
    }
    async fn revoke_family(
        &self,
        family_id: &str,
        now: chrono::DateTime<chrono::Utc>,
        reason: &str,
    ) -> Result<u64, PortError> {
        crate::sessions::revoke_family(&self.conn, family_id, now, reason)
            .await
            .map_err(Into::into)
    }
    async fn revoke_account(
        &self,
        account: aidazu_domain::AccountId,
        now: chrono::DateTime<chrono::Utc>,
        reason: &str,
    ) -> Result<u64, PortError> {
        crate::sessions::revoke_account(&self.conn, account, now, reason)
            .await
            .map_err(Into::into)
    }
    async fn family_is_live(
        &self,
        family_id: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, PortError> {
        crate::sessions::family_is_live(&self.conn, family_id, now)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::shop::ShopRepo
    for SeaRepo<C>
{
    async fn insert_item(
        &self,
        new: &crate::shop::NewShopItem,
    ) -> Result<aidazu_domain::ShopItemId, PortError> {
        crate::shop::insert_item(&self.conn, new)
            .await
            .map_err(Into::into)
    }
    async fn item(
        &self,
        id: aidazu_domain::ShopItemId,
        for_update: bool,
    ) -> Result<Option<crate::shop::StoredShopItem>, PortError> {
        crate::shop::item(&self.conn, id, for_update)
            .await
            .map_err(Into::into)
    }
    async fn village_items(
        &self,
        village: aidazu_domain::VillageId,
        include_paused: bool,
    ) -> Result<Vec<crate::shop::StoredShopItem>, PortError> {
        crate::shop::village_items(&self.conn, village, include_paused)
            .await
            .map_err(Into::into)
    }
    async fn update_item(
        &self,
        id: aidazu_domain::ShopItemId,
        patch: &crate::shop::ShopItemPatch,
    ) -> Result<crate::shop::StoredShopItem, PortError> {
        crate::shop::update_item(&self.conn, id, patch)
            .await
            .map_err(Into::into)
    }
    async fn take_stock(
        &self,
        id: aidazu_domain::ShopItemId,
        quantity: u32,
    ) -> Result<bool, PortError> {
        crate::shop::take_stock(&self.conn, id, quantity)
            .await
            .map_err(Into::into)
    }
    async fn return_stock(
        &self,
        id: aidazu_domain::ShopItemId,
        quantity: u32,
    ) -> Result<(), PortError> {
        crate::shop::return_stock(&self.conn, id, quantity)
            .await
            .map_err(Into::into)
    }
    async fn reserve_order_id(&self) -> Result<aidazu_domain::OrderId, PortError> {
        crate::shop::reserve_order_id(&self.conn)
            .await
            .map_err(Into::into)
    }
    async fn insert_order(
        &self,
        order: &aidazu_domain::shop::Order,
        village: aidazu_domain::VillageId,
        item_name: &str,
        pickup_code: &str,
    ) -> Result<bool, PortError> {
        crate::shop::insert_order(&self.conn, order, village, item_name, pickup_code)
            .await
            .map_err(Into::into)
    }
    async fn save_order_state(
        &self,
        order: &aidazu_domain::shop::Order,
        delivery_photo_id: Option<i64>,
    ) -> Result<(), PortError> {
        crate::shop::save_order_state(&self.conn, order, delivery_photo_id)
            .await
            .map_err(Into::into)
    }
    async fn order(
        &self,
        id: aidazu_domain::OrderId,
        for_update: bool,
    ) -> Result<Option<crate::shop::StoredOrder>, PortError> {
        crate::shop::order(&self.conn, id, for_update)
            .await
            .map_err(Into::into)
    }
    async fn order_by_pickup_code(
        &self,
        village: aidazu_domain::VillageId,
        code: &str,
    ) -> Result<Option<crate::shop::StoredOrder>, PortError> {
        crate::shop::order_by_pickup_code(&self.conn, village, code)
            .await
            .map_err(Into::into)
    }
    async fn household_orders(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<crate::shop::StoredOrder>, PortError> {
        crate::shop::household_orders(&self.conn, household)
            .await
            .map_err(Into::into)
    }
    async fn village_orders(
        &self,
        village: aidazu_domain::VillageId,
        state: Option<&str>,
    ) -> Result<Vec<crate::shop::StoredOrder>, PortError> {
        crate::shop::village_orders(&self.conn, village, state)
            .await
            .map_err(Into::into)
    }
    async fn overdue_orders(
        &self,
        today: chrono::NaiveDate,
    ) -> Result<Vec<crate::shop::StoredOrder>, PortError> {
        crate::shop::overdue_orders(&self.conn, today)
            .await
            .map_err(Into::into)
    }
    async fn ordered_in_window(
        &self,
        household: aidazu_domain::HouseholdId,
        item: aidazu_domain::ShopItemId,
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
    ) -> Result<u32, PortError> {
        crate::shop::ordered_in_window(&self.conn, household, item, first, last)
            .await
            .map_err(Into::into)
    }
    async fn append_fund_entry(
        &self,
        village: aidazu_domain::VillageId,
        entry: &aidazu_domain::shop::funds::FundEntryDraft,
        occurred_on: chrono::NaiveDate,
        actor: aidazu_domain::AccountId,
    ) -> Result<i64, PortError> {
        crate::shop::append_fund_entry(&self.conn, village, entry, occurred_on, actor)
            .await
            .map_err(Into::into)
    }
    async fn fund_entries(
        &self,
        village: aidazu_domain::VillageId,
        first: Option<chrono::NaiveDate>,
        last: Option<chrono::NaiveDate>,
    ) -> Result<Vec<crate::shop::StoredFundEntry>, PortError> {
        crate::shop::fund_entries(&self.conn, village, first, last)
            .await
            .map_err(Into::into)
    }
    async fn village_points_by_kind(
        &self,
        village: aidazu_domain::VillageId,
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
    ) -> Result<Vec<(aidazu_domain::ledger::EntryKind, i64)>, PortError> {
        crate::shop::village_points_by_kind(&self.conn, village, first, last)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync> aidazu_ports::stats::StatsRepo
    for SeaRepo<C>
{
    async fn village_facts(
        &self,
        village: aidazu_domain::VillageId,
        period: &aidazu_domain::stats::Period,
        year: aidazu_domain::calendar::PointsYear,
    ) -> Result<aidazu_domain::stats::VillageFacts, PortError> {
        crate::stats::village_facts(&self.conn, village, period, year)
            .await
            .map_err(Into::into)
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait + TransactionTrait + Send + Sync>
    aidazu_ports::participation::ParticipationRepo for SeaRepo<C>
{
    async fn participation_history(
        &self,
        household: aidazu_domain::HouseholdId,
    ) -> Result<Vec<aidazu_domain::org::ParticipationChange>, PortError> {
        crate::participation::participation_history(&self.conn, household)
            .await
            .map_err(Into::into)
    }
}

/// The store seen through [`aidazu_ports::StoragePort`].
pub struct SeaStorage {
    store: crate::Store,
    keys: std::sync::Arc<crate::PiiKeys>,
    conn: SeaRepo<DatabaseConnection>,
}

impl SeaStorage {
    /// Wraps a connected store.
    #[must_use]
    pub fn new(store: crate::Store, keys: crate::PiiKeys) -> Self {
        let keys = std::sync::Arc::new(keys);
        let conn = SeaRepo {
            conn: store.connection().clone(),
            keys: keys.clone(),
            began: None,
        };
        Self { store, keys, conn }
    }
}

#[async_trait::async_trait]
impl aidazu_ports::StoragePort for SeaStorage {
    fn repo(&self) -> &dyn aidazu_ports::Repo {
        &self.conn
    }

    async fn begin(&self) -> Result<Box<dyn aidazu_ports::TransactionPort>, PortError> {
        let epoch = self.store.identity_epoch();
        Ok(Box::new(SeaRepo {
            conn: self.store.begin().await?,
            keys: self.keys.clone(),
            began: Some((self.store.clone(), epoch)),
        }))
    }

    async fn pending_migrations(&self) -> Result<Vec<String>, PortError> {
        self.store.pending_migrations().await.map_err(Into::into)
    }

    async fn ping(&self) -> Result<(), PortError> {
        self.store.ping().await.map_err(Into::into)
    }

    fn backend(&self) -> crate::Backend {
        self.store.backend()
    }

    fn pool_size(&self) -> u32 {
        self.store.pool_size()
    }

    fn statements(&self) -> u64 {
        self.store.statements()
    }

    fn identity_epoch(&self) -> u64 {
        self.store.identity_epoch()
    }
}

#[async_trait::async_trait]
impl aidazu_ports::TransactionPort for SeaRepo<DatabaseTransaction> {
    /// Commits; when the transaction wrote identity tables (the epoch moved while it ran), moves
    /// the epoch once more *after* the commit: a cache refilled between the write statement and
    /// the commit read the old rows, and must not outlive the commit.
    async fn commit(self: Box<Self>) -> Result<(), PortError> {
        let SeaRepo { conn, began, .. } = *self;
        conn.commit()
            .await
            .map_err(|e| PortError::from(crate::StoreError::Query(e)))?;
        if let Some((store, at_begin)) = began
            && store.identity_epoch() != at_begin
        {
            store.bump_identity_epoch();
        }
        Ok(())
    }

    async fn rollback(self: Box<Self>) -> Result<(), PortError> {
        self.conn
            .rollback()
            .await
            .map_err(|e| PortError::from(crate::StoreError::Query(e)))
    }
}
