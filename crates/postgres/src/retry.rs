//! Retrying a write that PostgreSQL rolled back in a race between writers.
//!
//! Row locks are taken in one order within each write (`task_integrity.rs`), but concurrent
//! tree writes lock rows that other writes are about to change — eight writers re-parenting
//! each other's tasks in a ring wait on each other in a cycle — and PostgreSQL then aborts one
//! transaction with a deadlock error. Nothing of it was written, and its checks are all inside
//! the transaction, so running it again is safe: it re-reads, re-locks and re-checks, and ends
//! in success, in a rule the other writes made true (a cycle, a stale version), or — after
//! [`ATTEMPTS`] — in [`RepositoryError::Contention`], which the HTTP edge answers with 503 and
//! `Retry-After` (ADR 0021).

use std::hash::{BuildHasher, Hasher, RandomState};
use std::time::Duration;

use taskforge_domain::ports::RepositoryError;

/// How many times a write runs at most before its contention is reported.
pub(crate) const ATTEMPTS: u32 = 3;

/// Runs `write` (one whole transaction) again while it fails with
/// [`RepositoryError::Contention`], up to [`ATTEMPTS`] times, after a short random pause that
/// grows with each attempt, so the writers that collided do not collide again in step.
pub(crate) async fn on_contention<T, F, Fut>(mut write: F) -> Result<T, RepositoryError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RepositoryError>>,
{
    let mut attempt = 1;
    loop {
        match write().await {
            Err(RepositoryError::Contention(_)) if attempt < ATTEMPTS => {
                tokio::time::sleep(pause(attempt)).await;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

/// 2–4 ms before the second attempt, 4–8 ms before the third: short against a request, long
/// against the transaction that won.
fn pause(attempt: u32) -> Duration {
    let base = 2_000_u64 << (attempt - 1).min(8);
    // A fresh `RandomState` is randomly keyed: enough jitter without a random-number crate.
    let jitter = RandomState::new().build_hasher().finish() % base;
    Duration::from_micros(base + jitter)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn contention() -> RepositoryError {
        RepositoryError::contention(std::io::Error::other("deadlock detected"))
    }

    #[tokio::test]
    async fn a_write_that_loses_twice_then_wins_is_retried_to_success() {
        let runs = AtomicU32::new(0);
        let outcome = on_contention(|| async {
            if runs.fetch_add(1, Ordering::SeqCst) < 2 { Err(contention()) } else { Ok(7) }
        })
        .await;
        assert_eq!(outcome.unwrap(), 7);
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn contention_on_every_attempt_is_reported_and_other_errors_are_not_retried() {
        let runs = AtomicU32::new(0);
        let outcome: Result<(), _> = on_contention(|| async {
            runs.fetch_add(1, Ordering::SeqCst);
            Err(contention())
        })
        .await;
        assert!(matches!(outcome, Err(RepositoryError::Contention(_))));
        assert_eq!(runs.load(Ordering::SeqCst), ATTEMPTS);
        let runs = AtomicU32::new(0);
        let outcome: Result<(), _> = on_contention(|| async {
            runs.fetch_add(1, Ordering::SeqCst);
            Err(RepositoryError::TreeChanged)
        })
        .await;
        assert!(matches!(outcome, Err(RepositoryError::TreeChanged)));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }
}
