//! The writer thread: the only connection that writes.
//!
//! SQLite allows one writer at a time. Instead of letting many pooled connections race for the
//! write lock (and surface `SQLITE_BUSY`), every write is a closure sent to this thread over a
//! channel. The thread takes the first closure, drains whatever else is queued (up to
//! `max_batch`), and runs them all in **one** transaction (group commit): with
//! `synchronous=FULL` one fsync then makes many requests durable, which is where the write
//! throughput comes from. Each closure runs inside its own `SAVEPOINT`, so one that fails
//! (a constraint, a stale version) is rolled back alone and its neighbours still commit.
//! Replies are sent only after `COMMIT` returned: an acknowledged write is a durable write.
//!
//! **Faults.** A batch that cannot begin or commit (disk full, read-only file, I/O error) is
//! rolled back completely and every request in it gets the error; the thread then simply
//! waits for the next batch on the same connection, so once the fault clears the next write
//! succeeds without a restart. While the last write failed that way the writer counts as
//! *degraded* ([`Writer::check_writable`] probes it), which `/ready` reports.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};

use rusqlite::{Connection, ErrorCode};
use taskforge_domain::ports::RepositoryError;
use tokio::sync::oneshot;

use crate::error::{Stopped, is_transient};

/// Counters of the writer thread, for tests, metrics and the curious.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Write requests executed (each in its own savepoint), successful or not.
    pub writes: u64,
    /// Write requests whose closure failed and were rolled back to their savepoint.
    pub failed_writes: u64,
    /// Transactions committed. Fewer than `writes` whenever group commit batched requests.
    pub commits: u64,
    /// Transactions that could not commit (every request in them got an error).
    pub failed_commits: u64,
    /// The largest number of requests committed together.
    pub largest_batch: u64,
}

#[derive(Debug, Default)]
struct Counters {
    writes: AtomicU64,
    failed_writes: AtomicU64,
    commits: AtomicU64,
    failed_commits: AtomicU64,
    largest_batch: AtomicU64,
    /// The last write failed because the store could not write (disk full, read-only, I/O),
    /// and no write has succeeded since.
    degraded: AtomicBool,
}

/// A write waiting for the writer thread.
trait Job: Send {
    /// Runs the write on the writer's connection, inside the current transaction.
    fn run(self: Box<Self>, conn: &Connection) -> Box<dyn Reply>;
    /// Answers without running (the transaction could not even begin).
    fn abandon(self: Box<Self>, why: &CommitFailed);
}

/// The outcome of a write, held back until its transaction's fate is known.
trait Reply: Send {
    /// True when the closure succeeded (its savepoint was released, not rolled back).
    fn succeeded(&self) -> bool;
    /// True when the closure failed because the store could not write right now.
    fn unavailable(&self) -> bool;
    /// Why SQLite rolled the whole transaction back after this write: its own failure.
    fn rolled_back(&self) -> CommitFailed;
    /// Sends the closure's result if the transaction committed, else the commit failure.
    fn send(self: Box<Self>, commit: Result<(), &CommitFailed>);
}

type WriteFn<T> = Box<dyn FnOnce(&Connection) -> Result<T, RepositoryError> + Send>;

struct Pending<T> {
    write: WriteFn<T>,
    reply: oneshot::Sender<Result<T, RepositoryError>>,
}

struct Done<T> {
    result: Result<T, RepositoryError>,
    reply: oneshot::Sender<Result<T, RepositoryError>>,
}

impl<T: Send + 'static> Job for Pending<T> {
    fn run(self: Box<Self>, conn: &Connection) -> Box<dyn Reply> {
        let Self { write, reply } = *self;
        let result = match conn.execute_batch("SAVEPOINT write") {
            Err(e) => Err(crate::error::map_err(taskforge_domain::ports::Entity::Task, e)),
            Ok(()) => {
                let result = catch_unwind(AssertUnwindSafe(|| write(conn)))
                    .unwrap_or_else(|_| Err(RepositoryError::other(Stopped("write panicked"))));
                let end = if result.is_ok() {
                    conn.execute_batch("RELEASE write")
                } else if conn.is_autocommit() {
                    // SQLite already rolled back the whole transaction (a full disk, an I/O
                    // error), savepoint included: there is nothing to roll back to, and the
                    // write's own error is the one that says why (the batch reports it).
                    Ok(())
                } else {
                    conn.execute_batch("ROLLBACK TO write; RELEASE write")
                };
                match end {
                    Ok(()) => result,
                    // SQLite rolled the whole transaction back on its own (a full disk during
                    // a write of several statements): there is no savepoint left to roll back
                    // to, and the write's own error says why (`run_batch` sees the rollback).
                    Err(_) if result.is_err() && conn.is_autocommit() => result,
                    Err(e) => Err(crate::error::map_err(taskforge_domain::ports::Entity::Task, e)),
                }
            }
        };
        Box::new(Done { result, reply })
    }

    fn abandon(self: Box<Self>, why: &CommitFailed) {
        // The receiver may have gone away (request cancelled); nothing to do then.
        let _ = self.reply.send(Err(why.to_repository_error()));
    }
}

impl<T: Send + 'static> Reply for Done<T> {
    fn succeeded(&self) -> bool {
        self.result.is_ok()
    }

    fn unavailable(&self) -> bool {
        matches!(self.result, Err(RepositoryError::Unavailable(_)))
    }

    fn rolled_back(&self) -> CommitFailed {
        let (code, cause) = match &self.result {
            Err(RepositoryError::Unavailable(e) | RepositoryError::Other(e)) => (
                e.downcast_ref::<rusqlite::Error>().and_then(rusqlite::Error::sqlite_error_code),
                e.to_string(),
            ),
            Err(e) => (None, e.to_string()),
            Ok(_) => (None, String::from("no error")),
        };
        CommitFailed {
            // A rollback SQLite decided on is a storage fault even when the cause is unknown.
            code: Some(code.unwrap_or(ErrorCode::SystemIoFailure)),
            message: format!("the transaction was rolled back by SQLite after: {cause}"),
        }
    }

    fn send(self: Box<Self>, commit: Result<(), &CommitFailed>) {
        let result = match commit {
            Ok(()) => self.result,
            Err(why) => Err(why.to_repository_error()),
        };
        let _ = self.reply.send(result);
    }
}

/// Why a batch could not be committed; copied into every request's error.
#[derive(Debug, Clone, thiserror::Error)]
#[error("database transaction failed: {message}")]
pub(crate) struct CommitFailed {
    code: Option<ErrorCode>,
    message: String,
}

impl CommitFailed {
    fn new(e: &rusqlite::Error) -> Self {
        Self { code: e.sqlite_error_code(), message: e.to_string() }
    }

    fn is_transient(&self) -> bool {
        self.code.is_some_and(is_transient)
    }

    fn to_repository_error(&self) -> RepositoryError {
        if self.is_transient() {
            RepositoryError::unavailable(self.clone())
        } else {
            RepositoryError::other(self.clone())
        }
    }
}

/// The handle to the writer thread. When it is dropped the channel closes, the thread
/// finishes what is queued and exits, and the drop waits for that.
#[derive(Debug)]
pub(crate) struct Writer {
    jobs: Option<Sender<Message>>,
    counters: Arc<Counters>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Writer {
    /// Waiting (at most for the batch in progress) means that once a database is dropped its
    /// writing connection is closed and its file lock released: a restore run right after
    /// (in the same process, as tests do) finds the file free, instead of a moment later.
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            // A write closure could hold the last handle and drop it on the thread itself.
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

/// What the writer thread receives.
enum Message {
    /// A write, run in a group commit.
    Write(Box<dyn Job>),
    /// Test-only: a closure run on the writer's connection outside any transaction (see
    /// [`crate::SqliteDatabase::on_writer_connection`]).
    #[cfg(feature = "fault-injection")]
    Control(Box<dyn FnOnce(&Connection) + Send>),
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Message")
    }
}

impl std::fmt::Debug for dyn Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl Writer {
    /// Starts the writer thread, which owns `conn` from now on, and `outlive` as well: it is
    /// dropped only after the connection is closed (the database's file lock, which must not
    /// be released while a connection to the file is still open).
    pub(crate) fn spawn(
        conn: Connection,
        max_batch: usize,
        outlive: Box<dyn std::any::Any + Send>,
    ) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel();
        let counters = Arc::new(Counters::default());
        let thread_counters = Arc::clone(&counters);
        let thread = std::thread::Builder::new()
            .name(String::from("taskforge-sqlite-writer"))
            .spawn(move || {
                run(&conn, &queue, &thread_counters, max_batch.max(1));
                drop(conn);
                drop(outlive);
            })?;
        Ok(Self { jobs: Some(jobs), counters, thread: Some(thread) })
    }

    /// The queue to the thread (absent only while the handle is being dropped).
    fn sender(&self) -> Result<&Sender<Message>, RepositoryError> {
        self.jobs.as_ref().ok_or_else(|| RepositoryError::unavailable(Stopped("writer thread")))
    }

    /// Runs `write` on the writer thread, inside a savepoint of the current group commit, and
    /// returns its result once the transaction committed.
    pub(crate) async fn write<T, F>(&self, write: F) -> Result<T, RepositoryError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, RepositoryError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Pending { write: Box::new(write), reply });
        self.sender()?
            .send(Message::Write(job))
            .map_err(|_| RepositoryError::unavailable(Stopped("writer thread")))?;
        answer.await.map_err(|_| RepositoryError::unavailable(Stopped("writer thread")))?
    }

    /// `Ok` when the writer can commit. Free while it is healthy; after a write failed because
    /// the store could not write, it commits a probe (a row inserted into and deleted from
    /// `schema_migrations` in one transaction: the file's content is unchanged, but SQLite
    /// must append the touched page to the WAL and sync it, which is exactly what fails on a
    /// full or read-only disk). A successful probe, like any successful write, ends the
    /// degraded state.
    ///
    /// Why probe rather than only remember the last failure: a load balancer sends no traffic
    /// to an instance that is not ready, so without a probe nothing would ever clear it.
    pub(crate) async fn check_writable(&self) -> Result<(), RepositoryError> {
        if !self.counters.degraded.load(Ordering::Relaxed) {
            return Ok(());
        }
        self.write(|conn| {
            conn.execute_batch(
                "INSERT INTO schema_migrations (version, name, checksum) \
                     VALUES (-1, 'writability probe', ''); \
                 DELETE FROM schema_migrations WHERE version = -1;",
            )
            .map_err(|e| crate::error::map_err(taskforge_domain::ports::Entity::Task, e))
        })
        .await
    }

    /// Test-only: runs `f` on the writer's connection, between batches, outside any
    /// transaction, and waits for it.
    #[cfg(feature = "fault-injection")]
    pub(crate) async fn control<T, F>(&self, f: F) -> Result<T, RepositoryError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> T + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let control = Box::new(move |conn: &Connection| {
            let _ = reply.send(f(conn));
        });
        self.sender()?
            .send(Message::Control(control))
            .map_err(|_| RepositoryError::unavailable(Stopped("writer thread")))?;
        answer.await.map_err(|_| RepositoryError::unavailable(Stopped("writer thread")))
    }

    /// A snapshot of the counters.
    pub(crate) fn stats(&self) -> WriterStats {
        let c = &self.counters;
        WriterStats {
            writes: c.writes.load(Ordering::Relaxed),
            failed_writes: c.failed_writes.load(Ordering::Relaxed),
            commits: c.commits.load(Ordering::Relaxed),
            failed_commits: c.failed_commits.load(Ordering::Relaxed),
            largest_batch: c.largest_batch.load(Ordering::Relaxed),
        }
    }
}

fn run(conn: &Connection, queue: &Receiver<Message>, counters: &Counters, max_batch: usize) {
    // A message taken off the queue while filling a batch that does not belong in it.
    let mut held: Option<Message> = None;
    loop {
        let message = match held.take() {
            Some(message) => message,
            None => match queue.recv() {
                Ok(message) => message,
                Err(_) => return,
            },
        };
        #[cfg_attr(
            not(feature = "fault-injection"),
            expect(
                clippy::infallible_destructuring_match,
                reason = "the other variant exists only with the fault-injection feature"
            )
        )]
        let first = match message {
            Message::Write(job) => job,
            #[cfg(feature = "fault-injection")]
            Message::Control(control) => {
                control(conn);
                continue;
            }
        };
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match queue.try_recv() {
                Ok(Message::Write(job)) => batch.push(job),
                #[cfg(feature = "fault-injection")]
                Ok(control @ Message::Control(_)) => {
                    held = Some(control);
                    break;
                }
                Err(_) => break,
            }
        }
        run_batch(conn, batch, counters);
    }
}

fn run_batch(conn: &Connection, batch: Vec<Box<dyn Job>>, counters: &Counters) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let why = CommitFailed::new(&e);
        counters.failed_commits.fetch_add(1, Ordering::Relaxed);
        if why.is_transient() {
            counters.degraded.store(true, Ordering::Relaxed);
        }
        for job in batch {
            job.abandon(&why);
        }
        return;
    }
    let size = batch.len() as u64;
    let mut replies = Vec::with_capacity(batch.len());
    let mut jobs = batch.into_iter();
    let mut lost: Option<CommitFailed> = None;
    for job in jobs.by_ref() {
        let reply = job.run(conn);
        counters.writes.fetch_add(1, Ordering::Relaxed);
        if !reply.succeeded() {
            counters.failed_writes.fetch_add(1, Ordering::Relaxed);
        }
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction on its own;
        // the writes before this one are gone, so they must not be reported as stored.
        if conn.is_autocommit() {
            lost = Some(reply.rolled_back());
            replies.push(reply);
            break;
        }
        replies.push(reply);
    }
    let outcome = match lost {
        Some(why) => Err(why),
        None => conn.execute_batch("COMMIT").map_err(|e| CommitFailed::new(&e)),
    };
    match &outcome {
        Ok(()) => {
            counters.commits.fetch_add(1, Ordering::Relaxed);
            counters.largest_batch.fetch_max(size, Ordering::Relaxed);
        }
        Err(_) => {
            counters.failed_commits.fetch_add(1, Ordering::Relaxed);
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
        }
    }
    let degraded = match &outcome {
        Ok(()) if replies.iter().any(|r| r.unavailable()) => Some(true),
        Ok(()) if replies.iter().any(|r| r.succeeded()) => Some(false),
        // Only failures that say nothing about the store (a constraint, a stale version).
        Ok(()) => None,
        Err(why) => why.is_transient().then_some(true),
    };
    if let Some(degraded) = degraded {
        counters.degraded.store(degraded, Ordering::Relaxed);
    }
    for reply in replies {
        reply.send(outcome.as_ref().copied());
    }
    if let Err(why) = &outcome {
        for job in jobs {
            job.abandon(why);
        }
    }
}
