//! The PostgreSQL twin of `crates/sqlite/tests/history_plans.rs`: with 20,000 seeded entries
//! and ANALYZE, `EXPLAIN` of the adapter's own history statements, bound with real parameters
//! on a connection with the adapter's session settings, reads through the matching index with
//! no sequential scan and no sort of more rows than the page (as `tests/query_plans.rs` rules:
//! for a task with a handful of entries the planner may fetch them all through the index and
//! order those few, which costs no more than the page).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;

use taskforge_postgres::internals::{
    AFTER_STATEMENT, PROJECT_PAGE_STATEMENT, TASK_PAGE_STATEMENT, session_options,
};
use taskforge_postgres::testing::ThrowawayDatabase;
use taskforge_postgres::{PostgresConfig, PostgresDatabase};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls};
use uuid::Uuid;

const SEED: &str = "
INSERT INTO history (id, project_id, task_id, actor_id, at, kind, reverts, fields)
SELECT i, md5('project' || (i % 100))::uuid,
       CASE WHEN i % 10 <> 0 THEN md5('task' || (i % 2000))::uuid END,
       md5('user')::uuid, i, 'task_updated', NULL, ''
FROM generate_series(1, 20000) i;
UPDATE history_counter SET last_id = 20000;
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

/// The estimated rows of every Sort node of a text plan.
fn sorted_rows(plan: &str) -> Vec<i64> {
    plan.lines()
        .filter(|l| l.trim_start().trim_start_matches("->").trim_start().starts_with("Sort "))
        .filter_map(|l| l.split("rows=").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .filter_map(|n| n.parse().ok())
        .collect()
}

async fn plan(client: &Client, sql: &str, params: &[&(dyn ToSql + Sync)]) -> String {
    let explain = String::from("EXPLAIN ") + sql;
    let rows = client.query(explain.as_str(), params).await.unwrap();
    rows.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>().join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_history_page_is_an_index_range_read_without_sorting() {
    let Some(throwaway) = ThrowawayDatabase::create().await else { return };
    let db = PostgresDatabase::open(PostgresConfig::new(throwaway.url())).await.unwrap();
    let client = connect(throwaway.url()).await;
    client.batch_execute(SEED).await.unwrap();
    let one: Uuid = client.query_one("SELECT md5('task7')::uuid", &[]).await.unwrap().get(0);
    let project: Uuid = client.query_one("SELECT md5('project7')::uuid", &[]).await.unwrap().get(0);
    let (first, next, limit) = (i64::MAX, 10_000_i64, 50_i64);
    let cases: [(&str, &str, &str, &(dyn ToSql + Sync), i64); 4] = [
        ("task history, first page", TASK_PAGE_STATEMENT, "history_task", &one, first),
        ("task history, next page", TASK_PAGE_STATEMENT, "history_task", &one, next),
        ("activity, first page", PROJECT_PAGE_STATEMENT, "history_project", &project, first),
        ("activity, next page", PROJECT_PAGE_STATEMENT, "history_project", &project, next),
    ];
    for (name, sql, index, key, before) in cases {
        let text = plan(&client, sql, &[key, &before, &limit]).await;
        let through_index = text.contains(&format!("using {index} on history"))
            || text.contains(&format!("Bitmap Index Scan on {index} "));
        assert!(through_index, "{name} does not read {index}:\n{text}");
        assert!(!text.contains("Seq Scan"), "{name} scans the table:\n{text}");
        assert!(sorted_rows(&text).iter().all(|rows| *rows <= limit), "{name} sorts:\n{text}");
    }
    let text = plan(&client, AFTER_STATEMENT, &[&next, &limit]).await;
    assert!(text.contains("using history_pkey on history"), "after:\n{text}");
    assert!(!text.contains("Seq Scan") && sorted_rows(&text).is_empty(), "after:\n{text}");
    drop(db);
}
