//! Identity (F1, R1): DingTalk login, our own JWT access tokens and rotating refresh tokens, the
//! [`Actor`] every use case receives, admin binding of DingTalk users to members, and the contact
//! events that keep bindings current.

use std::fmt;

use aidazu_domain::calendar::business_date;
use aidazu_domain::channel::Channel;
use aidazu_domain::org::{
    Access, AccountStanding, Action, Role, Scope, VillageLocation, check_binding,
};
use aidazu_domain::{AccountId, HouseholdId, MemberId, VillageId};
use aidazu_ports::accounts::{self, AccountView};
use aidazu_ports::audit::{self, AuditRecord};
use aidazu_ports::households::{self, HouseholdRow, MemberRow};
use aidazu_ports::org::VillageSummary;
use aidazu_ports::sessions::{self, NewRefreshToken};
use aidazu_ports::{AsRepo, Transaction};
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::{App, AppError};

/// A role in a scope, as the API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

impl From<Access> for Grant {
    fn from(a: Access) -> Self {
        Self {
            role: a.role(),
            scope: a.scope(),
        }
    }
}

/// Where a village sits, for scope checks (R1).
pub type VillageScopeInfo = VillageLocation;

/// Who does something: the authenticated account (or the system), its grants and the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account_id: AccountId,
    pub name: String,
    pub member_id: Option<MemberId>,
    pub household_id: Option<HouseholdId>,
    /// The village of the member, if any.
    pub village_id: Option<VillageId>,
    pub grants: Vec<Grant>,
    pub channel: Channel,
    pub request_id: Option<String>,
}

/// Why an actor may not do something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No grant covers the village: answer as if the thing did not exist.
    OutOfScope,
    /// A grant covers the village but no role allows the action.
    Forbidden,
}

impl Actor {
    /// The system actor for jobs and DingTalk events with no person behind them.
    #[must_use]
    pub fn system(channel: Channel) -> Actor {
        Actor {
            account_id: AccountId(0),
            name: "系统".to_owned(),
            member_id: None,
            household_id: None,
            village_id: None,
            grants: Vec::new(),
            channel,
            request_id: None,
        }
    }

    /// Whether the actor holds `role` with a scope covering `village` (located by `org`).
    #[must_use]
    pub fn has_role_in(&self, role: Role, village: VillageId, org: &VillageScopeInfo) -> bool {
        org.village == village
            && self
                .grants
                .iter()
                .any(|g| g.role == role && g.scope.covers(org))
    }

    /// The first role that allows `action` in the village (R1), or why not.
    ///
    /// # Errors
    /// [`Denied::OutOfScope`] when no grant covers the village, [`Denied::Forbidden`] when none of
    /// the covering roles allows the action.
    pub fn role_for(&self, action: Action, location: &VillageLocation) -> Result<Role, Denied> {
        let covering: Vec<&Grant> = self
            .grants
            .iter()
            .filter(|g| g.scope.covers(location))
            .collect();
        if covering.is_empty() {
            return Err(Denied::OutOfScope);
        }
        covering
            .iter()
            .find(|g| Access::new(g.role, g.scope).is_ok_and(|a| a.can_act(action, location)))
            .map(|g| g.role)
            .ok_or(Denied::Forbidden)
    }

    /// [`Actor::role_for`] with app errors: out of scope → `not_found`, else 403 `auth.forbidden`.
    ///
    /// # Errors
    /// `not_found` or [`AppError::Forbidden`].
    pub fn require(
        &self,
        action: Action,
        location: &VillageLocation,
        not_found: AppError,
    ) -> Result<Role, AppError> {
        match self.role_for(action, location) {
            Ok(role) => Ok(role),
            Err(Denied::OutOfScope) => Err(not_found),
            Err(Denied::Forbidden) => Err(AppError::Forbidden),
        }
    }

    /// An audit record of a change made by this actor in `role`.
    #[must_use]
    #[allow(clippy::too_many_arguments)] // one flat call per audited change, shared by all parts
    pub fn audit(
        &self,
        role: Option<Role>,
        action: &str,
        entity: &str,
        entity_id: Option<String>,
        village: Option<VillageId>,
        household: Option<HouseholdId>,
        detail: serde_json::Value,
    ) -> AuditRecord {
        AuditRecord {
            actor: (self.account_id.get() != 0).then_some(self.account_id),
            role,
            channel: self.channel,
            request_id: self.request_id.clone(),
            action: action.to_owned(),
            entity: entity.to_owned(),
            entity_id,
            village,
            household,
            detail,
            at: audit_stamp(),
        }
    }
}

/// When an audit record is written: a bookkeeping stamp (the actor carries no clock).
#[expect(
    clippy::disallowed_methods,
    reason = "audit bookkeeping stamp, read by no rule"
)]
fn audit_stamp() -> DateTime<Utc> {
    Utc::now()
}

/// Token settings: HS256 secret and lifetimes.
#[derive(Clone)]
pub struct AuthConfig {
    secret: Vec<u8>,
    /// Lifetime of access tokens (default 15 minutes).
    pub access_ttl: Duration,
    /// Lifetime of refresh tokens (default 30 days).
    pub refresh_ttl: Duration,
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("secret", &"***")
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .finish()
    }
}

impl AuthConfig {
    /// Settings from the JWT secret and lifetimes.
    #[must_use]
    pub fn new(secret: impl Into<Vec<u8>>, access_ttl: Duration, refresh_ttl: Duration) -> Self {
        Self {
            secret: secret.into(),
            access_ttl,
            refresh_ttl,
        }
    }
}

/// Which client a session is for; decides the channel of its requests (R22).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientKind {
    /// The DingTalk micro-app (default).
    #[default]
    Miniapp,
    /// The PC console.
    Console,
}

impl ClientKind {
    fn channel(self) -> Channel {
        match self {
            Self::Miniapp => Channel::MiniApp,
            Self::Console => Channel::Console,
        }
    }

    fn from_channel(text: &str) -> Self {
        if text == "console" {
            Self::Console
        } else {
            Self::Miniapp
        }
    }
}

/// The claims of our access tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Claims {
    /// Account id.
    sub: String,
    iat: i64,
    exp: i64,
    /// Session (refresh-token family) id.
    sid: String,
    /// `miniapp` or `console`.
    cli: ClientKind,
}

/// What login and refresh answer.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub account: AccountView,
    pub member: Option<MemberRow>,
    pub household: Option<(HouseholdRow, VillageSummary)>,
    pub roles: Vec<Grant>,
}

/// A DingTalk contact change (F3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactEventKind {
    UserAddOrg,
    UserModifyOrg,
    UserLeaveOrg,
}

impl ContactEventKind {
    /// From the DingTalk `EventType` (`user_add_org`, …).
    #[must_use]
    pub fn from_event_type(event_type: &str) -> Option<Self> {
        dingtalk::event::ContactChangeKind::from_event_type(event_type).map(Self::from)
    }
}

impl From<dingtalk::event::ContactChangeKind> for ContactEventKind {
    fn from(kind: dingtalk::event::ContactChangeKind) -> Self {
        use dingtalk::event::ContactChangeKind as K;
        match kind {
            K::UserAddOrg => Self::UserAddOrg,
            K::UserModifyOrg => Self::UserModifyOrg,
            K::UserLeaveOrg => Self::UserLeaveOrg,
        }
    }
}

/// A contact event to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactEvent {
    pub kind: ContactEventKind,
    pub user_ids: Vec<String>,
}

/// What applying a contact event did, per user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum ContactOutcome {
    /// Bound (or re-bound) to the member found by mobile.
    Bound { user_id: String, member: MemberId },
    /// Deactivated and its sessions revoked.
    Unbound { user_id: String },
    /// Nothing to do (no account, no matching member, unknown user).
    Unchanged { user_id: String },
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn dingtalk_error(err: dingtalk::DingTalkError) -> AppError {
    AppError::DingTalk(err)
}

fn is_api_code(err: &dingtalk::DingTalkError, codes: &[&str]) -> bool {
    matches!(err, dingtalk::DingTalkError::Api { code, .. } if codes.contains(&code.as_str()))
}

/// Grants as the actor holds them: a villager grant only counts while the account is bound to a
/// member (it is the member's right, not the account's).
fn effective_grants(account: &AccountView) -> Vec<Grant> {
    account
        .grants
        .iter()
        .filter(|g| account.member.is_some() || g.role() != Role::Villager)
        .map(|g| Grant::from(*g))
        .collect()
}

impl App {
    /// F1: exchanges a DingTalk 免登 auth code, binds the DingTalk user to a member (existing
    /// binding, else by the mobile of the DingTalk profile through the keyed hash, R4) and opens a
    /// session.
    ///
    /// # Errors
    /// [`AppError::InvalidAuthCode`], [`AppError::NotRegistered`], [`AppError::AmbiguousMember`],
    /// [`AppError::DingTalk`], storage errors.
    #[tracing::instrument(skip(self, auth_code, request_id))]
    pub async fn login_dingtalk(
        &self,
        auth_code: &str,
        client: ClientKind,
        request_id: Option<String>,
    ) -> Result<Session, AppError> {
        if auth_code.trim().is_empty() || auth_code.len() > 512 {
            return Err(AppError::InvalidField {
                field: "authCode",
                message: "authCode 不能为空",
            });
        }
        let signed_in = self
            .dingtalk()
            .user_info_by_code(auth_code)
            .await
            .map_err(|err| {
                if is_api_code(&err, &["40078", "40076", "40077"]) {
                    AppError::InvalidAuthCode
                } else {
                    dingtalk_error(err)
                }
            })?;
        self.login_dingtalk_user(&signed_in.user_id, client, request_id)
            .await
    }

    /// Logs in from DingTalk's web login (扫码登录, OAuth2; the console opened in a browser
    /// outside DingTalk): the redirect's `authCode` → a user token → the user's union id → the
    /// organisation's user id, then the same account rules as [`App::login_dingtalk`].
    ///
    /// # Errors
    /// [`AppError::InvalidField`] for an empty code, [`AppError::InvalidAuthCode`] for a used,
    /// expired or unknown code, [`AppError::NotRegistered`] for a DingTalk user outside the
    /// organisation or without an account, [`AppError::DingTalk`] when DingTalk fails.
    #[tracing::instrument(skip_all)]
    pub async fn login_dingtalk_web(
        &self,
        auth_code: &str,
        request_id: Option<String>,
    ) -> Result<Session, AppError> {
        if auth_code.trim().is_empty() || auth_code.len() > 512 {
            return Err(AppError::InvalidField {
                field: "authCode",
                message: "authCode 不能为空",
            });
        }
        let token = self
            .dingtalk()
            .user_access_token(auth_code)
            .await
            .map_err(|err| {
                // DingTalk answers 400 for a used, expired or foreign code.
                if matches!(
                    err,
                    dingtalk::DingTalkError::Api {
                        http_status: 400,
                        ..
                    }
                ) {
                    AppError::InvalidAuthCode
                } else {
                    dingtalk_error(err)
                }
            })?;
        let profile = self
            .dingtalk()
            .user_profile(&token.access_token)
            .await
            .map_err(dingtalk_error)?;
        let Some(union_id) = profile.union_id else {
            return Err(AppError::InvalidAuthCode);
        };
        let user = self
            .dingtalk()
            .user_by_union_id(&union_id)
            .await
            .map_err(|err| {
                if is_api_code(&err, &["60121"]) {
                    AppError::NotRegistered(union_id.as_str().to_owned())
                } else {
                    dingtalk_error(err)
                }
            })?;
        self.login_dingtalk_user(&user.user_id, ClientKind::Console, request_id)
            .await
    }

    /// Opens a session for a DingTalk user DingTalk has vouched for (免登 or web login): the
    /// user's account, bound to a member by mobile on the first login (F1).
    async fn login_dingtalk_user(
        &self,
        dingtalk_user: &dingtalk::ids::UserId,
        client: ClientKind,
        request_id: Option<String>,
    ) -> Result<Session, AppError> {
        let user_id = dingtalk_user.as_str().to_owned();
        let db = self.store();
        let existing = accounts::account_by_dingtalk_user_id(db, &user_id).await?;
        let account = match existing {
            Some(a) if a.active && (a.member.is_some() || !effective_grants(&a).is_empty()) => a,
            _ => {
                let detail = self
                    .dingtalk()
                    .user_detail(dingtalk_user)
                    .await
                    .map_err(dingtalk_error)?;
                let txn = self.store().begin().await?;
                let mut actor = Actor::system(client.channel());
                actor.request_id = request_id.clone();
                let outcome = bind_by_mobile(
                    &txn,
                    &actor,
                    &user_id,
                    &detail.name,
                    detail.mobile.as_deref(),
                )
                .await?;
                let account = match outcome {
                    BindOutcome::Bound(id) => accounts::account_by_id(&txn, id).await?,
                    BindOutcome::NoMember => {
                        accounts::account_by_dingtalk_user_id(&txn, &user_id).await?
                    }
                    BindOutcome::Ambiguous(n) => return Err(AppError::AmbiguousMember(n)),
                };
                txn.commit().await?;
                match account {
                    Some(a) if a.active && !effective_grants(&a).is_empty() => a,
                    _ => return Err(AppError::NotRegistered(user_id)),
                }
            }
        };
        let family = uuid::Uuid::new_v4().to_string();
        self.open_session(account, client, family).await
    }

    /// Rotates a refresh token: answers a new pair and revokes the old token. Using a revoked
    /// token again revokes the whole family (theft detection).
    ///
    /// # Errors
    /// [`AppError::InvalidRefreshToken`], [`AppError::RefreshTokenReused`],
    /// [`AppError::AccountDisabled`], storage errors.
    #[tracing::instrument(skip_all)]
    pub async fn refresh_session(
        &self,
        refresh_token: &str,
        request_id: Option<String>,
    ) -> Result<Session, AppError> {
        let now = self.clock().now();
        let hash = sha256_hex(refresh_token);
        let txn = self.store().begin().await?;
        let Some(row) = sessions::refresh_token_by_hash(&txn, &hash).await? else {
            return Err(AppError::InvalidRefreshToken);
        };
        if row.revoked_at.is_some() && row.replaced_by.is_none() {
            // Logged out, left the organisation, or its family was already revoked.
            return Err(AppError::InvalidRefreshToken);
        }
        if row.revoked_at.is_some() {
            // Reuse of a rotated token: someone holds a copy. End the session family.
            let revoked =
                sessions::revoke_family(&txn, &row.family_id, now, "reuse_detected").await?;
            let account = accounts::account_by_id(&txn, row.account).await?;
            let mut actor = Actor::system(ClientKind::from_channel(&row.channel).channel());
            actor.request_id = request_id;
            if let Some(a) = &account {
                actor.account_id = a.id;
            }
            audit::record(
                &txn,
                &actor.audit(
                    None,
                    "session.refresh_reuse_detected",
                    "session",
                    Some(row.family_id.clone()),
                    None,
                    None,
                    json!({ "revokedTokens": revoked }),
                ),
            )
            .await?;
            txn.commit().await?;
            tracing::warn!(family = %row.family_id, "refresh token reuse detected; family revoked");
            return Err(AppError::RefreshTokenReused);
        }
        if row.expires_at <= now {
            return Err(AppError::InvalidRefreshToken);
        }
        let account = accounts::account_by_id(&txn, row.account)
            .await?
            .ok_or(AppError::InvalidRefreshToken)?;
        if !account.active || effective_grants(&account).is_empty() {
            sessions::revoke_family(&txn, &row.family_id, now, "account_disabled").await?;
            txn.commit().await?;
            return Err(AppError::AccountDisabled);
        }
        let client = ClientKind::from_channel(&row.channel);
        let (refresh, new_id) = self
            .insert_refresh(&txn, account.id, &row.family_id, client, now)
            .await?;
        if !sessions::mark_rotated(&txn, row.id, new_id, now).await? {
            // A concurrent refresh won: this is a second use of the same token.
            txn.rollback().await?;
            let txn = self.store().begin().await?;
            sessions::revoke_family(&txn, &row.family_id, now, "reuse_detected").await?;
            txn.commit().await?;
            return Err(AppError::RefreshTokenReused);
        }
        txn.commit().await?;
        self.session_answer(account, client, &row.family_id, refresh, now)
            .await
    }

    /// Ends a session: the family of `refresh_token` if given (it must be the actor's), else every
    /// session of the actor's account.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn logout(
        &self,
        actor: &Actor,
        refresh_token: Option<&str>,
    ) -> Result<u64, AppError> {
        let now = self.clock().now();
        let txn = self.store().begin().await?;
        let revoked = match refresh_token {
            Some(token) => match sessions::refresh_token_by_hash(&txn, &sha256_hex(token)).await? {
                Some(row) if row.account == actor.account_id => {
                    sessions::revoke_family(&txn, &row.family_id, now, "logout").await?
                }
                _ => 0,
            },
            None => sessions::revoke_account(&txn, actor.account_id, now, "logout").await?,
        };
        if revoked > 0 {
            audit::record(
                &txn,
                &actor.audit(
                    None,
                    "session.logout",
                    "account",
                    Some(actor.account_id.to_string()),
                    actor.village_id,
                    actor.household_id,
                    json!({ "revokedTokens": revoked, "allSessions": refresh_token.is_none() }),
                ),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(revoked)
    }

    /// Verifies an access token and loads the actor with its current grants. A revoked grant or
    /// session takes effect at once in this replica, and within `caches::CACHE_TTL` in the others
    /// (the actor is cached per token between identity writes).
    ///
    /// # Errors
    /// [`AppError::InvalidToken`], [`AppError::TokenExpired`], [`AppError::AccountDisabled`].
    pub async fn authenticate(
        &self,
        token: &str,
        request_id: Option<String>,
    ) -> Result<Actor, AppError> {
        let auth = &self.config().auth;
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked against the injected clock below.
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(
            token,
            &DecodingKey::from_secret(&auth.secret),
            &validation,
        )
        .map_err(|_| AppError::InvalidToken)?;
        let claims = data.claims;
        let now = self.clock().now();
        if claims.exp <= now.timestamp() {
            return Err(AppError::TokenExpired);
        }
        let account_id = claims
            .sub
            .parse::<i64>()
            .map(AccountId)
            .map_err(|_| AppError::InvalidToken)?;
        // A valid token seen recently costs no query (issue 11): the actor is cached per token
        // until this replica writes identity data or CACHE_TTL passes (docs/operations.md).
        let epoch = self.store().identity_epoch();
        if let Some(mut actor) = self.inner.caches.actors.get(&token.to_owned(), epoch, now) {
            actor.request_id = request_id;
            return Ok(actor);
        }
        let db = self.store();
        if !sessions::family_is_live(db, &claims.sid, now).await? {
            return Err(AppError::InvalidToken);
        }
        let account = accounts::account_by_id(db, account_id)
            .await?
            .ok_or(AppError::InvalidToken)?;
        if !account.active {
            return Err(AppError::AccountDisabled);
        }
        let actor = self.actor_of(&account, claims.cli.channel(), None).await?;
        self.inner
            .caches
            .actors
            .put(token.to_owned(), actor.clone(), epoch, now);
        Ok(Actor {
            request_id,
            ..actor
        })
    }

    /// Binds a DingTalk user to a member by hand (village admin of the member's village).
    ///
    /// # Errors
    /// [`AppError::MemberNotFound`], [`AppError::Forbidden`], [`AppError::MemberAlreadyBound`],
    /// [`AppError::DingTalkUserNotFound`], [`AppError::DingTalk`], storage errors.
    pub async fn bind_member(
        &self,
        actor: &Actor,
        member: MemberId,
        dingtalk_user_id: &str,
    ) -> Result<(AccountId, crate::household::MemberView), AppError> {
        let user_id = dingtalk_user_id.trim();
        if user_id.is_empty() || user_id.len() > 64 {
            return Err(AppError::InvalidField {
                field: "dingtalkUserId",
                message: "钉钉用户 ID 无效",
            });
        }
        let row = households::member(self.store(), member)
            .await?
            .ok_or(AppError::MemberNotFound(member.get()))?;
        let location = self.village_location(row.village).await?;
        let role = actor.require(
            Action::BindAccount,
            &location,
            AppError::MemberNotFound(member.get()),
        )?;
        let detail = self
            .dingtalk()
            .user_detail(&dingtalk::ids::UserId::new(user_id))
            .await
            .map_err(|err| {
                if is_api_code(&err, &["60121", "33012"]) {
                    AppError::DingTalkUserNotFound(user_id.to_owned())
                } else {
                    dingtalk_error(err)
                }
            })?;
        // The domain decides whether this account may be bound here (no takeover across
        // villages, no re-activation elsewhere, nobody binds himself); refusals are audited.
        let standing = accounts::binding_facts(self.store(), user_id)
            .await?
            .map(|f| AccountStanding {
                account: f.account,
                active: f.active,
                member_village: f.member_village,
                past_villages: f.past_villages,
                grants: f.grants,
            });
        let binder_grants: Vec<Access> = actor
            .grants
            .iter()
            .filter_map(|g| Access::new(g.role, g.scope).ok())
            .collect();
        if let Err(refusal) = check_binding(
            actor.account_id,
            &binder_grants,
            &location,
            standing.as_ref(),
        ) {
            let txn = self.store().begin().await?;
            audit::record(
                &txn,
                &actor.audit(
                    Some(role),
                    "account.binding_refused",
                    "member",
                    Some(member.to_string()),
                    Some(row.village),
                    Some(row.household),
                    json!({
                        "dingtalkUserId": user_id,
                        "account": standing.as_ref().map(|s| s.account),
                        "code": refusal.code(),
                    }),
                ),
            )
            .await?;
            txn.commit().await?;
            return Err(AppError::Rule(refusal));
        }
        let txn = self.store().begin().await?;
        let others = accounts::accounts_of_member(&txn, member).await?;
        if others.iter().any(|(_, uid)| uid != user_id) {
            return Err(AppError::MemberAlreadyBound);
        }
        let account = accounts::bind_account(
            &txn,
            user_id,
            &detail.name,
            Some(member),
            detail.mobile.as_deref(),
        )
        .await?;
        let villager = Access::new(Role::Villager, Scope::Village(row.village))
            .map_err(|_| AppError::Forbidden)?;
        accounts::ensure_grant(&txn, account, villager, Some(actor.account_id)).await?;
        audit::record(
            &txn,
            &actor.audit(
                Some(role),
                "account.bound",
                "account",
                Some(account.to_string()),
                Some(row.village),
                Some(row.household),
                json!({ "member": member, "dingtalkUserId": user_id, "by": "admin" }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok((account, self.member_view(member).await?))
    }

    /// Where a village sits (for scope checks).
    ///
    /// # Errors
    /// [`AppError::VillageNotFound`], storage errors.
    pub async fn village_location(&self, village: VillageId) -> Result<VillageLocation, AppError> {
        Ok(aidazu_ports::org::village(self.store(), village)
            .await?
            .ok_or(AppError::VillageNotFound(village.get()))?
            .location())
    }

    /// The actor behind a DingTalk user id (the approver of an approval, the presser of a card
    /// button), with current grants; `None` when no active account has that user id.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn actor_of_dingtalk_user(
        &self,
        user_id: &str,
        channel: Channel,
    ) -> Result<Option<Actor>, AppError> {
        let Some(account) = accounts::account_by_dingtalk_user_id(self.store(), user_id).await?
        else {
            return Ok(None);
        };
        if !account.active {
            return Ok(None);
        }
        Ok(Some(self.actor_of(&account, channel, None).await?))
    }

    async fn actor_of(
        &self,
        account: &AccountView,
        channel: Channel,
        request_id: Option<String>,
    ) -> Result<Actor, AppError> {
        let member = match account.member {
            Some(m) => households::member(self.store(), m).await?,
            None => None,
        };
        Ok(Actor {
            account_id: account.id,
            name: account.name.clone(),
            member_id: member.as_ref().map(|m| m.id),
            household_id: member.as_ref().map(|m| m.household),
            village_id: member.as_ref().map(|m| m.village),
            grants: effective_grants(account),
            channel,
            request_id,
        })
    }

    async fn insert_refresh<C: AsRepo + ?Sized>(
        &self,
        db: &C,
        account: AccountId,
        family: &str,
        client: ClientKind,
        now: DateTime<Utc>,
    ) -> Result<(String, i64), AppError> {
        let token = new_refresh_token();
        let id = sessions::insert_refresh_token(
            db,
            &NewRefreshToken {
                account,
                family_id: family.to_owned(),
                token_hash: sha256_hex(&token),
                channel: client.channel().to_string(),
                issued_at: now,
                expires_at: now + self.config().auth.refresh_ttl,
            },
        )
        .await?;
        Ok((token, id))
    }

    async fn open_session(
        &self,
        account: AccountView,
        client: ClientKind,
        family: String,
    ) -> Result<Session, AppError> {
        let now = self.clock().now();
        let txn = self.store().begin().await?;
        let (refresh, _) = self
            .insert_refresh(&txn, account.id, &family, client, now)
            .await?;
        txn.commit().await?;
        self.session_answer(account, client, &family, refresh, now)
            .await
    }

    async fn session_answer(
        &self,
        account: AccountView,
        client: ClientKind,
        family: &str,
        refresh_token: String,
        now: DateTime<Utc>,
    ) -> Result<Session, AppError> {
        let ttl = self.config().auth.access_ttl;
        let claims = Claims {
            sub: account.id.to_string(),
            iat: now.timestamp(),
            exp: (now + ttl).timestamp(),
            sid: family.to_owned(),
            cli: client,
        };
        let access_token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&self.config().auth.secret),
        )
        .map_err(|err| {
            AppError::Database(aidazu_ports::StoreError::Invalid(format!(
                "cannot sign token: {err}"
            )))
        })?;
        let db = self.store();
        let member = match account.member {
            Some(m) => households::member(db, m).await?,
            None => None,
        };
        let household = match &member {
            Some(m) => {
                let h = households::household(db, m.household).await?;
                let v = aidazu_ports::org::village(self.store(), m.village).await?;
                h.zip(v)
            }
            None => None,
        };
        Ok(Session {
            access_token,
            refresh_token,
            expires_in: ttl.num_seconds(),
            roles: effective_grants(&account),
            account,
            member,
            household,
        })
    }
}

enum BindOutcome {
    Bound(AccountId),
    NoMember,
    Ambiguous(usize),
}

/// Finds the member by the mobile's keyed hash and binds (or creates) the DingTalk user's account
/// to it, with a villager grant and an audit record, on `txn`.
async fn bind_by_mobile(
    txn: &Transaction,
    actor: &Actor,
    user_id: &str,
    name: &str,
    mobile: Option<&str>,
) -> Result<BindOutcome, AppError> {
    let Some(mobile) = mobile.filter(|m| !m.trim().is_empty()) else {
        return Ok(BindOutcome::NoMember);
    };
    let found = households::members_by_mobile(txn, mobile).await?;
    let member = match found.as_slice() {
        [] => return Ok(BindOutcome::NoMember),
        [one] => one,
        many => return Ok(BindOutcome::Ambiguous(many.len())),
    };
    let before = accounts::account_by_dingtalk_user_id(txn, user_id).await?;
    let account = accounts::bind_account(txn, user_id, name, Some(member.id), Some(mobile)).await?;
    let villager = Access::new(Role::Villager, Scope::Village(member.village))
        .map_err(|_| AppError::Forbidden)?;
    accounts::ensure_grant(txn, account, villager, None).await?;
    let changed = before
        .as_ref()
        .is_none_or(|b| b.member != Some(member.id) || !b.active);
    if changed {
        audit::record(
            txn,
            &actor.audit(
                None,
                "account.bound",
                "account",
                Some(account.to_string()),
                Some(member.village),
                Some(member.household),
                json!({ "member": member.id, "dingtalkUserId": user_id, "by": "mobile" }),
            ),
        )
        .await?;
    }
    Ok(BindOutcome::Bound(account))
}

/// A contact event with the DingTalk profiles it needs, fetched before any transaction opens (so
/// a slow DingTalk never holds a database transaction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDetails {
    pub kind: ContactEventKind,
    /// Each user id with its profile from `user/get`; `None` when DingTalk does not know the
    /// user (or for `user_leave_org`, where nothing is fetched).
    pub users: Vec<(String, Option<ContactProfile>)>,
}

/// The part of a DingTalk profile binding needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactProfile {
    pub name: String,
    pub mobile: Option<String>,
}

/// Fetches what [`apply_contact_details`] needs: `user/get` for add/modify events.
///
/// # Errors
/// [`AppError::DingTalk`] when DingTalk cannot be reached (retry later).
pub async fn fetch_contact_details(
    app: &App,
    event: &ContactEvent,
) -> Result<ContactDetails, AppError> {
    let mut users = Vec::with_capacity(event.user_ids.len());
    for user_id in &event.user_ids {
        let profile = match event.kind {
            ContactEventKind::UserLeaveOrg => None,
            ContactEventKind::UserAddOrg | ContactEventKind::UserModifyOrg => {
                match app
                    .dingtalk()
                    .user_detail(&dingtalk::ids::UserId::new(user_id.as_str()))
                    .await
                {
                    Ok(d) => Some(ContactProfile {
                        name: d.name,
                        mobile: d.mobile,
                    }),
                    Err(err) if is_api_code(&err, &["60121", "33012"]) => None,
                    Err(err) => return Err(dingtalk_error(err)),
                }
            }
        };
        users.push((user_id.clone(), profile));
    }
    Ok(ContactDetails {
        kind: event.kind,
        users,
    })
}

/// Applies fetched contact details on `txn` (the caller commits it together with marking the
/// event applied): add/modify (re)bind by mobile; leave unbinds the account and revokes its
/// sessions. Idempotent: applying the same details twice changes nothing the second time.
///
/// # Errors
/// Storage errors.
pub async fn apply_contact_details(
    app: &App,
    txn: &Transaction,
    details: &ContactDetails,
) -> Result<Vec<ContactOutcome>, AppError> {
    let actor = Actor::system(Channel::DingTalkEvent);
    let now = app.clock().now();
    let mut outcomes = Vec::with_capacity(details.users.len());
    for (user_id, profile) in &details.users {
        let unchanged = || ContactOutcome::Unchanged {
            user_id: user_id.clone(),
        };
        let outcome = match details.kind {
            ContactEventKind::UserAddOrg | ContactEventKind::UserModifyOrg => {
                let Some(profile) = profile else {
                    outcomes.push(unchanged());
                    continue;
                };
                match bind_by_mobile(
                    txn,
                    &actor,
                    user_id,
                    &profile.name,
                    profile.mobile.as_deref(),
                )
                .await?
                {
                    BindOutcome::Bound(account) => {
                        match accounts::account_by_id(txn, account)
                            .await?
                            .and_then(|a| a.member)
                        {
                            Some(member) => ContactOutcome::Bound {
                                user_id: user_id.clone(),
                                member,
                            },
                            None => unchanged(),
                        }
                    }
                    BindOutcome::NoMember | BindOutcome::Ambiguous(_) => unchanged(),
                }
            }
            ContactEventKind::UserLeaveOrg => {
                match accounts::account_by_dingtalk_user_id(txn, user_id).await? {
                    Some(account) if account.active => {
                        let member_row = match account.member {
                            Some(m) => households::member(txn, m).await?,
                            None => None,
                        };
                        accounts::deactivate_account(txn, account.id).await?;
                        let revoked =
                            sessions::revoke_account(txn, account.id, now, "left_organisation")
                                .await?;
                        audit::record(
                            txn,
                            &actor.audit(
                                None,
                                "account.unbound",
                                "account",
                                Some(account.id.to_string()),
                                member_row.as_ref().map(|m| m.village),
                                member_row.as_ref().map(|m| m.household),
                                json!({
                                    "member": account.member,
                                    "dingtalkUserId": user_id,
                                    "reason": "user_leave_org",
                                    "revokedTokens": revoked,
                                }),
                            ),
                        )
                        .await?;
                        ContactOutcome::Unbound {
                            user_id: user_id.clone(),
                        }
                    }
                    _ => unchanged(),
                }
            }
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// [`fetch_contact_details`] then [`apply_contact_details`] on `txn`. Prefer the two steps in a
/// worker, so DingTalk is called before the transaction opens.
///
/// # Errors
/// As the two steps.
pub async fn apply_contact_event(
    app: &App,
    txn: &Transaction,
    event: &ContactEvent,
) -> Result<Vec<ContactOutcome>, AppError> {
    let details = fetch_contact_details(app, event).await?;
    apply_contact_details(app, txn, &details).await
}

/// [`apply_contact_event`] in its own transaction.
///
/// # Errors
/// As [`apply_contact_event`].
pub async fn apply_contact_event_now(
    app: &App,
    event: &ContactEvent,
) -> Result<Vec<ContactOutcome>, AppError> {
    let details = fetch_contact_details(app, event).await?;
    let txn = app.store().begin().await?;
    let outcomes = apply_contact_details(app, &txn, &details).await?;
    txn.commit().await?;
    Ok(outcomes)
}

/// Masks a mobile number for display (R4): `100****9769`.
#[must_use]
pub fn mask_mobile(mobile: &str) -> String {
    let chars: Vec<char> = mobile.chars().collect();
    if chars.len() < 7 {
        return "****".to_owned();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Today's business date (Asia/Shanghai) on the app clock.
pub(crate) fn today(app: &App) -> chrono::NaiveDate {
    business_date(app.clock().now())
}

#[cfg(test)]
mod tests {
    use aidazu_domain::{DistrictId, TownId};

    use super::*;

    const HEPING: VillageLocation = VillageLocation {
        district: DistrictId(1),
        town: TownId(10),
        village: VillageId(11),
    };
    const CIHANG: VillageLocation = VillageLocation {
        district: DistrictId(1),
        town: TownId(20),
        village: VillageId(21),
    };

    fn actor(grants: &[(Role, Scope)]) -> Actor {
        Actor {
            grants: grants
                .iter()
                .map(|&(role, scope)| Grant { role, scope })
                .collect(),
            ..Actor::system(Channel::Console)
        }
    }

    #[test]
    fn r1_out_of_scope_is_not_found_and_wrong_role_is_forbidden() {
        let admin = actor(&[(Role::VillageAdmin, Scope::Village(VillageId(11)))]);
        assert_eq!(
            admin.role_for(Action::ManageMembers, &HEPING),
            Ok(Role::VillageAdmin)
        );
        assert_eq!(
            admin.role_for(Action::ManageMembers, &CIHANG),
            Err(Denied::OutOfScope)
        );
        assert_eq!(
            admin.role_for(Action::DecideObjection, &HEPING),
            Err(Denied::Forbidden)
        );
        assert!(matches!(
            admin.require(
                Action::ManageMembers,
                &CIHANG,
                AppError::HouseholdNotFound(1)
            ),
            Err(AppError::HouseholdNotFound(1))
        ));
        assert!(admin.has_role_in(Role::VillageAdmin, VillageId(11), &HEPING));
        assert!(!admin.has_role_in(Role::VillageAdmin, VillageId(21), &CIHANG));
    }

    #[test]
    fn r1_a_second_grant_can_allow_what_the_first_does_not() {
        let both = actor(&[
            (Role::Villager, Scope::Village(VillageId(11))),
            (Role::VillageCommittee, Scope::Village(VillageId(11))),
        ]);
        assert_eq!(
            both.role_for(Action::ViewRecords, &HEPING),
            Ok(Role::VillageCommittee)
        );
        let town = actor(&[(Role::TownOfficer, Scope::Town(TownId(10)))]);
        assert_eq!(
            town.role_for(Action::ViewRecords, &HEPING),
            Ok(Role::TownOfficer)
        );
        assert_eq!(
            town.role_for(Action::ManageMembers, &HEPING),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            town.role_for(Action::ViewRecords, &CIHANG),
            Err(Denied::OutOfScope)
        );
    }

    #[test]
    fn r4_mobiles_are_masked() {
        assert_eq!(mask_mobile("10043349769"), "100****9769");
        assert_eq!(mask_mobile("123"), "****");
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let a = new_refresh_token();
        let b = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(sha256_hex(&a).len(), 64);
        assert_ne!(sha256_hex(&a), a);
    }

    #[test]
    fn debug_of_auth_config_hides_the_secret() {
        let config = AuthConfig::new(
            "super-secret-jwt-key",
            Duration::minutes(15),
            Duration::days(30),
        );
        assert!(!format!("{config:?}").contains("super-secret"));
    }
}
