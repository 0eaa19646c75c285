//! [`InProcessThrottleStore`]: the throttle store of a single process, the default.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;

use crate::ports::{RepositoryError, ThrottleStore, ThrottleSwap};

/// A [`ThrottleStore`] in this process's memory: the default, and the right one for a store
/// that only one process serves (SQLite, memory). Instances sharing a database use a store in
/// that database instead, so that they draw on one budget (ADR 0021).
///
/// Memory is bounded: at most `max_per_kind` entries per kind of key (the text before the
/// key's first `:`, e.g. one kind per bucket of the login throttle). When a new key would
/// exceed that, the entries of its kind whose instant comes first are forgotten (an eighth of
/// them at once, so the sorting is shared by many inserts). For a token bucket that is the one
/// closest to full again: forgetting it gives back the fewest tokens. An attacker cycling
/// through addresses can therefore make the throttle forget a bucket only when it is nearly
/// full anyway, never one under attack, whose instant lies furthest ahead.
#[derive(Debug)]
pub struct InProcessThrottleStore {
    max_per_kind: usize,
    entries: Mutex<HashMap<String, i64>>,
}

impl InProcessThrottleStore {
    /// An empty store keeping at most `max_per_kind` entries of each kind (at least one).
    #[must_use]
    pub fn new(max_per_kind: usize) -> Self {
        Self { max_per_kind: max_per_kind.max(1), entries: Mutex::new(HashMap::new()) }
    }

    /// How many entries of `kind` the store holds (for tests and metrics).
    #[must_use]
    pub fn len_of_kind(&self, kind: &str) -> usize {
        self.lock().keys().filter(|k| kind_of(k) == kind).count()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, i64>> {
        // The entries are a cache of instants; after a panic elsewhere they are still usable.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores `value` for `key`, making room in its kind first when the key is new.
    fn insert(&self, entries: &mut HashMap<String, i64>, key: &str, value: i64) {
        if let Some(slot) = entries.get_mut(key) {
            *slot = value;
            return;
        }
        let kind = kind_of(key);
        let mut of_kind: Vec<(i64, String)> = entries
            .iter()
            .filter(|(k, _)| kind_of(k) == kind)
            .map(|(k, v)| (*v, k.clone()))
            .collect();
        if of_kind.len() >= self.max_per_kind {
            of_kind.sort_unstable();
            let excess = of_kind.len() + 1 - self.max_per_kind;
            let batch = excess.max(self.max_per_kind / 8).min(of_kind.len());
            for (_, old) in of_kind.into_iter().take(batch) {
                entries.remove(&old);
            }
        }
        entries.insert(key.to_owned(), value);
    }
}

/// A key's kind: the text before its first `:` (the whole key when it has none).
fn kind_of(key: &str) -> &str {
    key.split_once(':').map_or(key, |(kind, _)| kind)
}

#[async_trait]
impl ThrottleStore for InProcessThrottleStore {
    async fn read(&self, keys: &[String]) -> Result<Vec<Option<i64>>, RepositoryError> {
        let entries = self.lock();
        Ok(keys.iter().map(|k| entries.get(k).copied()).collect())
    }

    async fn swap(&self, swaps: &[ThrottleSwap]) -> Result<bool, RepositoryError> {
        let mut entries = self.lock();
        let holds = |s: &ThrottleSwap| match entries.get(&s.key) {
            None => true,
            Some(value) => s.expected == Some(*value),
        };
        if !swaps.iter().all(holds) {
            return Ok(false);
        }
        for s in swaps {
            self.insert(&mut entries, &s.key, s.new);
        }
        Ok(true)
    }

    async fn put(&self, key: &str, value: i64) -> Result<(), RepositoryError> {
        let mut entries = self.lock();
        self.insert(&mut entries, key, value);
        Ok(())
    }

    async fn sweep(&self, now: i64) -> Result<u64, RepositoryError> {
        let mut entries = self.lock();
        let before = entries.len();
        entries.retain(|_, value| *value > now);
        Ok(u64::try_from(before - entries.len()).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn swap(key: &str, expected: Option<i64>, new: i64) -> ThrottleSwap {
        ThrottleSwap { key: key.to_owned(), expected, new }
    }

    #[test]
    fn a_full_kind_forgets_its_earliest_instants_and_leaves_other_kinds_alone() {
        super::super::block_on(async {
            let store = InProcessThrottleStore::new(2);
            store.put("other:x", 1).await.unwrap();
            assert!(store.swap(&[swap("a:late", None, 300)]).await.unwrap());
            assert!(store.swap(&[swap("a:early", None, 100)]).await.unwrap());
            assert!(store.swap(&[swap("a:new", None, 200)]).await.unwrap());
            let keys = ["a:late", "a:early", "a:new", "other:x"].map(String::from);
            assert_eq!(store.read(&keys).await.unwrap(), [Some(300), None, Some(200), Some(1)]);
            assert_eq!(store.len_of_kind("a"), 2);
        });
    }
}
