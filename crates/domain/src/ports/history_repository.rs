use async_trait::async_trait;

use super::RepositoryError;
use crate::id::{ProjectId, TaskId};
use crate::model::{EntryId, HistoryEntry};

/// Reading the change log. Entries are written by the task and project repositories in the
/// transactions of the changes they record (ADR 0024); this port only reads them.
///
/// Entry ids follow commit order: once an entry is visible, every entry with a smaller id that
/// will ever be visible already is. Every listing is keyset-paginated on the id.
#[async_trait]
pub trait HistoryRepository: Send + Sync + std::fmt::Debug {
    /// Up to `limit` entries about task `task`, newest first, strictly before `before` when
    /// given. The entries stay after the task is trashed; empty for an unknown task.
    ///
    /// # Errors
    /// Only storage failures.
    async fn of_task(
        &self,
        task: TaskId,
        before: Option<EntryId>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, RepositoryError>;

    /// Up to `limit` entries recorded in project `project` (about the project or any of its
    /// tasks; a move is recorded in the project moved to), newest first, strictly before
    /// `before` when given.
    ///
    /// # Errors
    /// Only storage failures.
    async fn of_project(
        &self,
        project: ProjectId,
        before: Option<EntryId>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, RepositoryError>;

    /// Up to `limit` entries of the whole log with an id greater than `after`, oldest first:
    /// where a live reader resumes.
    ///
    /// # Errors
    /// Only storage failures.
    async fn after(
        &self,
        after: EntryId,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, RepositoryError>;

    /// The entry with `id`, or `None`.
    ///
    /// # Errors
    /// Only storage failures.
    async fn get(&self, id: EntryId) -> Result<Option<HistoryEntry>, RepositoryError>;

    /// The id of the newest entry, or `None` while the log is empty.
    ///
    /// # Errors
    /// Only storage failures.
    async fn latest(&self) -> Result<Option<EntryId>, RepositoryError>;
}
