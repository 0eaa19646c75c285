//! One error enum per service area. The HTTP edge maps each variant to a status in one
//! exhaustive `match`; the comments name the intended status.

use std::time::Duration;

use super::retry_after_seconds;
use crate::ports::RepositoryError;
use crate::query::CursorError;
use crate::values::Version;

/// A rule about a task's relations that the request breaks (422).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TaskRule {
    /// The parent task does not exist or is not visible.
    #[error("parent task not found")]
    ParentNotFound,
    /// The parent task is in another project.
    #[error("parent task must be in the same project")]
    ParentInOtherProject,
    /// The parent is the task itself or one of its subtasks.
    #[error("a task cannot be its own ancestor")]
    Cycle,
    /// The subtask tree would be deeper than five levels.
    #[error("subtasks may be nested at most {max} levels deep", max = crate::model::MAX_DEPTH)]
    TooDeep,
    /// The category does not exist.
    #[error("category not found")]
    CategoryNotFound,
    /// The assignee is not a member of the task's project.
    #[error("assignee must be a member of the project")]
    AssigneeNotMember,
}

impl TaskRule {
    /// The request field the rule is about, for problem details.
    #[must_use]
    pub const fn field(self) -> &'static str {
        match self {
            Self::ParentNotFound | Self::ParentInOtherProject | Self::Cycle | Self::TooDeep => {
                "parent_id"
            }
            Self::CategoryNotFound => "category_id",
            Self::AssigneeNotMember => "assignee_id",
        }
    }
}

/// What a task use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// The task does not exist or the caller may not see it (404).
    #[error("task not found")]
    NotFound,
    /// The project does not exist or the caller may not see it (404).
    #[error("project not found")]
    ProjectNotFound,
    /// The caller sees the task or project but may not do this (403).
    #[error("not allowed to change this task")]
    Forbidden,
    /// `If-Match` named another version than the current one (412).
    #[error("task is at version {current}, not the one given in If-Match")]
    PreconditionFailed {
        /// The version the task is at.
        current: Version,
    },
    /// The task kept changing under us (409).
    #[error("task was changed concurrently, try again")]
    Conflict,
    /// A relation rule is broken (422).
    #[error(transparent)]
    Rule(#[from] TaskRule),
    /// The cursor does not fit this listing (400).
    #[error(transparent)]
    InvalidCursor(#[from] CursorError),
    /// Storage failed (503 or 500).
    #[error(transparent)]
    Store(#[from] RepositoryError),
}

/// What a project use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// The project does not exist or the caller may not see it (404).
    #[error("project not found")]
    NotFound,
    /// The caller sees the project but may not do this (403).
    #[error("only the project owner or an admin may do this")]
    Forbidden,
    /// The caller's role may not create projects: viewers only read (403).
    #[error("only editors and admins may create projects")]
    CreateForbidden,
    /// The user to add does not exist (404).
    #[error("user not found")]
    UserNotFound,
    /// The user to remove is not a member (404).
    #[error("user is not a member of this project")]
    MemberNotFound,
    /// The owner is always a member; hand ownership over first (409).
    #[error("the owner cannot be removed from the project")]
    OwnerIsAlwaysMember,
    /// A new owner must already be a member (422).
    #[error("the new owner must be a member of the project")]
    OwnerMustBeMember,
    /// The caller tried to add too many users who do not exist lately (429 with
    /// `Retry-After`).
    #[error("too many additions of unknown users lately; try again in {} s", retry_after_seconds(*.retry_after))]
    Throttled {
        /// How long until the caller may add a member again.
        retry_after: Duration,
    },
    /// Storage failed (503 or 500).
    #[error(transparent)]
    Store(#[from] RepositoryError),
}

/// What a category use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CategoryError {
    /// No such category (404).
    #[error("category not found")]
    NotFound,
    /// The caller's role may not do this (403).
    #[error("not allowed to manage categories")]
    Forbidden,
    /// Another category has this name, ignoring case (409).
    #[error("a category with this name already exists")]
    Duplicate,
    /// The caller created too many categories lately (429 with `Retry-After`).
    #[error("too many categories created lately; try again in {} s", retry_after_seconds(*.retry_after))]
    Throttled {
        /// How long until the caller may create one again.
        retry_after: Duration,
    },
    /// Storage failed (503 or 500).
    #[error(transparent)]
    Store(#[from] RepositoryError),
}

/// What a report use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The project to report on does not exist or the caller may not see it (404).
    #[error("project not found")]
    ProjectNotFound,
    /// Storage failed (503 or 500).
    #[error(transparent)]
    Store(#[from] RepositoryError),
}

/// What a user-management use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// No such user (404).
    #[error("user not found")]
    NotFound,
    /// Only admins manage users (403).
    #[error("only an admin may manage users")]
    Forbidden,
    /// The last admin cannot be demoted or deleted: nobody could manage users after (409).
    #[error("the last admin cannot be demoted or deleted")]
    LastAdmin,
    /// The user owns projects; hand them over or delete them first (409).
    #[error("the user owns projects; transfer or delete them first")]
    OwnsProjects,
    /// Storage failed (503 or 500).
    #[error(transparent)]
    Store(#[from] RepositoryError),
}
