use std::path::{Path, PathBuf};
use std::time::Duration;

/// How hard SQLite works to make a commit durable (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// An acknowledged write survives power loss (fsync on every commit). The default.
    #[default]
    Full,
    /// In WAL mode: never corrupt, but the last commits before a power loss may be lost.
    /// Several times faster per commit; an explicit opt-in.
    Normal,
}

impl Synchronous {
    pub(crate) const fn pragma_value(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Normal => "NORMAL",
        }
    }
}

/// Everything the adapter needs to open a database. Plain data with builder-style setters; the
/// app crate fills it from its own configuration (adapters never read the environment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteConfig {
    /// The database file; created if absent unless [`SqliteConfig::create_if_missing`] is
    /// off. A file this adapter creates is readable and writable by its owner only (`0600` on
    /// Unix), and SQLite gives the `-wal` and `-shm` files beside it the same mode.
    pub path: PathBuf,
    /// Whether opening may create the database (and migrate it from nothing). Off for
    /// operator tools that must act on data that already exists, so that a mistyped path is
    /// an error instead of a new, empty database.
    pub create: bool,
    /// Durability of commits; [`Synchronous::Full`] by default.
    pub synchronous: Synchronous,
    /// Reader connections in the pool (at least 1).
    pub pool_size: u32,
    /// How long a connection waits for a lock before giving up with `SQLITE_BUSY`.
    pub busy_timeout: Duration,
    /// The most writes the writer commits as one transaction.
    pub max_batch: usize,
}

impl SqliteConfig {
    /// Defaults: created if missing, `synchronous=FULL`, 8 readers, 5 s busy timeout, batches
    /// of up to 512 writes.
    #[must_use]
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
            create: true,
            synchronous: Synchronous::Full,
            pool_size: 8,
            busy_timeout: Duration::from_secs(5),
            max_batch: 512,
        }
    }

    /// Whether a missing database file may be created. With `false`, opening a path where
    /// no file exists fails with [`crate::OpenError::Missing`], and a file without a TaskForge
    /// schema (an empty file, another program's database) with [`crate::OpenError::NoSchema`];
    /// neither creates nor changes a file.
    #[must_use]
    pub const fn create_if_missing(mut self, create: bool) -> Self {
        self.create = create;
        self
    }

    /// Sets the durability of commits.
    #[must_use]
    pub const fn synchronous(mut self, synchronous: Synchronous) -> Self {
        self.synchronous = synchronous;
        self
    }

    /// Sets the number of reader connections (0 is treated as 1).
    #[must_use]
    pub const fn pool_size(mut self, size: u32) -> Self {
        self.pool_size = size;
        self
    }

    /// Sets the busy timeout.
    #[must_use]
    pub const fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// Sets the largest group commit (0 is treated as 1: one transaction per write).
    #[must_use]
    pub const fn max_batch(mut self, writes: usize) -> Self {
        self.max_batch = writes;
        self
    }
}
