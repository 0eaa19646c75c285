//! The trash's statements are index range reads: with 10,000 seeded trash entries and
//! ANALYZE, `EXPLAIN QUERY PLAN` of a project's trash page (first and next) searches
//! `trash_project` in order, and the retention sweep searches `trash_age`; never a full scan
//! or a sort.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use rusqlite::Connection;
use rusqlite::types::Value;
use taskforge_sqlite::internals::{AGED_STATEMENT, TRASH_PAGE_STATEMENT};

fn plan(conn: &Connection, sql: &str, params: &[Value]) -> String {
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
    lines.join(" | ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trash_pages_and_the_sweep_are_index_range_reads_without_sorting() {
    let t = support::TestDb::new().await;
    let conn = t.raw();
    conn.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) \
         INSERT INTO trash (root_id, project_id, trashed_at, trashed_by) \
         SELECT unhex(printf('%032x', 1000000 + i)), unhex(printf('%032x', i % 100)), i, \
                zeroblob(16) FROM n; \
         ANALYZE;",
    )
    .unwrap();
    let project = Value::Blob(7_u128.to_be_bytes().to_vec());
    for after in [vec![0; 16], 1_005_007_u128.to_be_bytes().to_vec()] {
        let text = plan(
            &conn,
            TRASH_PAGE_STATEMENT,
            &[project.clone(), Value::Blob(after), Value::Integer(50)],
        );
        assert!(text.contains("SEARCH trash USING INDEX trash_project"), "{text}");
        assert!(!text.contains("TEMP B-TREE") && !text.contains("SCAN"), "{text}");
    }
    let text = plan(&conn, AGED_STATEMENT, &[Value::Integer(100)]);
    assert!(text.contains("SEARCH trash USING") && text.contains("trash_age"), "{text}");
}
