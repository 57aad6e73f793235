//! Helpers shared by the storage tests.

use aidazu_store::seed::{DemoOrganisation, SeedReport, seed_demo};
use aidazu_store::{PiiKeys, Store};
use aidazu_testdb::TestDb;
use chrono::NaiveDate;

/// The day the demo is seeded in these tests.
pub fn today() -> NaiveDate {
    date(2026, 11, 29)
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A store on `db` with every migration applied.
pub async fn migrated(db: &TestDb) -> Store {
    let store = Store::connect(db.url()).await.unwrap();
    store.migrate().await.unwrap();
    store
}

/// A migrated store with the embedded demo organisation seeded on [`today`].
pub async fn seeded(db: &TestDb) -> (Store, SeedReport) {
    let store = migrated(db).await;
    let org = DemoOrganisation::embedded().unwrap();
    let report = seed_demo(&store, &org, &PiiKeys::demo(), today())
        .await
        .unwrap();
    (store, report)
}
