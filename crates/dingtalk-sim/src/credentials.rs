//! App access tokens, 免登 auth codes and Stream tickets: issue, renew, check, expire
//! (API.md §1.4, §2.1, §4.1). Pure over an explicit `now`, so the clock can be advanced.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::ids;

fn after(now: DateTime<Utc>, ttl: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(ttl).unwrap_or(chrono::TimeDelta::MAX)
}

/// The app's access token. One app, one token: `gettoken` and `oauth2/accessToken` share it.
#[derive(Debug, Default)]
pub struct Tokens {
    current: Option<(String, DateTime<Utc>)>,
    issued: u64,
}

impl Tokens {
    /// Returns the valid token (renewing its life) or issues a new one.
    pub fn fetch(&mut self, now: DateTime<Utc>, ttl: Duration) -> String {
        let expires_at = after(now, ttl);
        match &mut self.current {
            Some((token, expiry)) if *expiry > now => {
                *expiry = expires_at;
                token.clone()
            }
            _ => {
                let token = ids::hex_lower(32);
                self.current = Some((token.clone(), expires_at));
                self.issued += 1;
                token
            }
        }
    }

    /// Whether `token` is the current, unexpired token.
    pub fn is_valid(&self, token: &str, now: DateTime<Utc>) -> bool {
        matches!(&self.current, Some((current, expiry)) if current == token && *expiry > now)
    }

    /// Forgets the current token (fault knob `invalidateTokens`).
    pub fn invalidate(&mut self) {
        self.current = None;
    }

    /// How many distinct tokens were issued.
    pub fn issued(&self) -> u64 {
        self.issued
    }
}

/// Single-use, expiring secrets: auth codes (→ user id) and Stream tickets (→ subscriptions).
#[derive(Debug)]
pub struct OneTimeCodes<T> {
    codes: HashMap<String, (T, DateTime<Utc>)>,
}

impl<T> Default for OneTimeCodes<T> {
    fn default() -> Self {
        Self {
            codes: HashMap::new(),
        }
    }
}

impl<T> OneTimeCodes<T> {
    /// Stores `value` under a new random code valid for `ttl`.
    pub fn issue(&mut self, code: String, value: T, now: DateTime<Utc>, ttl: Duration) -> String {
        self.codes.retain(|_, (_, expiry)| *expiry > now);
        self.codes.insert(code.clone(), (value, after(now, ttl)));
        code
    }

    /// Consumes a code: `Some` once while unexpired, `None` afterwards.
    pub fn redeem(&mut self, code: &str, now: DateTime<Utc>) -> Option<T> {
        let (value, expiry) = self.codes.remove(code)?;
        (expiry > now).then_some(value)
    }
}

/// A new 免登 auth code (DingTalk codes are 32 hex characters).
pub fn new_auth_code() -> String {
    ids::hex_lower(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refetch_within_validity_returns_same_token_and_extends_it() {
        let mut tokens = Tokens::default();
        let t0 = Utc::now();
        let ttl = Duration::from_secs(7200);
        let first = tokens.fetch(t0, ttl);
        let later = t0 + chrono::Duration::seconds(7000);
        assert_eq!(tokens.fetch(later, ttl), first);
        let beyond_first_life = t0 + chrono::Duration::seconds(7300);
        assert!(
            tokens.is_valid(&first, beyond_first_life),
            "renewal extended the life"
        );
        let expired = later + chrono::Duration::seconds(7201);
        assert!(!tokens.is_valid(&first, expired));
        let second = tokens.fetch(expired, ttl);
        assert_ne!(second, first);
        assert!(!tokens.is_valid(&first, expired));
        assert_eq!(tokens.issued(), 2);
    }

    #[test]
    fn invalidate_drops_the_token() {
        let mut tokens = Tokens::default();
        let now = Utc::now();
        let token = tokens.fetch(now, Duration::from_secs(60));
        tokens.invalidate();
        assert!(!tokens.is_valid(&token, now));
        assert_ne!(tokens.fetch(now, Duration::from_secs(60)), token);
    }

    #[test]
    fn codes_are_single_use_and_expire() {
        let mut codes = OneTimeCodes::default();
        let now = Utc::now();
        let ttl = Duration::from_secs(300);
        let a = codes.issue("a".into(), "user-a", now, ttl);
        assert_eq!(codes.redeem(&a, now), Some("user-a"));
        assert_eq!(codes.redeem(&a, now), None);
        let b = codes.issue("b".into(), "user-b", now, ttl);
        assert_eq!(codes.redeem(&b, now + chrono::Duration::seconds(301)), None);
    }
}
