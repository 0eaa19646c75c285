use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};
use taskforge_domain::model::{Change, EntryDraft, EntryId, HistoryEntry};
use taskforge_domain::ports::{Entity, HistoryRepository, RepositoryError};
use taskforge_domain::{ProjectId, TaskId, UserId};

use crate::codec::{bytes16, opt_bytes16, timestamp};
use crate::connections::Connections;
use crate::error::{corrupt, map_err};

/// The columns of an entry, in the order [`entry_from_row`] reads them.
macro_rules! entry_columns {
    () => {
        "id, project_id, task_id, actor_id, at, kind, reverts, fields"
    };
}

/// A task's entries, newest first, before an id: a range read on `history_task`.
pub const TASK_PAGE_STATEMENT: &str = concat!(
    "SELECT ",
    entry_columns!(),
    " FROM history WHERE task_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
);

/// A project's entries, newest first, before an id: a range read on `history_project`.
pub const PROJECT_PAGE_STATEMENT: &str = concat!(
    "SELECT ",
    entry_columns!(),
    " FROM history WHERE project_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
);

/// The log after an id, oldest first: a range read on the primary key.
pub const AFTER_STATEMENT: &str =
    concat!("SELECT ", entry_columns!(), " FROM history WHERE id > ? ORDER BY id LIMIT ?");

/// [`HistoryRepository`] over SQLite.
#[derive(Debug, Clone)]
pub(crate) struct SqliteHistory {
    db: Arc<Connections>,
}

impl SqliteHistory {
    pub(crate) const fn new(db: Arc<Connections>) -> Self {
        Self { db }
    }
}

fn err(e: rusqlite::Error) -> RepositoryError {
    map_err(Entity::Task, e)
}

/// Appends `draft` to the log on the writer's connection, inside the caller's savepoint: the
/// entry commits or rolls back with the change it records. Returns the entry's id.
pub(crate) fn record(conn: &Connection, draft: &EntryDraft) -> Result<EntryId, RepositoryError> {
    let stored = draft.change.to_stored();
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO history (project_id, task_id, actor_id, at, kind, reverts, fields) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .and_then(|mut s| {
            s.query_row(
                params![
                    draft.project_id.to_bytes(),
                    stored.task_id.map(TaskId::to_bytes),
                    draft.actor.to_bytes(),
                    draft.at.unix_micros(),
                    stored.kind,
                    stored.reverts.map(EntryId::as_i64),
                    stored.fields,
                ],
                |r| r.get(0),
            )
        })
        .map_err(err)?;
    EntryId::from_i64(id).ok_or_else(|| err(corrupt("history id", id)))
}

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<HistoryEntry> {
    let id: i64 = row.get(0)?;
    let reverts: Option<i64> = row.get(6)?;
    let kind: String = row.get(5)?;
    let fields: String = row.get(7)?;
    let task_id = opt_bytes16(row, 2)?.map(TaskId::from_bytes);
    let reverts = reverts.map(|r| EntryId::from_i64(r).ok_or_else(|| corrupt("history id", r)));
    let change = Change::from_stored(&kind, task_id, reverts.transpose()?, &fields)
        .map_err(|e| corrupt("history entry", e))?;
    Ok(HistoryEntry {
        id: EntryId::from_i64(id).ok_or_else(|| corrupt("history id", id))?,
        project_id: ProjectId::from_bytes(bytes16(row, 1)?),
        actor: UserId::from_bytes(bytes16(row, 3)?),
        at: timestamp(row, 4)?,
        change,
    })
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn before_key(before: Option<EntryId>) -> i64 {
    before.map_or(i64::MAX, EntryId::as_i64)
}

#[async_trait]
impl HistoryRepository for SqliteHistory {
    async fn of_task(
        &self,
        task: TaskId,
        before: Option<EntryId>,
        n: usize,
    ) -> Result<Vec<HistoryEntry>, RepositoryError> {
        self.db
            .read(move |conn| {
                let sql = TASK_PAGE_STATEMENT;
                conn.prepare_cached(sql)
                    .and_then(|mut s| {
                        s.query_map(
                            params![task.to_bytes(), before_key(before), limit(n)],
                            entry_from_row,
                        )?
                        .collect()
                    })
                    .map_err(err)
            })
            .await
    }

    async fn of_project(
        &self,
        project: ProjectId,
        before: Option<EntryId>,
        n: usize,
    ) -> Result<Vec<HistoryEntry>, RepositoryError> {
        self.db
            .read(move |conn| {
                let sql = PROJECT_PAGE_STATEMENT;
                conn.prepare_cached(sql)
                    .and_then(|mut s| {
                        s.query_map(
                            params![project.to_bytes(), before_key(before), limit(n)],
                            entry_from_row,
                        )?
                        .collect()
                    })
                    .map_err(err)
            })
            .await
    }

    async fn after(&self, after: EntryId, n: usize) -> Result<Vec<HistoryEntry>, RepositoryError> {
        self.db
            .read(move |conn| {
                let sql = AFTER_STATEMENT;
                conn.prepare_cached(sql)
                    .and_then(|mut s| {
                        s.query_map(params![after.as_i64(), limit(n)], entry_from_row)?.collect()
                    })
                    .map_err(err)
            })
            .await
    }

    async fn get(&self, id: EntryId) -> Result<Option<HistoryEntry>, RepositoryError> {
        self.db
            .read(move |conn| {
                conn.prepare_cached(concat!(
                    "SELECT ",
                    entry_columns!(),
                    " FROM history WHERE id = ?"
                ))
                .and_then(|mut s| s.query_row([id.as_i64()], entry_from_row).optional())
                .map_err(err)
            })
            .await
    }

    async fn latest(&self) -> Result<Option<EntryId>, RepositoryError> {
        self.db
            .read(move |conn| {
                let max: Option<i64> = conn
                    .prepare_cached("SELECT max(id) FROM history")
                    .and_then(|mut s| s.query_row([], |r| r.get(0)))
                    .map_err(err)?;
                Ok(max.and_then(EntryId::from_i64))
            })
            .await
    }
}
