use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};
use taskforge_domain::model::{EntryDraft, EntryId, Task, TrashedSubtree};
use taskforge_domain::ports::{Entity, RepositoryError, TrashRepository, TreeGuards};
use taskforge_domain::values::Timestamp;
use taskforge_domain::{ProjectId, TaskId, UserId};

use crate::codec::{bytes16, due_value, task_from_row, timestamp, version_value};
use crate::connections::Connections;
use crate::error::map_err;
use crate::history::record;
use crate::tasks::insert_guarded;

/// The columns of a trashed task, in the order `task_from_row` reads a task.
macro_rules! trashed_columns {
    () => {
        "t.id, t.project_id, t.title, t.description, t.status, t.priority, t.category_id, \
         t.assignee_id, t.due_date, t.parent_id, t.is_public, t.created_by, t.created_at, \
         t.updated_at, t.version, t.labels"
    };
}

/// A project's trash a page at a time: a range read on `trash_project`.
pub const PAGE_STATEMENT: &str = "SELECT root_id, project_id, trashed_at, trashed_by FROM trash \
     WHERE project_id = ? AND root_id > ? ORDER BY root_id LIMIT ?";

/// The subtrees trashed before an instant: a range read on `trash_age`.
pub const AGED_STATEMENT: &str = "DELETE FROM trash WHERE trashed_at < ?";

/// [`TrashRepository`] over SQLite.
#[derive(Debug, Clone)]
pub(crate) struct SqliteTrash {
    db: Arc<Connections>,
}

impl SqliteTrash {
    pub(crate) const fn new(db: Arc<Connections>) -> Self {
        Self { db }
    }
}

fn err(e: rusqlite::Error) -> RepositoryError {
    map_err(Entity::Task, e)
}

/// Stores `subtree` (root first) as one trash entry, trashed by `entry`'s actor at its time.
pub(crate) fn put(
    conn: &Connection,
    subtree: &[Task],
    entry: &EntryDraft,
) -> Result<(), RepositoryError> {
    let Some(root) = subtree.first() else { return Ok(()) };
    conn.prepare_cached(
        "INSERT INTO trash (root_id, project_id, trashed_at, trashed_by) VALUES (?, ?, ?, ?)",
    )
    .and_then(|mut s| {
        s.execute(params![
            root.id.to_bytes(),
            root.project_id.to_bytes(),
            entry.at.unix_micros(),
            entry.actor.to_bytes(),
        ])
    })
    .map_err(err)?;
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO trashed_tasks (root_id, position, id, project_id, title, description, \
             status, priority, category_id, assignee_id, due_date, parent_id, is_public, \
             created_by, created_at, updated_at, version, labels) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        )
        .map_err(err)?;
    for (position, task) in (0_i64..).zip(subtree) {
        let labels: Vec<&str> = task.labels.iter().map(|l| l.as_str()).collect();
        stmt.execute(params![
            root.id.to_bytes(),
            position,
            task.id.to_bytes(),
            task.project_id.to_bytes(),
            task.title.as_str(),
            task.description.as_str(),
            task.status.as_str(),
            task.priority.rank(),
            task.category_id.map(|c| c.to_bytes()),
            task.assignee_id.map(|a| a.to_bytes()),
            due_value(task.due_date),
            task.parent_id.map(|p| p.to_bytes()),
            task.is_public,
            task.created_by.to_bytes(),
            task.created_at.unix_micros(),
            task.updated_at.unix_micros(),
            version_value(task.version),
            (!labels.is_empty()).then(|| labels.join(" ")),
        ])
        .map_err(err)?;
    }
    Ok(())
}

fn head_from_row(row: &Row<'_>) -> rusqlite::Result<TrashedSubtree> {
    Ok(TrashedSubtree {
        root: TaskId::from_bytes(bytes16(row, 0)?),
        project_id: ProjectId::from_bytes(bytes16(row, 1)?),
        trashed_at: timestamp(row, 2)?,
        trashed_by: UserId::from_bytes(bytes16(row, 3)?),
        tasks: Vec::new(),
    })
}

/// Fills in the tasks of `head`.
fn with_tasks(
    conn: &Connection,
    mut head: TrashedSubtree,
) -> Result<TrashedSubtree, RepositoryError> {
    head.tasks = conn
        .prepare_cached(concat!(
            "SELECT ",
            trashed_columns!(),
            " FROM trashed_tasks t WHERE t.root_id = ? ORDER BY t.position"
        ))
        .and_then(|mut s| s.query_map([head.root.to_bytes()], task_from_row)?.collect())
        .map_err(err)?;
    Ok(head)
}

fn get_on(conn: &Connection, root: TaskId) -> Result<Option<TrashedSubtree>, RepositoryError> {
    let head = conn
        .prepare_cached(
            "SELECT root_id, project_id, trashed_at, trashed_by FROM trash WHERE root_id = ?",
        )
        .and_then(|mut s| s.query_row([root.to_bytes()], head_from_row).optional())
        .map_err(err)?;
    head.map(|h| with_tasks(conn, h)).transpose()
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[async_trait]
impl TrashRepository for SqliteTrash {
    async fn list(
        &self,
        project: ProjectId,
        after: Option<TaskId>,
        n: usize,
    ) -> Result<Vec<TrashedSubtree>, RepositoryError> {
        let after = after.map_or([0; 16], TaskId::to_bytes);
        self.db
            .read(move |conn| {
                let sql = PAGE_STATEMENT;
                let heads: Vec<TrashedSubtree> = conn
                    .prepare_cached(sql)
                    .and_then(|mut s| {
                        s.query_map(params![project.to_bytes(), after, limit(n)], head_from_row)?
                            .collect()
                    })
                    .map_err(err)?;
                heads.into_iter().map(|h| with_tasks(conn, h)).collect()
            })
            .await
    }

    async fn get(&self, root: TaskId) -> Result<Option<TrashedSubtree>, RepositoryError> {
        self.db.read(move |conn| get_on(conn, root)).await
    }

    async fn restore(
        &self,
        root: TaskId,
        tasks: &[Task],
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let tasks = tasks.to_vec();
        let entry = entry.clone();
        self.db
            .write(move |conn| {
                if get_on(conn, root)?.is_none() {
                    return Err(RepositoryError::NotFound(Entity::Task));
                }
                for task in &tasks {
                    insert_guarded(conn, task, &TreeGuards::none())?;
                }
                conn.prepare_cached("DELETE FROM trash WHERE root_id = ?")
                    .and_then(|mut s| s.execute([root.to_bytes()]))
                    .map_err(err)?;
                record(conn, &entry)
            })
            .await
    }

    async fn purge(&self, root: TaskId) -> Result<(), RepositoryError> {
        self.db
            .write(move |conn| {
                let deleted = conn
                    .prepare_cached("DELETE FROM trash WHERE root_id = ?")
                    .and_then(|mut s| s.execute([root.to_bytes()]))
                    .map_err(err)?;
                if deleted == 0 {
                    return Err(RepositoryError::NotFound(Entity::Task));
                }
                Ok(())
            })
            .await
    }

    async fn purge_trashed_before(&self, before: Timestamp) -> Result<usize, RepositoryError> {
        self.db
            .write(move |conn| {
                let sql = AGED_STATEMENT;
                conn.prepare_cached(sql)
                    .and_then(|mut s| s.execute([before.unix_micros()]))
                    .map_err(err)
            })
            .await
    }
}
