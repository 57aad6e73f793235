#![doc = include_str!("../README.md")]

pub mod activities;
pub mod audit;
pub mod auth;
pub mod caches;
mod clock;
pub mod decisions;
pub mod declarations;
mod error;
pub mod events;
pub mod funds;
pub mod gateway;
pub mod governance;
pub mod honours;
pub mod household;
pub mod integration;
pub mod jobs;
pub mod messages;
pub mod objections;
pub mod outbox;
pub mod photos;
mod public;
pub mod publication;
mod readiness;
pub mod reconcile;
pub mod reminders;
pub mod review_routing;
pub mod scoring;
pub mod shop;
pub mod spreadsheet;
pub mod statistics;
pub mod year_close;

use std::sync::Arc;

use aidazu_domain::declaration::DeclarationPolicy;
use aidazu_ports::Database;

pub use auth::{Actor, AuthConfig, Grant};

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{AppError, ErrorKind};
pub use public::{CatalogueInForce, VillageSummary};
pub use readiness::Readiness;

/// Settings the use cases need (a subset of the service configuration).
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// How far back a declaration may date a deed (R8).
    pub declaration_window_days: u32,
    /// Longest declaration description, in characters (R8).
    pub declaration_max_text_chars: u32,
    /// Fen of purchase cost per point for the fund report's liability (D8).
    pub fen_per_point: i64,
    /// Our own tokens: JWT secret and lifetimes (F1).
    pub auth: AuthConfig,
    /// Signed, expiring photo links for reviewers in DingTalk (F2): key and lifetime.
    pub photo_links: aidazu_photos::PhotoLinks,
    /// The working-day calendar (holidays, make-up days; D3).
    pub working_days: aidazu_domain::calendar::WorkingDays,
    /// How A3 posters are printed (R16).
    pub poster: publication::documents::PosterConfig,
}

/// The application handle: cheap to clone, built once at start-up.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Database,
    clock: Arc<dyn Clock>,
    config: AppConfig,
    photos: Option<aidazu_photos::PhotoIntake>,
    dingtalk: dingtalk::Client,
    integration: Option<integration::DingTalkParts>,
    catalogues: public::CatalogueCache,
    caches: caches::ReadCaches,
}

/// Builds the one [`App`] of a process, in the composition root (`aidazu-server`): the required
/// parts first, then the optional DingTalk integration and photo pipeline, then [`Self::build`].
pub struct AppBuilder {
    store: Database,
    clock: Arc<dyn Clock>,
    config: AppConfig,
    dingtalk: dingtalk::Client,
    setup: Option<integration::DingTalkSetup>,
    photos: Option<aidazu_photos::PhotoIntake>,
}

impl AppBuilder {
    /// Adds the callback crypto, gateway settings and worker tuning of the DingTalk integration.
    #[must_use]
    pub fn dingtalk_setup(mut self, setup: integration::DingTalkSetup) -> Self {
        self.setup = Some(setup);
        self
    }

    /// Adds the photo pipeline (F2).
    #[must_use]
    pub fn photos(mut self, intake: aidazu_photos::PhotoIntake) -> Self {
        self.photos = Some(intake);
        self
    }

    /// The handle, shared from here on.
    #[must_use]
    pub fn build(self) -> App {
        App {
            inner: Arc::new(Inner {
                store: self.store,
                clock: self.clock,
                config: self.config,
                photos: self.photos,
                dingtalk: self.dingtalk,
                integration: self.setup.map(|setup| integration::DingTalkParts {
                    setup,
                    events_arrived: Arc::new(tokio::sync::Notify::new()),
                    outbox_filled: Arc::new(tokio::sync::Notify::new()),
                }),
                catalogues: public::CatalogueCache::default(),
                caches: caches::ReadCaches::default(),
            }),
        }
    }
}

impl App {
    /// Starts building the handle from its required parts: storage, the injected clock, the
    /// use-case settings and the DingTalk client (held once, here).
    #[must_use]
    pub fn builder(
        store: Database,
        clock: Arc<dyn Clock>,
        config: AppConfig,
        dingtalk: dingtalk::Client,
    ) -> AppBuilder {
        AppBuilder {
            store,
            clock,
            config,
            dingtalk,
            setup: None,
            photos: None,
        }
    }

    /// The DingTalk client (pointed at the simulator in sim mode).
    pub fn dingtalk(&self) -> &dingtalk::Client {
        &self.inner.dingtalk
    }

    /// The storage handle.
    pub fn store(&self) -> &Database {
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

    /// The declaration rules with this deployment's settings (R8, D2).
    pub fn declaration_policy(&self) -> DeclarationPolicy {
        DeclarationPolicy {
            window_days: self.inner.config.declaration_window_days,
            max_text_chars: self.inner.config.declaration_max_text_chars,
            ..DeclarationPolicy::default()
        }
    }

    /// The photo pipeline.
    ///
    /// # Errors
    /// [`AppError::PhotosNotConfigured`] when none was installed.
    pub fn photo_intake(&self) -> Result<&aidazu_photos::PhotoIntake, AppError> {
        self.inner
            .photos
            .as_ref()
            .ok_or(AppError::PhotosNotConfigured)
    }
}
