//! The access policy (`docs/security.md`, "Authorisation"): one pure function per decision.
//!
//! Each function answers [`Decision::Allow`](crate::policy::Decision::Allow),
//! [`Decision::Forbidden`](crate::policy::Decision::Forbidden) (the caller can see the resource
//! but may not act) or [`Decision::NotFound`](crate::policy::Decision::NotFound) (the caller may
//! not even know it exists, and is answered exactly as if it did not, so ids cannot be probed).
//! Services gather the facts (membership,
//! ownership, the public flag) and ask; nothing else decides who may do what.

use crate::id::UserId;
use crate::query::Visibility;
use crate::values::Role;

/// Who is asking: the authenticated user and their *current* role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Actor {
    /// The user.
    pub user_id: UserId,
    /// Their role as stored now (not merely as the token claimed).
    pub role: Role,
}

impl Actor {
    /// An actor from its parts.
    #[must_use]
    pub const fn new(user_id: UserId, role: Role) -> Self {
        Self { user_id, role }
    }

    const fn is_admin(&self) -> bool {
        matches!(self.role, Role::Admin)
    }

    const fn is_editor_or_admin(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Editor)
    }
}

/// The answer to "may this actor do this?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Visible, but not yours to change.
    Forbidden,
    /// Invisible to the caller: answer as if it did not exist.
    NotFound,
}

impl Decision {
    /// True for [`Decision::Allow`].
    #[must_use]
    pub const fn is_allowed(self) -> bool {
        matches!(self, Self::Allow)
    }
}

/// How the actor relates to a task: the facts the task decisions need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskRelation {
    /// The actor is a member of the task's project.
    pub is_member: bool,
    /// The task is public.
    pub is_public: bool,
}

/// Reading a task: admins always; members of its project; anyone if it is public.
#[must_use]
pub const fn read_task(actor: &Actor, task: TaskRelation) -> Decision {
    if actor.is_admin() || task.is_member || task.is_public {
        Decision::Allow
    } else {
        Decision::NotFound
    }
}

/// True when [`read_task`]'s answer depends on membership, i.e. the caller is not an admin and
/// the task is not public. Lets the hot read path skip a membership lookup.
#[must_use]
pub const fn read_task_needs_membership(actor: &Actor, is_public: bool) -> bool {
    !actor.is_admin() && !is_public
}

/// Changing or deleting a task: admins, and editors who are members of its project. Whoever
/// can read it but not change it is forbidden; whoever cannot read it is told it is not found.
#[must_use]
pub const fn change_task(actor: &Actor, task: TaskRelation) -> Decision {
    match read_task(actor, task) {
        Decision::Allow if actor.is_admin() => Decision::Allow,
        Decision::Allow if task.is_member && actor.is_editor_or_admin() => Decision::Allow,
        Decision::Allow => Decision::Forbidden,
        other => other,
    }
}

/// Creating a task in a project: admins, and editors who are members of it. Non-members cannot
/// see the project (not found); viewers who are members may not write (forbidden).
#[must_use]
pub const fn create_task(actor: &Actor, is_member_of_project: bool) -> Decision {
    change_in_project(actor, is_member_of_project)
}

/// Moving a task (and its subtasks) to another project: the actor must be allowed to change
/// the task, and to create tasks in the target project.
#[must_use]
pub const fn move_task(actor: &Actor, task: TaskRelation, is_member_of_target: bool) -> Decision {
    match change_task(actor, task) {
        Decision::Allow => change_in_project(actor, is_member_of_target),
        other => other,
    }
}

const fn change_in_project(actor: &Actor, is_member: bool) -> Decision {
    if actor.is_admin() {
        Decision::Allow
    } else if !is_member {
        Decision::NotFound
    } else if actor.is_editor_or_admin() {
        Decision::Allow
    } else {
        Decision::Forbidden
    }
}

/// Which tasks a listing, export or report may include for this actor.
#[must_use]
pub const fn task_visibility(actor: &Actor) -> Visibility {
    if actor.is_admin() { Visibility::All } else { Visibility::MemberOrPublic(actor.user_id) }
}

/// Which projects a project listing may include: admins see all, others their own.
#[must_use]
pub const fn project_visibility(actor: &Actor) -> Visibility {
    task_visibility(actor)
}

/// Reading a project and its members: admins and members.
#[must_use]
pub const fn read_project(actor: &Actor, is_member: bool) -> Decision {
    if actor.is_admin() || is_member { Decision::Allow } else { Decision::NotFound }
}

/// Seeing (listing, restoring to a refusal, purging) the trashed tasks of a project that was
/// deleted: admins only — nobody else can be told what the project was.
#[must_use]
pub const fn see_trash_of_deleted_project(actor: &Actor) -> Decision {
    if actor.is_admin() { Decision::Allow } else { Decision::NotFound }
}

/// Creating a project: admins and editors.
#[must_use]
pub const fn create_project(actor: &Actor) -> Decision {
    if actor.is_editor_or_admin() { Decision::Allow } else { Decision::Forbidden }
}

/// Renaming or deleting a project and managing its members: admins, and its owner while they
/// may still write (editor). An owner demoted to viewer keeps the project but not the power
/// to delete it with every task or to let others in: a demotion takes away writing, and
/// managing a project is writing to it. Other members see it but may not (forbidden);
/// non-members do not see it (not found).
#[must_use]
pub const fn manage_project(actor: &Actor, is_member: bool, is_owner: bool) -> Decision {
    if actor.is_admin() || (is_owner && actor.is_editor_or_admin()) {
        Decision::Allow
    } else if is_member {
        Decision::Forbidden
    } else {
        Decision::NotFound
    }
}

/// Reading categories: every authenticated user (they are a shared vocabulary).
#[must_use]
pub const fn read_categories(_actor: &Actor) -> Decision {
    Decision::Allow
}

/// Creating a category: admins and editors.
#[must_use]
pub const fn create_category(actor: &Actor) -> Decision {
    create_project(actor)
}

/// Renaming or deleting a category: admins only.
#[must_use]
pub const fn manage_category(actor: &Actor) -> Decision {
    manage_users(actor)
}

/// Listing users, changing roles, deleting accounts: admins only.
#[must_use]
pub const fn manage_users(actor: &Actor) -> Decision {
    if actor.is_admin() { Decision::Allow } else { Decision::Forbidden }
}

/// How the actor relates to a recorded change, *now*: the facts [`see_change`] needs. Read
/// when the change is about to be delivered on a live stream, not when it happened, so a
/// member removed from a project stops seeing its changes at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChangeRelation {
    /// The change is about a task (otherwise about the project itself).
    pub is_task: bool,
    /// The actor is a member of the project the change happened in (for a move, the
    /// project moved to).
    pub is_member: bool,
    /// The task is public now (always false for a change of a project, or a task that is
    /// gone).
    pub is_public: bool,
    /// The change moved the task out of a project the actor is a member of.
    pub was_member: bool,
}

/// Seeing a recorded change on a live stream: whoever may read the task as it is now (admins,
/// members of its project, anyone for a public task) or the project (admins and members).
/// A move is also shown to the members of the project the task left, so they learn it is gone;
/// the task's later changes are not (they no longer may read it).
#[must_use]
pub const fn see_change(actor: &Actor, change: ChangeRelation) -> bool {
    if change.is_task {
        read_task(actor, TaskRelation { is_member: change.is_member, is_public: change.is_public })
            .is_allowed()
            || change.was_member
    } else {
        read_project(actor, change.is_member).is_allowed()
    }
}
