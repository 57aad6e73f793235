//! The composition root: builds every part once and wires them together.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aidazu_api::{ApiState, RouterOptions};
use aidazu_app::{App, AppConfig, AuthConfig, Clock, SystemClock};
use aidazu_domain::calendar::PointsYearConfig;
use aidazu_store::{PiiKeys, Store};
use anyhow::Context as _;
use secrecy::ExposeSecret as _;
use tokio::net::TcpListener;

use crate::secrets::Secrets;
use crate::settings::{DingTalkMode, Settings};

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
            DingTalkMode::Sim => Some(start_simulator(&settings, &public_url, None).await?),
            DingTalkMode::Live => None,
        };

        if options.load_demo && settings.dingtalk.mode == DingTalkMode::Sim {
            let villages = store.list_villages().await?;
            if villages.is_empty() {
                let report = crate::commands::seed(&store, &secrets, options.clock.now()).await?;
                tracing::info!(?report, "loaded the demo data of the four pilot villages");
            }
        }

        let dingtalk = dingtalk_client(&settings, sim.as_ref().map(|s| s.base_url()).as_deref())?;
        let app = App::new(
            store,
            options.clock.clone(),
            AppConfig {
                points_year: PointsYearConfig::new(settings.points.year_start_month)?,
                declaration_window_days: settings.points.declaration_window_days,
                auth: auth_config(&settings, &secrets)?,
                pii: PiiKeys::new(
                    secrets.data_key_id.clone(),
                    secrets.data_key,
                    secrets.lookup_key,
                ),
            },
            dingtalk,
        );
        app.set_photo_intake(photo_intake(&settings));
        let router = aidazu_api::router(
            ApiState { app: app.clone() },
            RouterOptions {
                request_timeout: Duration::from_secs(settings.server.request_timeout_secs),
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

    /// Serves until `shutdown` resolves, then drains in-flight requests and stops the simulator.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Self {
            listener,
            router,
            sim,
            ..
        } = self;
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
            .context("HTTP server failed")?;
        if let Some(sim) = sim {
            sim.shutdown().await;
        }
        tracing::info!("stopped");
        Ok(())
    }
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

/// The photo pipeline over the local folder `storage.dir`, limited to `storage.max_photo_bytes`.
fn photo_intake(settings: &Settings) -> aidazu_photos::PhotoIntake {
    let store = Arc::new(aidazu_photos::LocalBlobStore::new(
        settings.storage.dir.clone(),
    ));
    let config =
        aidazu_photos::PhotoConfig::default().with_max_bytes(settings.storage.max_photo_bytes);
    aidazu_photos::PhotoIntake::new(store, config)
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

/// Starts the DingTalk simulator with the service's own credentials and callback settings.
pub(crate) async fn start_simulator(
    settings: &Settings,
    service_url: &str,
    bind_override: Option<SocketAddr>,
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
