//! R7: which catalogue version is in force, village-specific vs district, never a future one.

use aidazu_domain::ItemCode;
use aidazu_domain::calendar::Quarter;
use aidazu_domain::catalogue::{CatalogueVersion, default_catalogue};
use aidazu_store::catalogue::{CatalogueOwner, CatalogueStatus};
use aidazu_testdb::{TestDb, dual_db_test};

use crate::support::{date, seeded};

fn version(number: u32, year: i32, quarter: u32, drop_last: usize, note: &str) -> CatalogueVersion {
    let mut items = default_catalogue();
    items.truncate(items.len() - drop_last);
    CatalogueVersion::new(number, Quarter::new(year, quarter).unwrap(), items, note).unwrap()
}

dual_db_test!(
    async fn r7_seeded_default_catalogue_is_in_force_from_the_year_start(db: TestDb) {
        let (store, _) = seeded(&db).await;
        let heping = store.village_by_code("heping").await.unwrap().unwrap();
        let v1 = store
            .catalogue_in_force(heping.id, date(2026, 11, 29))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(v1.version(), 1);
        assert_eq!(v1.items().len(), 25);
        assert_eq!(v1.effective_from(), Quarter::new(2026, 1).unwrap());
        // Items round-trip exactly (rules, caps, evidence, recorders).
        assert_eq!(v1.items(), default_catalogue().as_slice());
        assert!(
            store
                .catalogue_in_force(heping.id, date(2025, 12, 31))
                .await
                .unwrap()
                .is_none(),
            "nothing before the first version"
        );
        let stored = store
            .catalogue_in_force_stored(heping.id, date(2026, 1, 1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.effective_from, date(2026, 1, 1));
        assert_eq!(stored.village, None);
        assert_eq!(stored.status, CatalogueStatus::Approved);
    }
);

dual_db_test!(
    async fn r7_village_version_beats_district_and_future_versions_wait(db: TestDb) {
        let (store, _) = seeded(&db).await;
        let heping = store.village_by_code("heping").await.unwrap().unwrap();
        let cihang = store.village_by_code("cihang").await.unwrap().unwrap();
        let district = CatalogueOwner::District(heping.district.id);

        // District v2 from 2027-Q1 (approved now, in force only from next quarter).
        store
            .insert_catalogue_version(
                district,
                &version(2, 2027, 1, 1, "去掉一条"),
                CatalogueStatus::Approved,
                None,
            )
            .await
            .unwrap();
        // 和平村's own v3 from 2027-Q2.
        store
            .insert_catalogue_version(
                CatalogueOwner::Village(heping.id),
                &version(3, 2027, 2, 2, "和平村自定"),
                CatalogueStatus::Approved,
                None,
            )
            .await
            .unwrap();
        // A requested (not approved) v4 is never in force.
        store
            .insert_catalogue_version(
                CatalogueOwner::Village(cihang.id),
                &version(4, 2027, 2, 3, "待审批"),
                CatalogueStatus::Requested,
                None,
            )
            .await
            .unwrap();

        let in_force = |village, on| {
            let store = store.clone();
            async move {
                store
                    .catalogue_in_force(village, on)
                    .await
                    .unwrap()
                    .map(|v| (v.version(), v.items().len()))
            }
        };
        assert_eq!(
            in_force(heping.id, date(2026, 12, 31)).await,
            Some((1, 25)),
            "future v2 waits"
        );
        assert_eq!(in_force(heping.id, date(2027, 1, 1)).await, Some((2, 24)));
        assert_eq!(in_force(heping.id, date(2027, 3, 31)).await, Some((2, 24)));
        assert_eq!(
            in_force(heping.id, date(2027, 4, 1)).await,
            Some((3, 23)),
            "village's own"
        );
        assert_eq!(
            in_force(cihang.id, date(2027, 4, 1)).await,
            Some((2, 24)),
            "requested ignored"
        );

        // Version numbers are unique per district, whoever owns the version.
        let err = store
            .insert_catalogue_version(
                CatalogueOwner::Village(cihang.id),
                &version(3, 2027, 3, 0, "撞号"),
                CatalogueStatus::Approved,
                None,
            )
            .await
            .unwrap_err();
        assert!(err.is_conflict(), "{err:?}");

        assert_eq!(
            store
                .next_catalogue_version_number(heping.district.id)
                .await
                .unwrap(),
            5
        );
        let all = store.catalogue_versions(heping.district.id).await.unwrap();
        let numbers: Vec<u32> = all.iter().map(|v| v.version.version()).collect();
        assert_eq!(numbers, vec![1, 2, 3, 4]);
        let ml08 = ItemCode::parse("ML-08").unwrap();
        assert!(all[0].version.item(&ml08).is_some());
        assert!(
            all[1].version.item(&ml08).is_none(),
            "v2 dropped the last item"
        );
    }
);
