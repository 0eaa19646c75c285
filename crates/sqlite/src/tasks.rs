use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Statement, params};
use taskforge_domain::model::{EntryDraft, EntryId};
use taskforge_domain::ports::{Entity, RepositoryError, TaskRepository, TreeGuards};
use taskforge_domain::query::TaskQuery;
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{Label, Version};
use taskforge_domain::{ProjectId, Task, TaskId};

use crate::codec::{due_value, task_columns, task_from_row, version_value};
use crate::connections::Connections;
use crate::error::map_err;
use crate::history::record;
use crate::projects::project_exists;
use crate::task_integrity::{
    assignee_outside, check_guards, check_references, stored_task_head, subtree,
};

/// [`TaskRepository`] over SQLite.
#[derive(Debug, Clone)]
pub(crate) struct SqliteTasks {
    db: Arc<Connections>,
}

impl SqliteTasks {
    pub(crate) const fn new(db: Arc<Connections>) -> Self {
        Self { db }
    }
}

fn err(e: rusqlite::Error) -> RepositoryError {
    map_err(Entity::Task, e)
}

fn task_exists(conn: &Connection, id: TaskId) -> Result<bool, RepositoryError> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM tasks WHERE id = ?)")
        .and_then(|mut s| s.query_row([id.to_bytes()], |r| r.get(0)))
        .map_err(err)
}

fn insert_labels(conn: &Connection, task: &Task) -> Result<(), RepositoryError> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO task_labels (task_id, label, created_at, priority, due_key, title) \
             SELECT id, ?2, created_at, priority, due_key, title FROM tasks WHERE id = ?1",
        )
        .map_err(err)?;
    for label in &task.labels {
        stmt.execute(params![task.id.to_bytes(), label.as_str()]).map_err(err)?;
    }
    Ok(())
}

fn read_tasks(
    conn: &Connection,
    sql: &'static str,
    id: TaskId,
) -> Result<Vec<Task>, RepositoryError> {
    conn.prepare_cached(sql)
        .and_then(|mut s| s.query_map([id.to_bytes()], task_from_row)?.collect())
        .map_err(err)
}

/// Each task once, at its shallowest depth, the root excluded: on corrupt (cyclic) data a task
/// can be reached again deeper down.
/// One task by id.
const BY_ID: &str = concat!("SELECT ", task_columns!(), " FROM tasks t WHERE t.id = ?");

const DESCENDANTS: &str = concat!(
    subtree!(),
    "SELECT ",
    task_columns!(),
    " FROM (SELECT id, min(depth) AS depth FROM tree WHERE id <> ?1 GROUP BY id) d \
      JOIN tasks t ON t.id = d.id ORDER BY d.depth, t.id"
);

/// Stores a new task: its fifteen columns as `?1` to `?15`, in the order
/// [`execute_with_task_columns`] binds them.
const INSERT_TASK: &str = "INSERT INTO tasks (id, project_id, title, description, status, \
     priority, category_id, assignee_id, due_date, parent_id, is_public, created_by, created_at, \
     updated_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

/// Rewrites a stored task from the same fifteen parameters as [`INSERT_TASK`]: `?1` (the id)
/// picks the row and `?2` (the project) is bound but unused, since a task changes project only
/// through `move_tree`.
const UPDATE_TASK: &str = "UPDATE tasks SET title = ?3, description = ?4, status = ?5, \
     priority = ?6, category_id = ?7, assignee_id = ?8, due_date = ?9, parent_id = ?10, \
     is_public = ?11, created_by = ?12, created_at = ?13, updated_at = ?14, version = ?15 \
     WHERE id = ?1";

/// Executes [`INSERT_TASK`] or [`UPDATE_TASK`] with `task`'s columns: the one place that
/// turns a task into its row, so insert and update cannot drift apart.
fn execute_with_task_columns(stmt: &mut Statement<'_>, task: &Task) -> rusqlite::Result<usize> {
    stmt.execute(params![
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
    ])
}

/// Inserts a task and its labels on the writer's connection, without guards. Shared with the
/// tests' seeding.
///
/// # Errors
/// As [`TaskRepository::insert`].
pub fn insert_task(conn: &Connection, task: &Task) -> Result<(), RepositoryError> {
    insert_guarded(conn, task, &TreeGuards::none())
}

pub(crate) fn insert_guarded(
    conn: &Connection,
    task: &Task,
    guards: &TreeGuards,
) -> Result<(), RepositoryError> {
    if task_exists(conn, task.id)? {
        return Err(RepositoryError::Duplicate(Entity::Task));
    }
    check_guards(conn, task.id, guards)?;
    check_references(conn, task)?;
    conn.prepare_cached(INSERT_TASK)
        .and_then(|mut s| execute_with_task_columns(&mut s, task))
        .map_err(err)?;
    insert_labels(conn, task)
}

#[async_trait]
impl TaskRepository for SqliteTasks {
    async fn insert(
        &self,
        task: &Task,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let task = task.clone();
        let guards = guards.clone();
        let entry = entry.clone();
        self.db
            .write(move |conn| {
                insert_guarded(conn, &task, &guards)?;
                record(conn, &entry)
            })
            .await
    }

    async fn get(&self, id: TaskId) -> Result<Option<Task>, RepositoryError> {
        self.db
            .read(move |conn| {
                conn.prepare_cached(concat!(
                    "SELECT ",
                    task_columns!(),
                    " FROM tasks t WHERE t.id = ?"
                ))
                .and_then(|mut s| s.query_row([id.to_bytes()], task_from_row).optional())
                .map_err(err)
            })
            .await
    }

    async fn ancestors(&self, id: TaskId) -> Result<Vec<Task>, RepositoryError> {
        const ANCESTORS: &str = concat!(
            "WITH RECURSIVE chain(id, step) AS ( \
                 SELECT parent_id, 1 FROM tasks WHERE id = ?1 AND parent_id IS NOT NULL \
                 UNION ALL \
                 SELECT t.parent_id, chain.step + 1 FROM chain JOIN tasks t ON t.id = chain.id \
                 WHERE t.parent_id IS NOT NULL AND chain.step < 64 \
             ) SELECT ",
            task_columns!(),
            " FROM chain JOIN tasks t ON t.id = chain.id ORDER BY chain.step"
        );
        self.db.read(move |conn| read_tasks(conn, ANCESTORS, id)).await
    }

    async fn descendants(&self, id: TaskId) -> Result<Vec<Task>, RepositoryError> {
        self.db.read(move |conn| read_tasks(conn, DESCENDANTS, id)).await
    }

    async fn update(
        &self,
        task: &Task,
        expected: Version,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let task = task.clone();
        let guards = guards.clone();
        let entry = entry.clone();
        self.db
            .write(move |conn| {
                let project_id = match stored_task_head(conn, task.id)? {
                    None => return Err(RepositoryError::NotFound(Entity::Task)),
                    Some((v, _)) if v != expected => {
                        return Err(RepositoryError::VersionConflict(Entity::Task));
                    }
                    Some((_, project_id)) => project_id,
                };
                check_guards(conn, task.id, &guards)?;
                // Moving is `move_tree`'s job (it takes the subtree along): the project stays.
                let task = Task { project_id, ..task };
                check_references(conn, &task)?;
                conn.prepare_cached(UPDATE_TASK)
                    .and_then(|mut s| execute_with_task_columns(&mut s, &task))
                    .map_err(err)?;
                replace_labels(conn, &task)?;
                record(conn, &entry)
            })
            .await
    }

    async fn delete(
        &self,
        id: TaskId,
        entry: &EntryDraft,
    ) -> Result<(Vec<TaskId>, EntryId), RepositoryError> {
        let entry = entry.clone();
        self.db
            .write(move |conn| {
                let mut subtree = read_tasks(conn, BY_ID, id)?;
                if subtree.is_empty() {
                    return Err(RepositoryError::NotFound(Entity::Task));
                }
                subtree.extend(read_tasks(conn, DESCENDANTS, id)?);
                crate::trash::put(conn, &subtree, &entry)?;
                conn.prepare_cached(concat!(
                    subtree!(),
                    "DELETE FROM tasks WHERE id IN (SELECT id FROM tree)"
                ))
                .and_then(|mut s| s.execute([id.to_bytes()]))
                .map_err(err)?;
                let ids = subtree.iter().map(|t| t.id).collect();
                Ok((ids, record(conn, &entry)?))
            })
            .await
    }

    async fn move_tree(
        &self,
        id: TaskId,
        to: ProjectId,
        expected: Version,
        at: Timestamp,
        entry: &EntryDraft,
    ) -> Result<(Vec<Task>, EntryId), RepositoryError> {
        let entry = entry.clone();
        self.db
            .write(move |conn| {
                let moved = move_tree(conn, id, to, expected, at)?;
                let root_entry = record(conn, &entry)?;
                for subtask in entry.subtask_moves(&moved) {
                    record(conn, &subtask)?;
                }
                Ok((moved, root_entry))
            })
            .await
    }

    async fn list(&self, query: &TaskQuery) -> Result<Vec<Task>, RepositoryError> {
        let query = query.clone();
        self.db.read(move |conn| crate::listing::list_tasks_on(conn, &query).map_err(err)).await
    }
}

fn replace_labels(conn: &Connection, task: &Task) -> Result<(), RepositoryError> {
    let stored: Vec<String> = conn
        .prepare_cached("SELECT label FROM task_labels WHERE task_id = ?")
        .and_then(|mut s| s.query_map([task.id.to_bytes()], |r| r.get(0))?.collect())
        .map_err(err)?;
    let unchanged = stored.len() == task.labels.len()
        && stored.iter().all(|s| Label::parse(s).is_ok_and(|l| task.labels.contains(&l)));
    if unchanged {
        return Ok(());
    }
    conn.prepare_cached("DELETE FROM task_labels WHERE task_id = ?")
        .and_then(|mut s| s.execute([task.id.to_bytes()]))
        .map_err(err)?;
    insert_labels(conn, task)
}

/// The move, as a sequence of statements that only make sense together: it runs inside the
/// caller's savepoint, so an error at any step (including one injected by a test trigger
/// between the subtasks and the root) leaves the database as it was.
fn move_tree(
    conn: &Connection,
    id: TaskId,
    to: ProjectId,
    expected: Version,
    at: Timestamp,
) -> Result<Vec<Task>, RepositoryError> {
    match stored_task_head(conn, id)? {
        None => return Err(RepositoryError::NotFound(Entity::Task)),
        Some((v, _)) if v != expected => {
            return Err(RepositoryError::VersionConflict(Entity::Task));
        }
        Some(_) => {}
    }
    if !project_exists(conn, to)? {
        return Err(RepositoryError::MissingReference(Entity::Project));
    }
    // Checked in the move itself: a subtask created or assigned after the service looked
    // moves too, and must stay assigned to a member.
    if assignee_outside(conn, id, to)? {
        return Err(RepositoryError::MissingReference(Entity::Member));
    }
    // Its subtasks, all levels, first: the walk follows children in the root's project, so it
    // runs while the root is still there.
    conn.prepare_cached(concat!(
        subtree!(),
        "UPDATE tasks SET project_id = ?2, version = version + 1, updated_at = ?3 \
         WHERE id IN (SELECT id FROM tree WHERE id <> ?1)"
    ))
    .and_then(|mut s| s.execute(params![id.to_bytes(), to.to_bytes(), at.unix_micros()]))
    .map_err(err)?;
    // Then the root, which leaves its parent behind.
    conn.prepare_cached(
        "UPDATE tasks SET project_id = ?2, parent_id = NULL, version = version + 1, \
         updated_at = ?3 WHERE id = ?1",
    )
    .and_then(|mut s| s.execute(params![id.to_bytes(), to.to_bytes(), at.unix_micros()]))
    .map_err(err)?;
    let mut moved =
        read_tasks(conn, concat!("SELECT ", task_columns!(), " FROM tasks t WHERE t.id = ?"), id)?;
    if moved.is_empty() {
        return Err(RepositoryError::NotFound(Entity::Task));
    }
    moved.extend(read_tasks(conn, DESCENDANTS, id)?);
    Ok(moved)
}
