//! Identity end to end (F1, R1, R3, R4, R22): DingTalk login through the simulator, our JWTs and
//! rotating refresh tokens, role and village scope, households and participation, `/me/*`
//! figures, the audit trail, and contact events. Every case runs on SQLite and PostgreSQL.

use aidazu_app::auth::{ContactEvent, ContactEventKind, ContactOutcome, apply_contact_event_now};
use aidazu_domain::calendar::business_date;
use aidazu_domain::catalogue::Direction;
use aidazu_domain::channel::Channel;
use aidazu_domain::ledger::{EntryKind, EntrySource, LedgerEntry};
use aidazu_domain::{HouseholdId, MemberId, VillageId};
use aidazu_store::ledger::NewLedgerEntry;
use aidazu_testkit::{TestApp, TestDb, dual_db_test};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::kit::*;
use crate::support::{auth_code, sim_delete, sim_post, sim_put_user};

// ---------------------------------------------------------------------------------------------
// helpers

async fn first_household(t: &TestApp, village: VillageId) -> HouseholdId {
    let (rows, _) =
        aidazu_store::households::list_households(t.store().connection(), village, 1, 1)
            .await
            .unwrap();
    rows[0].household.id
}

/// Books an award of a positive item for a household member directly in the ledger (what an
/// approval or admin scoring does), returning the amount.
async fn book_award(t: &TestApp, household: HouseholdId, member: MemberId, reason: &str) -> i64 {
    let store = t.store();
    let village = store.household_village(household).await.unwrap().unwrap();
    let found = t.app.catalogue_in_force(village).await.unwrap();
    let item = found
        .version
        .items()
        .iter()
        .find(|i| {
            i.direction() == Direction::Positive
                && matches!(i.cap(), aidazu_domain::catalogue::Cap::None)
        })
        .expect("an uncapped positive item");
    let amount = item.points().suggested();
    let now = t.app.clock().now();
    let calendar = store.village_calendar(village).await.unwrap();
    let admin = store
        .account_by_dingtalk_user_id("demo-admin")
        .await
        .unwrap()
        .unwrap();
    store
        .append_entry(&NewLedgerEntry {
            entry: LedgerEntry {
                household,
                member: Some(member),
                kind: EntryKind::Award,
                amount,
                source: EntrySource::Item(found.version.item_ref(item.code())),
                declaration: None,
                actor: admin.id,
                occurred_at: now,
                reason: reason.to_owned(),
            },
            points_year: calendar.points_year_of(business_date(now)),
            channel: Channel::Console,
            request_id: None,
            idempotency_key: None,
        })
        .await
        .unwrap();
    amount.get()
}

// ---------------------------------------------------------------------------------------------
// F1: login

dual_db_test!(
    async fn f1_login_with_simulator_auth_code_and_code_is_single_use(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let code = auth_code(&t, "demo-villager").await;
        let (status, body) = post(
            &t,
            "/api/v1/auth/dingtalk",
            None,
            json!({ "authCode": code }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["tokenType"], "Bearer");
        assert_eq!(body["expiresIn"], 900);
        assert_eq!(body["member"]["name"], "唐平");
        assert_eq!(body["household"]["code"], "heping-01-001");
        assert_eq!(body["household"]["village"]["code"], "heping");
        let roles = body["roles"].as_array().unwrap();
        assert!(
            roles
                .iter()
                .any(|r| r["role"] == "villager" && r["scopeLevel"] == "village")
        );
        assert!(body["refreshToken"].as_str().unwrap().len() >= 40);

        // The token works on /me.
        let (status, me) = get(
            &t,
            "/api/v1/me/household",
            Some(body["accessToken"].as_str().unwrap()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["household"]["code"], "heping-01-001");

        // DingTalk codes are single use: the second exchange is refused.
        let (status, again) = post(
            &t,
            "/api/v1/auth/dingtalk",
            None,
            json!({ "authCode": code }),
        )
        .await;
        assert_envelope(
            status,
            &again,
            StatusCode::UNAUTHORIZED,
            "auth.invalid_code",
        );

        // Bad input gets the envelope too.
        let (status, bad) = post(&t, "/api/v1/auth/dingtalk", None, json!({ "code": 1 })).await;
        assert_envelope(
            status,
            &bad,
            StatusCode::BAD_REQUEST,
            "request.invalid_body",
        );
    }
);

dual_db_test!(
    async fn f1_staff_without_member_logs_in_with_roles(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let session = login_as(&t, "demo-town", "console").await;
        assert!(session.body["member"].is_null());
        assert!(session.body["household"].is_null());
        let roles = session.body["roles"].as_array().unwrap();
        assert_eq!(roles.len(), 1, "{}", session.body);
        assert_eq!(roles[0]["role"], "town_officer");
        // Not a member: /me has no household.
        let (status, body) = get(&t, "/api/v1/me/household", Some(&session.token)).await;
        assert_envelope(status, &body, StatusCode::NOT_FOUND, "me.no_household");
    }
);

dual_db_test!(
    async fn f1_unknown_dingtalk_user_is_told_to_ask_the_village_admin(db: TestDb) {
        let t = TestApp::spawn(db).await;
        sim_put_user(&t, "stranger-1", "过路人", "10099990001").await;
        let code = auth_code(&t, "stranger-1").await;
        let (status, body) = post(
            &t,
            "/api/v1/auth/dingtalk",
            None,
            json!({ "authCode": code }),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.not_registered");
        assert!(
            body["message"].as_str().unwrap().contains("村管理员"),
            "{body}"
        );
        // Nothing was bound: the account (if any) has no member and no grant.
        let account = t
            .store()
            .account_by_dingtalk_user_id("stranger-1")
            .await
            .unwrap();
        assert!(account.is_none_or(|a| a.member.is_none() && a.grants.is_empty()));
    }
);

dual_db_test!(
    async fn f1_r4_first_login_binds_by_mobile_of_member_registered_by_admin(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let admin = login_as(&t, "demo-admin", "console").await;
        let admin_token = admin.token;
        let heping = VillageId(village_id(&t, "heping").await);

        // The admin registers a new household and member with the mobile of a DingTalk user.
        let (status, household) = post(
            &t,
            &format!("/api/v1/admin/villages/{}/households", heping.get()),
            Some(&admin_token),
            json!({ "code": "heping-09-001", "address": "和平村九组 1 号" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{household}");
        let household_id = household["id"].as_i64().unwrap();
        let (status, member) = post(
            &t,
            &format!("/api/v1/admin/households/{household_id}/members"),
            Some(&admin_token),
            json!({ "name": "新村民", "relation": "户主", "mobile": "10099990002" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{member}");
        assert_eq!(member["mobileMasked"], "100****0002");
        assert_eq!(member["participating"], true);
        // R4: the mobile is not stored in plaintext.
        let member_id = member["id"].as_i64().unwrap();

        sim_put_user(&t, "newcomer-1", "新村民", "10099990002").await;
        let session = login(&t, "newcomer-1").await;
        assert_eq!(session.member_id, member_id);
        assert_eq!(session.body["household"]["id"], household_id);
        assert!(
            session.body["roles"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["role"] == "villager" && r["scopeId"] == heping.get())
        );

        // The binding is audited (R22).
        let (status, audit) = get(
            &t,
            &format!("/api/v1/admin/audit?householdId={household_id}"),
            Some(&admin_token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        let actions: Vec<&str> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(actions.contains(&"account.bound"), "{actions:?}");
        assert!(actions.contains(&"member.created"), "{actions:?}");
        assert!(actions.contains(&"household.created"), "{actions:?}");
    }
);

// ---------------------------------------------------------------------------------------------
// tokens

dual_db_test!(
    async fn f1_refresh_rotates_and_reuse_revokes_the_family(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let first = login(&t, "demo-villager").await;
        let r1 = first.refresh_token;

        let (status, second) = post(
            &t,
            "/api/v1/auth/refresh",
            None,
            json!({ "refreshToken": r1 }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{second}");
        let second = Session::from_body(second);
        let r2 = second.refresh_token;
        assert_ne!(r1, r2);
        let a2 = second.token;
        let (status, _) = get(&t, "/api/v1/me/household", Some(&a2)).await;
        assert_eq!(status, StatusCode::OK);

        // r1 was rotated: using it again is theft detection, the whole family is revoked.
        let (status, reused) = post(
            &t,
            "/api/v1/auth/refresh",
            None,
            json!({ "refreshToken": r1 }),
        )
        .await;
        assert_envelope(
            status,
            &reused,
            StatusCode::UNAUTHORIZED,
            "auth.refresh_token_reused",
        );
        let (status, body) = post(
            &t,
            "/api/v1/auth/refresh",
            None,
            json!({ "refreshToken": r2 }),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "auth.invalid_refresh_token",
        );
        // Access tokens of the revoked session stop working at once.
        let (status, body) = get(&t, "/api/v1/me/household", Some(&a2)).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "auth.invalid_token",
        );

        // A fresh login is a new family and works.
        let again = login(&t, "demo-villager").await;
        let (status, _) = get(&t, "/api/v1/me/household", Some(&again.token)).await;
        assert_eq!(status, StatusCode::OK);

        // Unknown refresh token.
        let (status, body) = post(
            &t,
            "/api/v1/auth/refresh",
            None,
            json!({ "refreshToken": "not-a-token" }),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "auth.invalid_refresh_token",
        );
    }
);

dual_db_test!(
    async fn f1_logout_revokes_the_session(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let session = login(&t, "demo-villager").await;
        let access = session.token.clone();
        let refresh = session.refresh_token.clone();
        let (status, body) = post(
            &t,
            "/api/v1/auth/logout",
            Some(&access),
            json!({ "refreshToken": refresh }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["revoked"], 1);
        let admin = login_as(&t, "demo-admin", "console").await.token;
        let (_, audit) = get(
            &t,
            &format!("/api/v1/admin/audit?householdId={}", session.household_id),
            Some(&admin),
        )
        .await;
        assert!(
            audit["entries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "session.logout" && e["channel"] == "mini_app"),
            "{audit}"
        );
        let (status, body) = get(&t, "/api/v1/me/household", Some(&access)).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "auth.invalid_token",
        );
        let (status, _) = post(
            &t,
            "/api/v1/auth/refresh",
            None,
            json!({ "refreshToken": refresh }),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
);

dual_db_test!(
    async fn f1_missing_tampered_and_expired_tokens_get_401_envelopes(db: TestDb) {
        let (t, clock) = spawn_at(db, chrono::Utc::now(), vec![]).await;
        let (status, body) = get(&t, "/api/v1/me/household", None).await;
        assert_envelope(status, &body, StatusCode::UNAUTHORIZED, "auth.required");

        let session = login(&t, "demo-villager").await;
        let access = session.token.clone();

        // Tampered payload (claims the admin's account id) with the old signature.
        let parts: Vec<&str> = access.split('.').collect();
        assert_eq!(parts.len(), 3);
        let forged_payload = {
            use base64_engine::decode_b64url;
            let mut claims: Value = serde_json::from_slice(&decode_b64url(parts[1])).unwrap();
            claims["sub"] = json!("1");
            base64_engine::encode_b64url(&serde_json::to_vec(&claims).unwrap())
        };
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        let (status, body) = get(&t, "/api/v1/me/household", Some(&forged)).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "auth.invalid_token",
        );
        // An unsigned token (`alg: none`) is refused too.
        let unsigned = format!(
            "{}.{}.",
            base64_engine::encode_b64url(br#"{"alg":"none","typ":"JWT"}"#),
            parts[1]
        );
        let (status, body) = get(&t, "/api/v1/me/household", Some(&unsigned)).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "auth.invalid_token",
        );
        let (status, body) = get(&t, "/api/v1/me/household", Some("garbage")).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "auth.invalid_token",
        );

        // 15 minutes later the access token has expired; the refresh token still works.
        clock.advance(chrono::Duration::minutes(16));
        let (status, body) = get(&t, "/api/v1/me/household", Some(&access)).await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "auth.token_expired",
        );
        let (status, refreshed) = post(
            &t,
            "/api/v1/auth/refresh",
            None,
            json!({ "refreshToken": session.refresh_token }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{refreshed}");
        let (status, _) = get(
            &t,
            "/api/v1/me/household",
            Some(&Session::from_body(refreshed).token),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
);

/// Minimal base64url helpers so the test needs no extra crate.
mod base64_engine {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn decode_b64url(text: &str) -> Vec<u8> {
        let mut bits = 0u32;
        let mut n = 0;
        let mut out = Vec::new();
        for c in text.bytes() {
            let v = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
            bits = (bits << 6) | v;
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push((bits >> n) as u8);
                bits &= (1 << n) - 1;
            }
        }
        out
    }

    pub fn encode_b64url(bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            let chars = chunk.len() + 1;
            for i in 0..chars {
                out.push(ALPHABET[((v >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// R1: roles and village scope

dual_db_test!(
    async fn r1_roles_and_village_scope_are_enforced(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let heping = VillageId(village_id(&t, "heping").await);
        let cihang = VillageId(village_id(&t, "cihang").await);
        let cihang_household = first_household(&t, cihang).await;
        let heping_household = first_household(&t, heping).await;

        let villager = login(&t, "demo-villager").await.token;
        let admin = login_as(&t, "demo-admin", "console").await.token;
        let town = login_as(&t, "demo-town", "console").await.token;

        // A villager cannot call admin routes.
        let (status, body) = get(
            &t,
            &format!("/api/v1/admin/villages/{}/households", heping.get()),
            Some(&villager),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");
        let (status, body) = get(
            &t,
            &format!("/api/v1/admin/audit?villageId={}", heping.get()),
            Some(&villager),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");

        // The heping admin sees heping households but another village's household is not found.
        let (status, list) = get(
            &t,
            &format!(
                "/api/v1/admin/villages/{}/households?perPage=5",
                heping.get()
            ),
            Some(&admin),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["households"].as_array().unwrap().len(), 5);
        assert!(list["total"].as_u64().unwrap() >= 50);
        let (status, body) = get(
            &t,
            &format!("/api/v1/admin/households/{}", cihang_household.get()),
            Some(&admin),
        )
        .await;
        assert_envelope(status, &body, StatusCode::NOT_FOUND, "household.not_found");
        let (status, body) = get(
            &t,
            &format!("/api/v1/admin/villages/{}/households", cihang.get()),
            Some(&admin),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");

        // The town officer may read heping (its town) but not change members.
        let (status, detail) = get(
            &t,
            &format!("/api/v1/admin/households/{}", heping_household.get()),
            Some(&town),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{detail}");
        let member_id = detail["members"][0]["id"].as_i64().unwrap();
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/members/{member_id}/participation"),
            Some(&town),
            json!({ "participating": false, "effectiveOn": "2026-11-29", "reason": "外出" }),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.forbidden");

        // Another village's admin gets 404 for a heping member, and nothing changes.
        let cihang_admin = login_as(&t, "admin-cihang", "console").await.token;
        let (status, body) = send(
            &t,
            Method::PATCH,
            &format!("/api/v1/admin/members/{member_id}"),
            Some(&cihang_admin),
            json!({ "name": "改名" }),
        )
        .await;
        assert_envelope(status, &body, StatusCode::NOT_FOUND, "member.not_found");
        let (_, after) = get(
            &t,
            &format!("/api/v1/admin/households/{}", heping_household.get()),
            Some(&admin),
        )
        .await;
        assert_eq!(after["members"][0]["name"], detail["members"][0]["name"]);
    }
);

// ---------------------------------------------------------------------------------------------
// R3: households, members, participation with history; R22: audit

dual_db_test!(
    async fn r3_participation_opt_out_and_in_with_history_and_audit(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let heping = VillageId(village_id(&t, "heping").await);
        let admin_session = login_as(&t, "demo-admin", "console").await;
        let admin = admin_session.token.clone();
        let villager_session = login(&t, "demo-villager").await;
        let household_id = villager_session.household_id;
        let villager = villager_session.token.clone();

        let (_, detail) = get(
            &t,
            &format!("/api/v1/admin/households/{household_id}"),
            Some(&admin),
        )
        .await;
        let members: Vec<i64> = detail["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect();
        assert!(!members.is_empty());
        let today = business_date(t.app.clock().now()).to_string();

        // Ranked while participating.
        let (_, before) = get(&t, "/api/v1/me/household", Some(&villager)).await;
        assert!(before["rank"].as_u64().is_some(), "{before}");

        // Every member opts out from today: the household is out and not ranked (R3).
        for m in &members {
            let (status, row) = post(
                &t,
                &format!("/api/v1/admin/members/{m}/participation"),
                Some(&admin),
                json!({ "participating": false, "effectiveOn": today, "reason": "全家外出务工" }),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{row}");
            assert_eq!(row["recordedByName"], "王光明");
            assert_eq!(row["channel"], "console");
        }
        let (_, out) = get(&t, "/api/v1/me/household", Some(&villager)).await;
        assert_eq!(out["household"]["participating"], false, "{out}");
        assert!(out["rank"].is_null(), "{out}");

        // One opts back in.
        let (status, _) = post(
            &t,
            &format!("/api/v1/admin/members/{}/participation", members[0]),
            Some(&admin),
            json!({ "participating": true, "effectiveOn": today, "reason": "返乡" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, back) = get(&t, "/api/v1/me/household", Some(&villager)).await;
        assert_eq!(back["household"]["participating"], true);
        assert!(back["rank"].as_u64().is_some());

        // History, oldest first, with who recorded it.
        let (status, history) = get(
            &t,
            &format!("/api/v1/admin/households/{household_id}/participation"),
            Some(&admin),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{history}");
        let changes = history["changes"].as_array().unwrap();
        let recorded: Vec<&Value> = changes
            .iter()
            .filter(|c| c["reason"] == "全家外出务工" || c["reason"] == "返乡")
            .collect();
        assert_eq!(recorded.len(), members.len() + 1);
        assert_eq!(recorded.last().unwrap()["participating"], true);

        // Bad input changes nothing.
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/members/{}/participation", members[0]),
            Some(&admin),
            json!({ "participating": false, "effectiveOn": today, "reason": "  " }),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "request.invalid_field",
        );
        assert_eq!(body["details"]["field"], "reason");
        let (_, again) = get(
            &t,
            &format!("/api/v1/admin/households/{household_id}/participation"),
            Some(&admin),
        )
        .await;
        assert_eq!(again["changes"].as_array().unwrap().len(), changes.len());

        // R22: the audit trail of the household, and filtered by actor.
        let admin_account = t
            .store()
            .account_by_dingtalk_user_id("demo-admin")
            .await
            .unwrap()
            .unwrap()
            .id;
        let (status, audit) = get(
            &t,
            &format!(
                "/api/v1/admin/audit?villageId={}&householdId={household_id}&actorId={}",
                heping.get(),
                admin_account.get()
            ),
            Some(&admin),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        let entries = audit["entries"].as_array().unwrap();
        assert_eq!(entries.len(), members.len() + 1);
        assert!(
            entries
                .iter()
                .all(|e| e["action"] == "member.participation_changed"
                    && e["actorName"] == "王光明"
                    && e["role"] == "village_admin"
                    && e["channel"] == "console"
                    && e["requestId"].as_str().is_some())
        );
        // Newest first.
        assert_eq!(entries[0]["detail"]["participating"], true);

        // The committee and the town may read the village audit; another village's admin may not.
        let committee = login_as(&t, "demo-committee", "console").await.token;
        let (status, _) = get(
            &t,
            &format!("/api/v1/admin/audit?villageId={}", heping.get()),
            Some(&committee),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let other = login_as(&t, "admin-cihang", "console").await.token;
        let (status, body) = get(
            &t,
            &format!("/api/v1/admin/audit?householdId={household_id}"),
            Some(&other),
        )
        .await;
        assert_envelope(status, &body, StatusCode::NOT_FOUND, "household.not_found");
    }
);

dual_db_test!(
    async fn r4_member_changes_keep_the_mobile_encrypted_and_masked(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let admin = login_as(&t, "demo-admin", "console").await.token;
        let villager_session = login(&t, "demo-villager").await;
        let household_id = villager_session.household_id;
        let (status, member) = post(
            &t,
            &format!("/api/v1/admin/households/{household_id}/members"),
            Some(&admin),
            json!({ "name": "唐小平", "relation": "子女", "kind": "villager",
                    "longTermAbsent": true, "mobile": "10099990003" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{member}");
        // R3: a long-term-absent villager is out unless opted in.
        assert_eq!(member["participating"], false);
        let id = member["id"].as_i64().unwrap();
        let (status, changed) = send(
            &t,
            Method::PATCH,
            &format!("/api/v1/admin/members/{id}"),
            Some(&admin),
            json!({ "mobile": "10099990004", "longTermAbsent": false }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        assert_eq!(changed["mobileMasked"], "100****0004");
        assert_eq!(changed["participating"], true);
        // Stored encrypted; decrypts with the service's keys.
        let found = t
            .store()
            .member_mobile(t.pii(), MemberId(id))
            .await
            .unwrap();
        assert_eq!(found.as_deref(), Some("10099990004"));
        let (status, body) = send(
            &t,
            Method::PATCH,
            &format!("/api/v1/admin/members/{id}"),
            Some(&admin),
            json!({ "mobile": "12" }),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["details"]["field"], "mobile");
        let (status, body) = send(
            &t,
            Method::PATCH,
            &format!("/api/v1/admin/members/{id}"),
            Some(&admin),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
);

// ---------------------------------------------------------------------------------------------
// /me queries

dual_db_test!(
    async fn me_household_ledger_and_catalogue_follow_the_ledger(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let session = login(&t, "demo-villager").await;
        let villager = session.token.clone();
        let household = HouseholdId(session.household_id);
        let member = MemberId(session.member_id);

        let (status, before) = get(&t, "/api/v1/me/household", Some(&villager)).await;
        assert_eq!(status, StatusCode::OK, "{before}");
        let (_, ledger_before) = get(&t, "/api/v1/me/household/ledger", Some(&villager)).await;

        let amount = book_award(&t, household, member, "清扫公共区域").await;
        let amount2 = book_award(&t, household, member, "第二次").await;

        let (_, after) = get(&t, "/api/v1/me/household", Some(&villager)).await;
        let delta = amount + amount2;
        assert_eq!(
            after["yearScore"].as_i64().unwrap(),
            before["yearScore"].as_i64().unwrap() + delta
        );
        assert_eq!(
            after["balance"].as_i64().unwrap(),
            before["balance"].as_i64().unwrap() + delta
        );
        assert_eq!(
            after["quarterPoints"].as_i64().unwrap(),
            before["quarterPoints"].as_i64().unwrap() + delta
        );
        let totals = t
            .store()
            .household_totals(
                household,
                aidazu_domain::calendar::PointsYear(after["pointsYear"].as_i64().unwrap() as i32),
            )
            .await
            .unwrap();
        assert_eq!(after["yearScore"].as_i64().unwrap(), totals.score.get());
        let rank = after["rank"].as_u64().unwrap();
        assert!(rank >= 1 && rank <= after["rankedHouseholds"].as_u64().unwrap());

        // Ledger: newest first, with item, member, actor and channel.
        let (status, ledger) = get(
            &t,
            "/api/v1/me/household/ledger?page=1&perPage=1",
            Some(&villager),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{ledger}");
        assert_eq!(
            ledger["total"].as_u64().unwrap(),
            ledger_before["total"].as_u64().unwrap() + 2
        );
        let newest = &ledger["entries"][0];
        assert_eq!(newest["reason"], "第二次");
        assert_eq!(newest["amount"], amount2);
        assert_eq!(newest["kind"], "award");
        assert_eq!(newest["memberName"], "唐平");
        assert_eq!(newest["actorName"], "王光明");
        assert_eq!(newest["channel"], "console");
        assert!(newest["itemTitle"].as_str().is_some_and(|s| !s.is_empty()));
        let (_, page2) = get(
            &t,
            "/api/v1/me/household/ledger?page=2&perPage=1",
            Some(&villager),
        )
        .await;
        assert_eq!(page2["entries"][0]["reason"], "清扫公共区域");
        let (status, body) = get(
            &t,
            "/api/v1/me/household/ledger?perPage=500",
            Some(&villager),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "request.invalid_query",
        );

        // Catalogue: positive, self-declarable items only, with caps left.
        let (status, catalogue) = get(&t, "/api/v1/me/catalogue", Some(&villager)).await;
        assert_eq!(status, StatusCode::OK, "{catalogue}");
        let items = catalogue["items"].as_array().unwrap();
        assert!(!items.is_empty());
        assert!(items.iter().all(|i| i["pointsMin"].as_i64().unwrap() > 0));
        let heping = VillageId(village_id(&t, "heping").await);
        let in_force = t.app.catalogue_in_force(heping).await.unwrap();
        let declarable = in_force
            .version
            .items()
            .iter()
            .filter(|i| i.direction() == Direction::Positive && i.recorders().self_declared)
            .count();
        assert_eq!(items.len(), declarable);
        assert!(items.iter().all(|i| {
            let kind = i["capKind"].as_str().unwrap();
            (kind == "none") == i["remaining"].is_null()
        }));
    }
);

// ---------------------------------------------------------------------------------------------
// F3: contact events update bindings

dual_db_test!(
    async fn f3_contact_events_bind_and_unbind_accounts(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let admin = login_as(&t, "demo-admin", "console").await.token;
        let villager_session = login(&t, "demo-villager").await;
        let household_id = villager_session.household_id;
        let (status, member) = post(
            &t,
            &format!("/api/v1/admin/households/{household_id}/members"),
            Some(&admin),
            json!({ "name": "唐新", "relation": "子女", "mobile": "10099990005" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{member}");
        let member_id = MemberId(member["id"].as_i64().unwrap());

        // user_add_org: the new DingTalk user is bound by mobile.
        sim_put_user(&t, "tang-xin", "唐新", "10099990005").await;
        let outcomes = apply_contact_event_now(
            &t.app,
            &ContactEvent {
                kind: ContactEventKind::UserAddOrg,
                user_ids: vec!["tang-xin".to_owned(), "nobody-here".to_owned()],
            },
        )
        .await
        .unwrap();
        assert_eq!(
            outcomes,
            vec![
                ContactOutcome::Bound {
                    user_id: "tang-xin".to_owned(),
                    member: member_id
                },
                ContactOutcome::Unchanged {
                    user_id: "nobody-here".to_owned()
                },
            ]
        );
        // DingTalk retries: applying the same event again changes nothing (one audit record).
        let again = apply_contact_event_now(
            &t.app,
            &ContactEvent {
                kind: ContactEventKind::UserModifyOrg,
                user_ids: vec!["tang-xin".to_owned()],
            },
        )
        .await
        .unwrap();
        assert_eq!(
            again,
            vec![ContactOutcome::Bound {
                user_id: "tang-xin".to_owned(),
                member: member_id
            }]
        );
        let (_, audit) = get(
            &t,
            &format!("/api/v1/admin/audit?householdId={household_id}&perPage=100"),
            Some(&admin),
        )
        .await;
        let bound: Vec<&Value> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                e["action"] == "account.bound" && e["detail"]["dingtalkUserId"] == "tang-xin"
            })
            .collect();
        assert_eq!(bound.len(), 1, "{audit}");
        assert_eq!(bound[0]["channel"], "dingtalk_event");

        let session = login(&t, "tang-xin").await;
        assert_eq!(session.member_id, member_id.get());
        let access = session.token.clone();

        // user_leave_org: unbound, sessions revoked at once.
        let (status, _) = sim_delete(&t, "/sim/users/tang-xin").await;
        assert!(status.is_success());
        let outcomes = apply_contact_event_now(
            &t.app,
            &ContactEvent {
                kind: ContactEventKind::UserLeaveOrg,
                user_ids: vec!["tang-xin".to_owned()],
            },
        )
        .await
        .unwrap();
        assert_eq!(
            outcomes,
            vec![ContactOutcome::Unbound {
                user_id: "tang-xin".to_owned()
            }]
        );
        let (status, _) = get(&t, "/api/v1/me/household", Some(&access)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = post(
            &t,
            "/api/v1/auth/refresh",
            None,
            json!({ "refreshToken": session.refresh_token }),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (_, detail) = get(
            &t,
            &format!("/api/v1/admin/households/{household_id}"),
            Some(&admin),
        )
        .await;
        let m = detail["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == member_id.get())
            .unwrap();
        assert!(m["dingtalkUserIds"].as_array().unwrap().is_empty());

        // Back in the organisation with the same mobile: the next login binds again.
        sim_put_user(&t, "tang-xin", "唐新", "10099990005").await;
        let back = login(&t, "tang-xin").await;
        assert_eq!(back.member_id, member_id.get());
        let outcomes = apply_contact_event_now(
            &t.app,
            &ContactEvent {
                kind: ContactEventKind::UserLeaveOrg,
                user_ids: vec!["tang-xin".to_owned()],
            },
        )
        .await
        .unwrap();
        assert_eq!(outcomes.len(), 1);

        // Admin binding puts a DingTalk user back on the member by hand.
        sim_put_user(&t, "tang-xin-2", "唐新", "10088880000").await;
        let (status, bound) = post(
            &t,
            &format!("/api/v1/admin/members/{}/binding", member_id.get()),
            Some(&admin),
            json!({ "dingtalkUserId": "tang-xin-2" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{bound}");
        assert_eq!(bound["member"]["dingtalkUserIds"], json!(["tang-xin-2"]));
        let again = login(&t, "tang-xin-2").await;
        assert_eq!(again.member_id, member_id.get());
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/members/{}/binding", member_id.get()),
            Some(&admin),
            json!({ "dingtalkUserId": "no-such-user" }),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "dingtalk.user_not_found",
        );
    }
);

dual_db_test!(
    async fn openapi_lists_the_identity_endpoints(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let (status, doc) = get(&t, "/openapi.json", None).await;
        assert_eq!(status, StatusCode::OK);
        for path in [
            "/api/v1/auth/dingtalk",
            "/api/v1/auth/refresh",
            "/api/v1/auth/logout",
            "/api/v1/me/household",
            "/api/v1/me/household/ledger",
            "/api/v1/me/catalogue",
            "/api/v1/admin/villages/{id}/households",
            "/api/v1/admin/households/{id}",
            "/api/v1/admin/households/{id}/members",
            "/api/v1/admin/households/{id}/participation",
            "/api/v1/admin/members/{id}",
            "/api/v1/admin/members/{id}/participation",
            "/api/v1/admin/members/{id}/binding",
            "/api/v1/admin/audit",
        ] {
            assert!(
                doc["paths"][path].is_object(),
                "{path} missing from OpenAPI"
            );
        }
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
    }
);

dual_db_test!(
    async fn f1_concurrent_refreshes_of_one_token_let_at_most_one_through(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let session = login(&t, "demo-villager").await;
        let r1 = session.refresh_token;
        let body = json!({ "refreshToken": r1 });
        let (a, b) = tokio::join!(
            post(&t, "/api/v1/auth/refresh", None, body.clone()),
            post(&t, "/api/v1/auth/refresh", None, body.clone()),
        );
        let ok = [a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(ok, 1, "{a:?} {b:?}");
        let (winner, loser) = if a.0 == StatusCode::OK {
            (a, b)
        } else {
            (b, a)
        };
        assert_envelope(
            loser.0,
            &loser.1,
            StatusCode::UNAUTHORIZED,
            "auth.refresh_token_reused",
        );
        let winner = Session::from_body(winner.1);
        // The second use revoked the family, the winner's new pair included.
        let (status, _) = get(&t, "/api/v1/me/household", Some(&winner.token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = post(
            &t,
            "/api/v1/auth/refresh",
            None,
            json!({ "refreshToken": winner.refresh_token }),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
);

dual_db_test!(
    async fn f1_r4_a_mobile_shared_by_two_members_needs_the_admin(db: TestDb) {
        let t = TestApp::spawn(db).await;
        let admin = login_as(&t, "demo-admin", "console").await.token;
        let heping = VillageId(village_id(&t, "heping").await);
        let mut members = Vec::new();
        for code in ["heping-09-101", "heping-09-102"] {
            let (status, household) = post(
                &t,
                &format!("/api/v1/admin/villages/{}/households", heping.get()),
                Some(&admin),
                json!({ "code": code, "address": "和平村九组" }),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{household}");
            let (status, member) = post(
                &t,
                &format!("/api/v1/admin/households/{}/members", household["id"]),
                Some(&admin),
                json!({ "name": "同号人", "relation": "户主", "mobile": "10099990007" }),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{member}");
            members.push(member["id"].as_i64().unwrap());
        }
        // A duplicate household code is a conflict and changes nothing.
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/villages/{}/households", heping.get()),
            Some(&admin),
            json!({ "code": "heping-09-101", "address": "重复" }),
        )
        .await;
        assert_envelope(status, &body, StatusCode::CONFLICT, "household.code_taken");

        sim_put_user(&t, "same-mobile", "同号人", "10099990007").await;
        let code = auth_code(&t, "same-mobile").await;
        let (status, body) = post(
            &t,
            "/api/v1/auth/dingtalk",
            None,
            json!({ "authCode": code }),
        )
        .await;
        assert_envelope(status, &body, StatusCode::CONFLICT, "auth.ambiguous_member");

        // The admin binds by hand; then login works.
        let (status, bound) = post(
            &t,
            &format!("/api/v1/admin/members/{}/binding", members[1]),
            Some(&admin),
            json!({ "dingtalkUserId": "same-mobile" }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{bound}");
        let session = login(&t, "same-mobile").await;
        assert_eq!(session.member_id, members[1]);
        // A member already bound to someone else is not silently re-bound.
        sim_put_user(&t, "someone-else", "别人", "10088881111").await;
        let (status, body) = post(
            &t,
            &format!("/api/v1/admin/members/{}/binding", members[1]),
            Some(&admin),
            json!({ "dingtalkUserId": "someone-else" }),
        )
        .await;
        assert_envelope(status, &body, StatusCode::CONFLICT, "member.already_bound");
    }
);

dual_db_test!(
    async fn f1_console_web_login_through_dingtalk_oauth2_page(db: TestDb) {
        let t = TestApp::spawn(db).await;
        // The console reads where to send the browser (the simulator's login page in sim mode).
        let (status, config) = get(&t, "/api/v1/client-config", None).await;
        assert_eq!(status, StatusCode::OK);
        let base = config["webLoginBase"].as_str().unwrap().to_owned();
        assert_eq!(Some(base.as_str()), t.sim_url.as_deref());
        let client_id = config["clientId"].as_str().unwrap().to_owned();
        let redirect = format!("{}/console/", t.base_url);
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();

        // DingTalk's login page, then the user's confirmation redirects back with the code.
        let page = browser
            .get(format!("{base}/oauth2/auth"))
            .query(&[
                ("redirect_uri", redirect.as_str()),
                ("response_type", "code"),
                ("client_id", client_id.as_str()),
                ("scope", "openid"),
                ("state", "s-123"),
                ("prompt", "consent"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("demo-town"));
        let confirmed = browser
            .post(format!("{base}/oauth2/auth"))
            .form(&[
                ("client_id", client_id.as_str()),
                ("redirect_uri", redirect.as_str()),
                ("state", "s-123"),
                ("user_id", "demo-town"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(confirmed.status(), StatusCode::FOUND);
        let location =
            reqwest::Url::parse(confirmed.headers()["location"].to_str().unwrap()).unwrap();
        assert!(location.as_str().starts_with(&redirect), "{location}");
        let query: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
        assert_eq!(query["state"], "s-123");
        let code = query["authCode"].clone();

        let (status, session) = post(
            &t,
            "/api/v1/auth/dingtalk/web",
            None,
            json!({ "authCode": code }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{session}");
        assert_eq!(session["roles"][0]["role"], "town_officer");
        let token = session["accessToken"].as_str().unwrap();
        let (status, jobs) = get(&t, "/api/v1/admin/jobs", Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{jobs}");

        // The code is single use.
        let (status, again) = post(
            &t,
            "/api/v1/auth/dingtalk/web",
            None,
            json!({ "authCode": code }),
        )
        .await;
        assert_envelope(
            status,
            &again,
            StatusCode::UNAUTHORIZED,
            "auth.invalid_code",
        );
        // A 免登 code is no web-login code, and an empty one is refused before DingTalk is asked.
        let mini_code = auth_code(&t, "demo-town").await;
        let (status, body) = post(
            &t,
            "/api/v1/auth/dingtalk/web",
            None,
            json!({ "authCode": mini_code }),
        )
        .await;
        assert_envelope(status, &body, StatusCode::UNAUTHORIZED, "auth.invalid_code");
        let (status, body) = post(
            &t,
            "/api/v1/auth/dingtalk/web",
            None,
            json!({ "authCode": " " }),
        )
        .await;
        assert_envelope(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "request.invalid_field",
        );

        // A DingTalk user of the organisation without an account here is told to ask the admin.
        sim_put_user(&t, "stranger-2", "过路人", "10099990002").await;
        let (status, issued) =
            sim_post(&t, "/sim/oauth2/codes", json!({ "userId": "stranger-2" })).await;
        assert_eq!(status, StatusCode::OK, "{issued}");
        let (status, body) = post(
            &t,
            "/api/v1/auth/dingtalk/web",
            None,
            json!({ "authCode": issued["code"] }),
        )
        .await;
        assert_envelope(status, &body, StatusCode::FORBIDDEN, "auth.not_registered");
    }
);
