//! Domain events (Observer): every change publishes one, and subscribers registered in the app
//! crate (audit log, metrics, caches) react without the services knowing them.

use std::sync::{Arc, RwLock};

use crate::id::{CategoryId, ProjectId, TaskId, UserId};
use crate::model::{Category, EntryId, Project, Task};
use crate::ports::{EventPublisher, EventSubscriber};
use crate::values::Timestamp;
use crate::values::{Role, Username};

/// Something that happened, with who did it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainEvent {
    /// The user who caused it; `None` for the system or an anonymous caller.
    pub actor: Option<UserId>,
    /// When it happened.
    pub at: Timestamp,
    /// The change-log entry recording it, for the changes of tasks and projects the history
    /// keeps (its position in the log, see [`crate::ports::HistoryRepository`]); `None` for
    /// everything else (logins, memberships, categories, accounts).
    pub entry: Option<EntryId>,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of [`DomainEvent`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// A task was created.
    TaskCreated(Box<Task>),
    /// A task was changed.
    TaskUpdated {
        /// As it was.
        before: Box<Task>,
        /// As it is now.
        after: Box<Task>,
    },
    /// A task and its subtasks moved to another project.
    TaskMoved {
        /// The task that was moved (its subtasks came along).
        task_id: TaskId,
        /// Where it was.
        from: ProjectId,
        /// Where it is now.
        to: ProjectId,
        /// Every task that moved, the task first.
        moved: Vec<TaskId>,
    },
    /// A task and its subtasks went to the trash (`DELETE /api/v1/tasks/{id}`).
    TaskTrashed {
        /// The task that was trashed.
        task_id: TaskId,
        /// Its project.
        project_id: ProjectId,
        /// Every task trashed, the task first.
        trashed: Vec<TaskId>,
    },
    /// A trashed task and its subtasks came back.
    TaskRestored {
        /// The task restored (the subtree's root).
        task_id: TaskId,
        /// Its project.
        project_id: ProjectId,
        /// Every task restored, the task first.
        restored: Vec<TaskId>,
    },
    /// A trashed subtree was purged for good (by a person; the retention sweep publishes
    /// nothing).
    TaskPurged {
        /// The subtree's root.
        task_id: TaskId,
        /// The project it was trashed from.
        project_id: ProjectId,
    },
    /// A project was created.
    ProjectCreated(Box<Project>),
    /// A project's name, description or owner changed.
    ProjectUpdated(Box<Project>),
    /// A project and its tasks were deleted.
    ProjectDeleted(ProjectId),
    /// A user joined a project.
    MemberAdded {
        /// The project.
        project_id: ProjectId,
        /// The new member.
        user_id: UserId,
    },
    /// A user left (or was removed from) a project.
    MemberRemoved {
        /// The project.
        project_id: ProjectId,
        /// The former member.
        user_id: UserId,
    },
    /// A category was created.
    CategoryCreated(Box<Category>),
    /// A category was renamed.
    CategoryRenamed(Box<Category>),
    /// A category was deleted (and cleared from its tasks).
    CategoryDeleted(CategoryId),
    /// An account was created.
    UserRegistered {
        /// The new account.
        user_id: UserId,
        /// Its username.
        username: Username,
        /// Its role.
        role: Role,
    },
    /// A user's role changed.
    RoleChanged {
        /// Whose.
        user_id: UserId,
        /// Before.
        from: Role,
        /// After.
        to: Role,
    },
    /// An account was deleted.
    UserDeleted(UserId),
    /// A login succeeded.
    LoginSucceeded(UserId),
    /// A login failed. The username is as typed (parsed); the password never appears.
    LoginFailed {
        /// Who was tried.
        username: String,
    },
    /// A rotated refresh token was presented again; its family was revoked.
    RefreshTokenReused(UserId),
    /// A user changed their password (every refresh token was revoked).
    PasswordChanged(UserId),
}

impl EventKind {
    /// A stable, lower-case name for logs and metrics, e.g. `task_created`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::TaskCreated(_) => "task_created",
            Self::TaskUpdated { .. } => "task_updated",
            Self::TaskMoved { .. } => "task_moved",
            Self::TaskTrashed { .. } => "task_trashed",
            Self::TaskRestored { .. } => "task_restored",
            Self::TaskPurged { .. } => "task_purged",
            Self::ProjectCreated(_) => "project_created",
            Self::ProjectUpdated(_) => "project_updated",
            Self::ProjectDeleted(_) => "project_deleted",
            Self::MemberAdded { .. } => "member_added",
            Self::MemberRemoved { .. } => "member_removed",
            Self::CategoryCreated(_) => "category_created",
            Self::CategoryRenamed(_) => "category_renamed",
            Self::CategoryDeleted(_) => "category_deleted",
            Self::UserRegistered { .. } => "user_registered",
            Self::RoleChanged { .. } => "role_changed",
            Self::UserDeleted(_) => "user_deleted",
            Self::LoginSucceeded(_) => "login_succeeded",
            Self::LoginFailed { .. } => "login_failed",
            Self::RefreshTokenReused(_) => "refresh_token_reused",
            Self::PasswordChanged(_) => "password_changed",
        }
    }
}

/// The standard [`EventPublisher`]: fans every event out to its subscribers, in the order they
/// subscribed.
#[derive(Debug, Default)]
pub struct EventBus {
    subscribers: RwLock<Vec<Arc<dyn EventSubscriber>>>,
}

impl EventBus {
    /// A bus with no subscribers.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a subscriber for every later event.
    pub fn subscribe(&self, subscriber: Arc<dyn EventSubscriber>) {
        // A poisoned lock only means a subscriber panicked earlier; the list is still sound.
        let mut subscribers = self.subscribers.write().unwrap_or_else(|e| e.into_inner());
        subscribers.push(subscriber);
    }
}

impl EventPublisher for EventBus {
    fn publish(&self, event: &DomainEvent) {
        let subscribers = self.subscribers.read().unwrap_or_else(|e| e.into_inner());
        for subscriber in subscribers.iter() {
            subscriber.on_event(event);
        }
    }
}

/// Convenience for wiring: a publisher that drops everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEvents;

impl EventPublisher for NoEvents {
    fn publish(&self, _event: &DomainEvent) {}
}
