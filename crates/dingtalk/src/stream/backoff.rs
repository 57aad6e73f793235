//! Reconnect pacing: `min(base · 2^n + jitter, max)` with jitter in `[0, base)`, as the
//! official Python SDK does (base 1 s, max 60 s).

use std::time::Duration;

/// The delay before reconnect attempt `n` (0 after a connection that worked).
pub(crate) fn reconnect_delay(base: Duration, max: Duration, n: u32, jitter: f64) -> Duration {
    let exponential = base.saturating_mul(1u32 << n.min(20));
    let jitter = base.mul_f64(jitter.clamp(0.0, 1.0));
    exponential.saturating_add(jitter).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_with_jitter_and_caps_at_sixty_seconds() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(60);
        assert_eq!(reconnect_delay(base, max, 0, 0.0), Duration::from_secs(1));
        assert_eq!(
            reconnect_delay(base, max, 0, 0.5),
            Duration::from_millis(1500)
        );
        assert_eq!(reconnect_delay(base, max, 3, 0.0), Duration::from_secs(8));
        assert_eq!(reconnect_delay(base, max, 6, 0.9), Duration::from_secs(60));
        assert_eq!(reconnect_delay(base, max, 40, 0.0), Duration::from_secs(60));
    }
}
