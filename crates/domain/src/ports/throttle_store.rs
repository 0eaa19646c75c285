//! The throttle store port: where the login and registration budgets keep their buckets.

use std::fmt;

use async_trait::async_trait;

use super::RepositoryError;

/// One conditional write of [`ThrottleStore::swap`]: set `key` to `new` if it still holds
/// `expected`.
///
/// Values are instants in microseconds since the Unix epoch: for a token bucket, the instant
/// at which it is full again (the GCRA way, see `crate::services::budget`); for a remembered
/// fact, the instant until which it is remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleSwap {
    /// The entry's key, built by the domain from a kind and the throttled identity (a
    /// lower-cased username, an address or network), never from a password.
    pub key: String,
    /// What the key must hold for the swap to apply: the value read before, `None` when it
    /// had no entry.
    pub expected: Option<i64>,
    /// The value to store.
    pub new: i64,
}

/// Where the login and registration throttles keep their state: one instant per key.
///
/// The store does no arithmetic of its own. The domain reads the instants it needs, decides
/// by its rules whether an attempt may go ahead and what the instants become, and writes them
/// back with [`ThrottleStore::swap`], a compare-and-set that fails when another attempt wrote
/// first (the domain then reads again). An in-process store serves one process; a store in a
/// shared database makes every process that uses it draw on one budget (ADR 0021).
///
/// Entries whose instant has passed mean the same as no entry, so a store may forget them at
/// any time ([`ThrottleStore::sweep`] does so on purpose); a store may also forget live
/// entries to bound its memory, preferring the ones whose instant comes first.
#[async_trait]
pub trait ThrottleStore: Send + Sync + fmt::Debug {
    /// The value of each of `keys`, in the same order; `None` for a key with no entry.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached,
    /// [`RepositoryError::Other`] otherwise.
    async fn read(&self, keys: &[String]) -> Result<Vec<Option<i64>>, RepositoryError>;

    /// Applies every swap of `swaps`, or none: returns `true` when each key still held its
    /// `expected` value (a key without an entry matches any expectation, since only entries
    /// that no longer mean anything are forgotten) and every `new` value was stored, `false`
    /// when one of them held something else and nothing was stored. Of two swaps of one key
    /// that expect the same value, at most one applies, whatever process makes them.
    ///
    /// # Errors
    /// As [`ThrottleStore::read`]; nothing was stored then.
    async fn swap(&self, swaps: &[ThrottleSwap]) -> Result<bool, RepositoryError>;

    /// Stores `value` for `key`, whatever it held.
    ///
    /// # Errors
    /// As [`ThrottleStore::read`].
    async fn put(&self, key: &str, value: i64) -> Result<(), RepositoryError>;

    /// Forgets every entry whose value is at or before `now` (microseconds since the Unix
    /// epoch) and returns how many it forgot, so the store stays as small as the keys that
    /// still mean something.
    ///
    /// # Errors
    /// As [`ThrottleStore::read`].
    async fn sweep(&self, now: i64) -> Result<u64, RepositoryError>;
}
