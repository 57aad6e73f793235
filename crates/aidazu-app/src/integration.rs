//! The DingTalk side of the application handle: the client, the callback crypto and what the
//! gateway needs to know (public URL, form and card settings). Built by the composition root.

use std::sync::Arc;

use dingtalk::callback::CallbackCrypto;
use tokio::sync::Notify;

use crate::App;

/// How card button presses reach the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardCallback {
    /// Cards are created with `callbackType = "STREAM"`; presses arrive on the Stream connection.
    Stream,
    /// Cards are created with `callbackType = "HTTP"` and `callbackRouteKey = route_key`; the
    /// route is registered once for `url`, and DingTalk signs each post with `secret`.
    Http {
        /// The route key cards name.
        route_key: String,
        /// Where DingTalk posts (`<public_url>/dingtalk/card-callback`).
        url: String,
        /// `x-ddpaas-signature` secret.
        secret: String,
    },
}

/// What the gateway needs besides the client.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Base URL people and DingTalk use to reach this service (photo links in forms).
    pub public_url: String,
    /// Name of the approval form template.
    pub form_name: String,
    /// Interactive card template id.
    pub card_template_id: String,
    /// Card callback transport.
    pub card_callback: CardCallback,
}

/// Outbox worker tuning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxPolicy {
    /// Attempts before a message is marked `failed`.
    pub max_attempts: u32,
    /// First retry delay.
    pub backoff_base: std::time::Duration,
    /// Longest retry delay.
    pub backoff_max: std::time::Duration,
    /// How long a claim lasts.
    pub lease: std::time::Duration,
}

impl Default for OutboxPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            backoff_base: std::time::Duration::from_secs(1),
            backoff_max: std::time::Duration::from_secs(300),
            lease: std::time::Duration::from_secs(60),
        }
    }
}

/// Everything DingTalk-related the composition root hands to the [`crate::AppBuilder`]; the
/// client itself is held once, by the `App` ([`App::dingtalk`]).
#[derive(Debug, Clone)]
pub struct DingTalkSetup {
    /// Verifies and seals HTTP callbacks; `None` when callbacks are not configured.
    pub callback_crypto: Option<CallbackCrypto>,
    /// Gateway settings.
    pub gateway: GatewayConfig,
    /// Outbox worker tuning.
    pub outbox: OutboxPolicy,
}

/// The DingTalk parts kept in the handle.
pub(crate) struct DingTalkParts {
    pub(crate) setup: DingTalkSetup,
    /// Wakes the inbox worker when an event was stored.
    pub(crate) events_arrived: Arc<Notify>,
    /// Wakes the outbox worker when something was enqueued.
    pub(crate) outbox_filled: Arc<Notify>,
}

impl App {
    /// The DingTalk setup, when configured.
    pub fn dingtalk_setup(&self) -> Option<&DingTalkSetup> {
        self.inner.integration.as_ref().map(|d| &d.setup)
    }

    /// Tells the workers there may be new work (an event stored, a message enqueued). Cheap;
    /// the workers also poll, so forgetting to call it only adds latency.
    pub fn wake_workers(&self) {
        if let Some(parts) = &self.inner.integration {
            parts.events_arrived.notify_one();
            parts.outbox_filled.notify_one();
        }
    }

    pub(crate) fn events_notify(&self) -> Option<Arc<Notify>> {
        self.inner
            .integration
            .as_ref()
            .map(|d| d.events_arrived.clone())
    }

    pub(crate) fn outbox_notify(&self) -> Option<Arc<Notify>> {
        self.inner
            .integration
            .as_ref()
            .map(|d| d.outbox_filled.clone())
    }
}
