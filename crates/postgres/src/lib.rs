//! # taskforge-postgres
//!
//! TaskForge's store for more than one machine: PostgreSQL adapters for every repository port
//! of [`taskforge_domain::ports`] (users, projects, categories, tasks, refresh tokens,
//! reports), proven by the same contract suite as the memory and SQLite adapters.
//!
//! **What it depends on:** the domain crate (the ports it implements), `tokio-postgres` and
//! `deadpool-postgres` for the connection pool (adr/0016-postgresql-client.md), `tokio` to
//! drive connections. It never depends on another adapter and never reads the environment:
//! configuration arrives as a [`PostgresConfig`].
//!
//! **Where to start reading:** [`PostgresDatabase::open`] in `database.rs` (migrate under an
//! advisory lock, build the pool), then `task_integrity.rs` (which row locks keep a checked
//! fact true until the write commits — the guarantees SQLite's single writer gave by
//! construction) and `tasks.rs`, then `listing.rs`. The schema lives in the repository's
//! top-level `migrations/postgres/` folder.
//!
//! **Every listing reads through an index:** `tests/query_plans.rs` runs `EXPLAIN (FORMAT
//! JSON)` of every listing variant, and of the reports of one project, on 100,000 tasks and
//! fails on a sequential scan of `tasks` or a sort of more rows than the page (text search and
//! a due-date range in another order excepted, as in the SQLite dialect).
//!
//! **Several processes, one database:** the adapter keeps no state of its own beyond its pool.
//! Every rule that spans rows is checked inside the database's transaction that writes, with
//! row locks, so any number of `taskforge serve` processes may share one database.
//!
//! ```no_run
//! # async fn demo() -> Result<(), taskforge_postgres::OpenError> {
//! use taskforge_postgres::{PostgresConfig, PostgresDatabase};
//!
//! let db = PostgresDatabase::open(PostgresConfig::new("postgres://taskforge@db/taskforge"))
//!     .await?;
//! let repos = db.repositories(); // taskforge_domain::ports::Repositories
//! # let _ = repos; Ok(()) }
//! ```
#![forbid(unsafe_code)]

/// The category repository.
mod categories;
/// Change notifications between instances (LISTEN/NOTIFY).
mod changes;
/// Row ↔ domain conversions shared by the repositories.
mod codec;
/// Connection settings, and telling a PostgreSQL URL from a file path.
mod config;
/// The database handle: open, migrate, repositories, readiness.
mod database;
/// Open errors and the driver-error → `RepositoryError` mapping.
mod error;
/// The change log: reads, and the append every recorded write makes.
mod history;
/// Task listing: one statement per sort, keyset-paginated.
mod listing;
/// The embedded migration runner, under an advisory lock.
mod migrations;
/// The project repository.
mod projects;
/// The refresh-token repository.
mod refresh_tokens;
/// The report repository.
mod reports;
/// Retrying a write that lost a race between writers.
mod retry;
/// Running statements through the statement cache.
mod statements;
/// What a task write re-checks, and the row locks that keep it true.
mod task_integrity;
/// The task repository.
mod tasks;
/// Throwaway databases for tests.
#[cfg(feature = "testing")]
pub mod testing;
/// The login and registration budgets, shared by every instance.
mod throttle;
/// The trash: deleted task subtrees, restore and purge.
mod trash;
/// The user repository.
mod users;

pub use changes::{CHANNEL, Change, ChangeHandler};
pub use config::{PostgresConfig, is_postgres_url, redact_url};
pub use database::{PoolStats, PostgresDatabase};
pub use error::{MigrationError, OpenError};
pub use migrations::{MigrationKind, NewerMigration};

/// Internals exposed for this crate's own integration tests. Not part of the public API.
#[doc(hidden)]
pub mod internals {
    pub use crate::database::session_options;
    pub use crate::error::map_err;
    pub use crate::history::{AFTER_STATEMENT, PROJECT_PAGE_STATEMENT, TASK_PAGE_STATEMENT};
    pub use crate::listing::{ListParams, list_statement};
    pub use crate::migrations::{
        LOCK_KEY, MIGRATIONS, Migrated, Migration, checksum, migrate, migrate_reporting,
    };
    pub use crate::reports::{SUMMARY_STATEMENT, TOP_STATEMENT};
    pub use crate::throttle::SWEEP as THROTTLE_SWEEP_STATEMENT;
    pub use crate::trash::{AGED_STATEMENT, PAGE_STATEMENT as TRASH_PAGE_STATEMENT};
}
