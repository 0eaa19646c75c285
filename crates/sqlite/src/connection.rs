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

/// Reader connections additionally refuse to write: a bug that writes outside the writer thread
/// fails at once instead of racing it.
pub(crate) fn configure_reader(conn: &Connection, pragmas: Pragmas) -> rusqlite::Result<()> {
    configure(conn, pragmas)?;
    conn.pragma_update(None, "query_only", true)
}
