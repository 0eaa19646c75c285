//! A bounded pool for CPU-heavy jobs (password hashing).
//!
//! Tokio's blocking pool has hundreds of threads; letting every login hash on it at once would
//! let a burst of logins occupy every core and starve the requests that serve tasks. So a
//! semaphore admits at most `max_concurrent` jobs to `spawn_blocking`, at most `max_queued`
//! more wait (in arrival order: tokio's semaphore is fair), and anything beyond is refused at
//! once with [`HashError::Overloaded`] (503) instead of queueing without bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use taskforge_domain::ports::HashError;
use tokio::sync::{Semaphore, TryAcquireError};

/// The pool. Cheap to share behind the hasher that owns it.
#[derive(Debug)]
pub(crate) struct BoundedPool {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_queued: usize,
}

/// One place in the wait queue; leaving it (by getting a permit, or by the caller giving up
/// and dropping the future) frees the place.
struct QueueTicket<'a>(&'a AtomicUsize);

impl Drop for QueueTicket<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl BoundedPool {
    /// A pool running at most `max_concurrent` jobs (at least one) with `max_queued` waiting.
    pub(crate) fn new(max_concurrent: usize, max_queued: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent.clamp(1, Semaphore::MAX_PERMITS))),
            waiting: AtomicUsize::new(0),
            max_queued,
        }
    }

    /// Runs `job` on tokio's blocking pool once a slot is free.
    ///
    /// The slot is held by the job itself, so if the caller stops waiting the job still
    /// finishes before its slot is reused: the bound holds even under cancellation.
    ///
    /// # Errors
    /// [`HashError::Overloaded`] when every slot is busy and the queue is full;
    /// [`HashError::Other`] when called outside a tokio runtime or when the job panicked.
    pub(crate) async fn run<T, F>(&self, job: F) -> Result<T, HashError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let runtime = tokio::runtime::Handle::try_current().map_err(other)?;
        let permit = match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(TryAcquireError::NoPermits) => {
                let _ticket = self.enqueue()?;
                Arc::clone(&self.permits).acquire_owned().await.map_err(other)?
            }
            Err(e @ TryAcquireError::Closed) => return Err(other(e)),
        };
        runtime
            .spawn_blocking(move || {
                let _permit = permit;
                job()
            })
            .await
            .map_err(other)
    }

    /// How many callers wait for a slot right now.
    #[cfg(test)]
    pub(crate) fn queued(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }

    fn enqueue(&self) -> Result<QueueTicket<'_>, HashError> {
        let before = self.waiting.fetch_add(1, Ordering::AcqRel);
        let ticket = QueueTicket(&self.waiting);
        if before >= self.max_queued {
            // Dropping the ticket gives the place back.
            return Err(HashError::Overloaded);
        }
        Ok(ticket)
    }
}

fn other<E: std::error::Error + Send + Sync + 'static>(e: E) -> HashError {
    HashError::Other(Box::new(e))
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jobs_beyond_the_slots_and_the_queue_are_refused_as_overloaded() {
        let pool = Arc::new(BoundedPool::new(1, 1));
        let (release, gate) = mpsc::channel::<()>();
        let gate = Arc::new(std::sync::Mutex::new(gate));

        // Job 1 takes the only slot and blocks until released.
        let running = {
            let pool = Arc::clone(&pool);
            let gate = Arc::clone(&gate);
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = gate.lock().map(|g| g.recv());
                    1
                })
                .await
            })
        };
        // Wait until it holds the slot.
        while pool.permits.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        // Job 2 queues.
        let queued = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move { pool.run(|| 2).await })
        };
        while pool.queued() == 0 {
            tokio::task::yield_now().await;
        }
        // Job 3 finds the slot busy and the queue full.
        assert!(matches!(pool.run(|| 3).await, Err(HashError::Overloaded)));

        release.send(()).unwrap();
        assert_eq!(running.await.unwrap().unwrap(), 1);
        assert_eq!(queued.await.unwrap().unwrap(), 2);
        assert_eq!(pool.queued(), 0);
        // Capacity is back.
        assert_eq!(pool.run(|| 4).await.unwrap(), 4);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_caller_that_gives_up_frees_its_place_in_the_queue() {
        let pool = Arc::new(BoundedPool::new(1, 1));
        let (release, gate) = mpsc::channel::<()>();
        let gate = Arc::new(std::sync::Mutex::new(gate));
        let running = {
            let pool = Arc::clone(&pool);
            let gate = Arc::clone(&gate);
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = gate.lock().map(|g| g.recv());
                })
                .await
            })
        };
        while pool.permits.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let gave_up = tokio::time::timeout(Duration::from_millis(20), pool.run(|| ())).await;
        assert!(gave_up.is_err(), "the queued job cannot have run");
        assert_eq!(pool.queued(), 0);

        release.send(()).unwrap();
        running.await.unwrap().unwrap();
    }

    #[test]
    fn outside_a_runtime_it_fails_instead_of_panicking() {
        let pool = BoundedPool::new(1, 1);
        let result = block_on_without_runtime(pool.run(|| ()));
        assert!(matches!(result, Err(HashError::Other(_))));
    }

    /// Polls a future to completion on this thread without any runtime.
    fn block_on_without_runtime<F: std::future::Future>(future: F) -> F::Output {
        use std::task::{Context, Poll, Waker};
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }
}
