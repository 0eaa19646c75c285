//! The PostgreSQL twin of `crates/sqlite/tests/trash_plans.rs`: with 50,000 seeded trash
//! entries in 10 projects and ANALYZE, a project's trash page reads `trash_project` and the
//! retention sweep `trash_age`, with no sequential scan and no sort.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;

use taskforge_postgres::internals::{AGED_STATEMENT, TRASH_PAGE_STATEMENT, session_options};
use taskforge_postgres::testing::ThrowawayDatabase;
use taskforge_postgres::{PostgresConfig, PostgresDatabase};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls};
use uuid::Uuid;

const SEED: &str = "
INSERT INTO trash (root_id, project_id, trashed_at, trashed_by)
SELECT md5('root' || i)::uuid, md5('project' || (i % 10))::uuid, i, md5('user')::uuid
FROM generate_series(1, 50000) i;
SET default_statistics_target = 1000;
ANALYZE;
";

async fn connect(url: &str) -> Client {
    let mut config = tokio_postgres::Config::from_str(url).unwrap();
    config.options(session_options());
    let (client, connection) = config.connect(NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

async fn plan(client: &Client, sql: &str, params: &[&(dyn ToSql + Sync)]) -> String {
    let explain = String::from("EXPLAIN ") + sql;
    let rows = client.query(explain.as_str(), params).await.unwrap();
    rows.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>().join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trash_pages_and_the_sweep_are_index_range_reads_without_sorting() {
    let Some(throwaway) = ThrowawayDatabase::create().await else { return };
    let db = PostgresDatabase::open(PostgresConfig::new(throwaway.url())).await.unwrap();
    let client = connect(throwaway.url()).await;
    client.batch_execute(SEED).await.unwrap();
    let project: Uuid = client.query_one("SELECT md5('project7')::uuid", &[]).await.unwrap().get(0);
    let limit = 50_i64;
    for after in [Uuid::nil(), Uuid::from_u128(u128::MAX / 2)] {
        let text = plan(&client, TRASH_PAGE_STATEMENT, &[&project, &after, &limit]).await;
        assert!(text.contains("trash_project"), "{text}");
        assert!(!text.contains("Seq Scan") && !text.contains("Sort"), "{text}");
    }
    let before = 100_i64;
    let text = plan(&client, AGED_STATEMENT, &[&before]).await;
    assert!(text.contains("trash_age") && !text.contains("Seq Scan"), "{text}");
    drop(db);
}
