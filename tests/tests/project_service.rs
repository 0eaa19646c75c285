//! The project use cases through the in-memory store: creating, reading, listing, changing
//! and deleting projects, and managing their members, for every role and relation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{World, project_name};
use taskforge_domain::commands::{CreateProject, Patch, UpdateProject};
use taskforge_domain::events::EventKind;
use taskforge_domain::services::{ProjectError, TaskError};
use taskforge_domain::values::{PageLimit, ProjectDescription, Role};
use taskforge_domain::{Actor, ProjectId, UserId};

fn create(name: &str) -> CreateProject {
    CreateProject { name: project_name(name), description: None }
}

fn rename(name: &str) -> UpdateProject {
    UpdateProject { name: Some(project_name(name)), ..UpdateProject::default() }
}

// ===== create ===================================================================================

#[tokio::test]
async fn an_editor_creates_a_project_they_own_and_belong_to() {
    // Arrange
    let world = World::new();
    let editor = world.editor("eddie").await;

    // Act
    let project = world.projects.create(&editor, create("  Launch  ")).await.unwrap();

    // Assert
    assert_eq!(project.name.as_str(), "Launch");
    assert_eq!(project.description, ProjectDescription::empty());
    assert_eq!(project.owner_id, editor.user_id);
    assert_eq!(world.stored_project(project.id).await, Some(project.clone()));
    let members = world.projects.members(&editor, project.id).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].user_id, editor.user_id);
    assert_eq!(members[0].username.as_str(), "eddie");
    assert_eq!(world.event_names(), ["project_created"]);
    let event = world.events.events().pop().unwrap();
    assert_eq!(event.actor, Some(editor.user_id));
    assert_eq!(event.kind, EventKind::ProjectCreated(Box::new(project)));
}

#[tokio::test]
async fn an_admin_can_create_a_project_with_a_description() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let cmd = CreateProject {
        name: project_name("Ops"),
        description: Some(ProjectDescription::parse("Runbooks and chores").unwrap()),
    };

    // Act
    let project = world.projects.create(&admin, cmd).await.unwrap();

    // Assert
    assert_eq!(project.description.as_str(), "Runbooks and chores");
    assert_eq!(project.owner_id, admin.user_id);
}

#[tokio::test]
async fn a_viewer_cannot_create_a_project() {
    // Arrange
    let world = World::new();
    let viewer = world.viewer("vera").await;
    let before = world.snapshot().await;

    // Act
    let result = world.projects.create(&viewer, create("Mine")).await;

    // Assert
    assert!(matches!(result, Err(ProjectError::CreateForbidden)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

// ===== get and list =============================================================================

#[tokio::test]
async fn members_and_admins_can_read_a_project() {
    // Arrange
    let world = World::new();
    let team = world.team().await;

    for reader in [team.owner, team.editor, team.viewer, team.admin] {
        // Act
        let project = world.projects.get(&reader, team.project.id).await;

        // Assert
        assert_eq!(project.unwrap(), team.project);
    }
}

#[tokio::test]
async fn a_non_member_gets_not_found_for_a_project() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    world.public_task(&team.project, &team.owner, "public tasks do not reveal the project").await;

    for outsider in [team.outsider, team.outsider_viewer] {
        // Act
        let project = world.projects.get(&outsider, team.project.id).await;
        let members = world.projects.members(&outsider, team.project.id).await;

        // Assert
        assert!(matches!(project, Err(ProjectError::NotFound)), "{project:?}");
        assert!(matches!(members, Err(ProjectError::NotFound)), "{members:?}");
    }
}

#[tokio::test]
async fn a_project_that_does_not_exist_is_not_found() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;

    // Act
    let result = world.projects.get(&admin, ProjectId::new()).await;

    // Assert
    assert!(matches!(result, Err(ProjectError::NotFound)), "{result:?}");
}

#[tokio::test]
async fn the_project_list_holds_the_callers_projects_and_admins_see_all() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let mine = world.project(&team.outsider, "Outsider's").await;
    let third = world.project(&team.owner, "Third").await;

    // Act
    let of_viewer = world.projects.list(&team.viewer, None, PageLimit::DEFAULT).await.unwrap();
    let of_owner = world.projects.list(&team.owner, None, PageLimit::DEFAULT).await.unwrap();
    let of_outsider = world.projects.list(&team.outsider, None, PageLimit::DEFAULT).await.unwrap();
    let of_admin = world.projects.list(&team.admin, None, PageLimit::DEFAULT).await.unwrap();

    // Assert
    assert_eq!(of_viewer.items, std::slice::from_ref(&team.project));
    assert_eq!(of_owner.items, [team.project.clone(), third.clone()]);
    assert_eq!(of_outsider.items, std::slice::from_ref(&mine));
    assert_eq!(of_admin.items, [team.project, mine, third]);
    assert_eq!(of_admin.next_cursor, None);
}

#[tokio::test]
async fn the_project_list_pages_through_every_project_once() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let mut created = Vec::new();
    for n in 0..5 {
        created.push(world.project(&admin, &format!("P{n}")).await.id);
    }
    let limit = PageLimit::new(2).unwrap();

    // Act
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = world.projects.list(&admin, after, limit).await.unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|p| p.id));
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => break,
        }
    }

    // Assert
    assert_eq!(seen, created);
}

// ===== update ===================================================================================

#[tokio::test]
async fn the_owner_renames_and_re_describes_their_project() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let patch = UpdateProject {
        name: Some(project_name("Relaunch")),
        description: Patch::Set(ProjectDescription::parse("Second try").unwrap()),
        owner_id: None,
    };

    // Act
    let project = world.projects.update(&team.owner, team.project.id, patch).await.unwrap();

    // Assert
    assert_eq!(project.name.as_str(), "Relaunch");
    assert_eq!(project.description.as_str(), "Second try");
    assert_eq!(project.owner_id, team.owner.user_id);
    assert_eq!(project.created_at, team.project.created_at);
    assert_eq!(world.stored_project(team.project.id).await, Some(project.clone()));
    assert_eq!(world.event_names(), ["project_updated"]);
    assert_eq!(
        world.events.events().pop().unwrap().kind,
        EventKind::ProjectUpdated(Box::new(project))
    );
}

#[tokio::test]
async fn clearing_the_description_empties_it_and_absent_fields_stay() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let described = UpdateProject {
        description: Patch::Set(ProjectDescription::parse("Some text").unwrap()),
        ..UpdateProject::default()
    };
    world.projects.update(&team.owner, team.project.id, described).await.unwrap();

    // Act
    let patch = UpdateProject { description: Patch::Clear, ..UpdateProject::default() };
    let project = world.projects.update(&team.owner, team.project.id, patch).await.unwrap();

    // Assert
    assert!(project.description.is_empty());
    assert_eq!(project.name, team.project.name);
    assert_eq!(world.event_names(), ["project_updated", "project_updated"]);
}

#[tokio::test]
async fn an_update_that_changes_nothing_publishes_nothing() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let before = world.snapshot().await;
    let same = UpdateProject {
        name: Some(team.project.name.clone()),
        description: Patch::Clear,
        owner_id: Some(team.owner.user_id),
    };

    for patch in [UpdateProject::default(), same] {
        // Act
        let project = world.projects.update(&team.owner, team.project.id, patch).await;

        // Assert
        assert_eq!(project.unwrap(), team.project);
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_admin_can_update_a_project_they_do_not_belong_to() {
    // Arrange
    let world = World::new();
    let team = world.team().await;

    // Act
    let project = world.projects.update(&team.admin, team.project.id, rename("Audited")).await;

    // Assert
    assert_eq!(project.unwrap().name.as_str(), "Audited");
    assert_eq!(world.event_names(), ["project_updated"]);
}

#[tokio::test]
async fn a_member_who_is_not_the_owner_cannot_manage_the_project() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    world.task(&team.project, &team.owner, "Keep").await;
    let before = world.snapshot().await;

    for member in [team.editor, team.viewer] {
        // Act
        let update = world.projects.update(&member, team.project.id, rename("Taken")).await;
        let delete = world.projects.delete(&member, team.project.id).await;
        let add = world.projects.add_member(&member, team.project.id, team.outsider.user_id).await;
        let remove = world.projects.remove_member(&member, team.project.id, team.viewer.user_id);
        let remove = remove.await;

        // Assert
        assert!(matches!(update, Err(ProjectError::Forbidden)), "{update:?}");
        assert!(matches!(delete, Err(ProjectError::Forbidden)), "{delete:?}");
        assert!(matches!(add, Err(ProjectError::Forbidden)), "{add:?}");
        assert!(matches!(remove, Err(ProjectError::Forbidden)), "{remove:?}");
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_owner_demoted_to_viewer_sees_the_project_but_can_no_longer_manage_it() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    world.task(&team.project, &team.owner, "Keep").await;
    let demoted = Actor::new(team.owner.user_id, Role::Viewer);
    let before = world.snapshot().await;

    // Act
    let read = world.projects.get(&demoted, team.project.id).await;
    let update = world.projects.update(&demoted, team.project.id, rename("Taken")).await;
    let delete = world.projects.delete(&demoted, team.project.id).await;
    let add = world.projects.add_member(&demoted, team.project.id, team.outsider.user_id).await;
    let remove = world.projects.remove_member(&demoted, team.project.id, team.viewer.user_id);
    let remove = remove.await;

    // Assert
    assert_eq!(read.unwrap(), team.project);
    assert!(matches!(update, Err(ProjectError::Forbidden)), "{update:?}");
    assert!(matches!(delete, Err(ProjectError::Forbidden)), "{delete:?}");
    assert!(matches!(add, Err(ProjectError::Forbidden)), "{add:?}");
    assert!(matches!(remove, Err(ProjectError::Forbidden)), "{remove:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn a_non_member_gets_not_found_when_managing_a_project() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let before = world.snapshot().await;

    for outsider in [team.outsider, team.outsider_viewer] {
        // Act
        let update = world.projects.update(&outsider, team.project.id, rename("Taken")).await;
        let delete = world.projects.delete(&outsider, team.project.id).await;
        let add = world.projects.add_member(&outsider, team.project.id, outsider.user_id).await;
        let remove = world.projects.remove_member(&outsider, team.project.id, team.viewer.user_id);
        let remove = remove.await;

        // Assert
        assert!(matches!(update, Err(ProjectError::NotFound)), "{update:?}");
        assert!(matches!(delete, Err(ProjectError::NotFound)), "{delete:?}");
        assert!(matches!(add, Err(ProjectError::NotFound)), "{add:?}");
        assert!(matches!(remove, Err(ProjectError::NotFound)), "{remove:?}");
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn the_owner_hands_the_project_over_to_a_member() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let patch = UpdateProject { owner_id: Some(team.editor.user_id), ..UpdateProject::default() };

    // Act
    let project = world.projects.update(&team.owner, team.project.id, patch).await.unwrap();

    // Assert: the new owner manages it, the old one stays a member without the rights.
    assert_eq!(project.owner_id, team.editor.user_id);
    assert!(world.is_member(&team.project, &team.owner).await);
    let old_owner_tries = world.projects.update(&team.owner, team.project.id, rename("Back")).await;
    assert!(matches!(old_owner_tries, Err(ProjectError::Forbidden)), "{old_owner_tries:?}");
    let new_owner_renames = world.projects.update(&team.editor, team.project.id, rename("Mine"));
    assert_eq!(new_owner_renames.await.unwrap().name.as_str(), "Mine");
    let old_owner_removed =
        world.projects.remove_member(&team.editor, team.project.id, team.owner.user_id).await;
    old_owner_removed.unwrap();
    assert_eq!(world.event_names(), ["project_updated", "project_updated", "member_removed"]);
}

#[tokio::test]
async fn ownership_can_only_go_to_a_member() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let before = world.snapshot().await;

    for candidate in [team.outsider.user_id, UserId::new()] {
        // Act
        let patch = UpdateProject {
            name: Some(project_name("Renamed too")),
            owner_id: Some(candidate),
            ..UpdateProject::default()
        };
        let result = world.projects.update(&team.owner, team.project.id, patch).await;

        // Assert: the whole patch is refused, the rename included.
        assert!(matches!(result, Err(ProjectError::OwnerMustBeMember)), "{result:?}");
    }
    world.assert_unchanged_since(&before).await;
}

// ===== delete ===================================================================================

#[tokio::test]
async fn the_owner_deletes_the_project_with_all_its_tasks() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let other = world.project(&team.owner, "Other").await;
    let root = world.task(&team.project, &team.owner, "Root").await;
    let child = world.subtask(&root, "Child").await;
    let elsewhere = world.task(&other, &team.owner, "Elsewhere").await;

    // Act
    world.projects.delete(&team.owner, team.project.id).await.unwrap();

    // Assert
    assert_eq!(world.stored_project(team.project.id).await, None);
    assert_eq!(world.stored(root.id).await, None);
    assert_eq!(world.stored(child.id).await, None);
    assert_eq!(world.stored(elsewhere.id).await, Some(elsewhere));
    assert!(!world.is_member(&team.project, &team.viewer).await);
    assert_eq!(world.event_names(), ["project_deleted"]);
    assert_eq!(
        world.events.events().pop().unwrap().kind,
        EventKind::ProjectDeleted(team.project.id)
    );
}

#[tokio::test]
async fn an_admin_can_delete_a_project_they_do_not_belong_to() {
    // Arrange
    let world = World::new();
    let team = world.team().await;

    // Act
    world.projects.delete(&team.admin, team.project.id).await.unwrap();

    // Assert
    assert_eq!(world.stored_project(team.project.id).await, None);
    let gone = world.projects.get(&team.admin, team.project.id).await;
    assert!(matches!(gone, Err(ProjectError::NotFound)), "{gone:?}");
}

#[tokio::test]
async fn deleting_a_project_that_does_not_exist_is_not_found() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;

    // Act
    let result = world.projects.delete(&admin, ProjectId::new()).await;

    // Assert
    assert!(matches!(result, Err(ProjectError::NotFound)), "{result:?}");
    assert!(world.event_names().is_empty());
}

// ===== members ==================================================================================

#[tokio::test]
async fn every_member_can_list_the_members_by_username() {
    // Arrange
    let world = World::new();
    let team = world.team().await;

    for reader in [team.owner, team.editor, team.viewer, team.admin] {
        // Act
        let members = world.projects.members(&reader, team.project.id).await.unwrap();

        // Assert
        let names: Vec<&str> = members.iter().map(|m| m.username.as_str()).collect();
        assert_eq!(names, ["eddie", "olivia", "vera"]);
    }
}

#[tokio::test]
async fn the_owner_adds_a_member_who_then_sees_the_project() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let task = world.task(&team.project, &team.owner, "Private").await;

    // Act
    world.projects.add_member(&team.owner, team.project.id, team.outsider.user_id).await.unwrap();

    // Assert
    assert!(world.is_member(&team.project, &team.outsider).await);
    assert_eq!(world.projects.get(&team.outsider, team.project.id).await.unwrap(), team.project);
    assert_eq!(world.tasks.get(&team.outsider, task.id).await.unwrap(), task);
    assert_eq!(world.event_names(), ["member_added"]);
    assert_eq!(
        world.events.events().pop().unwrap().kind,
        EventKind::MemberAdded { project_id: team.project.id, user_id: team.outsider.user_id }
    );
}

#[tokio::test]
async fn adding_someone_who_already_is_a_member_changes_nothing() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let before = world.snapshot().await;

    for existing in [team.viewer.user_id, team.owner.user_id] {
        // Act
        let result = world.projects.add_member(&team.owner, team.project.id, existing).await;

        // Assert
        result.unwrap();
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_admin_can_add_a_member_to_a_project_they_do_not_belong_to() {
    // Arrange
    let world = World::new();
    let team = world.team().await;

    // Act
    let result = world.projects.add_member(&team.admin, team.project.id, team.outsider.user_id);

    // Assert
    result.await.unwrap();
    assert!(world.is_member(&team.project, &team.outsider).await);
    assert!(!world.is_member(&team.project, &team.admin).await);
}

#[tokio::test]
async fn adding_a_user_who_does_not_exist_is_user_not_found() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let before = world.snapshot().await;

    // Act
    let result = world.projects.add_member(&team.owner, team.project.id, UserId::new()).await;

    // Assert
    assert!(matches!(result, Err(ProjectError::UserNotFound)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn removing_a_member_un_assigns_them_from_the_projects_tasks_only() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let other = world.project(&team.owner, "Other").await;
    world.join(&other, &team.viewer).await;
    let mut draft = world.draft(team.project.id, &team.owner, "Assigned here");
    draft.assignee_id = Some(team.viewer.user_id);
    let here = world.insert(draft).await;
    let mut draft = world.draft(other.id, &team.owner, "Assigned elsewhere");
    draft.assignee_id = Some(team.viewer.user_id);
    let elsewhere = world.insert(draft).await;
    let mut draft = world.draft(team.project.id, &team.owner, "Someone else's");
    draft.assignee_id = Some(team.editor.user_id);
    let untouched = world.insert(draft).await;

    // Act
    world.projects.remove_member(&team.owner, team.project.id, team.viewer.user_id).await.unwrap();

    // Assert
    assert!(!world.is_member(&team.project, &team.viewer).await);
    let here_after = world.stored(here.id).await.unwrap();
    assert_eq!(here_after.assignee_id, None);
    assert_eq!(here_after.version, here.version.next());
    assert_eq!(world.stored(elsewhere.id).await, Some(elsewhere));
    assert_eq!(world.stored(untouched.id).await, Some(untouched));
    let lost_access = world.tasks.get(&team.viewer, here.id).await;
    assert!(matches!(lost_access, Err(TaskError::NotFound)), "{lost_access:?}");
    assert_eq!(world.event_names(), ["member_removed"]);
    assert_eq!(
        world.events.events().pop().unwrap().kind,
        EventKind::MemberRemoved { project_id: team.project.id, user_id: team.viewer.user_id }
    );
}

#[tokio::test]
async fn the_owner_cannot_be_removed_from_their_project() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let before = world.snapshot().await;

    for actor in [team.owner, team.admin] {
        // Act
        let result =
            world.projects.remove_member(&actor, team.project.id, team.owner.user_id).await;

        // Assert
        assert!(matches!(result, Err(ProjectError::OwnerIsAlwaysMember)), "{result:?}");
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn removing_someone_who_is_not_a_member_is_member_not_found() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let before = world.snapshot().await;

    for stranger in [team.outsider.user_id, UserId::new()] {
        // Act
        let result = world.projects.remove_member(&team.owner, team.project.id, stranger).await;

        // Assert
        assert!(matches!(result, Err(ProjectError::MemberNotFound)), "{result:?}");
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_admin_can_remove_a_member_from_a_project_they_do_not_belong_to() {
    // Arrange
    let world = World::new();
    let team = world.team().await;

    // Act
    let result = world.projects.remove_member(&team.admin, team.project.id, team.editor.user_id);

    // Assert
    result.await.unwrap();
    assert!(!world.is_member(&team.project, &team.editor).await);
    assert_eq!(world.event_names(), ["member_removed"]);
}
