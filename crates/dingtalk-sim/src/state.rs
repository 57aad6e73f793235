//! The simulator's shared state: configuration, clock, and everything it holds.
//!
//! Locks are `std::sync::Mutex`es held only inside the `with_*` closures, never across an
//! `.await`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::clock::SimClock;
use crate::config::{CallbackTarget, SimConfig};
use crate::credentials::{OneTimeCodes, Tokens};
use crate::delivery::{EventRecord, OutboundEvent};
use crate::guard::{Faults, QpsLimiter, Stats};
use crate::org::Organisation;
use crate::persist::{Persister, Snapshot};
use crate::records::{
    Approval, Card, CardCallbackRoute, Form, Group, GroupMessage, Media, WorkNotification,
};
use crate::stream::StreamHub;

/// What a Stream ticket grants: the subscriptions sent with `connections/open`.
#[derive(Debug, Clone)]
pub struct StreamGrant {
    /// `(type, topic)` pairs, e.g. `("EVENT", "*")`.
    pub subscriptions: Vec<(String, String)>,
}

/// Everything the simulator holds.
#[derive(Debug, Default)]
pub struct Data {
    /// Departments and users.
    pub org: Organisation,
    /// The app access token.
    pub tokens: Tokens,
    /// 免登 codes → user id.
    pub auth_codes: OneTimeCodes<String>,
    /// Stream tickets → subscriptions.
    pub tickets: OneTimeCodes<StreamGrant>,
    /// Approval form templates by process code.
    pub forms: std::collections::BTreeMap<String, Form>,
    /// Approval instances in creation order.
    pub approvals: Vec<Approval>,
    /// Next task id (DingTalk task ids are Longs).
    pub next_task_id: i64,
    /// Interactive cards in creation order.
    pub cards: Vec<Card>,
    /// Card callback registrations by route key.
    pub card_routes: std::collections::BTreeMap<String, CardCallbackRoute>,
    /// Work notifications in send order.
    pub work_notifications: Vec<WorkNotification>,
    /// Next work-notification task id.
    pub next_notification_task_id: i64,
    /// Robot group messages in send order.
    pub group_messages: Vec<GroupMessage>,
    /// Uploaded media.
    pub media: Vec<Media>,
    /// Every event (with its delivery attempts).
    pub events: Vec<EventRecord>,
    /// Events whose HTTP delivery failed for good, not yet fetched through
    /// `call_back/get_call_back_failed_result`.
    pub failed_events: Vec<Value>,
    /// Group chats by `openConversationId`.
    pub groups: std::collections::BTreeMap<String, Group>,
    /// OAuth2 web-login codes (`login.dingtalk.com/oauth2/auth` redirect) → user id.
    pub oauth_codes: OneTimeCodes<String>,
    /// User access tokens → (user id, expiry).
    pub user_tokens: std::collections::HashMap<String, (String, chrono::DateTime<chrono::Utc>)>,
    /// Refresh tokens → (user id, expiry).
    pub refresh_tokens: std::collections::HashMap<String, (String, chrono::DateTime<chrono::Utc>)>,
}

impl Data {
    /// An approval by instance id.
    pub fn approval_mut(&mut self, id: &str) -> Option<&mut Approval> {
        self.approvals.iter_mut().find(|a| a.id == id)
    }

    /// A card by out-track id.
    pub fn card_mut(&mut self, out_track_id: &str) -> Option<&mut Card> {
        self.cards
            .iter_mut()
            .find(|c| c.out_track_id == out_track_id)
    }
}

/// Cheap-to-clone handle on the simulator state (axum router state).
#[derive(Clone)]
pub struct Sim(Arc<Inner>);

/// The state behind [`Sim`].
pub struct Inner {
    config: SimConfig,
    callback: RwLock<Option<CallbackTarget>>,
    clock: SimClock,
    data: Mutex<Data>,
    faults: Mutex<Faults>,
    limiter: Mutex<QpsLimiter>,
    stats: Mutex<Stats>,
    streams: StreamHub,
    outbox: mpsc::UnboundedSender<OutboundEvent>,
    shutdown: CancellationToken,
    local_addr: SocketAddr,
    http: reqwest::Client,
    persister: Option<Arc<Persister>>,
}

/// One group per village of the organisation, with every user of the village and the app's
/// robot (the demo: the four pilot villages' notice groups).
fn village_groups(
    org: &Organisation,
    robot_code: &str,
) -> std::collections::BTreeMap<String, Group> {
    org.villages()
        .into_iter()
        .map(|village| {
            let id = Group::conversation_id_for(&format!("village:{}", village.code));
            let group = Group {
                open_conversation_id: id.clone(),
                title: format!("{}积分通知群", village.name),
                member_user_ids: org.users_under(village.dept_id),
                robot_codes: vec![robot_code.to_owned()],
                dept_id: Some(village.dept_id),
            };
            (id, group)
        })
        .collect()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Sim {
    /// Builds the state (reloading the state file when one is configured and exists); returns
    /// the receiving end of the event outbox for the dispatcher.
    ///
    /// # Errors
    /// [`crate::SimError`] when the state file exists but cannot be read.
    pub fn new(
        mut config: SimConfig,
        local_addr: SocketAddr,
        http: reqwest::Client,
    ) -> Result<(Self, mpsc::UnboundedReceiver<OutboundEvent>), crate::SimError> {
        let (outbox, outbox_rx) = mpsc::unbounded_channel();
        let org = std::mem::replace(&mut config.organisation, Organisation::empty(""));
        let groups = village_groups(&org, &config.app_key);
        let mut data = Data {
            org,
            next_task_id: 70_000_000_001,
            next_notification_task_id: 256_271_667_001,
            groups,
            ..Data::default()
        };
        let persister = match &config.state_file {
            Some(path) => {
                let persister = Persister::new(path.clone());
                if let Some(snapshot) = crate::persist::load(path)? {
                    persister.loaded(&snapshot);
                    snapshot.restore(&mut data);
                    tracing::info!(path = %path.display(), "simulator state reloaded");
                }
                Some(Arc::new(persister))
            }
            None => None,
        };
        let inner = Inner {
            callback: RwLock::new(config.callback.clone()),
            config,
            clock: SimClock::default(),
            data: Mutex::new(data),
            faults: Mutex::new(Faults::default()),
            limiter: Mutex::new(QpsLimiter::default()),
            stats: Mutex::new(Stats::default()),
            streams: StreamHub::default(),
            outbox,
            shutdown: CancellationToken::new(),
            local_addr,
            http,
            persister,
        };
        Ok((Self(Arc::new(inner)), outbox_rx))
    }

    /// Writes the state file now (when one is configured and the state changed).
    pub fn flush_state(&self) {
        if let Some(persister) = &self.0.persister {
            let snapshot = self.with_data_read(Snapshot::of);
            persister.write(&snapshot);
        }
    }

    /// The state writer: wakes on every change, waits [`crate::persist::DEBOUNCE`], writes.
    pub async fn run_persister(self) {
        let Some(persister) = self.0.persister.clone() else {
            return;
        };
        loop {
            persister.changed().await;
            tokio::time::sleep(crate::persist::DEBOUNCE).await;
            self.flush_state();
        }
    }

    /// The start-up configuration (the organisation lives in [`Data`]).
    pub fn config(&self) -> &SimConfig {
        &self.0.config
    }

    /// The simulated clock.
    pub fn clock(&self) -> &SimClock {
        &self.0.clock
    }

    /// The current HTTP callback target.
    pub fn callback(&self) -> Option<CallbackTarget> {
        self.0
            .callback
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Replaces the HTTP callback target.
    pub fn set_callback(&self, target: Option<CallbackTarget>) {
        *self
            .0
            .callback
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = target;
    }

    /// Runs `f` with the held data locked; the state file is rewritten afterwards if `f`
    /// changed what it keeps.
    pub fn with_data<R>(&self, f: impl FnOnce(&mut Data) -> R) -> R {
        let result = f(&mut lock(&self.0.data));
        if let Some(persister) = &self.0.persister {
            persister.touch();
        }
        result
    }

    /// Runs `f` with the held data locked, read only.
    pub fn with_data_read<R>(&self, f: impl FnOnce(&Data) -> R) -> R {
        f(&lock(&self.0.data))
    }

    /// Runs `f` with the fault knobs locked.
    pub fn with_faults<R>(&self, f: impl FnOnce(&mut Faults) -> R) -> R {
        f(&mut lock(&self.0.faults))
    }

    /// Runs `f` with the QPS limiter locked.
    pub fn with_limiter<R>(&self, f: impl FnOnce(&mut QpsLimiter) -> R) -> R {
        f(&mut lock(&self.0.limiter))
    }

    /// Runs `f` with the counters locked.
    pub fn with_stats<R>(&self, f: impl FnOnce(&mut Stats) -> R) -> R {
        f(&mut lock(&self.0.stats))
    }

    /// Open Stream connections.
    pub fn streams(&self) -> &StreamHub {
        &self.0.streams
    }

    /// Queues an event for delivery (first attempts go out in queue order).
    pub fn emit(&self, event: OutboundEvent) {
        if self.0.outbox.send(event).is_err() {
            tracing::debug!("simulator event dispatcher stopped; event dropped");
        }
    }

    /// Cancelled when the simulator shuts down.
    pub fn shutdown_token(&self) -> &CancellationToken {
        &self.0.shutdown
    }

    /// Address the simulator listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.0.local_addr
    }

    /// Outbound HTTP client (callbacks).
    pub fn http(&self) -> &reqwest::Client {
        &self.0.http
    }

    /// Spawns a task that stops at shutdown.
    pub fn spawn<F>(&self, task: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let token = self.0.shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = token.cancelled() => {}
                () = task => {}
            }
        });
    }
}
