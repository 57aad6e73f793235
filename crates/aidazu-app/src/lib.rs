#![doc = include_str!("../README.md")]

mod clock;
pub mod integration;
mod error;
pub mod events;
pub mod gateway;
pub mod outbox;
mod public;
mod readiness;

use std::sync::Arc;

use aidazu_domain::calendar::PointsYearConfig;
use aidazu_store::Store;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{AppError, ErrorKind};
pub use public::{CatalogueInForce, VillageSummary};
pub use readiness::Readiness;

/// Settings the use cases need (a subset of the service configuration).
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Points-year arithmetic (R14).
    pub points_year: PointsYearConfig,
    /// How far back a declaration may date a deed (R8).
    pub declaration_window_days: u32,
}

/// The application handle: cheap to clone, built once at start-up.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    config: AppConfig,
    dingtalk: Option<integration::DingTalkParts>,
}

impl App {
    /// Builds the handle from its parts.
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: AppConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                clock,
                config,
                dingtalk: None,
            }),
        }
    }

    /// Adds the DingTalk client, callback crypto and gateway settings (the composition root
    /// calls this once, before the handle is shared).
    #[must_use]
    pub fn with_dingtalk(self, setup: integration::DingTalkSetup) -> Self {
        Self {
            inner: Arc::new(Inner {
                store: self.inner.store.clone(),
                clock: self.inner.clock.clone(),
                config: self.inner.config.clone(),
                dingtalk: Some(integration::DingTalkParts {
                    setup,
                    events_arrived: Arc::new(tokio::sync::Notify::new()),
                    outbox_filled: Arc::new(tokio::sync::Notify::new()),
                }),
            }),
        }
    }

    /// The storage handle.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The injected clock.
    pub fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }

    /// The use-case settings.
    pub fn config(&self) -> &AppConfig {
        &self.inner.config
    }
}
