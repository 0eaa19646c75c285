//! Open errors, migration errors, and the one place driver errors become
//! [`RepositoryError`]s.

use taskforge_domain::ports::{Entity, RepositoryError};
use tokio_postgres::error::SqlState;

/// Why [`crate::PostgresDatabase::open`] failed. Messages never contain the connection
/// string (it may hold a password).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The connection settings could not be parsed.
    #[error("invalid PostgreSQL connection settings: {0}")]
    Config(String),
    /// The server could not be reached, refused the login, or failed a statement while the
    /// database was being prepared.
    #[error("cannot connect to PostgreSQL")]
    Connect(#[source] tokio_postgres::Error),
    /// The database holds no TaskForge schema and the configuration asked for an existing
    /// one ([`crate::PostgresConfig::create_if_missing`]): nothing was written to it.
    #[error("the PostgreSQL database is not a TaskForge database yet (no schema)")]
    NoSchema,
    /// The schema could not be brought up to date.
    #[error("cannot migrate the PostgreSQL database")]
    Migration(#[source] MigrationError),
}

/// Why the embedded migrations could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The database was migrated by a newer TaskForge: downgrading is not supported.
    #[error(
        "database schema version {found} is newer than this build knows (latest {known}); \
         run a newer taskforge or restore a backup"
    )]
    NewerVersion {
        /// The highest version recorded in the database.
        found: i64,
        /// The highest version embedded in this build.
        known: i64,
    },
    /// The database records a contract step from a newer build (ADR 0023): it removed or
    /// changed something this build may still use, so this build must not run on it.
    #[error(
        "database has migration {version} ({name}) from a newer build (this build knows up to \
         {known}), a contract step this build cannot run against; run the newer taskforge, or \
         restore the backup taken before that migration"
    )]
    NewerContract {
        /// Its version.
        version: i64,
        /// Its file name, as the newer build recorded it.
        name: String,
        /// The highest version embedded in this build.
        known: i64,
    },
    /// An applied migration's text differs from the embedded one: migrations are append-only.
    #[error(
        "migration {version} ({name}) was changed after it was applied \
         (recorded checksum {recorded}, this build has {embedded})"
    )]
    Changed {
        /// Its version.
        version: i64,
        /// Its file name.
        name: String,
        /// The checksum recorded when it was applied.
        recorded: String,
        /// The checksum of the text in this build.
        embedded: String,
    },
    /// A migration failed; the database stays at the previous version.
    #[error("migration {version} ({name}) failed")]
    Failed {
        /// Its version.
        version: i64,
        /// Its file name.
        name: String,
        /// What PostgreSQL said.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The version table or the advisory lock could not be used.
    #[error("cannot read or lock the schema version table")]
    VersionTable(#[source] tokio_postgres::Error),
}

/// A stored value the domain refuses (hand-edited or corrupt data): reported, never a panic.
#[derive(Debug, thiserror::Error)]
#[error("corrupt {what} in the database: {detail}")]
pub(crate) struct CorruptRow {
    what: &'static str,
    detail: String,
}

/// A [`RepositoryError::Other`] for a corrupt stored value.
pub(crate) fn corrupt(what: &'static str, detail: impl std::fmt::Display) -> RepositoryError {
    RepositoryError::other(CorruptRow { what, detail: detail.to_string() })
}

/// Translates a driver error about `entity`:
/// - unique violations are duplicates (the checks before each insert make this a race
///   outcome only);
/// - serialization failures and deadlocks are lost races that roll the whole transaction
///   back: [`RepositoryError::Contention`], not a version conflict — the caller's version was
///   not stale. The write is run again (`retry.rs`); only a write that loses every attempt
///   reports it (503 with `Retry-After`);
/// - a closed connection, a server shutting down, too many connections or a full disk mean
///   the store cannot serve now (503, retry later);
/// - anything else is a bug or corruption.
pub fn map_err(entity: Entity, e: tokio_postgres::Error) -> RepositoryError {
    let Some(code) = e.code() else {
        // No SQLSTATE: the connection itself failed (closed, I/O, protocol).
        return RepositoryError::unavailable(e);
    };
    if *code == SqlState::UNIQUE_VIOLATION {
        RepositoryError::Duplicate(entity)
    } else if *code == SqlState::T_R_SERIALIZATION_FAILURE
        || *code == SqlState::T_R_DEADLOCK_DETECTED
    {
        RepositoryError::contention(e)
    } else if code.code().starts_with("08")
        || code.code().starts_with("53")
        || code.code().starts_with("57")
    {
        RepositoryError::unavailable(e)
    } else {
        RepositoryError::other(e)
    }
}

/// A connection could not be taken from the pool: the store is unavailable for now.
pub(crate) fn pool_err(e: deadpool_postgres::PoolError) -> RepositoryError {
    RepositoryError::unavailable(e)
}
