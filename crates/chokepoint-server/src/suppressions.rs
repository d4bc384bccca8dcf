//! The false positives analysts decided (the "good guy" list), held in memory.
//!
//! Every screening with hits needs the suppressions of its party. Reading them from the store
//! per request was one database round trip per screening, the largest cost left on the hot
//! path, so the whole set is kept here: loaded on first use, reloaded at once after a decision
//! on this instance (so this instance's own decisions apply to the very next screening), and
//! checked against the store's count at most every [`RECHECK`] (so a decision made on another
//! instance sharing the database applies within that time). Suppressions are only ever added,
//! never changed or removed, so an unchanged count means an unchanged set.

use chokepoint_store::{Store, StoreError, Suppression};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How stale the set may be for decisions made on another instance.
pub const RECHECK: Duration = Duration::from_secs(1);

/// The suppressions, by party key.
#[derive(Debug)]
pub struct Suppressions {
    loaded: RwLock<Option<Arc<Loaded>>>,
    /// Milliseconds since `epoch` of the last check against the store.
    checked_ms: AtomicU64,
    epoch: Instant,
    /// One reload or check at a time.
    refresh: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Loaded {
    by_party: HashMap<String, Vec<Suppression>>,
    count: u64,
}

impl Default for Suppressions {
    fn default() -> Suppressions {
        Suppressions {
            loaded: RwLock::new(None),
            checked_ms: AtomicU64::new(0),
            epoch: Instant::now(),
            refresh: tokio::sync::Mutex::new(()),
        }
    }
}

impl Suppressions {
    /// The suppressions of `party_key`, loading or re-checking the set first when due.
    pub async fn for_party(
        &self,
        store: &dyn Store,
        party_key: &str,
    ) -> Result<Vec<Suppression>, StoreError> {
        let loaded = match self.current() {
            Some(loaded) if !self.due() => loaded,
            _ => self.check(store).await?,
        };
        Ok(loaded.by_party.get(party_key).cloned().unwrap_or_default())
    }

    /// Reloads the whole set now (after a decision on this instance).
    pub async fn reload(&self, store: &dyn Store) -> Result<(), StoreError> {
        let _one = self.refresh.lock().await;
        self.load(store).await.map(drop)
    }

    fn current(&self) -> Option<Arc<Loaded>> {
        // A poisoned lock only means a panic while swapping an Arc: the value is whole.
        match self.loaded.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn due(&self) -> bool {
        let recheck = u64::try_from(RECHECK.as_millis()).unwrap_or(u64::MAX);
        self.now_ms()
            .saturating_sub(self.checked_ms.load(Ordering::Relaxed))
            >= recheck
    }

    /// Loads the set if there is none, or re-checks the count and reloads when it moved.
    /// When another request is already checking, the set in hand (if any) is used.
    async fn check(&self, store: &dyn Store) -> Result<Arc<Loaded>, StoreError> {
        let _one = match (self.refresh.try_lock(), self.current()) {
            (Ok(guard), _) => guard,
            (Err(_), Some(loaded)) => return Ok(loaded),
            (Err(_), None) => self.refresh.lock().await,
        };
        let current = self.current();
        if let Some(loaded) = &current
            && !self.due()
        {
            return Ok(loaded.clone());
        }
        let count = store.suppression_count().await?;
        match current {
            Some(loaded) if loaded.count == count => {
                self.checked_ms.store(self.now_ms(), Ordering::Relaxed);
                Ok(loaded)
            }
            _ => self.load(store).await,
        }
    }

    async fn load(&self, store: &dyn Store) -> Result<Arc<Loaded>, StoreError> {
        let started = self.now_ms();
        let all = store.all_suppressions().await?;
        // One statement reads one state of the table, so its rows are its count then.
        let count = u64::try_from(all.len()).unwrap_or(u64::MAX);
        let mut by_party: HashMap<String, Vec<Suppression>> = HashMap::new();
        for suppression in all {
            by_party
                .entry(suppression.party_key.clone())
                .or_default()
                .push(suppression);
        }
        let loaded = Arc::new(Loaded { by_party, count });
        match self.loaded.write() {
            Ok(mut guard) => *guard = Some(loaded.clone()),
            Err(poisoned) => *poisoned.into_inner() = Some(loaded.clone()),
        }
        self.checked_ms.store(started, Ordering::Relaxed);
        Ok(loaded)
    }
}
