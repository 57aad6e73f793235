//! Start-up: binds the router to the listener, runs the event dispatcher, and hands back a
//! [`SimHandle`].

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;

use crate::config::{CallbackTarget, SimConfig};
use crate::conn::{ConnHandle, DroppableListener};
use crate::error::SimError;
use crate::state::Sim;
use crate::{control, delivery, guard, routes, stream};

/// How long `shutdown` waits for in-flight requests before aborting the server.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The whole router: DingTalk routes (guarded), the Stream socket, the control API.
fn router(sim: Sim) -> Router {
    let dingtalk = routes::dingtalk_routes().route_layer(axum::middleware::from_fn_with_state(
        sim.clone(),
        guard::guard,
    ));
    Router::new()
        .merge(control::routes())
        .route("/connect", get(stream::connect))
        // login.dingtalk.com (web login page), served on the same listener
        .route(
            "/oauth2/auth",
            get(routes::oauth::login_page).post(routes::oauth::confirm),
        )
        .merge(dingtalk)
        .fallback(routes::fallback::unknown)
        .with_state(sim)
}

/// A running simulator.
pub struct SimHandle {
    sim: Sim,
    server: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("addr", &self.sim.local_addr())
            .finish()
    }
}

/// Starts the simulator on `listener` (bind `127.0.0.1:0` in tests).
pub async fn spawn(
    config: SimConfig,
    listener: tokio::net::TcpListener,
) -> Result<SimHandle, SimError> {
    let local_addr = listener
        .local_addr()
        .map_err(|source| SimError::Listener { source })?;
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|source| SimError::HttpClient { source })?;
    let (sim, outbox) = Sim::new(config, local_addr, http)?;
    sim.spawn(delivery::run_dispatcher(sim.clone(), outbox));
    sim.spawn(sim.clone().run_persister());
    let app = router(sim.clone()).into_make_service_with_connect_info::<ConnHandle>();
    let shutdown = sim.shutdown_token().clone();
    let server = tokio::spawn(async move {
        let served = axum::serve(DroppableListener::new(listener), app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "dingtalk simulator server stopped");
        }
    });
    tracing::info!(addr = %local_addr, "dingtalk simulator listening");
    Ok(SimHandle { sim, server })
}

impl SimHandle {
    /// `http://127.0.0.1:<port>`: use it as both the oapi and the api base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.sim.local_addr())
    }

    /// The listening address.
    pub fn local_addr(&self) -> SocketAddr {
        self.sim.local_addr()
    }

    /// Replaces the HTTP callback target (e.g. once the service's port is known).
    pub fn set_callback(&self, target: Option<CallbackTarget>) {
        self.sim.set_callback(target);
    }

    /// Issues a 免登 auth code for `user_id` (`None` for an unknown user).
    pub fn issue_auth_code(&self, user_id: &str) -> Option<String> {
        control::issue_auth_code(&self.sim, user_id)
    }

    /// Moves the simulated clock forward (token, ticket and code expiry).
    pub fn advance_clock(&self, by: Duration) {
        self.sim.clock().advance(by);
    }

    /// Stops serving, closes Stream connections and cancels pending deliveries, then writes
    /// the state file a last time (every mutation answered before is kept).
    pub async fn shutdown(self) {
        self.sim.shutdown_token().cancel();
        let mut server = self.server;
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
        self.sim.flush_state();
    }
}
