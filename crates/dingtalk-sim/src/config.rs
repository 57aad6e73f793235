//! Simulator configuration: the app credentials, the callback target and the timing knobs.

use std::time::Duration;

use crate::org::Organisation;

/// Where HTTP event callbacks are pushed (the service's `/dingtalk/callback`), and the secrets
/// that seal them. The same values the service is configured with.
#[derive(Clone, PartialEq, Eq)]
pub struct CallbackTarget {
    /// Full URL of the app's callback endpoint.
    pub url: String,
    /// Callback token (签名 token).
    pub token: String,
    /// EncodingAESKey, 43 characters.
    pub aes_key: String,
    /// Owner key sealed into every message: the AppKey for console-configured subscriptions.
    pub owner_key: String,
}

/// Everything the simulator needs to act as the DingTalk open platform for one app.
#[derive(Clone)]
pub struct SimConfig {
    /// The app's AppKey / ClientID.
    pub app_key: String,
    /// The app's AppSecret / ClientSecret.
    pub app_secret: String,
    /// The organisation's corp id (sent as `CorpId` in events).
    pub corp_id: String,
    /// The micro-app's agent id (checked by work notifications).
    pub agent_id: i64,
    /// HTTP push target; `None` = events wait for a Stream connection (and fail over time).
    pub callback: Option<CallbackTarget>,
    /// App access token lifetime (DingTalk: 7200 s).
    pub token_ttl: Duration,
    /// 免登 auth code lifetime (DingTalk: 300 s).
    pub auth_code_ttl: Duration,
    /// Calls allowed per app, per API, per second (DingTalk standard org: 20).
    pub qps_limit_per_api: u32,
    /// How long to wait for the app's sealed `success` (HTTP) or ACK (Stream).
    pub event_timeout: Duration,
    /// Delays before each retry of a failed event delivery (DingTalk: 10 s, then 30 s).
    pub retry_delays: Vec<Duration>,
    /// Departments and users.
    pub organisation: Organisation,
    /// Process codes that exist without a form registered through `POST /v1.0/workflow/forms`
    /// (approval templates made "in the console"). Their form labels are not checked.
    pub process_codes: Vec<String>,
    /// Stream: time between the SYSTEM `disconnect` frame and closing the socket (DingTalk: ~10 s).
    pub stream_disconnect_grace: Duration,
    /// JSON file the state is kept in across restarts (`None`: memory only). Reloaded at start,
    /// rewritten atomically after changes and at shutdown.
    pub state_file: Option<std::path::PathBuf>,
    /// Lifetime of OAuth2 user access tokens (DingTalk: 7200 s).
    pub user_token_ttl: Duration,
}

impl SimConfig {
    /// A configuration with DingTalk's defaults and the demo organisation.
    pub fn new(
        app_key: impl Into<String>,
        app_secret: impl Into<String>,
        corp_id: impl Into<String>,
        agent_id: i64,
    ) -> Self {
        Self {
            app_key: app_key.into(),
            app_secret: app_secret.into(),
            corp_id: corp_id.into(),
            agent_id,
            callback: None,
            token_ttl: Duration::from_secs(7200),
            auth_code_ttl: Duration::from_secs(300),
            qps_limit_per_api: 20,
            event_timeout: Duration::from_secs(3),
            retry_delays: vec![Duration::from_secs(10), Duration::from_secs(30)],
            organisation: Organisation::demo(),
            process_codes: Vec::new(),
            stream_disconnect_grace: Duration::from_secs(10),
            state_file: None,
            user_token_ttl: Duration::from_secs(7200),
        }
    }
}

impl std::fmt::Debug for CallbackTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackTarget")
            .field("url", &self.url)
            .field("token", &"***")
            .field("aes_key", &"***")
            .field("owner_key", &self.owner_key)
            .finish()
    }
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("app_key", &self.app_key)
            .field("app_secret", &"***")
            .field("corp_id", &self.corp_id)
            .field("agent_id", &self.agent_id)
            .field("callback", &self.callback)
            .field("token_ttl", &self.token_ttl)
            .field("auth_code_ttl", &self.auth_code_ttl)
            .field("qps_limit_per_api", &self.qps_limit_per_api)
            .field("event_timeout", &self.event_timeout)
            .field("retry_delays", &self.retry_delays)
            .field("users", &self.organisation.users.len())
            .field("process_codes", &self.process_codes)
            .field("stream_disconnect_grace", &self.stream_disconnect_grace)
            .field("state_file", &self.state_file)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_dingtalk_and_debug_hides_secrets() {
        let mut config = SimConfig::new("key", "very-secret", "corp", 1);
        assert_eq!(config.token_ttl, Duration::from_secs(7200));
        assert_eq!(config.auth_code_ttl, Duration::from_secs(300));
        assert_eq!(config.qps_limit_per_api, 20);
        assert_eq!(
            config.retry_delays,
            [Duration::from_secs(10), Duration::from_secs(30)]
        );
        config.callback = Some(CallbackTarget {
            url: "http://x".into(),
            token: "cb-token-secret".into(),
            aes_key: "aes-key-secret".into(),
            owner_key: "key".into(),
        });
        let printed = format!("{config:?}");
        for secret in ["very-secret", "cb-token-secret", "aes-key-secret"] {
            assert!(!printed.contains(secret), "{secret} leaked");
        }
    }
}
