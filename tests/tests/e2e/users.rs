//! Accounts: the caller's own account, and user management for admins (list, change role,
//! delete) — with a demoted or deleted user losing their rights at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use e2e::{TestApp, id_of};
use serde_json::{Value, json};

fn usernames(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().into())
        .collect()
}

#[tokio::test]
async fn me_is_the_caller_without_any_secret() {
    // Arrange
    let app = TestApp::shared().await;
    let viewer = &app.people.viewer;
    // Act
    let reply = app.me(viewer).await;
    // Assert
    let me = reply.expect(200);
    assert_eq!(me["id"], viewer.id.as_str());
    assert_eq!(me["username"], "viewer");
    assert_eq!(me["role"], "viewer");
    for secret in ["password", "pbkdf2", viewer.password.as_str()] {
        assert!(!reply.text().contains(secret), "{secret} in {}", reply.text());
    }
    app.me(&app.people.anonymous).await.expect(401);
}

#[tokio::test]
async fn only_admins_list_users_page_by_page_in_username_order() {
    // Arrange
    let app = TestApp::shared().await;
    let p = &app.people;
    // Act
    let first = app.list_users(&p.admin, "limit=2").await.expect(200);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let second = app.list_users(&p.admin, &format!("limit=2&cursor={cursor}")).await.expect(200);
    // Assert
    let mut names = usernames(&first);
    names.extend(usernames(&second));
    assert_eq!(names.len(), 4);
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(names, sorted, "ascending, no repeats across pages");
    for who in [&p.owner, &p.editor, &p.outsider, &p.viewer] {
        app.list_users(who, "").await.expect(403);
    }
    app.list_users(&p.anonymous, "").await.expect(401);
    for (query, name) in [("limit=0", "limit"), ("limit=500", "limit"), ("sort=name", "sort")] {
        let reply = app.list_users(&p.admin, query).await;
        reply.expect(400);
        assert_eq!(reply.error_fields(), [name], "{query}");
    }
}

#[tokio::test]
async fn a_demoted_user_loses_their_rights_with_the_token_they_already_hold() {
    // Arrange
    let app = TestApp::shared().await;
    let user = app.new_user("editor").await;
    app.create_project(&user, &json!({"name": "Before"})).await.expect(201);
    // Act
    let changed = app.set_role(&app.people.admin, &user.id, "viewer").await;
    // Assert
    assert_eq!(changed.expect(200)["role"], "viewer");
    app.create_project(&user, &json!({"name": "After"})).await.expect(403);
    assert_eq!(app.me(&user).await.expect(200)["role"], "viewer");
}

#[tokio::test]
async fn changing_a_role_is_refused_to_non_admins_and_bad_values_and_changes_nothing() {
    // Arrange
    let app = TestApp::shared().await;
    let user = app.new_user("viewer").await;
    let p = &app.people;
    // Act + Assert
    app.set_role(&p.owner, &user.id, "admin").await.expect(403);
    app.set_role(&user, &user.id, "admin").await.expect(403);
    app.set_role(&p.anonymous, &user.id, "admin").await.expect(401);
    let invalid = app.set_role(&p.admin, &user.id, "boss").await;
    invalid.expect(422);
    assert_eq!(invalid.error_fields(), ["role"]);
    let path = format!("/api/v1/users/{}", user.id);
    let unknown = app
        .call(reqwest::Method::PATCH, path)
        .by(&p.admin)
        .json(&json!({"role": "admin", "admin": true}))
        .send()
        .await;
    unknown.expect(400);
    assert_eq!(unknown.error_fields(), ["admin"]);
    let ghost = uuid::Uuid::now_v7().to_string();
    app.set_role(&p.admin, &ghost, "editor").await.expect(404);
    app.set_role(&p.admin, "not-an-id", "editor").await.expect(400);
    assert_eq!(app.me(&user).await.expect(200)["role"], "viewer");
}

#[tokio::test]
async fn a_deleted_user_is_locked_out_at_once() {
    // Arrange
    let app = TestApp::shared().await;
    let user = app.new_user("editor").await;
    let admin = &app.people.admin;
    app.delete_user(&app.people.owner, &user.id).await.expect(403);
    app.me(&user).await.expect(200);
    // Act
    let deleted = app.delete_user(admin, &user.id).await;
    // Assert
    deleted.expect(204);
    app.me(&user).await.expect(401);
    app.refresh(user.refresh_token.as_ref().unwrap()).await.expect(401);
    app.delete_user(admin, &user.id).await.expect(404);
    app.delete_user(&app.people.anonymous, &user.id).await.expect(401);
}

#[tokio::test]
async fn someone_who_owns_projects_cannot_be_deleted() {
    let app = TestApp::shared().await;
    let user = app.new_user("editor").await;
    app.create_project(&user, &json!({"name": "Mine"})).await.expect(201);
    app.delete_user(&app.people.admin, &user.id).await.expect(409);
    app.me(&user).await.expect(200);
}

#[tokio::test]
async fn the_last_admin_can_be_neither_demoted_nor_deleted() {
    // Arrange: a server of its own, with exactly one admin.
    let app = TestApp::spawn().await;
    let admin = &app.people.admin;
    // Act
    let demoted = app.set_role(admin, &admin.id, "editor").await;
    let deleted = app.delete_user(admin, &admin.id).await;
    // Assert
    demoted.expect(409);
    deleted.expect(409);
    assert_eq!(app.me(admin).await.expect(200)["role"], "admin");
}

#[tokio::test]
async fn deleting_a_member_keeps_the_tasks_they_created_and_unassigns_theirs() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let user = app.new_user("editor").await;
    let p = &app.people;
    app.add_member(&p.owner, &project, &user.id).await.expect(204);
    let body = json!({"project_id": project, "title": "Theirs", "assignee_id": user.id});
    let task = app.create_task(&user, &body).await.expect(201);
    // Act
    app.delete_user(&p.admin, &user.id).await.expect(204);
    // Assert
    let after = app.get_task(&p.editor, &id_of(&task)).await.expect(200);
    assert_eq!(after["title"], "Theirs");
    assert_eq!(after["created_by"], user.id.as_str());
    assert_eq!(after["assignee_id"], Value::Null);
    let members = app.list_members(&p.owner, &project).await.expect(200);
    assert!(members["items"].as_array().unwrap().iter().all(|m| m["user_id"] != user.id.as_str()));
}
