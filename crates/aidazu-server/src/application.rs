//! The composition root: builds every part once and wires them together.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aidazu_api::{ApiState, RouterOptions};
use aidazu_app::integration::{CardCallback, DingTalkSetup, GatewayConfig, OutboxPolicy};
use aidazu_app::{App, AppConfig, AuthConfig, Clock, SystemClock};
use aidazu_store::{PiiKeys, Store};
use anyhow::Context as _;
use secrecy::ExposeSecret as _;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::secrets::Secrets;
use crate::settings::{
    DingTalkMode, EventsMode, JobSettings, Settings, StorageBackend, WorkerSettings,
};

/// Options for [`Application::build`] that are not configuration.
#[derive(Clone)]
pub struct BuildOptions {
    /// Load the demo data when the database holds no village (sim mode only).
    pub load_demo: bool,
    /// The clock (tests inject a manual one).
    pub clock: Arc<dyn Clock>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            load_demo: true,
            clock: Arc::new(SystemClock),
        }
    }
}

/// A built service, bound to its ports, not yet serving.
pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    router: axum::Router,
    sim: Option<dingtalk_sim::SimHandle>,
    app: App,
    store: Store,
    pii: PiiKeys,
    workers: WorkerSettings,
    events: EventsMode,
    jobs: JobSettings,
}

impl Application {
    /// Connects the database (migrating when allowed), resolves secrets, starts the embedded
    /// DingTalk simulator in sim mode, and binds the HTTP listener.
    pub async fn build(settings: Settings, options: BuildOptions) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.server.bind)
            .await
            .with_context(|| format!("cannot listen on server.bind = {}", settings.server.bind))?;
        let addr = listener.local_addr()?;
        let public_url = settings.public_url(addr);

        let secrets = Secrets::resolve(&settings)?;
        let store = connect_store(&settings).await?;

        let sim = match settings.dingtalk.mode {
            DingTalkMode::Sim => Some(
                start_simulator(
                    &settings,
                    &public_url,
                    None,
                    Some(settings.data_dir().join(SIM_STATE_FILE)),
                )
                .await?,
            ),
            DingTalkMode::Live => None,
        };

        if options.load_demo && settings.dingtalk.mode == DingTalkMode::Sim {
            let villages = store.list_villages().await?;
            if villages.is_empty() {
                let report = crate::commands::seed(&store, &secrets, options.clock.now()).await?;
                tracing::info!(?report, "loaded the demo data of the four pilot villages");
            }
        }

        let sim_base = sim.as_ref().map(dingtalk_sim::SimHandle::base_url);
        let dingtalk = dingtalk_client(&settings, sim_base.as_deref())?;
        let app = App::builder(
            storage(store.clone(), &secrets),
            options.clock.clone(),
            app_config(&settings, &secrets)?,
            dingtalk,
        )
        .dingtalk_setup(dingtalk_setup(&settings, &public_url)?)
        .photos(photo_intake(&settings)?)
        .build();
        let client = aidazu_api::ClientConfig {
            dingtalk_mode: match settings.dingtalk.mode {
                DingTalkMode::Sim => "sim",
                DingTalkMode::Live => "live",
            }
            .to_owned(),
            sim_url: sim_base.clone(),
            corp_id: settings.dingtalk.corp_id.clone(),
            client_id: settings.dingtalk.app_key.clone(),
            // The simulator serves the web-login page itself.
            web_login_base: sim_base
                .clone()
                .unwrap_or_else(|| settings.dingtalk.login_base.clone()),
        };
        let web = (!settings.web.dir.as_os_str().is_empty()).then(|| aidazu_api::WebAssets {
            dir: settings.web.dir.clone(),
        });
        let router = aidazu_api::router(
            ApiState {
                app: app.clone(),
                client: Arc::new(client),
            },
            RouterOptions {
                request_timeout: Duration::from_secs(settings.server.request_timeout_secs),
                web,
            },
        );
        // Never log secrets; the key id is enough to know which key is in use.
        tracing::debug!(
            key_id = %secrets.data_key_id,
            jwt_secret_len = secrets.jwt_secret.expose_secret().len(),
            "secrets resolved"
        );
        Ok(Self {
            listener,
            addr,
            router,
            sim,
            app,
            store,
            pii: pii_keys(&secrets),
            workers: settings.dingtalk.workers.clone(),
            events: settings.dingtalk.events,
            jobs: settings.jobs.clone(),
        })
    }

    /// The bound address of the HTTP service.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL of the embedded DingTalk simulator, in sim mode.
    pub fn sim_base_url(&self) -> Option<String> {
        self.sim.as_ref().map(dingtalk_sim::SimHandle::base_url)
    }

    /// The application handle (tests use it to inspect state).
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The store under the storage port (operator tools and tests read it directly).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The keys for personal data (tests decrypt with them).
    pub fn pii_keys(&self) -> &PiiKeys {
        &self.pii
    }

    /// Serves until `shutdown` resolves, then drains in-flight requests and stops the simulator.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Self {
            listener,
            router,
            sim,
            app,
            workers,
            events,
            jobs,
            ..
        } = self;
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut background = spawn_background(&app, &workers, events, &stop_rx);
        if jobs.scheduler {
            background.spawn(aidazu_app::jobs::run_scheduler(
                app.clone(),
                Duration::from_secs(jobs.scheduler_every_secs.max(1)),
                stopped(stop_rx.clone()),
            ));
        }
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
            .context("HTTP server failed");
        let _ = stop_tx.send(true);
        while let Some(joined) = background.join_next().await {
            if let Err(error) = joined {
                tracing::error!(%error, "a background worker panicked");
            }
        }
        served?;
        if let Some(sim) = sim {
            sim.shutdown().await;
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Resolves when `stop` turns true (or its sender is gone).
async fn stopped(mut stop: watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// Starts the inbox and outbox workers and, in Stream mode, the Stream client.
fn spawn_background(
    app: &App,
    workers: &WorkerSettings,
    events: EventsMode,
    stop: &watch::Receiver<bool>,
) -> JoinSet<()> {
    let mut set = JoinSet::new();
    if events == EventsMode::Stream {
        let client = app.dingtalk().clone();
        let handler = std::sync::Arc::new(crate::stream::StreamHandler::new(app.clone()));
        let stop = stop.clone();
        set.spawn(async move {
            let stream = dingtalk::stream::StreamClient::new(
                client,
                dingtalk::stream::StreamConfig::default(),
            );
            if let Err(error) = stream.run(handler, stopped(stop)).await {
                tracing::error!(%error, "DingTalk stream client stopped");
            }
        });
    }
    if !workers.enabled {
        tracing::warn!("dingtalk.workers.enabled = false: events and outbox messages wait");
        return set;
    }
    let poll = Duration::from_millis(workers.poll_ms.max(10));
    set.spawn(aidazu_app::events::run_event_worker(
        app.clone(),
        poll,
        stopped(stop.clone()),
    ));
    set.spawn(aidazu_app::reminders::run_reminder_worker(
        app.clone(),
        Duration::from_secs(workers.reminder_every_secs.max(1)),
        stopped(stop.clone()),
    ));
    set.spawn(aidazu_app::reconcile::run_reconciler(
        app.clone(),
        Duration::from_secs(workers.reconcile_every_secs.max(1)),
        chrono::Duration::seconds(i64::try_from(workers.recheck_after_secs).unwrap_or(i64::MAX)),
        stopped(stop.clone()),
    ));
    let worker_id = format!("outbox-{}", uuid::Uuid::new_v4().simple());
    set.spawn(aidazu_app::outbox::run_outbox_worker(
        app.clone(),
        worker_id,
        poll,
        stopped(stop.clone()),
    ));
    set
}

/// The DingTalk client of the service: pointed at the embedded simulator (`sim_base`) in sim mode,
/// at the configured bases (`dingtalk.oapi_base`, `dingtalk.api_base`) in live mode.
pub fn dingtalk_client(
    settings: &Settings,
    sim_base: Option<&str>,
) -> anyhow::Result<dingtalk::Client> {
    let dt = &settings.dingtalk;
    let (oapi, api) = match (dt.mode, sim_base) {
        (DingTalkMode::Sim, Some(base)) => (base.to_owned(), base.to_owned()),
        _ => (dt.oapi_base.clone(), dt.api_base.clone()),
    };
    dingtalk::Client::builder()
        .app_key(dt.app_key.clone())
        .app_secret(dt.app_secret.clone())
        .corp_id(dt.corp_id.clone())
        .agent_id(dt.agent_id)
        .oapi_base(oapi)
        .api_base(api)
        .build()
        .context("invalid DingTalk client configuration (keys `dingtalk.*`)")
}

/// The keys for personal data at rest and mobile lookups (R4), held by the storage adapter.
pub fn pii_keys(secrets: &Secrets) -> PiiKeys {
    PiiKeys::new(
        secrets.data_key_id.clone(),
        secrets.data_key,
        secrets.lookup_key,
    )
}

/// The storage port the use cases hold: the sea-orm adapter over `store`, with the PII keys.
pub fn storage(store: aidazu_store::Store, secrets: &Secrets) -> aidazu_ports::Database {
    aidazu_ports::Database::new(Arc::new(aidazu_store::SeaStorage::new(
        store,
        pii_keys(secrets),
    )))
}

/// The use-case settings from the configuration and the resolved secrets.
fn app_config(settings: &Settings, secrets: &Secrets) -> anyhow::Result<AppConfig> {
    Ok(AppConfig {
        declaration_window_days: settings.points.declaration_window_days,
        declaration_max_text_chars: settings.points.declaration_max_text_chars,
        fen_per_point: settings.points.fen_per_point,
        auth: auth_config(settings, secrets)?,
        photo_links: photo_links(settings, secrets)?,
        working_days: aidazu_domain::calendar::WorkingDays::china(),
        poster: aidazu_app::publication::documents::PosterConfig {
            chromium: settings.jobs.chromium.clone(),
            timeout: Duration::from_secs(settings.jobs.poster_timeout_secs.max(1)),
        },
    })
}

/// The application handle alone, for commands that run use cases without serving (`aidazu jobs
/// run …`): the database, the DingTalk client and gateway settings (messages are only enqueued;
/// the outbox workers of `serve` send them), no listener, no simulator.
pub async fn command_app(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
    Ok(command_parts(settings, clock).await?.0)
}

/// [`command_app`] and the raw store beside it, for operator commands that read the database
/// directly (verification, benchmarks).
pub async fn command_parts(
    settings: &Settings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<(App, Store)> {
    let secrets = Secrets::resolve(settings)?;
    let store = connect_store(settings).await?;
    let public_url = settings.public_url(settings.server.bind);
    let sim_base = format!("http://{}", settings.dingtalk.sim.bind);
    let dingtalk = dingtalk_client(settings, Some(&sim_base))?;
    let app = App::builder(
        storage(store.clone(), &secrets),
        clock,
        app_config(settings, &secrets)?,
        dingtalk,
    )
    .dingtalk_setup(dingtalk_setup(settings, &public_url)?)
    .build();
    Ok((app, store))
}

/// Token settings from `security.*`.
fn auth_config(settings: &Settings, secrets: &Secrets) -> anyhow::Result<AuthConfig> {
    let secret = secrets.jwt_secret.expose_secret().as_bytes().to_vec();
    if secret.len() < 16 {
        anyhow::bail!("invalid value for key `security.jwt_secret`: use at least 16 bytes");
    }
    let secs = |n: u64| {
        i64::try_from(n)
            .ok()
            .and_then(chrono::Duration::try_seconds)
            .context("token lifetime out of range")
    };
    Ok(AuthConfig::new(
        secret,
        secs(settings.security.access_token_ttl_secs)?,
        secs(settings.security.refresh_token_ttl_secs)?,
    ))
}

/// Signed photo links (F2): key derived from `security.jwt_secret`, lifetime `photos.link_ttl_days`.
fn photo_links(
    settings: &Settings,
    secrets: &Secrets,
) -> anyhow::Result<aidazu_photos::PhotoLinks> {
    aidazu_photos::PhotoLinks::derived_from(
        secrets.jwt_secret.expose_secret().as_bytes(),
        settings.photos.link_ttl(),
    )
    .context("invalid value for key `security.jwt_secret` (photo links): use at least 16 bytes")
}

/// Everything DingTalk-related the use cases need.
fn dingtalk_setup(settings: &Settings, public_url: &str) -> anyhow::Result<DingTalkSetup> {
    let dt = &settings.dingtalk;
    let callback_crypto = dingtalk::callback::CallbackCrypto::new(
        dt.callback.token.expose_secret(),
        dt.callback.aes_key.expose_secret(),
        dt.callback.owner_key_or(&dt.app_key),
    )
    .context("invalid key `dingtalk.callback.aes_key` (43 base64 characters)")?;
    let card_callback = match dt.events {
        EventsMode::Stream => CardCallback::Stream,
        EventsMode::Http => CardCallback::Http {
            route_key: dt.gateway.card_route_key.clone(),
            url: format!("{public_url}/dingtalk/card-callback"),
            secret: if dt.gateway.card_callback_secret.is_empty() {
                dt.callback.token.expose_secret().to_owned()
            } else {
                dt.gateway.card_callback_secret.clone()
            },
        },
    };
    let w = &dt.workers;
    Ok(DingTalkSetup {
        callback_crypto: Some(callback_crypto),
        gateway: GatewayConfig {
            public_url: public_url.to_owned(),
            form_name: dt.gateway.form_name.clone(),
            card_template_id: dt.gateway.card_template_id.clone(),
            card_callback,
        },
        outbox: OutboxPolicy {
            max_attempts: w.max_attempts.max(1),
            backoff_base: Duration::from_millis(w.backoff_base_ms.max(1)),
            backoff_max: Duration::from_millis(w.backoff_max_ms.max(1)),
            lease: Duration::from_secs(w.lease_secs.max(5)),
        },
    })
}

/// The photo pipeline over the configured blob store (`storage.backend`: the local folder
/// `storage.dir`, or S3-compatible object storage), limited to `storage.max_photo_bytes`. Uploads
/// are spooled to `<storage.dir>/.spool` on disk, never to a RAM-backed temp folder.
pub(crate) fn photo_intake(settings: &Settings) -> anyhow::Result<aidazu_photos::PhotoIntake> {
    let spool = settings.storage.dir.join(".spool");
    std::fs::create_dir_all(&spool)
        .with_context(|| format!("cannot create the upload spool {}", spool.display()))?;
    let store: Arc<dyn aidazu_photos::BlobStore> = match settings.storage.backend {
        StorageBackend::Local => Arc::new(aidazu_photos::LocalBlobStore::new(
            settings.storage.dir.clone(),
        )),
        StorageBackend::S3 => {
            let s3 = &settings.storage.s3;
            let opt = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_owned());
            let mut config = aidazu_photos::S3Settings::new(s3.bucket.clone());
            config.region = opt(&s3.region);
            config.endpoint = opt(&s3.endpoint);
            config.access_key_id = opt(&s3.access_key_id);
            config.secret_access_key = s3.secret_access_key.clone();
            config.allow_http = s3.allow_http;
            config.prefix = opt(&s3.prefix);
            Arc::new(
                aidazu_photos::ObjectStoreBlobStore::s3(&config)
                    .context("invalid S3 settings (keys `storage.s3.*`)")?,
            )
        }
    };
    let mut config = aidazu_photos::PhotoConfig::default()
        .with_max_bytes(settings.storage.max_photo_bytes)
        .with_spool_dir(spool);
    config.max_concurrent_decodes = settings.storage.max_concurrent_decodes.max(1);
    config.max_reencoded_side = settings.storage.max_reencoded_side.max(1);
    Ok(aidazu_photos::PhotoIntake::new(store, config))
}

/// Connects the database named by `database.url`, applying migrations when `auto_migrate` is set.
pub(crate) async fn connect_store(settings: &Settings) -> anyhow::Result<Store> {
    let store = Store::connect_with(&settings.database.url, settings.database.connect_settings())
        .await
        .context("cannot connect to the database (key `database.url`)")?;
    if settings.database.auto_migrate {
        store.migrate().await.context("database migration failed")?;
    } else {
        let pending = store.pending_migrations().await?;
        if !pending.is_empty() {
            tracing::warn!(
                ?pending,
                "database migrations are pending; run `aidazu migrate` (readyz answers 503 until then)"
            );
        }
    }
    Ok(store)
}

/// The embedded simulator's state file, in the data folder (next to the SQLite file).
pub const SIM_STATE_FILE: &str = "dingtalk-sim.json";

/// Starts the DingTalk simulator with the service's own credentials and callback settings;
/// `state_file` keeps what it knows across restarts (`None`: memory only).
pub(crate) async fn start_simulator(
    settings: &Settings,
    service_url: &str,
    bind_override: Option<SocketAddr>,
    state_file: Option<std::path::PathBuf>,
) -> anyhow::Result<dingtalk_sim::SimHandle> {
    let dt = &settings.dingtalk;
    let bind = bind_override.unwrap_or(dt.sim.bind);
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on dingtalk.sim.bind = {bind}"))?;
    let mut config = dingtalk_sim::SimConfig::new(
        dt.app_key.clone(),
        dt.app_secret.expose_secret().to_owned(),
        dt.corp_id.clone(),
        dt.agent_id,
    );
    config.token_ttl = Duration::from_secs(dt.sim.token_ttl_secs);
    config.state_file = state_file;
    config.callback = Some(dingtalk_sim::CallbackTarget {
        url: format!("{service_url}/dingtalk/callback"),
        token: dt.callback.token.expose_secret().to_owned(),
        aes_key: dt.callback.aes_key.expose_secret().to_owned(),
        owner_key: dt.callback.owner_key_or(&dt.app_key).to_owned(),
    });
    let handle = dingtalk_sim::spawn(config, listener)
        .await
        .context("cannot start the DingTalk simulator")?;
    tracing::info!(url = %handle.base_url(), "DingTalk simulator running (sim mode)");
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)], dir: &std::path::Path) -> Settings {
        let mut env: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        env.push((
            "AIDAZU__STORAGE__DIR".to_owned(),
            dir.join("photos").display().to_string(),
        ));
        Settings::load_with_env(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config")),
            env,
        )
        .unwrap()
    }

    #[test]
    fn photo_store_follows_storage_backend_and_spools_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let local = settings(&[], dir.path());
        assert!(photo_intake(&local).is_ok());
        assert!(dir.path().join("photos/.spool").is_dir());

        // The S3 store is built from settings alone (no request is made until a photo arrives).
        let s3 = settings(
            &[
                ("AIDAZU__STORAGE__BACKEND", "s3"),
                ("AIDAZU__STORAGE__S3__BUCKET", "aidazu-photos"),
                ("AIDAZU__STORAGE__S3__REGION", "cn-north-1"),
                ("AIDAZU__STORAGE__S3__ENDPOINT", "http://127.0.0.1:9000"),
                ("AIDAZU__STORAGE__S3__ALLOW_HTTP", "true"),
                ("AIDAZU__STORAGE__S3__ACCESS_KEY_ID", "minio"),
                ("AIDAZU__STORAGE__S3__SECRET_ACCESS_KEY", "minio-secret"),
            ],
            dir.path(),
        );
        assert!(photo_intake(&s3).is_ok());
    }
}
