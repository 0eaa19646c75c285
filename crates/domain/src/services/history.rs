//! History use cases: a task's history, a project's activity, and reverting one entry.

use std::sync::Arc;

use super::{ProjectError, ProjectService, TaskError, TaskService};
use crate::id::{ProjectId, TaskId};
use crate::model::{EntryId, HistoryEntry, Task};
use crate::policy::Actor;
use crate::ports::HistoryRepository;
use crate::query::Page;
use crate::values::{PageLimit, Version};

/// Reading the change log, for whoever may see what it is about, and undoing one change.
///
/// Visibility is the task's or the project's own: a task's history is shown exactly to those
/// who may read the task (so it is 404 while the task is absent — deleted — or invisible), a
/// project's activity to those who may read the project.
#[derive(Debug, Clone)]
pub struct HistoryService {
    history: Arc<dyn HistoryRepository>,
    tasks: TaskService,
    projects: ProjectService,
}

impl HistoryService {
    /// Wires the service to the log and to the services that decide visibility and write.
    #[must_use]
    pub fn new(
        history: Arc<dyn HistoryRepository>,
        tasks: TaskService,
        projects: ProjectService,
    ) -> Self {
        Self { history, tasks, projects }
    }

    /// One page of a task's history, newest first, strictly before `before` when given.
    ///
    /// # Errors
    /// [`TaskError::NotFound`] when the task is absent or the actor may not see it, or
    /// [`TaskError::Store`].
    pub async fn of_task(
        &self,
        actor: &Actor,
        id: TaskId,
        before: Option<EntryId>,
        limit: PageLimit,
    ) -> Result<Page<HistoryEntry, EntryId>, TaskError> {
        self.tasks.get(actor, id).await?;
        let entries = self.history.of_task(id, before, limit.get() + 1).await?;
        Ok(page(entries, limit))
    }

    /// One page of a project's activity (its own changes and its tasks'), newest first,
    /// strictly before `before` when given.
    ///
    /// # Errors
    /// [`ProjectError::NotFound`] when the project is absent or the actor may not see it, or
    /// [`ProjectError::Store`].
    pub async fn of_project(
        &self,
        actor: &Actor,
        id: ProjectId,
        before: Option<EntryId>,
        limit: PageLimit,
    ) -> Result<Page<HistoryEntry, EntryId>, ProjectError> {
        self.projects.get(actor, id).await?;
        let entries = self.history.of_project(id, before, limit.get() + 1).await?;
        Ok(page(entries, limit))
    }

    /// Reverts entry `entry` of task `id`: see [`TaskService::revert`].
    ///
    /// # Errors
    /// [`TaskError::NotFound`] when the task is absent or invisible, [`TaskError::EntryNotFound`]
    /// when the entry does not exist or is about something else, and every error of
    /// [`TaskService::revert`].
    pub async fn revert(
        &self,
        actor: &Actor,
        id: TaskId,
        entry: EntryId,
        if_match: Option<Version>,
    ) -> Result<Task, TaskError> {
        // The task first: for a task the actor may not see, whether an entry exists is not
        // theirs to learn.
        self.tasks.get(actor, id).await?;
        let entry = self.history.get(entry).await?.ok_or(TaskError::EntryNotFound)?;
        self.tasks.revert(actor, id, &entry, if_match).await
    }
}

fn page(mut entries: Vec<HistoryEntry>, limit: PageLimit) -> Page<HistoryEntry, EntryId> {
    let next_cursor = if entries.len() > limit.get() {
        entries.truncate(limit.get());
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Page { items: entries, next_cursor }
}
