//! Messages seen recently, so redeliveries (same `messageId`, or same `eventId` under a new
//! `messageId`) are acknowledged without calling the handler again.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

/// What is known about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seen {
    /// Not seen (or forgotten): handle it.
    New,
    /// Being handled right now on some connection: do not handle twice, do not ACK yet.
    InFlight,
    /// Handled; repeat this ACK `data`.
    Done(String),
}

#[derive(Debug)]
enum State {
    InFlight,
    Done(String),
}

/// Keys with their state and when they were last touched.
#[derive(Debug)]
pub(crate) struct Recent {
    window: Duration,
    entries: HashMap<String, (Instant, State)>,
}

impl Recent {
    pub(crate) fn new(window: Duration) -> Self {
        Self {
            window,
            entries: HashMap::new(),
        }
    }

    /// Looks the keys up; when none is known, marks them all in flight and answers `New`.
    pub(crate) fn begin(&mut self, keys: &[String], now: Instant) -> Seen {
        self.purge(now);
        for key in keys {
            match self.entries.get(key) {
                Some((_, State::Done(ack))) => return Seen::Done(ack.clone()),
                Some((_, State::InFlight)) => return Seen::InFlight,
                None => {}
            }
        }
        for key in keys {
            self.entries.insert(key.clone(), (now, State::InFlight));
        }
        Seen::New
    }

    /// Records the outcome: success remembers the ACK data for the window; failure forgets the
    /// keys so a redelivery is handled again.
    pub(crate) fn finish(&mut self, keys: &[String], done: Option<String>, now: Instant) {
        for key in keys {
            match &done {
                Some(ack) => {
                    self.entries
                        .insert(key.clone(), (now, State::Done(ack.clone())));
                }
                None => {
                    self.entries.remove(key);
                }
            }
        }
    }

    fn purge(&mut self, now: Instant) {
        let window = self.window;
        self.entries.retain(|_, (at, state)| {
            // In-flight entries are kept until their handler finishes.
            matches!(state, State::InFlight) || now.duration_since(*at) < window
        });
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(list: &[&str]) -> Vec<String> {
        list.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn redelivery_under_a_new_message_id_is_recognised_by_event_id() {
        let mut recent = Recent::new(Duration::from_secs(300));
        let now = Instant::now();
        assert_eq!(recent.begin(&keys(&["msg:1", "event:e"]), now), Seen::New);
        assert_eq!(
            recent.begin(&keys(&["msg:2", "event:e"]), now),
            Seen::InFlight
        );
        recent.finish(&keys(&["msg:1", "event:e"]), Some("ok".into()), now);
        assert_eq!(
            recent.begin(&keys(&["msg:3", "event:e"]), now),
            Seen::Done("ok".into())
        );
        assert_eq!(
            recent.begin(&keys(&["msg:1"]), now),
            Seen::Done("ok".into())
        );
    }

    #[test]
    fn failures_are_forgotten_so_the_redelivery_is_handled() {
        let mut recent = Recent::new(Duration::from_secs(300));
        let now = Instant::now();
        assert_eq!(recent.begin(&keys(&["msg:1", "event:e"]), now), Seen::New);
        recent.finish(&keys(&["msg:1", "event:e"]), None, now);
        assert_eq!(recent.begin(&keys(&["msg:2", "event:e"]), now), Seen::New);
    }

    #[test]
    fn entries_expire_after_the_window() {
        let mut recent = Recent::new(Duration::from_secs(300));
        let now = Instant::now();
        recent.begin(&keys(&["msg:1"]), now);
        recent.finish(&keys(&["msg:1"]), Some("ok".into()), now);
        let later = now + Duration::from_secs(301);
        assert_eq!(recent.begin(&keys(&["msg:9"]), later), Seen::New);
        assert_eq!(recent.len(), 1, "msg:1 purged, msg:9 in flight");
        assert_eq!(recent.begin(&keys(&["msg:1"]), later), Seen::New);
    }
}
