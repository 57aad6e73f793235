//! F1 accounts, R3 participation history, R22 audit trail.

use aidazu_domain::channel::Channel;
use aidazu_domain::org::{
    Access, ParticipationChange, Role, Scope, household_participates, member_participates,
};
use aidazu_store::PiiKeys;
use aidazu_store::audit::{AuditFilter, AuditRecord};
use aidazu_testdb::{TestDb, dual_db_test};
use chrono::{TimeZone, Utc};

use crate::support::{date, seeded};

dual_db_test!(
    async fn f1_first_login_creates_binds_and_grants(db: TestDb) {
        let (store, _) = seeded(&db).await;
        let keys = PiiKeys::demo();
        let heping = store.village_by_code("heping").await.unwrap().unwrap();
        let id = store
            .ensure_account(&keys, "u-new", "新用户", Some("10099990000"))
            .await
            .unwrap();
        assert_eq!(
            store
                .ensure_account(&keys, "u-new", "新用户", Some("10099990000"))
                .await
                .unwrap(),
            id,
            "second login finds the same account"
        );
        let member = store.members_by_mobile(&keys, "10043349769").await.unwrap()[0].id;
        store.bind_account_to_member(id, member).await.unwrap();
        let access = Access::new(Role::Villager, Scope::Village(heping.id)).unwrap();
        store.grant_access(id, access, None).await.unwrap();
        store.grant_access(id, access, None).await.unwrap();
        let view = store
            .account_by_dingtalk_user_id("u-new")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(view.member, Some(member));
        assert_eq!(view.grants, vec![access]);
        assert!(
            store
                .bind_account_to_member(id, aidazu_domain::MemberId(0))
                .await
                .is_err()
        );
    }
);

dual_db_test!(
    async fn r3_participation_history_feeds_the_domain_rule(db: TestDb) {
        let (store, _) = seeded(&db).await;
        let heping = store.village_by_code("heping").await.unwrap().unwrap();
        let household = store.households(heping.id).await.unwrap()[30].id;
        let members = store.household_members(household).await.unwrap();
        let before = store.participation_history(household).await.unwrap();
        let on = date(2026, 11, 29);
        let admin = store
            .account_by_dingtalk_user_id("demo-admin")
            .await
            .unwrap()
            .unwrap();
        for m in &members {
            let change = ParticipationChange {
                member: m.id,
                opted_in: false,
                effective_on: date(2026, 12, 1),
                recorded_by: admin.id,
                reason: "本人申请退出".into(),
            };
            store
                .record_participation_change(&change, Channel::Console)
                .await
                .unwrap();
        }
        let history = store.participation_history(household).await.unwrap();
        assert_eq!(history.len(), before.len() + members.len());
        assert_eq!(
            household_participates(&members, &history, on),
            household_participates(&members, &before, on),
            "changes effective tomorrow do not count today"
        );
        assert!(!household_participates(
            &members,
            &history,
            date(2026, 12, 1)
        ));
        assert!(
            members
                .iter()
                .all(|m| !member_participates(m, &history, date(2027, 1, 1)))
        );
    }
);

dual_db_test!(
    async fn r22_audit_trail_per_household_and_actor(db: TestDb) {
        let (store, _) = seeded(&db).await;
        let heping = store.village_by_code("heping").await.unwrap().unwrap();
        let households = store.households(heping.id).await.unwrap();
        let admin = store
            .account_by_dingtalk_user_id("demo-admin")
            .await
            .unwrap()
            .unwrap();
        let record = |household, minute, action: &str| AuditRecord {
            actor: Some(admin.id),
            role: Some(Role::VillageAdmin),
            channel: Channel::Card,
            request_id: Some(format!("req-{minute}")),
            action: action.into(),
            entity: "declaration".into(),
            entity_id: Some("7".into()),
            village: Some(heping.id),
            household: Some(household),
            detail: serde_json::json!({"points": 2}),
            at: Utc.with_ymd_and_hms(2026, 11, 29, 2, minute, 0).unwrap(),
        };
        store
            .record_audit(&record(households[0].id, 1, "declaration.approved"))
            .await
            .unwrap();
        store
            .record_audit(&record(households[1].id, 2, "declaration.rejected"))
            .await
            .unwrap();
        store
            .record_audit(&record(households[0].id, 3, "ledger.award"))
            .await
            .unwrap();

        let trail = store
            .audit_trail(
                AuditFilter {
                    household: Some(households[0].id),
                    ..Default::default()
                },
                10,
            )
            .await
            .unwrap();
        let actions: Vec<&str> = trail.iter().map(|e| e.record.action.as_str()).collect();
        assert_eq!(
            actions,
            vec!["ledger.award", "declaration.approved"],
            "newest first"
        );
        assert_eq!(
            trail[1].record,
            record(households[0].id, 1, "declaration.approved")
        );
        let by_admin = store
            .audit_trail(
                AuditFilter {
                    actor: Some(admin.id),
                    ..Default::default()
                },
                2,
            )
            .await
            .unwrap();
        assert_eq!(by_admin.len(), 2, "limit applies");
    }
);
