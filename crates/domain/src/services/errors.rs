//! One error enum per service area. Each variant says what went wrong in the domain's terms;
//! a driving adapter decides what that means on its wire (the HTTP adapter maps each variant
//! to a status in one exhaustive `match`, see `docs/api.md`, "Errors").

use std::time::Duration;

use super::whole_seconds;
use crate::ports::RepositoryError;
use crate::query::CursorError;
use crate::values::Version;

/// A rule about a task's relations that the request breaks.
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

/// A task field a [`TaskRule`] can be about. The domain names the field; a driving adapter
/// names it on its wire (the HTTP adapter writes `parent_id`, `category_id`, `assignee_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskField {
    /// The parent task.
    Parent,
    /// The category.
    Category,
    /// The assignee.
    Assignee,
}

impl TaskRule {
    /// The task field the rule is about.
    #[must_use]
    pub const fn field(self) -> TaskField {
        match self {
            Self::ParentNotFound | Self::ParentInOtherProject | Self::Cycle | Self::TooDeep => {
                TaskField::Parent
            }
            Self::CategoryNotFound => TaskField::Category,
            Self::AssigneeNotMember => TaskField::Assignee,
        }
    }
}

/// What a task use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// The task does not exist or the caller may not see it.
    #[error("task not found")]
    NotFound,
    /// The project does not exist or the caller may not see it.
    #[error("project not found")]
    ProjectNotFound,
    /// The caller sees the task or project but may not do this.
    #[error("not allowed to change this task")]
    Forbidden,
    /// The caller expected another version than the current one.
    #[error("task is at version {current}, not the one given in If-Match")]
    PreconditionFailed {
        /// The version the task is at.
        current: Version,
    },
    /// The task kept changing under us.
    #[error("task was changed concurrently, try again")]
    Conflict,
    /// A restore would bring tasks back into a project that was deleted.
    #[error("the task's project was deleted: it cannot be restored")]
    ProjectGone,
    /// A restore would put a subtask back under a parent that is gone (deleted or trashed).
    #[error("the task's parent is gone (deleted or in the trash): restore the parent first")]
    ParentGone,
    /// The history entry does not exist, or is not about this task.
    #[error("history entry not found")]
    EntryNotFound,
    /// The history entry records something that cannot be undone by a revert (only an update,
    /// or an earlier revert, can be).
    #[error("only an update or a revert can be reverted")]
    NotRevertible,
    /// The task no longer holds the values the reverted entry set: these fields changed since.
    #[error("the task changed since this entry: {}", names(changed))]
    ChangedSince {
        /// The fields whose values differ from the entry's "after" values.
        changed: Vec<crate::model::TaskFieldName>,
    },
    /// A relation rule is broken.
    #[error(transparent)]
    Rule(#[from] TaskRule),
    /// The cursor does not fit this listing.
    #[error(transparent)]
    InvalidCursor(#[from] CursorError),
    /// Storage failed; [`RepositoryError`] says whether retrying may help.
    #[error(transparent)]
    Store(#[from] RepositoryError),
}

fn names(fields: &[crate::model::TaskFieldName]) -> String {
    fields.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ")
}

/// What a project use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// The project does not exist or the caller may not see it.
    #[error("project not found")]
    NotFound,
    /// The caller sees the project but may not do this.
    #[error("only the project owner or an admin may do this")]
    Forbidden,
    /// The caller's role may not create projects: viewers only read.
    #[error("only editors and admins may create projects")]
    CreateForbidden,
    /// The user to add does not exist.
    #[error("user not found")]
    UserNotFound,
    /// The user to remove is not a member.
    #[error("user is not a member of this project")]
    MemberNotFound,
    /// The owner is always a member; hand ownership over first.
    #[error("the owner cannot be removed from the project")]
    OwnerIsAlwaysMember,
    /// A new owner must already be a member.
    #[error("the new owner must be a member of the project")]
    OwnerMustBeMember,
    /// The caller tried to add too many users who do not exist lately.
    #[error("too many additions of unknown users lately; try again in {} s", whole_seconds(*.retry_after))]
    Throttled {
        /// How long until the caller may add a member again.
        retry_after: Duration,
    },
    /// Storage failed; [`RepositoryError`] says whether retrying may help.
    #[error(transparent)]
    Store(#[from] RepositoryError),
}

/// What a category use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CategoryError {
    /// No such category.
    #[error("category not found")]
    NotFound,
    /// The caller's role may not do this.
    #[error("not allowed to manage categories")]
    Forbidden,
    /// Another category has this name, ignoring case.
    #[error("a category with this name already exists")]
    Duplicate,
    /// The caller created too many categories lately.
    #[error("too many categories created lately; try again in {} s", whole_seconds(*.retry_after))]
    Throttled {
        /// How long until the caller may create one again.
        retry_after: Duration,
    },
    /// Storage failed; [`RepositoryError`] says whether retrying may help.
    #[error(transparent)]
    Store(#[from] RepositoryError),
}

/// What a report use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The project to report on does not exist or the caller may not see it.
    #[error("project not found")]
    ProjectNotFound,
    /// Storage failed; [`RepositoryError`] says whether retrying may help.
    #[error(transparent)]
    Store(#[from] RepositoryError),
}

/// What a user-management use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// No such user.
    #[error("user not found")]
    NotFound,
    /// Only admins manage users.
    #[error("only an admin may manage users")]
    Forbidden,
    /// The last admin cannot be demoted or deleted: nobody could manage users after.
    #[error("the last admin cannot be demoted or deleted")]
    LastAdmin,
    /// The user owns projects; hand them over or delete them first.
    #[error("the user owns projects; transfer or delete them first")]
    OwnsProjects,
    /// Storage failed; [`RepositoryError`] says whether retrying may help.
    #[error(transparent)]
    Store(#[from] RepositoryError),
}
