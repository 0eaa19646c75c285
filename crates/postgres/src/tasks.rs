//! The task repository: each write one transaction, with the row locks of
//! `task_integrity.rs`.

use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use taskforge_domain::model::{EntryDraft, EntryId};
use taskforge_domain::ports::{Entity, RepositoryError, TaskRepository, TreeGuards};
use taskforge_domain::query::TaskQuery;
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{Label, Version};
use taskforge_domain::{ProjectId, Task, TaskId};
use uuid::Uuid;

use crate::codec::{due_value, get, priority_value, task_columns, tasks_from_rows, version_value};
use crate::database::Inner;
use crate::error::map_err;
use crate::history::record;
use crate::projects::project_exists;
use crate::retry::on_contention;
use crate::statements::{exec, exists, opt, rows};
use crate::task_integrity::{check_guards, check_references, lock_task, subtree};

/// [`TaskRepository`] over PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct PgTasks {
    db: Arc<Inner>,
}

impl PgTasks {
    pub(crate) const fn new(db: Arc<Inner>) -> Self {
        Self { db }
    }
}

fn err(e: tokio_postgres::Error) -> RepositoryError {
    map_err(Entity::Task, e)
}

const BY_ID: &str = concat!("SELECT ", task_columns!(), " FROM tasks t WHERE t.id = $1");

/// Each task once, at its shallowest depth, the root excluded: on corrupt (cyclic) data a task
/// can be reached again deeper down.
const DESCENDANTS: &str = concat!(
    subtree!(),
    "SELECT ",
    task_columns!(),
    " FROM (SELECT id, min(depth) AS depth FROM tree WHERE id <> $1 GROUP BY id) d \
      JOIN tasks t ON t.id = d.id ORDER BY d.depth, t.id"
);

async fn read_tasks<C: GenericClient>(
    client: &C,
    sql: &str,
    id: TaskId,
) -> Result<Vec<Task>, RepositoryError> {
    tasks_from_rows(&rows(client, Entity::Task, sql, &[id.as_uuid()]).await?)
}

async fn insert_labels<C: GenericClient>(client: &C, task: &Task) -> Result<(), RepositoryError> {
    if task.labels.is_empty() {
        return Ok(());
    }
    let labels: Vec<&str> = task.labels.iter().map(Label::as_str).collect();
    // One statement for all labels, each row carrying its task's sort keys.
    exec(
        client,
        Entity::Task,
        "INSERT INTO task_labels (task_id, label, created_at, priority, due_key, title) \
         SELECT t.id, l.label, t.created_at, t.priority, t.due_key, t.title \
         FROM tasks t CROSS JOIN unnest($2::text[]) AS l(label) WHERE t.id = $1",
        &[task.id.as_uuid(), &labels],
    )
    .await?;
    Ok(())
}

pub(crate) async fn insert_guarded<C: GenericClient>(
    client: &C,
    task: &Task,
    guards: &TreeGuards,
) -> Result<(), RepositoryError> {
    if exists(client, Entity::Task, "SELECT 1 FROM tasks WHERE id = $1", &[task.id.as_uuid()])
        .await?
    {
        return Err(RepositoryError::Duplicate(Entity::Task));
    }
    check_guards(client, task.id, guards).await?;
    check_references(client, task).await?;
    // A concurrent insert of the same id loses on the primary key: a duplicate.
    exec(
        client,
        Entity::Task,
        "INSERT INTO tasks (id, project_id, title, description, status, priority, category_id, \
         assignee_id, due_date, parent_id, is_public, created_by, created_at, updated_at, \
         version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        &[
            task.id.as_uuid(),
            task.project_id.as_uuid(),
            &task.title.as_str(),
            &task.description.as_str(),
            &task.status.as_str(),
            &priority_value(task.priority),
            &task.category_id.map(|c| *c.as_uuid()),
            &task.assignee_id.map(|a| *a.as_uuid()),
            &due_value(task.due_date),
            &task.parent_id.map(|p| *p.as_uuid()),
            &task.is_public,
            task.created_by.as_uuid(),
            &task.created_at.unix_micros(),
            &task.updated_at.unix_micros(),
            &version_value(task.version),
        ],
    )
    .await?;
    insert_labels(client, task).await
}

async fn replace_labels<C: GenericClient>(client: &C, task: &Task) -> Result<(), RepositoryError> {
    let stored = rows(
        client,
        Entity::Task,
        "SELECT label FROM task_labels WHERE task_id = $1",
        &[task.id.as_uuid()],
    )
    .await?;
    let mut unchanged = stored.len() == task.labels.len();
    for row in &stored {
        let label: &str = get(row, 0)?;
        unchanged &= Label::parse(label).is_ok_and(|l| task.labels.contains(&l));
    }
    if unchanged {
        return Ok(());
    }
    exec(client, Entity::Task, "DELETE FROM task_labels WHERE task_id = $1", &[task.id.as_uuid()])
        .await?;
    insert_labels(client, task).await
}

#[async_trait]
impl TaskRepository for PgTasks {
    async fn insert(
        &self,
        task: &Task,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        on_contention(move || async move {
            let mut client = self.db.client().await?;
            let tx = client.transaction().await.map_err(err)?;
            insert_guarded(&tx, task, guards).await?;
            // Last before COMMIT: see `record`.
            let entry = record(&tx, entry).await?;
            tx.commit().await.map_err(err)?;
            Ok(entry)
        })
        .await
    }

    async fn get(&self, id: TaskId) -> Result<Option<Task>, RepositoryError> {
        let client = self.db.client().await?;
        let row = opt(&client, Entity::Task, BY_ID, &[id.as_uuid()]).await?;
        row.as_ref().map(crate::codec::task_from_row).transpose()
    }

    async fn ancestors(&self, id: TaskId) -> Result<Vec<Task>, RepositoryError> {
        const ANCESTORS: &str = concat!(
            "WITH RECURSIVE chain(id, step) AS ( \
                 SELECT parent_id, 1 FROM tasks WHERE id = $1 AND parent_id IS NOT NULL \
                 UNION ALL \
                 SELECT t.parent_id, chain.step + 1 FROM chain JOIN tasks t ON t.id = chain.id \
                 WHERE t.parent_id IS NOT NULL AND chain.step < 64 \
             ) SELECT ",
            task_columns!(),
            " FROM chain JOIN tasks t ON t.id = chain.id ORDER BY chain.step"
        );
        let client = self.db.client().await?;
        read_tasks(&client, ANCESTORS, id).await
    }

    async fn descendants(&self, id: TaskId) -> Result<Vec<Task>, RepositoryError> {
        let client = self.db.client().await?;
        read_tasks(&client, DESCENDANTS, id).await
    }

    async fn update(
        &self,
        task: &Task,
        expected: Version,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        on_contention(move || async move {
            let mut client = self.db.client().await?;
            let tx = client.transaction().await.map_err(err)?;
            let project_id = match lock_task(&tx, task.id).await? {
                None => return Err(RepositoryError::NotFound(Entity::Task)),
                Some((v, _)) if v != expected => {
                    return Err(RepositoryError::VersionConflict(Entity::Task));
                }
                Some((_, project_id)) => project_id,
            };
            check_guards(&tx, task.id, guards).await?;
            // Moving is `move_tree`'s job (it takes the subtree along): the project stays.
            let task = Task { project_id, ..task.clone() };
            check_references(&tx, &task).await?;
            exec(
                &tx,
                Entity::Task,
                "UPDATE tasks SET title = $1, description = $2, status = $3, priority = $4, \
                 category_id = $5, assignee_id = $6, due_date = $7, parent_id = $8, is_public = $9, \
                 created_by = $10, created_at = $11, updated_at = $12, version = $13 WHERE id = $14",
                &[
                    &task.title.as_str(),
                    &task.description.as_str(),
                    &task.status.as_str(),
                    &priority_value(task.priority),
                    &task.category_id.map(|c| *c.as_uuid()),
                    &task.assignee_id.map(|a| *a.as_uuid()),
                    &due_value(task.due_date),
                    &task.parent_id.map(|p| *p.as_uuid()),
                    &task.is_public,
                    task.created_by.as_uuid(),
                    &task.created_at.unix_micros(),
                    &task.updated_at.unix_micros(),
                    &version_value(task.version),
                    task.id.as_uuid(),
                ],
            )
            .await?;
            replace_labels(&tx, &task).await?;
            let entry = record(&tx, entry).await?;
            tx.commit().await.map_err(err)?;
            Ok(entry)
        })
        .await
    }

    async fn delete(
        &self,
        id: TaskId,
        entry: &EntryDraft,
    ) -> Result<(Vec<TaskId>, EntryId), RepositoryError> {
        on_contention(move || async move {
            let mut client = self.db.client().await?;
            let tx = client.transaction().await.map_err(err)?;
            if lock_task(&tx, id).await?.is_none() {
                return Err(RepositoryError::NotFound(Entity::Task));
            }
            // The subtree's rows are locked as they are read: a subtask being added below one
            // of them (which holds its parent FOR SHARE) finishes first and is trashed too.
            rows(
                &tx,
                Entity::Task,
                concat!(
                    subtree!(),
                    "SELECT t.id FROM tasks t WHERE t.id IN (SELECT id FROM tree) \
                     ORDER BY t.id FOR UPDATE OF t"
                ),
                &[id.as_uuid()],
            )
            .await?;
            let mut subtree = read_tasks(&tx, BY_ID, id).await?;
            subtree.extend(read_tasks(&tx, DESCENDANTS, id).await?);
            crate::trash::put(&tx, &subtree, entry).await?;
            let ids: Vec<Uuid> = subtree.iter().map(|t| *t.id.as_uuid()).collect();
            // Labels follow by cascade; so would any subtask the walk missed.
            exec(&tx, Entity::Task, "DELETE FROM tasks WHERE id = ANY($1)", &[&ids]).await?;
            let entry = record(&tx, entry).await?;
            tx.commit().await.map_err(err)?;
            Ok((subtree.iter().map(|t| t.id).collect(), entry))
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
        on_contention(move || async move {
            let mut client = self.db.client().await?;
            let tx = client.transaction().await.map_err(err)?;
            match lock_task(&tx, id).await? {
                None => return Err(RepositoryError::NotFound(Entity::Task)),
                Some((v, _)) if v != expected => {
                    return Err(RepositoryError::VersionConflict(Entity::Task));
                }
                Some(_) => {}
            }
            if !project_exists(&tx, to).await? {
                return Err(RepositoryError::MissingReference(Entity::Project));
            }
            // The subtree as it is now, locked: a subtask added or assigned after the service
            // looked moves too (or waits until the move is done).
            let found = rows(
                &tx,
                Entity::Task,
                concat!(
                    subtree!(),
                    "SELECT t.id, t.assignee_id FROM tasks t WHERE t.id IN (SELECT id FROM tree) \
                     ORDER BY t.id FOR UPDATE OF t"
                ),
                &[id.as_uuid()],
            )
            .await?;
            let mut ids: Vec<Uuid> = Vec::with_capacity(found.len());
            let mut assignees: Vec<Uuid> = Vec::new();
            for row in &found {
                ids.push(get(row, 0)?);
                if let Some(a) = get::<Option<Uuid>>(row, 1)?
                    && !assignees.contains(&a)
                {
                    assignees.push(a);
                }
            }
            // Every assignee must be a member of `to`, and stays one until the move commits.
            if !assignees.is_empty() {
                let members = rows(
                    &tx,
                    Entity::Member,
                    "SELECT user_id FROM project_members WHERE project_id = $1 AND user_id = ANY($2) \
                     ORDER BY user_id FOR SHARE",
                    &[to.as_uuid(), &assignees],
                )
                .await?;
                if members.len() != assignees.len() {
                    return Err(RepositoryError::MissingReference(Entity::Member));
                }
            }
            exec(
                &tx,
                Entity::Task,
                "UPDATE tasks SET project_id = $2, version = version + 1, updated_at = $3, \
                 parent_id = CASE WHEN id = $1 THEN NULL ELSE parent_id END \
                 WHERE id = ANY($4)",
                &[id.as_uuid(), to.as_uuid(), &at.unix_micros(), &ids],
            )
            .await?;
            let mut moved = read_tasks(&tx, BY_ID, id).await?;
            if moved.is_empty() {
                return Err(RepositoryError::NotFound(Entity::Task));
            }
            moved.extend(read_tasks(&tx, DESCENDANTS, id).await?);
            let root_entry = record(&tx, entry).await?;
            for subtask in entry.subtask_moves(&moved) {
                record(&tx, &subtask).await?;
            }
            tx.commit().await.map_err(err)?;
            Ok((moved, root_entry))
        })
        .await
    }

    async fn list(&self, query: &TaskQuery) -> Result<Vec<Task>, RepositoryError> {
        let client = self.db.client().await?;
        crate::listing::list_tasks(&client, query).await
    }
}
