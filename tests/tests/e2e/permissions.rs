//! The permissions matrix: every route × admin / editor-member / editor-non-member /
//! viewer-member / anonymous, with the status each must get, as one literal table.
//!
//! Each cell runs against a world arranged for it alone (a fresh project owned by `owner`
//! with `editor` and `viewer` as members, a fresh task, category or account), so no cell
//! depends on another's outcome. The table must name every route the OpenAPI document lists
//! — a route added without a row fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::collections::BTreeSet;

use e2e::{Caller, TestApp, id_of, task_body, unique};
use reqwest::Method;
use serde_json::{Value, json};

/// The columns of [`MATRIX`], in order.
const ACTORS: [&str; 5] =
    ["admin", "editor-member", "editor-non-member", "viewer-member", "anonymous"];

/// Method, path, and the status for each of [`ACTORS`]. `{public_id}` is a public task (the
/// same route as `{id}`, with a different answer for callers outside the project).
#[rustfmt::skip]
const MATRIX: &[(&str, &str, [u16; 5])] = &[
    //                                                      admin  ed-mem ed-non vw-mem  anon
    ("GET",    "/health",                                 [200,   200,   200,   200,   200]),
    ("GET",    "/ready",                                  [200,   200,   200,   200,   200]),
    ("GET",    "/metrics",                                [200,   200,   200,   200,   200]),
    ("GET",    "/api/v1/openapi.json",                    [200,   200,   200,   200,   200]),
    ("POST",   "/api/v1/auth/register",                   [201,   201,   201,   201,   201]),
    ("POST",   "/api/v1/auth/login",                      [200,   200,   200,   200,   200]),
    ("POST",   "/api/v1/auth/refresh",                    [200,   200,   200,   200,   200]),
    ("POST",   "/api/v1/auth/logout",                     [204,   204,   204,   204,   401]),
    ("GET",    "/api/v1/users/me",                        [200,   200,   200,   200,   401]),
    ("PUT",    "/api/v1/users/me/password",               [204,   204,   204,   204,   401]),
    ("GET",    "/api/v1/users",                           [200,   403,   403,   403,   401]),
    ("PATCH",  "/api/v1/users/{id}",                      [200,   403,   403,   403,   401]),
    ("DELETE", "/api/v1/users/{id}",                      [204,   403,   403,   403,   401]),
    ("POST",   "/api/v1/projects",                        [201,   201,   201,   403,   401]),
    ("GET",    "/api/v1/projects",                        [200,   200,   200,   200,   401]),
    ("GET",    "/api/v1/projects/{id}",                   [200,   200,   404,   200,   401]),
    ("PATCH",  "/api/v1/projects/{id}",                   [200,   403,   404,   403,   401]),
    ("DELETE", "/api/v1/projects/{id}",                   [204,   403,   404,   403,   401]),
    ("GET",    "/api/v1/projects/{id}/members",           [200,   200,   404,   200,   401]),
    ("PUT",    "/api/v1/projects/{id}/members/{user_id}", [204,   403,   404,   403,   401]),
    ("PUT",    "/api/v1/projects/{id}/members/by-username/{username}", [204, 403, 404, 403, 401]),
    ("DELETE", "/api/v1/projects/{id}/members/{user_id}", [204,   403,   404,   403,   401]),
    ("GET",    "/api/v1/categories",                      [200,   200,   200,   200,   401]),
    ("POST",   "/api/v1/categories",                      [201,   201,   201,   403,   401]),
    ("GET",    "/api/v1/categories/{id}",                 [200,   200,   200,   200,   401]),
    ("PATCH",  "/api/v1/categories/{id}",                 [200,   403,   403,   403,   401]),
    ("DELETE", "/api/v1/categories/{id}",                 [204,   403,   403,   403,   401]),
    ("POST",   "/api/v1/tasks",                           [201,   201,   404,   403,   401]),
    ("GET",    "/api/v1/tasks",                           [200,   200,   200,   200,   401]),
    ("GET",    "/api/v1/tasks/export",                    [200,   200,   200,   200,   401]),
    ("GET",    "/api/v1/reports/summary",                 [200,   200,   200,   200,   401]),
    ("GET",    "/api/v1/reports/top",                     [200,   200,   200,   200,   401]),
    ("GET",    "/api/v1/tasks/{id}",                      [200,   200,   404,   200,   401]),
    ("PATCH",  "/api/v1/tasks/{id}",                      [200,   200,   404,   403,   401]),
    ("DELETE", "/api/v1/tasks/{id}",                      [204,   204,   404,   403,   401]),
    ("POST",   "/api/v1/tasks/{id}/move",                 [200,   200,   404,   403,   401]),
    ("GET",    "/api/v1/tasks/{public_id}",               [200,   200,   200,   200,   401]),
    ("PATCH",  "/api/v1/tasks/{public_id}",               [200,   200,   403,   403,   401]),
    ("DELETE", "/api/v1/tasks/{public_id}",               [204,   204,   403,   403,   401]),
    ("POST",   "/api/v1/tasks/{public_id}/move",          [200,   200,   403,   403,   401]),
    ("GET",    "/api/v1/tasks/{id}/history",              [200,   200,   404,   200,   401]),
    ("GET",    "/api/v1/tasks/{public_id}/history",       [200,   200,   200,   200,   401]),
    ("GET",    "/api/v1/projects/{id}/activity",          [200,   200,   404,   200,   401]),
    ("POST",   "/api/v1/tasks/{id}/history/{entry_id}/revert",        [200, 200, 404, 403, 401]),
    ("POST",   "/api/v1/tasks/{public_id}/history/{entry_id}/revert", [200, 200, 403, 403, 401]),
    ("GET",    "/api/v1/trash",                           [200,   200,   404,   200,   401]),
    ("POST",   "/api/v1/tasks/{id}/restore",              [200,   200,   404,   403,   401]),
    ("POST",   "/api/v1/tasks/{public_id}/restore",       [200,   200,   404,   403,   401]),
    ("DELETE", "/api/v1/trash/{id}",                      [204,   403,   404,   403,   401]),
    // Anyone signed in may listen; what each caller is sent is decided per event.
    ("GET",    "/api/v1/events",                          [200,   200,   200,   200,   401]),
];

/// A project arranged for one cell, with a task in it (public or not).
async fn task_in_new_project(app: &TestApp, public: bool) -> (String, String) {
    let project = app.new_project().await;
    let task = app.new_task(&project, &json!({"is_public": public})).await;
    (project, id_of(&task))
}

/// The concrete request of one cell: the path with its ids filled in, and a body that would
/// be accepted from a caller allowed to make it.
async fn request_for(
    app: &TestApp,
    method: &str,
    route: &str,
    actor: &Caller,
) -> (String, Option<Value>) {
    let path = route.to_owned();
    match (method, route) {
        ("POST", "/api/v1/auth/register") => {
            (path, Some(json!({"username": unique("matrix"), "password": "matrix pass phrase"})))
        }
        ("POST", "/api/v1/auth/login") => {
            let user = app.new_user("editor").await;
            (path, Some(json!({"username": user.username, "password": user.password})))
        }
        ("POST", "/api/v1/auth/refresh") => {
            let user = app.new_user("editor").await;
            (path, Some(json!({"refresh_token": user.refresh_token})))
        }
        ("POST", "/api/v1/auth/logout") => {
            // The actor's own session (from the fixture login); anonymous callers present
            // someone's valid refresh token and must still be refused.
            let token = match &actor.refresh_token {
                Some(token) => token.clone(),
                None => app.new_user("editor").await.refresh_token.unwrap(),
            };
            (path, Some(json!({"refresh_token": token})))
        }
        ("PUT", "/api/v1/users/me/password") => {
            let new_password = format!("{} changed", actor.password);
            (path, Some(json!({"current_password": actor.password, "new_password": new_password})))
        }
        ("PATCH" | "DELETE", "/api/v1/users/{id}") => {
            let user = app.new_user("editor").await;
            (path.replace("{id}", &user.id), (method == "PATCH").then(|| json!({"role": "viewer"})))
        }
        ("POST", "/api/v1/projects") => (path, Some(json!({"name": unique("Matrix")}))),
        (_, "/api/v1/projects/{id}" | "/api/v1/projects/{id}/members") => {
            let project = app.new_project().await;
            (
                path.replace("{id}", &project),
                (method == "PATCH").then(|| json!({"name": unique("Renamed")})),
            )
        }
        (_, "/api/v1/projects/{id}/members/by-username/{username}") => {
            let project = app.new_project().await;
            let user = app.new_user("editor").await;
            (path.replace("{id}", &project).replace("{username}", &user.username), None)
        }
        (_, "/api/v1/projects/{id}/members/{user_id}") => {
            let project = app.new_project().await;
            let user = app.new_user("editor").await;
            if method == "DELETE" {
                app.add_member(&app.people.owner, &project, &user.id).await.expect(204);
            }
            (path.replace("{id}", &project).replace("{user_id}", &user.id), None)
        }
        ("POST", "/api/v1/categories") => (path, Some(json!({"name": unique("Matrix")}))),
        (_, "/api/v1/categories/{id}") => {
            let category = id_of(&app.new_category().await);
            (
                path.replace("{id}", &category),
                (method == "PATCH").then(|| json!({"name": unique("Renamed")})),
            )
        }
        ("POST", "/api/v1/tasks") => {
            let project = app.new_project().await;
            (path, Some(task_body(&project, &json!({}))))
        }
        (_, "/api/v1/tasks/{id}" | "/api/v1/tasks/{public_id}") => {
            let (_, task) = task_in_new_project(app, route.contains("public")).await;
            (
                format!("/api/v1/tasks/{task}"),
                (method == "PATCH").then(|| json!({"title": "Changed"})),
            )
        }
        (_, "/api/v1/tasks/{id}/move" | "/api/v1/tasks/{public_id}/move") => {
            let (_, task) = task_in_new_project(app, route.contains("public")).await;
            let target = app.new_project().await;
            (format!("/api/v1/tasks/{task}/move"), Some(json!({"project_id": target})))
        }
        (_, "/api/v1/tasks/{id}/history" | "/api/v1/tasks/{public_id}/history") => {
            let (_, task) = task_in_new_project(app, route.contains("public")).await;
            (format!("/api/v1/tasks/{task}/history"), None)
        }
        (_, "/api/v1/projects/{id}/activity") => {
            let project = app.new_project().await;
            (path.replace("{id}", &project), None)
        }
        (
            _,
            "/api/v1/tasks/{id}/history/{entry_id}/revert"
            | "/api/v1/tasks/{public_id}/history/{entry_id}/revert",
        ) => {
            let (_, task) = task_in_new_project(app, route.contains("public")).await;
            app.update_task(&app.people.owner, &task, &json!({"title": "Changed"}))
                .await
                .expect(200);
            let history = app.task_history(&app.people.owner, &task, "").await.expect(200);
            let entry = history["items"][0]["id"].as_u64().unwrap();
            (format!("/api/v1/tasks/{task}/history/{entry}/revert"), None)
        }
        (_, "/api/v1/trash") => {
            let project = app.new_project().await;
            (format!("/api/v1/trash?project_id={project}"), None)
        }
        (
            _,
            "/api/v1/tasks/{id}/restore"
            | "/api/v1/tasks/{public_id}/restore"
            | "/api/v1/trash/{id}",
        ) => {
            let (_, task) = task_in_new_project(app, route.contains("public")).await;
            app.delete_task(&app.people.owner, &task).await.expect(204);
            (path.replace("{id}", &task).replace("{public_id}", &task), None)
        }
        // Routes without ids or bodies: /health, /ready, /metrics, the OpenAPI document,
        // /users/me, and the listings.
        _ => (path, None),
    }
}

/// The keys of an OpenAPI path item that are operations.
const HTTP_METHODS: [&str; 8] =
    ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// `(METHOD, path)` of every row, `{public_id}` read as the `{id}` it stands for.
fn matrix_routes() -> BTreeSet<(String, String)> {
    MATRIX.iter().map(|(m, p, _)| ((*m).to_owned(), p.replace("{public_id}", "{id}"))).collect()
}

#[tokio::test]
async fn every_route_answers_each_kind_of_caller_with_the_status_of_the_matrix() {
    // Arrange: a server of its own (the cells change passwords and delete accounts), whose
    // event streams end after a second, so a 200 from `GET /api/v1/events` is read to its end.
    let app = TestApp::spawn_with(&[("TASKFORGE_EVENTS_MAX_AGE", "1s")]).await;
    let p = &app.people;
    let actors = [&p.admin, &p.editor, &p.outsider, &p.viewer, &p.anonymous];
    let mut mismatches = Vec::new();
    for (method, route, expected) in MATRIX {
        for ((actor_name, actor), want) in ACTORS.iter().zip(actors).zip(expected) {
            let (path, body) = request_for(&app, method, route, actor).await;
            // Act
            let mut call =
                app.call(Method::from_bytes(method.as_bytes()).unwrap(), path.clone()).by(actor);
            if let Some(body) = &body {
                call = call.json(body);
            }
            let reply = call.send().await;
            // Assert (collected, so one run reports every wrong cell)
            if reply.status != *want {
                mismatches.push(format!(
                    "{method} {route} as {actor_name}: expected {want}, got {} ({path}): {}",
                    reply.status,
                    reply.text()
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} cells differ from the matrix:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[tokio::test]
async fn the_matrix_has_a_row_for_every_route_of_the_openapi_document_and_no_other() {
    // Arrange
    let app = TestApp::shared().await;
    // Act
    let doc = app.openapi().await.expect(200);
    // Assert
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            let methods =
                item.as_object().unwrap().keys().filter(|k| HTTP_METHODS.contains(&k.as_str()));
            methods.map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let rows = matrix_routes();
    let missing: Vec<_> = documented.difference(&rows).collect();
    let extra: Vec<_> = rows.difference(&documented).collect();
    assert!(missing.is_empty(), "routes without a row in the matrix: {missing:?}");
    assert!(extra.is_empty(), "rows for routes the document does not list: {extra:?}");
}
