//! `taskforge restore`: replaces a database with a backup, after proving the backup usable,
//! and only while no TaskForge process has the database open (ADR 0015).
//!
//! The order is what makes it safe:
//! 1. Take the exclusive lock on the database file (`file_lock.rs`): refused at once while a
//!    server or another command holds it; and while it is held, nothing can open it.
//! 2. Copy the backup with SQLite's backup API into a new private file beside the database
//!    (`<db>.restoring`), on the same file system so that the final rename is atomic. The
//!    backup itself is only read.
//! 3. Check the copy: a whole number of pages, `PRAGMA integrity_check` and
//!    `PRAGMA foreign_key_check` clean, a TaskForge schema whose applied migrations this build
//!    knows with the same checksums; then apply the migrations it lacks, as a start would.
//!    Any failure removes the copy and leaves the database untouched.
//! 4. Fold the old database's WAL into it and remove the `-wal`, `-shm` and `-journal` files:
//!    SQLite would otherwise replay the old file's log onto the restored one at the next open.
//! 5. Rename the copy over the database (one atomic step: a crash leaves either the old or
//!    the new file, never a mix) and flush the directory.

use std::path::{Path, PathBuf};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::connection;
use crate::error::{MigrationError, is_not_a_database};
use crate::file_lock::{self, LockError, LockKind};
use crate::migrations::{MIGRATIONS, migrate};

/// What a restore did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restored {
    /// The schema version of the restored database (after migrating it).
    pub schema_version: i64,
    /// How many migrations the backup lacked and were applied to it.
    pub migrations_applied: usize,
}

/// Why a restore was refused or failed. In every case the database was left as it was.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// There is no database file to replace: like every operator command but `migrate`,
    /// `restore` acts on an existing database only, so that a mistyped path fails loudly.
    #[error("database {path} does not exist")]
    Missing {
        /// The database path.
        path: PathBuf,
    },
    /// A TaskForge process (a server, or another command) has the database open.
    #[error(
        "database {path} is in use by another taskforge process (a running server?); \
         stop it before restoring"
    )]
    InUse {
        /// The database path.
        path: PathBuf,
    },
    /// The backup is the database file itself.
    #[error("{path} is the database itself, not a backup of it")]
    SameFile {
        /// The path.
        path: PathBuf,
    },
    /// The backup cannot be read, or is not an SQLite database at all.
    #[error("cannot read the backup {path}")]
    Unreadable {
        /// The backup.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The backup is damaged: SQLite's own checks found problems.
    #[error("the backup {path} is damaged: {problems}")]
    Damaged {
        /// The backup.
        path: PathBuf,
        /// The first problems SQLite reported.
        problems: String,
    },
    /// The backup is an SQLite database that no TaskForge ever migrated.
    #[error("the backup {path} is not a TaskForge database (no schema)")]
    NoSchema {
        /// The backup.
        path: PathBuf,
    },
    /// The backup's schema cannot be used by this build (a newer build's contract step, or an
    /// edited migration).
    #[error("the backup {path} cannot be used by this build")]
    Migration {
        /// The backup.
        path: PathBuf,
        /// Why.
        #[source]
        source: MigrationError,
    },
    /// Writing the restored file or replacing the database failed.
    #[error("cannot replace {path}")]
    Io {
        /// The file being written.
        path: PathBuf,
        /// What the operating system or SQLite said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// How many of `PRAGMA integrity_check`'s lines an error quotes.
const QUOTED_PROBLEMS: usize = 3;

/// Replaces the database at `target` with the backup at `backup` (see the module comment).
pub(crate) fn restore(backup: &Path, target: &Path) -> Result<Restored, RestoreError> {
    if !connection::is_plain_file(target) || !target.is_file() {
        return Err(RestoreError::Missing { path: target.to_path_buf() });
    }
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(backup), std::fs::canonicalize(target))
        && a == b
    {
        return Err(RestoreError::SameFile { path: backup.to_path_buf() });
    }
    let in_use = || RestoreError::InUse { path: target.to_path_buf() };
    let io = |path: &Path, e: std::io::Error| RestoreError::Io {
        path: path.to_path_buf(),
        source: Box::new(e),
    };
    // Held until the new file is in place; dropped at the end of this function.
    let _lock = match file_lock::lock(target, LockKind::Exclusive) {
        Ok(Some(lock)) => Some(lock),
        Ok(None) if cfg!(unix) => {
            return Err(io(target, std::io::Error::other("cannot open it to lock it")));
        }
        Ok(None) => None,
        Err(LockError::Held) => return Err(in_use()),
        Err(LockError::Io(e)) => return Err(io(target, e)),
    };

    let staged = sibling(target, ".restoring");
    // Left by an interrupted restore: nobody else can be using it while the lock is held.
    remove_with_companions(&staged).map_err(|e| io(&staged, e))?;
    let restored = stage(backup, &staged).inspect_err(|_| {
        let _ = remove_with_companions(&staged);
    })?;
    discard_companions(target).map_err(|e| io(target, e))?;
    std::fs::rename(&staged, target).map_err(|e| {
        let _ = remove_with_companions(&staged);
        io(target, e)
    })?;
    sync_directory(target).map_err(|e| io(target, e))?;
    Ok(restored)
}

/// Copies `backup` into the new file `staged` and checks the copy; see the module comment.
fn stage(backup: &Path, staged: &Path) -> Result<Restored, RestoreError> {
    let unreadable = |e: rusqlite::Error| {
        if is_not_a_database(&e) {
            RestoreError::Damaged { path: backup.to_path_buf(), problems: e.to_string() }
        } else {
            RestoreError::Unreadable { path: backup.to_path_buf(), source: Box::new(e) }
        }
    };
    let failed =
        |e: rusqlite::Error| RestoreError::Io { path: staged.to_path_buf(), source: Box::new(e) };
    if !backup.is_file() {
        return Err(RestoreError::Unreadable {
            path: backup.to_path_buf(),
            source: Box::new(std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")),
        });
    }
    let source = open_backup(backup).map_err(unreadable)?;
    connection::check_whole_pages(&source, backup).map_err(unreadable)?;

    connection::create_private(staged)
        .map_err(|e| RestoreError::Io { path: staged.to_path_buf(), source: Box::new(e) })?;
    let mut copy = Connection::open(staged).map_err(failed)?;
    {
        let backup_step = Backup::new(&source, &mut copy).map_err(failed)?;
        // One step: every page under one read snapshot of the backup.
        match backup_step.step(-1).map_err(unreadable)? {
            StepResult::Done => {}
            _ => {
                return Err(unreadable(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                    Some(String::from("the backup is locked by another process")),
                )));
            }
        }
    }
    drop(source);

    let damaged = |problems: String| RestoreError::Damaged { path: backup.to_path_buf(), problems };
    let problems =
        copy.prepare("PRAGMA integrity_check").and_then(pragma_lines).map_err(unreadable)?;
    if problems != ["ok"] {
        return Err(damaged(quote(&problems)));
    }
    let broken =
        copy.prepare("PRAGMA foreign_key_check").and_then(pragma_lines).map_err(unreadable)?;
    if !broken.is_empty() {
        return Err(damaged(format!("{} rows refer to rows that do not exist", broken.len())));
    }
    if !connection::has_schema(&copy).map_err(unreadable)? {
        return Err(RestoreError::NoSchema { path: backup.to_path_buf() });
    }
    let migrations_applied = migrate(&mut copy, MIGRATIONS)
        .map_err(|source| RestoreError::Migration { path: backup.to_path_buf(), source })?;
    let schema_version: i64 = copy
        .query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |row| row.get(0))
        .map_err(failed)?;
    copy.close().map_err(|(_, e)| failed(e))?;
    // Durable before it replaces anything.
    std::fs::File::open(staged)
        .and_then(|f| f.sync_all())
        .map_err(|e| RestoreError::Io { path: staged.to_path_buf(), source: Box::new(e) })?;
    Ok(Restored { schema_version, migrations_applied })
}

/// Opens the backup read-only without creating anything beside it.
///
/// A backup written by `taskforge backup` is one self-contained file, but its header still
/// says WAL mode, and SQLite opening such a file (even read-only) creates `-wal` and `-shm`
/// files beside it and may leave them. Opened as immutable it creates nothing. A backup with
/// a `-wal` file beside it (a copy of a stopped database with its log) is opened normally,
/// so that the commits in that log are part of what is restored.
fn open_backup(backup: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if sibling(backup, "-wal").exists() {
        return Connection::open_with_flags(backup, flags);
    }
    Connection::open_with_flags(
        format!("{}?immutable=1", file_uri(backup)),
        flags | OpenFlags::SQLITE_OPEN_URI,
    )
}

/// `path` as an SQLite `file:` URI, every byte outside the unreserved set percent-encoded (so
/// that `?`, `#` and `%` in a file name stay part of it).
fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for &byte in path.as_os_str().as_encoded_bytes() {
        if byte.is_ascii_alphanumeric() || b"/._-~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// Every line a checking pragma prints (its first column), in order.
fn pragma_lines(mut statement: rusqlite::Statement<'_>) -> rusqlite::Result<Vec<String>> {
    let lines = statement.query_map([], |row| {
        Ok(match row.get_ref(0)? {
            rusqlite::types::ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned(),
            other => format!("{other:?}"),
        })
    })?;
    lines.collect()
}

/// The first few problems, and how many there are in all.
fn quote(problems: &[String]) -> String {
    let shown: Vec<&str> = problems.iter().take(QUOTED_PROBLEMS).map(String::as_str).collect();
    let more = problems.len().saturating_sub(QUOTED_PROBLEMS);
    if more == 0 { shown.join("; ") } else { format!("{} (and {more} more)", shown.join("; ")) }
}

/// Makes the old database self-contained and removes its `-wal`, `-shm` and `-journal`: a log
/// left beside the restored file would be replayed onto it at the next open. The checkpoint
/// first folds committed pages into the old file, so that it stays whole should the rename
/// fail; on a file too damaged to open, the log is removed regardless (it is being replaced).
fn discard_companions(target: &Path) -> std::io::Result<()> {
    if sibling(target, "-wal").exists()
        && let Ok(conn) = Connection::open_with_flags(
            target,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
    {
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        // The last connection to close removes the WAL and the index itself.
        let _ = conn.close();
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        remove_if_present(&sibling(target, suffix))?;
    }
    Ok(())
}

/// Removes `path` and the files SQLite may have left beside it.
fn remove_with_companions(path: &Path) -> std::io::Result<()> {
    remove_if_present(path)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        remove_if_present(&sibling(path, suffix))?;
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// `path` with `suffix` appended to its file name (`taskforge.db` → `taskforge.db-wal`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Makes the rename durable: on Unix a rename is recorded in the directory, which has to be
/// flushed like a file.
fn sync_directory(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        std::fs::File::open(directory)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_of_problems_is_quoted_with_a_count() {
        let problems: Vec<String> = (1..=5).map(|i| format!("p{i}")).collect();
        assert_eq!(quote(&problems), "p1; p2; p3 (and 2 more)");
        assert_eq!(quote(&problems[..2]), "p1; p2");
    }

    #[test]
    fn file_uris_escape_what_sqlite_would_read_as_uri_syntax() {
        assert_eq!(file_uri(Path::new("/b/x y?#%.db")), "file:/b/x%20y%3F%23%25.db");
    }

    #[test]
    fn siblings_append_to_the_file_name() {
        assert_eq!(sibling(Path::new("/d/t.db"), "-wal"), Path::new("/d/t.db-wal"));
    }
}
