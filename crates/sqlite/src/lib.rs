//! # taskforge-sqlite
//!
//! TaskForge's embedded default store: SQLite adapters for every repository port of
//! [`taskforge_domain::ports`] (users, projects, categories, tasks, refresh tokens, reports).
//!
//! **What it depends on:** the domain crate (the ports it implements), `rusqlite` with SQLite
//! bundled, `r2d2` / `r2d2_sqlite` for the reader pool and `tokio` only to leave the async
//! reactor (`spawn_blocking`) and to hand results back (`oneshot`). It never depends on the
//! HTTP adapter and never reads the environment: configuration arrives as a [`SqliteConfig`].
//!
//! **Where to start reading:** `connections.rs`, the leaf every repository depends on (the
//! reader pool and the writer handle, and how a read or a write reaches them); then
//! [`SqliteDatabase::open`] in `database.rs` (open, migrate, build those connections and hand
//! them to the repositories), then `writer.rs` (one writer thread, group commit with a
//! savepoint per write), then `tasks.rs` and `listing/` (the task port and its index-driven
//! listing). The schema lives in the repository's top-level `migrations/sqlite/` folder.
//!
//! **What it promises, and how:**
//! - Reads run on `spawn_blocking` with a pooled connection; writes are closures sent to one
//!   writer thread that owns the only writing connection. SQLite allows one writer at a time,
//!   so funnelling writes avoids `SQLITE_BUSY` instead of retrying it, and the writer commits
//!   everything queued as one transaction (group commit: one fsync for many requests), with
//!   a savepoint per request so one failing write does not fail its neighbours.
//! - Every statement is a string literal with `?` parameters. Listing variants are chosen from
//!   a fixed table of literals (`listing/`), never built from user text.
//! - Every listing is served by an index in keyset order; `tests/query_plans.rs` proves it with
//!   `EXPLAIN QUERY PLAN` on every variant, and names the two shapes that cannot be (a full-text
//!   search sorts its matches; an administrator's due-range-only listing sorted by another field
//!   walks the sort index).
//!
//! ```no_run
//! # async fn demo() -> Result<(), taskforge_sqlite::OpenError> {
//! use taskforge_sqlite::{SqliteConfig, SqliteDatabase, Synchronous};
//!
//! let db = SqliteDatabase::open(SqliteConfig::new("taskforge.db").synchronous(Synchronous::Full))
//!     .await?;
//! let repos = db.repositories(); // taskforge_domain::ports::Repositories
//! # let _ = repos; Ok(()) }
//! ```
#![forbid(unsafe_code)]

/// The category repository.
mod categories;
/// Row ↔ domain conversions shared by the repositories.
mod codec;
/// Connection settings: path, durability, pool size.
mod config;
/// Pragmas applied to every connection.
mod connection;
/// The leaf every repository depends on: the reader pool and the writer handle.
mod connections;
/// The database handle: open, repositories, backup, statistics.
mod database;
/// Open errors and the driver-error → `RepositoryError` mapping.
mod error;
/// The lock every process holds on an open database file, and `restore` takes exclusively.
mod file_lock;
/// The change log: reads, and the append every recorded write makes.
mod history;
/// Task listing: the allow-list of listing statements and their parameters.
mod listing;
/// The embedded migration runner.
mod migrations;
/// The project repository.
mod projects;
/// The refresh-token repository.
mod refresh_tokens;
/// The report repository: summary and top open tasks, aggregated by index-only statements.
mod reports;
/// `taskforge restore`: check a backup, then swap it in under the exclusive lock.
mod restore;
/// What a task write re-checks inside its savepoint: references, guards, subtree walks.
mod task_integrity;
/// The task repository.
mod tasks;
/// The trash: deleted task subtrees, restore and purge.
mod trash;
/// The user repository.
mod users;
/// The writer thread: one connection, group commit, savepoint per write.
mod writer;

pub use config::{SqliteConfig, Synchronous};
pub use database::{ReaderPoolStats, SqliteDatabase};
pub use error::{MigrationError, OpenError};
pub use migrations::{MigrationKind, NewerMigration};
pub use restore::{RestoreError, Restored};
pub use writer::WriterStats;

/// Internals exposed for this crate's own integration tests (query plans, statement counts).
/// Not part of the public API: no stability promise.
#[doc(hidden)]
pub mod internals {
    pub use crate::categories::{BY_ID_STATEMENT, NAMES_STATEMENT, PAGE_STATEMENT};
    pub use crate::connection::{observe_statements, reader};
    pub use crate::history::{AFTER_STATEMENT, PROJECT_PAGE_STATEMENT, TASK_PAGE_STATEMENT};
    pub use crate::listing::{list_statement, list_tasks_on};
    pub use crate::migrations::{
        MIGRATIONS, Migrated, Migration, checksum, migrate, migrate_reporting,
    };
    pub use crate::reports::{
        summary_on, summary_parameters, summary_statement, top_open_on, top_parameters,
        top_statement,
    };
    pub use crate::tasks::insert_task;
    pub use crate::trash::{AGED_STATEMENT, PAGE_STATEMENT as TRASH_PAGE_STATEMENT};
}
