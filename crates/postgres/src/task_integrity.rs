//! What a task write re-checks inside its own transaction, and the row locks that keep each
//! checked fact true until the write commits (adr/0012-tree-and-membership-rules-in-the-write.md
//! states the rules; SQLite gets the same guarantee from its single writer):
//!
//! | fact checked | lock taken | what it holds off until commit |
//! |---|---|---|
//! | the written task's version | `FOR UPDATE` on its row | any other write of it |
//! | each guarded task's version (new parent, its ancestors) | `FOR SHARE`, in id order | their moves, re-parentings, deletions |
//! | the parent is in the task's project | `FOR SHARE` on the parent | its move or deletion |
//! | project, category, assignee exist | `FOR KEY SHARE` | their deletion |
//! | the assignee is a member | `FOR SHARE` on the membership | its removal |
//!
//! A lost race therefore either waits and then sees the winner's result, or fails as a
//! deadlock (reported as a conflict), never writes on a fact that stopped holding.

use deadpool_postgres::GenericClient;
use taskforge_domain::ports::{Entity, RepositoryError, TreeGuards};
use taskforge_domain::values::Version;
use taskforge_domain::{ProjectId, Task, TaskId};
use uuid::Uuid;

use crate::categories::category_exists;
use crate::codec::{get, version};
use crate::projects::{member_exists, project_exists};
use crate::statements::{opt, rows};
use crate::users::user_exists;

/// Every task of the subtree rooted at $1 (the root included, depth 0), breadth-first. Only
/// children in the root's project are followed, and the depth bound keeps corrupt (cyclic)
/// data from looping.
macro_rules! subtree {
    () => {
        "WITH RECURSIVE tree(id, project_id, depth) AS ( \
             SELECT id, project_id, 0 FROM tasks WHERE id = $1 \
             UNION ALL \
             SELECT c.id, c.project_id, tree.depth + 1 FROM tree \
             JOIN tasks c ON c.parent_id = tree.id AND c.project_id = tree.project_id \
             WHERE tree.depth < 64 \
         ) "
    };
}
pub(crate) use subtree;

/// The stored version and project of task `id`, if it exists, its row locked for the write
/// (`FOR UPDATE`).
pub(crate) async fn lock_task<C: GenericClient>(
    client: &C,
    id: TaskId,
) -> Result<Option<(Version, ProjectId)>, RepositoryError> {
    let row = opt(
        client,
        Entity::Task,
        "SELECT version, project_id FROM tasks WHERE id = $1 FOR UPDATE",
        &[id.as_uuid()],
    )
    .await?;
    row.map(|r| Ok((version(&r, 0)?, ProjectId::from_uuid(get(&r, 1)?)))).transpose()
}

/// The references of a task row, each named by the entity that is missing when it fails.
pub(crate) async fn check_references<C: GenericClient>(
    client: &C,
    task: &Task,
) -> Result<(), RepositoryError> {
    if !project_exists(client, task.project_id).await? {
        return Err(RepositoryError::MissingReference(Entity::Project));
    }
    if let Some(parent) = task.parent_id {
        let row = opt(
            client,
            Entity::Task,
            "SELECT project_id FROM tasks WHERE id = $1 FOR SHARE",
            &[parent.as_uuid()],
        )
        .await?;
        let in_project = match row {
            Some(r) => ProjectId::from_uuid(get(&r, 0)?) == task.project_id,
            None => false,
        };
        if !in_project {
            return Err(RepositoryError::MissingReference(Entity::Task));
        }
    }
    if let Some(category) = task.category_id
        && !category_exists(client, category).await?
    {
        return Err(RepositoryError::MissingReference(Entity::Category));
    }
    if let Some(assignee) = task.assignee_id {
        if !user_exists(client, assignee).await? {
            return Err(RepositoryError::MissingReference(Entity::User));
        }
        if !member_exists(client, task.project_id, assignee).await? {
            return Err(RepositoryError::MissingReference(Entity::Member));
        }
    }
    Ok(())
}

/// The guards of a write of task `id`: every guarded task at its version (locked `FOR SHARE`
/// in id order, so writers queue in one order rather than deadlock), and the task's subtree
/// no taller than allowed.
pub(crate) async fn check_guards<C: GenericClient>(
    client: &C,
    id: TaskId,
    guards: &TreeGuards,
) -> Result<(), RepositoryError> {
    if !guards.versions.is_empty() {
        let ids: Vec<Uuid> = guards.versions.iter().map(|g| *g.task_id.as_uuid()).collect();
        let found = rows(
            client,
            Entity::Task,
            "SELECT id, version FROM tasks WHERE id = ANY($1) ORDER BY id FOR SHARE",
            &[&ids],
        )
        .await?;
        for guard in &guards.versions {
            let mut held = false;
            for row in &found {
                if TaskId::from_uuid(get(row, 0)?) == guard.task_id {
                    held = version(row, 1)? == guard.version;
                }
            }
            if !held {
                return Err(RepositoryError::TreeChanged);
            }
        }
    }
    if let Some(max) = guards.subtree_height
        && subtree_height(client, id).await? > max
    {
        return Err(RepositoryError::SubtreeGrew);
    }
    Ok(())
}

/// How many levels the subtree of `id` spans: 1 for a leaf, 0 for an unknown task.
async fn subtree_height<C: GenericClient>(
    client: &C,
    id: TaskId,
) -> Result<usize, RepositoryError> {
    let row = opt(
        client,
        Entity::Task,
        concat!(subtree!(), "SELECT coalesce(max(depth) + 1, 0)::bigint FROM tree"),
        &[id.as_uuid()],
    )
    .await?;
    let height: i64 = row.map_or(Ok(0), |r| get(&r, 0))?;
    Ok(usize::try_from(height).unwrap_or(usize::MAX))
}
