//! The app access-token cache: one token per client, refreshed shortly before it expires,
//! refreshed by a single caller at a time (single flight) and dropped when DingTalk rejects it.

use std::fmt;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use crate::error::DingTalkError;

/// Which endpoint fetches the app access token. DingTalk returns the same token from both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenStyle {
    /// `POST /v1.0/oauth2/accessToken {"appKey","appSecret"}` → `{"accessToken","expireIn"}`.
    #[default]
    Api,
    /// `GET /gettoken?appkey=&appsecret=` → `{"access_token","expires_in"}`.
    Oapi,
}

/// An access token (the app's, or a user's from the OAuth2 web login). `Debug` never prints it.
#[derive(Clone)]
pub struct AccessToken(SecretString);

impl AccessToken {
    /// Wraps a token value (e.g. a user token kept in a session).
    pub fn new(value: String) -> Self {
        Self(SecretString::from(value))
    }

    /// The token value, for placing in a request.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    fn same_as(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl<'de> serde::Deserialize<'de> for AccessToken {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

struct Cached {
    token: AccessToken,
    refresh_at: Instant,
}

/// Cache with single-flight refresh.
pub(crate) struct TokenCache {
    current: Mutex<Option<Cached>>,
    refresh: tokio::sync::Mutex<()>,
    margin: Duration,
}

impl TokenCache {
    /// `margin`: refresh this long before expiry (at most half the token's lifetime).
    pub(crate) fn new(margin: Duration) -> Self {
        Self {
            current: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
            margin,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Cached>> {
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn valid(&self) -> Option<AccessToken> {
        self.lock()
            .as_ref()
            .filter(|cached| Instant::now() < cached.refresh_at)
            .map(|cached| cached.token.clone())
    }

    /// The cached token, or one fetched by `fetch` (which answers the token and its lifetime).
    /// Concurrent callers wait for one fetch and share its result.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<AccessToken, DingTalkError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(String, Duration), DingTalkError>>,
    {
        if let Some(token) = self.valid() {
            return Ok(token);
        }
        let _single_flight = self.refresh.lock().await;
        if let Some(token) = self.valid() {
            return Ok(token);
        }
        let (value, lifetime) = fetch().await?;
        let token = AccessToken::new(value);
        let lead = self.margin.min(lifetime / 2);
        *self.lock() = Some(Cached {
            token: token.clone(),
            refresh_at: Instant::now() + lifetime.saturating_sub(lead),
        });
        Ok(token)
    }

    /// Drops `stale` if it is still the cached token (a newer one is kept).
    pub(crate) fn invalidate(&self, stale: &AccessToken) {
        let mut current = self.lock();
        if current
            .as_ref()
            .is_some_and(|cached| cached.token.same_as(stale))
        {
            *current = None;
        }
    }

    /// Drops whatever is cached.
    pub(crate) fn clear(&self) {
        *self.lock() = None;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(TokenCache::new(Duration::from_secs(300)));
        let fetches = Arc::new(AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let cache = cache.clone();
            let fetches = fetches.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .get(|| async move {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        Ok(("t1".to_owned(), Duration::from_secs(7200)))
                    })
                    .await
                    .map(|t| t.expose().to_owned())
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap(), "t1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn refreshes_before_expiry_by_the_margin() {
        let cache = TokenCache::new(Duration::from_secs(300));
        let first = cache
            .get(|| async { Ok(("a".to_owned(), Duration::from_secs(7200))) })
            .await
            .unwrap();
        assert_eq!(first.expose(), "a");
        tokio::time::advance(Duration::from_secs(6899)).await;
        let still = cache
            .get(|| async { Ok(("b".to_owned(), Duration::from_secs(7200))) })
            .await
            .unwrap();
        assert_eq!(still.expose(), "a");
        tokio::time::advance(Duration::from_secs(2)).await;
        let renewed = cache
            .get(|| async { Ok(("b".to_owned(), Duration::from_secs(7200))) })
            .await
            .unwrap();
        assert_eq!(renewed.expose(), "b");
    }

    #[tokio::test(start_paused = true)]
    async fn short_lifetimes_use_half_the_lifetime_as_margin() {
        let cache = TokenCache::new(Duration::from_secs(300));
        cache
            .get(|| async { Ok(("a".to_owned(), Duration::from_secs(10))) })
            .await
            .unwrap();
        tokio::time::advance(Duration::from_secs(4)).await;
        assert!(cache.valid().is_some());
        tokio::time::advance(Duration::from_secs(2)).await;
        assert!(cache.valid().is_none());
    }

    #[tokio::test]
    async fn invalidate_keeps_a_newer_token() {
        let cache = TokenCache::new(Duration::ZERO);
        let old = AccessToken::new("old".into());
        cache
            .get(|| async { Ok(("new".to_owned(), Duration::from_secs(60))) })
            .await
            .unwrap();
        cache.invalidate(&old);
        assert_eq!(
            cache.valid().map(|t| t.expose().to_owned()),
            Some("new".into())
        );
        let new = AccessToken::new("new".into());
        cache.invalidate(&new);
        assert!(cache.valid().is_none());
        assert_eq!(format!("{new:?}"), "AccessToken(<redacted>)");
    }
}
