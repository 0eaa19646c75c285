//! Commands: what a use case is asked to do, already parsed into value objects.
//!
//! Every command of every use case lives here, so a driving adapter finds all it may ask in
//! one place. A driving adapter builds these from its wire types; they never derive
//! `Deserialize`.

/// The commands of the authentication use cases: register, log in, change password.
mod auth;

pub use auth::{ChangePassword, Login, Register};

use crate::id::{CategoryId, ProjectId, TaskId, UserId};
use crate::values::{
    CategoryName, Description, DueDate, Labels, Priority, ProjectDescription, ProjectName, Status,
    TaskTitle, Version,
};

/// One field of a merge-patch (RFC 7396): absent leaves it, `null` clears it, a value sets it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Absent: keep the current value.
    #[default]
    Unchanged,
    /// `null`: remove the value.
    Clear,
    /// A new value.
    Set(T),
}

impl<T> Patch<T> {
    /// The field's value after applying this patch to `current`.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Self::Unchanged => current,
            Self::Clear => None,
            Self::Set(value) => Some(value),
        }
    }

    /// True for [`Patch::Unchanged`].
    pub const fn is_unchanged(&self) -> bool {
        matches!(self, Self::Unchanged)
    }
}

/// Create a task. `None` fields take their defaults (status `todo`, priority `medium`, not
/// public, no labels, empty description).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTask {
    /// The project to create it in.
    pub project_id: ProjectId,
    /// Title.
    pub title: TaskTitle,
    /// Description.
    pub description: Option<Description>,
    /// Status.
    pub status: Option<Status>,
    /// Priority.
    pub priority: Option<Priority>,
    /// Category.
    pub category_id: Option<CategoryId>,
    /// Assignee; must be a member of the project.
    pub assignee_id: Option<UserId>,
    /// Labels.
    pub labels: Option<Labels>,
    /// Due date.
    pub due_date: Option<DueDate>,
    /// Parent task; must be in the same project, at depth < 5.
    pub parent_id: Option<TaskId>,
    /// Public flag.
    pub is_public: Option<bool>,
}

impl CreateTask {
    /// A command with only the required fields; set the others as needed.
    #[must_use]
    pub fn new(project_id: ProjectId, title: TaskTitle) -> Self {
        Self {
            project_id,
            title,
            description: None,
            status: None,
            priority: None,
            category_id: None,
            assignee_id: None,
            labels: None,
            due_date: None,
            parent_id: None,
            is_public: None,
        }
    }
}

/// Change a task (merge-patch). Fields that cannot be null use `Option` (absent = unchanged);
/// nullable ones use [`Patch`]. Moving between projects is [`MoveTask`], not a patch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateTask {
    /// New title.
    pub title: Option<TaskTitle>,
    /// New description (`Clear` empties it).
    pub description: Patch<Description>,
    /// New status.
    pub status: Option<Status>,
    /// New priority.
    pub priority: Option<Priority>,
    /// New category.
    pub category_id: Patch<CategoryId>,
    /// New assignee.
    pub assignee_id: Patch<UserId>,
    /// New labels (replace the set; `Clear` removes all).
    pub labels: Patch<Labels>,
    /// New due date.
    pub due_date: Patch<DueDate>,
    /// New parent (`Clear` makes it a root task).
    pub parent_id: Patch<TaskId>,
    /// New public flag.
    pub is_public: Option<bool>,
    /// Apply only if the task is at this version (else [`crate::services::TaskError::PreconditionFailed`]).
    pub if_match: Option<Version>,
}

/// Move a task and its subtasks to another project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoveTask {
    /// Where to.
    pub project_id: ProjectId,
    /// Move only if the task is at this version (else [`crate::services::TaskError::PreconditionFailed`]).
    pub if_match: Option<Version>,
}

/// Create a project owned by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateProject {
    /// Name.
    pub name: ProjectName,
    /// Description (empty when `None`).
    pub description: Option<ProjectDescription>,
}

/// Change a project (merge-patch).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateProject {
    /// New name.
    pub name: Option<ProjectName>,
    /// New description (`Clear` empties it).
    pub description: Patch<ProjectDescription>,
    /// Hand the project to another member.
    pub owner_id: Option<UserId>,
}

/// Create a category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateCategory {
    /// Name, unique ignoring case.
    pub name: CategoryName,
}
