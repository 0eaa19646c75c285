use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use taskforge_domain::model::{EntryDraft, EntryId, Task, TrashedSubtree};
use taskforge_domain::ports::{Entity, RepositoryError, TrashRepository, TreeGuards};
use taskforge_domain::values::Timestamp;
use taskforge_domain::{ProjectId, TaskId, UserId};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::codec::{due_value, get, priority_value, task_from_row, timestamp, version_value};
use crate::database::Inner;
use crate::error::map_err;
use crate::history::record;
use crate::statements::{exec, opt, rows};
use crate::tasks::insert_guarded;

/// A project's trash a page at a time: a range read on `trash_project`.
pub const PAGE_STATEMENT: &str = "SELECT root_id, project_id, trashed_at, trashed_by FROM trash \
     WHERE project_id = $1 AND root_id > $2 ORDER BY root_id LIMIT $3";

/// The subtrees trashed before an instant: a range read on `trash_age`.
pub const AGED_STATEMENT: &str = "DELETE FROM trash WHERE trashed_at < $1";

const TASKS_STATEMENT: &str = "SELECT t.id, t.project_id, t.title, t.description, t.status, \
     t.priority, t.category_id, t.assignee_id, t.due_date, t.parent_id, t.is_public, \
     t.created_by, t.created_at, t.updated_at, t.version, t.labels \
     FROM trashed_tasks t WHERE t.root_id = $1 ORDER BY t.position";

/// [`TrashRepository`] over PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct PgTrash {
    db: Arc<Inner>,
}

impl PgTrash {
    pub(crate) const fn new(db: Arc<Inner>) -> Self {
        Self { db }
    }
}

fn err(e: tokio_postgres::Error) -> RepositoryError {
    map_err(Entity::Task, e)
}

/// Stores `subtree` (root first) as one trash entry, trashed by `entry`'s actor at its time,
/// inside the caller's transaction.
pub(crate) async fn put<C: GenericClient>(
    client: &C,
    subtree: &[Task],
    entry: &EntryDraft,
) -> Result<(), RepositoryError> {
    let Some(root) = subtree.first() else { return Ok(()) };
    exec(
        client,
        Entity::Task,
        "INSERT INTO trash (root_id, project_id, trashed_at, trashed_by) VALUES ($1, $2, $3, $4)",
        &[
            root.id.as_uuid(),
            root.project_id.as_uuid(),
            &entry.at.unix_micros(),
            entry.actor.as_uuid(),
        ],
    )
    .await?;
    for (position, task) in (0_i32..).zip(subtree) {
        let labels: Vec<&str> = task.labels.iter().map(|l| l.as_str()).collect();
        exec(
            client,
            Entity::Task,
            "INSERT INTO trashed_tasks (root_id, position, id, project_id, title, description, \
             status, priority, category_id, assignee_id, due_date, parent_id, is_public, \
             created_by, created_at, updated_at, version, labels) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
            &[
                root.id.as_uuid(),
                &position,
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
                &labels,
            ],
        )
        .await?;
    }
    Ok(())
}

fn head_from_row(row: &Row) -> Result<TrashedSubtree, RepositoryError> {
    Ok(TrashedSubtree {
        root: TaskId::from_uuid(get(row, 0)?),
        project_id: ProjectId::from_uuid(get(row, 1)?),
        trashed_at: timestamp(row, 2)?,
        trashed_by: UserId::from_uuid(get(row, 3)?),
        tasks: Vec::new(),
    })
}

async fn with_tasks<C: GenericClient>(
    client: &C,
    mut head: TrashedSubtree,
) -> Result<TrashedSubtree, RepositoryError> {
    head.tasks = rows(client, Entity::Task, TASKS_STATEMENT, &[head.root.as_uuid()])
        .await?
        .iter()
        .map(task_from_row)
        .collect::<Result<_, _>>()?;
    Ok(head)
}

async fn get_on<C: GenericClient>(
    client: &C,
    root: TaskId,
    lock: bool,
) -> Result<Option<TrashedSubtree>, RepositoryError> {
    let sql = if lock {
        "SELECT root_id, project_id, trashed_at, trashed_by FROM trash WHERE root_id = $1 FOR UPDATE"
    } else {
        "SELECT root_id, project_id, trashed_at, trashed_by FROM trash WHERE root_id = $1"
    };
    let Some(row) = opt(client, Entity::Task, sql, &[root.as_uuid()]).await? else {
        return Ok(None);
    };
    Ok(Some(with_tasks(client, head_from_row(&row)?).await?))
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[async_trait]
impl TrashRepository for PgTrash {
    async fn list(
        &self,
        project: ProjectId,
        after: Option<TaskId>,
        n: usize,
    ) -> Result<Vec<TrashedSubtree>, RepositoryError> {
        let client = self.db.client().await?;
        let after: Uuid = after.map_or(Uuid::nil(), Uuid::from);
        let heads =
            rows(&client, Entity::Task, PAGE_STATEMENT, &[project.as_uuid(), &after, &limit(n)])
                .await?;
        let mut out = Vec::with_capacity(heads.len());
        for row in &heads {
            out.push(with_tasks(&client, head_from_row(row)?).await?);
        }
        Ok(out)
    }

    async fn get(&self, root: TaskId) -> Result<Option<TrashedSubtree>, RepositoryError> {
        let client = self.db.client().await?;
        get_on(&client, root, false).await
    }

    async fn restore(
        &self,
        root: TaskId,
        tasks: &[Task],
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await.map_err(err)?;
        if get_on(&tx, root, true).await?.is_none() {
            return Err(RepositoryError::NotFound(Entity::Task));
        }
        for task in tasks {
            insert_guarded(&tx, task, &TreeGuards::none()).await?;
        }
        exec(&tx, Entity::Task, "DELETE FROM trash WHERE root_id = $1", &[root.as_uuid()]).await?;
        // Last before COMMIT: see `record`.
        let entry = record(&tx, entry).await?;
        tx.commit().await.map_err(err)?;
        Ok(entry)
    }

    async fn purge(&self, root: TaskId) -> Result<(), RepositoryError> {
        let client = self.db.client().await?;
        let deleted =
            exec(&client, Entity::Task, "DELETE FROM trash WHERE root_id = $1", &[root.as_uuid()])
                .await?;
        if deleted == 0 {
            return Err(RepositoryError::NotFound(Entity::Task));
        }
        Ok(())
    }

    async fn purge_trashed_before(&self, before: Timestamp) -> Result<usize, RepositoryError> {
        let client = self.db.client().await?;
        let deleted = exec(&client, Entity::Task, AGED_STATEMENT, &[&before.unix_micros()]).await?;
        Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
    }
}
