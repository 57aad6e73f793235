//! Job runs: one row per (job, village, period); a run is claimed once, a failed or abandoned run
//! is taken over once, a finished one is never run again.

use aidazu_domain::VillageId;
use aidazu_store::ConnectionTrait;
use aidazu_store::jobs::{self, Claim};
use aidazu_testdb::{TestDb, dual_db_test};
use sea_orm::Statement;

use crate::support::migrated;

dual_db_test!(
    async fn r16_a_run_is_claimed_once_taken_over_when_failed_or_abandoned_never_after_done(
        db: TestDb,
    ) {
        let store = migrated(&db).await;
        let c = store.connection();
        let v = VillageId(7);
        let first = jobs::claim(c, "publish", v, "2026-Q3", "cli")
            .await
            .unwrap();
        let Claim::Claimed(run) = first else {
            panic!("new run claimed: {first:?}");
        };
        assert!(matches!(
            jobs::claim(c, "publish", v, "2026-Q3", "schedule")
                .await
                .unwrap(),
            Claim::Running(_)
        ));
        // Another period or village is another run.
        assert!(matches!(
            jobs::claim(c, "publish", v, "2026-Q4", "cli")
                .await
                .unwrap(),
            Claim::Claimed(_)
        ));
        jobs::fail(c, run.id, "boom").await.unwrap();
        let Claim::Claimed(again) = jobs::claim(c, "publish", v, "2026-Q3", "cli")
            .await
            .unwrap()
        else {
            panic!("a failed run is taken over");
        };
        assert_eq!((again.id, again.attempts, again.error), (run.id, 2, None));
        // Abandoned: still running an hour later.
        let backend = c.get_database_backend();
        let sql = if backend == sea_orm::DatabaseBackend::Postgres {
            "UPDATE job_runs SET started_at = $1 WHERE id = $2"
        } else {
            "UPDATE job_runs SET started_at = ? WHERE id = ?"
        };
        let hour_ago = again.started_at - chrono::Duration::hours(1);
        c.execute(Statement::from_sql_and_values(
            backend,
            sql,
            [hour_ago.into(), run.id.into()],
        ))
        .await
        .unwrap();
        let Claim::Claimed(taken) = jobs::claim(c, "publish", v, "2026-Q3", "schedule")
            .await
            .unwrap()
        else {
            panic!("an abandoned run is taken over");
        };
        assert_eq!(taken.attempts, 3);
        assert!(matches!(
            jobs::claim(c, "publish", v, "2026-Q3", "cli")
                .await
                .unwrap(),
            Claim::Running(_)
        ));
        jobs::finish(c, run.id, &serde_json::json!({"ok": true}))
            .await
            .unwrap();
        let done = jobs::claim(c, "publish", v, "2026-Q3", "cli")
            .await
            .unwrap();
        let Claim::AlreadyDone(done) = done else {
            panic!("done stays done: {done:?}");
        };
        assert_eq!(done.status, "done");
        assert_eq!(jobs::list(c, Some(&[v]), 10).await.unwrap().len(), 2);
    }
);
