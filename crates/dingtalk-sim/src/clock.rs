//! The simulator's clock: wall time plus an offset tests can advance (`POST /sim/clock/advance`),
//! so tokens, tickets and auth codes expire without sleeping.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// Wall clock with a forward offset.
#[derive(Debug, Default)]
pub struct SimClock {
    offset: Mutex<Duration>,
}

impl SimClock {
    /// Current simulated time.
    pub fn now(&self) -> DateTime<Utc> {
        let offset = *self.offset.lock().unwrap_or_else(|p| p.into_inner());
        Utc::now() + chrono::Duration::from_std(offset).unwrap_or(chrono::TimeDelta::MAX)
    }

    /// Current simulated time in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *offset = offset.saturating_add(by);
    }

    /// Total offset applied so far.
    pub fn offset(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_now_forward() {
        let clock = SimClock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(7200));
        let after = clock.now();
        assert!(after - before >= chrono::Duration::seconds(7200));
        assert_eq!(clock.offset(), Duration::from_secs(7200));
    }
}
