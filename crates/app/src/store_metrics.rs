//! Upkeep of the `/metrics` registry, and the SQLite writer's counters in it.
//!
//! **Upkeep.** The HTTP crate's registry ([`HttpMetrics`](taskforge_http::HttpMetrics)) is a Prometheus recorder built
//! without the exporter's background task, and its latency histogram keeps every sample until
//! the samples are drained — which only rendering does. Without a scraper, memory grew by about
//! 15 MB per million requests (measured: 9 MB → 70 MB over 3.7 million requests). So the
//! registry is drained every [`UPKEEP_EVERY`](crate::store_metrics::UPKEEP_EVERY), scraped or not.
//!
//! **Writer counters.** How many writes the SQLite writer ran and how many transactions
//! committed them, so an operator (and the benchmark, `docs/benchmarks.md`) can see group
//! commit at work — `writes / commits` is the average batch. They are registered through
//! [`HttpMetrics::with_recorder`](taskforge_http::HttpMetrics::with_recorder) and copied from the adapter's
//! [`WriterStats`](taskforge_sqlite::WriterStats) on a short interval: a handful of atomic
//! loads; the adapter itself knows nothing of metrics.

use std::time::Duration;

use metrics::{Counter, Gauge};
use taskforge_http::HttpMetrics;
use taskforge_sqlite::SqliteDatabase;

/// Write requests executed by the writer thread.
pub const WRITES_TOTAL: &str = "taskforge_sqlite_writes_total";
/// Write requests rolled back to their savepoint.
pub const FAILED_WRITES_TOTAL: &str = "taskforge_sqlite_failed_writes_total";
/// Transactions committed (fewer than writes when group commit batched them).
pub const COMMITS_TOTAL: &str = "taskforge_sqlite_commits_total";
/// Transactions that could not commit.
pub const FAILED_COMMITS_TOTAL: &str = "taskforge_sqlite_failed_commits_total";
/// The largest number of writes committed together so far.
pub const LARGEST_BATCH: &str = "taskforge_sqlite_largest_batch";
/// Gauge: reader connections open in the pool.
pub const POOL_CONNECTIONS: &str = "taskforge_sqlite_pool_connections";
/// Gauge: reader connections idle in the pool.
pub const POOL_IDLE: &str = "taskforge_sqlite_pool_idle_connections";
/// Gauge: the most reader connections the pool opens.
pub const POOL_MAX: &str = "taskforge_sqlite_pool_max_connections";

/// How often the counters are copied: a scrape sees values at most this old.
pub const REFRESH_EVERY: Duration = Duration::from_millis(250);
/// How often the registry's histogram samples are drained (and so how much memory they may
/// hold at most: one interval of requests, ~8 bytes each).
pub const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The registered series, fed from one database.
#[derive(Debug)]
struct WriterSeries {
    writes: Counter,
    failed_writes: Counter,
    commits: Counter,
    failed_commits: Counter,
    largest_batch: Gauge,
    pool_connections: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
}

impl WriterSeries {
    fn register(metrics: &HttpMetrics) -> Self {
        metrics.with_recorder(|| {
            metrics::describe_counter!(WRITES_TOTAL, "write requests run by the sqlite writer");
            metrics::describe_counter!(COMMITS_TOTAL, "transactions committed by the writer");
            Self {
                writes: metrics::counter!(WRITES_TOTAL),
                failed_writes: metrics::counter!(FAILED_WRITES_TOTAL),
                commits: metrics::counter!(COMMITS_TOTAL),
                failed_commits: metrics::counter!(FAILED_COMMITS_TOTAL),
                largest_batch: metrics::gauge!(LARGEST_BATCH),
                pool_connections: metrics::gauge!(POOL_CONNECTIONS),
                pool_idle: metrics::gauge!(POOL_IDLE),
                pool_max: metrics::gauge!(POOL_MAX),
            }
        })
    }

    fn update(&self, db: &SqliteDatabase) {
        let stats = db.stats();
        self.writes.absolute(stats.writes);
        self.failed_writes.absolute(stats.failed_writes);
        self.commits.absolute(stats.commits);
        self.failed_commits.absolute(stats.failed_commits);
        #[allow(clippy::cast_precision_loss)] // a batch size is far below 2^52
        self.largest_batch.set(stats.largest_batch as f64);
        let pool = db.reader_pool();
        self.pool_connections.set(f64::from(pool.connections));
        self.pool_idle.set(f64::from(pool.idle));
        self.pool_max.set(f64::from(pool.max));
    }
}

/// Keeps `metrics` drained and, for an SQLite store, registers the writer's counters in it and
/// keeps them current from `db`, until the server's runtime stops. Must be called inside the
/// server's (actix) runtime.
pub fn maintain(metrics: &HttpMetrics, db: Option<SqliteDatabase>) {
    let series = db.map(|db| {
        let series = WriterSeries::register(metrics);
        series.update(&db);
        (series, db)
    });
    let metrics = metrics.clone();
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(REFRESH_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let upkeep_ticks = (UPKEEP_EVERY.as_millis() / REFRESH_EVERY.as_millis()).max(1);
        let mut tick: u128 = 0;
        loop {
            every.tick().await;
            if let Some((series, db)) = &series {
                series.update(db);
            }
            tick += 1;
            if tick.is_multiple_of(upkeep_ticks) {
                // `HttpMetrics` offers no upkeep call of its own: rendering drains the
                // histograms (a few kB of text, thrown away).
                drop(metrics.render());
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use taskforge_sqlite::SqliteConfig;

    #[actix_web::test]
    async fn the_writer_counters_appear_on_the_metrics_page() {
        let dir = tempfile::tempdir().unwrap();
        let db = SqliteDatabase::open(SqliteConfig::new(dir.path().join("m.db"))).await.unwrap();
        let metrics = HttpMetrics::new();
        maintain(&metrics, Some(db));
        let text = metrics.render();
        for name in [WRITES_TOTAL, COMMITS_TOTAL, FAILED_WRITES_TOTAL, LARGEST_BATCH] {
            assert!(text.contains(name), "{name} missing from:\n{text}");
        }
    }
}
