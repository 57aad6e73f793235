//! Accounts (people who log in, F1), their role grants (R1), and member lookups by mobile
//! through the keyed hash (R4).

use aidazu_domain::org::{Access, Role, Scope};
use aidazu_domain::{AccountId, DistrictId, HouseholdId, MemberId, TownId, VillageId};
use chrono::Utc;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entities::{accounts, members, past_bindings, role_grants};
use crate::error::StoreError;
use crate::pii::PiiKeys;
use crate::store::Store;

pub use aidazu_ports::accounts::{AccountView, BindingFacts, MemberRef, SYSTEM_DINGTALK_USER_ID};

impl Store {
    /// The system account (created on first use).
    ///
    /// # Errors
    /// [`StoreError::Query`].
    pub async fn system_account(&self) -> Result<AccountId, StoreError> {
        system_account(self.connection()).await
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

    /// Creates the account of a DingTalk user on first login (F1), or refreshes its name and
    /// mobile; returns its id. The mobile is stored encrypted with its lookup hash.
    ///
    /// # Errors
    /// [`StoreError::Crypto`], [`StoreError::Query`].
    pub async fn ensure_account(
        &self,
        keys: &PiiKeys,
        dingtalk_user_id: &str,
        name: &str,
        mobile: Option<&str>,
    ) -> Result<AccountId, StoreError> {
        ensure_account(self.connection(), keys, dingtalk_user_id, name, mobile).await
    }

    /// Binds an account to the member it is (F1: by mobile on first login, or by an admin).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown account or member, [`StoreError::Query`].
    pub async fn bind_account_to_member(
        &self,
        account: AccountId,
        member: MemberId,
    ) -> Result<(), StoreError> {
        let db = self.connection();
        if members::Entity::find_by_id(member.get())
            .one(db)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound {
                entity: "member",
                key: member.to_string(),
            });
        }
        let row = accounts::Entity::find_by_id(account.get())
            .one(db)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "account",
                key: account.to_string(),
            })?;
        if let Some(old) = row.member_id
            && old != member.get()
        {
            record_ended_binding(db, account, MemberId(old), crate::stamp::now()).await?;
        }
        let mut active: accounts::ActiveModel = row.into();
        active.member_id = Set(Some(member.get()));
        active.updated_at = Set(crate::stamp::now());
        accounts::Entity::update(active).exec(db).await?;
        Ok(())
    }

    /// Grants a role over a scope (idempotent: an existing identical grant is kept).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an unknown account, [`StoreError::Query`].
    pub async fn grant_access(
        &self,
        account: AccountId,
        access: Access,
        granted_by: Option<AccountId>,
    ) -> Result<(), StoreError> {
        grant_access(self.connection(), account, access, granted_by).await
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
    let now = crate::stamp::now();
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

pub(crate) fn parse_role(text: &str) -> Result<Role, StoreError> {
    Ok(match text {
        "villager" => Role::Villager,
        "village_admin" => Role::VillageAdmin,
        "village_committee" => Role::VillageCommittee,
        "town_officer" => Role::TownOfficer,
        "district_officer" => Role::DistrictOfficer,
        other => return Err(StoreError::Corrupt(format!("role {other:?}"))),
    })
}

fn scope_parts(scope: Scope) -> (&'static str, i64) {
    match scope {
        Scope::Village(v) => ("village", v.get()),
        Scope::Town(t) => ("town", t.get()),
        Scope::District(d) => ("district", d.get()),
    }
}

fn grant_to_access(grant: &role_grants::Model) -> Result<Access, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("role grant {}", grant.id));
    let role = parse_role(&grant.role)?;
    let scope = match grant.scope_kind.as_str() {
        "village" => Scope::Village(VillageId(grant.scope_id)),
        "town" => Scope::Town(TownId(grant.scope_id)),
        "district" => Scope::District(DistrictId(grant.scope_id)),
        _ => return Err(corrupt()),
    };
    Access::new(role, scope).map_err(|_| corrupt())
}

/// The account with this DingTalk user id and its grants, on `db` (use inside a transaction).
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn account_by_dingtalk_user_id<C: ConnectionTrait>(
    db: &C,
    dingtalk_user_id: &str,
) -> Result<Option<AccountView>, StoreError> {
    let Some(account) = accounts::Entity::find()
        .filter(accounts::Column::DingtalkUserId.eq(dingtalk_user_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    view_of(db, account).await.map(Some)
}

/// The account with this id and its grants.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Corrupt`].
pub async fn account_by_id<C: ConnectionTrait>(
    db: &C,
    id: AccountId,
) -> Result<Option<AccountView>, StoreError> {
    let Some(account) = accounts::Entity::find_by_id(id.get()).one(db).await? else {
        return Ok(None);
    };
    view_of(db, account).await.map(Some)
}

/// Active accounts bound to a member.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn accounts_of_member<C: ConnectionTrait>(
    db: &C,
    member: MemberId,
) -> Result<Vec<(AccountId, String)>, StoreError> {
    Ok(accounts::Entity::find()
        .filter(accounts::Column::MemberId.eq(member.get()))
        .filter(accounts::Column::Active.eq(true))
        .order_by_asc(accounts::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| (AccountId(a.id), a.dingtalk_user_id))
        .collect())
}

/// Creates the account of a DingTalk user or updates it: binds it to `member`, sets the name and
/// (when given) the mobile (encrypted + lookup hash, R4), and makes it active. Returns its id.
///
/// # Errors
/// [`StoreError::Crypto`], [`StoreError::Conflict`], [`StoreError::Query`].
pub async fn bind_account<C: ConnectionTrait>(
    db: &C,
    keys: &PiiKeys,
    dingtalk_user_id: &str,
    name: &str,
    member: Option<MemberId>,
    mobile: Option<&str>,
) -> Result<AccountId, StoreError> {
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    let now = crate::stamp::now();
    let sealed = mobile.map(|m| keys.encrypt(m)).transpose()?;
    let lookup = mobile.map(|m| keys.lookup_hash(m));
    let existing = accounts::Entity::find()
        .filter(accounts::Column::DingtalkUserId.eq(dingtalk_user_id))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let id = row.id;
            if let Some(old) = row.member_id
                && member.map(MemberId::get) != Some(old)
            {
                record_ended_binding(db, AccountId(id), MemberId(old), now).await?;
            }
            let mut active = row.into_active_model();
            active.name = Set(name.to_owned());
            active.member_id = Set(member.map(MemberId::get));
            if let Some(sealed) = sealed {
                active.mobile_key_id = Set(Some(sealed.key_id));
                active.mobile_ciphertext = Set(Some(sealed.ciphertext));
                active.mobile_lookup = Set(lookup);
            }
            active.active = Set(true);
            active.updated_at = Set(now);
            active.update(db).await?;
            Ok(AccountId(id))
        }
        None => {
            let inserted = accounts::Entity::insert(accounts::ActiveModel {
                id: NotSet,
                dingtalk_user_id: Set(dingtalk_user_id.to_owned()),
                name: Set(name.to_owned()),
                member_id: Set(member.map(MemberId::get)),
                mobile_key_id: Set(sealed.as_ref().map(|s| s.key_id.clone())),
                mobile_ciphertext: Set(sealed.map(|s| s.ciphertext)),
                mobile_lookup: Set(lookup),
                active: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec(db)
            .await
            .map_err(|err| StoreError::from_write(err, "account"))?;
            Ok(AccountId(inserted.last_insert_id))
        }
    }
}

/// Unbinds an account from its member and deactivates it (the person left the organisation).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn deactivate_account<C: ConnectionTrait>(
    db: &C,
    account: AccountId,
) -> Result<(), StoreError> {
    use sea_orm::sea_query::Expr;
    if let Some(row) = accounts::Entity::find_by_id(account.get()).one(db).await?
        && let Some(old) = row.member_id
    {
        record_ended_binding(db, account, MemberId(old), crate::stamp::now()).await?;
    }
    accounts::Entity::update_many()
        .col_expr(accounts::Column::MemberId, Expr::value(Option::<i64>::None))
        .col_expr(accounts::Column::Active, Expr::value(false))
        .col_expr(
            accounts::Column::UpdatedAt,
            Expr::value(crate::stamp::now()),
        )
        .filter(accounts::Column::Id.eq(account.get()))
        .exec(db)
        .await?;
    Ok(())
}

/// Grants a role in a scope unless the account already has it. Returns whether it was added.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn ensure_grant<C: ConnectionTrait>(
    db: &C,
    account: AccountId,
    access: Access,
    granted_by: Option<AccountId>,
) -> Result<bool, StoreError> {
    let (kind, id) = match access.scope() {
        Scope::Village(v) => ("village", v.get()),
        Scope::Town(t) => ("town", t.get()),
        Scope::District(d) => ("district", d.get()),
    };
    let role = role_str(access.role());
    let exists = role_grants::Entity::find()
        .filter(role_grants::Column::AccountId.eq(account.get()))
        .filter(role_grants::Column::Role.eq(role))
        .filter(role_grants::Column::ScopeKind.eq(kind))
        .filter(role_grants::Column::ScopeId.eq(id))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(false);
    }
    role_grants::Entity::insert(role_grants::ActiveModel {
        id: NotSet,
        account_id: Set(account.get()),
        role: Set(role.to_owned()),
        scope_kind: Set(kind.to_owned()),
        scope_id: Set(id),
        granted_by: Set(granted_by.map(AccountId::get)),
        granted_at: Set(crate::stamp::now()),
    })
    .exec(db)
    .await
    .map_err(|err| StoreError::from_write(err, "role grant"))?;
    Ok(true)
}

/// Records that `account` stopped being `member` at `at` (D6: recusal by person).
async fn record_ended_binding<C: ConnectionTrait>(
    db: &C,
    account: AccountId,
    member: MemberId,
    at: chrono::DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(m) = members::Entity::find_by_id(member.get()).one(db).await? else {
        return Ok(());
    };
    past_bindings::Entity::insert(past_bindings::ActiveModel {
        id: NotSet,
        account_id: Set(account.get()),
        member_id: Set(member.get()),
        household_id: Set(m.household_id),
        village_id: Set(m.village_id),
        ended_at: Set(at),
    })
    .exec(db)
    .await
    .map_err(|err| StoreError::from_write(err, "past binding"))?;
    Ok(())
}

/// What binding needs to know about the account of a DingTalk user; `None` when it has none.
///
/// # Errors
/// [`StoreError::Query`], [`StoreError::Invalid`] for a malformed stored grant.
pub async fn binding_facts<C: ConnectionTrait>(
    db: &C,
    dingtalk_user_id: &str,
) -> Result<Option<BindingFacts>, StoreError> {
    let Some(row) = accounts::Entity::find()
        .filter(accounts::Column::DingtalkUserId.eq(dingtalk_user_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let member_village = match row.member_id {
        Some(m) => members::Entity::find_by_id(m)
            .one(db)
            .await?
            .map(|m| VillageId(m.village_id)),
        None => None,
    };
    let mut past_villages: Vec<VillageId> = past_bindings::Entity::find()
        .filter(past_bindings::Column::AccountId.eq(row.id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| VillageId(p.village_id))
        .collect();
    past_villages.sort_unstable();
    past_villages.dedup();
    let active = row.active;
    let view = view_of(db, row).await?;
    Ok(Some(BindingFacts {
        account: view.id,
        active,
        member_village,
        past_villages,
        grants: view.grants,
    }))
}

/// The accounts that are bound, or since `since` were bound, to a member of `household`
/// (D6: recusal by person across the points-year).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn accounts_tied_to_household<C: ConnectionTrait>(
    db: &C,
    household: HouseholdId,
    since: chrono::DateTime<Utc>,
) -> Result<Vec<AccountId>, StoreError> {
    let member_ids: Vec<i64> = members::Entity::find()
        .filter(members::Column::HouseholdId.eq(household.get()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let mut out: Vec<AccountId> = if member_ids.is_empty() {
        Vec::new()
    } else {
        accounts::Entity::find()
            .filter(accounts::Column::MemberId.is_in(member_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| AccountId(a.id))
            .collect()
    };
    out.extend(
        past_bindings::Entity::find()
            .filter(past_bindings::Column::HouseholdId.eq(household.get()))
            .filter(past_bindings::Column::EndedAt.gte(since))
            .all(db)
            .await?
            .into_iter()
            .map(|p| AccountId(p.account_id)),
    );
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

async fn view_of<C: ConnectionTrait>(
    db: &C,
    account: accounts::Model,
) -> Result<AccountView, StoreError> {
    let grants = role_grants::Entity::find()
        .filter(role_grants::Column::AccountId.eq(account.id))
        .order_by_asc(role_grants::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|g| grant_to_access(&g))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(AccountView {
        id: AccountId(account.id),
        dingtalk_user_id: account.dingtalk_user_id,
        name: account.name,
        member: account.member_id.map(MemberId),
        active: account.active,
        grants,
    })
}

/// The system account (created on first use).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn system_account<C: ConnectionTrait>(db: &C) -> Result<AccountId, StoreError> {
    ensure_system_account(db).await
}

/// Creates the account of a DingTalk user on first login (F1), or refreshes its name and
/// mobile; returns its id. The mobile is stored encrypted with its lookup hash.
///
/// # Errors
/// [`StoreError::Crypto`], [`StoreError::Query`].
pub async fn ensure_account<C: ConnectionTrait>(
    db: &C,
    keys: &PiiKeys,
    dingtalk_user_id: &str,
    name: &str,
    mobile: Option<&str>,
) -> Result<AccountId, StoreError> {
    let lookup = mobile.map(|m| keys.lookup_hash(m));
    let now = crate::stamp::now();
    let existing = accounts::Entity::find()
        .filter(accounts::Column::DingtalkUserId.eq(dingtalk_user_id))
        .one(db)
        .await?;
    let sealed = |stale: bool| -> Result<_, StoreError> {
        if stale {
            mobile.map(|m| keys.encrypt(m)).transpose()
        } else {
            Ok(None)
        }
    };
    match existing {
        Some(row) if row.name == name && row.mobile_lookup == lookup => Ok(AccountId(row.id)),
        Some(row) => {
            let stale = row.mobile_lookup != lookup;
            let mut active: accounts::ActiveModel = row.into();
            active.name = Set(name.to_owned());
            if stale {
                let sealed = sealed(true)?;
                active.mobile_key_id = Set(sealed.as_ref().map(|s| s.key_id.clone()));
                active.mobile_ciphertext = Set(sealed.map(|s| s.ciphertext));
                active.mobile_lookup = Set(lookup);
            }
            active.updated_at = Set(now);
            let updated = accounts::Entity::update(active).exec(db).await?;
            Ok(AccountId(updated.id))
        }
        None => {
            let sealed = sealed(true)?;
            let inserted = accounts::Entity::insert(accounts::ActiveModel {
                id: NotSet,
                dingtalk_user_id: Set(dingtalk_user_id.to_owned()),
                name: Set(name.to_owned()),
                member_id: Set(None),
                mobile_key_id: Set(sealed.as_ref().map(|s| s.key_id.clone())),
                mobile_ciphertext: Set(sealed.map(|s| s.ciphertext)),
                mobile_lookup: Set(lookup),
                active: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec(db)
            .await
            .map_err(|err| StoreError::from_write(err, "account"))?;
            Ok(AccountId(inserted.last_insert_id))
        }
    }
}

/// Grants a role over a scope (idempotent: an existing identical grant is kept).
///
/// # Errors
/// [`StoreError::Invalid`] for an unknown account, [`StoreError::Query`].
pub async fn grant_access<C: ConnectionTrait>(
    db: &C,
    account: AccountId,
    access: Access,
    granted_by: Option<AccountId>,
) -> Result<(), StoreError> {
    let (scope_kind, scope_id) = scope_parts(access.scope());
    let role = role_str(access.role());
    let exists = role_grants::Entity::find()
        .filter(role_grants::Column::AccountId.eq(account.get()))
        .filter(role_grants::Column::Role.eq(role))
        .filter(role_grants::Column::ScopeKind.eq(scope_kind))
        .filter(role_grants::Column::ScopeId.eq(scope_id))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    let inserted = role_grants::Entity::insert(role_grants::ActiveModel {
        id: NotSet,
        account_id: Set(account.get()),
        role: Set(role.to_owned()),
        scope_kind: Set(scope_kind.to_owned()),
        scope_id: Set(scope_id),
        granted_by: Set(granted_by.map(AccountId::get)),
        granted_at: Set(crate::stamp::now()),
    })
    .exec(db)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        // A concurrent identical grant is the same outcome.
        Err(err) => match StoreError::from_write(err, "role grant") {
            StoreError::Conflict(_) => Ok(()),
            other => Err(other),
        },
    }
}
