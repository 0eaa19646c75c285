//! Row ↔ domain conversions. Storage formats: ids are 16-byte BLOBs, timestamps INTEGER unix
//! microseconds, due dates INTEGER days since 1970-01-01, priorities their rank 1–4, statuses
//! and roles their wire names. Decoding re-validates through the domain's constructors, so a
//! hand-edited or corrupt row is an error ([`crate::error::CorruptRow`]), never a panic.

use rusqlite::Row;
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{
    Description, DueDate, Label, Labels, Priority, Status, TaskTitle, Version,
};
use taskforge_domain::{Task, TaskId};

use crate::error::corrupt;

/// The columns of a task, in the order [`task_from_row`] reads them, for a `tasks` table
/// aliased `t`. The labels come along as one space-separated string from a correlated lookup on
/// `task_labels`'s primary key, so reading any number of tasks with their labels is one
/// statement (no N+1). Labels cannot contain spaces.
macro_rules! task_columns {
    () => {
        "t.id, t.project_id, t.title, t.description, t.status, t.priority, t.category_id, \
         t.assignee_id, t.due_date, t.parent_id, t.is_public, t.created_by, t.created_at, \
         t.updated_at, t.version, \
         (SELECT group_concat(l.label, ' ') FROM task_labels l WHERE l.task_id = t.id)"
    };
}
pub(crate) use task_columns;

// The readers below borrow SQLite's own buffer of a column (`get_ref`) instead of copying it
// into a `Vec` or `String` first: a listing decodes six ids and several texts per row, and
// those copies were thrown away as soon as the domain value was built.

/// Reads a 16-byte id at `idx`.
pub(crate) fn bytes16(row: &Row<'_>, idx: usize) -> rusqlite::Result<[u8; 16]> {
    let blob = row.get_ref(idx)?.as_blob()?;
    <[u8; 16]>::try_from(blob).map_err(|_| corrupt("id", "not 16 bytes"))
}

/// Reads an optional 16-byte id at `idx`.
pub(crate) fn opt_bytes16(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<[u8; 16]>> {
    row.get_ref(idx)?
        .as_blob_or_null()?
        .map(|b| <[u8; 16]>::try_from(b).map_err(|_| corrupt("id", "not 16 bytes")))
        .transpose()
}

/// Reads a text column at `idx` without copying it.
fn text<'r>(row: &'r Row<'_>, idx: usize) -> rusqlite::Result<&'r str> {
    row.get_ref(idx)?.as_str().map_err(Into::into)
}

/// Reads a timestamp (unix microseconds) at `idx`.
pub(crate) fn timestamp(row: &Row<'_>, idx: usize) -> rusqlite::Result<Timestamp> {
    let micros: i64 = row.get(idx)?;
    Timestamp::from_unix_micros(micros).ok_or_else(|| corrupt("timestamp", micros))
}

/// Reads an optional timestamp at `idx`.
pub(crate) fn opt_timestamp(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Timestamp>> {
    let micros: Option<i64> = row.get(idx)?;
    micros
        .map(|m| Timestamp::from_unix_micros(m).ok_or_else(|| corrupt("timestamp", m)))
        .transpose()
}

/// Reads a version at `idx`.
pub(crate) fn version(row: &Row<'_>, idx: usize) -> rusqlite::Result<Version> {
    let n: i64 = row.get(idx)?;
    u64::try_from(n).ok().and_then(Version::new).ok_or_else(|| corrupt("version", n))
}

/// The stored form of a version.
pub(crate) fn version_value(v: Version) -> i64 {
    i64::try_from(v.get()).unwrap_or(i64::MAX)
}

/// The stored form of a due date.
pub(crate) fn due_value(d: Option<DueDate>) -> Option<i64> {
    d.map(|d| i64::from(d.days_since_epoch()))
}

/// Reads a task selected with [`task_columns!`].
pub(crate) fn task_from_row(row: &Row<'_>) -> rusqlite::Result<Task> {
    let title = text(row, 2)?;
    let description = text(row, 3)?;
    let status = text(row, 4)?;
    let priority: i64 = row.get(5)?;
    let due: Option<i64> = row.get(8)?;
    let labels = row.get_ref(15)?.as_str_or_null()?;
    Ok(Task {
        id: TaskId::from_bytes(bytes16(row, 0)?),
        project_id: taskforge_domain::ProjectId::from_bytes(bytes16(row, 1)?),
        title: TaskTitle::parse(title).map_err(|e| corrupt("title", e))?,
        description: Description::parse(description).map_err(|e| corrupt("description", e))?,
        status: Status::parse(status).map_err(|e| corrupt("status", e))?,
        priority: u8::try_from(priority)
            .ok()
            .and_then(Priority::from_rank)
            .ok_or_else(|| corrupt("priority", priority))?,
        category_id: opt_bytes16(row, 6)?.map(taskforge_domain::CategoryId::from_bytes),
        assignee_id: opt_bytes16(row, 7)?.map(taskforge_domain::UserId::from_bytes),
        labels: parse_labels(labels)?,
        due_date: due
            .map(|d| {
                i32::try_from(d)
                    .ok()
                    .and_then(DueDate::from_days_since_epoch)
                    .ok_or_else(|| corrupt("due date", d))
            })
            .transpose()?,
        parent_id: opt_bytes16(row, 9)?.map(TaskId::from_bytes),
        is_public: row.get(10)?,
        created_by: taskforge_domain::UserId::from_bytes(bytes16(row, 11)?),
        created_at: timestamp(row, 12)?,
        updated_at: timestamp(row, 13)?,
        version: version(row, 14)?,
    })
}

fn parse_labels(joined: Option<&str>) -> rusqlite::Result<Labels> {
    let Some(joined) = joined else { return Ok(Labels::none()) };
    let labels = joined
        .split(' ')
        .map(|l| Label::parse(l).map_err(|e| corrupt("label", e)))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Labels::from_labels(labels).map_err(|e| corrupt("labels", e))
}
