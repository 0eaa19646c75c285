//! The access policy (`crates/domain/src/policy.rs`) as one full decision table.
//!
//! Every role × relation × action has exactly one row with the expected answer: `Allow`,
//! `Forbidden` (403: the caller sees the resource but may not act) or `NotFound` (404: the caller
//! may not even learn that it exists — never 403 for an invisible resource).

use std::collections::HashSet;

use taskforge_domain::UserId;
use taskforge_domain::policy::{self, Actor, Decision, TaskRelation};
use taskforge_domain::query::Visibility;
use taskforge_domain::values::Role;

use Action::*;
use Decision::{Allow, Forbidden, NotFound};
use Relation::*;
use Role::{Admin, Editor, Viewer};

/// How the actor relates to the project (and, for task actions, to a task in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Relation {
    /// Owner of the project (so also a member); the task is private.
    Owner,
    /// A member of the project who does not own it; the task is private.
    Member,
    /// Not a member; the task is private.
    NonMemberPrivate,
    /// Not a member; the task is public.
    NonMemberPublic,
}

const RELATIONS: [Relation; 4] = [Owner, Member, NonMemberPrivate, NonMemberPublic];

impl Relation {
    const fn is_member(self) -> bool {
        matches!(self, Owner | Member)
    }

    const fn is_owner(self) -> bool {
        matches!(self, Owner)
    }

    const fn task(self) -> TaskRelation {
        TaskRelation { is_member: self.is_member(), is_public: matches!(self, NonMemberPublic) }
    }
}

/// What the actor tries to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Action {
    ReadTask,
    /// Update or delete.
    ChangeTask,
    /// Create a task in the project.
    CreateTask,
    /// Move the task to another project the actor is a member of.
    MoveTaskToMemberProject,
    /// Move the task to another project the actor is not a member of.
    MoveTaskToNonMemberProject,
    ReadProject,
    CreateProject,
    /// Rename or delete the project, manage its members.
    ManageProject,
    ReadCategories,
    CreateCategory,
    /// Rename or delete a category.
    ManageCategory,
    /// List users, change roles, delete accounts.
    ManageUsers,
}

const ACTIONS: [Action; 12] = [
    ReadTask,
    ChangeTask,
    CreateTask,
    MoveTaskToMemberProject,
    MoveTaskToNonMemberProject,
    ReadProject,
    CreateProject,
    ManageProject,
    ReadCategories,
    CreateCategory,
    ManageCategory,
    ManageUsers,
];

/// Asks the policy: the one place the table meets the code.
fn decide(actor: &Actor, relation: Relation, action: Action) -> Decision {
    match action {
        ReadTask => policy::read_task(actor, relation.task()),
        ChangeTask => policy::change_task(actor, relation.task()),
        CreateTask => policy::create_task(actor, relation.is_member()),
        MoveTaskToMemberProject => policy::move_task(actor, relation.task(), true),
        MoveTaskToNonMemberProject => policy::move_task(actor, relation.task(), false),
        ReadProject => policy::read_project(actor, relation.is_member()),
        CreateProject => policy::create_project(actor),
        ManageProject => policy::manage_project(actor, relation.is_member(), relation.is_owner()),
        ReadCategories => policy::read_categories(actor),
        CreateCategory => policy::create_category(actor),
        ManageCategory => policy::manage_category(actor),
        ManageUsers => policy::manage_users(actor),
    }
}

/// The access rules, row by row.
#[rustfmt::skip]
const TABLE: [(Role, Relation, Action, Decision); 144] = [
    // --- admin: may do everything ---------------------------------------------------------
    (Admin, Owner,            ReadTask,                   Allow),
    (Admin, Member,           ReadTask,                   Allow),
    (Admin, NonMemberPrivate, ReadTask,                   Allow),
    (Admin, NonMemberPublic,  ReadTask,                   Allow),
    (Admin, Owner,            ChangeTask,                 Allow),
    (Admin, Member,           ChangeTask,                 Allow),
    (Admin, NonMemberPrivate, ChangeTask,                 Allow),
    (Admin, NonMemberPublic,  ChangeTask,                 Allow),
    (Admin, Owner,            CreateTask,                 Allow),
    (Admin, Member,           CreateTask,                 Allow),
    (Admin, NonMemberPrivate, CreateTask,                 Allow),
    (Admin, NonMemberPublic,  CreateTask,                 Allow),
    (Admin, Owner,            MoveTaskToMemberProject,    Allow),
    (Admin, Member,           MoveTaskToMemberProject,    Allow),
    (Admin, NonMemberPrivate, MoveTaskToMemberProject,    Allow),
    (Admin, NonMemberPublic,  MoveTaskToMemberProject,    Allow),
    (Admin, Owner,            MoveTaskToNonMemberProject, Allow),
    (Admin, Member,           MoveTaskToNonMemberProject, Allow),
    (Admin, NonMemberPrivate, MoveTaskToNonMemberProject, Allow),
    (Admin, NonMemberPublic,  MoveTaskToNonMemberProject, Allow),
    (Admin, Owner,            ReadProject,                Allow),
    (Admin, Member,           ReadProject,                Allow),
    (Admin, NonMemberPrivate, ReadProject,                Allow),
    (Admin, NonMemberPublic,  ReadProject,                Allow),
    (Admin, Owner,            CreateProject,              Allow),
    (Admin, Member,           CreateProject,              Allow),
    (Admin, NonMemberPrivate, CreateProject,              Allow),
    (Admin, NonMemberPublic,  CreateProject,              Allow),
    (Admin, Owner,            ManageProject,              Allow),
    (Admin, Member,           ManageProject,              Allow),
    (Admin, NonMemberPrivate, ManageProject,              Allow),
    (Admin, NonMemberPublic,  ManageProject,              Allow),
    (Admin, Owner,            ReadCategories,             Allow),
    (Admin, Member,           ReadCategories,             Allow),
    (Admin, NonMemberPrivate, ReadCategories,             Allow),
    (Admin, NonMemberPublic,  ReadCategories,             Allow),
    (Admin, Owner,            CreateCategory,             Allow),
    (Admin, Member,           CreateCategory,             Allow),
    (Admin, NonMemberPrivate, CreateCategory,             Allow),
    (Admin, NonMemberPublic,  CreateCategory,             Allow),
    (Admin, Owner,            ManageCategory,             Allow),
    (Admin, Member,           ManageCategory,             Allow),
    (Admin, NonMemberPrivate, ManageCategory,             Allow),
    (Admin, NonMemberPublic,  ManageCategory,             Allow),
    (Admin, Owner,            ManageUsers,                Allow),
    (Admin, Member,           ManageUsers,                Allow),
    (Admin, NonMemberPrivate, ManageUsers,                Allow),
    (Admin, NonMemberPublic,  ManageUsers,                Allow),

    // --- editor: writes tasks of their projects; creates projects and categories -------------
    (Editor, Owner,            ReadTask,                   Allow),
    (Editor, Member,           ReadTask,                   Allow),
    (Editor, NonMemberPrivate, ReadTask,                   NotFound),
    (Editor, NonMemberPublic,  ReadTask,                   Allow),
    (Editor, Owner,            ChangeTask,                 Allow),
    (Editor, Member,           ChangeTask,                 Allow),
    (Editor, NonMemberPrivate, ChangeTask,                 NotFound),
    // Sees the public task, but it is not in their project: 403.
    (Editor, NonMemberPublic,  ChangeTask,                 Forbidden),
    (Editor, Owner,            CreateTask,                 Allow),
    (Editor, Member,           CreateTask,                 Allow),
    (Editor, NonMemberPrivate, CreateTask,                 NotFound),
    (Editor, NonMemberPublic,  CreateTask,                 NotFound),
    (Editor, Owner,            MoveTaskToMemberProject,    Allow),
    (Editor, Member,           MoveTaskToMemberProject,    Allow),
    (Editor, NonMemberPrivate, MoveTaskToMemberProject,    NotFound),
    (Editor, NonMemberPublic,  MoveTaskToMemberProject,    Forbidden),
    // The target project is invisible to them: 404.
    (Editor, Owner,            MoveTaskToNonMemberProject, NotFound),
    (Editor, Member,           MoveTaskToNonMemberProject, NotFound),
    (Editor, NonMemberPrivate, MoveTaskToNonMemberProject, NotFound),
    (Editor, NonMemberPublic,  MoveTaskToNonMemberProject, Forbidden),
    (Editor, Owner,            ReadProject,                Allow),
    (Editor, Member,           ReadProject,                Allow),
    (Editor, NonMemberPrivate, ReadProject,                NotFound),
    (Editor, NonMemberPublic,  ReadProject,                NotFound),
    (Editor, Owner,            CreateProject,              Allow),
    (Editor, Member,           CreateProject,              Allow),
    (Editor, NonMemberPrivate, CreateProject,              Allow),
    (Editor, NonMemberPublic,  CreateProject,              Allow),
    (Editor, Owner,            ManageProject,              Allow),
    (Editor, Member,           ManageProject,              Forbidden),
    (Editor, NonMemberPrivate, ManageProject,              NotFound),
    (Editor, NonMemberPublic,  ManageProject,              NotFound),
    (Editor, Owner,            ReadCategories,             Allow),
    (Editor, Member,           ReadCategories,             Allow),
    (Editor, NonMemberPrivate, ReadCategories,             Allow),
    (Editor, NonMemberPublic,  ReadCategories,             Allow),
    (Editor, Owner,            CreateCategory,             Allow),
    (Editor, Member,           CreateCategory,             Allow),
    (Editor, NonMemberPrivate, CreateCategory,             Allow),
    (Editor, NonMemberPublic,  CreateCategory,             Allow),
    (Editor, Owner,            ManageCategory,             Forbidden),
    (Editor, Member,           ManageCategory,             Forbidden),
    (Editor, NonMemberPrivate, ManageCategory,             Forbidden),
    (Editor, NonMemberPublic,  ManageCategory,             Forbidden),
    (Editor, Owner,            ManageUsers,                Forbidden),
    (Editor, Member,           ManageUsers,                Forbidden),
    (Editor, NonMemberPrivate, ManageUsers,                Forbidden),
    (Editor, NonMemberPublic,  ManageUsers,                Forbidden),

    // --- viewer: reads tasks of their projects (and public ones); nothing else --------------
    (Viewer, Owner,            ReadTask,                   Allow),
    (Viewer, Member,           ReadTask,                   Allow),
    (Viewer, NonMemberPrivate, ReadTask,                   NotFound),
    (Viewer, NonMemberPublic,  ReadTask,                   Allow),
    // Sees the task of their project, but may not write: 403.
    (Viewer, Owner,            ChangeTask,                 Forbidden),
    (Viewer, Member,           ChangeTask,                 Forbidden),
    (Viewer, NonMemberPrivate, ChangeTask,                 NotFound),
    (Viewer, NonMemberPublic,  ChangeTask,                 Forbidden),
    (Viewer, Owner,            CreateTask,                 Forbidden),
    (Viewer, Member,           CreateTask,                 Forbidden),
    (Viewer, NonMemberPrivate, CreateTask,                 NotFound),
    (Viewer, NonMemberPublic,  CreateTask,                 NotFound),
    (Viewer, Owner,            MoveTaskToMemberProject,    Forbidden),
    (Viewer, Member,           MoveTaskToMemberProject,    Forbidden),
    (Viewer, NonMemberPrivate, MoveTaskToMemberProject,    NotFound),
    (Viewer, NonMemberPublic,  MoveTaskToMemberProject,    Forbidden),
    (Viewer, Owner,            MoveTaskToNonMemberProject, Forbidden),
    (Viewer, Member,           MoveTaskToNonMemberProject, Forbidden),
    (Viewer, NonMemberPrivate, MoveTaskToNonMemberProject, NotFound),
    (Viewer, NonMemberPublic,  MoveTaskToNonMemberProject, Forbidden),
    (Viewer, Owner,            ReadProject,                Allow),
    (Viewer, Member,           ReadProject,                Allow),
    (Viewer, NonMemberPrivate, ReadProject,                NotFound),
    (Viewer, NonMemberPublic,  ReadProject,                NotFound),
    (Viewer, Owner,            CreateProject,              Forbidden),
    (Viewer, Member,           CreateProject,              Forbidden),
    (Viewer, NonMemberPrivate, CreateProject,              Forbidden),
    (Viewer, NonMemberPublic,  CreateProject,              Forbidden),
    // An owner demoted to viewer sees their project but may no longer manage it.
    (Viewer, Owner,            ManageProject,              Forbidden),
    (Viewer, Member,           ManageProject,              Forbidden),
    (Viewer, NonMemberPrivate, ManageProject,              NotFound),
    (Viewer, NonMemberPublic,  ManageProject,              NotFound),
    (Viewer, Owner,            ReadCategories,             Allow),
    (Viewer, Member,           ReadCategories,             Allow),
    (Viewer, NonMemberPrivate, ReadCategories,             Allow),
    (Viewer, NonMemberPublic,  ReadCategories,             Allow),
    (Viewer, Owner,            CreateCategory,             Forbidden),
    (Viewer, Member,           CreateCategory,             Forbidden),
    (Viewer, NonMemberPrivate, CreateCategory,             Forbidden),
    (Viewer, NonMemberPublic,  CreateCategory,             Forbidden),
    (Viewer, Owner,            ManageCategory,             Forbidden),
    (Viewer, Member,           ManageCategory,             Forbidden),
    (Viewer, NonMemberPrivate, ManageCategory,             Forbidden),
    (Viewer, NonMemberPublic,  ManageCategory,             Forbidden),
    (Viewer, Owner,            ManageUsers,                Forbidden),
    (Viewer, Member,           ManageUsers,                Forbidden),
    (Viewer, NonMemberPrivate, ManageUsers,                Forbidden),
    (Viewer, NonMemberPublic,  ManageUsers,                Forbidden),
];

fn actor(role: Role) -> Actor {
    Actor::new(UserId::from_bytes([0x42; 16]), role)
}

#[test]
fn every_row_of_the_table_holds() {
    let failures: Vec<String> = TABLE
        .iter()
        .filter_map(|&(role, relation, action, expected)| {
            let got = decide(&actor(role), relation, action);
            (got != expected).then(|| {
                format!("{role} / {relation:?} / {action:?}: expected {expected:?}, got {got:?}")
            })
        })
        .collect();
    assert!(failures.is_empty(), "{} rows fail:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_table_covers_every_combination_exactly_once() {
    assert_eq!(TABLE.len(), Role::ALL.len() * RELATIONS.len() * ACTIONS.len());
    let mut seen = HashSet::new();
    for &(role, relation, action, _) in &TABLE {
        assert!(
            seen.insert((role, relation, action)),
            "duplicate row {role} / {relation:?} / {action:?}"
        );
    }
    for role in Role::ALL {
        for relation in RELATIONS {
            for action in ACTIONS {
                assert!(
                    seen.contains(&(role, relation, action)),
                    "missing row {role} / {relation:?} / {action:?}"
                );
            }
        }
    }
}

#[test]
fn an_invisible_resource_is_never_forbidden_only_not_found() {
    // Whoever cannot read a task gets 404 for every other task action too, never 403.
    for &(role, relation, action, expected) in &TABLE {
        let reads = decide(&actor(role), relation, ReadTask);
        let task_action =
            matches!(action, ChangeTask | MoveTaskToMemberProject | MoveTaskToNonMemberProject);
        if task_action && reads == NotFound {
            assert_eq!(expected, NotFound, "{role} / {relation:?} / {action:?}");
        }
        let project_action = matches!(action, CreateTask | ManageProject);
        if project_action && decide(&actor(role), relation, ReadProject) == NotFound {
            assert_eq!(expected, NotFound, "{role} / {relation:?} / {action:?}");
        }
    }
}

#[test]
fn task_decisions_are_consistent_for_every_fact() {
    // Beyond the table's relations: members of a project whose task is also public.
    for role in Role::ALL {
        let a = actor(role);
        for is_member in [false, true] {
            for is_public in [false, true] {
                let task = TaskRelation { is_member, is_public };
                let read = policy::read_task(&a, task);
                let change = policy::change_task(&a, task);
                // Changing implies reading; an unreadable task is 404 for every write.
                if change == Allow {
                    assert_eq!(read, Allow, "{role} {task:?}");
                }
                if read == NotFound {
                    assert_eq!(change, NotFound, "{role} {task:?}");
                }
                for target in [false, true] {
                    let moved = policy::move_task(&a, task, target);
                    if moved == Allow {
                        assert_eq!(change, Allow, "{role} {task:?} target member {target}");
                        assert_eq!(policy::create_task(&a, target), Allow);
                    }
                    if change != Allow {
                        assert_eq!(moved, change, "{role} {task:?} target member {target}");
                    }
                }
                // A public flag never takes rights away.
                let public = TaskRelation { is_member, is_public: true };
                assert!(!read.is_allowed() || policy::read_task(&a, public).is_allowed());
            }
        }
    }
}

#[test]
fn is_allowed_is_true_only_for_allow() {
    assert!(Allow.is_allowed());
    assert!(!Forbidden.is_allowed());
    assert!(!NotFound.is_allowed());
}

#[test]
fn admins_see_every_task_and_project() {
    let admin = actor(Admin);
    assert_eq!(policy::task_visibility(&admin), Visibility::All);
    assert_eq!(policy::project_visibility(&admin), Visibility::All);
}

#[test]
fn others_see_tasks_of_their_projects_and_public_tasks() {
    for role in [Editor, Viewer] {
        let user = UserId::from_bytes([7; 16]);
        let a = Actor::new(user, role);
        assert_eq!(policy::task_visibility(&a), Visibility::MemberOrPublic(user), "{role}");
        assert_eq!(policy::project_visibility(&a), Visibility::MemberOrPublic(user), "{role}");
    }
    // The visibility names the asking user, not some other one.
    let (one, two) = (UserId::from_bytes([1; 16]), UserId::from_bytes([2; 16]));
    assert_ne!(
        policy::task_visibility(&Actor::new(one, Editor)),
        policy::task_visibility(&Actor::new(two, Editor))
    );
}
