//! R12/R13: the append-only ledger, score vs balance, item versions kept.

use aidazu_domain::calendar::{PointsYear, Quarter};
use aidazu_domain::catalogue::{CatalogueVersion, ItemRef, default_catalogue};
use aidazu_domain::channel::Channel;
use aidazu_domain::ledger::{EntryKind, EntrySource, LedgerEntry};
use aidazu_domain::{AccountId, HouseholdId, ItemCode, MemberId, ObjectionId, OrderId, Points};
use aidazu_store::catalogue::{CatalogueOwner, CatalogueStatus};
use aidazu_store::ledger::{self, HouseholdTotals, NewLedgerEntry};
use aidazu_store::{ConnectionTrait, Store, StoreError};
use aidazu_testdb::{TestDb, dual_db_test};
use chrono::{TimeZone, Utc};

use crate::support::seeded;

const YEAR: PointsYear = PointsYear(2026);

struct Fixture {
    store: Store,
    household: HouseholdId,
    member: MemberId,
    other_member: MemberId,
    actor: AccountId,
}

/// A seeded store and a household of 和平村 the seed left without entries.
async fn fixture(db: &TestDb) -> Fixture {
    let (store, _) = seeded(db).await;
    let heping = store.village_by_code("heping").await.unwrap().unwrap();
    let households = store.households(heping.id).await.unwrap();
    let household = households[20].id;
    assert!(
        store
            .household_entries(household, YEAR)
            .await
            .unwrap()
            .is_empty()
    );
    let member = store.household_members(household).await.unwrap()[0].id;
    let other_member = store.household_members(households[21].id).await.unwrap()[0].id;
    let actor = store
        .account_by_dingtalk_user_id("demo-admin")
        .await
        .unwrap()
        .unwrap()
        .id;
    Fixture {
        store,
        household,
        member,
        other_member,
        actor,
    }
}

fn entry(f: &Fixture, kind: EntryKind, amount: i64, source: EntrySource) -> NewLedgerEntry {
    NewLedgerEntry {
        entry: LedgerEntry {
            household: f.household,
            member: Some(f.member),
            kind,
            amount: Points(amount),
            source,
            declaration: None,
            actor: f.actor,
            occurred_at: Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap(),
            reason: "测试".into(),
        },
        points_year: YEAR,
        channel: Channel::Console,
        request_id: Some("req-1".into()),
        idempotency_key: None,
    }
}

fn item(code: &str, version: u32) -> EntrySource {
    EntrySource::Item(ItemRef {
        code: ItemCode::parse(code).unwrap(),
        version,
    })
}

dual_db_test!(
    async fn r13_score_excludes_redemptions_balance_includes_them(db: TestDb) {
        let f = fixture(&db).await;
        let txn = f.store.begin().await.unwrap();
        ledger::lock_household(&txn, f.household).await.unwrap();
        for new in [
            entry(&f, EntryKind::Award, 10, item("ML-01", 1)),
            entry(&f, EntryKind::Award, 2, item("ML-02", 1)),
            entry(&f, EntryKind::Penalty, -5, item("ML-06", 1)),
            entry(&f, EntryKind::Redeem, -4, EntrySource::Order(OrderId(1))),
            entry(&f, EntryKind::Refund, 1, EntrySource::Order(OrderId(1))),
            entry(
                &f,
                EntryKind::Correction,
                3,
                EntrySource::Objection(ObjectionId(1)),
            ),
        ] {
            ledger::append_entry(&txn, &new).await.unwrap();
        }
        // Inside the transaction the totals already count the new entries.
        let inside = ledger::household_totals(&txn, f.household, YEAR)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        let totals = f.store.household_totals(f.household, YEAR).await.unwrap();
        assert_eq!(inside, totals);
        assert_eq!(
            totals,
            HouseholdTotals {
                score: Points(10),
                balance: Points(7)
            }
        );
        assert_eq!(
            f.store
                .household_totals(f.household, PointsYear(2025))
                .await
                .unwrap(),
            HouseholdTotals::default(),
            "other years are separate"
        );
        let stored = f.store.household_entries(f.household, YEAR).await.unwrap();
        assert_eq!(stored.len(), 6);
        assert_eq!(stored[3].entry.source, EntrySource::Order(OrderId(1)));
        assert_eq!(stored[0].channel, "console");
        assert_eq!(stored[0].request_id.as_deref(), Some("req-1"));
        assert_eq!(stored[0].occurred_on, crate::support::date(2026, 11, 2));
        // The stored entries rebuild the domain ledger with the same figures.
        let ledger = aidazu_domain::ledger::HouseholdYearLedger::from_entries(
            f.household,
            YEAR,
            Default::default(),
            stored.into_iter().map(|s| s.entry),
        )
        .unwrap();
        assert_eq!((ledger.score(), ledger.balance()), (Points(10), Points(7)));
    }
);

dual_db_test!(
    async fn r12_rolled_back_transaction_leaves_no_entry(db: TestDb) {
        let f = fixture(&db).await;
        let txn = f.store.begin().await.unwrap();
        ledger::append_entry(&txn, &entry(&f, EntryKind::Award, 2, item("ML-02", 1)))
            .await
            .unwrap();
        txn.rollback().await.unwrap();
        assert_eq!(
            f.store.household_totals(f.household, YEAR).await.unwrap(),
            HouseholdTotals::default()
        );
    }
);

dual_db_test!(
    async fn r12_bad_entries_are_refused(db: TestDb) {
        let f = fixture(&db).await;
        let wrong_sign = entry(&f, EntryKind::Award, -2, item("ML-02", 1));
        let wrong_source = entry(&f, EntryKind::Award, 2, EntrySource::Order(OrderId(3)));
        let unknown_item = entry(&f, EntryKind::Award, 2, item("ZZ-99", 1));
        let unknown_version = entry(&f, EntryKind::Award, 2, item("ML-02", 9));
        let mut stranger = entry(&f, EntryKind::Award, 2, item("ML-02", 1));
        stranger.entry.member = Some(f.other_member);
        for bad in [
            wrong_sign,
            wrong_source,
            unknown_item,
            unknown_version,
            stranger,
        ] {
            let err = f.store.append_entry(&bad).await.unwrap_err();
            assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
        }
        let mut missing = entry(&f, EntryKind::Award, 2, item("ML-02", 1));
        missing.entry.household = HouseholdId(999_999);
        assert!(
            f.store
                .append_entry(&missing)
                .await
                .unwrap_err()
                .is_not_found()
        );
        assert!(
            f.store
                .household_entries(f.household, YEAR)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

dual_db_test!(
    async fn idempotency_key_books_once(db: TestDb) {
        let f = fixture(&db).await;
        let mut new = entry(&f, EntryKind::Award, 2, item("ML-02", 1));
        new.idempotency_key = Some("decision:42".into());
        let first = f.store.append_entry(&new).await.unwrap();
        let again = f.store.append_entry(&new).await.unwrap();
        assert_eq!(first, again);
        assert_eq!(
            f.store
                .household_entries(f.household, YEAR)
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

dual_db_test!(
    async fn r12_updates_and_deletes_are_refused_by_the_database(db: TestDb) {
        let f = fixture(&db).await;
        f.store
            .append_entry(&entry(&f, EntryKind::Award, 2, item("ML-02", 1)))
            .await
            .unwrap();
        let conn = f.store.connection();
        for sql in [
            "UPDATE ledger_entries SET amount = 100",
            "DELETE FROM ledger_entries",
            "DELETE FROM participation_changes",
            "UPDATE audit_log SET action = 'x'",
        ] {
            let err = conn.execute_unprepared(sql).await.unwrap_err();
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
        let totals = f.store.household_totals(f.household, YEAR).await.unwrap();
        assert_eq!(totals.score, Points(2));
    }
);

dual_db_test!(
    async fn r7_entries_keep_their_catalogue_version(db: TestDb) {
        let f = fixture(&db).await;
        f.store
            .append_entry(&entry(&f, EntryKind::Award, 2, item("ML-02", 1)))
            .await
            .unwrap();
        let heping = f.store.village_by_code("heping").await.unwrap().unwrap();
        let mut items = default_catalogue();
        items.retain(|i| i.code().as_str() != "ML-02");
        let v2 =
            CatalogueVersion::new(2, Quarter::new(2027, 1).unwrap(), items, "去掉 ML-02").unwrap();
        f.store
            .insert_catalogue_version(
                CatalogueOwner::District(heping.district.id),
                &v2,
                CatalogueStatus::Approved,
                None,
            )
            .await
            .unwrap();
        // An item the new version dropped cannot be scored under it…
        let err = f
            .store
            .append_entry(&entry(&f, EntryKind::Award, 2, item("ML-02", 2)))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)));
        // …but the old entry still names version 1, and new ones name version 2.
        f.store
            .append_entry(&entry(&f, EntryKind::Award, 1, item("DE-04", 2)))
            .await
            .unwrap();
        let stored = f.store.household_entries(f.household, YEAR).await.unwrap();
        let refs: Vec<_> = stored
            .iter()
            .map(|s| s.entry.item().map(|r| (r.code.to_string(), r.version)))
            .collect();
        assert_eq!(
            refs,
            vec![Some(("ML-02".to_owned(), 1)), Some(("DE-04".to_owned(), 2))]
        );
        assert_ne!(
            stored[0].catalogue_version_id,
            stored[1].catalogue_version_id
        );
    }
);

dual_db_test!(
    async fn concurrent_appends_with_one_key_book_once(db: TestDb) {
        let f = fixture(&db).await;
        let mut new = entry(&f, EntryKind::Award, 2, item("ML-02", 1));
        new.idempotency_key = Some("card:click:1".into());
        let (a, b) = tokio::join!(
            {
                let (store, new) = (f.store.clone(), new.clone());
                tokio::spawn(async move { store.append_entry(&new).await })
            },
            {
                let (store, new) = (f.store.clone(), new.clone());
                tokio::spawn(async move { store.append_entry(&new).await })
            }
        );
        let results = [a.unwrap(), b.unwrap()];
        assert!(results.iter().any(Result::is_ok));
        for r in &results {
            assert!(matches!(r, Ok(_) | Err(StoreError::Conflict(_))), "{r:?}");
        }
        assert_eq!(
            f.store
                .household_entries(f.household, YEAR)
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

/// One "check the balance, then redeem" use case, serialised by `lock_household`.
async fn redeem_if_affordable(store: Store, new: NewLedgerEntry) -> bool {
    let txn = store.begin().await.unwrap();
    ledger::lock_household(&txn, new.entry.household)
        .await
        .unwrap();
    let totals = ledger::household_totals(&txn, new.entry.household, new.points_year)
        .await
        .unwrap();
    let affordable = totals.balance.get() + new.entry.amount.get() >= 0;
    if affordable {
        // Widen the race window: the other task is trying to read the balance right now.
        tokio::task::yield_now().await;
        ledger::append_entry(&txn, &new).await.unwrap();
    }
    txn.commit().await.unwrap();
    affordable
}

dual_db_test!(
    async fn r13_locked_household_never_redeems_below_zero(db: TestDb) {
        let f = fixture(&db).await;
        f.store
            .append_entry(&entry(&f, EntryKind::Award, 7, item("ML-01", 1)))
            .await
            .unwrap();
        let redeem = |order| {
            entry(
                &f,
                EntryKind::Redeem,
                -5,
                EntrySource::Order(OrderId(order)),
            )
        };
        let tasks: Vec<_> = (1..=4)
            .map(|order| tokio::spawn(redeem_if_affordable(f.store.clone(), redeem(order))))
            .collect();
        let mut granted = 0;
        for task in tasks {
            granted += usize::from(task.await.unwrap());
        }
        assert_eq!(granted, 1, "7 points pay for one 5-point order");
        let totals = f.store.household_totals(f.household, YEAR).await.unwrap();
        assert_eq!((totals.score, totals.balance), (Points(7), Points(2)));
    }
);

dual_db_test!(
    async fn r13_village_totals_cover_every_household(db: TestDb) {
        let f = fixture(&db).await;
        for new in [
            entry(&f, EntryKind::Award, 10, item("ML-01", 1)),
            entry(&f, EntryKind::Redeem, -4, EntrySource::Order(OrderId(1))),
        ] {
            f.store.append_entry(&new).await.unwrap();
        }
        let heping = f.store.village_by_code("heping").await.unwrap().unwrap();
        let all = f.store.village_totals(heping.id, YEAR).await.unwrap();
        assert_eq!(
            all.len(),
            f.store.households(heping.id).await.unwrap().len()
        );
        let mine = all.iter().find(|t| t.household == f.household).unwrap();
        assert_eq!(
            mine.totals,
            HouseholdTotals {
                score: Points(10),
                balance: Points(6)
            }
        );
        // Every household's figures agree with the per-household query.
        for t in &all {
            assert_eq!(
                t.totals,
                f.store.household_totals(t.household, YEAR).await.unwrap()
            );
        }
        assert!(
            all.iter()
                .any(|t| t.totals.score.is_positive() && t.household != f.household)
        );
        assert!(all.iter().any(|t| t.totals == HouseholdTotals::default()));
    }
);
