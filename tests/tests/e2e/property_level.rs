//! Property-level authorisation (OWASP API3:2023), end to end against the real binary.
//!
//! Two halves: a client cannot *write* a property the server owns (mass assignment — its role,
//! a task's author, version or project, a timestamp), because every request body is a DTO that
//! refuses unknown fields; and no response *reads out* a property the caller should not see
//! (a password hash, another user's secrets).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use e2e::{TestApp, id_of, task_body, unique};
use reqwest::Method;
use serde_json::{Value, json};

/// Every key of `value`, at any depth.
fn keys(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => {
            map.iter().flat_map(|(k, v)| std::iter::once(k.clone()).chain(keys(v))).collect()
        }
        Value::Array(items) => items.iter().flat_map(keys).collect(),
        _ => Vec::new(),
    }
}

#[tokio::test]
async fn server_owned_properties_cannot_be_set_through_any_body_and_nothing_changes() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let other_project = app.new_project().await;
    let task = app.new_task(&project, &json!({})).await;
    let task_id = id_of(&task);
    let editor = &app.people.editor;
    let admin = &app.people.admin;
    let username = unique("mass");
    let password = format!("{username}-long-password");
    let attempts: Vec<(Method, String, Value, &e2e::Caller, &str)> = vec![
        (
            Method::POST,
            "/api/v1/auth/register".into(),
            json!({"username": username, "password": password, "role": "admin"}),
            &app.people.anonymous,
            "role",
        ),
        (
            Method::POST,
            "/api/v1/tasks".into(),
            task_body(&project, &json!({"created_by": admin.id})),
            editor,
            "created_by",
        ),
        (
            Method::POST,
            "/api/v1/tasks".into(),
            task_body(&project, &json!({"id": task_id})),
            editor,
            "id",
        ),
        (
            Method::PATCH,
            format!("/api/v1/tasks/{task_id}"),
            json!({"version": 99}),
            editor,
            "version",
        ),
        (
            Method::PATCH,
            format!("/api/v1/tasks/{task_id}"),
            json!({"project_id": other_project}),
            editor,
            "project_id",
        ),
        (
            Method::PATCH,
            format!("/api/v1/tasks/{task_id}"),
            json!({"created_at": "2000-01-01T00:00:00Z"}),
            editor,
            "created_at",
        ),
        (
            Method::PATCH,
            format!("/api/v1/users/{}", editor.id),
            json!({"role": "editor", "password_hash": "x"}),
            admin,
            "password_hash",
        ),
    ];
    for (method, path, body, who, field) in &attempts {
        // Act
        let reply = app.call(method.clone(), path.clone()).by(who).json(body).send().await;
        // Assert: refused, naming the field.
        assert_eq!(reply.status, 400, "{method} {path} with {field}: {}", reply.text());
        assert_eq!(reply.error_fields(), [*field], "{method} {path}");
    }
    // Nothing happened: no account, the task as it was, the editor still an editor.
    app.login(&username, &password).await.expect(401);
    assert_eq!(app.get_task(editor, &task_id).await.expect(200), task);
    assert_eq!(app.me(editor).await.expect(200)["role"], "editor");
}

#[tokio::test]
async fn no_response_about_accounts_carries_a_password_or_hash() {
    // Arrange
    let app = TestApp::shared().await;
    let username = unique("exposure");
    let password = format!("{username}-long-password");
    let registered =
        app.register(&json!({"username": username, "password": password})).await.expect(201);
    let user = app.new_user("viewer").await;
    // Act
    let bodies = [
        registered,
        app.login(&username, &password).await.expect(200),
        app.me(&user).await.expect(200),
        app.list_users(&app.people.admin, "limit=200").await.expect(200),
        app.set_role(&app.people.admin, &user.id, "viewer").await.expect(200),
    ];
    // Assert
    for body in &bodies {
        let text = body.to_string();
        assert!(!text.contains(&password), "the password is echoed: {text}");
        assert!(!text.contains("pbkdf2"), "a hash is exposed: {text}");
        for key in keys(body) {
            assert!(!key.contains("password"), "a password property {key:?} in {text}");
        }
    }
}
