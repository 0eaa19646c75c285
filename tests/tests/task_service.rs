//! The task use cases (create, get, update, delete, move) through the in-memory store:
//! every happy path, every refusal, the access matrix of `crates/domain/src/policy.rs`, optimistic
//! concurrency and the events each change publishes. Listing lives in `task_listing.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{RIVAL_DESCRIPTION, Team, World, date, description, label, labels, title, version};
use taskforge_domain::commands::{CreateTask, MoveTask, Patch, UpdateTask};
use taskforge_domain::events::EventKind;
use taskforge_domain::model::MAX_DEPTH;
use taskforge_domain::services::{TaskError, TaskRule};
use taskforge_domain::values::{Labels, Priority, Status};
use taskforge_domain::{Actor, Project, ProjectId, Task, TaskId, UserId};

fn create(project: &Project, text: &str) -> CreateTask {
    CreateTask::new(project.id, title(text))
}

fn retitle(text: &str) -> UpdateTask {
    UpdateTask { title: Some(title(text)), ..UpdateTask::default() }
}

fn move_to(project: &Project) -> MoveTask {
    MoveTask { project_id: project.id, if_match: None }
}

fn assert_rule<T: std::fmt::Debug>(result: Result<T, TaskError>, rule: TaskRule) {
    match result {
        Err(TaskError::Rule(actual)) => assert_eq!(actual, rule),
        other => panic!("expected {rule:?}, got {other:?}"),
    }
}

/// A second project owned by the team's owner, where the team's editor and viewer are members
/// too (so they may act in both).
async fn second_project(world: &World, team: &Team) -> Project {
    let target = world.project(&team.owner, "Next").await;
    world.join(&target, &team.editor).await;
    world.join(&target, &team.viewer).await;
    target
}

// ===== create ===================================================================================

#[tokio::test]
async fn an_editor_member_creates_a_task_with_the_documented_defaults() {
    // Arrange
    let world = World::new();
    let team = world.team().await;

    // Act
    let task = world.tasks.create(&team.editor, create(&team.project, "Write the docs")).await;

    // Assert
    let task = task.unwrap();
    assert_eq!(task.project_id, team.project.id);
    assert_eq!(task.title.as_str(), "Write the docs");
    assert!(task.description.is_empty());
    assert_eq!(task.status, Status::Todo);
    assert_eq!(task.priority, Priority::Medium);
    assert_eq!(task.category_id, None);
    assert_eq!(task.assignee_id, None);
    assert!(task.labels.is_empty());
    assert_eq!(task.due_date, None);
    assert_eq!(task.parent_id, None);
    assert!(!task.is_public);
    assert_eq!(task.created_by, team.editor.user_id);
    assert_eq!(task.created_at, task.updated_at);
    assert_eq!(task.version, version(1));
    assert_eq!(world.stored(task.id).await, Some(task.clone()));
    assert_eq!(world.event_names(), ["task_created"]);
    let event = world.events.events().pop().unwrap();
    assert_eq!(event.actor, Some(team.editor.user_id));
    assert_eq!(event.kind, EventKind::TaskCreated(Box::new(task)));
}

#[tokio::test]
async fn a_task_can_be_created_with_every_field_set() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let bug = world.category("bug").await;
    let parent = world.task(&team.project, &team.owner, "Release").await;
    let cmd = CreateTask {
        description: Some(description("Steps:\n1. build\n2. ship")),
        status: Some(Status::InProgress),
        priority: Some(Priority::Urgent),
        category_id: Some(bug.id),
        assignee_id: Some(team.viewer.user_id),
        labels: Some(labels(&["Backend", "backend", "ops"])),
        due_date: Some(date("2026-03-01")),
        parent_id: Some(parent.id),
        is_public: Some(true),
        ..create(&team.project, "Fix the build")
    };

    // Act
    let task = world.tasks.create(&team.editor, cmd).await.unwrap();

    // Assert
    assert_eq!(task.description.as_str(), "Steps:\n1. build\n2. ship");
    assert_eq!(task.status, Status::InProgress);
    assert_eq!(task.priority, Priority::Urgent);
    assert_eq!(task.category_id, Some(bug.id));
    assert_eq!(task.assignee_id, Some(team.viewer.user_id));
    assert_eq!(task.labels, labels(&["backend", "ops"]));
    assert_eq!(task.due_date, Some(date("2026-03-01")));
    assert_eq!(task.parent_id, Some(parent.id));
    assert!(task.is_public);
    assert_eq!(world.stored(task.id).await, Some(task));
    assert_eq!(world.event_names(), ["task_created"]);
}

#[tokio::test]
async fn an_admin_can_create_a_task_in_a_project_they_do_not_belong_to() {
    // Arrange
    let world = World::new();
    let team = world.team().await;

    // Act
    let task = world.tasks.create(&team.admin, create(&team.project, "Audit")).await;

    // Assert
    let task = task.unwrap();
    assert_eq!(world.stored(task.id).await, Some(task));
    assert_eq!(world.event_names(), ["task_created"]);
}

#[tokio::test]
async fn a_viewer_cannot_create_a_task_in_their_project() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let before = world.snapshot().await;

    // Act
    let result = world.tasks.create(&team.viewer, create(&team.project, "Sneaky")).await;

    // Assert
    assert!(matches!(result, Err(TaskError::Forbidden)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_non_member_cannot_see_the_project_to_create_a_task_in() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let before = world.snapshot().await;

    for outsider in [team.outsider, team.outsider_viewer] {
        // Act
        let result = world.tasks.create(&outsider, create(&team.project, "Sneaky")).await;

        // Assert
        assert!(matches!(result, Err(TaskError::ProjectNotFound)), "{result:?}");
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn creating_a_task_in_a_project_that_does_not_exist_is_project_not_found() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let before = world.snapshot().await;

    // Act
    let cmd = CreateTask::new(ProjectId::new(), title("Lost"));
    let result = world.tasks.create(&admin, cmd).await;

    // Assert
    assert!(matches!(result, Err(TaskError::ProjectNotFound)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_parent_that_does_not_exist_is_refused_on_create() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let before = world.snapshot().await;

    // Act
    let cmd = CreateTask { parent_id: Some(TaskId::new()), ..create(&team.project, "Orphan") };
    let result = world.tasks.create(&team.editor, cmd).await;

    // Assert
    assert_rule(result, TaskRule::ParentNotFound);
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_parent_in_another_project_is_refused_on_create() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let other = second_project(&world, &team).await;
    let foreign_parent = world.task(&other, &team.owner, "Elsewhere").await;
    let before = world.snapshot().await;

    // Act
    let cmd = CreateTask { parent_id: Some(foreign_parent.id), ..create(&team.project, "Child") };
    let result = world.tasks.create(&team.editor, cmd).await;

    // Assert
    assert_rule(result, TaskRule::ParentInOtherProject);
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_parent_the_creator_cannot_see_is_reported_as_not_found_rather_than_elsewhere() {
    // Arrange: a private task in a project the editor does not belong to.
    let world = World::new();
    let team = world.team().await;
    let stranger = world.editor("stranger").await;
    let hidden_project = world.project(&stranger, "Hidden").await;
    let hidden = world.task(&hidden_project, &stranger, "Secret").await;
    let before = world.snapshot().await;

    // Act
    let cmd = CreateTask { parent_id: Some(hidden.id), ..create(&team.project, "Probe") };
    let result = world.tasks.create(&team.editor, cmd).await;

    // Assert: no hint that the id exists.
    assert_rule(result, TaskRule::ParentNotFound);
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_subtask_may_be_created_at_depth_five_but_not_at_depth_six() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let chain = world.chain(&team.project, &team.owner, MAX_DEPTH - 1).await;
    let deepest = chain.last().unwrap();

    // Act
    let cmd = CreateTask { parent_id: Some(deepest.id), ..create(&team.project, "level 5") };
    let level_five = world.tasks.create(&team.editor, cmd).await.unwrap();
    let before = world.snapshot().await;
    let cmd = CreateTask { parent_id: Some(level_five.id), ..create(&team.project, "level 6") };
    let level_six = world.tasks.create(&team.editor, cmd).await;

    // Assert
    assert_eq!(world.tasks.get(&team.editor, level_five.id).await.unwrap(), level_five);
    assert_rule(level_six, TaskRule::TooDeep);
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_unknown_category_is_refused_on_create() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let before = world.snapshot().await;

    // Act
    let cmd = CreateTask {
        category_id: Some(taskforge_domain::CategoryId::new()),
        ..create(&team.project, "Uncategorised")
    };
    let result = world.tasks.create(&team.editor, cmd).await;

    // Assert
    assert_rule(result, TaskRule::CategoryNotFound);
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_assignee_who_is_not_a_member_is_refused_on_create() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let before = world.snapshot().await;

    for assignee in [team.outsider.user_id, team.admin.user_id, UserId::new()] {
        // Act
        let cmd = CreateTask { assignee_id: Some(assignee), ..create(&team.project, "Delegate") };
        let result = world.tasks.create(&team.editor, cmd).await;

        // Assert
        assert_rule(result, TaskRule::AssigneeNotMember);
    }
    world.assert_unchanged_since(&before).await;
}

// ===== get ======================================================================================

#[tokio::test]
async fn every_member_can_read_a_private_task_of_their_project() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Private").await;

    for member in [team.owner, team.editor, team.viewer] {
        // Act
        let read = world.tasks.get(&member, task.id).await;

        // Assert
        assert_eq!(read.unwrap(), task);
    }
}

#[tokio::test]
async fn a_non_member_gets_not_found_for_a_private_task() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Private").await;

    for outsider in [team.outsider, team.outsider_viewer] {
        // Act
        let read = world.tasks.get(&outsider, task.id).await;

        // Assert
        assert!(matches!(read, Err(TaskError::NotFound)), "{read:?}");
    }
}

#[tokio::test]
async fn anyone_authenticated_can_read_a_public_task() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.public_task(&team.project, &team.owner, "Roadmap").await;

    for outsider in [team.outsider, team.outsider_viewer] {
        // Act
        let read = world.tasks.get(&outsider, task.id).await;

        // Assert
        assert_eq!(read.unwrap(), task);
    }
}

#[tokio::test]
async fn an_admin_can_read_any_task() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Private").await;

    // Act
    let read = world.tasks.get(&team.admin, task.id).await;

    // Assert
    assert_eq!(read.unwrap(), task);
}

#[tokio::test]
async fn a_task_that_does_not_exist_is_not_found() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;

    // Act
    let read = world.tasks.get(&admin, TaskId::new()).await;

    // Assert
    assert!(matches!(read, Err(TaskError::NotFound)), "{read:?}");
}

// ===== update: happy paths and merge-patch ======================================================

#[tokio::test]
async fn an_editor_member_updates_a_task_and_its_version_goes_up_by_one() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Draft").await;

    // Act
    let updated = world.tasks.update(&team.editor, task.id, retitle("Final")).await.unwrap();

    // Assert
    assert_eq!(updated.title.as_str(), "Final");
    assert_eq!(updated.version, version(2));
    assert!(updated.updated_at > task.updated_at);
    assert_eq!(updated.created_at, task.created_at);
    assert_eq!(updated.created_by, task.created_by);
    assert_eq!(world.stored(task.id).await, Some(updated.clone()));
    assert_eq!(world.event_names(), ["task_updated"]);
    let event = world.events.events().pop().unwrap();
    assert_eq!(event.actor, Some(team.editor.user_id));
    assert_eq!(
        event.kind,
        EventKind::TaskUpdated { before: Box::new(task), after: Box::new(updated) }
    );
}

#[tokio::test]
async fn each_real_change_bumps_the_version_by_exactly_one() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Draft").await;
    let changes = [
        retitle("Second"),
        UpdateTask { status: Some(Status::InProgress), ..UpdateTask::default() },
        UpdateTask { labels: Patch::Set(labels(&["ops"])), ..UpdateTask::default() },
        UpdateTask { is_public: Some(true), ..UpdateTask::default() },
    ];

    for (n, change) in (2..).zip(changes) {
        // Act
        let updated = world.tasks.update(&team.editor, task.id, change).await.unwrap();

        // Assert
        assert_eq!(updated.version, version(n));
        assert_eq!(world.stored(task.id).await.unwrap().version, version(n));
    }
    assert_eq!(world.event_names(), ["task_updated"; 4]);
}

#[tokio::test]
async fn a_patch_that_changes_nothing_keeps_the_version_and_publishes_nothing() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let bug = world.category("bug").await;
    let mut draft = world.draft(team.project.id, &team.owner, "Steady");
    draft.category_id = Some(bug.id);
    draft.labels = labels(&["ops"]);
    draft.priority = Priority::High;
    let task = world.insert(draft).await;
    let before = world.snapshot().await;
    let same_values = UpdateTask {
        title: Some(title("Steady")),
        priority: Some(Priority::High),
        category_id: Patch::Set(bug.id),
        labels: Patch::Set(labels(&["OPS"])),
        due_date: Patch::Clear,
        parent_id: Patch::Clear,
        is_public: Some(false),
        if_match: Some(version(1)),
        ..UpdateTask::default()
    };

    for patch in [UpdateTask::default(), same_values] {
        // Act
        let result = world.tasks.update(&team.editor, task.id, patch).await;

        // Assert
        assert_eq!(result.unwrap(), task);
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn absent_fields_are_left_unchanged_by_a_patch() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let bug = world.category("bug").await;
    let parent = world.task(&team.project, &team.owner, "Parent").await;
    let mut draft = world.draft(team.project.id, &team.owner, "Full");
    draft.description = description("all the details");
    draft.status = Status::InProgress;
    draft.priority = Priority::Urgent;
    draft.category_id = Some(bug.id);
    draft.assignee_id = Some(team.viewer.user_id);
    draft.labels = labels(&["a", "b"]);
    draft.due_date = Some(date("2026-05-01"));
    draft.parent_id = Some(parent.id);
    draft.is_public = true;
    let task = world.insert(draft).await;

    // Act
    let updated = world.tasks.update(&team.editor, task.id, retitle("Renamed")).await.unwrap();

    // Assert: only the title (and the bookkeeping) changed.
    let expected = Task {
        title: title("Renamed"),
        version: version(2),
        updated_at: updated.updated_at,
        ..task
    };
    assert_eq!(updated, expected);
}

#[tokio::test]
async fn clear_removes_every_nullable_field() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let bug = world.category("bug").await;
    let parent = world.task(&team.project, &team.owner, "Parent").await;
    let mut draft = world.draft(team.project.id, &team.owner, "Full");
    draft.description = description("all the details");
    draft.category_id = Some(bug.id);
    draft.assignee_id = Some(team.viewer.user_id);
    draft.labels = labels(&["a", "b"]);
    draft.due_date = Some(date("2026-05-01"));
    draft.parent_id = Some(parent.id);
    let task = world.insert(draft).await;
    let patch = UpdateTask {
        description: Patch::Clear,
        category_id: Patch::Clear,
        assignee_id: Patch::Clear,
        labels: Patch::Clear,
        due_date: Patch::Clear,
        parent_id: Patch::Clear,
        ..UpdateTask::default()
    };

    // Act
    let updated = world.tasks.update(&team.editor, task.id, patch).await.unwrap();

    // Assert
    assert!(updated.description.is_empty());
    assert_eq!(updated.category_id, None);
    assert_eq!(updated.assignee_id, None);
    assert_eq!(updated.labels, Labels::none());
    assert_eq!(updated.due_date, None);
    assert_eq!(updated.parent_id, None, "clearing the parent makes it a root task");
    assert_eq!(updated.title, task.title);
    assert_eq!(updated.version, version(2));
    assert_eq!(world.stored(task.id).await, Some(updated));
    assert_eq!(world.event_names(), ["task_updated"]);
}

#[tokio::test]
async fn set_replaces_every_field() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let bug = world.category("bug").await;
    let chore = world.category("chore").await;
    let old_parent = world.task(&team.project, &team.owner, "Old parent").await;
    let new_parent = world.task(&team.project, &team.owner, "New parent").await;
    let mut draft = world.draft(team.project.id, &team.owner, "Before");
    draft.category_id = Some(bug.id);
    draft.assignee_id = Some(team.viewer.user_id);
    draft.labels = labels(&["old"]);
    draft.due_date = Some(date("2026-05-01"));
    draft.parent_id = Some(old_parent.id);
    let task = world.insert(draft).await;
    let patch = UpdateTask {
        title: Some(title("After")),
        description: Patch::Set(description("new text")),
        status: Some(Status::Done),
        priority: Some(Priority::Low),
        category_id: Patch::Set(chore.id),
        assignee_id: Patch::Set(team.editor.user_id),
        labels: Patch::Set(labels(&["new", "shiny"])),
        due_date: Patch::Set(date("2026-06-30")),
        parent_id: Patch::Set(new_parent.id),
        is_public: Some(true),
        if_match: Some(version(1)),
    };

    // Act
    let updated = world.tasks.update(&team.editor, task.id, patch).await.unwrap();

    // Assert
    assert_eq!(updated.title.as_str(), "After");
    assert_eq!(updated.description.as_str(), "new text");
    assert_eq!(updated.status, Status::Done);
    assert_eq!(updated.priority, Priority::Low);
    assert_eq!(updated.category_id, Some(chore.id));
    assert_eq!(updated.assignee_id, Some(team.editor.user_id));
    assert_eq!(updated.labels, labels(&["new", "shiny"]));
    assert_eq!(updated.due_date, Some(date("2026-06-30")));
    assert_eq!(updated.parent_id, Some(new_parent.id));
    assert!(updated.is_public);
    assert_eq!(updated.version, version(2), "one request is one change");
    assert_eq!(world.stored(task.id).await, Some(updated));
}

// ===== update: If-Match and races ===============================================================

#[tokio::test]
async fn an_update_with_the_current_version_in_if_match_is_applied() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Draft").await;

    // Act
    let patch = UpdateTask { if_match: Some(version(1)), ..retitle("Checked") };
    let updated = world.tasks.update(&team.editor, task.id, patch).await;

    // Assert
    assert_eq!(updated.unwrap().version, version(2));
}

#[tokio::test]
async fn a_stale_if_match_is_refused_with_the_current_version() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Draft").await;
    world.tasks.update(&team.owner, task.id, retitle("Moved on")).await.unwrap();
    let before = world.snapshot().await;

    // Act
    let patch = UpdateTask { if_match: Some(version(1)), ..retitle("Stale") };
    let result = world.tasks.update(&team.editor, task.id, patch).await;

    // Assert
    assert!(
        matches!(result, Err(TaskError::PreconditionFailed { current }) if current == version(2)),
        "{result:?}"
    );
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_update_that_loses_a_race_under_if_match_is_a_precondition_failure() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Draft").await;
    world.rival.strike_before_next_writes(1);

    // Act
    let patch = UpdateTask { if_match: Some(version(1)), ..retitle("Mine") };
    let result = world.tasks.update(&team.editor, task.id, patch).await;

    // Assert: the rival's write stands, ours was not applied.
    assert!(
        matches!(result, Err(TaskError::PreconditionFailed { current }) if current == version(2)),
        "{result:?}"
    );
    let stored = world.stored(task.id).await.unwrap();
    assert_eq!(stored.title.as_str(), "Draft");
    assert_eq!(stored.description.as_str(), RIVAL_DESCRIPTION);
    assert!(world.event_names().is_empty());
}

#[tokio::test]
async fn an_update_that_loses_a_race_without_if_match_is_re_applied_on_the_new_version() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Draft").await;
    world.rival.strike_before_next_writes(1);

    // Act
    let updated = world.tasks.update(&team.editor, task.id, retitle("Mine")).await.unwrap();

    // Assert: both changes survive, each counted once.
    assert_eq!(updated.title.as_str(), "Mine");
    assert_eq!(updated.description.as_str(), RIVAL_DESCRIPTION);
    assert_eq!(updated.version, version(3));
    assert_eq!(world.stored(task.id).await, Some(updated));
    assert_eq!(world.event_names(), ["task_updated"]);
}

#[tokio::test]
async fn an_update_that_keeps_losing_races_reports_a_conflict() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Draft").await;
    world.rival.strike_before_next_writes(usize::MAX);

    // Act
    let result = world.tasks.update(&team.editor, task.id, retitle("Mine")).await;

    // Assert
    world.rival.strike_before_next_writes(0);
    assert!(matches!(result, Err(TaskError::Conflict)), "{result:?}");
    assert_eq!(world.stored(task.id).await.unwrap().title.as_str(), "Draft");
    assert!(world.event_names().is_empty());
}

// ===== update: access ===========================================================================

#[tokio::test]
async fn a_viewer_cannot_update_a_task_of_their_project() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Draft").await;
    let before = world.snapshot().await;

    // Act
    let result = world.tasks.update(&team.viewer, task.id, retitle("Vandalised")).await;

    // Assert
    assert!(matches!(result, Err(TaskError::Forbidden)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_non_member_gets_not_found_when_updating_a_private_task() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Private").await;
    let before = world.snapshot().await;

    for outsider in [team.outsider, team.outsider_viewer] {
        // Act
        let result = world.tasks.update(&outsider, task.id, retitle("Probe")).await;

        // Assert
        assert!(matches!(result, Err(TaskError::NotFound)), "{result:?}");
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_editor_who_is_not_a_member_can_read_a_public_task_but_not_update_it() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.public_task(&team.project, &team.owner, "Roadmap").await;
    let before = world.snapshot().await;

    // Act
    let read = world.tasks.get(&team.outsider, task.id).await;
    let update = world.tasks.update(&team.outsider, task.id, retitle("Mine now")).await;

    // Assert
    assert_eq!(read.unwrap(), task);
    assert!(matches!(update, Err(TaskError::Forbidden)), "{update:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_admin_can_update_a_task_of_a_project_they_do_not_belong_to() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Private").await;

    // Act
    let updated = world.tasks.update(&team.admin, task.id, retitle("Reviewed")).await;

    // Assert
    assert_eq!(updated.unwrap().title.as_str(), "Reviewed");
    assert_eq!(world.event_names(), ["task_updated"]);
}

#[tokio::test]
async fn updating_a_task_that_does_not_exist_is_not_found() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;

    // Act
    let result = world.tasks.update(&admin, TaskId::new(), retitle("Ghost")).await;

    // Assert
    assert!(matches!(result, Err(TaskError::NotFound)), "{result:?}");
    assert!(world.event_names().is_empty());
}

// ===== update: relation rules ===================================================================

async fn refused_update(
    world: &World,
    actor: &Actor,
    id: TaskId,
    patch: UpdateTask,
    rule: TaskRule,
) {
    let before = world.snapshot().await;
    let result = world.tasks.update(actor, id, patch).await;
    assert_rule(result, rule);
    world.assert_unchanged_since(&before).await;
}

fn reparent(parent: TaskId) -> UpdateTask {
    UpdateTask { parent_id: Patch::Set(parent), ..UpdateTask::default() }
}

#[tokio::test]
async fn a_task_cannot_become_its_own_parent() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Narcissus").await;

    // Act and assert
    refused_update(&world, &team.editor, task.id, reparent(task.id), TaskRule::Cycle).await;
}

#[tokio::test]
async fn a_task_cannot_become_a_subtask_of_its_own_descendant() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let root = world.task(&team.project, &team.owner, "Root").await;
    let child = world.subtask(&root, "Child").await;
    let grandchild = world.subtask(&child, "Grandchild").await;

    // Act and assert
    refused_update(&world, &team.editor, root.id, reparent(child.id), TaskRule::Cycle).await;
    refused_update(&world, &team.editor, root.id, reparent(grandchild.id), TaskRule::Cycle).await;
}

#[tokio::test]
async fn re_parenting_a_subtree_may_reach_depth_five_but_not_six() {
    // Arrange: a chain of four, and a separate two-level tree to hang below it.
    let world = World::new();
    let team = world.team().await;
    let chain = world.chain(&team.project, &team.owner, MAX_DEPTH - 1).await;
    let branch = world.task(&team.project, &team.owner, "Branch").await;
    let leaf = world.subtask(&branch, "Leaf").await;

    // Act and assert: below level 4 the leaf would sit at depth 6.
    refused_update(&world, &team.editor, branch.id, reparent(chain[3].id), TaskRule::TooDeep).await;
    // Below level 3 it sits at depth 5, which is allowed.
    let moved = world.tasks.update(&team.editor, branch.id, reparent(chain[2].id)).await.unwrap();
    assert_eq!(moved.parent_id, Some(chain[2].id));
    assert_eq!(world.stored(leaf.id).await.unwrap().parent_id, Some(branch.id));
    assert_eq!(world.event_names(), ["task_updated"]);
}

#[tokio::test]
async fn a_parent_that_does_not_exist_is_refused_on_update() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Task").await;

    // Act and assert
    let patch = reparent(TaskId::new());
    refused_update(&world, &team.editor, task.id, patch, TaskRule::ParentNotFound).await;
}

#[tokio::test]
async fn a_parent_in_another_project_is_refused_on_update() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let other = second_project(&world, &team).await;
    let foreign = world.task(&other, &team.owner, "Elsewhere").await;
    let task = world.task(&team.project, &team.owner, "Task").await;

    // Act and assert
    let patch = reparent(foreign.id);
    refused_update(&world, &team.editor, task.id, patch, TaskRule::ParentInOtherProject).await;
}

#[tokio::test]
async fn a_parent_the_editor_cannot_see_is_reported_as_not_found_on_update() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let stranger = world.editor("stranger").await;
    let hidden_project = world.project(&stranger, "Hidden").await;
    let hidden = world.task(&hidden_project, &stranger, "Secret").await;
    let task = world.task(&team.project, &team.owner, "Task").await;

    // Act and assert
    let patch = reparent(hidden.id);
    refused_update(&world, &team.editor, task.id, patch, TaskRule::ParentNotFound).await;
}

#[tokio::test]
async fn an_unknown_category_is_refused_on_update() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Task").await;

    // Act and assert
    let patch = UpdateTask {
        category_id: Patch::Set(taskforge_domain::CategoryId::new()),
        ..UpdateTask::default()
    };
    refused_update(&world, &team.editor, task.id, patch, TaskRule::CategoryNotFound).await;
}

#[tokio::test]
async fn an_assignee_who_is_not_a_member_is_refused_on_update() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Task").await;

    for assignee in [team.outsider.user_id, UserId::new()] {
        // Act and assert
        let patch = UpdateTask { assignee_id: Patch::Set(assignee), ..UpdateTask::default() };
        refused_update(&world, &team.editor, task.id, patch, TaskRule::AssigneeNotMember).await;
    }
}

// ===== delete ===================================================================================

#[tokio::test]
async fn an_editor_member_deletes_a_task_with_all_its_subtasks() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let root = world.task(&team.project, &team.owner, "Root").await;
    let child = world.subtask(&root, "Child").await;
    let grandchild = world.subtask(&child, "Grandchild").await;
    let bystander = world.task(&team.project, &team.owner, "Bystander").await;

    // Act
    world.tasks.delete(&team.editor, root.id, None).await.unwrap();

    // Assert
    for gone in [root.id, child.id, grandchild.id] {
        assert_eq!(world.stored(gone).await, None);
    }
    assert_eq!(world.stored(bystander.id).await, Some(bystander));
    assert_eq!(world.event_names(), ["task_trashed"]);
    match world.events.events().pop().unwrap().kind {
        EventKind::TaskTrashed { task_id, project_id, trashed: deleted } => {
            assert_eq!(task_id, root.id);
            assert_eq!(project_id, team.project.id);
            assert_eq!(deleted, [root.id, child.id, grandchild.id]);
        }
        other => panic!("expected task_trashed, got {other:?}"),
    }
}

#[tokio::test]
async fn deleting_a_subtask_leaves_its_parent_in_place() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let root = world.task(&team.project, &team.owner, "Root").await;
    let child = world.subtask(&root, "Child").await;

    // Act
    world.tasks.delete(&team.editor, child.id, None).await.unwrap();

    // Assert
    assert_eq!(world.stored(child.id).await, None);
    assert_eq!(world.stored(root.id).await, Some(root));
}

#[tokio::test]
async fn a_delete_with_the_current_version_in_if_match_is_applied() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Done with").await;

    // Act
    let result = world.tasks.delete(&team.editor, task.id, Some(version(1))).await;

    // Assert
    result.unwrap();
    assert_eq!(world.stored(task.id).await, None);
}

#[tokio::test]
async fn a_stale_if_match_prevents_a_delete() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Keep").await;
    let before = world.snapshot().await;

    // Act
    let result = world.tasks.delete(&team.editor, task.id, Some(version(7))).await;

    // Assert
    assert!(
        matches!(result, Err(TaskError::PreconditionFailed { current }) if current == version(1)),
        "{result:?}"
    );
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_viewer_cannot_delete_a_task_of_their_project() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Keep").await;
    let before = world.snapshot().await;

    // Act
    let result = world.tasks.delete(&team.viewer, task.id, None).await;

    // Assert
    assert!(matches!(result, Err(TaskError::Forbidden)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_non_member_gets_not_found_when_deleting_a_private_task() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Keep").await;
    let before = world.snapshot().await;

    for outsider in [team.outsider, team.outsider_viewer] {
        // Act
        let result = world.tasks.delete(&outsider, task.id, None).await;

        // Assert
        assert!(matches!(result, Err(TaskError::NotFound)), "{result:?}");
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_editor_who_is_not_a_member_cannot_delete_a_public_task() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.public_task(&team.project, &team.owner, "Roadmap").await;
    let before = world.snapshot().await;

    // Act
    let result = world.tasks.delete(&team.outsider, task.id, None).await;

    // Assert
    assert!(matches!(result, Err(TaskError::Forbidden)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_admin_can_delete_a_task_of_a_project_they_do_not_belong_to() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Obsolete").await;

    // Act
    world.tasks.delete(&team.admin, task.id, None).await.unwrap();

    // Assert
    assert_eq!(world.stored(task.id).await, None);
    assert_eq!(world.event_names(), ["task_trashed"]);
}

#[tokio::test]
async fn deleting_a_task_that_does_not_exist_is_not_found() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;

    // Act
    let result = world.tasks.delete(&admin, TaskId::new(), None).await;

    // Assert
    assert!(matches!(result, Err(TaskError::NotFound)), "{result:?}");
    assert!(world.event_names().is_empty());
}

// ===== move =====================================================================================

#[tokio::test]
async fn a_task_moves_with_all_its_subtasks_and_leaves_its_parent_behind() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let target = second_project(&world, &team).await;
    let parent = world.task(&team.project, &team.owner, "Stays").await;
    let mut draft = world.draft(team.project.id, &team.owner, "Moves");
    draft.parent_id = Some(parent.id);
    draft.assignee_id = Some(team.viewer.user_id);
    let task = world.insert(draft).await;
    let child = world.subtask(&task, "Child").await;
    let grandchild = world.subtask(&child, "Grandchild").await;

    // Act
    let moved = world.tasks.move_task(&team.editor, task.id, move_to(&target)).await.unwrap();

    // Assert: the root is a root in the target, the tree below it is intact.
    assert_eq!(moved.id, task.id);
    assert_eq!(moved.project_id, target.id);
    assert_eq!(moved.parent_id, None);
    assert_eq!(moved.assignee_id, Some(team.viewer.user_id));
    assert_eq!(moved.version, version(2));
    assert_eq!(world.stored(task.id).await, Some(moved.clone()));
    for (before, parent_id) in [(&child, task.id), (&grandchild, child.id)] {
        let after = world.stored(before.id).await.unwrap();
        assert_eq!(after.project_id, target.id);
        assert_eq!(after.parent_id, Some(parent_id));
        assert_eq!(after.version, before.version.next());
        assert_eq!(after.updated_at, moved.updated_at);
    }
    assert_eq!(world.stored(parent.id).await, Some(parent), "the old parent stays put");
    assert_eq!(world.event_names(), ["task_moved"]);
    match world.events.events().pop().unwrap().kind {
        EventKind::TaskMoved { task_id, from, to, moved } => {
            assert_eq!(task_id, task.id);
            assert_eq!(from, team.project.id);
            assert_eq!(to, target.id);
            assert_eq!(moved, [task.id, child.id, grandchild.id]);
        }
        other => panic!("expected task_moved, got {other:?}"),
    }
}

#[tokio::test]
async fn moving_a_task_to_the_project_it_is_in_changes_nothing() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Stay").await;
    let before = world.snapshot().await;

    // Act
    let result = world.tasks.move_task(&team.editor, task.id, move_to(&team.project)).await;

    // Assert
    assert_eq!(result.unwrap(), task);
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_move_with_the_current_version_in_if_match_is_applied() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let target = second_project(&world, &team).await;
    let task = world.task(&team.project, &team.owner, "Go").await;

    // Act
    let cmd = MoveTask { project_id: target.id, if_match: Some(version(1)) };
    let moved = world.tasks.move_task(&team.editor, task.id, cmd).await;

    // Assert
    assert_eq!(moved.unwrap().project_id, target.id);
}

#[tokio::test]
async fn a_stale_if_match_prevents_a_move() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let target = second_project(&world, &team).await;
    let task = world.task(&team.project, &team.owner, "Stay").await;
    let before = world.snapshot().await;

    // Act
    let cmd = MoveTask { project_id: target.id, if_match: Some(version(3)) };
    let result = world.tasks.move_task(&team.editor, task.id, cmd).await;

    // Assert
    assert!(
        matches!(result, Err(TaskError::PreconditionFailed { current }) if current == version(1)),
        "{result:?}"
    );
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_move_that_loses_a_race_is_refused_and_moves_nothing() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let target = second_project(&world, &team).await;
    let task = world.task(&team.project, &team.owner, "Contested").await;
    let child = world.subtask(&task, "Child").await;

    for if_match in [None, Some(version(2))] {
        // Act
        world.rival.strike_before_next_writes(1);
        let cmd = MoveTask { project_id: target.id, if_match };
        let result = world.tasks.move_task(&team.editor, task.id, cmd).await;

        // Assert: 409 without If-Match, 412 with it; the tree stays where it was.
        match if_match {
            None => assert!(matches!(result, Err(TaskError::Conflict)), "{result:?}"),
            Some(_) => assert!(
                matches!(result, Err(TaskError::PreconditionFailed { current }) if current == version(3)),
                "{result:?}"
            ),
        }
        for id in [task.id, child.id] {
            assert_eq!(world.stored(id).await.unwrap().project_id, team.project.id);
        }
    }
    assert!(world.event_names().is_empty());
}

#[tokio::test]
async fn a_move_is_refused_when_a_moved_assignee_is_not_a_member_of_the_target() {
    // Arrange: the grandchild is assigned to someone who is not in the target project.
    let world = World::new();
    let team = world.team().await;
    let target = world.project(&team.owner, "Next").await;
    world.join(&target, &team.editor).await;
    let task = world.task(&team.project, &team.owner, "Root").await;
    let child = world.subtask(&task, "Child").await;
    let mut draft = world.draft(team.project.id, &team.owner, "Grandchild");
    draft.parent_id = Some(child.id);
    draft.assignee_id = Some(team.viewer.user_id);
    world.insert(draft).await;
    let before = world.snapshot().await;

    // Act
    let result = world.tasks.move_task(&team.editor, task.id, move_to(&target)).await;

    // Assert: nothing moved, in either project.
    assert_rule(result, TaskRule::AssigneeNotMember);
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_viewer_cannot_move_a_task_of_their_project() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let target = second_project(&world, &team).await;
    let task = world.task(&team.project, &team.owner, "Stay").await;
    let before = world.snapshot().await;

    // Act
    let result = world.tasks.move_task(&team.viewer, task.id, move_to(&target)).await;

    // Assert
    assert!(matches!(result, Err(TaskError::Forbidden)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_non_member_gets_not_found_when_moving_a_private_task() {
    // Arrange: the outsider may write to the target, but cannot see the task.
    let world = World::new();
    let team = world.team().await;
    let target = world.project(&team.outsider, "Theirs").await;
    let task = world.task(&team.project, &team.owner, "Private").await;
    let before = world.snapshot().await;

    // Act
    let result = world.tasks.move_task(&team.outsider, task.id, move_to(&target)).await;

    // Assert
    assert!(matches!(result, Err(TaskError::NotFound)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_editor_who_is_not_a_member_cannot_move_a_public_task() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let target = world.project(&team.outsider, "Theirs").await;
    let task = world.public_task(&team.project, &team.owner, "Roadmap").await;
    let before = world.snapshot().await;

    // Act
    let result = world.tasks.move_task(&team.outsider, task.id, move_to(&target)).await;

    // Assert
    assert!(matches!(result, Err(TaskError::Forbidden)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn moving_to_a_project_the_editor_cannot_see_is_project_not_found() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let invisible = world.project(&team.outsider, "Not yours").await;
    let task = world.task(&team.project, &team.owner, "Stay").await;
    let before = world.snapshot().await;

    for target in [invisible.id, ProjectId::new()] {
        // Act
        let cmd = MoveTask { project_id: target, if_match: None };
        let result = world.tasks.move_task(&team.editor, task.id, cmd).await;

        // Assert
        assert!(matches!(result, Err(TaskError::ProjectNotFound)), "{result:?}");
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_admin_can_move_a_task_between_projects_they_do_not_belong_to() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let target = world.project(&team.outsider, "Theirs").await;
    let task = world.task(&team.project, &team.owner, "Reassigned").await;

    // Act
    let moved = world.tasks.move_task(&team.admin, task.id, move_to(&target)).await;

    // Assert
    assert_eq!(moved.unwrap().project_id, target.id);
    assert_eq!(world.event_names(), ["task_moved"]);
}

#[tokio::test]
async fn moving_a_task_that_does_not_exist_is_not_found() {
    // Arrange
    let world = World::new();
    let team = world.team().await;

    // Act
    let result = world.tasks.move_task(&team.admin, TaskId::new(), move_to(&team.project)).await;

    // Assert
    assert!(matches!(result, Err(TaskError::NotFound)), "{result:?}");
}

#[tokio::test]
async fn labels_are_stored_lower_case_and_de_duplicated() {
    // Arrange
    let world = World::new();
    let team = world.team().await;

    // Act
    let cmd =
        CreateTask { labels: Some(labels(&["UI", "ui", "Ops"])), ..create(&team.project, "L") };
    let task = world.tasks.create(&team.editor, cmd).await.unwrap();

    // Assert
    let stored = world.stored(task.id).await.unwrap();
    assert_eq!(stored.labels.iter().collect::<Vec<_>>(), [&label("ops"), &label("ui")]);
}
