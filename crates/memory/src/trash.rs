use async_trait::async_trait;
use taskforge_domain::model::{EntryDraft, EntryId, Task, TrashedSubtree};
use taskforge_domain::ports::{Entity, RepositoryError, TrashRepository};
use taskforge_domain::values::Timestamp;
use taskforge_domain::{ProjectId, TaskId};

use crate::MemoryDatabase;
use crate::tasks::check_references;

/// [`TrashRepository`] over a [`MemoryDatabase`].
#[derive(Debug, Clone)]
pub struct MemoryTrashRepository {
    db: MemoryDatabase,
}

impl MemoryTrashRepository {
    /// A repository over `db`.
    #[must_use]
    pub fn new(db: MemoryDatabase) -> Self {
        Self { db }
    }
}

#[async_trait]
impl TrashRepository for MemoryTrashRepository {
    async fn list(
        &self,
        project: ProjectId,
        after: Option<TaskId>,
        limit: usize,
    ) -> Result<Vec<TrashedSubtree>, RepositoryError> {
        let state = self.db.lock();
        Ok(state
            .trash
            .values()
            .filter(|t| t.project_id == project && after.is_none_or(|a| t.root > a))
            .take(limit)
            .cloned()
            .collect())
    }

    async fn get(&self, root: TaskId) -> Result<Option<TrashedSubtree>, RepositoryError> {
        Ok(self.db.lock().trash.get(&root).cloned())
    }

    async fn restore(
        &self,
        root: TaskId,
        tasks: &[Task],
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError> {
        let mut state = self.db.lock();
        if !state.trash.contains_key(&root) {
            return Err(RepositoryError::NotFound(Entity::Task));
        }
        // Checked on a scratch copy, parents before children, so a failure leaves no trace.
        let mut scratch = state.tasks.clone();
        for task in tasks {
            if scratch.contains_key(&task.id) {
                return Err(RepositoryError::Duplicate(Entity::Task));
            }
            let parent_project = task.parent_id.map(|p| scratch.get(&p).map(|t| t.project_id));
            if parent_project.is_some_and(|project| project != Some(task.project_id)) {
                if !state.projects.contains_key(&task.project_id) {
                    return Err(RepositoryError::MissingReference(Entity::Project));
                }
                return Err(RepositoryError::MissingReference(Entity::Task));
            }
            let without_parent = Task { parent_id: None, ..task.clone() };
            check_references(&state, &without_parent)?;
            scratch.insert(task.id, task.clone());
        }
        state.tasks = scratch;
        state.trash.remove(&root);
        Ok(state.record(entry))
    }

    async fn purge(&self, root: TaskId) -> Result<(), RepositoryError> {
        match self.db.lock().trash.remove(&root) {
            Some(_) => Ok(()),
            None => Err(RepositoryError::NotFound(Entity::Task)),
        }
    }

    async fn purge_trashed_before(&self, before: Timestamp) -> Result<usize, RepositoryError> {
        let mut state = self.db.lock();
        let count = state.trash.len();
        state.trash.retain(|_, t| t.trashed_at >= before);
        Ok(count - state.trash.len())
    }
}
