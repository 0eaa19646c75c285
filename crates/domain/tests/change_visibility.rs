//! Who sees a recorded change on a live stream (`policy::see_change`), as a table over every
//! role and every combination of the facts, read at delivery time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use taskforge_domain::policy::{self, ChangeRelation};
use taskforge_domain::values::Role;
use taskforge_domain::{Actor, UserId};

fn actor(role: Role) -> Actor {
    Actor::new(UserId::new(), role)
}

fn task(is_member: bool, is_public: bool, was_member: bool) -> ChangeRelation {
    ChangeRelation { is_task: true, is_member, is_public, was_member }
}

fn project(is_member: bool) -> ChangeRelation {
    ChangeRelation { is_task: false, is_member, is_public: false, was_member: false }
}

#[test]
fn admins_see_every_change() {
    let admin = actor(Role::Admin);
    for is_member in [false, true] {
        for is_public in [false, true] {
            for was_member in [false, true] {
                assert!(policy::see_change(&admin, task(is_member, is_public, was_member)));
            }
        }
        assert!(policy::see_change(&admin, project(is_member)));
    }
}

#[test]
fn others_see_the_changes_of_tasks_they_may_read_now() {
    for role in [Role::Editor, Role::Viewer] {
        let someone = actor(role);
        // (is_member, is_public, was_member) → seen
        let table = [
            ((false, false, false), false),
            ((true, false, false), true),
            ((false, true, false), true),
            ((true, true, false), true),
            // moved out of their project: the move itself is shown, so they learn it left
            ((false, false, true), true),
        ];
        for ((is_member, is_public, was_member), seen) in table {
            assert_eq!(
                policy::see_change(&someone, task(is_member, is_public, was_member)),
                seen,
                "{role:?} member={is_member} public={is_public} was_member={was_member}"
            );
        }
    }
}

#[test]
fn changes_of_a_project_are_seen_by_its_members_only() {
    for role in [Role::Editor, Role::Viewer] {
        let someone = actor(role);
        assert!(policy::see_change(&someone, project(true)));
        assert!(!policy::see_change(&someone, project(false)));
    }
}

#[test]
fn seeing_a_task_change_agrees_with_reading_the_task() {
    for role in [Role::Admin, Role::Editor, Role::Viewer] {
        let someone = actor(role);
        for is_member in [false, true] {
            for is_public in [false, true] {
                let read =
                    policy::read_task(&someone, policy::TaskRelation { is_member, is_public })
                        .is_allowed();
                assert_eq!(policy::see_change(&someone, task(is_member, is_public, false)), read);
            }
        }
    }
}
