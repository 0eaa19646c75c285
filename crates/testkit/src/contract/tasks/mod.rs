//! The contract of [`taskforge_domain::ports::TaskRepository`], listing aside (see
//! [`task_listing`](crate::contract::task_listing)).

mod integrity;
mod trees;

pub use integrity::*;
pub use trees::*;

use super::fixtures::{
    at, category, date, labels, owner_and_project, stored_category, stored_member, stored_task,
    stored_task_by_id, subtask, task, title, version,
};
use taskforge_domain::id::{CategoryId, ProjectId, TaskId, UserId};
use taskforge_domain::model::{Project, Task};
use taskforge_domain::ports::{Entity, Repositories, RepositoryError, TreeGuards, VersionGuard};
use taskforge_domain::values::{Description, Priority, Status};

/// `insert` stores every field, `get` returns the task as stored.
pub async fn an_inserted_task_can_be_read_back_by_id(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let bob = stored_member(&repos, &project, "bob").await;
    let bug = stored_category(&repos, category("Bug")).await;
    let parent = stored_task(&repos, task(&project, &alice, "Parent")).await;
    let full = Task {
        description: Description::parse("One\ntwo\tthree — ünïcödé").expect("valid"),
        status: Status::InProgress,
        priority: Priority::Urgent,
        category_id: Some(bug.id),
        assignee_id: Some(bob.id),
        labels: labels(&["backend", "ops:oncall"]),
        due_date: Some(date("2026-03-31")),
        parent_id: Some(parent.id),
        is_public: true,
        // Microseconds must survive the round trip (see `Timestamp`).
        created_at: at(10).plus_micros(123_456),
        updated_at: at(20).plus_micros(1),
        version: version(3),
        ..task(&project, &bob, "Everything set")
    };

    repos
        .tasks
        .insert(&full, &TreeGuards::none(), &crate::contract::fixtures::created(&full))
        .await
        .expect("insert succeeds");

    let found = repos.tasks.get(full.id).await.expect("get succeeds");
    assert_eq!(found, Some(full), "get returns the task exactly as inserted, labels included");
}

/// `get` of an id nobody has returns `None`, not an error.
pub async fn getting_an_unknown_task_returns_none(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    stored_task(&repos, task(&project, &alice, "Known")).await;

    let found = repos.tasks.get(TaskId::new()).await.expect("get of an unknown id succeeds");

    assert_eq!(found, None, "get of an unknown id returns None");
}

/// Labels are stored with the task and returned sorted; `update` replaces them (it does not
/// merge), and a task can lose all of them.
pub async fn labels_are_stored_replaced_and_returned_sorted(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let labelled = Task {
        labels: labels(&["zeta", "Alpha", "mid-1", "ALPHA"]),
        ..task(&project, &alice, "Labelled")
    };
    repos
        .tasks
        .insert(&labelled, &TreeGuards::none(), &crate::contract::fixtures::created(&labelled))
        .await
        .expect("insert succeeds");
    let label_names = |t: &Task| t.labels.iter().map(|l| l.to_string()).collect::<Vec<_>>();

    let stored = stored_task_by_id(&repos, labelled.id).await;
    let relabelled = Task {
        labels: labels(&["new", "alpha"]),
        version: labelled.version.next(),
        ..labelled.clone()
    };
    repos
        .tasks
        .update(
            &relabelled,
            labelled.version,
            &TreeGuards::none(),
            &crate::contract::fixtures::entry(relabelled.id),
        )
        .await
        .expect("update succeeds");
    let after_update = stored_task_by_id(&repos, labelled.id).await;
    let bare = Task { labels: labels(&[]), version: relabelled.version.next(), ..relabelled };
    repos
        .tasks
        .update(&bare, version(2), &TreeGuards::none(), &crate::contract::fixtures::entry(bare.id))
        .await
        .expect("update succeeds");
    let after_clear = stored_task_by_id(&repos, labelled.id).await;

    assert_eq!(label_names(&stored), ["alpha", "mid-1", "zeta"], "stored lower case, sorted");
    assert_eq!(label_names(&after_update), ["alpha", "new"], "update replaces the labels");
    assert!(after_clear.labels.is_empty(), "update can remove every label: {after_clear:?}");
}

/// `insert` of a task whose id is taken is [`RepositoryError::Duplicate`] and keeps the
/// stored task.
pub async fn inserting_a_task_with_a_taken_id_is_a_duplicate(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let first = stored_task(&repos, task(&project, &alice, "First")).await;
    let copy = Task { title: title("Copy"), labels: labels(&["copy"]), ..first.clone() };

    let result = repos
        .tasks
        .insert(&copy, &TreeGuards::none(), &crate::contract::fixtures::created(&copy))
        .await;

    assert_err!(result, RepositoryError::Duplicate(Entity::Task), "insert with a taken id");
    assert_eq!(stored_task_by_id(&repos, first.id).await, first, "the stored task is unchanged");
}

/// `insert` of a task whose project, parent, category or assignee does not exist is
/// [`RepositoryError::MissingReference`] naming the missing entity, and stores nothing.
pub async fn inserting_a_task_with_a_missing_reference_is_refused(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let ghost_project = Project { id: ProjectId::new(), ..project.clone() };
    let cases = [
        ("an unknown project", Entity::Project, task(&ghost_project, &alice, "Lost")),
        (
            "an unknown parent",
            Entity::Task,
            Task { parent_id: Some(TaskId::new()), ..task(&project, &alice, "Orphan") },
        ),
        (
            "an unknown category",
            Entity::Category,
            Task { category_id: Some(CategoryId::new()), ..task(&project, &alice, "Odd") },
        ),
        (
            "an unknown assignee",
            Entity::User,
            Task { assignee_id: Some(UserId::new()), ..task(&project, &alice, "Ghostly") },
        ),
    ];

    for (case, missing, refused) in cases {
        let result = repos
            .tasks
            .insert(&refused, &TreeGuards::none(), &crate::contract::fixtures::created(&refused))
            .await;
        match result {
            Err(RepositoryError::MissingReference(entity)) if entity == missing => {}
            other => panic!(
                "insert of a task with {case}: expected Err(MissingReference({missing:?})), \
                 got {other:?}"
            ),
        }
        let found = repos.tasks.get(refused.id).await.expect("get succeeds");
        assert_eq!(found, None, "insert of a task with {case} stored nothing");
    }
}

/// `update` replaces the stored task with the given one, every field included.
pub async fn updating_a_task_replaces_every_field(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let bob = stored_member(&repos, &project, "bob").await;
    let bug = stored_category(&repos, category("Bug")).await;
    let parent = stored_task(&repos, task(&project, &alice, "Parent")).await;
    let before = stored_task(
        &repos,
        Task { labels: labels(&["old"]), is_public: true, ..task(&project, &alice, "Before") },
    )
    .await;
    let after = Task {
        title: title("After"),
        description: Description::parse("Now described.").expect("valid"),
        status: Status::Done,
        priority: Priority::Low,
        category_id: Some(bug.id),
        assignee_id: Some(bob.id),
        labels: labels(&["new", "newer"]),
        due_date: Some(date("2026-12-24")),
        parent_id: Some(parent.id),
        is_public: false,
        updated_at: at(600),
        version: before.version.next(),
        ..before.clone()
    };

    repos
        .tasks
        .update(
            &after,
            before.version,
            &TreeGuards::none(),
            &crate::contract::fixtures::entry(after.id),
        )
        .await
        .expect("update succeeds");
    let stored = stored_task_by_id(&repos, before.id).await;
    let cleared = Task {
        category_id: None,
        assignee_id: None,
        due_date: None,
        parent_id: None,
        updated_at: at(700),
        version: after.version.next(),
        ..after.clone()
    };
    repos
        .tasks
        .update(
            &cleared,
            after.version,
            &TreeGuards::none(),
            &crate::contract::fixtures::entry(cleared.id),
        )
        .await
        .expect("update succeeds");
    let stored_cleared = stored_task_by_id(&repos, before.id).await;

    assert_eq!(stored, after, "every field is replaced, labels and version included");
    assert_eq!(stored_cleared, cleared, "optional fields can be cleared");
}

/// `update` with an `expected` version other than the stored one is
/// [`RepositoryError::VersionConflict`] and changes nothing.
pub async fn updating_with_a_stale_version_is_a_version_conflict(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let v1 = stored_task(&repos, task(&project, &alice, "Version one")).await;
    let v2 = Task { title: title("Version two"), version: version(2), ..v1.clone() };
    repos
        .tasks
        .update(&v2, version(1), &TreeGuards::none(), &crate::contract::fixtures::entry(v2.id))
        .await
        .expect("the first update succeeds");
    let lost = Task { title: title("Lost update"), labels: labels(&["lost"]), ..v2.clone() };

    let stale = repos
        .tasks
        .update(&lost, version(1), &TreeGuards::none(), &crate::contract::fixtures::entry(lost.id))
        .await;
    let ahead = repos
        .tasks
        .update(&lost, version(3), &TreeGuards::none(), &crate::contract::fixtures::entry(lost.id))
        .await;

    assert_err!(stale, RepositoryError::VersionConflict(Entity::Task), "update expecting v1 at v2");
    assert_err!(ahead, RepositoryError::VersionConflict(Entity::Task), "update expecting v3 at v2");
    assert_eq!(stored_task_by_id(&repos, v1.id).await, v2, "the stored task is unchanged");
}

/// `update` is [`RepositoryError::TreeChanged`] and changes nothing when a guarded task
/// is at another version or missing.
pub async fn updating_with_a_failing_version_guard_is_a_changed_tree(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let guarded = stored_task(&repos, task(&project, &alice, "Guarded")).await;
    let moved_on = Task { title: title("Changed"), version: version(2), ..guarded.clone() };
    repos
        .tasks
        .update(
            &moved_on,
            version(1),
            &TreeGuards::none(),
            &crate::contract::fixtures::entry(moved_on.id),
        )
        .await
        .expect("update succeeds");
    let target = stored_task(&repos, task(&project, &alice, "Target")).await;
    let changed = Task {
        title: title("Target changed"),
        parent_id: Some(guarded.id),
        version: version(2),
        ..target.clone()
    };
    let cases = [
        (
            "a guarded task at another version",
            VersionGuard { task_id: guarded.id, version: version(1) },
        ),
        (
            "a guarded task that is missing",
            VersionGuard { task_id: TaskId::new(), version: version(1) },
        ),
    ];

    for (case, failing) in cases {
        let holding = VersionGuard { task_id: target.id, version: version(1) };
        let guards = TreeGuards { versions: vec![holding, failing], subtree_height: None };
        let result = repos
            .tasks
            .update(&changed, version(1), &guards, &crate::contract::fixtures::entry(changed.id))
            .await;
        assert_err!(result, RepositoryError::TreeChanged, "update with {case}");
        assert_eq!(stored_task_by_id(&repos, target.id).await, target, "{case}: unchanged");
    }
}

/// `update` succeeds when the expected version matches and every guard holds.
pub async fn updating_with_holding_version_guards_succeeds(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let grandparent = stored_task(&repos, task(&project, &alice, "Grandparent")).await;
    let parent = stored_task(&repos, subtask(&grandparent, "Parent")).await;
    let child = stored_task(&repos, task(&project, &alice, "Child")).await;
    let reparented = Task { parent_id: Some(parent.id), version: version(2), ..child.clone() };
    let guards = TreeGuards {
        versions: vec![
            VersionGuard { task_id: parent.id, version: parent.version },
            VersionGuard { task_id: grandparent.id, version: grandparent.version },
        ],
        subtree_height: None,
    };

    repos
        .tasks
        .update(
            &reparented,
            child.version,
            &guards,
            &crate::contract::fixtures::entry(reparented.id),
        )
        .await
        .expect("guards hold");

    assert_eq!(stored_task_by_id(&repos, child.id).await, reparented, "the update is stored");
    assert_eq!(stored_task_by_id(&repos, parent.id).await, parent, "guarded tasks unchanged");
}

/// `update` of an id nobody has is [`RepositoryError::NotFound`] and stores nothing.
pub async fn updating_an_unknown_task_is_not_found(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let ghost = Task { version: version(2), ..task(&project, &alice, "Ghost") };

    let result = repos
        .tasks
        .update(
            &ghost,
            version(1),
            &TreeGuards::none(),
            &crate::contract::fixtures::entry(ghost.id),
        )
        .await;

    assert_err!(result, RepositoryError::NotFound(Entity::Task), "update of an unknown task");
    assert_eq!(repos.tasks.get(ghost.id).await.expect("get"), None, "update did not insert");
}

/// `update` to a parent, category or assignee that does not exist is
/// [`RepositoryError::MissingReference`] naming the missing entity, and changes nothing.
pub async fn updating_a_task_with_a_missing_reference_is_refused(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let stored = stored_task(&repos, task(&project, &alice, "Stored")).await;
    let next = Task { title: title("Changed"), version: version(2), ..stored.clone() };
    let cases = [
        (
            "an unknown parent",
            Entity::Task,
            Task { parent_id: Some(TaskId::new()), ..next.clone() },
        ),
        (
            "an unknown category",
            Entity::Category,
            Task { category_id: Some(CategoryId::new()), ..next.clone() },
        ),
        ("an unknown assignee", Entity::User, Task { assignee_id: Some(UserId::new()), ..next }),
    ];

    for (case, missing, refused) in cases {
        let result = repos
            .tasks
            .update(
                &refused,
                version(1),
                &TreeGuards::none(),
                &crate::contract::fixtures::entry(refused.id),
            )
            .await;
        match result {
            Err(RepositoryError::MissingReference(entity)) if entity == missing => {}
            other => panic!(
                "update to {case}: expected Err(MissingReference({missing:?})), got {other:?}"
            ),
        }
        assert_eq!(stored_task_by_id(&repos, stored.id).await, stored, "{case}: unchanged");
    }
}
