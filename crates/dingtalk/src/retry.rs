//! The retry policy: a pure decision from an error, the attempt number and the time spent so
//! far, with exponential backoff, jitter and a bounded budget.
//!
//! Which calls may be retried at all is decided per endpoint by [`RetrySafety`]: reads and
//! idempotent writes retry on every retryable error; other writes only when DingTalk provably
//! did not process the request (rate-limit refusals, connect failures).

use std::time::Duration;

use rand::Rng;

use crate::error::{DingTalkError, ErrorKind};

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Give up and return the error.
    Stop,
    /// Try again after this delay.
    After(Duration),
}

/// Whether repeating an endpoint is safe, declared by each endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetrySafety {
    /// Reads and idempotent writes (card createAndDeliver keyed by `outTrackId`, card update,
    /// media upload): retry on every retryable error.
    Idempotent,
    /// Non-idempotent writes (approval create, work notification, robot message, 免登 code
    /// exchange): retry only when the request was refused before processing (rate limits,
    /// connect failures). Anything ambiguous is returned to the caller, whose outbox decides.
    OnlyIfNotProcessed,
}

impl RetrySafety {
    /// Whether an error of `kind` may be retried under this safety class.
    pub fn allows(self, kind: ErrorKind) -> bool {
        matches!(
            (self, kind),
            (_, ErrorKind::RateLimited | ErrorKind::NotSent)
                | (Self::Idempotent, ErrorKind::Transient)
        )
    }
}

/// Bounds and pacing of automatic retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryBudget {
    /// Total attempts, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// No retry is scheduled that would end later than this after the first attempt started.
    pub max_elapsed: Duration,
    /// First backoff for transient errors; doubles each attempt.
    pub base_delay: Duration,
    /// First backoff for rate limits (DingTalk advises waiting ~1 s); doubles each attempt.
    pub rate_limit_delay: Duration,
    /// Upper bound of one backoff.
    pub max_delay: Duration,
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_elapsed: Duration::from_secs(15),
            base_delay: Duration::from_millis(200),
            rate_limit_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryBudget {
    /// A budget that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Pure decision after `attempt` failed attempts (1 after the first failure), `elapsed`
    /// since the first attempt started and `jitter` in `0.0..1.0`.
    ///
    /// The delay is `base · 2^(attempt-1)` capped at `max_delay`, then jittered into
    /// `[delay/2, delay)` so concurrent clients spread out.
    pub fn decide(
        &self,
        error: &DingTalkError,
        safety: RetrySafety,
        attempt: u32,
        elapsed: Duration,
        jitter: f64,
    ) -> Retry {
        let kind = error.kind();
        if !safety.allows(kind) || attempt >= self.max_attempts {
            return Retry::Stop;
        }
        let base = if kind == ErrorKind::RateLimited {
            self.rate_limit_delay
        } else {
            self.base_delay
        };
        let exponent = attempt.saturating_sub(1).min(20);
        let full = base.saturating_mul(1u32 << exponent).min(self.max_delay);
        let jitter = jitter.clamp(0.0, 1.0);
        let delay = full.mul_f64(0.5 + jitter / 2.0);
        if elapsed.saturating_add(delay) > self.max_elapsed {
            return Retry::Stop;
        }
        Retry::After(delay)
    }
}

/// The default policy for an idempotent call: [`RetryBudget::default`], random jitter, no time
/// spent yet.
pub fn decide(error: &DingTalkError, attempt: u32) -> Retry {
    RetryBudget::default().decide(
        error,
        RetrySafety::Idempotent,
        attempt,
        Duration::ZERO,
        rand::thread_rng().r#gen::<f64>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str, http_status: u16) -> DingTalkError {
        DingTalkError::Api {
            code: code.into(),
            message: String::new(),
            request_id: None,
            http_status,
            sub_code: None,
        }
    }

    const ZERO: Duration = Duration::ZERO;

    #[test]
    fn transient_errors_back_off_exponentially_up_to_the_cap() {
        let budget = RetryBudget {
            max_attempts: 10,
            max_elapsed: Duration::from_secs(600),
            ..RetryBudget::default()
        };
        let busy = api("systemError", 500);
        let delays: Vec<Retry> = (1..=7)
            .map(|n| budget.decide(&busy, RetrySafety::Idempotent, n, ZERO, 0.999_999))
            .collect();
        let ms = |r: &Retry| match r {
            Retry::After(d) => d.as_millis(),
            Retry::Stop => 0,
        };
        let got: Vec<u128> = delays.iter().map(ms).collect();
        assert_eq!(got, [199, 399, 799, 1599, 3199, 6399, 7999]);
    }

    #[test]
    fn jitter_keeps_the_delay_within_half_to_full() {
        let budget = RetryBudget::default();
        let busy = api("-1", 200);
        assert_eq!(
            budget.decide(&busy, RetrySafety::Idempotent, 2, ZERO, 0.0),
            Retry::After(Duration::from_millis(200))
        );
        assert_eq!(
            budget.decide(&busy, RetrySafety::Idempotent, 2, ZERO, 0.5),
            Retry::After(Duration::from_millis(300))
        );
    }

    #[test]
    fn rate_limits_start_at_one_second() {
        let budget = RetryBudget::default();
        assert_eq!(
            budget.decide(&api("90018", 200), RetrySafety::Idempotent, 1, ZERO, 0.0),
            Retry::After(Duration::from_millis(500))
        );
        assert_eq!(
            budget.decide(
                &api("Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", 403),
                RetrySafety::Idempotent,
                2,
                ZERO,
                0.0
            ),
            Retry::After(Duration::from_secs(1))
        );
    }

    #[test]
    fn stops_after_max_attempts() {
        let budget = RetryBudget::default();
        let busy = api("-1", 200);
        assert!(matches!(
            budget.decide(&busy, RetrySafety::Idempotent, 3, ZERO, 0.0),
            Retry::After(_)
        ));
        assert_eq!(
            budget.decide(&busy, RetrySafety::Idempotent, 4, ZERO, 0.0),
            Retry::Stop
        );
        assert_eq!(
            RetryBudget::none().decide(&busy, RetrySafety::Idempotent, 1, ZERO, 0.0),
            Retry::Stop
        );
    }

    #[test]
    fn stops_when_the_delay_would_exceed_the_time_budget() {
        let budget = RetryBudget::default();
        let limited = api("90018", 200);
        assert_eq!(
            budget.decide(
                &limited,
                RetrySafety::Idempotent,
                1,
                Duration::from_millis(14_600),
                0.0
            ),
            Retry::Stop
        );
        assert!(matches!(
            budget.decide(
                &limited,
                RetrySafety::Idempotent,
                1,
                Duration::from_millis(14_400),
                0.0
            ),
            Retry::After(_)
        ));
    }

    #[test]
    fn permanent_errors_never_retry() {
        let budget = RetryBudget::default();
        for error in [
            api("40078", 200),
            api("processCodeError", 400),
            DingTalkError::Config("x".into()),
        ] {
            assert_eq!(
                budget.decide(&error, RetrySafety::Idempotent, 1, ZERO, 0.0),
                Retry::Stop
            );
        }
    }

    #[test]
    fn unsafe_writes_retry_only_refusals() {
        let budget = RetryBudget::default();
        let w = RetrySafety::OnlyIfNotProcessed;
        assert!(matches!(
            budget.decide(&api("90018", 200), w, 1, ZERO, 0.0),
            Retry::After(_)
        ));
        assert_eq!(
            budget.decide(&api("systemError", 500), w, 1, ZERO, 0.0),
            Retry::Stop
        );
        assert_eq!(
            budget.decide(&DingTalkError::Timeout, w, 1, ZERO, 0.0),
            Retry::Stop
        );
    }

    #[test]
    fn default_decide_retries_transient_errors() {
        assert!(
            matches!(decide(&DingTalkError::Timeout, 1), Retry::After(d) if d >= Duration::from_millis(100) && d <= Duration::from_millis(200))
        );
        assert_eq!(decide(&api("40078", 200), 1), Retry::Stop);
    }
}
