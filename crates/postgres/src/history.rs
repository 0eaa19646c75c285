use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use taskforge_domain::model::{Change, EntryDraft, EntryId, HistoryEntry};
use taskforge_domain::ports::{Entity, HistoryRepository, RepositoryError};
use taskforge_domain::{ProjectId, TaskId, UserId};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::codec::{get, timestamp};
use crate::database::Inner;
use crate::error::corrupt;
use crate::statements::{opt, rows};

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
    " FROM history WHERE task_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
);

/// A project's entries, newest first, before an id: a range read on `history_project`.
pub const PROJECT_PAGE_STATEMENT: &str = concat!(
    "SELECT ",
    entry_columns!(),
    " FROM history WHERE project_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
);

/// The log after an id, oldest first: a range read on the primary key.
pub const AFTER_STATEMENT: &str =
    concat!("SELECT ", entry_columns!(), " FROM history WHERE id > $1 ORDER BY id LIMIT $2");

/// Takes the next id from the counter and inserts the entry under it, in one statement. It
/// must be the last statement of the write's transaction: the counter row stays locked from
/// here to COMMIT, so a concurrent recorder waits and then draws a larger id, which it can
/// only commit after this one — ids become visible in order.
const RECORD_STATEMENT: &str = "WITH next AS (\
         UPDATE history_counter SET last_id = last_id + 1 WHERE only_row RETURNING last_id) \
     INSERT INTO history (id, project_id, task_id, actor_id, at, kind, reverts, fields) \
     SELECT last_id, $1, $2, $3, $4, $5, $6, $7 FROM next RETURNING id";

/// [`HistoryRepository`] over PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct PgHistory {
    db: Arc<Inner>,
}

impl PgHistory {
    pub(crate) const fn new(db: Arc<Inner>) -> Self {
        Self { db }
    }
}

/// Appends `draft` to the log inside the caller's transaction; see [`RECORD_STATEMENT`] for
/// why it must come last before COMMIT. Returns the entry's id.
pub(crate) async fn record<C: GenericClient>(
    client: &C,
    draft: &EntryDraft,
) -> Result<EntryId, RepositoryError> {
    let stored = draft.change.to_stored();
    let task_id: Option<Uuid> = stored.task_id.map(Uuid::from);
    let reverts: Option<i64> = stored.reverts.map(EntryId::as_i64);
    let row = opt(
        client,
        Entity::Task,
        RECORD_STATEMENT,
        &[
            draft.project_id.as_uuid(),
            &task_id,
            draft.actor.as_uuid(),
            &draft.at.unix_micros(),
            &stored.kind,
            &reverts,
            &stored.fields,
        ],
    )
    .await?
    .ok_or_else(|| corrupt("history counter", "missing"))?;
    let id: i64 = get(&row, 0)?;
    EntryId::from_i64(id).ok_or_else(|| corrupt("history id", id))
}

fn entry_from_row(row: &Row) -> Result<HistoryEntry, RepositoryError> {
    let id: i64 = get(row, 0)?;
    let task_id: Option<Uuid> = get(row, 2)?;
    let kind: &str = get(row, 5)?;
    let reverts: Option<i64> = get(row, 6)?;
    let fields: &str = get(row, 7)?;
    let reverts = reverts
        .map(|r| EntryId::from_i64(r).ok_or_else(|| corrupt("history id", r)))
        .transpose()?;
    let change = Change::from_stored(kind, task_id.map(TaskId::from_uuid), reverts, fields)
        .map_err(|e| corrupt("history entry", e))?;
    Ok(HistoryEntry {
        id: EntryId::from_i64(id).ok_or_else(|| corrupt("history id", id))?,
        project_id: ProjectId::from_uuid(get(row, 1)?),
        actor: UserId::from_uuid(get(row, 3)?),
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
impl HistoryRepository for PgHistory {
    async fn of_task(
        &self,
        task: TaskId,
        before: Option<EntryId>,
        n: usize,
    ) -> Result<Vec<HistoryEntry>, RepositoryError> {
        let client = self.db.client().await?;
        rows(
            &client,
            Entity::Task,
            TASK_PAGE_STATEMENT,
            &[task.as_uuid(), &before_key(before), &limit(n)],
        )
        .await?
        .iter()
        .map(entry_from_row)
        .collect()
    }

    async fn of_project(
        &self,
        project: ProjectId,
        before: Option<EntryId>,
        n: usize,
    ) -> Result<Vec<HistoryEntry>, RepositoryError> {
        let client = self.db.client().await?;
        rows(
            &client,
            Entity::Project,
            PROJECT_PAGE_STATEMENT,
            &[project.as_uuid(), &before_key(before), &limit(n)],
        )
        .await?
        .iter()
        .map(entry_from_row)
        .collect()
    }

    async fn after(&self, after: EntryId, n: usize) -> Result<Vec<HistoryEntry>, RepositoryError> {
        let client = self.db.client().await?;
        rows(&client, Entity::Task, AFTER_STATEMENT, &[&after.as_i64(), &limit(n)])
            .await?
            .iter()
            .map(entry_from_row)
            .collect()
    }

    async fn get(&self, id: EntryId) -> Result<Option<HistoryEntry>, RepositoryError> {
        let client = self.db.client().await?;
        opt(
            &client,
            Entity::Task,
            concat!("SELECT ", entry_columns!(), " FROM history WHERE id = $1"),
            &[&id.as_i64()],
        )
        .await?
        .as_ref()
        .map(entry_from_row)
        .transpose()
    }

    async fn latest(&self) -> Result<Option<EntryId>, RepositoryError> {
        let client = self.db.client().await?;
        let row = opt(&client, Entity::Task, "SELECT max(id) FROM history", &[]).await?;
        let max: Option<i64> = match &row {
            Some(row) => get(row, 0)?,
            None => None,
        };
        Ok(max.and_then(EntryId::from_i64))
    }
}
