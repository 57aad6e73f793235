//! The demo seed: idempotent, complete, R3 participation defaults.

use aidazu_domain::org::{Access, Role, Scope};
use aidazu_store::PiiKeys;
use aidazu_store::seed::{DemoOrganisation, seed_demo};
use aidazu_testdb::{TestDb, dual_db_test};

use crate::support::{seeded, today};

dual_db_test!(
    async fn seed_twice_gives_the_same_counts(db: TestDb) {
        let (store, first) = seeded(&db).await;
        let org = DemoOrganisation::embedded().unwrap();
        assert_eq!(first.totals.districts, 1);
        assert_eq!(first.totals.towns, 4);
        assert_eq!(first.totals.villages, 4);
        assert_eq!(first.totals.households, org.household_count() as u64);
        assert!((180..=220).contains(&first.totals.households));
        assert_eq!(first.totals.members, org.member_count() as u64);
        assert_eq!(first.totals.catalogue_versions, 1);
        assert_eq!(first.totals.catalogue_items, 25);
        assert!(first.totals.ledger_entries > 0, "the demo is not empty");
        assert_eq!(first.inserted, first.totals, "first run starts from empty");

        let second = seed_demo(&store, &org, &PiiKeys::demo(), today())
            .await
            .unwrap();
        assert_eq!(second.totals, first.totals);
        assert_eq!(
            second.inserted,
            Default::default(),
            "second run inserts nothing"
        );
    }
);

dual_db_test!(
    async fn seed_loads_the_four_pilot_villages(db: TestDb) {
        let (store, _) = seeded(&db).await;
        let villages = store.list_villages().await.unwrap();
        let names: Vec<(&str, &str)> = villages
            .iter()
            .map(|v| (v.town.name.as_str(), v.name.as_str()))
            .collect();
        for expected in [
            ("棠香街道", "和平村"),
            ("宝顶镇", "慈航社区"),
            ("拾万镇", "长虹村"),
            ("高升镇", "旭光村"),
        ] {
            assert!(
                names.contains(&expected),
                "{expected:?} missing from {names:?}"
            );
        }
        assert!(villages.iter().all(|v| v.district.name == "大足区"));
        let heping = store.village_by_code("heping").await.unwrap().unwrap();
        assert_eq!(
            store.village(heping.id).await.unwrap(),
            Some(heping.clone())
        );
    }
);

dual_db_test!(
    async fn seed_grants_roles_to_staff_and_villagers(db: TestDb) {
        let (store, _) = seeded(&db).await;
        let heping = store.village_by_code("heping").await.unwrap().unwrap();
        let admin = store
            .account_by_dingtalk_user_id("demo-admin")
            .await
            .unwrap()
            .unwrap();
        assert!(admin.active && admin.member.is_some());
        let village = Scope::Village(heping.id);
        assert!(
            admin
                .grants
                .contains(&Access::new(Role::VillageAdmin, village).unwrap())
        );
        assert!(
            admin
                .grants
                .contains(&Access::new(Role::Villager, village).unwrap())
        );

        let town = store
            .account_by_dingtalk_user_id("demo-town")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(town.member, None);
        assert_eq!(
            town.grants,
            vec![Access::new(Role::TownOfficer, Scope::Town(heping.town.id)).unwrap()]
        );
        let district = store
            .account_by_dingtalk_user_id("demo-district")
            .await
            .unwrap()
            .unwrap();
        assert!(district.grants[0].can_see(&heping.location()));

        let villager = store
            .account_by_dingtalk_user_id("demo-villager")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            villager.grants,
            vec![Access::new(Role::Villager, village).unwrap()]
        );
        assert!(
            store
                .account_by_dingtalk_user_id("nobody")
                .await
                .unwrap()
                .is_none()
        );
    }
);

dual_db_test!(
    async fn r3_absent_villagers_who_opted_in_are_recorded(db: TestDb) {
        let (_, report) = seeded(&db).await;
        let org = DemoOrganisation::embedded().unwrap();
        // Only explicit choices that differ from the R3 default become participation changes.
        let differing = org
            .villages()
            .flat_map(|(_, v)| &v.groups)
            .flat_map(|g| &g.households)
            .flat_map(|h| &h.members)
            .filter(|m| {
                let default = !(m.kind == aidazu_store::seed::DemoKind::Villager && m.absent);
                m.opted_in.is_some_and(|o| o != default)
            })
            .count();
        assert!(differing > 0, "the demo has absent villagers who opted in");
        assert_eq!(report.totals.participation_changes, differing as u64);
    }
);

#[test]
fn demo_file_rejects_unknown_fields_and_names_the_path() {
    let err = DemoOrganisation::from_json(
        r#"{"corpId":"c","district":{"code":"d","name":"区","deptId":1,"extra":1},"towns":[],"staff":[]}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("extra"), "{err}");
}

const SMALL: &str = r#"{
  "corpId": "dingsmall",
  "district": {"code": "dz", "name": "大足区", "deptId": "1"},
  "towns": [{"code": "t1", "name": "棠香街道", "deptId": 10, "villages": [
    {"code": "v1", "name": "和平村", "deptId": 11, "groups": [
      {"code": "v1-01", "name": "一组", "deptId": 111, "households": [
        {"code": "v1-01-001", "address": "和平村一组 1 号", "members": [
          {"id": "v1-01-001-1", "name": "张三", "relation": "head", "gender": "male",
           "birthYear": 1970, "kind": "villager", "absent": true, "optedIn": true,
           "partyMember": false, "mobile": "10000000001", "dingtalkUserId": "u1"},
          {"id": "v1-01-001-2", "name": "李四", "relation": "spouse", "gender": "female",
           "birthYear": 1972, "kind": "villager", "absent": true, "optedIn": null,
           "partyMember": true, "mobile": null, "dingtalkUserId": null}
        ]}
      ]}
    ]}
  ]}],
  "staff": [{"dingtalkUserId": "boss", "name": "王五", "mobile": "10000000009",
             "role": "village_admin", "scope": "nowhere", "memberId": null}]
}"#;

dual_db_test!(
    async fn staff_with_an_unknown_scope_is_refused_and_nothing_is_written(db: TestDb) {
        let store = crate::support::migrated(&db).await;
        let org = DemoOrganisation::from_json(SMALL).unwrap();
        let err = seed_demo(&store, &org, &PiiKeys::demo(), today())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("nowhere"), "{err}");
        assert!(
            store.list_villages().await.unwrap().is_empty(),
            "one transaction"
        );

        let mut fixed = org.clone();
        fixed.staff[0].scope = "v1".into();
        let report = seed_demo(&store, &fixed, &PiiKeys::demo(), today())
            .await
            .unwrap();
        assert_eq!(report.totals.households, 1);
        assert_eq!(
            report.totals.participation_changes, 1,
            "张三 opted in, 李四 stays out"
        );
    }
);
