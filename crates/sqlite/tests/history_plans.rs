//! The change log's pages are index range reads in keyset order: with 20,000 seeded entries
//! and ANALYZE, `EXPLAIN QUERY PLAN` of the adapter's own statements (a task's history, a
//! project's activity, the log after an id), first page and next, shows a search on the
//! matching index and never a full scan or a sort.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use rusqlite::Connection;
use rusqlite::types::Value;
use taskforge_sqlite::internals::{AFTER_STATEMENT, PROJECT_PAGE_STATEMENT, TASK_PAGE_STATEMENT};

fn plan(conn: &Connection, sql: &str, params: &[Value]) -> Vec<String> {
    let explain = String::from("EXPLAIN QUERY PLAN ") + sql;
    let mut stmt = conn.prepare(&explain).unwrap();
    for (i, v) in (1..).zip(params) {
        stmt.raw_bind_parameter(i, v).unwrap();
    }
    let mut rows = stmt.raw_query();
    let mut lines = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        lines.push(row.get::<_, String>(3).unwrap());
    }
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_history_page_is_an_index_range_read_without_sorting() {
    let t = support::TestDb::new().await;
    let conn = t.raw();
    // 20,000 entries over 100 projects and 2,000 tasks, a tenth of them about projects.
    conn.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
         INSERT INTO history (project_id, task_id, actor_id, at, kind, reverts, fields) \
         SELECT unhex(printf('%032x', i % 100)), \
                CASE WHEN i % 10 <> 0 THEN unhex(printf('%032x', 1000000 + i % 2000)) END, \
                zeroblob(16), i, 'task_updated', NULL, '' FROM n; \
         ANALYZE;",
    )
    .unwrap();
    let task = Value::Blob(1_000_007_u128.to_be_bytes().to_vec());
    let project = Value::Blob(7_u128.to_be_bytes().to_vec());
    let cases = [
        ("task history, first page", TASK_PAGE_STATEMENT, "history_task", task.clone(), i64::MAX),
        ("task history, next page", TASK_PAGE_STATEMENT, "history_task", task, 10_000),
        (
            "activity, first page",
            PROJECT_PAGE_STATEMENT,
            "history_project",
            project.clone(),
            i64::MAX,
        ),
        ("activity, next page", PROJECT_PAGE_STATEMENT, "history_project", project, 10_000),
    ];
    for (name, sql, index, key, before) in cases {
        let lines = plan(&conn, sql, &[key, Value::Integer(before), Value::Integer(50)]);
        let text = lines.join(" | ");
        assert!(text.contains(&format!("SEARCH history USING INDEX {index}")), "{name}: {text}");
        assert!(!text.contains("TEMP B-TREE"), "{name} sorts: {text}");
        assert!(!lines.iter().any(|l| l.starts_with("SCAN")), "{name} scans: {text}");
    }
    let lines = plan(&conn, AFTER_STATEMENT, &[Value::Integer(10_000), Value::Integer(50)]);
    let text = lines.join(" | ");
    assert!(text.contains("SEARCH history USING INTEGER PRIMARY KEY"), "after: {text}");
    assert!(!text.contains("TEMP B-TREE"), "after sorts: {text}");
}
