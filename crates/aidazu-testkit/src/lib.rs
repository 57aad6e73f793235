#![doc = include_str!("../README.md")]
#![allow(clippy::expect_used, clippy::unwrap_used)] // test support: failing loudly is the point

use std::path::PathBuf;
use std::sync::Arc;

use aidazu_app::Clock;
use aidazu_server::settings::Settings;
use aidazu_server::{Application, BuildOptions};
pub use aidazu_testdb::{TestBackend, TestDb, dual_db_test};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The repository's `config/` directory.
pub fn config_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config"))
}

/// Options for starting the service under test.
#[derive(Clone)]
pub struct TestAppOptions {
    /// Load the demo organisation (four pilot villages) on start.
    pub load_demo: bool,
    /// Extra `AIDAZU__…` variables, applied after the test defaults.
    pub env: Vec<(String, String)>,
    /// The clock; `None` = the system clock.
    pub clock: Option<Arc<dyn Clock>>,
}

impl Default for TestAppOptions {
    fn default() -> Self {
        Self {
            load_demo: true,
            env: Vec::new(),
            clock: None,
        }
    }
}

/// The service running for one test.
pub struct TestApp {
    /// `http://127.0.0.1:<port>` of the service.
    pub base_url: String,
    /// Base URL of the embedded DingTalk simulator.
    pub sim_url: Option<String>,
    /// A client with timeouts.
    pub http: reqwest::Client,
    /// The running application's use cases (to inspect state directly).
    pub app: aidazu_app::App,
    store: aidazu_store::Store,
    pii: aidazu_store::PiiKeys,
    db: Option<TestDb>,
    database_url: String,
    dir: Option<tempfile::TempDir>,
    options: TestAppOptions,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    /// Starts the service on `db` with the demo data.
    pub async fn spawn(db: TestDb) -> TestApp {
        Self::spawn_with(db, TestAppOptions::default()).await
    }

    /// Starts the service on `db` with options.
    pub async fn spawn_with(db: TestDb, options: TestAppOptions) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start(db, dir, options).await
    }

    /// The settings a test instance runs with.
    pub fn settings_for(
        db_url: &str,
        dir: &std::path::Path,
        extra: &[(String, String)],
    ) -> Settings {
        let mut env = vec![
            ("AIDAZU__SERVER__BIND".to_owned(), "127.0.0.1:0".to_owned()),
            (
                "AIDAZU__DINGTALK__SIM__BIND".to_owned(),
                "127.0.0.1:0".to_owned(),
            ),
            ("AIDAZU__DATABASE__URL".to_owned(), db_url.to_owned()),
            (
                "AIDAZU__DATABASE__MAX_CONNECTIONS".to_owned(),
                "5".to_owned(),
            ),
            (
                "AIDAZU__STORAGE__DIR".to_owned(),
                dir.join("photos").display().to_string(),
            ),
            ("AIDAZU__LOG__FILTER".to_owned(), "warn".to_owned()),
            // The quarterly scheduler would publish the last quarter as a test starts; stories
            // that test it turn it on.
            ("AIDAZU__JOBS__SCHEDULER".to_owned(), "false".to_owned()),
        ];
        env.extend(extra.iter().cloned());
        Settings::load_with_env(&config_dir(), env).expect("test settings")
    }

    async fn start(db: TestDb, dir: tempfile::TempDir, options: TestAppOptions) -> TestApp {
        let settings = Self::settings_for(db.url(), dir.path(), &options.env);
        let mut build = BuildOptions {
            load_demo: options.load_demo,
            ..BuildOptions::default()
        };
        if let Some(clock) = &options.clock {
            build.clock = clock.clone();
        }
        let application = Application::build(settings, build)
            .await
            .expect("the service starts");
        let base_url = format!("http://{}", application.addr());
        let sim_url = application.sim_base_url();
        let app = application.app().clone();
        let store = application.store().clone();
        let pii = application.pii_keys().clone();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(application.run_until(async move {
            let _ = rx.await;
        }));
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("http client");
        TestApp {
            base_url,
            sim_url,
            http,
            app,
            store,
            pii,
            database_url: db.url().to_owned(),
            db: Some(db),
            dir: Some(dir),
            options,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// The full URL of a path on the service.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// The store under the application's storage port, to inspect and arrange state directly.
    pub fn store(&self) -> &aidazu_store::Store {
        &self.store
    }

    /// The keys for personal data at rest.
    pub fn pii(&self) -> &aidazu_store::PiiKeys {
        &self.pii
    }

    /// Which database this instance runs on.
    pub fn backend(&self) -> TestBackend {
        if self.database_url.starts_with("postgres") {
            TestBackend::Postgres
        } else {
            TestBackend::Sqlite
        }
    }

    /// The database URL.
    pub fn database_url(&self) -> String {
        self.database_url.clone()
    }

    /// The data folder of this instance (photos, dev secrets).
    pub fn data_dir(&self) -> PathBuf {
        self.dir
            .as_ref()
            .map(|d| d.path().to_path_buf())
            .unwrap_or_default()
    }

    /// Stops gracefully and waits for the server task to end.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server ran cleanly");
        }
    }

    /// Starts a second instance (a replica, with its own simulator) on the same database, without
    /// loading demo data again. The replica does not own the database: drop it first.
    pub async fn spawn_replica(&self, env: Vec<(String, String)>) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut options = self.options.clone();
        options.load_demo = false;
        options.env.extend(env);
        let settings = Self::settings_for(&self.database_url(), dir.path(), &options.env);
        let mut build = BuildOptions {
            load_demo: false,
            ..BuildOptions::default()
        };
        if let Some(clock) = &options.clock {
            build.clock = clock.clone();
        }
        let application = Application::build(settings, build)
            .await
            .expect("the replica starts");
        let base_url = format!("http://{}", application.addr());
        let sim_url = application.sim_base_url();
        let app = application.app().clone();
        let store = application.store().clone();
        let pii = application.pii_keys().clone();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(application.run_until(async move {
            let _ = rx.await;
        }));
        TestApp {
            base_url,
            sim_url,
            http: self.http.clone(),
            app,
            store,
            pii,
            database_url: self.database_url.clone(),
            db: None,
            dir: Some(dir),
            options,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// Stops, then starts again on the same database and data folder with `env` added to (or
    /// overriding) the instance's settings, e.g. to turn the background workers back on.
    pub async fn restart_with_env(mut self, env: Vec<(String, String)>) -> TestApp {
        self.options.env.extend(env);
        self.restart().await
    }

    /// Stops and starts again on the same database and data folder (new ports).
    pub async fn restart(mut self) -> TestApp {
        self.stop().await;
        let db = self.db.take().expect("db");
        let dir = self.dir.take().expect("dir");
        let options = self.options.clone();
        Self::start(db, dir, options).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
