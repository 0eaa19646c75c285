//! What the store keeps true itself, whatever the order of concurrent writes: the guards of a
//! write, a parent in the task's own project, an assignee who is a member of it, and subtrees
//! that never leave their project.

use crate::contract::fixtures::{
    at, owner_and_project, project, stored_member, stored_project, stored_task, stored_task_by_id,
    stored_user, subtask, task, title, user, version,
};
use taskforge_domain::id::TaskId;
use taskforge_domain::model::{Task, User};
use taskforge_domain::ports::{Entity, Repositories, RepositoryError, TreeGuards, VersionGuard};

/// Guards naming each task's version as given.
fn guarding(tasks: &[&Task]) -> TreeGuards {
    let versions = tasks.iter().map(|t| VersionGuard { task_id: t.id, version: t.version });
    TreeGuards { versions: versions.collect(), subtree_height: None }
}

/// `insert` is [`RepositoryError::TreeChanged`] and stores nothing when a guarded task is
/// at another version or missing; with every guard holding, it stores the task.
pub async fn inserting_with_a_failing_version_guard_is_a_changed_tree(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let root = stored_task(&repos, task(&project, &alice, "Root")).await;
    let parent = stored_task(&repos, subtask(&root, "Parent")).await;
    let seen_root = root.clone();
    let changed_root = Task { title: title("Root renamed"), version: version(2), ..root.clone() };
    repos
        .tasks
        .update(
            &changed_root,
            root.version,
            &TreeGuards::none(),
            &crate::contract::fixtures::entry(changed_root.id),
        )
        .await
        .expect("update");
    let missing = Task { id: TaskId::new(), ..parent.clone() };
    let cases = [
        ("an ancestor at another version", guarding(&[&parent, &seen_root])),
        ("a guarded task that is missing", guarding(&[&parent, &missing])),
    ];

    for (case, guards) in cases {
        let child = subtask(&parent, "Child");
        let result =
            repos.tasks.insert(&child, &guards, &crate::contract::fixtures::created(&child)).await;
        assert_err!(result, RepositoryError::TreeChanged, "insert with {case}");
        let found = repos.tasks.get(child.id).await.expect("get succeeds");
        assert_eq!(found, None, "insert with {case} stored nothing");
    }
    let child = subtask(&parent, "Child");
    repos
        .tasks
        .insert(
            &child,
            &guarding(&[&parent, &changed_root]),
            &crate::contract::fixtures::created(&child),
        )
        .await
        .expect("guards hold");
    assert_eq!(stored_task_by_id(&repos, child.id).await, child, "stored once the guards hold");
}

/// `insert` and `update` refuse a parent in another project as
/// [`RepositoryError::MissingReference`]`(Entity::Task)`, and change nothing.
pub async fn a_parent_in_another_project_is_a_missing_reference(repos: Repositories) {
    let (alice, here) = owner_and_project(&repos, "alice", "Here").await;
    let there = stored_project(&repos, project(&alice, "There")).await;
    let far_parent = stored_task(&repos, task(&there, &alice, "Far parent")).await;
    let stored = stored_task(&repos, task(&here, &alice, "Stored")).await;

    let inserted = Task { parent_id: Some(far_parent.id), ..task(&here, &alice, "New") };
    let insert = repos
        .tasks
        .insert(&inserted, &TreeGuards::none(), &crate::contract::fixtures::created(&inserted))
        .await;
    let updated = Task { parent_id: Some(far_parent.id), version: version(2), ..stored.clone() };
    let update = repos
        .tasks
        .update(
            &updated,
            stored.version,
            &guarding(&[&far_parent]),
            &crate::contract::fixtures::entry(updated.id),
        )
        .await;

    assert_err!(insert, RepositoryError::MissingReference(Entity::Task), "insert under it");
    assert_err!(update, RepositoryError::MissingReference(Entity::Task), "update under it");
    assert_eq!(repos.tasks.get(inserted.id).await.expect("get"), None, "nothing inserted");
    assert_eq!(stored_task_by_id(&repos, stored.id).await, stored, "the task is unchanged");
    let children = repos.tasks.descendants(far_parent.id).await.expect("descendants succeeds");
    assert!(children.is_empty(), "the far parent gained no subtask: {children:?}");
}

/// `insert` and `update` refuse an assignee who exists but is not a member of the task's
/// project as [`RepositoryError::MissingReference`]`(Entity::Member)`, and change nothing.
pub async fn an_assignee_who_is_not_a_member_is_a_missing_reference(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let stranger: User = stored_user(&repos, user("stranger")).await;
    let stored = stored_task(&repos, task(&project, &alice, "Stored")).await;

    let inserted = Task { assignee_id: Some(stranger.id), ..task(&project, &alice, "New") };
    let insert = repos
        .tasks
        .insert(&inserted, &TreeGuards::none(), &crate::contract::fixtures::created(&inserted))
        .await;
    let updated = Task { assignee_id: Some(stranger.id), version: version(2), ..stored.clone() };
    let update = repos
        .tasks
        .update(
            &updated,
            stored.version,
            &TreeGuards::none(),
            &crate::contract::fixtures::entry(updated.id),
        )
        .await;

    assert_err!(insert, RepositoryError::MissingReference(Entity::Member), "insert for them");
    assert_err!(update, RepositoryError::MissingReference(Entity::Member), "update to them");
    assert_eq!(repos.tasks.get(inserted.id).await.expect("get"), None, "nothing inserted");
    assert_eq!(stored_task_by_id(&repos, stored.id).await, stored, "the task is unchanged");
}

/// `update` keeps the stored `project_id` (a task changes project only with its subtree,
/// through `move_tree`) and replaces the rest.
pub async fn updating_a_task_keeps_its_project(repos: Repositories) {
    let (alice, here) = owner_and_project(&repos, "alice", "Here").await;
    let there = stored_project(&repos, project(&alice, "There")).await;
    let parent = stored_task(&repos, task(&here, &alice, "Parent")).await;
    let child = stored_task(&repos, subtask(&parent, "Child")).await;

    let elsewhere = Task {
        project_id: there.id,
        title: title("Renamed"),
        version: version(2),
        ..parent.clone()
    };
    repos
        .tasks
        .update(
            &elsewhere,
            parent.version,
            &TreeGuards::none(),
            &crate::contract::fixtures::entry(elsewhere.id),
        )
        .await
        .expect("update");

    let stored = stored_task_by_id(&repos, parent.id).await;
    assert_eq!(stored, Task { project_id: here.id, ..elsewhere }, "renamed, still in its project");
    assert_eq!(stored_task_by_id(&repos, child.id).await, child, "its subtask is untouched");
}

/// `update` is [`RepositoryError::SubtreeGrew`] and changes nothing when the task's
/// subtree is taller than `guards.subtree_height`; at or below it, the update applies.
pub async fn updating_with_a_subtree_taller_than_guarded_is_a_grown_subtree(repos: Repositories) {
    let (alice, project) = owner_and_project(&repos, "alice", "Apollo").await;
    let new_parent = stored_task(&repos, task(&project, &alice, "New parent")).await;
    let top = stored_task(&repos, task(&project, &alice, "Top")).await;
    let middle = stored_task(&repos, subtask(&top, "Middle")).await;
    stored_task(&repos, subtask(&middle, "Bottom")).await;
    let moved = Task { parent_id: Some(new_parent.id), version: version(2), ..top.clone() };
    let guards = |height| TreeGuards { subtree_height: Some(height), ..guarding(&[&new_parent]) };

    for counted in [1, 2] {
        let result = repos
            .tasks
            .update(
                &moved,
                top.version,
                &guards(counted),
                &crate::contract::fixtures::entry(moved.id),
            )
            .await;
        assert_err!(
            result,
            RepositoryError::SubtreeGrew,
            "a subtree three tall guarded at {counted}"
        );
        assert_eq!(stored_task_by_id(&repos, top.id).await, top, "unchanged at {counted}");
    }
    repos
        .tasks
        .update(&moved, top.version, &guards(3), &crate::contract::fixtures::entry(moved.id))
        .await
        .expect("three tall, guarded at 3");
    assert_eq!(stored_task_by_id(&repos, top.id).await, moved, "re-parented");
}

/// `move_tree` is [`RepositoryError::MissingReference`]`(Entity::Member)` and moves nothing
/// when a task of the subtree is assigned to someone who is not a member of the target.
pub async fn moving_a_task_whose_subtask_has_an_outside_assignee_is_a_missing_reference(
    repos: Repositories,
) {
    let (alice, from) = owner_and_project(&repos, "alice", "From").await;
    let to = stored_project(&repos, project(&alice, "To")).await;
    let bob = stored_member(&repos, &from, "bob").await;
    let root = stored_task(&repos, task(&from, &alice, "Root")).await;
    let assigned = stored_task(
        &repos,
        Task { assignee_id: Some(bob.id), ..subtask(&root, "Assigned to Bob") },
    )
    .await;

    let result = repos
        .tasks
        .move_tree(
            root.id,
            to.id,
            root.version,
            at(7_200),
            &crate::contract::fixtures::entry(root.id),
        )
        .await;

    assert_err!(
        result,
        RepositoryError::MissingReference(Entity::Member),
        "move with an assignee who is not a member of the target"
    );
    assert_eq!(stored_task_by_id(&repos, root.id).await, root, "the root did not move");
    assert_eq!(stored_task_by_id(&repos, assigned.id).await, assigned, "nor its subtask");
}
