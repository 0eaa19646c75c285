use async_trait::async_trait;

use super::RepositoryError;
use crate::id::{ProjectId, TaskId};
use crate::model::{EntryDraft, EntryId, Task, TrashedSubtree};
use crate::values::Timestamp;

/// The trash: subtrees [`crate::ports::TaskRepository::delete`] moved out of the tasks, kept
/// until restored or purged.
///
/// Every method is atomic: a call that fails has changed nothing.
#[async_trait]
pub trait TrashRepository: Send + Sync + std::fmt::Debug {
    /// Up to `limit` subtrees trashed from project `project` (whether or not the project still
    /// exists), ordered by root id, strictly after `after` when given.
    ///
    /// # Errors
    /// Only storage failures.
    async fn list(
        &self,
        project: ProjectId,
        after: Option<TaskId>,
        limit: usize,
    ) -> Result<Vec<TrashedSubtree>, RepositoryError>;

    /// The subtree whose root is `root`, or `None` (also for a task that is not a trashed
    /// subtree's root).
    ///
    /// # Errors
    /// Only storage failures.
    async fn get(&self, root: TaskId) -> Result<Option<TrashedSubtree>, RepositoryError>;

    /// Puts `tasks` — the subtree of `root` as the service means to restore it, root first,
    /// parents before children, in the subtree's project — back among the tasks, removes the
    /// subtree from the trash and records `entry`, all or nothing.
    ///
    /// # Errors
    /// - [`RepositoryError::NotFound`]`(Entity::Task)` when `root` is not in the trash.
    /// - [`RepositoryError::MissingReference`]`(Entity::Project)` when the project is gone,
    ///   `(Entity::Task)` when the root's parent is gone (or trashed), `(Entity::Category)`,
    ///   `(Entity::User)` or `(Entity::Member)` for a category or assignee that no longer holds.
    async fn restore(
        &self,
        root: TaskId,
        tasks: &[Task],
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError>;

    /// Removes the subtree of `root` from the trash for good.
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`]`(Entity::Task)` when `root` is not in the trash.
    async fn purge(&self, root: TaskId) -> Result<(), RepositoryError>;

    /// Removes every subtree trashed before `before`; returns how many.
    ///
    /// # Errors
    /// Only storage failures.
    async fn purge_trashed_before(&self, before: Timestamp) -> Result<usize, RepositoryError>;
}
