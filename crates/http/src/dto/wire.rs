//! Enumerations as they appear on the wire (snake_case strings).

use serde::Serialize;
use taskforge_domain::values::{Priority, Role, Status};
use utoipa::ToSchema;

/// A task's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WireStatus {
    /// Not started.
    Todo,
    /// Being worked on.
    InProgress,
    /// Finished.
    Done,
}

impl From<Status> for WireStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Todo => Self::Todo,
            Status::InProgress => Self::InProgress,
            Status::Done => Self::Done,
        }
    }
}

/// A task's priority, `low` < `medium` < `high` < `urgent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WirePriority {
    /// Low.
    Low,
    /// Medium (the default).
    Medium,
    /// High.
    High,
    /// Urgent.
    Urgent,
}

impl From<Priority> for WirePriority {
    fn from(p: Priority) -> Self {
        match p {
            Priority::Low => Self::Low,
            Priority::Medium => Self::Medium,
            Priority::High => Self::High,
            Priority::Urgent => Self::Urgent,
        }
    }
}

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WireRole {
    /// Everything, including users and roles.
    Admin,
    /// Projects, tasks in their projects, categories.
    Editor,
    /// Reads tasks of their projects.
    Viewer,
}

impl From<Role> for WireRole {
    fn from(r: Role) -> Self {
        match r {
            Role::Admin => Self::Admin,
            Role::Editor => Self::Editor,
            Role::Viewer => Self::Viewer,
        }
    }
}
