//! What a task write re-checks inside its own savepoint on the writer's connection, so no other
//! write can come between the check and the write: the references of the row (the two
//! composite ones included — the parent in the same project, the assignee a member of it), the
//! service's [`TreeGuards`], and the walk of a subtree, which never leaves its project.
//!
//! The composite references are checked here rather than declared as foreign keys because
//! SQLite cannot add a constraint to an existing table without rebuilding it (and its indexes,
//! triggers and full-text index); migration 0003 repaired the rows written before the checks.

use rusqlite::{Connection, OptionalExtension, params};
use taskforge_domain::ports::{Entity, RepositoryError, TreeGuards};
use taskforge_domain::values::Version;
use taskforge_domain::{ProjectId, Task, TaskId};

use crate::categories::category_exists;
use crate::codec::{bytes16, version};
use crate::error::map_err;
use crate::projects::{member_exists, project_exists};
use crate::users::user_exists;

fn err(e: rusqlite::Error) -> RepositoryError {
    map_err(Entity::Task, e)
}

/// Every task of the subtree rooted at ?1 (the root included, depth 0), breadth-first. Only
/// children in the root's project are followed, and the depth bound keeps corrupt (cyclic)
/// data from looping.
macro_rules! subtree {
    () => {
        "WITH RECURSIVE tree(id, project_id, depth) AS ( \
             SELECT id, project_id, 0 FROM tasks WHERE id = ?1 \
             UNION ALL \
             SELECT c.id, c.project_id, tree.depth + 1 FROM tree \
             JOIN tasks c ON c.parent_id = tree.id AND c.project_id = tree.project_id \
             WHERE tree.depth < 64 \
         ) "
    };
}
pub(crate) use subtree;

/// The stored version and project of task `id`, if it exists.
pub(crate) fn stored_task_head(
    conn: &Connection,
    id: TaskId,
) -> Result<Option<(Version, ProjectId)>, RepositoryError> {
    conn.prepare_cached("SELECT version, project_id FROM tasks WHERE id = ?")
        .and_then(|mut s| {
            s.query_row([id.to_bytes()], |r| {
                Ok((version(r, 0)?, ProjectId::from_bytes(bytes16(r, 1)?)))
            })
            .optional()
        })
        .map_err(err)
}

/// The references of a task row, each named by the entity that is missing when it fails.
pub(crate) fn check_references(conn: &Connection, task: &Task) -> Result<(), RepositoryError> {
    if !project_exists(conn, task.project_id)? {
        return Err(RepositoryError::MissingReference(Entity::Project));
    }
    if let Some(parent) = task.parent_id {
        let in_project = stored_task_head(conn, parent)?.is_some_and(|(_, p)| p == task.project_id);
        if !in_project {
            return Err(RepositoryError::MissingReference(Entity::Task));
        }
    }
    if let Some(category) = task.category_id
        && !category_exists(conn, category)?
    {
        return Err(RepositoryError::MissingReference(Entity::Category));
    }
    if let Some(assignee) = task.assignee_id {
        if !user_exists(conn, assignee)? {
            return Err(RepositoryError::MissingReference(Entity::User));
        }
        if !member_exists(conn, task.project_id, assignee)? {
            return Err(RepositoryError::MissingReference(Entity::Member));
        }
    }
    Ok(())
}

/// The guards of a write of task `id`: every guarded task at its version, and the task's
/// subtree no taller than allowed.
pub(crate) fn check_guards(
    conn: &Connection,
    id: TaskId,
    guards: &TreeGuards,
) -> Result<(), RepositoryError> {
    for guard in &guards.versions {
        if stored_task_head(conn, guard.task_id)?.map(|(v, _)| v) != Some(guard.version) {
            return Err(RepositoryError::TreeChanged);
        }
    }
    if let Some(max) = guards.subtree_height
        && subtree_height(conn, id)? > max
    {
        return Err(RepositoryError::SubtreeGrew);
    }
    Ok(())
}

/// How many levels the subtree of `id` spans: 1 for a leaf, 0 for an unknown task.
fn subtree_height(conn: &Connection, id: TaskId) -> Result<usize, RepositoryError> {
    let height: i64 = conn
        .prepare_cached(concat!(subtree!(), "SELECT coalesce(max(depth) + 1, 0) FROM tree"))
        .and_then(|mut s| s.query_row([id.to_bytes()], |r| r.get(0)))
        .map_err(err)?;
    Ok(usize::try_from(height).unwrap_or(usize::MAX))
}

/// True when a task of the subtree of `id` is assigned to someone who is not a member of `to`.
pub(crate) fn assignee_outside(
    conn: &Connection,
    id: TaskId,
    to: ProjectId,
) -> Result<bool, RepositoryError> {
    conn.prepare_cached(concat!(
        subtree!(),
        "SELECT EXISTS (SELECT 1 FROM tree JOIN tasks t ON t.id = tree.id \
         WHERE t.assignee_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM project_members m \
         WHERE m.project_id = ?2 AND m.user_id = t.assignee_id))"
    ))
    .and_then(|mut s| s.query_row(params![id.to_bytes(), to.to_bytes()], |r| r.get(0)))
    .map_err(err)
}
