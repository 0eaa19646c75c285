//! The user-management use cases through the in-memory store: only admins manage users,
//! the last admin stays, project owners cannot vanish, and `actor()` always reflects the
//! current role.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use support::World;
use taskforge_domain::UserId;
use taskforge_domain::events::EventKind;
use taskforge_domain::policy::Actor;
use taskforge_domain::ports::{RepositoryError, UserRepository};
use taskforge_domain::services::UserService;
use taskforge_domain::services::{ProjectError, UserError};
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::Username;
use taskforge_domain::values::{PageLimit, Role};

// ===== actor and me =============================================================================

#[tokio::test]
async fn actor_reports_the_current_role_of_an_account() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let editor = world.editor("eddie").await;

    // Act
    let before = world.users.actor(editor.user_id).await.unwrap();
    world.users.set_role(&admin, editor.user_id, Role::Viewer).await.unwrap();
    let after = world.users.actor(editor.user_id).await.unwrap();

    // Assert
    assert_eq!(before, Some(editor));
    assert_eq!(after.map(|a| a.role), Some(Role::Viewer));
}

#[tokio::test]
async fn actor_is_none_once_the_account_is_deleted() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let viewer = world.viewer("vera").await;

    // Act
    world.users.delete(&admin, viewer.user_id).await.unwrap();

    // Assert
    assert_eq!(world.users.actor(viewer.user_id).await.unwrap(), None);
    assert_eq!(world.users.actor(UserId::new()).await.unwrap(), None);
}

#[tokio::test]
async fn me_returns_the_callers_own_account_until_it_is_deleted() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let viewer = world.viewer("vera").await;

    // Act
    let me = world.users.me(&viewer).await.unwrap();
    world.users.delete(&admin, viewer.user_id).await.unwrap();
    let gone = world.users.me(&viewer).await;

    // Assert
    assert_eq!(me.id, viewer.user_id);
    assert_eq!(me.username.as_str(), "vera");
    assert_eq!(me.role, Role::Viewer);
    assert!(matches!(gone, Err(UserError::NotFound)), "{gone:?}");
}

// ===== list =====================================================================================

#[tokio::test]
async fn an_admin_lists_every_user_by_username_page_by_page() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    for name in ["zoe", "bob", "mia", "carl"] {
        world.editor(name).await;
    }
    let limit = PageLimit::new(2).unwrap();

    // Act
    let mut names = Vec::new();
    let mut after = None;
    loop {
        let page = world.users.list(&admin, after.as_ref(), limit).await.unwrap();
        assert!(page.items.len() <= 2);
        names.extend(page.items.iter().map(|u| u.username.as_str().to_owned()));
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => break,
        }
    }

    // Assert
    assert_eq!(names, ["ada", "bob", "carl", "mia", "zoe"]);
}

#[tokio::test]
async fn only_admins_may_list_change_or_delete_users() {
    // Arrange
    let world = World::new();
    world.admin("ada").await;
    let editor = world.editor("eddie").await;
    let viewer = world.viewer("vera").await;
    let before = world.snapshot().await;

    for actor in [editor, viewer] {
        // Act
        let list = world.users.list(&actor, None, PageLimit::DEFAULT).await;
        let promote = world.users.set_role(&actor, actor.user_id, Role::Admin).await;
        let delete = world.users.delete(&actor, viewer.user_id).await;

        // Assert
        assert!(matches!(list, Err(UserError::Forbidden)), "{list:?}");
        assert!(matches!(promote, Err(UserError::Forbidden)), "{promote:?}");
        assert!(matches!(delete, Err(UserError::Forbidden)), "{delete:?}");
    }
    world.assert_unchanged_since(&before).await;
}

// ===== set_role =================================================================================

#[tokio::test]
async fn an_admin_changes_a_users_role() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let viewer = world.viewer("vera").await;

    // Act
    let user = world.users.set_role(&admin, viewer.user_id, Role::Editor).await.unwrap();

    // Assert
    assert_eq!(user.role, Role::Editor);
    assert_eq!(world.stored_user(&viewer).await.unwrap().role, Role::Editor);
    assert_eq!(world.event_names(), ["role_changed"]);
    let event = world.events.events().pop().unwrap();
    assert_eq!(event.actor, Some(admin.user_id));
    assert_eq!(
        event.kind,
        EventKind::RoleChanged { user_id: viewer.user_id, from: Role::Viewer, to: Role::Editor }
    );
}

#[tokio::test]
async fn setting_the_role_a_user_already_has_publishes_nothing() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let editor = world.editor("eddie").await;
    let before = world.snapshot().await;

    for (user, role) in [(editor, Role::Editor), (admin, Role::Admin)] {
        // Act
        let result = world.users.set_role(&admin, user.user_id, role).await;

        // Assert
        assert_eq!(result.unwrap().role, role);
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    world.editor("eddie").await;
    let before = world.snapshot().await;

    for role in [Role::Editor, Role::Viewer] {
        // Act
        let result = world.users.set_role(&admin, admin.user_id, role).await;

        // Assert
        assert!(matches!(result, Err(UserError::LastAdmin)), "{result:?}");
    }
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_admin_may_be_demoted_while_another_admin_remains() {
    // Arrange
    let world = World::new();
    let ada = world.admin("ada").await;
    let alan = world.admin("alan").await;

    // Act
    let demoted = world.users.set_role(&ada, alan.user_id, Role::Viewer).await.unwrap();
    let last = world.users.set_role(&ada, ada.user_id, Role::Editor).await;

    // Assert: then ada is the last one and stays.
    assert_eq!(demoted.role, Role::Viewer);
    assert!(matches!(last, Err(UserError::LastAdmin)), "{last:?}");
    assert_eq!(world.event_names(), ["role_changed"]);
}

#[tokio::test]
async fn a_demoted_user_loses_their_rights_at_once() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let editor = world.editor("eddie").await;
    world.users.set_role(&admin, editor.user_id, Role::Viewer).await.unwrap();

    // Act: the edge rebuilds the actor from the store on every request.
    let current = world.users.actor(editor.user_id).await.unwrap().unwrap();
    let result = world
        .projects
        .create(
            &current,
            taskforge_domain::commands::CreateProject {
                name: support::project_name("Too late"),
                description: None,
            },
        )
        .await;

    // Assert
    assert!(matches!(result, Err(ProjectError::CreateForbidden)), "{result:?}");
}

#[tokio::test]
async fn changing_the_role_of_a_user_who_does_not_exist_is_not_found() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let before = world.snapshot().await;

    // Act
    let result = world.users.set_role(&admin, UserId::new(), Role::Editor).await;

    // Assert
    assert!(matches!(result, Err(UserError::NotFound)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

// ===== delete ===================================================================================

#[tokio::test]
async fn an_admin_deletes_a_user_who_leaves_their_projects_and_tasks() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let mut draft = world.draft(team.project.id, &team.owner, "Assigned");
    draft.assignee_id = Some(team.viewer.user_id);
    let assigned = world.insert(draft).await;
    let created = world.task(&team.project, &team.viewer, "Created by them").await;

    // Act
    world.users.delete(&team.admin, team.viewer.user_id).await.unwrap();

    // Assert
    assert_eq!(world.stored_user(&team.viewer).await, None);
    assert!(!world.is_member(&team.project, &team.viewer).await);
    let unassigned = world.stored(assigned.id).await.unwrap();
    assert_eq!(unassigned.assignee_id, None);
    assert_eq!(unassigned.version, assigned.version.next());
    assert_eq!(world.stored(created.id).await, Some(created), "created_by is history");
    assert_eq!(world.event_names(), ["user_deleted"]);
    assert_eq!(
        world.events.events().pop().unwrap().kind,
        EventKind::UserDeleted(team.viewer.user_id)
    );
}

#[tokio::test]
async fn the_last_admin_cannot_be_deleted() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let before = world.snapshot().await;

    // Act
    let result = world.users.delete(&admin, admin.user_id).await;

    // Assert
    assert!(matches!(result, Err(UserError::LastAdmin)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn an_admin_may_be_deleted_while_another_admin_remains() {
    // Arrange
    let world = World::new();
    let ada = world.admin("ada").await;
    let alan = world.admin("alan").await;

    // Act
    world.users.delete(&ada, alan.user_id).await.unwrap();

    // Assert
    assert_eq!(world.stored_user(&alan).await, None);
    assert_eq!(world.event_names(), ["user_deleted"]);
}

#[tokio::test]
async fn a_user_who_owns_a_project_cannot_be_deleted() {
    // Arrange
    let world = World::new();
    let team = world.team().await;
    let before = world.snapshot().await;

    // Act
    let result = world.users.delete(&team.admin, team.owner.user_id).await;

    // Assert
    assert!(matches!(result, Err(UserError::OwnsProjects)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

#[tokio::test]
async fn deleting_a_user_who_does_not_exist_is_not_found() {
    // Arrange
    let world = World::new();
    let admin = world.admin("ada").await;
    let before = world.snapshot().await;

    // Act
    let result = world.users.delete(&admin, UserId::new()).await;

    // Assert
    assert!(matches!(result, Err(UserError::NotFound)), "{result:?}");
    world.assert_unchanged_since(&before).await;
}

// ===== racing administrators ======================================================================

/// A user store where a rival request's write lands just before ours: the moment between
/// reading the state and writing, when two admins demote or delete each other at once.
#[derive(Debug)]
struct RivalFirst {
    inner: Arc<dyn UserRepository>,
    rival: std::sync::Mutex<Option<Rival>>,
}

#[derive(Debug)]
enum Rival {
    Demote(taskforge_domain::User),
    Delete(UserId),
}

impl RivalFirst {
    async fn rival_goes_first(&self) {
        let rival = self.rival.lock().unwrap().take();
        match rival {
            Some(Rival::Demote(user)) => self.inner.update(&user).await.unwrap(),
            Some(Rival::Delete(id)) => self.inner.delete(id, at_noon()).await.unwrap(),
            None => {}
        }
    }
}

fn at_noon() -> Timestamp {
    Timestamp::from_unix_micros(1_767_268_800_000_000).unwrap()
}

#[async_trait::async_trait]
impl UserRepository for RivalFirst {
    async fn insert(&self, user: &taskforge_domain::User) -> Result<(), RepositoryError> {
        self.inner.insert(user).await
    }
    async fn get(&self, id: UserId) -> Result<Option<taskforge_domain::User>, RepositoryError> {
        self.inner.get(id).await
    }
    async fn find_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<taskforge_domain::User>, RepositoryError> {
        self.inner.find_by_username(username).await
    }
    async fn usernames(
        &self,
        ids: &[UserId],
    ) -> Result<std::collections::HashMap<UserId, Username>, RepositoryError> {
        self.inner.usernames(ids).await
    }
    async fn list(
        &self,
        after: Option<&Username>,
        limit: usize,
    ) -> Result<Vec<taskforge_domain::User>, RepositoryError> {
        self.inner.list(after, limit).await
    }
    async fn count_with_role(&self, role: Role) -> Result<u64, RepositoryError> {
        self.rival_goes_first().await;
        self.inner.count_with_role(role).await
    }
    async fn update(&self, user: &taskforge_domain::User) -> Result<(), RepositoryError> {
        self.rival_goes_first().await;
        self.inner.update(user).await
    }
    async fn delete(&self, id: UserId, at: Timestamp) -> Result<(), RepositoryError> {
        self.rival_goes_first().await;
        self.inner.delete(id, at).await
    }
    async fn update_keeping_another_admin(
        &self,
        user: &taskforge_domain::User,
    ) -> Result<(), RepositoryError> {
        self.rival_goes_first().await;
        self.inner.update_keeping_another_admin(user).await
    }
    async fn delete_keeping_another_admin(
        &self,
        id: UserId,
        at: Timestamp,
    ) -> Result<(), RepositoryError> {
        self.rival_goes_first().await;
        self.inner.delete_keeping_another_admin(id, at).await
    }
}

/// `ada` and `alan`, both admins, and a user service whose store lets alan's demotion of ada
/// (`delete_ada`: deletion) land just before the service's own write.
async fn racing_admins(delete_ada: bool) -> (World, UserService, Actor, Actor) {
    let world = World::new();
    let ada = world.admin("ada").await;
    let alan = world.admin("alan").await;
    let rival = if delete_ada {
        Rival::Delete(ada.user_id)
    } else {
        let stored = world.stored_user(&ada).await.unwrap();
        Rival::Demote(taskforge_domain::User { role: Role::Editor, ..stored })
    };
    let store = RivalFirst {
        inner: Arc::clone(&world.repos.users),
        rival: std::sync::Mutex::new(Some(rival)),
    };
    let users = UserService::new(
        Arc::new(store),
        Arc::clone(&world.repos.refresh_tokens),
        world.clock.clone(),
        world.events.clone(),
    );
    (world, users, ada, alan)
}

async fn admins(world: &World) -> u64 {
    world.repos.users.count_with_role(Role::Admin).await.unwrap()
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    for delete_ada in [false, true] {
        // Arrange: alan demotes (or deletes) ada between ada's read and ada's write.
        let (world, users, ada, alan) = racing_admins(delete_ada).await;
        // Act: ada demotes alan.
        let result = users.set_role(&ada, alan.user_id, Role::Viewer).await;
        // Assert: refused, since alan is by now the only admin, who stays one.
        assert!(matches!(result, Err(UserError::LastAdmin)), "{result:?}");
        assert_eq!(admins(&world).await, 1);
        assert_eq!(world.stored_user(&alan).await.unwrap().role, Role::Admin);
    }
}

#[tokio::test]
async fn two_admins_deleting_each_other_at_once_leave_one_admin() {
    for delete_ada in [false, true] {
        // Arrange
        let (world, users, ada, alan) = racing_admins(delete_ada).await;
        // Act: ada deletes alan.
        let result = users.delete(&ada, alan.user_id).await;
        // Assert
        assert!(matches!(result, Err(UserError::LastAdmin)), "{result:?}");
        assert_eq!(admins(&world).await, 1);
        assert!(world.stored_user(&alan).await.is_some(), "alan is kept");
    }
}
