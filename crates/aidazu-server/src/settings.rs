//! Layered configuration: `config/default.toml` → optional `config/local.toml` → environment
//! variables `AIDAZU__SECTION__KEY`. Unknown keys and bad values stop start-up with a message that
//! names the key. Secrets are `SecretString`s: `Debug` never prints them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use secrecy::SecretString;
use serde::Deserialize;

/// The built-in defaults, so the binary also runs outside the repository.
const EMBEDDED_DEFAULT: &str = include_str!("../../../config/default.toml");

/// All settings of the service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub storage: StorageSettings,
    pub points: PointsSettings,
    pub dingtalk: DingTalkSettings,
    pub security: SecuritySettings,
    /// Photo links for reviewers (signed, expiring).
    #[serde(default)]
    pub photos: PhotoSettings,
    /// Clock-driven jobs (quarterly publication) and the poster printer.
    #[serde(default)]
    pub jobs: JobSettings,
    /// The built front end (villager micro-app and console).
    #[serde(default)]
    pub web: WebSettings,
    pub log: LogSettings,
}

/// The scheduler inside `serve` and the A3 poster printer (R16).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobSettings {
    /// Run the scheduler (quarterly publication on the first working day after a quarter, 09:00
    /// Asia/Shanghai) inside `serve`. Every replica may run it: runs are unique per key.
    pub scheduler: bool,
    /// How often the scheduler looks for due work, in seconds.
    pub scheduler_every_secs: u64,
    /// The Chromium binary that prints the A3 poster.
    pub chromium: std::path::PathBuf,
    /// Longest a poster print may take, in seconds.
    pub poster_timeout_secs: u64,
}

impl Default for JobSettings {
    fn default() -> Self {
        Self {
            scheduler: true,
            scheduler_every_secs: 60,
            chromium: std::path::PathBuf::from("chromium"),
            poster_timeout_secs: 60,
        }
    }
}

/// When `serve` builds the front end from its sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebBuild {
    /// When `web.dir` is missing or older than the sources in `web.source_dir` (needs npm).
    Auto,
    /// Never: serve `web.dir` as it is (production deploys a built copy).
    Never,
}

/// The villager micro-app (`/`) and the console (`/console/`), built by Vite.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebSettings {
    /// The built files (`index.html`, `console/index.html`, `assets/`); empty = serve no front end.
    pub dir: PathBuf,
    /// The front end's sources (`package.json`); `serve` builds them into `dir` when stale.
    pub source_dir: PathBuf,
    /// `auto` or `never`.
    pub build: WebBuild,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("dingtalk-miniapp/dist"),
            source_dir: PathBuf::from("dingtalk-miniapp"),
            build: WebBuild::Auto,
        }
    }
}

/// Signed photo links in the approval form and the card (F2). Their key is derived from
/// `security.jwt_secret` (see `aidazu_photos::PhotoLinks::derived_from`): rotating that secret
/// also invalidates every photo link.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PhotoSettings {
    /// Lifetime of a signed photo link, in days (1..=366, default 30).
    pub link_ttl_days: u32,
}

impl Default for PhotoSettings {
    fn default() -> Self {
        Self { link_ttl_days: 30 }
    }
}

impl PhotoSettings {
    /// The link lifetime.
    pub fn link_ttl(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.link_ttl_days) * 86_400)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: SocketAddr,
    #[serde(default)]
    pub public_url: String,
    pub request_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    /// Seconds to wait for a database connection (start-up fails after this long).
    pub connect_timeout_secs: u64,
    pub auto_migrate: bool,
}

impl DatabaseSettings {
    /// Pool settings for the store.
    pub fn connect_settings(&self) -> aidazu_store::ConnectSettings {
        aidazu_store::ConnectSettings {
            acquire_timeout: std::time::Duration::from_secs(self.connect_timeout_secs.max(1)),
            max_connections: self.max_connections.max(1),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    /// Where photo blobs live: `local` (the folder `dir`) or `s3` (S3-compatible object storage).
    #[serde(default)]
    pub backend: StorageBackend,
    /// Photo folder (local backend) and, beside it, the upload spool.
    pub dir: PathBuf,
    pub max_photo_bytes: u64,
    /// How many uploaded photos are decoded and re-encoded at once (each a full-size image in
    /// memory: a 12-megapixel photo is 36 MB of pixels); the others wait, spooled to disk.
    #[serde(default = "two")]
    pub max_concurrent_decodes: usize,
    /// A rotated JPEG (EXIF Orientation 2–8) whose long side exceeds this is re-encoded from a
    /// reduced-scale decode (1/2, 1/4 or 1/8), so its public copy's long side is at most this.
    #[serde(default = "max_reencoded_side")]
    pub max_reencoded_side: u32,
    /// S3-compatible object storage (backend = "s3").
    #[serde(default)]
    pub s3: S3StorageSettings,
}

/// The photo blob store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    /// A local folder (the embedded default).
    #[default]
    Local,
    /// S3-compatible object storage (AWS S3, MinIO, OSS/COS S3 endpoints).
    S3,
}

/// Settings of the S3-compatible photo store. Empty strings mean "not set" (then the AWS_*
/// environment variables apply).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3StorageSettings {
    #[serde(default)]
    pub bucket: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub access_key_id: String,
    #[serde(default)]
    pub secret_access_key: Option<SecretString>,
    #[serde(default)]
    pub allow_http: bool,
    #[serde(default)]
    pub prefix: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsSettings {
    /// Removed: the points-year start month is the district's own setting
    /// (`districts.points_year_start_month`, R14). Kept only to refuse it with a clear message.
    #[serde(default)]
    pub year_start_month: Option<u32>,
    pub declaration_window_days: u32,
    /// Longest declaration description, in characters (R8; default 500).
    #[serde(default = "default_max_text_chars")]
    pub declaration_max_text_chars: u32,
    /// Fen of purchase cost per point in the fund report (D8; default 100: 1 point ≈ ¥1).
    #[serde(default = "default_fen_per_point")]
    pub fen_per_point: i64,
}

const fn default_fen_per_point() -> i64 {
    aidazu_domain::shop::funds::DEFAULT_FEN_PER_POINT
}

const fn default_max_text_chars() -> u32 {
    500
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DingTalkMode {
    /// The built-in simulator.
    Sim,
    /// The real DingTalk open platform.
    Live,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DingTalkSettings {
    pub mode: DingTalkMode,
    pub app_key: String,
    pub app_secret: SecretString,
    pub corp_id: String,
    pub agent_id: i64,
    pub oapi_base: String,
    pub api_base: String,
    /// DingTalk's web-login (扫码登录) host the console sends a browser to in live mode.
    #[serde(default = "default_login_base")]
    pub login_base: String,
    pub sim: SimSettings,
    pub callback: CallbackSettings,
    /// How events and card actions arrive: HTTP callbacks (default) or a Stream connection.
    #[serde(default)]
    pub events: EventsMode,
    /// Interactive card and approval-form settings of the declaration loop.
    #[serde(default)]
    pub gateway: GatewaySettings,
    /// Background workers (callback inbox, outbox).
    #[serde(default)]
    pub workers: WorkerSettings,
}

fn default_login_base() -> String {
    "https://login.dingtalk.com".to_owned()
}

/// How DingTalk events reach the service.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventsMode {
    /// Encrypted HTTP pushes to `/dingtalk/callback` (cards: `/dingtalk/card-callback`).
    #[default]
    Http,
    /// A Stream (WebSocket) connection the service opens to DingTalk.
    Stream,
}

/// The DingTalk objects the declaration loop uses.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewaySettings {
    /// Name of the approval form template ensured at first use.
    pub form_name: String,
    /// Interactive card template id (made in the DingTalk card builder).
    pub card_template_id: String,
    /// Route key under which the HTTP card callback URL is registered.
    pub card_route_key: String,
    /// Secret DingTalk signs HTTP card callbacks with (`x-ddpaas-signature`); empty = the
    /// callback token.
    pub card_callback_secret: String,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        Self {
            form_name: "积分申报审批".to_owned(),
            card_template_id: "aidazu.declaration.v1".to_owned(),
            card_route_key: "aidazu-declarations".to_owned(),
            card_callback_secret: String::new(),
        }
    }
}

/// Background workers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerSettings {
    /// Run the inbox and outbox workers in this process (tests turn them off to simulate a
    /// crash between receipt and application).
    pub enabled: bool,
    /// How often an idle worker looks for work, in milliseconds.
    pub poll_ms: u64,
    /// Outbox: attempts before a message is marked `failed`.
    pub max_attempts: u32,
    /// Outbox: first retry delay in milliseconds (doubles each attempt, with jitter).
    pub backoff_base_ms: u64,
    /// Outbox: longest retry delay in milliseconds.
    pub backoff_max_ms: u64,
    /// Outbox: how long a claimed message stays leased to one worker, in seconds.
    pub lease_secs: u64,
    /// D2 review reminders: how often the job looks for declarations waiting too long, in seconds.
    #[serde(default = "default_reminder_every_secs")]
    pub reminder_every_secs: u64,
    /// Reconciler (nothing approved in DingTalk is lost): how often it reads DingTalk's failed
    /// pushes and re-checks old approvals, in seconds.
    #[serde(default = "default_reconcile_every_secs")]
    pub reconcile_every_secs: u64,
    /// Reconciler: how old an approval still in review must be before it is re-checked, in seconds.
    #[serde(default = "default_recheck_after_secs")]
    pub recheck_after_secs: u64,
}

const fn default_reconcile_every_secs() -> u64 {
    180
}

const fn default_recheck_after_secs() -> u64 {
    600
}

const fn default_reminder_every_secs() -> u64 {
    300
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            poll_ms: 500,
            max_attempts: 8,
            backoff_base_ms: 1000,
            backoff_max_ms: 300_000,
            reminder_every_secs: default_reminder_every_secs(),
            reconcile_every_secs: default_reconcile_every_secs(),
            recheck_after_secs: default_recheck_after_secs(),
            lease_secs: 60,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimSettings {
    pub bind: SocketAddr,
    pub token_ttl_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackSettings {
    pub token: SecretString,
    pub aes_key: SecretString,
    #[serde(default)]
    pub owner_key: String,
}

impl CallbackSettings {
    /// The owner key, defaulting to the app key (console-configured subscription).
    pub fn owner_key_or<'a>(&'a self, app_key: &'a str) -> &'a str {
        if self.owner_key.is_empty() {
            app_key
        } else {
            &self.owner_key
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecuritySettings {
    /// HMAC secret of our own JWTs.
    #[serde(default)]
    pub jwt_secret: Option<SecretString>,
    /// AES-256-GCM key for personal data at rest, base64 (32 bytes).
    #[serde(default)]
    pub data_key: Option<SecretString>,
    /// Key id stored beside each ciphertext so keys can rotate.
    pub data_key_id: String,
    /// HMAC key for lookups of personal data (mobile numbers), base64 (32 bytes).
    #[serde(default)]
    pub lookup_key: Option<SecretString>,
    /// Lifetime of our access tokens (JWT), in seconds.
    #[serde(default = "default_access_token_ttl_secs")]
    pub access_token_ttl_secs: u64,
    /// Lifetime of our rotating refresh tokens, in seconds.
    #[serde(default = "default_refresh_token_ttl_secs")]
    pub refresh_token_ttl_secs: u64,
}

fn default_access_token_ttl_secs() -> u64 {
    900
}

fn default_refresh_token_ttl_secs() -> u64 {
    30 * 24 * 3600
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub filter: String,
}

impl Settings {
    /// Load from `<config_dir>/default.toml` (or the built-in copy when absent), then
    /// `<config_dir>/local.toml` if present, then the environment.
    pub fn load(config_dir: &Path) -> anyhow::Result<Self> {
        Self::load_with_env(config_dir, std::env::vars())
    }

    /// As [`Settings::load`], with the environment given explicitly (tests).
    pub fn load_with_env(
        config_dir: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let default_path = config_dir.join("default.toml");
        let mut builder = config::Config::builder();
        builder = if default_path.is_file() {
            builder.add_source(config::File::from(default_path.as_path()))
        } else {
            builder.add_source(config::File::from_str(
                EMBEDDED_DEFAULT,
                config::FileFormat::Toml,
            ))
        };
        builder = builder.add_source(
            config::File::from(config_dir.join("local.toml").as_path()).required(false),
        );
        let env: config::Map<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with("AIDAZU__"))
            .collect();
        builder = builder.add_source(
            config::Environment::with_prefix("AIDAZU")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true)
                .source(Some(env)),
        );
        let raw = builder
            .build()
            .context("配置读取失败 (could not read configuration)")?;
        let settings: Settings = raw
            .try_deserialize()
            .map_err(|e| anyhow::anyhow!("配置无效 (invalid configuration): {e}"))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.points.year_start_month.is_some() {
            anyhow::bail!(
                "key `points.year_start_month` was removed: the points-year start month is the \
                 district's setting (districts.points_year_start_month, R14); delete the key"
            );
        }
        if !(1..=100_000).contains(&self.points.fen_per_point) {
            anyhow::bail!(
                "invalid value for key `points.fen_per_point`: {} (expected 1..=100000)",
                self.points.fen_per_point
            );
        }
        if !(1..=10_000).contains(&self.points.declaration_max_text_chars) {
            anyhow::bail!(
                "invalid value for key `points.declaration_max_text_chars`: {} (expected 1..=10000)",
                self.points.declaration_max_text_chars
            );
        }
        if !(1..=366).contains(&self.points.declaration_window_days) {
            anyhow::bail!(
                "invalid value for key `points.declaration_window_days`: {} (expected 1..=366)",
                self.points.declaration_window_days
            );
        }
        if !(1..=86_400).contains(&self.security.access_token_ttl_secs) {
            anyhow::bail!(
                "invalid value for key `security.access_token_ttl_secs`: {} (expected 1..=86400)",
                self.security.access_token_ttl_secs
            );
        }
        if self.security.refresh_token_ttl_secs < self.security.access_token_ttl_secs
            || self.security.refresh_token_ttl_secs > 366 * 86_400
        {
            anyhow::bail!(
                "invalid value for key `security.refresh_token_ttl_secs`: {} (expected access_token_ttl_secs..=31622400)",
                self.security.refresh_token_ttl_secs
            );
        }
        if !(1..=366).contains(&self.photos.link_ttl_days) {
            anyhow::bail!(
                "invalid value for key `photos.link_ttl_days`: {} (expected 1..=366)",
                self.photos.link_ttl_days
            );
        }
        if self.storage.backend == StorageBackend::S3 && self.storage.s3.bucket.trim().is_empty() {
            anyhow::bail!(
                "missing key `storage.s3.bucket`: required when storage.backend = \"s3\""
            );
        }
        if self.storage.max_photo_bytes == 0 {
            anyhow::bail!("invalid value for key `storage.max_photo_bytes`: must be > 0");
        }
        let scheme_ok = self.database.url.starts_with("sqlite:")
            || self.database.url.starts_with("postgres://")
            || self.database.url.starts_with("postgresql://");
        if !scheme_ok {
            anyhow::bail!(
                "invalid value for key `database.url`: expected sqlite://… or postgres://…"
            );
        }
        for (key, base) in [
            ("dingtalk.oapi_base", &self.dingtalk.oapi_base),
            ("dingtalk.api_base", &self.dingtalk.api_base),
        ] {
            url_check(key, base)?;
        }
        if self.dingtalk.mode == DingTalkMode::Live {
            for (key, missing) in [
                ("security.jwt_secret", self.security.jwt_secret.is_none()),
                ("security.data_key", self.security.data_key.is_none()),
                ("security.lookup_key", self.security.lookup_key.is_none()),
            ] {
                if missing {
                    anyhow::bail!(
                        "missing key `{key}`: required when dingtalk.mode = \"live\" (set it via the environment, e.g. AIDAZU__{})",
                        key.replace('.', "__").to_uppercase()
                    );
                }
            }
        }
        Ok(())
    }

    /// The directory that holds the SQLite file and dev secrets for the embedded default.
    pub fn data_dir(&self) -> PathBuf {
        self.storage
            .dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("data"))
    }

    /// The base URL people and DingTalk use to reach this service.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        if self.server.public_url.is_empty() {
            format!("http://{bound}")
        } else {
            self.server.public_url.trim_end_matches('/').to_owned()
        }
    }
}

fn url_check(key: &str, value: &str) -> anyhow::Result<()> {
    if value.starts_with("http://") || value.starts_with("https://") {
        Ok(())
    } else {
        anyhow::bail!("invalid value for key `{key}`: `{value}` is not an http(s) URL")
    }
}

/// The default of `storage.max_concurrent_decodes` (the photo pipeline's own).
const fn two() -> usize {
    2
}

/// The default of `storage.max_reencoded_side` (the photo pipeline's own).
fn max_reencoded_side() -> u32 {
    aidazu_photos::PhotoConfig::default().max_reencoded_side
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config"))
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_are_the_embedded_demo() {
        let s = Settings::load_with_env(&dir(), env(&[])).unwrap();
        assert_eq!(s.server.bind.to_string(), "127.0.0.1:8080");
        assert!(s.database.url.starts_with("sqlite://data/"));
        assert_eq!(s.storage.dir, PathBuf::from("data/photos"));
        assert_eq!(s.dingtalk.mode, DingTalkMode::Sim);
        assert_eq!(s.dingtalk.sim.bind.to_string(), "127.0.0.1:8089");
        // owner key defaults to the app key
        assert_eq!(
            s.dingtalk.callback.owner_key_or(&s.dingtalk.app_key),
            s.dingtalk.app_key
        );
    }

    #[test]
    fn missing_default_file_falls_back_to_the_built_in_copy() {
        let empty = tempfile::tempdir().unwrap();
        let s = Settings::load_with_env(empty.path(), env(&[])).unwrap();
        assert_eq!(s.server.bind.to_string(), "127.0.0.1:8080");
    }

    #[test]
    fn environment_overrides_nested_keys() {
        let s = Settings::load_with_env(
            &dir(),
            env(&[
                ("AIDAZU__DATABASE__URL", "postgres://u@127.0.0.1:5432/db"),
                ("AIDAZU__DINGTALK__APP_KEY", "dingabc"),
                ("AIDAZU__DINGTALK__SIM__BIND", "127.0.0.1:0"),
                ("AIDAZU__DINGTALK__AGENT_ID", "42"),
                ("UNRELATED", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(s.database.url, "postgres://u@127.0.0.1:5432/db");
        assert_eq!(s.dingtalk.app_key, "dingabc");
        assert_eq!(s.dingtalk.agent_id, 42);
        assert_eq!(s.dingtalk.sim.bind.port(), 0);
    }

    #[test]
    fn local_file_overrides_default() {
        let d = tempfile::tempdir().unwrap();
        std::fs::copy(dir().join("default.toml"), d.path().join("default.toml")).unwrap();
        std::fs::write(
            d.path().join("local.toml"),
            "[points]\ndeclaration_window_days = 9\n",
        )
        .unwrap();
        let s = Settings::load_with_env(d.path(), env(&[])).unwrap();
        assert_eq!(s.points.declaration_window_days, 9);
    }

    #[test]
    fn unknown_key_is_refused_naming_it() {
        let err = Settings::load_with_env(&dir(), env(&[("AIDAZU__SERVER__BND", "x")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("bnd"), "{err}");
    }

    #[test]
    fn bad_value_is_refused_naming_the_key() {
        let err =
            Settings::load_with_env(&dir(), env(&[("AIDAZU__SERVER__BIND", "not-an-address")]))
                .unwrap_err()
                .to_string();
        assert!(err.contains("server.bind") || err.contains("bind"), "{err}");

        // The removed key is refused with a message saying where the setting went.
        let err =
            Settings::load_with_env(&dir(), env(&[("AIDAZU__POINTS__YEAR_START_MONTH", "9")]))
                .unwrap_err()
                .to_string();
        assert!(
            err.contains("points.year_start_month") && err.contains("district"),
            "{err}"
        );

        let err = Settings::load_with_env(&dir(), env(&[("AIDAZU__DATABASE__URL", "mysql://x")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("database.url"), "{err}");

        let err = Settings::load_with_env(&dir(), env(&[("AIDAZU__DINGTALK__MODE", "prod")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("mode"), "{err}");
    }

    #[test]
    fn photo_link_lifetime_defaults_to_30_days_and_is_checked() {
        let s = Settings::load_with_env(&dir(), env(&[])).unwrap();
        assert_eq!(s.photos.link_ttl_days, 30);
        assert_eq!(s.photos.link_ttl().as_secs(), 30 * 86_400);
        let s = Settings::load_with_env(&dir(), env(&[("AIDAZU__PHOTOS__LINK_TTL_DAYS", "7")]))
            .unwrap();
        assert_eq!(s.photos.link_ttl_days, 7);
        let err = Settings::load_with_env(&dir(), env(&[("AIDAZU__PHOTOS__LINK_TTL_DAYS", "0")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("photos.link_ttl_days"), "{err}");
    }

    #[test]
    fn s3_backend_requires_a_bucket() {
        let err = Settings::load_with_env(&dir(), env(&[("AIDAZU__STORAGE__BACKEND", "s3")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("storage.s3.bucket"), "{err}");
        let s = Settings::load_with_env(
            &dir(),
            env(&[
                ("AIDAZU__STORAGE__BACKEND", "s3"),
                ("AIDAZU__STORAGE__S3__BUCKET", "aidazu-photos"),
                ("AIDAZU__STORAGE__S3__ENDPOINT", "http://127.0.0.1:9000"),
            ]),
        )
        .unwrap();
        assert_eq!(s.storage.backend, StorageBackend::S3);
        assert_eq!(s.storage.s3.bucket, "aidazu-photos");
    }

    #[test]
    fn live_mode_requires_secrets() {
        let err = Settings::load_with_env(&dir(), env(&[("AIDAZU__DINGTALK__MODE", "live")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("security.jwt_secret"), "{err}");
    }

    #[test]
    fn debug_never_prints_secrets() {
        let s = Settings::load_with_env(
            &dir(),
            env(&[("AIDAZU__SECURITY__JWT_SECRET", "super-secret-value")]),
        )
        .unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("super-secret-value"));
        assert!(!shown.contains("aidazu-demo-app-secret"));
    }
}
