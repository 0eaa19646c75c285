use crate::id::{ProjectId, TaskId, UserId};
use crate::model::Task;
use crate::values::Timestamp;

/// A task and its subtasks as they were when `DELETE` moved them to the trash: out of every
/// read path (get, list, search, export, reports), kept whole until restored or purged.
///
/// It names its project by id only: a trashed subtree outlives its project's deletion, so a
/// restore can answer that the project is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrashedSubtree {
    /// The task that was deleted: the subtree's root, and the trash entry's identity.
    pub root: TaskId,
    /// The project the subtree was in.
    pub project_id: ProjectId,
    /// When it was trashed.
    pub trashed_at: Timestamp,
    /// Who trashed it.
    pub trashed_by: UserId,
    /// Every task of the subtree as it was, labels included: the root first, parents before
    /// their children.
    pub tasks: Vec<Task>,
}
