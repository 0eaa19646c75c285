//! The refusals every route shares, route by route: 401 without a token, with a malformed,
//! forged or `alg: none` token and with the token of a deleted user; 415, 400 and 413 for
//! bodies that are not JSON, not parsable, carry an unknown field or are too large; 422 for
//! well-formed but invalid values; 400 for bad query parameters — and after each, the world
//! is exactly as it was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::{Caller, TestApp, id_of, unique};
use reqwest::Method;
use serde_json::{Value, json};

/// What a test arranges: two projects (the second one the target of moves), a task, a
/// category, and an account `user` that routes about users act on. Every name carries `tag`.
struct World {
    tag: String,
    project: String,
    other_project: String,
    task: String,
    category: String,
    user: Caller,
}

async fn world(app: &TestApp) -> World {
    let tag = unique("refusal");
    let project = app.new_project().await;
    let other_project = app.new_project().await;
    let task = id_of(&app.new_task(&project, &json!({"title": tag})).await);
    let category =
        id_of(&app.create_category(&app.people.admin, &json!({"name": tag})).await.expect(201));
    let user = app.new_user("viewer").await;
    World { tag, project, other_project, task, category, user }
}

/// A route, concretely: method, path, and a valid body if it takes one.
type Route = (Method, String, Option<Value>);

/// Every route that needs an access token, with a body that would be accepted.
fn authenticated_routes(w: &World, people: &e2e::People) -> Vec<Route> {
    let (p, q, t, c, u, tag) =
        (&w.project, &w.other_project, &w.task, &w.category, &w.user, &w.tag);
    vec![
        (Method::GET, "/api/v1/users/me".into(), None),
        (
            Method::PUT,
            "/api/v1/users/me/password".into(),
            Some(
                json!({"current_password": people.admin.password, "new_password": "a whole new pass phrase"}),
            ),
        ),
        (
            Method::POST,
            "/api/v1/auth/logout".into(),
            Some(json!({"refresh_token": u.refresh_token})),
        ),
        (Method::GET, "/api/v1/users".into(), None),
        (Method::PATCH, format!("/api/v1/users/{}", u.id), Some(json!({"role": "admin"}))),
        (Method::DELETE, format!("/api/v1/users/{}", u.id), None),
        (Method::POST, "/api/v1/projects".into(), Some(json!({"name": tag}))),
        (Method::GET, "/api/v1/projects".into(), None),
        (Method::GET, format!("/api/v1/projects/{p}"), None),
        (Method::PATCH, format!("/api/v1/projects/{p}"), Some(json!({"name": tag}))),
        (Method::DELETE, format!("/api/v1/projects/{p}"), None),
        (Method::GET, format!("/api/v1/projects/{p}/members"), None),
        (Method::PUT, format!("/api/v1/projects/{p}/members/{}", u.id), None),
        (Method::DELETE, format!("/api/v1/projects/{p}/members/{}", people.viewer.id), None),
        (Method::GET, "/api/v1/categories".into(), None),
        (Method::POST, "/api/v1/categories".into(), Some(json!({"name": format!("{tag}-new")}))),
        (Method::GET, format!("/api/v1/categories/{c}"), None),
        (
            Method::PATCH,
            format!("/api/v1/categories/{c}"),
            Some(json!({"name": format!("{tag}-renamed")})),
        ),
        (Method::DELETE, format!("/api/v1/categories/{c}"), None),
        (Method::POST, "/api/v1/tasks".into(), Some(json!({"project_id": p, "title": tag}))),
        (Method::GET, "/api/v1/tasks".into(), None),
        (Method::GET, format!("/api/v1/tasks/{t}"), None),
        (Method::PATCH, format!("/api/v1/tasks/{t}"), Some(json!({"title": "changed"}))),
        (Method::DELETE, format!("/api/v1/tasks/{t}"), None),
        (Method::POST, format!("/api/v1/tasks/{t}/move"), Some(json!({"project_id": q}))),
    ]
}

/// The routes anyone may call that take a body.
fn public_routes_with_bodies(w: &World) -> Vec<Route> {
    let u = &w.user;
    vec![
        (
            Method::POST,
            "/api/v1/auth/register".into(),
            Some(json!({"username": format!("{}-reg", w.tag), "password": "a long pass phrase"})),
        ),
        (
            Method::POST,
            "/api/v1/auth/login".into(),
            Some(json!({"username": u.username, "password": u.password})),
        ),
        (
            Method::POST,
            "/api/v1/auth/refresh".into(),
            Some(json!({"refresh_token": u.refresh_token})),
        ),
    ]
}

/// Everything a refused request could have changed, read back.
async fn snapshot(app: &TestApp, w: &World) -> Vec<Value> {
    let admin = &app.people.admin;
    let mut state = vec![
        app.get_task(admin, &w.task).await.expect(200),
        app.list_tasks(admin, &format!("project_id={}", w.project)).await.expect(200),
        app.list_tasks(admin, &format!("project_id={}", w.other_project)).await.expect(200),
        app.list_tasks(admin, &format!("q={}&limit=200", w.tag)).await.expect(200),
        app.get_project(admin, &w.project).await.expect(200),
        app.list_members(admin, &w.project).await.expect(200),
        app.get_category(admin, &w.category).await.expect(200),
        app.me(&w.user).await.expect(200),
    ];
    let categories = app.list_categories(admin, "limit=200").await.expect(200);
    let tagged: Vec<Value> = categories["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"].as_str().unwrap().contains(&w.tag))
        .cloned()
        .collect();
    state.push(Value::Array(tagged));
    state.push(Value::Array(tagged_projects(app, &w.tag).await));
    state
}

/// The projects (of anyone) whose name holds `tag`, walking the admin's list (bounded).
async fn tagged_projects(app: &TestApp, tag: &str) -> Vec<Value> {
    let mut found = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let query =
            cursor.as_ref().map_or("limit=200".to_owned(), |c| format!("limit=200&cursor={c}"));
        let page = app.list_projects(&app.people.admin, &query).await.expect(200);
        found.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["name"].as_str().unwrap().contains(tag))
                .cloned(),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return found,
        }
    }
    panic!("more than 100 pages of projects");
}

/// The same claims as `token` with `role` set to admin, under the original signature.
fn escalated(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT");
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["role"] = json!("admin");
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

/// `token`'s claims, unsigned, under `{"alg":"none"}`.
fn unsigned(token: &str) -> String {
    let payload = token.split('.').nth(1).unwrap();
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    format!("{header}.{payload}.")
}

#[tokio::test]
async fn every_authenticated_route_is_401_for_missing_malformed_forged_and_deleted_users_tokens_and_changes_nothing()
 {
    // Arrange
    let app = TestApp::shared().await;
    let w = world(&app).await;
    let deleted = app.new_user("editor").await;
    app.delete_user(&app.people.admin, &deleted.id).await.expect(204);
    let viewer_token = app.people.viewer.token.clone().unwrap();
    let mut wrong_signature = viewer_token.clone();
    let last = wrong_signature.pop().unwrap();
    wrong_signature.push(if last == 'A' { 'B' } else { 'A' });
    let credentials: Vec<(&str, Option<String>)> = vec![
        ("no Authorization header", None),
        ("a token that is not a JWT", Some("Bearer not-a-token".into())),
        ("another scheme", Some("Basic dXNlcjpwYXNzd29yZA==".into())),
        ("an empty bearer token", Some("Bearer ".into())),
        ("a changed signature", Some(format!("Bearer {wrong_signature}"))),
        (
            "a viewer's token edited to say admin",
            Some(format!("Bearer {}", escalated(&viewer_token))),
        ),
        ("an unsigned alg:none token", Some(format!("Bearer {}", unsigned(&viewer_token)))),
        ("a deleted user's token", Some(format!("Bearer {}", deleted.token.clone().unwrap()))),
    ];
    let before = snapshot(&app, &w).await;
    for (method, path, body) in authenticated_routes(&w, &app.people) {
        for (what, authorization) in &credentials {
            // Act
            let mut call = app.call(method.clone(), path.clone());
            if let Some(value) = authorization {
                call = call.header("authorization", value);
            }
            if let Some(body) = &body {
                call = call.json(body);
            }
            let reply = call.send().await;
            // Assert
            assert_eq!(reply.status, 401, "{method} {path} with {what}: {}", reply.text());
        }
    }
    assert_eq!(snapshot(&app, &w).await, before);
}

#[tokio::test]
async fn every_route_with_a_body_refuses_non_json_unparsable_unknown_fields_and_oversized_bodies_and_changes_nothing()
 {
    // Arrange
    let app = TestApp::shared().await;
    let w = world(&app).await;
    let mut routes: Vec<(Method, String, Value, bool)> = Vec::new();
    for (method, path, body) in authenticated_routes(&w, &app.people) {
        if let Some(body) = body {
            routes.push((method, path, body, true));
        }
    }
    for (method, path, body) in public_routes_with_bodies(&w) {
        routes.push((method, path, body.unwrap(), false));
    }
    assert_eq!(routes.len(), 13, "every documented route that takes a body");
    let before = snapshot(&app, &w).await;
    let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(65 * 1024));
    for (method, path, body, needs_token) in &routes {
        let who = if *needs_token { &app.people.admin } else { &app.people.anonymous };
        let call = || app.call(method.clone(), path.clone()).by(who);
        let what = format!("{method} {path}");
        // Act + Assert
        let json_text = serde_json::to_vec(body).unwrap();
        assert_eq!(
            call().body(Some("text/plain"), json_text.clone()).send().await.status,
            415,
            "{what}: text/plain"
        );
        assert_eq!(
            call().body(None, json_text).send().await.status,
            415,
            "{what}: no Content-Type"
        );
        let broken = call().body(Some("application/json"), "{\"name\":").send().await;
        assert_eq!(broken.status, 400, "{what}: unparsable");
        let array = call().body(Some("application/json"), "[]").send().await;
        assert_eq!(array.status, 400, "{what}: an array, not an object");
        let mut with_unknown = body.clone();
        with_unknown["colour"] = json!("red");
        let unknown = call().json(&with_unknown).send().await;
        assert_eq!(unknown.status, 400, "{what}: unknown field");
        assert_eq!(unknown.error_fields(), ["colour"], "{what}: the unknown field is named");
        let too_large = call().body(Some("application/json"), huge.clone()).send().await;
        assert_eq!(too_large.status, 413, "{what}: over 64 KiB");
    }
    assert_eq!(snapshot(&app, &w).await, before);
    // Nothing was registered, and the admin's password is unchanged.
    let register = json!({"username": format!("{}-reg", w.tag), "password": "a long pass phrase"});
    app.register(&register).await.expect(201);
    let admin = &app.people.admin;
    app.login(&admin.username, &admin.password).await.expect(200);
}

#[tokio::test]
async fn well_formed_but_invalid_values_are_422_naming_the_field_on_every_route_that_checks_values()
{
    // Arrange
    let app = TestApp::shared().await;
    let w = world(&app).await;
    let admin = &app.people.admin;
    let (p, t, c, u) = (&w.project, &w.task, &w.category, &w.user.id);
    // Login, refresh and logout take opaque credentials: they compare, never validate, so a
    // bad value there is a 401 (login, refresh) or changes nothing (logout), never a 422.
    let cases: Vec<(Method, String, Value, &[&str])> = vec![
        (
            Method::POST,
            "/api/v1/auth/register".into(),
            json!({"username": "x", "password": "short"}),
            &["username", "password"],
        ),
        (
            Method::PUT,
            "/api/v1/users/me/password".into(),
            json!({"current_password": admin.password, "new_password": "short"}),
            &["new_password"],
        ),
        (Method::PATCH, format!("/api/v1/users/{u}"), json!({"role": "boss"}), &["role"]),
        (Method::POST, "/api/v1/projects".into(), json!({"name": ""}), &["name"]),
        (Method::PATCH, format!("/api/v1/projects/{p}"), json!({"name": null}), &["name"]),
        (Method::POST, "/api/v1/categories".into(), json!({"name": ""}), &["name"]),
        (Method::PATCH, format!("/api/v1/categories/{c}"), json!({"name": " "}), &["name"]),
        (Method::POST, "/api/v1/tasks".into(), json!({"project_id": p, "title": ""}), &["title"]),
        (
            Method::PATCH,
            format!("/api/v1/tasks/{t}"),
            json!({"priority": "someday"}),
            &["priority"],
        ),
        (
            Method::POST,
            format!("/api/v1/tasks/{t}/move"),
            json!({"project_id": "nope"}),
            &["project_id"],
        ),
    ];
    let before = snapshot(&app, &w).await;
    for (method, path, body, fields) in cases {
        let who = if path.ends_with("/register") { &app.people.anonymous } else { admin };
        // Act
        let reply = app.call(method.clone(), path.clone()).by(who).json(&body).send().await;
        // Assert
        assert_eq!(reply.status, 422, "{method} {path}: {}", reply.text());
        assert_eq!(reply.error_fields(), fields, "{method} {path}");
    }
    assert_eq!(snapshot(&app, &w).await, before);
    app.login(&admin.username, &admin.password).await.expect(200);
}

#[tokio::test]
async fn unknown_and_invalid_query_parameters_of_every_listing_are_400_naming_them() {
    let app = TestApp::shared().await;
    let admin = &app.people.admin;
    for listing in ["/api/v1/tasks", "/api/v1/projects", "/api/v1/users"] {
        for (query, name) in [
            ("colour=red", "colour"),
            ("limit=0", "limit"),
            ("limit=x", "limit"),
            ("cursor=%00", "cursor"),
        ] {
            let path = format!("{listing}?{query}");
            let reply = app.call(Method::GET, path.clone()).by(admin).send().await;
            assert_eq!(reply.status, 400, "{path}");
            assert_eq!(reply.error_fields(), [name], "{path}");
            let detail = reply.json()["detail"].as_str().unwrap().to_owned();
            assert!(detail.contains(name), "{path}: {detail}");
        }
    }
}

#[tokio::test]
async fn pathological_bodies_are_400_and_a_charset_parameter_is_accepted() {
    // Arrange
    let app = TestApp::shared().await;
    let owner = &app.people.owner;
    let create = |content_type: &str, body: Vec<u8>| {
        app.call(Method::POST, "/api/v1/projects").by(owner).body(Some(content_type), body)
    };
    let nested_arrays = format!("{}{}", "[".repeat(30_000), "]".repeat(30_000));
    let nested_objects = format!("{{\"name\":{}{}}}", "{\"a\":".repeat(5_000), "}".repeat(5_000));
    let not_utf8 = b"{\"name\":\"\xff\xfe\"}".to_vec();
    // Act + Assert
    for (what, body) in [
        ("arrays nested 30,000 deep", nested_arrays.into_bytes()),
        ("objects nested 5,000 deep", nested_objects.into_bytes()),
        ("bytes that are not UTF-8", not_utf8),
        ("an empty body", Vec::new()),
        ("a bare string", b"\"name\"".to_vec()),
        ("null", b"null".to_vec()),
    ] {
        let reply = create("application/json", body).send().await;
        assert_eq!(reply.status, 400, "{what}: {}", reply.text());
    }
    let name = unique("Charset");
    let body = serde_json::to_vec(&json!({"name": name})).unwrap();
    let created = create("application/json; charset=utf-8", body).send().await;
    assert_eq!(created.expect(201)["name"], name.as_str());
}
