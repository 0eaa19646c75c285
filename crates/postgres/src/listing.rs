//! Task listing: which statement answers a [`TaskQuery`], and with which parameters.
//!
//! **No SQL is built at run time.** There is one string literal per sort (field and
//! direction), assembled at compile time with `concat!`, picked by a `match` over the closed
//! [`TaskSort`] enum. User input only ever arrives as bound parameters, numbered as in the
//! SQLite dialect:
//!
//! | param | meaning | param | meaning |
//! |---|---|---|---|
//! | $1 | the viewing user (visibility; NULL: all) | $8 | parent_id filter |
//! | $2 | project_id filter | $9 | due-date lower bound (exclusive, day number) |
//! | $3 | status filter | $10 | due-date upper bound (exclusive, day number) |
//! | $4 | priority rank filter | $11 | title pattern (`q`, a `LIKE` pattern) |
//! | $5 | category_id filter | $12 | cursor: sort key of the last item |
//! | $6 | assignee_id filter | $13 | cursor: id of the last item |
//! | $7 | label filter | $14 | how many rows to return |
//! | | | $15 | status filter of several statuses |
//!
//! Absent filters are bound as NULL and each condition reads `$n IS NULL OR …`; every
//! connection plans each execution for its bound values (`plan_cache_mode =
//! force_custom_plan`, see `database.rs`), so the planner sees only the filters present and
//! picks the index whose order is the keyset order (filter, sort key, id) —
//! `migrations/postgres/0001_initial.sql` holds one per filter and sort. One status is bound
//! as `$3` (an equality, which an index yields in sort order); several as the array `$15`
//! (`status = ANY($15)`: the planner may then merge or sort the statuses' rows).
//!
//! Whatever the plan, the rows are finally sorted in Rust with the domain's own
//! [`TaskSort::compare`] (at most `fetch` rows), so the order cannot drift from the domain's.

use deadpool_postgres::GenericClient;
use taskforge_domain::Task;
use taskforge_domain::ports::{Entity, RepositoryError};
use taskforge_domain::query::{
    SortDirection, SortField, SortValue, TaskQuery, TaskSort, Visibility,
};
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use crate::codec::{task_columns, tasks_from_rows};
use crate::statements::rows;

/// The due-date key of a task without a due date (see `due_key` in the schema).
const NO_DUE_DATE_KEY: i32 = i32::MAX;

/// Every filter and the visibility; the cursor condition and order follow per sort.
macro_rules! filtered {
    () => {
        concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks t \
             WHERE ($1::uuid IS NULL OR t.is_public OR EXISTS (SELECT 1 FROM project_members m \
                    WHERE m.project_id = t.project_id AND m.user_id = $1)) \
               AND ($2::uuid IS NULL OR t.project_id = $2) \
               AND ($3::text IS NULL OR t.status = $3) \
               AND ($15::text[] IS NULL OR t.status = ANY($15)) \
               AND ($4::smallint IS NULL OR t.priority = $4) \
               AND ($5::uuid IS NULL OR t.category_id = $5) \
               AND ($6::uuid IS NULL OR t.assignee_id = $6) \
               AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM task_labels l7 \
                    WHERE l7.task_id = t.id AND l7.label = $7)) \
               AND ($8::uuid IS NULL OR t.parent_id = $8) \
               AND ($9::int IS NULL OR t.due_key > $9) \
               AND ($10::int IS NULL OR t.due_key < $10) \
               AND ($11::text IS NULL OR lower(t.title COLLATE \"default\") LIKE $11)"
        )
    };
}

/// One sort's statement: key column `$col` of SQL type `$ty`, comparison `$cmp`, order `$dir`.
macro_rules! sorted {
    ($col:literal, $ty:literal, $cmp:literal, $dir:literal) => {
        concat!(
            filtered!(),
            " AND ($13::uuid IS NULL OR (t.",
            $col,
            ", t.id) ",
            $cmp,
            " ($12::",
            $ty,
            ", $13)) ORDER BY t.",
            $col,
            $dir,
            ", t.id",
            $dir,
            " LIMIT $14::bigint"
        )
    };
}

/// The statement that answers `sort` (see the module docs).
#[must_use]
pub fn list_statement(sort: TaskSort) -> &'static str {
    use SortDirection::{Ascending as Asc, Descending as Desc};
    match (sort.field, sort.direction) {
        (SortField::CreatedAt, Asc) => sorted!("created_at", "bigint", ">", ""),
        (SortField::CreatedAt, Desc) => sorted!("created_at", "bigint", "<", " DESC"),
        (SortField::Priority, Asc) => sorted!("priority", "smallint", ">", ""),
        (SortField::Priority, Desc) => sorted!("priority", "smallint", "<", " DESC"),
        (SortField::DueDate, Asc) => sorted!("due_key", "int", ">", ""),
        (SortField::DueDate, Desc) => sorted!("due_key", "int", "<", " DESC"),
        (SortField::Title, Asc) => sorted!("title", "text", ">", ""),
        (SortField::Title, Desc) => sorted!("title", "text", "<", " DESC"),
    }
}

/// A `LIKE` pattern matching `text` anywhere, literally (its `\`, `%` and `_` escaped).
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The cursor's sort key, typed as the statement's `$12`.
#[derive(Debug)]
enum Key {
    Micros(Option<i64>),
    Rank(Option<i16>),
    Day(Option<i32>),
    Text(Option<String>),
}

impl Key {
    fn as_param(&self) -> &(dyn ToSql + Sync) {
        match self {
            Self::Micros(v) => v,
            Self::Rank(v) => v,
            Self::Day(v) => v,
            Self::Text(v) => v,
        }
    }
}

/// The parameters `$1`…`$14` of a listing statement, owned (see the module docs).
#[derive(Debug)]
pub struct ListParams {
    user: Option<Uuid>,
    project: Option<Uuid>,
    status: Option<&'static str>,
    statuses: Option<Vec<&'static str>>,
    priority: Option<i16>,
    category: Option<Uuid>,
    assignee: Option<Uuid>,
    label: Option<String>,
    parent: Option<Uuid>,
    low: Option<i32>,
    high: Option<i32>,
    pattern: Option<String>,
    key: Key,
    after_id: Option<Uuid>,
    limit: i64,
}

impl ListParams {
    /// The parameters of `query`.
    #[must_use]
    pub fn of(query: &TaskQuery) -> Self {
        let f = &query.filter;
        // No due date never matches a bound. A `due_before` bound excludes it already (its
        // key is the largest); a lone `due_after` bound needs the upper bound that excludes it.
        let high = match (f.due_before, f.due_after) {
            (Some(before), _) => Some(before.days_since_epoch()),
            (None, Some(_)) => Some(NO_DUE_DATE_KEY),
            (None, None) => None,
        };
        let key = match query.after.as_ref().map(|c| c.value()) {
            None => match query.sort.field {
                SortField::CreatedAt => Key::Micros(None),
                SortField::Priority => Key::Rank(None),
                SortField::DueDate => Key::Day(None),
                SortField::Title => Key::Text(None),
            },
            Some(SortValue::CreatedAt(t)) => Key::Micros(Some(t.unix_micros())),
            Some(SortValue::Priority(p)) => Key::Rank(Some(i16::from(p.rank()))),
            Some(SortValue::DueDate(d)) => {
                Key::Day(Some(d.map_or(NO_DUE_DATE_KEY, |d| d.days_since_epoch())))
            }
            Some(SortValue::Title(t)) => Key::Text(Some(t.as_str().to_owned())),
        };
        Self {
            user: match query.visibility {
                Visibility::All => None,
                Visibility::MemberOrPublic(user) => Some(*user.as_uuid()),
            },
            project: f.project_id.map(|p| *p.as_uuid()),
            status: f.status.and_then(|s| s.single()).map(|s| s.as_str()),
            statuses: f
                .status
                .filter(|s| s.len() > 1)
                .map(|s| s.iter().map(|s| s.as_str()).collect()),
            priority: f.priority.map(|p| i16::from(p.rank())),
            category: f.category_id.map(|c| *c.as_uuid()),
            assignee: f.assignee_id.map(|a| *a.as_uuid()),
            label: f.label.as_ref().map(|l| l.as_str().to_owned()),
            parent: f.parent_id.map(|p| *p.as_uuid()),
            low: f.due_after.map(|d| d.days_since_epoch()),
            high,
            pattern: f.q.as_ref().map(|q| contains_pattern(q.as_str())),
            key,
            after_id: query.after.as_ref().map(|c| *c.id().as_uuid()),
            limit: i64::try_from(query.fetch).unwrap_or(i64::MAX),
        }
    }

    /// `$1`…`$14`, in order, for binding.
    #[must_use]
    pub fn as_refs(&self) -> [&(dyn ToSql + Sync); 15] {
        [
            &self.user,
            &self.project,
            &self.status,
            &self.priority,
            &self.category,
            &self.assignee,
            &self.label,
            &self.parent,
            &self.low,
            &self.high,
            &self.pattern,
            self.key.as_param(),
            &self.after_id,
            &self.limit,
            &self.statuses,
        ]
    }
}

/// Runs the listing: one statement, labels included.
///
/// # Errors
/// Storage failures, or a corrupt row.
pub(crate) async fn list_tasks<C: GenericClient>(
    client: &C,
    query: &TaskQuery,
) -> Result<Vec<Task>, RepositoryError> {
    if query.fetch == 0 {
        return Ok(Vec::new());
    }
    let params = ListParams::of(query);
    let found = rows(client, Entity::Task, list_statement(query.sort), &params.as_refs()).await?;
    let mut tasks = tasks_from_rows(&found)?;
    tasks.sort_by(|a, b| query.sort.compare(a, b));
    tasks.truncate(query.fetch);
    Ok(tasks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_pattern_matches_its_text_literally() {
        assert_eq!(contains_pattern("Ab_c%d\\"), "%ab\\_c\\%d\\\\%");
    }

    #[test]
    fn each_sort_has_its_own_statement() {
        let distinct: std::collections::HashSet<_> =
            TaskSort::ALL.iter().map(|s| list_statement(*s)).collect();
        assert_eq!(distinct.len(), TaskSort::ALL.len());
    }
}
