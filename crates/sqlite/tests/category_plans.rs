//! The category statements read by key, never the whole table: with thousands of categories
//! and ANALYZE, `EXPLAIN QUERY PLAN` of each exact statement the adapter runs shows a search
//! on the primary key or the unique name index, and no sort. A page at any depth, a lookup by
//! id and the names of a page of tasks' categories each cost the same whatever the table holds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use rusqlite::Connection;
use rusqlite::types::Value;
use taskforge_domain::values::CategoryName;
use taskforge_domain::{Category, CategoryId};
use taskforge_sqlite::internals::{BY_ID_STATEMENT, NAMES_STATEMENT, PAGE_STATEMENT};

fn plan(conn: &Connection, sql: &str, params: &[Value]) -> Vec<String> {
    let mut stmt = conn.prepare(&(String::from("EXPLAIN QUERY PLAN ") + sql)).unwrap();
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

/// What is wrong with a plan: a read of `categories` that is not a keyed search, or a sort.
fn problems(lines: &[String]) -> Vec<&String> {
    lines
        .iter()
        .filter(|l| {
            let scans_categories = l.starts_with("SCAN categories") || l.starts_with("SCAN c");
            scans_categories || l.contains("TEMP B-TREE")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_category_statement_searches_by_key_without_sorting() {
    // Arrange: 2,000 categories, statistics gathered.
    let t = support::TestDb::new().await;
    let mut ids = Vec::new();
    for i in 0..2_000 {
        let category = Category {
            id: CategoryId::new(),
            name: CategoryName::parse(&format!("Category {i:04}")).unwrap(),
            created_at: support::at_seconds(i),
        };
        t.repos.categories.insert(&category).await.unwrap();
        ids.push(category.id);
    }
    t.raw().execute_batch("ANALYZE").unwrap();
    // Set up as the adapter's readers are: the plans checked are the plans served.
    let conn = taskforge_sqlite::internals::reader(&t.path()).unwrap();
    let hex = |id: &CategoryId| format!("\"{}\"", id.as_uuid().simple());
    let some_ids = format!("[{},{}]", hex(&ids[3]), hex(&ids[1_500]));
    let cases: [(&str, &str, Vec<Value>); 4] = [
        ("first page", PAGE_STATEMENT, vec![Value::Text(String::new()), Value::Integer(51)]),
        (
            "a page deep down",
            PAGE_STATEMENT,
            vec![Value::Text(String::from("category 1900")), Value::Integer(51)],
        ),
        ("by id", BY_ID_STATEMENT, vec![Value::Blob(ids[42].to_bytes().to_vec())]),
        ("names of some ids", NAMES_STATEMENT, vec![Value::Text(some_ids)]),
    ];

    for (case, sql, params) in cases {
        // Act
        let lines = plan(&conn, sql, &params);
        // Assert
        assert!(!lines.is_empty(), "{case}: no plan");
        assert!(problems(&lines).is_empty(), "{case}: {lines:?}");
        assert!(lines.iter().any(|l| l.starts_with("SEARCH")), "{case}: no keyed search {lines:?}");
    }
    // And the statements answer as the plans promise.
    let page: Vec<String> = conn
        .prepare(PAGE_STATEMENT)
        .unwrap()
        .query_map(rusqlite::params!["category 1997", 10], |r| r.get(1))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(page, ["Category 1998", "Category 1999"]);
}
