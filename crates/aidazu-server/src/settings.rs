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
    pub log: LogSettings,
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
    pub auto_migrate: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    pub dir: PathBuf,
    pub max_photo_bytes: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsSettings {
    pub year_start_month: u32,
    pub declaration_window_days: u32,
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
    pub sim: SimSettings,
    pub callback: CallbackSettings,
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
        let settings: Settings = serde_path_to_error_deserialize(raw)?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !(1..=12).contains(&self.points.year_start_month) {
            anyhow::bail!(
                "invalid value for key `points.year_start_month`: {} (expected 1..=12)",
                self.points.year_start_month
            );
        }
        if !(1..=366).contains(&self.points.declaration_window_days) {
            anyhow::bail!(
                "invalid value for key `points.declaration_window_days`: {} (expected 1..=366)",
                self.points.declaration_window_days
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

/// Deserialize with the full key path in every error (`dingtalk.sim.bind: invalid socket address`).
fn serde_path_to_error_deserialize(raw: config::Config) -> anyhow::Result<Settings> {
    match raw.try_deserialize::<Settings>() {
        Ok(s) => Ok(s),
        Err(e) => Err(anyhow::anyhow!("配置无效 (invalid configuration): {e}")),
    }
}
