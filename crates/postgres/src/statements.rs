//! Running statements: every one through the connection's statement cache (prepared once per
//! connection, then only bound and executed), every driver error translated at this boundary.

use deadpool_postgres::GenericClient;
use taskforge_domain::ports::{Entity, RepositoryError};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::error::map_err;

/// Parameters of a statement.
pub(crate) type Params<'a> = [&'a (dyn ToSql + Sync)];

/// Every row `sql` returns.
pub(crate) async fn rows<C: GenericClient>(
    client: &C,
    entity: Entity,
    sql: &str,
    params: &Params<'_>,
) -> Result<Vec<Row>, RepositoryError> {
    let stmt = client.prepare_cached(sql).await.map_err(|e| map_err(entity, e))?;
    client.query(&stmt, params).await.map_err(|e| map_err(entity, e))
}

/// The row `sql` returns, if any (at most one expected).
pub(crate) async fn opt<C: GenericClient>(
    client: &C,
    entity: Entity,
    sql: &str,
    params: &Params<'_>,
) -> Result<Option<Row>, RepositoryError> {
    let stmt = client.prepare_cached(sql).await.map_err(|e| map_err(entity, e))?;
    client.query_opt(&stmt, params).await.map_err(|e| map_err(entity, e))
}

/// How many rows `sql` changed.
pub(crate) async fn exec<C: GenericClient>(
    client: &C,
    entity: Entity,
    sql: &str,
    params: &Params<'_>,
) -> Result<u64, RepositoryError> {
    let stmt = client.prepare_cached(sql).await.map_err(|e| map_err(entity, e))?;
    client.execute(&stmt, params).await.map_err(|e| map_err(entity, e))
}

/// True when `sql` returns a row.
pub(crate) async fn exists<C: GenericClient>(
    client: &C,
    entity: Entity,
    sql: &str,
    params: &Params<'_>,
) -> Result<bool, RepositoryError> {
    Ok(opt(client, entity, sql, params).await?.is_some())
}

/// The name of the constraint a driver error violated, if it is a constraint violation.
pub(crate) fn violated_constraint(e: &tokio_postgres::Error) -> Option<&str> {
    e.as_db_error().and_then(|d| d.constraint())
}

/// [`exec`] with the driver's error as it is, for callers that tell constraint violations
/// apart by constraint name.
pub(crate) async fn exec_raw<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &Params<'_>,
) -> Result<u64, tokio_postgres::Error> {
    let stmt = client.prepare_cached(sql).await?;
    client.execute(&stmt, params).await
}
