use std::path::Path;
use std::sync::Arc;

use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};
use taskforge_domain::ports::{Repositories, RepositoryError};

use crate::categories::SqliteCategories;
use crate::config::SqliteConfig;
use crate::connection::{self, Pragmas};
use crate::connections::Connections;
use crate::error::{OpenError, Stopped, open_error};
use crate::file_lock::{self, FileLock, LockError, LockKind};
use crate::history::SqliteHistory;
use crate::migrations::{MIGRATIONS, NewerMigration, migrate_reporting};
use crate::projects::SqliteProjects;
use crate::refresh_tokens::SqliteRefreshTokens;
use crate::reports::SqliteReports;
use crate::restore::{self, RestoreError, Restored};
use crate::tasks::SqliteTasks;
use crate::trash::SqliteTrash;
use crate::users::SqliteUsers;
use crate::writer::{Writer, WriterStats};

/// The reader pool's figures (for `/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderPoolStats {
    /// Reader connections open.
    pub connections: u32,
    /// Of those, idle.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

/// An open TaskForge database: a pool of reader connections and the writer thread.
///
/// Cheap to clone (one `Arc`); every repository from [`SqliteDatabase::repositories`] shares
/// it, so cross-entity rules (deleting a project deletes its tasks) hold.
#[derive(Debug, Clone)]
pub struct SqliteDatabase {
    inner: Arc<Connections>,
    /// Expand-only migrations of a newer build found applied at open (ADR 0023).
    newer: Arc<[NewerMigration]>,
}

/// Takes the shared lock every process holds on an open database (see `file_lock.rs`).
fn lock_shared(path: &Path) -> Result<Option<FileLock>, OpenError> {
    file_lock::lock(path, LockKind::Shared).map_err(|e| match e {
        LockError::Held => OpenError::Restoring { path: path.to_path_buf() },
        LockError::Io(source) => OpenError::Lock { path: path.to_path_buf(), source },
    })
}

impl SqliteDatabase {
    /// Opens the database at `config.path` — creating it, private to its owner, when it is
    /// missing and [`SqliteConfig::create_if_missing`] allows — applies the connection pragmas
    /// (WAL journal, foreign keys, `synchronous`, busy timeout), brings the schema up to date
    /// with the embedded migrations and starts the writer.
    ///
    /// The blocking work runs on `spawn_blocking` when called inside a Tokio runtime.
    ///
    /// # Errors
    /// [`OpenError::Missing`] for a missing file, and [`OpenError::NoSchema`] for a database
    /// no TaskForge has migrated, when creating is off (nothing is created or written then);
    /// [`OpenError::NotADatabase`] for a file that is not an SQLite database,
    /// [`OpenError::CannotOpen`] when the file cannot be opened or created,
    /// [`OpenError::Migration`] for a schema a newer build changed with a contract step (its
    /// expand-only steps are accepted and listed by [`SqliteDatabase::newer_migrations`]), an
    /// edited migration or a failing one, [`OpenError::Pool`] / [`OpenError::Writer`] for resource failures.
    pub async fn open(config: SqliteConfig) -> Result<Self, OpenError> {
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => handle
                .spawn_blocking(move || Self::open_blocking(&config))
                .await
                .map_err(|e| OpenError::Writer(std::io::Error::other(e)))?,
            Err(_) => Self::open_blocking(&config),
        }
    }

    /// [`SqliteDatabase::open`] for callers outside an async runtime (the CLI's `migrate`).
    ///
    /// # Errors
    /// As [`SqliteDatabase::open`].
    pub fn open_blocking(config: &SqliteConfig) -> Result<Self, OpenError> {
        let path = config.path.clone();
        let pragmas =
            Pragmas { synchronous: config.synchronous, busy_timeout: config.busy_timeout };

        let missing = || OpenError::Missing { path: path.clone() };
        if !config.create && connection::is_plain_file(&path) && !path.exists() {
            return Err(missing());
        }
        // Before SQLite opens the file, so that a restore cannot swap it between the two.
        let mut lock = lock_shared(&path)?;
        let mut writer_conn = connection::open(&path, config.create).map_err(|e| {
            // Removed between the check above and the open: still nothing was created.
            if !config.create && connection::is_plain_file(&path) && !path.exists() {
                missing()
            } else {
                open_error(&path, e)
            }
        })?;
        if lock.is_none() {
            // The file did not exist a moment ago: this open created it.
            lock = lock_shared(&path)?;
        }
        // Before `configure`, whose switch to WAL would write to a file about to be refused.
        connection::check_whole_pages(&writer_conn, &path).map_err(|e| open_error(&path, e))?;
        if !config.create
            && !connection::has_schema(&writer_conn).map_err(|e| open_error(&path, e))?
        {
            return Err(OpenError::NoSchema { path });
        }
        connection::configure(&writer_conn, pragmas).map_err(|e| open_error(&path, e))?;
        let migrated = migrate_reporting(&mut writer_conn, MIGRATIONS).map_err(|source| {
            if source.is_not_a_database() {
                OpenError::NotADatabase {
                    path: path.clone(),
                    source: rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
                        Some(source.to_string()),
                    ),
                }
            } else {
                OpenError::Migration { path: path.clone(), source }
            }
        })?;

        // The migrations changed the schema under statements SQLite prepared along the way
        // (FTS5 keeps its own, e.g. the one writing `tasks_fts_data`), and each would be
        // compiled again on its first use after start-up. Serving writes from a connection
        // opened on the final schema keeps every statement at zero re-prepares
        // (`tests/reprepare.rs`). A URI or special name may not name a file to reopen: keep it.
        if connection::is_plain_file(&path) {
            drop(writer_conn);
            writer_conn = connection::open(&path, false).map_err(|e| open_error(&path, e))?;
            connection::configure(&writer_conn, pragmas).map_err(|e| open_error(&path, e))?;
        }

        let manager = SqliteConnectionManager::file(&path)
            .with_init(move |conn| connection::configure_reader(conn, pragmas));
        let readers = Pool::builder()
            .max_size(config.pool_size.max(1))
            .min_idle(Some(1))
            .build(manager)
            .map_err(|source| OpenError::Pool { path: path.clone(), source })?;

        let lock = lock.map(Arc::new);
        let writer =
            Writer::spawn(writer_conn, config.max_batch, Box::new(lock.as_ref().map(Arc::clone)))
                .map_err(OpenError::Writer)?;
        Ok(Self {
            inner: Arc::new(Connections::new(path, readers, writer, lock)),
            newer: migrated.newer.into(),
        })
    }

    /// Replaces the database file `target` with the backup `backup`: only while no TaskForge
    /// process has `target` open (each holds a shared lock on it; this takes the lock
    /// exclusively), and only once a copy of the backup has passed `PRAGMA integrity_check`
    /// and `PRAGMA foreign_key_check` and its migrations are ones this build knows with the
    /// same checksums (missing ones are applied to the copy). The copy then replaces `target`
    /// in one atomic rename. The backup itself is only read.
    ///
    /// The blocking work runs on `spawn_blocking` when called inside a Tokio runtime.
    ///
    /// # Errors
    /// [`RestoreError::Missing`] when `target` does not exist, [`RestoreError::InUse`] while
    /// another TaskForge process has it open, [`RestoreError::SameFile`],
    /// [`RestoreError::Unreadable`], [`RestoreError::Damaged`], [`RestoreError::NoSchema`] or
    /// [`RestoreError::Migration`] for a backup that cannot be used, and [`RestoreError::Io`]
    /// when writing or renaming fails. In every case `target` is left as it was.
    pub async fn restore(
        backup: impl AsRef<Path>,
        target: impl AsRef<Path>,
    ) -> Result<Restored, RestoreError> {
        let (backup, target) = (backup.as_ref().to_path_buf(), target.as_ref().to_path_buf());
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                let path = target.clone();
                handle.spawn_blocking(move || restore::restore(&backup, &target)).await.map_err(
                    |e| RestoreError::Io { path, source: Box::new(std::io::Error::other(e)) },
                )?
            }
            Err(_) => restore::restore(&backup, &target),
        }
    }

    /// Every repository port, all backed by this database.
    #[must_use]
    pub fn repositories(&self) -> Repositories {
        Repositories {
            users: Arc::new(SqliteUsers::new(Arc::clone(&self.inner))),
            projects: Arc::new(SqliteProjects::new(Arc::clone(&self.inner))),
            categories: Arc::new(SqliteCategories::new(Arc::clone(&self.inner))),
            tasks: Arc::new(SqliteTasks::new(Arc::clone(&self.inner))),
            refresh_tokens: Arc::new(SqliteRefreshTokens::new(Arc::clone(&self.inner))),
            reports: Arc::new(SqliteReports::new(Arc::clone(&self.inner))),
            history: Arc::new(SqliteHistory::new(Arc::clone(&self.inner))),
            trash: Arc::new(SqliteTrash::new(Arc::clone(&self.inner))),
        }
    }

    /// Keeps `value` alive until the database and every repository from it are dropped, e.g.
    /// the temporary directory a test database lives in.
    pub fn hold(&self, value: impl std::any::Any + Send) {
        self.inner.hold(Box::new(value));
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        self.inner.path()
    }

    /// The applied migrations this build does not know, all expand-only steps of a newer build
    /// (a rollout under way, ADR 0023): empty normally. Opening refuses any other unknown one.
    #[must_use]
    pub fn newer_migrations(&self) -> &[NewerMigration] {
        &self.newer
    }

    /// The writer's counters (writes, commits, …).
    #[must_use]
    pub fn stats(&self) -> WriterStats {
        self.inner.writer().stats()
    }

    /// `Ok` when the database can commit a write now (for readiness checks).
    ///
    /// Free while writes succeed; after a write failed because the store could not write
    /// (disk full, read-only file or directory, I/O error), it commits a probe that leaves the
    /// data unchanged but must append to the WAL, so it succeeds again exactly when writes do.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] while the store cannot write.
    pub async fn check_writable(&self) -> Result<(), RepositoryError> {
        self.inner.writer().check_writable().await
    }

    /// Runs `f` on the writer thread's connection, between group commits and outside any
    /// transaction, and returns its result. **Test-only fault injection**, compiled only with
    /// the `fault-injection` feature (which no shipped build enables): tests use it to set
    /// `PRAGMA max_page_count` (a real `SQLITE_FULL`) or `PRAGMA query_only` (a real
    /// `SQLITE_READONLY`) on the one connection that writes, then to clear the fault.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] if the writer thread has stopped.
    #[cfg(feature = "fault-injection")]
    #[doc(hidden)]
    pub async fn on_writer_connection<T, F>(&self, f: F) -> Result<T, RepositoryError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> T + Send + 'static,
    {
        self.inner.writer().control(f).await
    }

    /// The reader pool's figures right now: connections open, idle, and the most allowed.
    #[must_use]
    pub fn reader_pool(&self) -> ReaderPoolStats {
        let state = self.inner.readers().state();
        ReaderPoolStats {
            connections: state.connections,
            idle: state.idle_connections,
            max: self.inner.readers().max_size(),
        }
    }

    /// Copies the whole database, consistently, to a new file at `path` with SQLite's online
    /// backup API, while the service keeps running (readers and the writer are not stopped;
    /// the copy is one snapshot). The file is created readable and writable by its owner only
    /// (`0600` on Unix), never over an existing file, and removed again if the copy fails.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the destination exists or cannot be written, or
    /// the source is locked, [`RepositoryError::Other`] otherwise.
    pub async fn backup_to(&self, path: impl AsRef<Path>) -> Result<(), RepositoryError> {
        let destination = path.as_ref().to_path_buf();
        self.inner
            .read(move |source| {
                // Created here, private to its owner like the database itself (a backup holds
                // every password hash), and never over an existing file.
                connection::create_private(&destination).map_err(RepositoryError::unavailable)?;
                let copied = copy_into(source, &destination);
                if copied.is_err() {
                    // No half-written file that looks like a backup, and a retry may reuse
                    // the name.
                    let _ = std::fs::remove_file(&destination);
                }
                copied
            })
            .await
    }
}

/// Copies every page of `source` into the (new, empty) database file `destination`.
fn copy_into(source: &Connection, destination: &Path) -> Result<(), RepositoryError> {
    let mut target = Connection::open(destination).map_err(backup_err)?;
    let backup = Backup::new(source, &mut target).map_err(backup_err)?;
    // One step copies every page under one read snapshot, so concurrent commits by the writer
    // cannot make the backup restart.
    match backup.step(-1).map_err(backup_err)? {
        StepResult::Done => Ok(()),
        StepResult::More | StepResult::Busy | StepResult::Locked => {
            Err(RepositoryError::unavailable(Stopped("backup (source busy)")))
        }
        _ => Err(RepositoryError::other(Stopped("backup (unknown step result)"))),
    }
}

fn backup_err(e: rusqlite::Error) -> RepositoryError {
    crate::error::map_err(taskforge_domain::ports::Entity::Task, e)
}
