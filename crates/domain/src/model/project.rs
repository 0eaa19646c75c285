use crate::id::{ProjectId, UserId};
use crate::values::Timestamp;
use crate::values::{ProjectDescription, ProjectName, Username};

/// A group of tasks with members. Its owner is always a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Identity.
    pub id: ProjectId,
    /// Display name (not unique).
    pub name: ProjectName,
    /// Free text, possibly empty.
    pub description: ProjectDescription,
    /// The user who manages membership and may delete the project.
    pub owner_id: UserId,
    /// When the project was created.
    pub created_at: Timestamp,
}

/// One member of a project, with the name to show for them (a read model, joined in one query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectMember {
    /// The member.
    pub user_id: UserId,
    /// Their username.
    pub username: Username,
    /// When they joined the project.
    pub added_at: Timestamp,
}
