//! Secrets of the service: from settings (environment or `config/local.toml`), or, for the
//! embedded demo (`dingtalk.mode = "sim"`) only, generated once into `<data dir>/dev-secrets.toml`
//! so that encrypted personal data stays readable across restarts.

use std::path::Path;

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};

use crate::settings::{DingTalkMode, Settings};

/// Secrets resolved at start-up. `Debug` prints no secret.
#[derive(Clone)]
pub struct Secrets {
    /// HMAC secret of our JWTs.
    pub jwt_secret: SecretString,
    /// Id of the current personal-data key.
    pub data_key_id: String,
    /// AES-256-GCM key for personal data at rest.
    pub data_key: [u8; 32],
    /// HMAC key for lookups of personal data.
    pub lookup_key: [u8; 32],
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("data_key_id", &self.data_key_id)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct DevSecretsFile {
    jwt_secret: String,
    data_key: String,
    lookup_key: String,
}

impl Secrets {
    /// Resolves secrets from settings, falling back to the dev-secrets file in sim mode.
    pub fn resolve(settings: &Settings) -> anyhow::Result<Self> {
        let sec = &settings.security;
        let from_settings = (
            sec.jwt_secret.as_ref(),
            sec.data_key.as_ref(),
            sec.lookup_key.as_ref(),
        );
        if let (Some(jwt), Some(data), Some(lookup)) = from_settings {
            return Ok(Self {
                jwt_secret: jwt.clone(),
                data_key_id: sec.data_key_id.clone(),
                data_key: decode_key("security.data_key", data.expose_secret())?,
                lookup_key: decode_key("security.lookup_key", lookup.expose_secret())?,
            });
        }
        if settings.dingtalk.mode == DingTalkMode::Live {
            anyhow::bail!(
                "missing key `security.jwt_secret`, `security.data_key` or `security.lookup_key`: required in live mode"
            );
        }
        let dev = load_or_create_dev_file(&settings.data_dir().join("dev-secrets.toml"))?;
        Ok(Self {
            jwt_secret: sec
                .jwt_secret
                .clone()
                .unwrap_or_else(|| SecretString::from(dev.jwt_secret.clone())),
            data_key_id: sec.data_key_id.clone(),
            data_key: match &sec.data_key {
                Some(k) => decode_key("security.data_key", k.expose_secret())?,
                None => decode_key("dev-secrets.toml data_key", &dev.data_key)?,
            },
            lookup_key: match &sec.lookup_key {
                Some(k) => decode_key("security.lookup_key", k.expose_secret())?,
                None => decode_key("dev-secrets.toml lookup_key", &dev.lookup_key)?,
            },
        })
    }
}

fn decode_key(key: &str, b64: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = STANDARD
        .decode(b64.trim())
        .with_context(|| format!("invalid value for key `{key}`: not base64"))?;
    bytes.try_into().map_err(|v: Vec<u8>| {
        anyhow::anyhow!(
            "invalid value for key `{key}`: expected 32 bytes, got {}",
            v.len()
        )
    })
}

fn random_b64(len: usize) -> String {
    let mut buf = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut buf);
    STANDARD.encode(buf)
}

fn load_or_create_dev_file(path: &Path) -> anyhow::Result<DevSecretsFile> {
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        return toml::from_str(&text).with_context(|| format!("cannot parse {}", path.display()));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let file = DevSecretsFile {
        jwt_secret: random_b64(48),
        data_key: random_b64(32),
        lookup_key: random_b64(32),
    };
    let text = toml::to_string(&file)?;
    write_private(path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    tracing::warn!(
        path = %path.display(),
        "generated development secrets for the embedded demo; set security.* in production"
    );
    Ok(file)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}
