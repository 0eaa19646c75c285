use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::trace::{TraceEvent, TraceEventCodes};
use rusqlite::{Connection, OpenFlags};

use crate::config::{SqliteConfig, Synchronous};

/// A test's window on every statement run by every connection opened after it is set: SQLite
/// calls it once per finished statement (`SQLITE_TRACE_PROFILE`), with the statement's handle,
/// so a test can read the statement's counters (`crate::internals::observe_statements`).
static OBSERVER: OnceLock<fn(TraceEvent<'_>)> = OnceLock::new();

/// Installs `observer` on every connection configured from now on, in this process. The first
/// call wins; later ones return false.
pub fn observe_statements(observer: fn(TraceEvent<'_>)) -> bool {
    OBSERVER.set(observer).is_ok()
}

/// A connection to the existing database at `path`, set up exactly as the adapter's pooled
/// readers are (default pragmas), for tests that run the adapter's statements by hand.
///
/// # Errors
/// Whatever SQLite reports opening or configuring it.
pub fn reader(path: &Path) -> rusqlite::Result<Connection> {
    let defaults = SqliteConfig::new(path);
    let conn = open(path, false)?;
    configure_reader(
        &conn,
        Pragmas { synchronous: defaults.synchronous, busy_timeout: defaults.busy_timeout },
    )?;
    Ok(conn)
}

/// The pragmas every connection gets, reader or writer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pragmas {
    pub synchronous: Synchronous,
    pub busy_timeout: Duration,
}

/// Opens `path` read-write without touching its content yet. With `create`, a missing file
/// is created first, private to its owner ([`create_private`]); without, a missing file is an
/// error (`SQLITE_CANTOPEN`) and nothing is created.
pub(crate) fn open(path: &Path, create: bool) -> rusqlite::Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    if create {
        if is_plain_file(path) {
            match create_private(path) {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                other => other,
            }
            .map_err(|e| {
                rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                    Some(format!("cannot create the file: {e}")),
                )
            })?;
        }
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    Connection::open_with_flags(path, flags)
}

/// Whether `path` names a file of its own, as opposed to SQLite's special names (`:memory:`,
/// the empty temporary database) and URIs (`file:…`), which SQLite resolves itself.
pub(crate) fn is_plain_file(path: &Path) -> bool {
    let text = path.as_os_str().to_string_lossy();
    !(text.is_empty() || text == ":memory:" || text.starts_with("file:"))
}

/// Creates `path` as a new, empty file readable and writable by its owner only (mode `0600`
/// on Unix). Fails with [`std::io::ErrorKind::AlreadyExists`] when it exists (and leaves it).
///
/// Why here and not by SQLite: SQLite creates a database file with mode `0644` less the
/// umask, so under the common umask `022` anyone on the machine could read every password
/// hash and task. An empty file is a valid empty database to SQLite, and SQLite creates the
/// `-wal` and `-shm` files with the mode of the database file they belong to, so making this
/// one private makes all three private. The mode is set explicitly after creating the file
/// because the umask can only take bits away, and an unusual umask (say `0277`) would
/// otherwise leave the owner unable to write.
pub(crate) fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    drop(file);
    Ok(())
}

/// Whether the database on `conn` was ever migrated by TaskForge (it has the version table).
/// The first read of the file, so a file that is not a database fails here (`SQLITE_NOTADB`).
pub(crate) fn has_schema(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'",
        [],
        |row| row.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// Applies the pragmas (WAL, foreign keys, busy timeout, `synchronous`; ADR 0005). `journal_mode`
/// is the first statement that reads the file, so a file that is not a database fails here, with
/// `SQLITE_NOTADB`.
pub(crate) fn configure(conn: &Connection, pragmas: Pragmas) -> rusqlite::Result<()> {
    conn.busy_timeout(pragmas.busy_timeout)?;
    // The query planner's stability guarantee: plans never depend on bound values. Without it,
    // a statement whose planning looked at a parameter (`LIMIT ?14` in every listing, the
    // range estimates STAT4 makes after ANALYZE, FTS5's own `LIMIT`-bearing statements) is
    // marked stale whenever that parameter is bound again — and the statement cache clears the
    // bindings of every statement it takes back — so each execution compiled the statement
    // afresh (`sqlite3Reprepare`, ~70% of the listing's CPU in the profile that
    // docs/benchmarks.md shows). Our plans are chosen by the SQL text (`INDEXED BY`, one
    // statement per variant), not by values, so nothing is lost; `tests/reprepare.rs` holds every statement to zero re-prepares.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(format!("could not switch the journal to WAL (still {mode})")),
        ));
    }
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", pragmas.synchronous.pragma_value())?;
    // Many listing statements are prepared from a fixed table; keep them all cached.
    conn.set_prepared_statement_cache_capacity(512);
    if let Some(observer) = OBSERVER.get() {
        conn.trace_v2(TraceEventCodes::SQLITE_TRACE_PROFILE, Some(*observer));
    }
    Ok(())
}

/// Refuses a database file that is not a whole number of pages: SQLite only ever writes and
/// truncates whole pages, so a torn size means the file was cut short (a failed copy, a full
/// disk during a `cp`). SQLite itself notices a file shorter than its header's page count,
/// but not one cut inside its last page; that one would only fail later, on the first query
/// that reads the page, as a 500. Checking costs one `stat`, unlike `PRAGMA quick_check`,
/// which reads the whole file and would make start-up time grow with the database.
pub(crate) fn check_whole_pages(conn: &Connection, path: &Path) -> rusqlite::Result<()> {
    // A URI or a special name has no plain file to measure; SQLite checks what it can.
    let Ok(metadata) = std::fs::metadata(path) else { return Ok(()) };
    let page_size: u32 = conn.query_row("PRAGMA page_size", [], |row| row.get(0))?;
    let page_size = u64::from(page_size);
    if page_size > 0 && metadata.len() % page_size != 0 {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some(format!(
                "the file is {} bytes, not a whole number of {page_size}-byte pages: \
                 it was cut short",
                metadata.len()
            )),
        ));
    }
    Ok(())
}

/// Reader connections additionally refuse to write: a bug that writes outside the writer thread
/// fails at once instead of racing it.
pub(crate) fn configure_reader(conn: &Connection, pragmas: Pragmas) -> rusqlite::Result<()> {
    configure(conn, pragmas)?;
    conn.pragma_update(None, "query_only", true)
}
