//! Listing tasks with their labels costs a constant number of SQL statements,
//! whatever the page size — no N+1. The adapter's own listing function runs on a connection
//! with SQLite's trace hook (`trace_v2`, profile events) installed, which reports every statement
//! SQLite executes, once, when it finishes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Mutex;

use rusqlite::trace::{TraceEvent, TraceEventCodes};
use taskforge_domain::query::{TaskFilter, TaskQuery, TaskSort, Visibility};
use taskforge_sqlite::internals::list_tasks_on;

static EXECUTED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Called by SQLite once per executed statement, when it finishes.
fn record(event: TraceEvent<'_>) {
    if let TraceEvent::Profile(stmt, _) = event {
        EXECUTED.lock().unwrap().push(stmt.sql().into_owned());
    }
}

fn executed_while(f: impl FnOnce()) -> Vec<String> {
    EXECUTED.lock().unwrap().clear();
    f();
    std::mem::take(&mut *EXECUTED.lock().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_tasks_with_labels_costs_the_same_statements_for_any_page_size() {
    let t = support::TestDb::new().await;
    let seed = support::seed(&t, 1_000).await;
    let conn = t.raw();
    conn.trace_v2(TraceEventCodes::SQLITE_TRACE_PROFILE, Some(record));

    let member = Visibility::MemberOrPublic(seed.users[0].id);
    let mut counts = Vec::new();
    for visibility in [Visibility::All, member] {
        for fetch in [1, 10, 50, 200] {
            let query = TaskQuery {
                visibility,
                filter: TaskFilter::default(),
                sort: TaskSort::default(),
                after: None,
                fetch,
            };
            let mut tasks = Vec::new();
            let statements = executed_while(|| tasks = list_tasks_on(&conn, &query).unwrap());
            assert_eq!(tasks.len(), fetch.min(seed.tasks.len()));
            if fetch == 50 {
                let labelled = tasks.iter().filter(|t| !t.labels.is_empty()).count();
                assert!(labelled > 25, "the page should carry labels: {labelled} of 50");
                // The labels are the stored ones, not merely some.
                for task in &tasks {
                    let stored = seed.tasks.iter().find(|s| s.id == task.id).unwrap();
                    assert_eq!(task.labels, stored.labels);
                }
            }
            counts.push((visibility, fetch, statements));
        }
    }
    for (visibility, fetch, statements) in &counts {
        assert_eq!(
            statements.len(),
            1,
            "{visibility:?}, page of {fetch}: expected one statement, got {statements:#?}"
        );
    }
}
