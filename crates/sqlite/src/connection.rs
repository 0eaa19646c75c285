use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::config::Synchronous;

/// The pragmas every connection gets, reader or writer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pragmas {
    pub synchronous: Synchronous,
    pub busy_timeout: Duration,
}

/// Opens `path` read-write (creating it) without touching the file yet.
pub(crate) fn open(path: &Path) -> rusqlite::Result<Connection> {
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
}

/// Applies the pragmas of design §4. `journal_mode` is the first statement that reads the file,
/// so a file that is not a database fails here, with `SQLITE_NOTADB`.
pub(crate) fn configure(conn: &Connection, pragmas: Pragmas) -> rusqlite::Result<()> {
    conn.busy_timeout(pragmas.busy_timeout)?;
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
