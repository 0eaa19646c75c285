use crate::id::{CategoryId, ProjectId, TaskId, UserId};
use crate::values::Timestamp;
use crate::values::{Description, DueDate, Labels, Priority, Status, TaskTitle, Version};

/// The deepest a task may sit in a subtask tree: a root task has depth 1, and a chain of
/// parents may be at most five tasks long.
pub const MAX_DEPTH: usize = 5;

/// A unit of work in a project.
///
/// Rules that span tasks (the parent is in the same project, no cycles, depth ≤ [`MAX_DEPTH`],
/// the assignee is a project member) are enforced by [`crate::services::TaskService`], and
/// re-checked by the [`crate::ports::TaskRepository`] in the write itself, so racing requests
/// cannot break them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// Identity.
    pub id: TaskId,
    /// The project the task belongs to.
    pub project_id: ProjectId,
    /// One-line summary.
    pub title: TaskTitle,
    /// Free text, possibly empty.
    pub description: Description,
    /// Where it stands.
    pub status: Status,
    /// How pressing it is.
    pub priority: Priority,
    /// Optional classification.
    pub category_id: Option<CategoryId>,
    /// Optional member of the project who works on it.
    pub assignee_id: Option<UserId>,
    /// Tags, lower case, distinct, sorted.
    pub labels: Labels,
    /// Optional calendar date by which it should be done.
    pub due_date: Option<DueDate>,
    /// The task this one is a subtask of.
    pub parent_id: Option<TaskId>,
    /// Readable by every authenticated user when true.
    pub is_public: bool,
    /// Who created it.
    pub created_by: UserId,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Revision for optimistic concurrency.
    pub version: Version,
}

impl Task {
    /// True when the task is not done and its due date is before `today`.
    #[must_use]
    pub fn is_overdue(&self, today: DueDate) -> bool {
        self.status.is_open() && self.due_date.is_some_and(|due| due < today)
    }
}
