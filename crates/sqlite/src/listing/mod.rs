//! Task listing: which statement answers a [`TaskQuery`], and with which parameters.
//!
//! **No SQL is built at run time.** Every listing statement is a string literal assembled at
//! compile time with `concat!` from the fragments below, and [`list_statement`] picks one with a
//! `match` over closed enums (the sort field and direction, the driving filter, the visibility,
//! first page or not): a fixed allow-list, so no SQL text is ever built from user input. User input
//! only ever arrives as bound `?N` parameters, numbered the same way in every statement:
//!
//! | param | meaning | param | meaning |
//! |---|---|---|---|
//! | ?1 | the viewing user (visibility) | ?8 | parent_id filter |
//! | ?2 | project_id filter | ?9 | due-date lower bound (exclusive, day number) |
//! | ?3 | status filter (names, comma-separated) | ?10 | due-date upper bound (exclusive, day number) |
//! | ?4 | priority rank filter | ?11 | full-text query (`q`, one quoted phrase) |
//! | ?5 | category_id filter | ?12 | cursor: sort key of the last item |
//! | ?6 | assignee_id filter | ?13 | cursor: id of the last item |
//! | ?7 | label filter | ?14 | how many rows to return |
//!
//! **Every plan is index-ordered.** One filter *drives* the query: its index, whose columns are
//! (filter, sort key, id), yields the matching rows already in keyset order, so the statement
//! reads a range and stops after `?14` rows — the same cost on page 1 and page 10,000. The other
//! filters are checked on those rows (`?N IS NULL OR …`). The statement names its index with
//! `INDEXED BY`, so a missing index is a prepare-time error, never a silent scan. The driver is
//! chosen by a fixed precedence of selectivity: parent, project, assignee, category, label, then
//! status and priority. Only a single status drives (index (status, key, id)); several statuses
//! (`?3` = `todo,in_progress`) cannot come in key order from one range of that index, so they
//! are checked per row like the other filters, on the rows of the next driver in line (for an
//! administrator with no other filter, the sort key's own index).
//!
//! **Visibility.** For a non-admin, tasks are visible when their project is one of the user's or
//! they are public. With a selective driver that is a per-row check. Without one, no single
//! index can deliver "tasks of any of my projects, in sort order", so the statement merges
//! ordered streams instead: one per project of the user (index (project, key, id)) and one of
//! public tasks of other projects (index (is_public, key, id)), combined by a recursive CTE
//! whose ORDER BY makes its queue a priority queue — a k-way merge that reads one row per
//! stream beyond the page, never a whole stream, and never sorts.
//!
//! **Text search (`q`)** is the one exception to index order: the trigram index finds the
//! matching rows, and those (only those) are sorted. An inverted index cannot yield rows in
//! another column's order; see the crate's query-plan test and docs for the trade-off.
//!
//! **Compiled once.** Each statement is prepared once per connection and reused from the
//! statement cache: every connection runs with SQLite's query-planner stability guarantee (see
//! `connection::configure`), so no plan depends on a bound value (`LIMIT ?14`, the range
//! estimates of ANALYZE's samples) and re-binding never sends a statement back to the compiler.
//! `tests/reprepare.rs` runs every variant three times with other values and holds SQLite's
//! re-prepare counter at zero.
//!
//! Whatever the plan, the rows are finally sorted in Rust with the domain's own
//! [`TaskSort::compare`] (at most `fetch` rows), so the order cannot drift from the domain's.

use rusqlite::Connection;
use rusqlite::types::Value;
use taskforge_domain::Task;
use taskforge_domain::query::{SortValue, TaskQuery, Visibility};

use crate::codec::task_from_row;

/// The statements themselves.
mod sql;

use sql::{driver, statement};

/// The due-date key of a task without a due date (see `due_key` in the schema).
const NO_DUE_DATE_KEY: i64 = 2_147_483_647;

/// The statement that answers `query` and its parameters `?1`…`?14`, exactly as
/// [`list_tasks_on`] runs them (exposed so tests can `EXPLAIN QUERY PLAN` the real thing).
#[must_use]
pub fn list_statement(query: &TaskQuery) -> (&'static str, Vec<Value>) {
    let driver = driver(&query.filter, query.visibility);
    let member = matches!(query.visibility, Visibility::MemberOrPublic(_));
    let sql = statement(driver, member, query.sort, query.after.is_some());
    (sql, parameters(query))
}

fn blob(bytes: [u8; 16]) -> Value {
    Value::Blob(bytes.to_vec())
}

fn parameters(query: &TaskQuery) -> Vec<Value> {
    let f = &query.filter;
    let user = match query.visibility {
        Visibility::All => Value::Null,
        Visibility::MemberOrPublic(user) => blob(user.to_bytes()),
    };
    let mut low = i64::MIN;
    let mut high = i64::MAX;
    if let Some(after) = f.due_after {
        low = i64::from(after.days_since_epoch());
        // No due date never matches a bound: its key is the largest, exclude it.
        high = high.min(NO_DUE_DATE_KEY);
    }
    if let Some(before) = f.due_before {
        high = high.min(i64::from(before.days_since_epoch()));
    }
    let (key, id) = match &query.after {
        None => (Value::Null, Value::Null),
        Some(cursor) => {
            let key = match cursor.value() {
                SortValue::CreatedAt(t) => Value::Integer(t.unix_micros()),
                SortValue::Priority(p) => Value::Integer(i64::from(p.rank())),
                SortValue::DueDate(Some(d)) => Value::Integer(i64::from(d.days_since_epoch())),
                SortValue::DueDate(None) => Value::Integer(NO_DUE_DATE_KEY),
                SortValue::Title(t) => Value::Text(t.as_str().to_owned()),
            };
            (key, blob(cursor.id().to_bytes()))
        }
    };
    vec![
        user,
        f.project_id.map_or(Value::Null, |p| blob(p.to_bytes())),
        // One status or several, as their names separated by commas (`todo,in_progress`).
        f.status.map_or(Value::Null, |s| Value::Text(s.to_string())),
        f.priority.map_or(Value::Null, |p| Value::Integer(i64::from(p.rank()))),
        f.category_id.map_or(Value::Null, |c| blob(c.to_bytes())),
        f.assignee_id.map_or(Value::Null, |a| blob(a.to_bytes())),
        f.label.as_ref().map_or(Value::Null, |l| Value::Text(l.as_str().to_owned())),
        f.parent_id.map_or(Value::Null, |p| blob(p.to_bytes())),
        Value::Integer(low),
        Value::Integer(high),
        // One FTS5 phrase: quoted, inner quotes doubled, so the text is matched literally.
        f.q.as_ref().map_or(Value::Null, |q| {
            Value::Text(format!("\"{}\"", q.as_str().replace('"', "\"\"")))
        }),
        key,
        id,
        Value::Integer(i64::try_from(query.fetch).unwrap_or(i64::MAX)),
    ]
}

/// Runs the listing on `conn`: one statement, labels included. Used by the repository (on a
/// pooled reader) and by the tests (on a traced connection).
///
/// # Errors
/// Whatever SQLite reports, or a corrupt row.
pub fn list_tasks_on(conn: &Connection, query: &TaskQuery) -> rusqlite::Result<Vec<Task>> {
    if query.fetch == 0 {
        return Ok(Vec::new());
    }
    let (sql, params) = list_statement(query);
    let mut stmt = conn.prepare_cached(sql)?;
    let count = stmt.parameter_count();
    for (index, value) in (1..).zip(params) {
        if index <= count {
            stmt.raw_bind_parameter(index, value)?;
        }
    }
    let mut rows = stmt.raw_query();
    let mut tasks = Vec::new();
    while let Some(row) = rows.next()? {
        tasks.push(task_from_row(row)?);
    }
    tasks.sort_by(|a, b| query.sort.compare(a, b));
    tasks.truncate(query.fetch);
    Ok(tasks)
}

#[cfg(test)]
mod tests {
    use super::sql::Driver;
    use super::*;
    use taskforge_domain::query::{TaskFilter, TaskSort};

    const DRIVERS: [Driver; 10] = [
        Driver::Search,
        Driver::Parent,
        Driver::Project,
        Driver::Assignee,
        Driver::Category,
        Driver::Label,
        Driver::Merge,
        Driver::Status,
        Driver::Priority,
        Driver::None,
    ];

    fn every_statement() -> Vec<&'static str> {
        let mut all = Vec::new();
        for driver in DRIVERS {
            for member in [false, true] {
                for sort in TaskSort::ALL {
                    for next in [false, true] {
                        all.push(statement(driver, member, sort, next));
                    }
                }
            }
        }
        all
    }

    #[test]
    fn every_statement_of_the_table_prepares_against_the_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrations::migrate(&mut conn, crate::migrations::MIGRATIONS).unwrap();
        for sql in every_statement() {
            let stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{e}: {sql}"));
            // ?14 (the page size) is the highest parameter of every statement.
            assert_eq!(stmt.parameter_count(), 14, "{sql}");
        }
    }

    #[test]
    fn each_variant_has_its_own_statement() {
        let distinct: std::collections::HashSet<_> = every_statement().into_iter().collect();
        // Merge, status, priority and none have one visibility each: 6×2×16 + 4×16.
        assert_eq!(distinct.len(), 6 * 2 * 16 + 4 * 16);
    }

    #[test]
    fn the_driver_follows_the_documented_precedence() {
        let member = Visibility::MemberOrPublic(taskforge_domain::UserId::new());
        let status = TaskFilter {
            status: Some(taskforge_domain::values::Status::Done.into()),
            ..TaskFilter::default()
        };
        assert_eq!(driver(&status, Visibility::All), Driver::Status);
        assert_eq!(driver(&status, member), Driver::Merge);
        let project = TaskFilter { project_id: Some(taskforge_domain::ProjectId::new()), ..status };
        assert_eq!(driver(&project, member), Driver::Project);
        assert_eq!(driver(&TaskFilter::default(), Visibility::All), Driver::None);
    }
}
