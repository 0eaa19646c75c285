//! The connections of one database: the reader pool and the writer handle. A leaf: it knows
//! no repository and not the database handle. The repositories and `SqliteDatabase` depend
//! on it (start reading the adapter here), never the other way round.

use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;
use taskforge_domain::ports::RepositoryError;

use crate::error::{Stopped, pool_err};
use crate::file_lock::FileLock;
use crate::writer::Writer;

/// The reader pool and the writer of one database, shared (in an `Arc`) by the database
/// handle and every repository.
#[derive(Debug)]
pub(crate) struct Connections {
    path: PathBuf,
    readers: Pool<SqliteConnectionManager>,
    writer: Writer,
    /// Values that must live as long as the database (see `SqliteDatabase::hold`).
    held: Mutex<Vec<Box<dyn Any + Send>>>,
    /// The shared lock that tells `taskforge restore` this process has the file open. Last, so
    /// that it is dropped after the reader connections; the writer thread holds it too until
    /// its connection is closed (see `file_lock.rs`).
    _lock: Option<Arc<FileLock>>,
}

impl Connections {
    /// The connections of the database at `path`.
    pub(crate) fn new(
        path: PathBuf,
        readers: Pool<SqliteConnectionManager>,
        writer: Writer,
        lock: Option<Arc<FileLock>>,
    ) -> Self {
        Self { path, readers, writer, held: Mutex::default(), _lock: lock }
    }

    /// The database file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The reader pool.
    pub(crate) const fn readers(&self) -> &Pool<SqliteConnectionManager> {
        &self.readers
    }

    /// The writer handle.
    pub(crate) const fn writer(&self) -> &Writer {
        &self.writer
    }

    /// Keeps `value` alive as long as these connections.
    pub(crate) fn hold(&self, value: Box<dyn Any + Send>) {
        self.held.lock().unwrap_or_else(PoisonError::into_inner).push(value);
    }

    /// Runs `read` with a pooled reader connection off the async reactor.
    pub(crate) async fn read<T, F>(&self, read: F) -> Result<T, RepositoryError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, RepositoryError> + Send + 'static,
    {
        let readers = self.readers.clone();
        let job = move || {
            let conn = readers.get().map_err(pool_err)?;
            read(&conn)
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => handle
                .spawn_blocking(job)
                .await
                .map_err(|_| RepositoryError::other(Stopped("reader task")))?,
            // Outside a runtime there is no reactor to protect: run here.
            Err(_) => job(),
        }
    }

    /// Runs `write` on the writer thread (see `writer.rs`).
    pub(crate) async fn write<T, F>(&self, write: F) -> Result<T, RepositoryError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, RepositoryError> + Send + 'static,
    {
        self.writer.write(write).await
    }
}
