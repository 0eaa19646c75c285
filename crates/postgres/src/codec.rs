//! Row ↔ domain conversions. Storage formats match the SQLite dialect value for value (see
//! `migrations/postgres/0001_initial.sql`): ids UUID, timestamps BIGINT unix microseconds, due
//! dates INTEGER days since 1970-01-01, priorities SMALLINT rank 1–4, statuses and roles their
//! wire names. Decoding re-validates through the domain's constructors, so a hand-edited or
//! corrupt row is an error, never a panic.

use taskforge_domain::ports::RepositoryError;
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{
    Description, DueDate, Label, Labels, Priority, Status, TaskTitle, Version,
};
use taskforge_domain::{CategoryId, ProjectId, Task, TaskId, UserId};
use tokio_postgres::Row;
use tokio_postgres::types::FromSql;
use uuid::Uuid;

use crate::error::corrupt;

/// The columns of a task, in the order [`task_from_row`] reads them, for a `tasks` table
/// aliased `t`. The labels come along as an array from a correlated lookup on `task_labels`'s
/// primary key, so reading any number of tasks with their labels is one statement (no N+1).
macro_rules! task_columns {
    () => {
        "t.id, t.project_id, t.title, t.description, t.status, t.priority, t.category_id, \
         t.assignee_id, t.due_date, t.parent_id, t.is_public, t.created_by, t.created_at, \
         t.updated_at, t.version, \
         ARRAY(SELECT l.label FROM task_labels l WHERE l.task_id = t.id)"
    };
}
pub(crate) use task_columns;

/// Column `idx` of `row`; a type mismatch is a corrupt row (or a bug), reported as
/// [`RepositoryError::Other`].
pub(crate) fn get<'a, T: FromSql<'a>>(row: &'a Row, idx: usize) -> Result<T, RepositoryError> {
    row.try_get(idx).map_err(RepositoryError::other)
}

/// The stored form of a version.
pub(crate) fn version_value(v: Version) -> i64 {
    i64::try_from(v.get()).unwrap_or(i64::MAX)
}

/// Reads a version at `idx`.
pub(crate) fn version(row: &Row, idx: usize) -> Result<Version, RepositoryError> {
    let n: i64 = get(row, idx)?;
    u64::try_from(n).ok().and_then(Version::new).ok_or_else(|| corrupt("version", n))
}

/// Reads a timestamp (unix microseconds) at `idx`.
pub(crate) fn timestamp(row: &Row, idx: usize) -> Result<Timestamp, RepositoryError> {
    let micros: i64 = get(row, idx)?;
    Timestamp::from_unix_micros(micros).ok_or_else(|| corrupt("timestamp", micros))
}

/// Reads an optional timestamp at `idx`.
pub(crate) fn opt_timestamp(row: &Row, idx: usize) -> Result<Option<Timestamp>, RepositoryError> {
    let micros: Option<i64> = get(row, idx)?;
    micros
        .map(|m| Timestamp::from_unix_micros(m).ok_or_else(|| corrupt("timestamp", m)))
        .transpose()
}

/// The stored form of a due date.
pub(crate) fn due_value(d: Option<DueDate>) -> Option<i32> {
    d.map(DueDate::days_since_epoch)
}

/// The stored form of a priority.
pub(crate) fn priority_value(p: Priority) -> i16 {
    i16::from(p.rank())
}

/// Reads a priority at `idx`.
pub(crate) fn priority(row: &Row, idx: usize) -> Result<Priority, RepositoryError> {
    let rank: i16 = get(row, idx)?;
    u8::try_from(rank).ok().and_then(Priority::from_rank).ok_or_else(|| corrupt("priority", rank))
}

/// Reads a task selected with [`task_columns!`].
pub(crate) fn task_from_row(row: &Row) -> Result<Task, RepositoryError> {
    let title: &str = get(row, 2)?;
    let description: &str = get(row, 3)?;
    let status: &str = get(row, 4)?;
    let due: Option<i32> = get(row, 8)?;
    let labels: Vec<&str> = get(row, 15)?;
    Ok(Task {
        id: TaskId::from_uuid(get(row, 0)?),
        project_id: ProjectId::from_uuid(get(row, 1)?),
        title: TaskTitle::parse(title).map_err(|e| corrupt("title", e))?,
        description: Description::parse(description).map_err(|e| corrupt("description", e))?,
        status: Status::parse(status).map_err(|e| corrupt("status", e))?,
        priority: priority(row, 5)?,
        category_id: get::<Option<Uuid>>(row, 6)?.map(CategoryId::from_uuid),
        assignee_id: get::<Option<Uuid>>(row, 7)?.map(UserId::from_uuid),
        labels: parse_labels(&labels)?,
        due_date: due
            .map(|d| DueDate::from_days_since_epoch(d).ok_or_else(|| corrupt("due date", d)))
            .transpose()?,
        parent_id: get::<Option<Uuid>>(row, 9)?.map(TaskId::from_uuid),
        is_public: get(row, 10)?,
        created_by: UserId::from_uuid(get(row, 11)?),
        created_at: timestamp(row, 12)?,
        updated_at: timestamp(row, 13)?,
        version: version(row, 14)?,
    })
}

fn parse_labels(labels: &[&str]) -> Result<Labels, RepositoryError> {
    let labels = labels
        .iter()
        .map(|l| Label::parse(l).map_err(|e| corrupt("label", e)))
        .collect::<Result<Vec<_>, _>>()?;
    Labels::from_labels(labels).map_err(|e| corrupt("labels", e))
}

/// Reads the tasks of `rows`, each selected with [`task_columns!`].
pub(crate) fn tasks_from_rows(rows: &[Row]) -> Result<Vec<Task>, RepositoryError> {
    rows.iter().map(task_from_row).collect()
}
