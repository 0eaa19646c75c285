//! The PostgreSQL connection pool's figures on `/metrics`: how many connections this instance
//! holds, how many are idle, and its limit — what pool sizing (`docs/operations.md`) is judged
//! by. A pool that stays at its maximum with none idle makes requests wait for a connection.
//! Copied from the adapter's [`PoolStats`](taskforge_postgres::PoolStats) on a short interval;
//! the adapter itself knows nothing of metrics.

use std::time::Duration;

use metrics::Gauge;
use taskforge_http::HttpMetrics;
use taskforge_postgres::PostgresDatabase;

/// Gauge: connections open in this instance's pool.
pub const POOL_CONNECTIONS: &str = "taskforge_postgres_pool_connections";
/// Gauge: of those, idle.
pub const POOL_IDLE: &str = "taskforge_postgres_pool_idle_connections";
/// Gauge: the most connections the pool opens (`TASKFORGE_DATABASE_POOL_SIZE`).
pub const POOL_MAX: &str = "taskforge_postgres_pool_max_connections";

/// How often the gauges are copied.
const REFRESH_EVERY: Duration = Duration::from_millis(250);

#[derive(Debug)]
struct PoolSeries {
    connections: Gauge,
    idle: Gauge,
    max: Gauge,
}

impl PoolSeries {
    fn update(&self, db: &PostgresDatabase) {
        let stats = db.pool_stats();
        // Pool sizes are at most a thousand: exact in an f64.
        #[allow(clippy::cast_precision_loss)]
        {
            self.connections.set(stats.connections as f64);
            self.idle.set(stats.idle as f64);
            self.max.set(stats.max as f64);
        }
    }
}

/// Registers the pool's gauges in `metrics` and keeps them current from `db` until the
/// server's runtime stops. Must be called inside the server's (actix) runtime.
pub fn maintain(metrics: &HttpMetrics, db: PostgresDatabase) {
    let series = metrics.with_recorder(|| {
        metrics::describe_gauge!(POOL_CONNECTIONS, "connections open in the PostgreSQL pool");
        PoolSeries {
            connections: metrics::gauge!(POOL_CONNECTIONS),
            idle: metrics::gauge!(POOL_IDLE),
            max: metrics::gauge!(POOL_MAX),
        }
    });
    series.update(&db);
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(REFRESH_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            series.update(&db);
        }
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use taskforge_postgres::PostgresConfig;
    use taskforge_postgres::testing::ThrowawayDatabase;

    use super::*;

    #[actix_web::test]
    async fn the_pool_gauges_appear_on_the_metrics_page() {
        let Some(throwaway) = ThrowawayDatabase::create().await else { return };
        let db = PostgresDatabase::open(PostgresConfig::new(throwaway.url()).pool_size(3))
            .await
            .unwrap();
        db.ping().await.unwrap();
        let metrics = HttpMetrics::new();
        maintain(&metrics, db);
        let text = metrics.render();
        assert!(text.contains(&format!("{POOL_MAX} 3")), "{text}");
        for name in [POOL_CONNECTIONS, POOL_IDLE] {
            assert!(text.contains(name), "{name} missing from:\n{text}");
        }
    }
}
