use crate::id::{CategoryId, ProjectId, TaskId, UserId};
use crate::model::Task;
use crate::values::{DueDate, Label, Priority, SearchText, StatusSet};

/// Which tasks a caller may see at all, computed by [`crate::policy::task_visibility`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Every task (administrators).
    All,
    /// Tasks of projects the user is a member of, and public tasks.
    MemberOrPublic(UserId),
}

/// Conditions on tasks; every condition set must hold (logical AND). All fields `None` matches
/// everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskFilter {
    /// In this project.
    pub project_id: Option<ProjectId>,
    /// With one of these statuses.
    pub status: Option<StatusSet>,
    /// With this priority.
    pub priority: Option<Priority>,
    /// In this category.
    pub category_id: Option<CategoryId>,
    /// Assigned to this user.
    pub assignee_id: Option<UserId>,
    /// Carrying this label.
    pub label: Option<Label>,
    /// Direct subtasks of this task.
    pub parent_id: Option<TaskId>,
    /// Due strictly before this date (tasks without a due date never match).
    pub due_before: Option<DueDate>,
    /// Due strictly after this date (tasks without a due date never match).
    pub due_after: Option<DueDate>,
    /// Title contains this text, ignoring case.
    pub q: Option<SearchText>,
}

impl TaskFilter {
    /// True when `task` meets every condition. Visibility is not part of the filter.
    #[must_use]
    pub fn matches(&self, task: &Task) -> bool {
        fn holds<T: PartialEq>(wanted: Option<&T>, actual: &T) -> bool {
            wanted.is_none_or(|w| w == actual)
        }
        holds(self.project_id.as_ref(), &task.project_id)
            && self.status.is_none_or(|s| s.contains(task.status))
            && holds(self.priority.as_ref(), &task.priority)
            && self.category_id.is_none_or(|c| task.category_id == Some(c))
            && self.assignee_id.is_none_or(|a| task.assignee_id == Some(a))
            && self.parent_id.is_none_or(|p| task.parent_id == Some(p))
            && self.label.as_ref().is_none_or(|l| task.labels.contains(l))
            && self.due_before.is_none_or(|d| task.due_date.is_some_and(|due| due < d))
            && self.due_after.is_none_or(|d| task.due_date.is_some_and(|due| due > d))
            && self.q.as_ref().is_none_or(|q| q.matches(task.title.as_str()))
    }
}
