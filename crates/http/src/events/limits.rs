//! How many event streams are open, per user and in all, and the refusal beyond the limits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use taskforge_domain::UserId;

use crate::error::ApiError;
use crate::metrics::HttpMetrics;

/// How long a refused client is told to wait before trying again, in seconds.
const RETRY_AFTER_SECONDS: u64 = 5;

/// The open streams, counted per user. Clones share the count.
#[derive(Debug, Clone)]
pub(crate) struct OpenStreams {
    inner: Arc<Mutex<Counts>>,
    per_user: usize,
    total: usize,
    metrics: HttpMetrics,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_user: HashMap<UserId, usize>,
}

impl OpenStreams {
    pub(crate) fn new(per_user: usize, total: usize, metrics: HttpMetrics) -> Self {
        Self { inner: Arc::default(), per_user, total, metrics }
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        // A poisoned lock only means a thread panicked while counting; the counts are
        // still whole numbers.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts one more stream of `user`, or refuses it: 503 when the service holds as many
    /// streams as it allows in all, 429 when this user does.
    pub(crate) fn admit(&self, user: UserId) -> Result<StreamSlot, ApiError> {
        let mut counts = self.counts();
        if counts.total >= self.total {
            drop(counts);
            self.metrics.event_stream_refused();
            return Err(ApiError::not_ready(
                "the service holds as many event streams as it allows; try again later",
            )
            .retry_after(RETRY_AFTER_SECONDS));
        }
        let mine = counts.by_user.entry(user).or_default();
        if *mine >= self.per_user {
            drop(counts);
            self.metrics.event_stream_refused();
            return Err(ApiError::too_many_requests(
                RETRY_AFTER_SECONDS,
                format!("at most {} event streams may be open per user", self.per_user),
            ));
        }
        *mine += 1;
        counts.total += 1;
        self.metrics.event_streams_open(counts.total);
        Ok(StreamSlot { streams: self.clone(), user })
    }
}

/// One admitted stream; dropping it frees its place.
#[derive(Debug)]
pub(crate) struct StreamSlot {
    streams: OpenStreams,
    user: UserId,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut counts = self.streams.counts();
        counts.total = counts.total.saturating_sub(1);
        if let Some(mine) = counts.by_user.get_mut(&self.user) {
            *mine = mine.saturating_sub(1);
            if *mine == 0 {
                counts.by_user.remove(&self.user);
            }
        }
        self.streams.metrics.event_streams_open(counts.total);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(admitted: Result<StreamSlot, ApiError>) -> u16 {
        match admitted {
            Ok(_) => 200,
            Err(e) => actix_web::ResponseError::status_code(&e).as_u16(),
        }
    }

    #[test]
    fn streams_beyond_a_users_limit_or_the_total_are_refused_and_freed_slots_are_reused() {
        let streams = OpenStreams::new(2, 3, HttpMetrics::new());
        let (alice, bob) = (UserId::new(), UserId::new());
        let first = streams.admit(alice);
        assert!(first.is_ok());
        let second = streams.admit(alice);
        assert!(second.is_ok());
        assert_eq!(status(streams.admit(alice)), 429, "alice's third");
        let bobs = streams.admit(bob);
        assert!(bobs.is_ok());
        assert_eq!(status(streams.admit(bob)), 503, "the fourth in all");
        drop(first);
        assert_eq!(status(streams.admit(alice)), 200, "a closed stream frees its place");
    }
}
