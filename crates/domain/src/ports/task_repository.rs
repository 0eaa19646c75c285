use async_trait::async_trait;

use super::RepositoryError;
use crate::clock::Timestamp;
use crate::id::{ProjectId, TaskId};
use crate::model::Task;
use crate::query::TaskQuery;
use crate::values::Version;

/// A precondition on another task for a write: it must still be at `version`.
///
/// Used when a task gets a new parent: the service checked the parent's chain of ancestors for
/// cycles and depth, and guards each ancestor's version so a concurrent re-parenting between
/// that check and this write fails instead of creating a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionGuard {
    /// The task that must be unchanged.
    pub task_id: TaskId,
    /// The version it had when the service looked.
    pub version: Version,
}

/// Persistence of tasks, their labels and their subtask trees.
///
/// Every method is atomic: a call that fails has changed nothing.
#[async_trait]
pub trait TaskRepository: Send + Sync + std::fmt::Debug {
    /// Stores a new task with its labels.
    ///
    /// # Errors
    /// - [`RepositoryError::Duplicate`] when a task with the same id exists.
    /// - [`RepositoryError::MissingReference`] naming what is missing: `Entity::Project`,
    ///   `Entity::Task` (the parent), `Entity::Category` or `Entity::User` (the assignee).
    async fn insert(&self, task: &Task) -> Result<(), RepositoryError>;

    /// The task with `id`, or `None`.
    ///
    /// # Errors
    /// Only storage failures ([`RepositoryError::Unavailable`], [`RepositoryError::Other`]).
    async fn get(&self, id: TaskId) -> Result<Option<Task>, RepositoryError>;

    /// The chain of ancestors of `id`: its parent first, the root last; empty for a root task
    /// or an unknown id. Implementations stop after 64 steps, so corrupt data cannot loop.
    ///
    /// # Errors
    /// Only storage failures.
    async fn ancestors(&self, id: TaskId) -> Result<Vec<Task>, RepositoryError>;

    /// Every task below `id` in its subtask tree (children, grandchildren, …), parents before
    /// their children; empty for a leaf or an unknown id.
    ///
    /// # Errors
    /// Only storage failures.
    async fn descendants(&self, id: TaskId) -> Result<Vec<Task>, RepositoryError>;

    /// Replaces the stored task with `task` (same id), labels included, if the stored version
    /// equals `expected` and every guard holds. The caller sets `task.version` (normally
    /// `expected.next()`).
    ///
    /// # Errors
    /// - [`RepositoryError::NotFound`] when no task has this id.
    /// - [`RepositoryError::VersionConflict`] when the stored version differs from `expected`
    ///   or a guarded task is missing or at another version.
    /// - [`RepositoryError::MissingReference`] when a new parent (`Entity::Task`), category
    ///   (`Entity::Category`) or assignee (`Entity::User`) does not exist.
    async fn update(
        &self,
        task: &Task,
        expected: Version,
        guards: &[VersionGuard],
    ) -> Result<(), RepositoryError>;

    /// Deletes the task and all its descendants; returns the ids deleted, the task first.
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] when no task has this id.
    async fn delete(&self, id: TaskId) -> Result<Vec<TaskId>, RepositoryError>;

    /// Moves the task and all its descendants to project `to`, all or nothing. The task itself
    /// loses its parent (which stays behind) and becomes a root; every moved task gets version
    /// +1 and `updated_at = at`. Returns the moved tasks as stored, the task first.
    ///
    /// # Errors
    /// - [`RepositoryError::NotFound`] when no task has this id.
    /// - [`RepositoryError::VersionConflict`] when its stored version differs from `expected`.
    /// - [`RepositoryError::MissingReference`]`(Entity::Project)` when project `to` does not
    ///   exist.
    async fn move_tree(
        &self,
        id: TaskId,
        to: ProjectId,
        expected: Version,
        at: Timestamp,
    ) -> Result<Vec<Task>, RepositoryError>;

    /// At most `query.fetch` tasks visible under `query.visibility`, matching `query.filter`,
    /// in `query.sort` order (ties by id), strictly after `query.after` when given.
    ///
    /// # Errors
    /// Only storage failures.
    async fn list(&self, query: &TaskQuery) -> Result<Vec<Task>, RepositoryError>;
}
