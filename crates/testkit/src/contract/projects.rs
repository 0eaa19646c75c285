//! The contract of [`taskforge_domain::ports::ProjectRepository`].

use super::fixtures::{
    at, base_time, owner_and_project, project, stored_member, stored_project, stored_task,
    stored_task_by_id, stored_user, subtask, task, user,
};
use taskforge_domain::id::{ProjectId, UserId};
use taskforge_domain::model::{Project, Task};
use taskforge_domain::ports::{Entity, Repositories, RepositoryError};
use taskforge_domain::query::{TaskFilter, TaskQuery, TaskSort, Visibility};
use taskforge_domain::values::{ProjectDescription, ProjectName};

fn names(projects: &[Project]) -> Vec<&str> {
    projects.iter().map(|p| p.name.as_str()).collect()
}

/// `insert` stores the project and `get` returns it as stored, field for field.
pub async fn an_inserted_project_can_be_read_back_by_id(repos: Repositories) {
    let (_, apollo) = owner_and_project(&repos, "alice", "Apollo").await;

    let found = repos.projects.get(apollo.id).await.expect("get succeeds");

    assert_eq!(found, Some(apollo), "get returns the project exactly as inserted");
}

/// `get` of an id nobody has returns `None`, not an error.
pub async fn getting_an_unknown_project_returns_none(repos: Repositories) {
    owner_and_project(&repos, "alice", "Apollo").await;

    let found = repos.projects.get(ProjectId::new()).await.expect("get of an unknown id works");

    assert_eq!(found, None, "get of an unknown id returns None");
}

/// `insert` makes the owner a member, added at the project's `created_at`.
pub async fn inserting_a_project_makes_its_owner_a_member(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let apollo =
        stored_project(&repos, Project { created_at: at(42), ..project(&alice, "A") }).await;

    let is_member = repos.projects.is_member(apollo.id, alice.id).await.expect("is_member");
    let members = repos.projects.members(apollo.id).await.expect("members succeeds");

    assert!(is_member, "the owner is a member of the new project");
    assert_eq!(members.len(), 1, "the owner is the only member: {members:?}");
    assert_eq!(members[0].user_id, alice.id, "the member is the owner");
    assert_eq!(members[0].username, alice.username, "the member carries the owner's username");
    assert_eq!(members[0].added_at, at(42), "the owner was added at the project's created_at");
}

/// `insert` of a project whose id is taken is [`RepositoryError::Duplicate`] and keeps the
/// stored project.
pub async fn inserting_a_project_with_a_taken_id_is_a_duplicate(repos: Repositories) {
    let (alice, apollo) = owner_and_project(&repos, "alice", "Apollo").await;
    let copy = Project { name: ProjectName::parse("Gemini").expect("valid"), ..apollo.clone() };

    let result = repos
        .projects
        .insert(&copy, &taskforge_domain::model::EntryDraft::project_created(&copy))
        .await;

    assert_err!(result, RepositoryError::Duplicate(Entity::Project), "insert with a taken id");
    let stored = repos.projects.get(apollo.id).await.expect("get succeeds");
    assert_eq!(stored, Some(apollo), "the stored project is unchanged");
    let members = repos.projects.members(copy.id).await.expect("members succeeds");
    assert_eq!(members.len(), 1, "membership is unchanged: {members:?}");
    assert_eq!(members[0].user_id, alice.id, "the owner is still the only member");
}

/// `insert` of a project whose owner does not exist is
/// [`RepositoryError::MissingReference`] and stores nothing.
pub async fn inserting_a_project_with_an_unknown_owner_is_a_missing_reference(repos: Repositories) {
    let ghost = user("ghost");
    let orphan = project(&ghost, "Orphan");

    let result = repos
        .projects
        .insert(&orphan, &taskforge_domain::model::EntryDraft::project_created(&orphan))
        .await;

    assert_err!(
        result,
        RepositoryError::MissingReference(Entity::User),
        "insert of a project with an unknown owner"
    );
    assert_eq!(repos.projects.get(orphan.id).await.expect("get"), None, "nothing was stored");
}

/// `list` returns up to `limit` projects by id ascending (creation order), strictly after
/// `after`.
pub async fn projects_are_listed_by_id_after_the_given_one(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let mut created = Vec::new();
    // Names in reverse alphabetical order: the list must follow ids, not names.
    for name in ["Delta", "Charlie", "Bravo", "Alpha"] {
        created.push(stored_project(&repos, project(&alice, name)).await);
    }

    let all = repos.projects.list(Visibility::All, None, 10).await.expect("list succeeds");
    let first_two = repos.projects.list(Visibility::All, None, 2).await.expect("list succeeds");
    let rest =
        repos.projects.list(Visibility::All, Some(created[1].id), 10).await.expect("list works");
    let after_last =
        repos.projects.list(Visibility::All, Some(created[3].id), 10).await.expect("list works");

    assert_eq!(all, created, "every project, by id ascending");
    assert_eq!(names(&first_two), ["Delta", "Charlie"], "at most `limit`, from the start");
    assert_eq!(names(&rest), ["Bravo", "Alpha"], "strictly after `after`");
    assert!(after_last.is_empty(), "nothing after the last id: {:?}", names(&after_last));
}

/// `list` under `MemberOrPublic` returns only the projects the user is a member of; a public
/// task does not make its project visible.
pub async fn a_user_lists_only_the_projects_they_are_a_member_of(repos: Repositories) {
    let (alice, own) = owner_and_project(&repos, "alice", "Own").await;
    let (bob, joined) = owner_and_project(&repos, "bob", "Joined").await;
    let foreign = stored_project(&repos, project(&bob, "Foreign")).await;
    repos.projects.add_member(joined.id, alice.id, at(1)).await.expect("add_member succeeds");
    stored_task(&repos, Task { is_public: true, ..task(&foreign, &bob, "Public") }).await;
    let carol = stored_user(&repos, user("carol")).await;

    let alices = repos
        .projects
        .list(Visibility::MemberOrPublic(alice.id), None, 10)
        .await
        .expect("list succeeds");
    let alices_second = repos
        .projects
        .list(Visibility::MemberOrPublic(alice.id), Some(own.id), 10)
        .await
        .expect("list succeeds");
    let carols = repos
        .projects
        .list(Visibility::MemberOrPublic(carol.id), None, 10)
        .await
        .expect("list succeeds");

    assert_eq!(names(&alices), ["Own", "Joined"], "owned and joined projects, by id");
    assert_eq!(names(&alices_second), ["Joined"], "`after` applies to the visible projects");
    assert!(carols.is_empty(), "a user in no project sees none: {:?}", names(&carols));
}

/// `update` replaces the name, description and owner, and nothing else.
pub async fn updating_a_project_replaces_name_description_and_owner(repos: Repositories) {
    let (_, apollo) = owner_and_project(&repos, "alice", "Apollo").await;
    let bob = stored_member(&repos, &apollo, "bob").await;
    let changed = Project {
        name: ProjectName::parse("Artemis").expect("valid"),
        description: ProjectDescription::parse("Back to the moon.").expect("valid"),
        owner_id: bob.id,
        ..apollo.clone()
    };

    repos
        .projects
        .update(&changed, &crate::contract::fixtures::project_entry(changed.id))
        .await
        .expect("update succeeds");

    let stored = repos.projects.get(apollo.id).await.expect("get succeeds");
    assert_eq!(stored, Some(changed), "name, description and owner are replaced");
}

/// `update` replaces only the name, description and owner: the stored `created_at` stays.
pub async fn updating_a_project_keeps_its_created_at(repos: Repositories) {
    let (_, apollo) = owner_and_project(&repos, "alice", "Apollo").await;
    let changed = Project {
        name: ProjectName::parse("Artemis").expect("valid"),
        created_at: at(999),
        ..apollo.clone()
    };

    repos
        .projects
        .update(&changed, &crate::contract::fixtures::project_entry(changed.id))
        .await
        .expect("update succeeds");

    let stored = repos.projects.get(apollo.id).await.expect("get succeeds");
    let expected = Project { created_at: apollo.created_at, ..changed };
    assert_eq!(stored, Some(expected), "the name is replaced, created_at is not");
}

/// `update` to an owner who does not exist is [`RepositoryError::MissingReference`] and
/// changes nothing.
pub async fn updating_a_project_to_an_unknown_owner_is_a_missing_reference(repos: Repositories) {
    let (_, apollo) = owner_and_project(&repos, "alice", "Apollo").await;
    let changed = Project {
        name: ProjectName::parse("Renamed").expect("valid"),
        owner_id: UserId::new(),
        ..apollo.clone()
    };

    let result = repos
        .projects
        .update(&changed, &crate::contract::fixtures::project_entry(changed.id))
        .await;

    assert_err!(
        result,
        RepositoryError::MissingReference(Entity::User),
        "update to an unknown owner"
    );
    let stored = repos.projects.get(apollo.id).await.expect("get succeeds");
    assert_eq!(stored, Some(apollo), "the project is unchanged");
}

/// `update` of an id nobody has is [`RepositoryError::NotFound`] and stores nothing.
pub async fn updating_an_unknown_project_is_not_found(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let ghost = project(&alice, "Ghost");

    let result =
        repos.projects.update(&ghost, &crate::contract::fixtures::project_entry(ghost.id)).await;

    assert_err!(result, RepositoryError::NotFound(Entity::Project), "update of unknown project");
    assert_eq!(repos.projects.get(ghost.id).await.expect("get"), None, "update did not insert");
}

/// `delete` removes the project, all its tasks (subtasks included) and all its memberships,
/// and leaves other projects alone.
pub async fn deleting_a_project_deletes_its_tasks_and_memberships(repos: Repositories) {
    let (alice, doomed) = owner_and_project(&repos, "alice", "Doomed").await;
    let bob = stored_member(&repos, &doomed, "bob").await;
    let survivor = stored_project(&repos, project(&alice, "Survivor")).await;
    let root = stored_task(&repos, task(&doomed, &alice, "Root")).await;
    let child = stored_task(&repos, subtask(&root, "Child")).await;
    let public = stored_task(&repos, Task { is_public: true, ..task(&doomed, &bob, "Pub") }).await;
    let kept = stored_task(&repos, task(&survivor, &alice, "Kept")).await;

    repos.projects.delete(doomed.id).await.expect("delete succeeds");

    assert_eq!(repos.projects.get(doomed.id).await.expect("get"), None, "the project is gone");
    for gone in [&root, &child, &public] {
        let found = repos.tasks.get(gone.id).await.expect("get succeeds");
        assert_eq!(found, None, "task {} of the deleted project is deleted", gone.title);
    }
    for user in [&alice, &bob] {
        let member = repos.projects.is_member(doomed.id, user.id).await.expect("is_member");
        assert!(!member, "{} is no longer a member of the deleted project", user.username);
    }
    let members = repos.projects.members(doomed.id).await.expect("members succeeds");
    assert!(members.is_empty(), "the deleted project has no members: {members:?}");
    let query = TaskQuery {
        visibility: Visibility::All,
        filter: TaskFilter::default(),
        sort: TaskSort::default(),
        after: None,
        fetch: 10,
    };
    let listed = repos.tasks.list(&query).await.expect("list succeeds");
    assert_eq!(listed, std::slice::from_ref(&kept), "only the other project's task is listed");
    assert_eq!(stored_task_by_id(&repos, kept.id).await, kept, "other tasks are unchanged");
    let still = repos.projects.is_member(survivor.id, alice.id).await.expect("is_member");
    assert!(still, "memberships of other projects stay");
    let users = repos.users.list(None, 10).await.expect("list succeeds");
    assert_eq!(users.len(), 2, "deleting a project deletes no user");
}

/// `delete` of an id nobody has is [`RepositoryError::NotFound`].
pub async fn deleting_an_unknown_project_is_not_found(repos: Repositories) {
    let (_, apollo) = owner_and_project(&repos, "alice", "Apollo").await;

    let result = repos.projects.delete(ProjectId::new()).await;

    assert_err!(result, RepositoryError::NotFound(Entity::Project), "delete of unknown project");
    let stored = repos.projects.get(apollo.id).await.expect("get succeeds");
    assert_eq!(stored, Some(apollo), "no other project was deleted");
}

/// `is_member` is false for an unknown project or user, and for a user who is not a member.
pub async fn is_member_is_false_for_non_members_and_unknown_ids(repos: Repositories) {
    let (alice, apollo) = owner_and_project(&repos, "alice", "Apollo").await;
    let bob = stored_user(&repos, user("bob")).await;

    let checks = [
        ("a user who is not a member", apollo.id, bob.id),
        ("an unknown user", apollo.id, UserId::new()),
        ("an unknown project", ProjectId::new(), alice.id),
    ];
    for (case, project, user) in checks {
        let member = repos.projects.is_member(project, user).await.expect("is_member succeeds");
        assert!(!member, "is_member is false for {case}");
    }
}

/// `members` lists the members with their usernames and join times, ordered by username;
/// empty for an unknown project.
pub async fn members_are_listed_by_username(repos: Repositories) {
    let (mallory, apollo) = owner_and_project(&repos, "mallory", "Apollo").await;
    let zed = stored_user(&repos, user("zed")).await;
    let alice = stored_user(&repos, user("alice")).await;
    repos.projects.add_member(apollo.id, zed.id, at(10)).await.expect("add_member succeeds");
    repos.projects.add_member(apollo.id, alice.id, at(20)).await.expect("add_member succeeds");

    let members = repos.projects.members(apollo.id).await.expect("members succeeds");
    let unknown = repos.projects.members(ProjectId::new()).await.expect("members succeeds");

    let seen: Vec<_> =
        members.iter().map(|m| (m.user_id, m.username.as_str(), m.added_at)).collect();
    assert_eq!(
        seen,
        [
            (alice.id, "alice", at(20)),
            (mallory.id, "mallory", base_time()),
            (zed.id, "zed", at(10)),
        ],
        "members by username, with when they joined"
    );
    assert!(unknown.is_empty(), "an unknown project has no members: {unknown:?}");
}

/// `add_member` makes the user a member as of `at` and returns `true`.
pub async fn adding_a_member_makes_them_a_member(repos: Repositories) {
    let (_, apollo) = owner_and_project(&repos, "alice", "Apollo").await;
    let bob = stored_user(&repos, user("bob")).await;

    let added = repos.projects.add_member(apollo.id, bob.id, at(5)).await.expect("add works");

    assert!(added, "add_member returns true for a new member");
    let member = repos.projects.is_member(apollo.id, bob.id).await.expect("is_member succeeds");
    assert!(member, "the user is now a member");
    let members = repos.projects.members(apollo.id).await.expect("members succeeds");
    let bobs = members.iter().find(|m| m.user_id == bob.id).expect("bob is listed");
    assert_eq!(bobs.added_at, at(5), "the member was added at `at`");
}

/// `add_member` of someone who already is a member (the owner included) returns `false` and
/// changes nothing, not even when they joined.
pub async fn adding_an_existing_member_returns_false_and_changes_nothing(repos: Repositories) {
    let (alice, apollo) = owner_and_project(&repos, "alice", "Apollo").await;
    let bob = stored_user(&repos, user("bob")).await;
    repos.projects.add_member(apollo.id, bob.id, at(5)).await.expect("add_member succeeds");
    let before = repos.projects.members(apollo.id).await.expect("members succeeds");

    let again = repos.projects.add_member(apollo.id, bob.id, at(50)).await.expect("add works");
    let owner = repos.projects.add_member(apollo.id, alice.id, at(50)).await.expect("add works");

    assert!(!again, "add_member returns false for an existing member");
    assert!(!owner, "add_member returns false for the owner, who always is a member");
    let after = repos.projects.members(apollo.id).await.expect("members succeeds");
    assert_eq!(after, before, "membership and join times are unchanged");
}

/// `add_member` to a project that does not exist is [`RepositoryError::NotFound`].
pub async fn adding_a_member_to_an_unknown_project_is_not_found(repos: Repositories) {
    let bob = stored_user(&repos, user("bob")).await;
    let ghost = ProjectId::new();

    let result = repos.projects.add_member(ghost, bob.id, at(5)).await;

    assert_err!(result, RepositoryError::NotFound(Entity::Project), "add to unknown project");
    let member = repos.projects.is_member(ghost, bob.id).await.expect("is_member succeeds");
    assert!(!member, "no membership was recorded");
}

/// `add_member` of a user who does not exist is [`RepositoryError::MissingReference`].
pub async fn adding_an_unknown_user_as_a_member_is_a_missing_reference(repos: Repositories) {
    let (alice, apollo) = owner_and_project(&repos, "alice", "Apollo").await;

    let result = repos.projects.add_member(apollo.id, UserId::new(), at(5)).await;

    assert_err!(result, RepositoryError::MissingReference(Entity::User), "add of an unknown user");
    let members = repos.projects.members(apollo.id).await.expect("members succeeds");
    let ids: Vec<UserId> = members.iter().map(|m| m.user_id).collect();
    assert_eq!(ids, [alice.id], "membership is unchanged");
}

/// `remove_member` removes the member and un-assigns them from that project's tasks (version
/// +1, `updated_at = at`), but not from tasks of other projects.
pub async fn removing_a_member_unassigns_them_from_that_projects_tasks_only(repos: Repositories) {
    let (alice, first) = owner_and_project(&repos, "alice", "First").await;
    let second = stored_project(&repos, project(&alice, "Second")).await;
    let bob = stored_member(&repos, &first, "bob").await;
    repos.projects.add_member(second.id, bob.id, at(1)).await.expect("add_member succeeds");
    let root = stored_task(
        &repos,
        Task { assignee_id: Some(bob.id), ..task(&first, &alice, "Bob's root") },
    )
    .await;
    let sub = stored_task(&repos, subtask(&root, "Bob's subtask")).await;
    let alices = stored_task(
        &repos,
        Task { assignee_id: Some(alice.id), ..task(&first, &alice, "Alice's task") },
    )
    .await;
    let elsewhere = stored_task(
        &repos,
        Task { assignee_id: Some(bob.id), ..task(&second, &alice, "Bob's elsewhere") },
    )
    .await;
    let when = at(3_600);

    let removed =
        repos.projects.remove_member(first.id, bob.id, alice.id, when).await.expect("remove");

    assert!(removed, "remove_member returns true for a member");
    let member = repos.projects.is_member(first.id, bob.id).await.expect("is_member succeeds");
    assert!(!member, "bob is no longer a member of the first project");
    for before in [&root, &sub] {
        let after = stored_task_by_id(&repos, before.id).await;
        let expected = Task {
            assignee_id: None,
            version: before.version.next(),
            updated_at: when,
            ..before.clone()
        };
        assert_eq!(after, expected, "{}: unassigned, version +1, updated_at = at", before.title);
    }
    assert_eq!(stored_task_by_id(&repos, alices.id).await, alices, "others' tasks unchanged");
    assert_eq!(
        stored_task_by_id(&repos, elsewhere.id).await,
        elsewhere,
        "assignments in other projects are unchanged"
    );
    let still = repos.projects.is_member(second.id, bob.id).await.expect("is_member succeeds");
    assert!(still, "membership of other projects stays");
}

/// `remove_member` of a user who is not a member returns `false` and changes nothing.
pub async fn removing_a_non_member_returns_false_and_changes_nothing(repos: Repositories) {
    let (alice, first) = owner_and_project(&repos, "alice", "First").await;
    let (bob, second) = owner_and_project(&repos, "bob", "Second").await;
    let in_first = stored_task(&repos, task(&first, &alice, "Unassigned in first")).await;
    let assigned = stored_task(
        &repos,
        Task { assignee_id: Some(bob.id), ..task(&second, &bob, "Assigned to bob") },
    )
    .await;

    let removed =
        repos.projects.remove_member(first.id, bob.id, bob.id, at(60)).await.expect("remove");

    assert!(!removed, "remove_member returns false for a non-member");
    assert_eq!(stored_task_by_id(&repos, in_first.id).await, in_first, "no task changed");
    assert_eq!(stored_task_by_id(&repos, assigned.id).await, assigned, "no task changed");
    let member = repos.projects.is_member(second.id, bob.id).await.expect("is_member succeeds");
    assert!(member, "other memberships are unchanged");
}

/// `remove_member` from a project that does not exist is [`RepositoryError::NotFound`].
pub async fn removing_a_member_from_an_unknown_project_is_not_found(repos: Repositories) {
    let bob = stored_user(&repos, user("bob")).await;

    let result = repos.projects.remove_member(ProjectId::new(), bob.id, bob.id, at(60)).await;

    assert_err!(result, RepositoryError::NotFound(Entity::Project), "remove from unknown project");
}
