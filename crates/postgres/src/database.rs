//! The database handle: open (connect, migrate, build the pool), repositories, readiness.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use taskforge_domain::ports::{Repositories, RepositoryError};
use tokio_postgres::NoTls;

use crate::categories::PgCategories;
use crate::config::PostgresConfig;
use crate::error::{MigrationError, OpenError, pool_err};
use crate::history::PgHistory;
use crate::migrations::{MIGRATIONS, Migrated, NewerMigration, migrate_reporting};
use crate::projects::PgProjects;
use crate::refresh_tokens::PgRefreshTokens;
use crate::reports::PgReports;
use crate::tasks::PgTasks;
use crate::trash::PgTrash;
use crate::users::PgUsers;

/// The pool's figures (for `/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Connections open.
    pub connections: usize,
    /// Of those, idle.
    pub idle: usize,
    /// The most the pool opens.
    pub max: usize,
}

/// An open TaskForge database on PostgreSQL: a pool of connections.
///
/// Cheap to clone (one `Arc`); every repository from [`PostgresDatabase::repositories`]
/// shares it. It holds no state of its own beyond the pool: any number of processes may open
/// the same database (what one writes, the others read; every rule is checked in the
/// database's own transactions).
#[derive(Debug, Clone)]
pub struct PostgresDatabase {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pool: Pool,
    /// The connection settings, for connections outside the pool (change notifications).
    pub(crate) pg: tokio_postgres::Config,
    /// Values that must live as long as the database (see [`PostgresDatabase::hold`]).
    held: std::sync::Mutex<Vec<Box<dyn std::any::Any + Send>>>,
    /// Expand-only migrations of a newer build found applied at open (ADR 0023).
    newer: Vec<NewerMigration>,
}

impl Inner {
    /// A pooled connection.
    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object, RepositoryError> {
        self.pool.get().await.map_err(pool_err)
    }
}

/// The session settings every TaskForge connection carries (in the connection's `options`).
#[must_use]
pub const fn session_options() -> &'static str {
    "-c plan_cache_mode=force_custom_plan"
}

/// The connection settings of `config`, with the session settings every TaskForge connection
/// needs appended to whatever `options` the URL carries.
fn connection_config(config: &PostgresConfig) -> Result<tokio_postgres::Config, OpenError> {
    let mut pg = tokio_postgres::Config::from_str(&config.url)
        .map_err(|e| OpenError::Config(e.to_string()))?;
    // Listing and report statements test optional filters as `$n IS NULL OR …`: a plan made
    // for the bound values folds the absent ones away and uses the index of the present ones,
    // where a generic plan, cached after five executions, would have to serve every
    // combination at once.
    let session = session_options();
    let options = match pg.get_options() {
        Some(existing) if !existing.is_empty() => format!("{existing} {session}"),
        _ => session.to_owned(),
    };
    pg.options(options);
    if pg.get_application_name().is_none() {
        pg.application_name("taskforge");
    }
    if pg.get_connect_timeout().is_none() {
        pg.connect_timeout(Duration::from_secs(10));
    }
    Ok(pg)
}

impl PostgresDatabase {
    /// Connects to the database of `config`, brings its schema up to date with the embedded
    /// migrations (under an advisory lock: several processes starting at once migrate once),
    /// and builds the connection pool.
    ///
    /// # Errors
    /// [`OpenError::Config`] for unparsable settings, [`OpenError::Connect`] when the server
    /// cannot be reached or refuses the login, [`OpenError::Migration`] for a schema a newer
    /// build changed with a contract step (its expand-only steps are accepted and listed by
    /// [`PostgresDatabase::newer_migrations`]), an edited migration or a failing one.
    pub async fn open(config: PostgresConfig) -> Result<Self, OpenError> {
        let pg = connection_config(&config)?;
        let migrated = Self::migrate_with(&pg, config.create).await?;
        let manager = Manager::from_config(
            pg.clone(),
            NoTls,
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        let pool = Pool::builder(manager)
            .max_size(config.pool_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(10)))
            .build()
            .map_err(|e| OpenError::Config(e.to_string()))?;
        let held = std::sync::Mutex::new(Vec::new());
        Ok(Self { inner: Arc::new(Inner { pool, pg, held, newer: migrated.newer }) })
    }

    /// Applies the pending migrations of the database of `config` and returns how many were
    /// applied (0 when it was up to date, or another process migrated it first). What
    /// `taskforge migrate` runs.
    ///
    /// # Errors
    /// As [`PostgresDatabase::open`].
    pub async fn migrate(config: &PostgresConfig) -> Result<usize, OpenError> {
        let migrated = Self::migrate_with(&connection_config(config)?, config.create).await?;
        Ok(migrated.applied)
    }

    /// The applied migrations this build does not know, all expand-only steps of a newer build
    /// (a rollout under way, ADR 0023): empty normally. Opening refuses any other unknown one.
    #[must_use]
    pub fn newer_migrations(&self) -> &[NewerMigration] {
        &self.inner.newer
    }

    async fn migrate_with(
        pg: &tokio_postgres::Config,
        create: bool,
    ) -> Result<Migrated, OpenError> {
        // A dedicated connection: the advisory lock is held by a session, and this session
        // ends (releasing it whatever happens) when the connection is dropped below.
        let (mut client, connection) = pg.connect(NoTls).await.map_err(OpenError::Connect)?;
        let driver = tokio::spawn(connection);
        if !create {
            let row = client
                .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
                .await
                .map_err(OpenError::Connect)?;
            if !row.try_get::<_, bool>(0).map_err(OpenError::Connect)? {
                return Err(OpenError::NoSchema);
            }
        }
        let migrated = migrate_reporting(&mut client, MIGRATIONS).await.map_err(|e| match e {
            MigrationError::VersionTable(source) if source.code().is_none() => {
                OpenError::Connect(source)
            }
            other => OpenError::Migration(other),
        });
        drop(client);
        // The driver ends once the client is gone; its own error adds nothing here.
        drop(driver.await);
        migrated
    }

    /// Every repository port, sharing this database.
    #[must_use]
    pub fn repositories(&self) -> Repositories {
        Repositories {
            users: Arc::new(PgUsers::new(Arc::clone(&self.inner))),
            projects: Arc::new(PgProjects::new(Arc::clone(&self.inner))),
            categories: Arc::new(PgCategories::new(Arc::clone(&self.inner))),
            tasks: Arc::new(PgTasks::new(Arc::clone(&self.inner))),
            refresh_tokens: Arc::new(PgRefreshTokens::new(Arc::clone(&self.inner))),
            reports: Arc::new(PgReports::new(Arc::clone(&self.inner))),
            history: Arc::new(PgHistory::new(Arc::clone(&self.inner))),
            trash: Arc::new(PgTrash::new(Arc::clone(&self.inner))),
        }
    }

    /// Keeps `value` alive as long as the database (tests: the throwaway database it lives in).
    pub fn hold<T: Send + 'static>(&self, value: T) {
        if let Ok(mut held) = self.inner.held.lock() {
            held.push(Box::new(value));
        }
    }

    /// One round trip to the server (`/ready`).
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when no connection can be had or the server does not
    /// answer.
    pub async fn ping(&self) -> Result<(), RepositoryError> {
        let client = self.inner.client().await?;
        client.simple_query("SELECT 1").await.map_err(RepositoryError::unavailable)?;
        Ok(())
    }

    /// The pool's figures.
    #[must_use]
    pub fn pool_stats(&self) -> PoolStats {
        let status = self.inner.pool.status();
        PoolStats { connections: status.size, idle: status.available, max: status.max_size }
    }
}
