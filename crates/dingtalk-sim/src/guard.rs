//! What stands in front of every DingTalk API route: call counting, injected faults
//! (latency, dropped connections, errors, forced rate limits) and the per-app per-API QPS limit
//! (API.md §10). Answers in the family's own error dialect.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::conn::ConnHandle;
use crate::state::Sim;
use crate::wire::{api, oapi};

/// Fault knobs, settable at run time with `POST /sim/faults`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Share of calls (0..=1) answered with a server error (oapi `-1`, api 500 `systemError`).
    pub error_rate: f64,
    /// Latency added to every call.
    pub latency_ms: u64,
    /// Share of calls (0..=1) whose connection is closed without an answer.
    pub drop_rate: f64,
    /// The next N calls are refused by the QPS limit.
    pub rate_limit_next: u32,
    /// Share of acknowledged events (0..=1) delivered once more with the same `eventId`
    /// (DingTalk may duplicate even acknowledged events).
    pub duplicate_rate: f64,
    /// The service is unreachable for longer than DingTalk's retry window: no event is pushed;
    /// each goes straight to the failed list (`call_back/get_call_back_failed_result`), as it
    /// would after DingTalk's last retry. A test knob; real DingTalk only gets there by retrying.
    pub callbacks_down: bool,
}

/// Sliding one-second windows per API.
#[derive(Debug, Default)]
pub struct QpsLimiter {
    windows: HashMap<String, VecDeque<Instant>>,
}

impl QpsLimiter {
    /// Records a call to `api`; `false` when it exceeds `limit` calls in the last second.
    pub fn admit(&mut self, api: &str, limit: u32, now: Instant) -> bool {
        let window = self.windows.entry(api.to_owned()).or_default();
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            window.pop_front();
        }
        if window.len() >= limit as usize {
            return false;
        }
        window.push_back(now);
        true
    }
}

/// Counters tests read through `GET /sim/stats`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Calls per token endpoint style: `oapi` (`/gettoken`) and `api` (`/v1.0/oauth2/accessToken`).
    pub token_calls: BTreeMap<String, u64>,
    /// Distinct access tokens issued.
    pub tokens_issued: u64,
    /// Calls per API path, all methods together (before faults and limits).
    pub calls: BTreeMap<String, u64>,
    /// Calls refused by the QPS limit (real or forced).
    pub rate_limited: u64,
    /// Calls answered with an injected server error.
    pub injected_errors: u64,
    /// Connections dropped by fault injection.
    pub dropped_connections: u64,
}

/// Whether a path belongs to the new api family.
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/v1.0/")
}

/// Middleware over the DingTalk routes of both families.
pub async fn guard(State(sim): State<Sim>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let api_family = is_api_path(&path);
    // One API = one method on one path (GET and POST /v1.0/workflow/processInstances differ).
    let api_key = format!("{} {path}", request.method());
    let faults = sim.with_faults(|faults| faults.clone());
    sim.with_stats(|stats| *stats.calls.entry(path.clone()).or_default() += 1);

    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let (drop_roll, error_roll) = {
        let mut rng = rand::thread_rng();
        (
            rng.gen_bool(faults.drop_rate.clamp(0.0, 1.0)),
            rng.gen_bool(faults.error_rate.clamp(0.0, 1.0)),
        )
    };
    if drop_roll {
        sim.with_stats(|stats| stats.dropped_connections += 1);
        if let Some(ConnectInfo(conn)) = request.extensions().get::<ConnectInfo<ConnHandle>>() {
            tracing::debug!(peer = %conn.peer, path, "simulator drops the connection");
            conn.drop_connection();
        }
        return oapi::busy();
    }
    if error_roll {
        sim.with_stats(|stats| stats.injected_errors += 1);
        return if api_family {
            api::system_error()
        } else {
            oapi::busy()
        };
    }
    let forced = sim.with_faults(|faults| {
        if faults.rate_limit_next > 0 {
            faults.rate_limit_next -= 1;
            true
        } else {
            false
        }
    });
    let limit = sim.config().qps_limit_per_api;
    if forced || !sim.with_limiter(|limiter| limiter.admit(&api_key, limit, Instant::now())) {
        sim.with_stats(|stats| stats.rate_limited += 1);
        return if api_family {
            api::qps_limited()
        } else {
            oapi::qps_limited()
        };
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_admits_limit_calls_per_second_per_api() {
        let mut limiter = QpsLimiter::default();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.admit("/a", 3, t0));
        }
        assert!(!limiter.admit("/a", 3, t0));
        assert!(limiter.admit("/b", 3, t0), "limits are per API");
        assert!(limiter.admit("/a", 3, t0 + Duration::from_millis(1001)));
    }
}
