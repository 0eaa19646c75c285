//! No statement of the adapter is compiled again between executions.
//!
//! SQLite re-prepares a statement on its next step whenever a parameter that the query planner
//! looked at while planning is bound again (`LIMIT ?`, `LIKE ?`, a range estimated from STAT4
//! samples after ANALYZE, …) — and rusqlite's statement cache clears the bindings of every
//! statement it takes back, so such a statement was compiled afresh on every execution. Each
//! connection of the adapter therefore runs with SQLite's query-planner stability guarantee:
//! a plan never depends on bound values. These tests prove it statement by statement through
//! `SQLITE_STMTSTATUS_REPREPARE`, on connections set up exactly as the adapter's own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::sync::Mutex;

use rusqlite::StatementStatus;
use rusqlite::trace::TraceEvent;
use taskforge_domain::query::{Cursor, TaskFilter, TaskQuery, TaskSort, Visibility};
use taskforge_domain::values::{Label, Priority, SearchText, Status, StatusSet};
use taskforge_sqlite::internals::{list_statement, list_tasks_on, observe_statements, reader};
use taskforge_sqlite::{SqliteConfig, SqliteDatabase, Synchronous};

/// The filters that select each driver of the listing, in round `r` (0, 1, 2): every round
/// binds other values to the same statement.
fn filters(seed: &support::Seed, r: usize) -> Vec<(&'static str, TaskFilter)> {
    let none = TaskFilter::default;
    let parents: Vec<_> = seed.tasks.iter().filter_map(|t| t.parent_id).collect();
    let statuses = [
        StatusSet::from(Status::Todo),
        StatusSet::parse("todo,in_progress").unwrap(),
        StatusSet::from(Status::Done),
    ];
    vec![
        (
            "search",
            TaskFilter {
                q: Some(SearchText::parse(["deploy", "review", "cache"][r]).unwrap()),
                ..none()
            },
        ),
        ("parent", TaskFilter { parent_id: Some(parents[r * 4]), ..none() }),
        (
            "project",
            TaskFilter {
                project_id: Some(seed.projects[r].id),
                status: Some(statuses[r]),
                ..none()
            },
        ),
        ("assignee", TaskFilter { assignee_id: Some(seed.users[r].id), ..none() }),
        ("category", TaskFilter { category_id: Some(seed.categories[r].id), ..none() }),
        ("label", TaskFilter { label: Some(Label::parse(&format!("l{r}")).unwrap()), ..none() }),
        ("status", TaskFilter { status: Some(Status::ALL[r].into()), ..none() }),
        ("priority", TaskFilter { priority: Some(Priority::ALL[r]), ..none() }),
        ("none", none()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_listing_variant_runs_again_and_again_without_being_prepared_again() {
    let t = support::TestDb::new().await;
    // ANALYZE included: with STAT4 samples the planner would estimate ranges from bound values.
    let seed = support::seed(&t, 3_000).await;
    let conn = reader(&t.path()).unwrap();
    let visibilities = [
        ("admin", [Visibility::All; 3]),
        (
            "member",
            [
                Visibility::MemberOrPublic(seed.viewer.id),
                Visibility::MemberOrPublic(seed.users[1].id),
                Visibility::MemberOrPublic(seed.users[2].id),
            ],
        ),
    ];
    let mut statements = BTreeSet::new();
    let mut failures = Vec::new();
    for sort in TaskSort::ALL {
        for (who, visibility) in visibilities {
            for next in [false, true] {
                for (driver, _) in filters(&seed, 0) {
                    let mut sql = "";
                    let mut listed = 0;
                    for r in 0..3 {
                        let filter = filters(&seed, r)
                            .into_iter()
                            .find(|(d, _)| *d == driver)
                            .map(|(_, f)| f)
                            .unwrap();
                        let query = TaskQuery {
                            visibility: visibility[r],
                            filter,
                            sort,
                            after: next.then(|| Cursor::after(sort, &seed.tasks[300 + r * 900])),
                            fetch: [2, 51, 201][r],
                        };
                        let (this, _) = list_statement(&query);
                        assert!(sql.is_empty() || sql == this, "one variant, one statement");
                        sql = this;
                        listed += list_tasks_on(&conn, &query).unwrap().len();
                    }
                    let reprepared =
                        conn.prepare_cached(sql).unwrap().get_status(StatementStatus::RePrepare);
                    if reprepared != 0 {
                        failures.push(format!(
                            "{who} / {driver} / sort {sort} / {}: prepared again {reprepared} times \
                             in 3 runs ({listed} rows)",
                            if next { "next page" } else { "first page" },
                        ));
                    }
                    statements.insert(sql);
                }
            }
        }
    }
    // Every statement of the allow-list ran: 6 drivers × 2 visibilities + 4 for one visibility,
    // each in 16 sort × page variants (the listing module's own count).
    assert_eq!(statements.len(), 6 * 2 * 16 + 4 * 16);
    assert!(
        failures.is_empty(),
        "{} variants re-prepared:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Statements that reported a re-prepare when they finished, from any adapter connection.
static REPREPARED: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// Every statement text seen finishing.
static SEEN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

fn record(event: TraceEvent<'_>) {
    if let TraceEvent::Profile(stmt, _) = event {
        let sql = stmt.sql().into_owned();
        let n = stmt.get_status(StatementStatus::RePrepare);
        if n > 0 {
            REPREPARED.lock().unwrap().push(format!("{n}× {sql}"));
        }
        SEEN.lock().unwrap().insert(sql);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_statement_of_the_adapter_is_prepared_again_across_the_contract_suite() {
    observe_statements(record);
    for test in taskforge_testkit::contract::ALL {
        let dir = tempfile::tempdir().unwrap();
        // One reader: every read goes through the same connection and its statement cache, so
        // a statement runs many times on one handle.
        let config = SqliteConfig::new(dir.path().join("contract.db"))
            .synchronous(Synchronous::Normal)
            .pool_size(1);
        let db = SqliteDatabase::open(config).await.unwrap();
        (test.run)(db.repositories()).await;
    }
    let seen = SEEN.lock().unwrap().len();
    assert!(seen > 40, "the observer saw only {seen} distinct statements");
    let reprepared = std::mem::take(&mut *REPREPARED.lock().unwrap());
    let distinct: BTreeSet<_> = reprepared.iter().collect();
    assert!(
        reprepared.is_empty(),
        "{} executions were prepared again:\n{}",
        reprepared.len(),
        distinct.into_iter().cloned().collect::<Vec<_>>().join("\n")
    );
}
