//! What the in-process caches share: a bounded concurrent map (`quick_cache`), time stamps,
//! and invalidation that costs O(1) whatever the cache holds (ADR 0014).
//!
//! **Stamps, not scans.** Every cached answer carries the stamp of the moment its read
//! *began*; forgetting something — one key, or a whole group such as "every answer about
//! project P" — records the moment in a second bounded map instead of walking the entries.
//! An answer is served only while it is younger than the TTL and was read after the last time
//! any of its subjects was forgotten. Taking the stamp before the read also closes a race the
//! old caches had: a read in flight while a change commits used to put the pre-change answer
//! back after the invalidation; now its stamp is older than the invalidation, so it is
//! ignored.
//!
//! **Bounded, no clear-all.** Both maps are `quick_cache::sync::Cache`s: sharded, so requests
//! on different workers do not queue behind one mutex, and evicting by S3-FIFO (one entry at
//! a time, keeping the entries that are hit again) instead of dropping everything when full.
//! A forgotten-record evicted early — only when more subjects are forgotten within one TTL
//! than the map holds — degrades to the staleness the TTL already allows for changes made by
//! other processes, never beyond it.

use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Microseconds since the cache was built: cheap to store and compare.
pub(crate) type Stamp = u64;

/// A clock of [`Stamp`]s, and the TTL measured on it.
#[derive(Debug)]
pub(crate) struct Stamps {
    epoch: Instant,
    ttl: Stamp,
}

impl Stamps {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self { epoch: Instant::now(), ttl: micros(ttl) }
    }

    /// Now.
    pub(crate) fn now(&self) -> Stamp {
        micros(self.epoch.elapsed())
    }

    /// Whether an answer read at `read_at` is still within the TTL.
    pub(crate) fn fresh(&self, read_at: Stamp) -> bool {
        self.now().saturating_sub(read_at) < self.ttl
    }
}

fn micros(duration: Duration) -> Stamp {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// When each subject was last forgotten, for at most `capacity` subjects.
#[derive(Debug)]
pub(crate) struct Forgotten<T: Eq + Hash + Clone> {
    at: quick_cache::sync::Cache<T, Stamp>,
    /// The latest stamp recorded at all: an answer read after it needs no look-up (the common
    /// case, since changes are rare next to reads).
    latest: AtomicU64,
}

impl<T: Eq + Hash + Clone> Forgotten<T> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { at: quick_cache::sync::Cache::new(capacity.max(1)), latest: AtomicU64::new(0) }
    }

    /// Records that everything known about `subject` up to `now` is void. O(1).
    pub(crate) fn forget(&self, subject: T, now: Stamp) {
        // Keep the latest stamp should two forgets of one subject race.
        let at = self.at.get(&subject).map_or(now, |before| before.max(now));
        self.at.insert(subject, at);
        self.latest.fetch_max(at, Ordering::AcqRel);
    }

    /// Whether `subject` was forgotten at or after `read_at` (an answer read then is void).
    pub(crate) fn since(&self, subject: &T, read_at: Stamp) -> bool {
        read_at <= self.latest.load(Ordering::Acquire)
            && self.at.get(subject).is_some_and(|at| at >= read_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_read_before_a_forget_is_void_and_one_read_after_is_not() {
        let forgotten = Forgotten::new(16);
        forgotten.forget("p", 10);
        assert!(forgotten.since(&"p", 5), "read before");
        assert!(forgotten.since(&"p", 10), "read at the same instant: void, to be safe");
        assert!(!forgotten.since(&"p", 11), "read after");
        assert!(!forgotten.since(&"q", 5), "another subject");
    }

    #[test]
    fn an_older_forget_never_hides_a_newer_one() {
        let forgotten = Forgotten::new(16);
        forgotten.forget(1, 20);
        forgotten.forget(1, 15);
        assert!(forgotten.since(&1, 18));
    }

    #[test]
    fn the_ttl_is_measured_from_the_start_of_the_read() {
        let stamps = Stamps::new(Duration::from_secs(3600));
        assert!(stamps.fresh(stamps.now()));
        let none = Stamps::new(Duration::ZERO);
        assert!(!none.fresh(none.now()), "no TTL: nothing is ever fresh");
    }
}
