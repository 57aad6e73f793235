//! Per-replica caches of what changes rarely (issue 11): the actor behind a valid access token,
//! and a village's summary with its points-year calendar.
//!
//! Both are keyed by the store's identity epoch ([`aidazu_ports::Database::identity_epoch`]), which
//! moves whenever this process writes accounts, grants, sessions, members, households or the
//! organisation tree: a logout, a revoked grant or a renamed village in this replica takes effect
//! on the next request. Writes by another replica are not seen; there an entry lives at most
//! [`CACHE_TTL`] of the clock, which is therefore the revocation latency across replicas (well
//! inside the access token's own lifetime). See `docs/operations.md`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aidazu_domain::VillageId;
use aidazu_domain::calendar::PointsYearConfig;
use aidazu_ports::org::VillageSummary;
use chrono::{DateTime, Duration, Utc};

use crate::auth::Actor;

/// How long an entry is trusted without a write seen in this replica.
pub const CACHE_TTL: Duration = Duration::seconds(30);
/// Entries kept at most per cache; beyond, the cache starts over.
const MAX_ENTRIES: usize = 50_000;

struct Entry<T> {
    value: T,
    epoch: u64,
    at: DateTime<Utc>,
}

/// A small map whose entries expire by epoch or age.
pub(crate) struct EpochCache<K, V> {
    map: Mutex<HashMap<K, Entry<V>>>,
}

impl<K, V> Default for EpochCache<K, V> {
    fn default() -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> EpochCache<K, V> {
    pub(crate) fn get(&self, key: &K, epoch: u64, now: DateTime<Utc>) -> Option<V> {
        let map = self.map.lock().ok()?;
        let e = map.get(key)?;
        (e.epoch == epoch && now >= e.at && now - e.at < CACHE_TTL).then(|| e.value.clone())
    }

    pub(crate) fn put(&self, key: K, value: V, epoch: u64, now: DateTime<Utc>) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(
                key,
                Entry {
                    value,
                    epoch,
                    at: now,
                },
            );
        }
    }
}

/// A village as the villager's reads need it.
#[derive(Debug, Clone)]
pub struct VillageCard {
    pub summary: VillageSummary,
    pub calendar: PointsYearConfig,
}

/// The caches of one replica.
#[derive(Default)]
pub(crate) struct ReadCaches {
    /// Access token → the actor it authenticated (request id cleared).
    pub(crate) actors: EpochCache<String, Actor>,
    pub(crate) villages: EpochCache<VillageId, Arc<VillageCard>>,
    /// The list of every village (`GET /api/v1/villages`), under the unit key.
    pub(crate) village_list: EpochCache<(), Arc<VillageList>>,
}

/// Every village, as listed publicly, with a slot for its encoded form.
#[derive(Debug)]
pub struct VillageList {
    pub villages: Vec<VillageSummary>,
    /// The API's encoded answer for exactly these villages, made once by the first reader.
    pub encoded: std::sync::OnceLock<Encoded>,
}

/// An encoded answer kept beside the cached value it was made from: it lives and dies with that
/// value, so it needs no invalidation of its own.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The body bytes.
    pub body: bytes::Bytes,
    /// A strong entity tag over the body (`"` + hex SHA-256 prefix + `"`).
    pub etag: String,
}

impl Encoded {
    /// Wraps `body` with its entity tag.
    #[must_use]
    pub fn new(body: Vec<u8>) -> Self {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(&body);
        Self {
            etag: format!("\"{}\"", hex::encode(&digest[..12])),
            body: bytes::Bytes::from(body),
        }
    }
}
