//! Who has a database file open: every TaskForge process that opens a database holds a shared
//! lock on the file for as long as it has it open, and `restore` replaces the file only under
//! an exclusive one (ADR 0015).
//!
//! **Why a lock of our own** and not SQLite's: in WAL mode SQLite lets any number of
//! connections share the file and keeps its own locks in the `-shm` file, with no public way
//! to ask "is anyone else here?". Replacing the file under a running server would leave it
//! serving the old, unlinked file (or worse, replaying its WAL onto the new one).
//!
//! **Why `flock` on the database file itself** (`std::fs::File::try_lock_shared`) rather than a
//! separate lock file: the lock then belongs to exactly the file (inode) a process opened, no
//! extra file is created beside the database, and the kernel drops it when the process dies,
//! however it dies. On Linux and the BSDs `flock` locks are independent of the POSIX record
//! locks SQLite takes on the same file, so the two do not disturb each other. The handle must
//! stay open as long as SQLite's connections do: closing *any* descriptor of a file drops the
//! process's POSIX locks on it, so [`FileLock`] is the last thing a database drops.
//!
//! Only TaskForge processes take this lock; another program (the `sqlite3` shell) holding the
//! database is not seen. Outside Unix nothing is locked (Windows locks are mandatory and would
//! block SQLite's own reads and writes).

use std::fs::File;
use std::path::Path;

/// A lock held on a database file; released when dropped (or when the process ends).
#[derive(Debug)]
pub(crate) struct FileLock {
    // Never read: holding the open, locked descriptor is the point.
    _file: File,
}

/// Why a lock could not be taken.
#[derive(Debug)]
pub(crate) enum LockError {
    /// Another process holds a lock that conflicts with the one asked for.
    Held,
    /// The file could not be opened or locked.
    Io(std::io::Error),
}

/// How to lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LockKind {
    /// Many holders at once; conflicts with an exclusive lock only (every process that serves
    /// or reads the database).
    Shared,
    /// One holder and nobody else (replacing the file).
    Exclusive,
}

/// How often the file at `path` may be found replaced between opening and locking it before
/// giving up: each time means another process swapped the file in that instant.
const ATTEMPTS: usize = 3;

/// Takes a `kind` lock on the file at `path`, without waiting. `Ok(None)` when there is no
/// plain file to lock (a URI or special name, or not Unix) or it cannot be opened for reading,
/// in which case opening it with SQLite will fail with SQLite's own, more useful error.
///
/// After locking, the file at `path` is checked to be still the one locked: a restore that
/// renamed a new file into place in between would otherwise leave the caller holding (and
/// serving) the replaced file.
pub(crate) fn lock(path: &Path, kind: LockKind) -> Result<Option<FileLock>, LockError> {
    if !cfg!(unix) || !crate::connection::is_plain_file(path) {
        return Ok(None);
    }
    for _ in 0..ATTEMPTS {
        let Ok(file) = File::open(path) else { return Ok(None) };
        let locked = match kind {
            LockKind::Shared => file.try_lock_shared(),
            LockKind::Exclusive => file.try_lock(),
        };
        match locked {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(LockError::Held),
            Err(std::fs::TryLockError::Error(e)) => return Err(LockError::Io(e)),
        }
        if same_file(&file, path).map_err(LockError::Io)? {
            return Ok(Some(FileLock { _file: file }));
        }
    }
    Err(LockError::Held)
}

/// Whether `path` still names the file open as `file`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> std::io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let open = file.metadata()?;
    match std::fs::metadata(path) {
        Ok(now) => Ok(open.dev() == now.dev() && open.ino() == now.ino()),
        // Renamed away or removed meanwhile: not the same file any more.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, _path: &Path) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;

    #[test]
    fn shared_locks_coexist_and_exclude_an_exclusive_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        std::fs::write(&path, b"").unwrap();

        let first = lock(&path, LockKind::Shared).unwrap();
        let second = lock(&path, LockKind::Shared).unwrap();
        assert!(first.is_some() && second.is_some());
        assert!(matches!(lock(&path, LockKind::Exclusive), Err(LockError::Held)));

        drop((first, second));
        let exclusive = lock(&path, LockKind::Exclusive).unwrap();
        assert!(exclusive.is_some());
        assert!(matches!(lock(&path, LockKind::Shared), Err(LockError::Held)));
    }

    #[test]
    fn a_file_replaced_after_an_exclusive_lock_is_free_to_lock() {
        // The lock belongs to the file, not the name: once a restore renamed a new file into
        // place, a server may open the new one while the restore still holds the old.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        std::fs::write(&path, b"old").unwrap();
        let old = lock(&path, LockKind::Exclusive).unwrap();
        let staged = dir.path().join("db.new");
        std::fs::write(&staged, b"new").unwrap();
        std::fs::rename(&staged, &path).unwrap();

        assert!(lock(&path, LockKind::Shared).unwrap().is_some());
        drop(old);
    }

    #[test]
    fn special_names_and_missing_files_are_not_locked() {
        assert!(lock(Path::new(":memory:"), LockKind::Exclusive).unwrap().is_none());
        assert!(lock(Path::new("file:x?mode=memory"), LockKind::Exclusive).unwrap().is_none());
        let dir = tempfile::tempdir().unwrap();
        assert!(lock(&dir.path().join("absent"), LockKind::Shared).unwrap().is_none());
    }
}
