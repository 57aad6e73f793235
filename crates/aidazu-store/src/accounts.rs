//! Accounts (people who log in, F1), their role grants (R1), and member lookups by mobile
//! through the keyed hash (R4).

use aidazu_domain::org::{Access, Role, Scope};
use aidazu_domain::{AccountId, DistrictId, HouseholdId, MemberId, TownId, VillageId};
use chrono::Utc;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;

use crate::entities::{accounts, members, role_grants};
use crate::error::StoreError;
use crate::pii::PiiKeys;
use crate::store::Store;

/// The DingTalk user id of the built-in system account: the actor of jobs and of the demo seed.
/// It is inactive, so nobody can log in as it.
pub const SYSTEM_DINGTALK_USER_ID: &str = "__aidazu_system__";

/// An account with its grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountView {
    pub id: AccountId,
    pub dingtalk_user_id: String,
    pub name: String,
    /// The member this person is, when bound (F1).
    pub member: Option<MemberId>,
    pub active: bool,
    pub grants: Vec<Access>,
}

/// A member found by mobile number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberRef {
    pub id: MemberId,
    pub household: HouseholdId,
    pub village: VillageId,
    pub name: String,
}

impl Store {
    /// The system account (created on first use).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn system_account(&self) -> Result<AccountId, StoreError> {
        ensure_system_account(self.connection()).await
    }

    /// The account of a DingTalk user with its grants, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Corrupt`].
    pub async fn account_by_dingtalk_user_id(
        &self,
        dingtalk_user_id: &str,
    ) -> Result<Option<AccountView>, StoreError> {
        let db = self.connection();
        let Some(account) = accounts::Entity::find()
            .filter(accounts::Column::DingtalkUserId.eq(dingtalk_user_id))
            .one(db)
            .await?
        else {
            return Ok(None);
        };
        let grants = role_grants::Entity::find()
            .filter(role_grants::Column::AccountId.eq(account.id))
            .order_by_asc(role_grants::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|g| grant_to_access(&g))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(AccountView {
            id: AccountId(account.id),
            dingtalk_user_id: account.dingtalk_user_id,
            name: account.name,
            member: account.member_id.map(MemberId),
            active: account.active,
            grants,
        }))
    }

    /// Members whose mobile has this number, found by keyed hash (never by plaintext).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn members_by_mobile(
        &self,
        keys: &PiiKeys,
        mobile: &str,
    ) -> Result<Vec<MemberRef>, StoreError> {
        let rows = members::Entity::find()
            .filter(members::Column::MobileLookup.eq(keys.lookup_hash(mobile)))
            .order_by_asc(members::Column::Id)
            .all(self.connection())
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| MemberRef {
                id: MemberId(m.id),
                household: HouseholdId(m.household_id),
                village: VillageId(m.village_id),
                name: m.name,
            })
            .collect())
    }

    /// A member's mobile number, decrypted, or `None` when the member has none.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Crypto`], [`StoreError::Query`].
    pub async fn member_mobile(
        &self,
        keys: &PiiKeys,
        member: MemberId,
    ) -> Result<Option<String>, StoreError> {
        let row = members::Entity::find_by_id(member.get())
            .one(self.connection())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "member",
                key: member.to_string(),
            })?;
        match (row.mobile_key_id, row.mobile_ciphertext) {
            (Some(key_id), Some(ciphertext)) => keys.decrypt(&key_id, &ciphertext).map(Some),
            _ => Ok(None),
        }
    }
}

pub(crate) async fn ensure_system_account<C: ConnectionTrait>(
    db: &C,
) -> Result<AccountId, StoreError> {
    if let Some(existing) = accounts::Entity::find()
        .filter(accounts::Column::DingtalkUserId.eq(SYSTEM_DINGTALK_USER_ID))
        .one(db)
        .await?
    {
        return Ok(AccountId(existing.id));
    }
    let now = Utc::now();
    let inserted = accounts::Entity::insert(accounts::ActiveModel {
        id: NotSet,
        dingtalk_user_id: Set(SYSTEM_DINGTALK_USER_ID.to_owned()),
        name: Set("系统".to_owned()),
        member_id: Set(None),
        mobile_ciphertext: Set(None),
        mobile_key_id: Set(None),
        mobile_lookup: Set(None),
        active: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await
    .map_err(|err| StoreError::from_write(err, "system account"))?;
    Ok(AccountId(inserted.last_insert_id))
}

pub(crate) fn role_str(role: Role) -> &'static str {
    match role {
        Role::Villager => "villager",
        Role::VillageAdmin => "village_admin",
        Role::VillageCommittee => "village_committee",
        Role::TownOfficer => "town_officer",
        Role::DistrictOfficer => "district_officer",
    }
}

fn grant_to_access(grant: &role_grants::Model) -> Result<Access, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("role grant {}", grant.id));
    let role = match grant.role.as_str() {
        "villager" => Role::Villager,
        "village_admin" => Role::VillageAdmin,
        "village_committee" => Role::VillageCommittee,
        "town_officer" => Role::TownOfficer,
        "district_officer" => Role::DistrictOfficer,
        _ => return Err(corrupt()),
    };
    let scope = match grant.scope_kind.as_str() {
        "village" => Scope::Village(VillageId(grant.scope_id)),
        "town" => Scope::Town(TownId(grant.scope_id)),
        "district" => Scope::District(DistrictId(grant.scope_id)),
        _ => return Err(corrupt()),
    };
    Access::new(role, scope).map_err(|_| corrupt())
}
