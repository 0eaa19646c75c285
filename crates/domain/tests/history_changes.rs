//! Property tests of the history model: the changes computed between two tasks are exactly
//! the differences, undoing them gives the first task's fields back, and every change survives
//! its storage form.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use proptest::sample::select;
use taskforge_domain::model::{Change, EntryId, TaskChange, task_changes};
use taskforge_domain::values::{
    Description, DueDate, Labels, Priority, Status, TaskTitle, Timestamp, Version,
};
use taskforge_domain::{CategoryId, ProjectId, Task, TaskId, UserId};

/// A small pool of ids, so two generated tasks often share a value and often do not.
fn one_of<T: Clone + std::fmt::Debug + 'static>(pool: Vec<T>) -> impl Strategy<Value = T> {
    select(pool)
}

fn task_strategy(
    id: TaskId,
    project: ProjectId,
    categories: Vec<CategoryId>,
    users: Vec<UserId>,
    parents: Vec<TaskId>,
) -> impl Strategy<Value = Task> {
    (
        "[a-z ]{1,12}",
        "[a-z \\t\\n\\\\=-]{0,20}",
        one_of(vec![Status::Todo, Status::InProgress, Status::Done]),
        one_of(vec![Priority::Low, Priority::Medium, Priority::High, Priority::Urgent]),
        proptest::option::of(one_of(categories)),
        proptest::option::of(one_of(users)),
        proptest::collection::vec("[a-c]{1,3}", 0..3),
        proptest::option::of(0i32..5),
        proptest::option::of(one_of(parents)),
        any::<bool>(),
    )
        .prop_map(
            move |(
                title,
                description,
                status,
                priority,
                category,
                assignee,
                labels,
                due,
                parent,
                public,
            )| {
                Task {
                    id,
                    project_id: project,
                    title: TaskTitle::parse(&format!("t{title}")).unwrap(),
                    description: Description::parse(&description).unwrap(),
                    status,
                    priority,
                    category_id: category,
                    assignee_id: assignee,
                    labels: Labels::parse(&labels).unwrap(),
                    due_date: due.map(|d| DueDate::from_days_since_epoch(20_000 + d).unwrap()),
                    parent_id: parent,
                    is_public: public,
                    created_by: UserId::from_bytes([1; 16]),
                    created_at: Timestamp::from_unix_micros(1).unwrap(),
                    updated_at: Timestamp::from_unix_micros(1).unwrap(),
                    version: Version::FIRST,
                }
            },
        )
}

fn two_tasks() -> impl Strategy<Value = (Task, Task)> {
    let id = TaskId::new();
    let project = ProjectId::new();
    let categories = vec![CategoryId::new(), CategoryId::new()];
    let users = vec![UserId::new(), UserId::new()];
    let parents = vec![TaskId::new(), TaskId::new()];
    let a = task_strategy(id, project, categories.clone(), users.clone(), parents.clone());
    let b = task_strategy(id, project, categories, users, parents);
    (a, b)
}

proptest! {
    #[test]
    fn the_changes_from_a_to_b_applied_backwards_to_b_give_a((a, b) in two_tasks()) {
        let changes = task_changes(&a, &b);
        let mut back = b.clone();
        for change in &changes {
            prop_assert!(change.holds_after(&b));
            change.apply_before(&mut back);
        }
        prop_assert_eq!(&back, &a);
        let mut forth = a.clone();
        for change in &changes {
            change.apply_after(&mut forth);
        }
        prop_assert_eq!(&forth, &b);
    }

    #[test]
    fn a_task_has_no_changes_from_itself_and_one_per_differing_field((a, b) in two_tasks()) {
        prop_assert!(task_changes(&a, &a).is_empty());
        let changes = task_changes(&a, &b);
        let mut fields: Vec<_> = changes.iter().map(|c| c.field()).collect();
        let before = fields.len();
        fields.dedup();
        prop_assert_eq!(fields.len(), before, "one change per field");
        prop_assert_eq!(changes.is_empty(), a == b);
    }

    #[test]
    fn every_computed_change_survives_its_storage_form((a, b) in two_tasks(), reverts in 1u64..1000) {
        let changes = task_changes(&a, &b);
        for change in [
            Change::Task { task_id: a.id, change: TaskChange::Updated(changes.clone()) },
            Change::Task {
                task_id: a.id,
                change: TaskChange::Reverted { entry: EntryId::new(reverts).unwrap(), changes },
            },
        ] {
            let stored = change.to_stored();
            let back = Change::from_stored(stored.kind, stored.task_id, stored.reverts, &stored.fields);
            prop_assert_eq!(back, Ok(change));
        }
    }
}

#[test]
fn entry_ids_are_positive_decimal_integers() {
    assert_eq!("1".parse::<EntryId>().map(EntryId::get), Ok(1));
    assert_eq!("18446744073709551615".parse::<EntryId>().map(EntryId::get), Ok(u64::MAX));
    for bad in ["0", "", "-1", "+1", " 1", "1 ", "1.0", "abc", "18446744073709551616"] {
        assert!(bad.parse::<EntryId>().is_err(), "{bad:?}");
    }
    assert_eq!(EntryId::from_i64(0), None);
    assert_eq!(EntryId::from_i64(-5), None);
    assert_eq!(EntryId::from_i64(5).map(EntryId::as_i64), Some(5));
}
