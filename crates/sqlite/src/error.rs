use std::path::PathBuf;

use rusqlite::ErrorCode;
use taskforge_domain::ports::{Entity, RepositoryError};

/// Why [`crate::SqliteDatabase::open`] failed. Every case names what to do about it; none is a
/// panic.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The file exists but is not an SQLite database (or is damaged beyond opening).
    #[error("{path} is not a TaskForge database (not an SQLite file, or corrupt)")]
    NotADatabase {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The file does not exist, and the configuration asked to open an existing database
    /// only ([`crate::SqliteConfig::create_if_missing`]): nothing was created.
    #[error("database {path} does not exist")]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// The file is an SQLite database (an empty file is one too) that no TaskForge ever
    /// migrated, and the configuration asked for an existing TaskForge database: nothing was
    /// written to it.
    #[error("{path} is not a TaskForge database yet (no schema: an empty or foreign file)")]
    NoSchema {
        /// The file.
        path: PathBuf,
    },
    /// The file could not be opened or created (permissions, missing directory, read-only).
    #[error("cannot open database {path}")]
    CannotOpen {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The schema could not be brought up to date.
    #[error("cannot migrate database {path}")]
    Migration {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: MigrationError,
    },
    /// The reader pool could not be built.
    #[error("cannot open reader connections to {path}")]
    Pool {
        /// The file.
        path: PathBuf,
        /// What r2d2 said.
        #[source]
        source: r2d2::Error,
    },
    /// The writer thread could not be started.
    #[error("cannot start the database writer thread")]
    Writer(#[source] std::io::Error),
    /// Another TaskForge process holds the file exclusively: `taskforge restore` is replacing
    /// it. Nothing was opened; try again once the restore has finished.
    #[error("database {path} is being replaced by `taskforge restore`; try again when it is done")]
    Restoring {
        /// The file.
        path: PathBuf,
    },
    /// The file could not be locked (every process locks the database it opens, so that
    /// [`crate::SqliteDatabase::restore`] can tell whether anyone has it open).
    #[error("cannot lock database {path}")]
    Lock {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
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
         (recorded checksum {recorded}, embedded {embedded}); add a new migration instead"
    )]
    Changed {
        /// Its version.
        version: i64,
        /// Its file name.
        name: String,
        /// The checksum stored when it was applied.
        recorded: String,
        /// The checksum of the text in this build.
        embedded: String,
    },
    /// A migration's SQL failed; nothing of it was applied.
    #[error("migration {version} ({name}) failed")]
    Failed {
        /// Its version.
        version: i64,
        /// Its file name.
        name: String,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// Reading or writing the version table failed.
    #[error("cannot read the schema version table")]
    VersionTable(#[source] rusqlite::Error),
}

impl MigrationError {
    /// True when the failure is that the file is not a database at all.
    pub(crate) fn is_not_a_database(&self) -> bool {
        let source = match self {
            Self::VersionTable(e) | Self::Failed { source: e, .. } => e,
            Self::NewerVersion { .. } | Self::NewerContract { .. } | Self::Changed { .. } => {
                return false;
            }
        };
        is_not_a_database(source)
    }
}

pub(crate) fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt))
}

/// Classifies an open-time SQLite error for `path`.
pub(crate) fn open_error(path: &std::path::Path, source: rusqlite::Error) -> OpenError {
    if is_not_a_database(&source) {
        OpenError::NotADatabase { path: path.to_path_buf(), source }
    } else {
        OpenError::CannotOpen { path: path.to_path_buf(), source }
    }
}

/// Whether an SQLite failure means "the store cannot serve this right now; retrying later may
/// succeed" ([`RepositoryError::Unavailable`], an HTTP 503), as opposed to a bug or a damaged
/// file ([`RepositoryError::Other`], a 500).
///
/// Transient: the disk is full (`SQLITE_FULL`), the file or its directory became read-only
/// (`SQLITE_READONLY`, including a database file replaced or removed underneath us), an I/O
/// error (`SQLITE_IOERR`: a failing or vanished device, a full filesystem for the WAL index), a
/// file that can no longer be opened (`SQLITE_CANTOPEN`), a lock held too long by another
/// process (`SQLITE_BUSY`, `SQLITE_LOCKED`), memory exhausted (`SQLITE_NOMEM`), and a file
/// over the filesystem's size limit (`SQLITE_NOLFS`). Each clears when the operator frees
/// space, remounts or the other process finishes, and the writer keeps serving meanwhile.
///
/// Never [`RepositoryError::Contention`]: one writer thread runs every write, so two writes
/// cannot collide inside SQLite.
///
/// Not transient: `SQLITE_CORRUPT` and `SQLITE_NOTADB` at run time. Retrying does not repair
/// a damaged page; the operator must restore a backup, so it is a 500 with the cause logged.
pub(crate) const fn is_transient(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::ReadOnly
            | ErrorCode::DiskFull
            | ErrorCode::SystemIoFailure
            | ErrorCode::CannotOpen
            | ErrorCode::OutOfMemory
            | ErrorCode::NoLargeFileSupport
    )
}

/// Translates a driver error at the port boundary. `entity` is the entity the call addresses;
/// callers that know better (which reference is missing) check explicitly before writing.
pub(crate) fn map_err(entity: Entity, e: rusqlite::Error) -> RepositoryError {
    use rusqlite::ffi;
    if let rusqlite::Error::SqliteFailure(failure, _) = &e {
        match failure.extended_code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                return RepositoryError::Duplicate(entity);
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return RepositoryError::MissingReference(entity),
            _ => {}
        }
        return if is_transient(failure.code) {
            RepositoryError::unavailable(e)
        } else {
            RepositoryError::other(e)
        };
    }
    RepositoryError::other(e)
}

/// The error for a closure that reached neither commit nor result (the writer or a blocking
/// task died). "Try again later" is the honest answer.
#[derive(Debug, thiserror::Error)]
#[error("the database {0} stopped before answering")]
pub(crate) struct Stopped(pub &'static str);

/// A row held a value the domain refuses (a corrupt or hand-edited database).
#[derive(Debug, thiserror::Error)]
#[error("stored {what} is invalid: {detail}")]
pub(crate) struct CorruptRow {
    pub what: &'static str,
    pub detail: String,
}

/// Wraps a decoding failure as a rusqlite error, so row mappers can use `?`.
pub(crate) fn corrupt(what: &'static str, detail: impl ToString) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Null,
        Box::new(CorruptRow { what, detail: detail.to_string() }),
    )
}

/// A pool checkout failure.
pub(crate) fn pool_err(e: r2d2::Error) -> RepositoryError {
    RepositoryError::unavailable(e)
}

#[cfg(test)]
mod tests {
    use rusqlite::ffi;

    use super::*;

    fn failure(code: i32) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(ffi::Error::new(code), None)
    }

    #[test]
    fn storage_faults_that_clear_are_unavailable() {
        for code in [
            ffi::SQLITE_FULL,
            ffi::SQLITE_READONLY,
            ffi::SQLITE_READONLY_DBMOVED,
            ffi::SQLITE_IOERR,
            ffi::SQLITE_IOERR_WRITE,
            ffi::SQLITE_IOERR_FSYNC,
            ffi::SQLITE_CANTOPEN,
            ffi::SQLITE_BUSY,
            ffi::SQLITE_LOCKED,
            ffi::SQLITE_NOMEM,
            ffi::SQLITE_NOLFS,
        ] {
            let e = map_err(Entity::Task, failure(code));
            assert!(matches!(e, RepositoryError::Unavailable(_)), "{code}: {e:?}");
        }
    }

    #[test]
    fn a_damaged_file_and_anything_unknown_are_other() {
        for code in [ffi::SQLITE_CORRUPT, ffi::SQLITE_NOTADB, ffi::SQLITE_ERROR, ffi::SQLITE_MISUSE]
        {
            let e = map_err(Entity::Task, failure(code));
            assert!(matches!(e, RepositoryError::Other(_)), "{code}: {e:?}");
        }
    }

    #[test]
    fn constraint_violations_name_the_entity() {
        let e = map_err(Entity::Project, failure(ffi::SQLITE_CONSTRAINT_UNIQUE));
        assert!(matches!(e, RepositoryError::Duplicate(Entity::Project)), "{e:?}");
        let e = map_err(Entity::Task, failure(ffi::SQLITE_CONSTRAINT_FOREIGNKEY));
        assert!(matches!(e, RepositoryError::MissingReference(Entity::Task)), "{e:?}");
    }
}
