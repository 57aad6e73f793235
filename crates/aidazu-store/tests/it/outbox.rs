//! F4: outbox messages are written in the caller's transaction and deduplicated by key.

use aidazu_store::outbox::{
    self, Markdown, NewOutboxMessage, OutboxCommand, STATUS_PENDING, WorkNotice,
};
use aidazu_testdb::{TestDb, dual_db_test};

use crate::support::migrated;

fn message(key: &str) -> NewOutboxMessage {
    NewOutboxMessage::new(
        OutboxCommand::NotifyWork(WorkNotice {
            user_ids: vec!["u1".into()],
            markdown: Markdown {
                title: "t".into(),
                text: "x".into(),
            },
            declaration_id: None,
            ledger_entry_id: None,
            order_id: None,
        }),
        key,
        None,
    )
}

dual_db_test!(
    async fn f4_enqueue_twice_with_one_key_writes_one_row(db: TestDb) {
        let store = migrated(&db).await;
        let txn = store.begin().await.unwrap();
        let first = outbox::enqueue(&txn, message("notify.work:1"))
            .await
            .unwrap();
        let again = outbox::enqueue(&txn, message("notify.work:1"))
            .await
            .unwrap();
        let other = outbox::enqueue(&txn, message("notify.work:2"))
            .await
            .unwrap();
        txn.commit().await.unwrap();
        assert_eq!(first, again);
        assert_ne!(first, other);
        let rows = outbox::list(store.connection(), Some("notify.work"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].status, STATUS_PENDING);
        assert_eq!(rows[0].attempts, 0);
        assert_eq!(rows[0].payload["userIds"][0], "u1");
    }
);

dual_db_test!(
    async fn f4_rolled_back_change_leaves_no_message(db: TestDb) {
        let store = migrated(&db).await;
        let txn = store.begin().await.unwrap();
        outbox::enqueue(&txn, message("notify.work:9"))
            .await
            .unwrap();
        txn.rollback().await.unwrap();
        assert!(
            outbox::get_by_key(store.connection(), "notify.work:9")
                .await
                .unwrap()
                .is_none()
        );
    }
);
