//! The throttle store in the database: the login and registration budgets of every instance
//! that shares it (migration 3, ADR 0021).
//!
//! The store does no arithmetic: the domain reads instants, applies its rules and writes the
//! result back with a compare-and-set. Each key's compare-and-set is one statement,
//! `INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING`: PostgreSQL takes the row's lock for
//! the check and the write, so of two instances that read the same instant exactly one writes
//! (the other's `WHERE` sees the new value after waiting for the first to commit, and returns
//! no row). Several keys are swapped in one transaction, in key order, so two attempts that
//! share keys never wait on each other in a cycle.

use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use taskforge_domain::ports::{RepositoryError, ThrottleStore, ThrottleSwap};

use crate::database::Inner;

/// Reads the instants of several keys.
const READ: &str = "SELECT key, expires_at FROM throttle_buckets WHERE key = ANY($1)";

/// One key's compare-and-set: inserts when the key has no row; otherwise updates only when
/// the row still holds the expected instant. Returns a row exactly when it wrote.
const SWAP: &str = "INSERT INTO throttle_buckets (key, expires_at) VALUES ($1, $3) \
                    ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at \
                    WHERE throttle_buckets.expires_at = $2 \
                    RETURNING 1";

/// Stores an instant whatever the key held.
const PUT: &str = "INSERT INTO throttle_buckets (key, expires_at) VALUES ($1, $2) \
                   ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at";

/// Forgets the rows that mean nothing any more (through `throttle_buckets_expires_at`).
pub const SWEEP: &str = "DELETE FROM throttle_buckets WHERE expires_at <= $1";

/// [`ThrottleStore`] over PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct PgThrottle {
    db: Arc<Inner>,
}

impl PgThrottle {
    pub(crate) const fn new(db: Arc<Inner>) -> Self {
        Self { db }
    }
}

/// A driver error of the throttle store: the connection failing, the server shutting down or
/// refusing connections means the store is unavailable for now; anything else is a bug.
fn err(e: tokio_postgres::Error) -> RepositoryError {
    match e.code().map(tokio_postgres::error::SqlState::code) {
        None => RepositoryError::unavailable(e),
        Some(code)
            if code.starts_with("08") || code.starts_with("53") || code.starts_with("57") =>
        {
            RepositoryError::unavailable(e)
        }
        Some(_) => RepositoryError::other(e),
    }
}

/// Runs one key's compare-and-set; true when it wrote.
async fn swap_one<C: GenericClient>(client: &C, s: &ThrottleSwap) -> Result<bool, RepositoryError> {
    let stmt = client.prepare_cached(SWAP).await.map_err(err)?;
    Ok(client.query_opt(&stmt, &[&s.key, &s.expected, &s.new]).await.map_err(err)?.is_some())
}

#[async_trait]
impl ThrottleStore for PgThrottle {
    async fn read(&self, keys: &[String]) -> Result<Vec<Option<i64>>, RepositoryError> {
        let client = self.db.client().await?;
        let stmt = client.prepare_cached(READ).await.map_err(err)?;
        let rows = client.query(&stmt, &[&keys]).await.map_err(err)?;
        let mut found = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            let key: String = row.try_get(0).map_err(err)?;
            let expires_at: i64 = row.try_get(1).map_err(err)?;
            found.insert(key, expires_at);
        }
        Ok(keys.iter().map(|k| found.get(k).copied()).collect())
    }

    async fn swap(&self, swaps: &[ThrottleSwap]) -> Result<bool, RepositoryError> {
        let mut client = self.db.client().await?;
        if let [only] = swaps {
            return swap_one(&client, only).await;
        }
        let mut ordered: Vec<&ThrottleSwap> = swaps.iter().collect();
        ordered.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        let tx = client.transaction().await.map_err(err)?;
        for s in ordered {
            if !swap_one(&tx, s).await? {
                // Dropping the transaction rolls it back: none of the swaps applies.
                return Ok(false);
            }
        }
        tx.commit().await.map_err(err)?;
        Ok(true)
    }

    async fn put(&self, key: &str, value: i64) -> Result<(), RepositoryError> {
        let client = self.db.client().await?;
        let stmt = client.prepare_cached(PUT).await.map_err(err)?;
        client.execute(&stmt, &[&key, &value]).await.map_err(err)?;
        Ok(())
    }

    async fn sweep(&self, now: i64) -> Result<u64, RepositoryError> {
        let client = self.db.client().await?;
        let stmt = client.prepare_cached(SWEEP).await.map_err(err)?;
        client.execute(&stmt, &[&now]).await.map_err(err)
    }
}

impl crate::PostgresDatabase {
    /// The login and registration budgets kept in this database, shared by every process that
    /// opens it (hand it to `AuthService::with_throttle_store`).
    #[must_use]
    pub fn throttle_store(&self) -> Arc<dyn ThrottleStore> {
        Arc::new(PgThrottle::new(Arc::clone(&self.inner)))
    }
}
