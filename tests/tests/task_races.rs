//! The task use cases when another request changes the world between their checks and their
//! write, made deterministic: the rival's write runs right before ours reaches the store
//! (`RivalWriter::before_next_write`). The end-to-end twins, with real concurrency, are in
//! `e2e/races.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use support::{Team, World, title};
use taskforge_domain::commands::{CreateTask, MoveTask, Patch, UpdateTask};
use taskforge_domain::model::MAX_DEPTH;
use taskforge_domain::ports::Clock;
use taskforge_domain::ports::{Repositories, TreeGuards};
use taskforge_domain::services::{TaskError, TaskRule};
use taskforge_domain::{Actor, Project, Task};

fn assert_rule<T: std::fmt::Debug>(result: Result<T, TaskError>, rule: TaskRule) {
    match result {
        Err(TaskError::Rule(actual)) => assert_eq!(actual, rule),
        other => panic!("expected {rule:?}, got {other:?}"),
    }
}

fn subtask_of(parent: &Task, text: &str) -> CreateTask {
    CreateTask { parent_id: Some(parent.id), ..CreateTask::new(parent.project_id, title(text)) }
}

fn reparent_under(parent: &Task) -> UpdateTask {
    UpdateTask { parent_id: Patch::Set(parent.id), ..UpdateTask::default() }
}

/// A second project of the team's owner, with the team's editor as a member.
async fn second_project(world: &World, team: &Team) -> Project {
    let other = world.project(&team.owner, "Other").await;
    world.join(&other, &team.editor).await;
    other
}

/// The depth of `task` in its tree (a root is 1), read from the store.
async fn depth(world: &World, task: &Task) -> usize {
    world.repos.tasks.ancestors(task.id).await.unwrap().len() + 1
}

/// The rival moves `task` (and its subtree) to `to`, as another request would.
fn rival_moves(repos: &Repositories, task: &Task, to: &Project) -> impl FnOnce() -> Fut + use<> {
    let (repos, task, to) = (repos.clone(), task.clone(), to.id);
    move || {
        Box::pin(async move {
            repos
                .tasks
                .move_tree(
                    task.id,
                    to,
                    task.version,
                    task.updated_at,
                    &taskforge_testkit::fixtures::entry(task.id),
                )
                .await
                .unwrap();
        })
    }
}

type Fut = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

// ===== create with a parent =====================================================================

#[tokio::test]
async fn a_subtask_whose_parent_moves_away_before_the_insert_is_refused() {
    // Arrange: the parent is moved to another project after the service checked it.
    let world = World::new();
    let team = world.team().await;
    let other = second_project(&world, &team).await;
    let parent = world.task(&team.project, &team.owner, "Parent").await;
    world.rival.before_next_write(rival_moves(&world.repos, &parent, &other));

    // Act
    let result = world.tasks.create(&team.editor, subtask_of(&parent, "Child")).await;

    // Assert: checked again on the parent as it now is; no subtask in another project.
    assert_rule(result, TaskRule::ParentInOtherProject);
    let moved = world.stored(parent.id).await.unwrap();
    assert_eq!(moved.project_id, other.id);
    assert!(world.repos.tasks.descendants(parent.id).await.unwrap().is_empty());
    assert_eq!(world.all_tasks().await.len(), 1, "no subtask was stored anywhere");
    assert!(world.event_names().is_empty());
}

#[tokio::test]
async fn a_subtask_whose_ancestor_is_re_parented_deeper_before_the_insert_is_refused() {
    // Arrange: a chain four deep (a subtask of its last task sits at depth 5) and another
    // root; the chain is hung under that root after the service checked the depth.
    let world = World::new();
    let team = world.team().await;
    let chain = world.chain(&team.project, &team.owner, MAX_DEPTH - 1).await;
    let other_root = world.task(&team.project, &team.owner, "Other root").await;
    let (repos, top) = (world.repos.clone(), chain[0].clone());
    let hung = Task { parent_id: Some(other_root.id), version: top.version.next(), ..top.clone() };
    world.rival.before_next_write(move || async move {
        repos
            .tasks
            .update(
                &hung,
                top.version,
                &TreeGuards::none(),
                &taskforge_testkit::fixtures::entry(hung.id),
            )
            .await
            .unwrap();
    });

    // Act
    let result = world.tasks.create(&team.editor, subtask_of(&chain[3], "Sixth level")).await;

    // Assert
    assert_rule(result, TaskRule::TooDeep);
    assert_eq!(depth(&world, &chain[3]).await, MAX_DEPTH, "the rival's re-parenting stands");
    assert!(world.repos.tasks.descendants(chain[3].id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_subtask_whose_parent_is_only_edited_before_the_insert_is_still_created() {
    // Arrange: the parent's version changes (a rename), its place in the tree does not.
    let world = World::new();
    let team = world.team().await;
    let parent = world.task(&team.project, &team.owner, "Parent").await;
    let (repos, seen) = (world.repos.clone(), parent.clone());
    let renamed = Task { title: title("Renamed"), version: seen.version.next(), ..seen.clone() };
    world.rival.before_next_write(move || async move {
        repos
            .tasks
            .update(
                &renamed,
                seen.version,
                &TreeGuards::none(),
                &taskforge_testkit::fixtures::entry(renamed.id),
            )
            .await
            .unwrap();
    });

    // Act
    let child = world.tasks.create(&team.editor, subtask_of(&parent, "Child")).await.unwrap();

    // Assert: the guard failed once, the use case checked again and created it.
    assert_eq!(world.stored(child.id).await, Some(child.clone()));
    assert_eq!(child.parent_id, Some(parent.id));
    assert_eq!(world.event_names(), ["task_created"]);
}

// ===== re-parent ================================================================================

#[tokio::test]
async fn a_re_parenting_whose_subtree_grows_before_the_write_is_refused() {
    // Arrange: a chain three tall goes under a task at depth 2 (its bottom lands at 5); a
    // subtask is added below its bottom after the service counted the height.
    let world = World::new();
    let team = world.team().await;
    let moving = world.chain(&team.project, &team.owner, 3).await;
    let target = world.chain(&team.project, &team.owner, 2).await;
    let (repos, bottom) = (world.repos.clone(), moving[2].clone());
    let grown = Task {
        id: taskforge_domain::TaskId::new(),
        parent_id: Some(bottom.id),
        title: title("Grown"),
        ..bottom.clone()
    };
    world.rival.before_next_write(move || async move {
        repos
            .tasks
            .insert(&grown, &TreeGuards::none(), &taskforge_testkit::fixtures::created(&grown))
            .await
            .unwrap();
    });

    // Act
    let result = world.tasks.update(&team.editor, moving[0].id, reparent_under(&target[1])).await;

    // Assert: the use case counted again and refused; the chain stays a root.
    assert_rule(result, TaskRule::TooDeep);
    assert_eq!(world.stored(moving[0].id).await.unwrap().parent_id, None);
    let tallest = world.repos.tasks.descendants(moving[0].id).await.unwrap();
    let mut deepest = 0;
    for task in &tallest {
        deepest = deepest.max(depth(&world, task).await);
    }
    assert_eq!(deepest, 4, "the grown subtree is four tall and still a root's");
}

#[tokio::test]
async fn a_re_parenting_with_the_current_version_whose_new_parent_is_only_edited_still_applies() {
    // Arrange: the client names the task's current version; the new parent is renamed after
    // the service checked the tree (its version changes, its place does not).
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Task").await;
    let parent = world.task(&team.project, &team.owner, "Parent").await;
    let (repos, seen) = (world.repos.clone(), parent.clone());
    let renamed = Task { title: title("Renamed"), version: seen.version.next(), ..seen.clone() };
    world.rival.before_next_write(move || async move {
        repos
            .tasks
            .update(
                &renamed,
                seen.version,
                &TreeGuards::none(),
                &taskforge_testkit::fixtures::entry(renamed.id),
            )
            .await
            .unwrap();
    });
    let cmd = UpdateTask { if_match: Some(task.version), ..reparent_under(&parent) };

    // Act
    let updated = world.tasks.update(&team.editor, task.id, cmd).await;

    // Assert: a changed tree is not a stale version: the use case checked again and wrote,
    // where it once answered "precondition failed" at the very version the client named.
    let updated = updated.unwrap();
    assert_eq!(updated.parent_id, Some(parent.id));
    assert_eq!(world.stored(task.id).await, Some(updated));
}

// ===== assignees ================================================================================

/// The rival removes `member` from `project`, as the project's owner would.
fn rival_removes(world: &World, project: &Project, member: &Actor) -> impl FnOnce() -> Fut + use<> {
    let (repos, project, member) = (world.repos.clone(), project.id, member.user_id);
    let at = world.clock.now();
    move || {
        Box::pin(async move {
            assert!(repos.projects.remove_member(project, member, member, at).await.unwrap());
        })
    }
}

#[tokio::test]
async fn a_member_removed_before_a_create_assigns_them_is_not_assigned() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    world.rival.before_next_write(rival_removes(&world, &team.project, &team.viewer));
    let cmd = CreateTask {
        assignee_id: Some(team.viewer.user_id),
        ..CreateTask::new(team.project.id, title("Assigned"))
    };

    // Act
    let result = world.tasks.create(&team.editor, cmd).await;

    // Assert
    assert_rule(result, TaskRule::AssigneeNotMember);
    assert!(world.all_tasks().await.is_empty());
    assert!(!world.is_member(&team.project, &team.viewer).await);
}

#[tokio::test]
async fn a_member_removed_before_an_update_assigns_them_is_not_assigned() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Unassigned").await;
    world.rival.before_next_write(rival_removes(&world, &team.project, &team.viewer));
    let patch =
        UpdateTask { assignee_id: Patch::Set(team.viewer.user_id), ..UpdateTask::default() };

    // Act
    let result = world.tasks.update(&team.editor, task.id, patch).await;

    // Assert
    assert_rule(result, TaskRule::AssigneeNotMember);
    assert_eq!(world.stored(task.id).await, Some(task));
}

#[tokio::test]
async fn a_member_removed_from_the_target_before_a_move_brings_their_task_is_not_assigned() {
    // Arrange: the viewer is assigned a subtask and is a member of both projects until the
    // rival removes them from the target, after the service checked the target's members.
    let world = World::new();
    let team = world.team().await;
    let target = second_project(&world, &team).await;
    world.join(&target, &team.viewer).await;
    let root = world.task(&team.project, &team.owner, "Root").await;
    let mut assigned = world.draft(team.project.id, &team.owner, "Assigned");
    assigned.parent_id = Some(root.id);
    assigned.assignee_id = Some(team.viewer.user_id);
    let assigned = world.insert(assigned).await;
    world.rival.before_next_write(rival_removes(&world, &target, &team.viewer));

    // Act
    let moving = MoveTask { project_id: target.id, if_match: None };
    let result = world.tasks.move_task(&team.editor, root.id, moving).await;

    // Assert: nothing moved, the assignment stands where the viewer is still a member.
    assert_rule(result, TaskRule::AssigneeNotMember);
    assert_eq!(world.stored(root.id).await, Some(root));
    assert_eq!(world.stored(assigned.id).await, Some(assigned));
}

#[tokio::test]
async fn a_rival_armed_once_runs_before_the_next_write_only() {
    // The harness itself: a rival armed once runs before the next write only.
    let world = World::new();
    let team = world.team().await;
    let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    world.rival.before_next_write(move || async move {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    for text in ["One", "Two"] {
        world
            .tasks
            .create(&team.editor, CreateTask::new(team.project.id, title(text)))
            .await
            .unwrap();
    }
    assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
}
