use async_trait::async_trait;

use super::RepositoryError;
use crate::id::{ProjectId, TaskId};
use crate::model::{EntryDraft, EntryId, Task};
use crate::query::TaskQuery;
use crate::values::Timestamp;
use crate::values::Version;

/// A precondition on another task for a write: it must still be at `version`.
///
/// The service checked the rules of subtask trees (no cycles, depth ≤
/// [`crate::model::MAX_DEPTH`]) on the new parent's chain of ancestors; guarding each of those
/// tasks' versions makes a concurrent re-parenting, move or deletion in that chain fail the
/// write instead of slipping between the check and the write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionGuard {
    /// The task that must be unchanged.
    pub task_id: TaskId,
    /// The version it had when the service looked.
    pub version: Version,
}

/// What a write that gives a task a parent re-checks atomically with the write: the facts the
/// service's tree rules were decided on. The store measures; the service decides (the
/// repository knows neither the depth limit nor what a cycle is).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeGuards {
    /// Tasks that must still be at the versions the service saw: the new parent and each of
    /// its ancestors.
    pub versions: Vec<VersionGuard>,
    /// How many levels tall the written task's own subtree may be at most (a leaf is 1): the
    /// height the service counted. A subtask added below the task meanwhile (which changes no
    /// version) fails the write instead of pushing the tree past its depth limit.
    pub subtree_height: Option<usize>,
}

impl TreeGuards {
    /// No precondition: for a task that gets no new parent.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }
}

/// Persistence of tasks, their labels and their subtask trees.
///
/// Every method is atomic: a call that fails has changed nothing.
///
/// **History in the write** (ADR 0024): every writing method takes the [`EntryDraft`] the
/// service computed and appends it to the change log in the same transaction as the change,
/// under the next [`EntryId`] (ids become visible in increasing order), and returns that id.
/// A write that fails records nothing; a change whose entry cannot be written fails.
///
/// **Integrity the store keeps itself**, whatever the order of concurrent calls (a schema
/// could declare both as composite foreign keys): a task's parent is a task of the *same
/// project*, and a task's assignee is a *member of its project*. So a subtree never spans two
/// projects, and the tree walks (`descendants`, `delete`, `move_tree`) never leave the
/// task's project. The rules that need counting (no cycles, depth ≤
/// [`crate::model::MAX_DEPTH`]) stay with the service, which passes [`TreeGuards`] for the
/// facts it counted on.
#[async_trait]
pub trait TaskRepository: Send + Sync + std::fmt::Debug {
    /// Stores a new task with its labels, if every guard holds, and records `entry`.
    ///
    /// # Errors
    /// - [`RepositoryError::Duplicate`] when a task with the same id exists.
    /// - [`RepositoryError::TreeChanged`] when a guarded task is missing or at another
    ///   version (checked before the references, so a lost race reads as one).
    /// - [`RepositoryError::SubtreeGrew`] when the task's subtree is taller than
    ///   `guards.subtree_height`.
    /// - [`RepositoryError::MissingReference`] naming what is missing: `Entity::Project`,
    ///   `Entity::Task` (the parent, absent or in another project), `Entity::Category`,
    ///   `Entity::User` (the assignee does not exist) or `Entity::Member` (the assignee is not
    ///   a member of the task's project).
    async fn insert(
        &self,
        task: &Task,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError>;

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

    /// Every task below `id` in its subtask tree (children, grandchildren, …, all in its
    /// project), parents before their children; empty for a leaf or an unknown id.
    ///
    /// # Errors
    /// Only storage failures.
    async fn descendants(&self, id: TaskId) -> Result<Vec<Task>, RepositoryError>;

    /// Replaces the stored task with `task` (same id), labels included, if the stored version
    /// equals `expected` and every guard holds. `project_id` stays as stored: a task changes
    /// project only through [`Self::move_tree`], which takes its subtree along. The caller
    /// sets `task.version` (normally `expected.next()`). Records `entry`.
    ///
    /// # Errors
    /// - [`RepositoryError::NotFound`] when no task has this id.
    /// - [`RepositoryError::VersionConflict`] when the stored version differs from `expected`
    ///   (checked first).
    /// - [`RepositoryError::TreeChanged`] when a guarded task is missing or at another version.
    /// - [`RepositoryError::SubtreeGrew`] when the task's subtree is taller than
    ///   `guards.subtree_height`.
    /// - [`RepositoryError::MissingReference`] when the parent (`Entity::Task`: absent or in
    ///   another project), category (`Entity::Category`) or assignee (`Entity::User`) does not
    ///   exist, or the assignee is not a member of the task's project (`Entity::Member`).
    async fn update(
        &self,
        task: &Task,
        expected: Version,
        guards: &TreeGuards,
        entry: &EntryDraft,
    ) -> Result<EntryId, RepositoryError>;

    /// Moves the task and all its descendants (its subtree, which never leaves its project)
    /// out of the tasks into the trash, as one [`crate::model::TrashedSubtree`] under the
    /// task's id (trashed by `entry.actor` at `entry.at`), and records `entry`; returns the ids
    /// trashed, the task first, and the entry's id. From then on no read of this port sees
    /// them; [`crate::ports::TrashRepository`] does.
    ///
    /// # Errors
    /// [`RepositoryError::NotFound`] when no task has this id.
    async fn delete(
        &self,
        id: TaskId,
        entry: &EntryDraft,
    ) -> Result<(Vec<TaskId>, EntryId), RepositoryError>;

    /// Moves the task and all its descendants (as they are at the time of the move) to project
    /// `to`, all or nothing. The task itself loses its parent (which stays behind) and becomes
    /// a root; every moved task gets version +1 and `updated_at = at`. Records `entry`, then
    /// the entries [`EntryDraft::subtask_moves`] derives from it for the moved subtasks, in
    /// the same transaction. Returns the moved tasks as stored, the task first, and the id of
    /// `entry`.
    ///
    /// # Errors
    /// - [`RepositoryError::NotFound`] when no task has this id.
    /// - [`RepositoryError::VersionConflict`] when its stored version differs from `expected`.
    /// - [`RepositoryError::MissingReference`]`(Entity::Project)` when project `to` does not
    ///   exist, `(Entity::Member)` when a moved task's assignee is not a member of `to`.
    async fn move_tree(
        &self,
        id: TaskId,
        to: ProjectId,
        expected: Version,
        at: Timestamp,
        entry: &EntryDraft,
    ) -> Result<(Vec<Task>, EntryId), RepositoryError>;

    /// At most `query.fetch` tasks visible under `query.visibility`, matching `query.filter`,
    /// in `query.sort` order (ties by id), strictly after `query.after` when given.
    ///
    /// # Errors
    /// Only storage failures.
    async fn list(&self, query: &TaskQuery) -> Result<Vec<Task>, RepositoryError>;
}
