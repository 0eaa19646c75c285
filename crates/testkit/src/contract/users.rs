//! The contract of [`taskforge_domain::ports::UserRepository`].

use super::fixtures::{
    at, owner_and_project, refresh_token, stored_member, stored_task, stored_task_by_id,
    stored_token, stored_user, task, user, user_with_role, username,
};
use taskforge_domain::id::{TokenFamilyId, UserId};
use taskforge_domain::model::{Task, User};
use taskforge_domain::ports::{Entity, Repositories, RepositoryError};
use taskforge_domain::values::{EmailAddress, PasswordHash, Role};

/// `insert` stores the user and `get` returns it as stored, field for field.
pub async fn an_inserted_user_can_be_read_back_by_id(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;

    let found = repos.users.get(alice.id).await.expect("get succeeds");

    assert_eq!(found, Some(alice), "get returns the user exactly as inserted");
}

/// `get` of an id nobody has returns `None`, not an error.
pub async fn getting_an_unknown_user_returns_none(repos: Repositories) {
    stored_user(&repos, user("alice")).await;

    let found = repos.users.get(UserId::new()).await.expect("get of an unknown id succeeds");

    assert_eq!(found, None, "get of an unknown id returns None");
}

/// `insert` of a user whose id is taken is [`RepositoryError::Duplicate`] and keeps the
/// stored user.
pub async fn inserting_a_user_with_a_taken_id_is_a_duplicate(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let impostor = User { username: username("mallory"), ..alice.clone() };

    let result = repos.users.insert(&impostor).await;

    assert_err!(result, RepositoryError::Duplicate(Entity::User), "insert with a taken id");
    let stored = repos.users.get(alice.id).await.expect("get succeeds");
    assert_eq!(stored, Some(alice), "the stored user is unchanged");
    let mallory = repos.users.find_by_username(&username("mallory")).await.expect("find works");
    assert_eq!(mallory, None, "the refused user was not stored under its username");
}

/// `insert` of a user whose username is taken (after case folding) is
/// [`RepositoryError::Duplicate`] and stores nothing.
pub async fn inserting_a_user_with_a_taken_username_is_a_duplicate(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    // `Username` folds case, so "ALICE" is the same name.
    let twin = user("ALICE");

    let result = repos.users.insert(&twin).await;

    assert_err!(result, RepositoryError::Duplicate(Entity::User), "insert with a taken username");
    assert_eq!(repos.users.get(twin.id).await.expect("get succeeds"), None, "nothing stored");
    let found = repos.users.find_by_username(&username("alice")).await.expect("find succeeds");
    assert_eq!(found, Some(alice), "the username still belongs to the first user");
}

/// `find_by_username` returns the user with that name, and `None` for a name nobody has.
pub async fn a_user_can_be_found_by_username(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    stored_user(&repos, user("bob")).await;

    let found = repos.users.find_by_username(&username("Alice")).await.expect("find succeeds");
    let missing = repos.users.find_by_username(&username("carol")).await.expect("find succeeds");

    assert_eq!(found, Some(alice), "find_by_username returns the user with that name");
    assert_eq!(missing, None, "find_by_username of an unknown name returns None");
}

/// `list` returns up to `limit` users ordered by username, strictly after `after`.
pub async fn users_are_listed_by_username_after_the_given_one(repos: Repositories) {
    let carol = stored_user(&repos, user("carol")).await;
    let alice = stored_user(&repos, user("alice")).await;
    let dave = stored_user(&repos, user("dave")).await;
    let bob = stored_user(&repos, user("bob")).await;
    let names = |users: &[User]| users.iter().map(|u| u.username.to_string()).collect::<Vec<_>>();

    let all = repos.users.list(None, 10).await.expect("list succeeds");
    let first_two = repos.users.list(None, 2).await.expect("list succeeds");
    let after_bob = repos.users.list(Some(&bob.username), 10).await.expect("list succeeds");
    let after_gap = repos.users.list(Some(&username("bzz")), 1).await.expect("list succeeds");
    let after_last = repos.users.list(Some(&dave.username), 10).await.expect("list succeeds");

    assert_eq!(all, [alice.clone(), bob, carol.clone(), dave.clone()], "every user, by username");
    assert_eq!(names(&first_two), ["alice", "bob"], "at most `limit` users, from the start");
    assert_eq!(names(&after_bob), ["carol", "dave"], "strictly after `after`");
    assert_eq!(
        names(&after_gap),
        ["carol"],
        "`after` is a position: it need not be a stored username"
    );
    assert!(after_last.is_empty(), "nothing after the last username, got {:?}", names(&after_last));
}

/// `usernames` maps each known id to its username, leaves unknown ids out, accepts
/// duplicates, and answers an empty request with an empty map.
pub async fn usernames_maps_known_ids_and_leaves_unknown_ones_out(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let bob = stored_user(&repos, user("bob")).await;
    stored_user(&repos, user("carol")).await;
    let nobody = UserId::new();

    let found = repos
        .users
        .usernames(&[bob.id, nobody, alice.id, bob.id])
        .await
        .expect("usernames succeeds");
    let none = repos.users.usernames(&[]).await.expect("usernames of nothing succeeds");

    let expected = std::collections::HashMap::from([
        (alice.id, alice.username.clone()),
        (bob.id, bob.username.clone()),
    ]);
    assert_eq!(found, expected, "exactly the known ids, each with its username");
    assert!(none.is_empty(), "no ids, no names: {none:?}");
}

/// `count_with_role` counts the users with exactly that role.
pub async fn count_with_role_counts_the_users_with_that_role(repos: Repositories) {
    stored_user(&repos, user_with_role("root", Role::Admin)).await;
    stored_user(&repos, user_with_role("boss", Role::Admin)).await;
    stored_user(&repos, user_with_role("alice", Role::Editor)).await;

    let admins = repos.users.count_with_role(Role::Admin).await.expect("count succeeds");
    let editors = repos.users.count_with_role(Role::Editor).await.expect("count succeeds");
    let viewers = repos.users.count_with_role(Role::Viewer).await.expect("count succeeds");

    assert_eq!((admins, editors, viewers), (2, 1, 0), "users per role (admin, editor, viewer)");
}

/// `update` replaces the stored username, email, password hash and role.
pub async fn updating_a_user_replaces_username_email_hash_and_role(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let changed = User {
        username: username("alicia"),
        email: Some(EmailAddress::parse("alicia@example.com").expect("valid email")),
        password_hash: PasswordHash::parse("$pbkdf2-sha256$i=2,l=32$bmV3$bmV3").expect("valid"),
        role: Role::Viewer,
        ..alice.clone()
    };

    repos.users.update(&changed).await.expect("update succeeds");

    let stored = repos.users.get(alice.id).await.expect("get succeeds");
    assert_eq!(stored, Some(changed.clone()), "every replaced field is stored");
    let by_new = repos.users.find_by_username(&username("alicia")).await.expect("find succeeds");
    assert_eq!(by_new, Some(changed), "the user is found under the new username");
    let by_old = repos.users.find_by_username(&username("alice")).await.expect("find succeeds");
    assert_eq!(by_old, None, "the old username is free again");
    let no_email = User { email: None, ..alice };
    repos.users.update(&no_email).await.expect("update succeeds");
    let stored = repos.users.get(no_email.id).await.expect("get succeeds");
    assert_eq!(stored, Some(no_email), "the email can be cleared");
}

/// `update` replaces only the username, email, password hash and role: the stored
/// `created_at` stays.
pub async fn updating_a_user_keeps_their_created_at(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let changed = User { role: Role::Admin, created_at: at(999), ..alice.clone() };

    repos.users.update(&changed).await.expect("update succeeds");

    let stored = repos.users.get(alice.id).await.expect("get succeeds");
    let expected = User { created_at: alice.created_at, ..changed };
    assert_eq!(stored, Some(expected), "the role is replaced, created_at is not");
}

/// `update` to a username another user has is [`RepositoryError::Duplicate`] and changes
/// nothing.
pub async fn updating_a_user_to_a_taken_username_is_a_duplicate(repos: Repositories) {
    let alice = stored_user(&repos, user("alice")).await;
    let bob = stored_user(&repos, user("bob")).await;
    let clash = User { username: username("alice"), role: Role::Admin, ..bob.clone() };

    let result = repos.users.update(&clash).await;

    assert_err!(result, RepositoryError::Duplicate(Entity::User), "update to a taken username");
    assert_eq!(repos.users.get(bob.id).await.expect("get"), Some(bob), "bob is unchanged");
    assert_eq!(repos.users.get(alice.id).await.expect("get"), Some(alice), "alice is unchanged");
}

/// `update` of an id nobody has is [`RepositoryError::NotFound`] and stores nothing.
pub async fn updating_an_unknown_user_is_not_found(repos: Repositories) {
    let ghost = user("ghost");

    let result = repos.users.update(&ghost).await;

    assert_err!(result, RepositoryError::NotFound(Entity::User), "update of an unknown user");
    assert_eq!(repos.users.get(ghost.id).await.expect("get"), None, "update did not insert");
}

/// `delete` removes the user, their project memberships and their refresh tokens.
pub async fn deleting_a_user_removes_their_memberships_and_refresh_tokens(repos: Repositories) {
    let (owner, project) = owner_and_project(&repos, "owner", "Shared").await;
    let dave = stored_member(&repos, &project, "dave").await;
    let dave_token = stored_token(&repos, refresh_token(&dave, TokenFamilyId::new(), at(0))).await;
    let owner_token =
        stored_token(&repos, refresh_token(&owner, TokenFamilyId::new(), at(0))).await;

    repos.users.delete(dave.id, at(60)).await.expect("delete succeeds");

    assert_eq!(repos.users.get(dave.id).await.expect("get"), None, "the user is gone");
    let found = repos.users.find_by_username(&dave.username).await.expect("find succeeds");
    assert_eq!(found, None, "the username is gone too");
    let member = repos.projects.is_member(project.id, dave.id).await.expect("is_member works");
    assert!(!member, "the deleted user is no longer a member");
    let members = repos.projects.members(project.id).await.expect("members succeeds");
    let ids: Vec<UserId> = members.iter().map(|m| m.user_id).collect();
    assert_eq!(ids, [owner.id], "only the owner is left among the members");
    let token = repos.refresh_tokens.find(&dave_token.digest).await.expect("find succeeds");
    assert_eq!(token, None, "the deleted user's refresh tokens are deleted");
    let kept = repos.refresh_tokens.find(&owner_token.digest).await.expect("find succeeds");
    assert_eq!(kept, Some(owner_token), "other users' refresh tokens stay");
}

/// `delete` un-assigns the user from every task (version +1, `updated_at = at`), leaves
/// other tasks alone, and tasks they created keep their `created_by`.
pub async fn deleting_a_user_unassigns_them_from_every_task(repos: Repositories) {
    let (owner, first) = owner_and_project(&repos, "owner", "First").await;
    let second =
        super::fixtures::stored_project(&repos, super::fixtures::project(&owner, "Second")).await;
    let dave = stored_member(&repos, &first, "dave").await;
    repos.projects.add_member(second.id, dave.id, at(0)).await.expect("add_member succeeds");
    let in_first = stored_task(
        &repos,
        Task { assignee_id: Some(dave.id), ..task(&first, &owner, "Assigned in first") },
    )
    .await;
    let in_second = stored_task(
        &repos,
        Task { assignee_id: Some(dave.id), ..task(&second, &owner, "Assigned in second") },
    )
    .await;
    let created_by_dave = stored_task(
        &repos,
        Task { assignee_id: Some(owner.id), ..task(&first, &dave, "Created by dave") },
    )
    .await;
    let unassigned = stored_task(&repos, task(&first, &owner, "Nobody's")).await;
    let when = at(3_600);

    repos.users.delete(dave.id, when).await.expect("delete succeeds");

    for before in [&in_first, &in_second] {
        let after = stored_task_by_id(&repos, before.id).await;
        let expected = Task {
            assignee_id: None,
            version: before.version.next(),
            updated_at: when,
            ..before.clone()
        };
        assert_eq!(after, expected, "{}: unassigned, version +1, updated_at = at", before.title);
    }
    let kept = stored_task_by_id(&repos, created_by_dave.id).await;
    assert_eq!(kept, created_by_dave, "a task the user created keeps its created_by, unchanged");
    let untouched = stored_task_by_id(&repos, unassigned.id).await;
    assert_eq!(untouched, unassigned, "a task that was not assigned to them is unchanged");
}

/// `delete` of a user who owns a project is [`RepositoryError::InUse`] and changes nothing:
/// the user, their memberships, assignments and refresh tokens stay.
pub async fn deleting_a_project_owner_is_in_use_and_changes_nothing(repos: Repositories) {
    let (other, elsewhere) = owner_and_project(&repos, "other", "Elsewhere").await;
    let (alice, owned) = owner_and_project(&repos, "alice", "Owned").await;
    repos.projects.add_member(elsewhere.id, alice.id, at(1)).await.expect("add_member works");
    let assigned = stored_task(
        &repos,
        Task { assignee_id: Some(alice.id), ..task(&elsewhere, &other, "Assigned to alice") },
    )
    .await;
    let token = stored_token(&repos, refresh_token(&alice, TokenFamilyId::new(), at(0))).await;

    let result = repos.users.delete(alice.id, at(60)).await;

    assert_err!(result, RepositoryError::InUse(Entity::User), "delete of a project owner");
    assert_eq!(repos.users.get(alice.id).await.expect("get"), Some(alice.clone()), "user stays");
    for project in [&owned, &elsewhere] {
        let member = repos.projects.is_member(project.id, alice.id).await.expect("is_member");
        assert!(member, "alice is still a member of {}", project.name);
    }
    let task = stored_task_by_id(&repos, assigned.id).await;
    assert_eq!(task, assigned, "her assignment and the task's version are unchanged");
    let kept = repos.refresh_tokens.find(&token.digest).await.expect("find succeeds");
    assert_eq!(kept, Some(token), "her refresh tokens stay");
}

/// `delete` of an id nobody has is [`RepositoryError::NotFound`].
pub async fn deleting_an_unknown_user_is_not_found(repos: Repositories) {
    stored_user(&repos, user("alice")).await;

    let result = repos.users.delete(UserId::new(), at(60)).await;

    assert_err!(result, RepositoryError::NotFound(Entity::User), "delete of an unknown user");
    let left = repos.users.list(None, 10).await.expect("list succeeds");
    assert_eq!(left.len(), 1, "no other user was deleted");
}

/// `update_keeping_another_admin` and `delete_keeping_another_admin` of the only admin are
/// [`RepositoryError::LastAdmin`] and leave the admin as stored.
pub async fn guarded_writes_of_the_only_admin_are_refused_and_change_nothing(repos: Repositories) {
    let root = stored_user(&repos, user_with_role("root", Role::Admin)).await;
    stored_user(&repos, user_with_role("alice", Role::Editor)).await;
    let demoted = User { role: Role::Editor, ..root.clone() };

    let update = repos.users.update_keeping_another_admin(&demoted).await;
    let delete = repos.users.delete_keeping_another_admin(root.id, at(1)).await;

    assert_err!(update, RepositoryError::LastAdmin, "demoting the only admin");
    assert_err!(delete, RepositoryError::LastAdmin, "deleting the only admin");
    let stored = repos.users.get(root.id).await.expect("get succeeds");
    assert_eq!(stored, Some(root), "the only admin is unchanged");
}

/// With a second admin the guarded writes apply — and once one admin is left, they stop.
pub async fn guarded_writes_apply_while_another_admin_remains(repos: Repositories) {
    let root = stored_user(&repos, user_with_role("root", Role::Admin)).await;
    let boss = stored_user(&repos, user_with_role("boss", Role::Admin)).await;

    let demoted_boss = User { role: Role::Viewer, ..boss.clone() };
    repos.users.update_keeping_another_admin(&demoted_boss).await.expect("root remains admin");
    let demoted_root = User { role: Role::Viewer, ..root.clone() };
    let refused = repos.users.update_keeping_another_admin(&demoted_root).await;
    repos.users.delete_keeping_another_admin(boss.id, at(1)).await.expect("root remains admin");

    assert_err!(refused, RepositoryError::LastAdmin, "root is the last admin");
    let admins = repos.users.count_with_role(Role::Admin).await.expect("count succeeds");
    assert_eq!(admins, 1, "exactly one admin is left");
    assert_eq!(repos.users.get(boss.id).await.expect("get succeeds"), None, "boss is deleted");
    assert_eq!(repos.users.get(root.id).await.expect("get succeeds"), Some(root), "root kept");
}

/// The guarded writes answer like the plain ones otherwise: an unknown user is not found, a
/// taken username a duplicate, and a project owner is in use.
pub async fn guarded_writes_keep_the_errors_of_the_plain_ones(repos: Repositories) {
    stored_user(&repos, user_with_role("root", Role::Admin)).await;
    let (owner, _project) = owner_and_project(&repos, "olga", "Olga's project").await;
    let alice = stored_user(&repos, user("alice")).await;

    let unknown = repos.users.update_keeping_another_admin(&user("nobody")).await;
    let taken = User { username: username("alice"), ..owner.clone() };
    let duplicate = repos.users.update_keeping_another_admin(&taken).await;
    let owner_deleted = repos.users.delete_keeping_another_admin(owner.id, at(1)).await;
    let gone = repos.users.delete_keeping_another_admin(UserId::new(), at(1)).await;

    assert_err!(unknown, RepositoryError::NotFound(Entity::User), "update of an unknown user");
    assert_err!(duplicate, RepositoryError::Duplicate(Entity::User), "update to a taken name");
    assert_err!(owner_deleted, RepositoryError::InUse(Entity::User), "delete of an owner");
    assert_err!(gone, RepositoryError::NotFound(Entity::User), "delete of an unknown user");
    let stored = repos.users.get(alice.id).await.expect("get succeeds");
    assert_eq!(stored, Some(alice), "alice is unchanged");
}
