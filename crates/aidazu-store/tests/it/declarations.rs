//! R9 at the storage level: a declaration leaves `in_review` exactly once; R11 photo reuse.

use aidazu_domain::channel::Channel;
use aidazu_domain::declaration::DeclarationState;
use aidazu_domain::{AccountId, DeclarationId, HouseholdId, ItemCode, MemberId, Points};
use aidazu_store::declarations::{self, DecisionWrite, NewDeclaration};
use aidazu_store::photos::{self, NewPhoto};
use aidazu_store::{ConnectionTrait, Store};
use aidazu_testdb::{TestDb, dual_db_test};

use crate::support::{seeded, today};

struct Fixture {
    store: Store,
    household: HouseholdId,
    member: MemberId,
    actor: AccountId,
    new: NewDeclaration,
}

async fn fixture(db: &TestDb) -> Fixture {
    let (store, _) = seeded(db).await;
    let heping = store.village_by_code("heping").await.unwrap().unwrap();
    let household = store.households(heping.id).await.unwrap()[5].id;
    let member = store.household_members(household).await.unwrap()[0].id;
    let actor = store
        .account_by_dingtalk_user_id("demo-admin")
        .await
        .unwrap()
        .unwrap()
        .id;
    let version = store
        .catalogue_in_force_stored(heping.id, today())
        .await
        .unwrap()
        .unwrap();
    let new = NewDeclaration {
        village: heping.id,
        household,
        member,
        declarant: actor,
        item_code: ItemCode::parse("ML-03").unwrap(),
        catalogue_version_id: version.id,
        catalogue_version: version.version.version(),
        item_title: "参加村环境整治".into(),
        suggested_points: Points(3),
        min_points: Points(3),
        max_points: Points(3),
        occurred_on: today(),
        text: "测试".into(),
        submitted_at: test_now(),
        review_deadline: today(),
        channel: Channel::MiniApp,
        request_id: None,
        photo_ids: Vec::new(),
    };
    Fixture {
        store,
        household,
        member,
        actor,
        new,
    }
}

fn decision(f: &Fixture, approved: bool) -> DecisionWrite {
    DecisionWrite {
        approved,
        at: test_now(),
        decider: f.actor,
        channel: Channel::Console,
        points: approved.then_some(Points(3)),
        reason: (!approved).then(|| "理由".to_owned()),
    }
}

async fn state<C: ConnectionTrait>(db: &C, id: DeclarationId) -> DeclarationState {
    declarations::declaration(db, id)
        .await
        .unwrap()
        .unwrap()
        .state
}

dual_db_test!(
    async fn r9_a_declaration_leaves_review_once(db: TestDb) {
        let f = fixture(&db).await;
        let txn = f.store.begin().await.unwrap();
        let id = declarations::insert_declaration(&txn, &f.new, "n1")
            .await
            .unwrap();
        txn.commit().await.unwrap();
        let db = f.store.connection();
        let stored = declarations::declaration(db, id).await.unwrap().unwrap();
        assert_eq!(stored.state, DeclarationState::InReview);
        assert_eq!((stored.household, stored.member), (f.household, f.member));
        assert_eq!(
            stored.card_out_track_id,
            declarations::out_track_id(id, "n1")
        );

        assert!(
            declarations::decide_in_review(db, id, &decision(&f, true))
                .await
                .unwrap()
        );
        assert!(
            !declarations::decide_in_review(db, id, &decision(&f, false))
                .await
                .unwrap()
        );
        assert!(
            !declarations::withdraw_in_review(db, id, test_now())
                .await
                .unwrap()
        );
        let decided = declarations::declaration(db, id).await.unwrap().unwrap();
        assert_eq!(decided.state, DeclarationState::Approved);
        assert_eq!(decided.points, Some(Points(3)));
        assert_eq!(decided.reason, None);

        let txn = f.store.begin().await.unwrap();
        let other = declarations::insert_declaration(&txn, &f.new, "n2")
            .await
            .unwrap();
        txn.commit().await.unwrap();
        assert!(
            declarations::withdraw_in_review(db, other, test_now())
                .await
                .unwrap()
        );
        assert!(
            !declarations::decide_in_review(db, other, &decision(&f, true))
                .await
                .unwrap()
        );
        assert_eq!(state(db, other).await, DeclarationState::Withdrawn);
        declarations::set_process_instance_id(db, other, "proc-1")
            .await
            .unwrap();
        let found = declarations::declaration_by_process_instance(db, "proc-1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.id, other);
    }
);

dual_db_test!(
    async fn r11_same_photo_content_links_declarations(db: TestDb) {
        let mut f = fixture(&db).await;
        let db = f.store.connection();
        let photo = NewPhoto {
            village: f.new.village,
            household: Some(f.household),
            uploader: f.actor,
            sha256: "a".repeat(64),
            size_bytes: 10,
            format: "jpeg".into(),
            width: 1,
            height: 1,
            had_location: true,
        };
        let (first, created) = photos::insert_photo(db, &photo).await.unwrap();
        assert!(created);
        let (again, created) = photos::insert_photo(db, &photo).await.unwrap();
        assert!(!created);
        assert_eq!(first.id, again.id);

        f.new.photo_ids = vec![first.id];
        let txn = f.store.begin().await.unwrap();
        let a = declarations::insert_declaration(&txn, &f.new, "a")
            .await
            .unwrap();
        let b = declarations::insert_declaration(&txn, &f.new, "b")
            .await
            .unwrap();
        txn.commit().await.unwrap();
        assert_eq!(
            photos::other_declarations_with_same_photos(db, &[first.id], Some(a))
                .await
                .unwrap(),
            vec![b]
        );
        assert_eq!(
            photos::other_declarations_with_same_photos(db, &[first.id], None)
                .await
                .unwrap(),
            vec![a, b]
        );
    }
);

/// A fixed instant for stored timestamps (tests do not read the wall clock).
fn test_now() -> chrono::DateTime<chrono::Utc> {
    "2026-06-01T02:00:00Z".parse().unwrap()
}
