//! Token buckets kept the GCRA way (the "generic cell rate algorithm": a token bucket written
//! as one number per key), shared by the login throttle and the category-creation budget.
//!
//! Instead of a token count and a last-refill time, each key keeps the instant at which its
//! bucket will be full again (`full_at`). Taking a token moves that instant one interval
//! later; a bucket may be drawn while it is fewer than `capacity` intervals from full. One
//! integer per key, no floating point, and a bucket that is already full needs no entry at
//! all. Memory is bounded by the caller's `max_tracked`: full buckets are forgotten first,
//! then the least recently seen keys.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Duration;

use crate::id::UserId;
use crate::services::BucketSettings;
use crate::values::Timestamp;

/// A bucket's rule in microseconds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    /// Microseconds per token.
    interval: i64,
    /// How far `full_at` may lie ahead of now and still allow a draw: `capacity - 1` intervals.
    tolerance: i64,
}

impl From<BucketSettings> for Rule {
    fn from(s: BucketSettings) -> Self {
        let interval = i64::try_from(s.refill_every.as_micros()).unwrap_or(i64::MAX);
        let tolerance = interval.saturating_mul(i64::from(s.capacity.get()) - 1);
        Self { interval, tolerance }
    }
}

impl Rule {
    /// A rule that refills instantly, which is no limit at all: nothing to store for it.
    pub(crate) const fn is_unlimited(self) -> bool {
        self.interval == 0
    }

    /// Microseconds until a bucket whose entry holds `full_at` (`None`: no entry, a full
    /// bucket) may give a token at `now`; 0 when it may now.
    pub(crate) fn wait(self, full_at: Option<i64>, now: i64) -> i64 {
        // A rule that refills instantly is no limit at all. Said outright rather than left to
        // the arithmetic: callers read the clock before taking the lock (or reading the
        // store), so a request holding an earlier instant can arrive after one holding a later
        // instant, and would otherwise see a bucket "full again" a few microseconds in its
        // future and be refused.
        if self.is_unlimited() {
            return 0;
        }
        let full_at = full_at.unwrap_or(now).max(now);
        (full_at.saturating_sub(self.tolerance).saturating_sub(now)).max(0)
    }

    /// The bucket's `full_at` once one token is taken at `now`; `None` for an unlimited rule.
    pub(crate) fn taken(self, full_at: Option<i64>, now: i64) -> Option<i64> {
        if self.is_unlimited() {
            return None;
        }
        Some(full_at.unwrap_or(now).max(now).saturating_add(self.interval))
    }

    /// The bucket's `full_at` once one token is given back.
    pub(crate) const fn given_back(self, full_at: i64) -> i64 {
        full_at.saturating_sub(self.interval)
    }
}

/// `full_at` per key: the instant (µs) at which the key's bucket is full again.
#[derive(Debug)]
pub(crate) struct Buckets<K> {
    /// The instant each key's bucket is full again; a key without an entry is full.
    pub(crate) full_at: HashMap<K, i64>,
    /// When each key was last seen (drawn or refused), for evicting the least recently seen.
    last_seen: HashMap<K, i64>,
}

impl<K> Default for Buckets<K> {
    fn default() -> Self {
        Self { full_at: HashMap::new(), last_seen: HashMap::new() }
    }
}

impl<K: Hash + Eq + Clone> Buckets<K> {
    /// Microseconds until `key` may draw a token; 0 when it may now.
    pub(crate) fn wait(&self, key: &K, rule: Rule, now: Timestamp) -> i64 {
        rule.wait(self.full_at.get(key).copied(), now.unix_micros())
    }

    pub(crate) fn take(&mut self, key: K, rule: Rule, now: Timestamp, max_tracked: usize) {
        if rule.interval == 0 {
            // Nothing to remember for an unlimited rule.
            return;
        }
        let now = now.unix_micros();
        if !self.full_at.contains_key(&key) && self.full_at.len() >= max_tracked {
            self.evict(now, max_tracked);
        }
        let full_at = self.full_at.get(&key).copied().unwrap_or(now).max(now);
        self.full_at.insert(key.clone(), full_at.saturating_add(rule.interval));
        self.last_seen.insert(key, now);
    }

    pub(crate) fn touch(&mut self, key: &K, now: Timestamp) {
        if let Some(seen) = self.last_seen.get_mut(key) {
            *seen = now.unix_micros();
        }
    }

    pub(crate) fn give_back(&mut self, key: &K, rule: Rule, now: Timestamp) {
        let now = now.unix_micros();
        if let Some(full_at) = self.full_at.get_mut(key) {
            *full_at = full_at.saturating_sub(rule.interval);
            if *full_at <= now {
                self.full_at.remove(key);
                self.last_seen.remove(key);
            }
        }
    }

    /// Makes room for at least one key: drops full buckets, then (if still at the limit) the
    /// least recently seen eighth, so eviction's sorting cost is shared by many inserts.
    fn evict(&mut self, now: i64, max_tracked: usize) {
        self.full_at.retain(|_, full_at| *full_at > now);
        let full_at = &self.full_at;
        self.last_seen.retain(|k, _| full_at.contains_key(k));
        if self.full_at.len() < max_tracked {
            return;
        }
        let mut by_age: Vec<(i64, K)> =
            self.last_seen.iter().map(|(k, at)| (*at, k.clone())).collect();
        by_age.sort_unstable_by_key(|(at, _)| *at);
        let excess = self.full_at.len() + 1 - max_tracked.max(1);
        let batch = excess.max(max_tracked / 8).min(by_age.len());
        for (_, key) in by_age.into_iter().take(batch) {
            self.full_at.remove(&key);
            self.last_seen.remove(&key);
        }
    }
}

/// How many users' budgets a [`UserBudget`] remembers at most; the least recently seen are
/// forgotten first, and a user whose bucket refilled needs no entry at all.
const MAX_TRACKED_USERS: usize = 10_000;

/// A token bucket per user: how often each user may still do something that is cheap for
/// them and costly (or revealing) for everyone else.
#[derive(Debug)]
pub(crate) struct UserBudget {
    rule: Rule,
    buckets: Mutex<Buckets<UserId>>,
}

impl UserBudget {
    pub(crate) fn new(settings: BucketSettings) -> Self {
        Self { rule: Rule::from(settings), buckets: Mutex::new(Buckets::default()) }
    }

    /// Takes one token from `user`'s bucket, or says how long until one is back.
    pub(crate) fn draw(&self, user: UserId, now: Timestamp) -> Result<(), Duration> {
        let mut buckets = self.lock();
        let wait = buckets.wait(&user, self.rule, now);
        if wait > 0 {
            buckets.touch(&user, now);
            return Err(Duration::from_micros(u64::try_from(wait).unwrap_or(u64::MAX)));
        }
        buckets.take(user, self.rule, now, MAX_TRACKED_USERS);
        Ok(())
    }

    /// Returns the token of a draw that turned out not to count.
    pub(crate) fn give_back(&self, user: UserId, now: Timestamp) {
        self.lock().give_back(&user, self.rule, now);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Buckets<UserId>> {
        // The buckets are a cache of instants; after a panic elsewhere they are still usable.
        self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;
    use std::time::Duration;

    use super::*;

    fn at(micros: i64) -> Timestamp {
        Timestamp::from_unix_micros(micros).unwrap()
    }

    #[test]
    fn a_rule_that_refills_instantly_never_refuses_even_when_instants_arrive_out_of_order() {
        let rule =
            Rule::from(BucketSettings { capacity: NonZeroU32::MIN, refill_every: Duration::ZERO });
        let mut buckets = Buckets::default();
        buckets.take("client", rule, at(1_000_010), 8);
        // A request that read the clock earlier but reached the lock later.
        assert_eq!(buckets.wait(&"client", rule, at(1_000_000)), 0);
        assert!(buckets.full_at.is_empty(), "an unlimited rule tracks nobody");
    }

    #[test]
    fn a_limited_rule_still_refuses_a_second_draw_within_its_interval() {
        let rule = Rule::from(BucketSettings {
            capacity: NonZeroU32::MIN,
            refill_every: Duration::from_secs(1),
        });
        let mut buckets = Buckets::default();
        buckets.take("client", rule, at(1_000_000), 8);
        assert_eq!(buckets.wait(&"client", rule, at(1_000_000)), 1_000_000);
    }
}
