//! The OpenAPI document against the server: every documented route is answered (never 404
//! or 405), every other method on a documented path is 405 with `Allow` naming exactly the
//! documented ones, and paths the document does not list are 404. Also the operational
//! endpoints and the headers every response carries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e;

use std::collections::{BTreeMap, BTreeSet};

use e2e::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

/// The keys of an OpenAPI path item that are operations.
const HTTP_METHODS: [&str; 8] =
    ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The core routes of `docs/api.md` (export and reports are not in this list).
const CORE_ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/users/me"),
    ("PUT", "/api/v1/users/me/password"),
    ("GET", "/api/v1/users"),
    ("PATCH", "/api/v1/users/{id}"),
    ("DELETE", "/api/v1/users/{id}"),
    ("POST", "/api/v1/projects"),
    ("GET", "/api/v1/projects"),
    ("GET", "/api/v1/projects/{id}"),
    ("PATCH", "/api/v1/projects/{id}"),
    ("DELETE", "/api/v1/projects/{id}"),
    ("GET", "/api/v1/projects/{id}/members"),
    ("PUT", "/api/v1/projects/{id}/members/{user_id}"),
    ("PUT", "/api/v1/projects/{id}/members/by-username/{username}"),
    ("DELETE", "/api/v1/projects/{id}/members/{user_id}"),
    ("GET", "/api/v1/categories"),
    ("POST", "/api/v1/categories"),
    ("PATCH", "/api/v1/categories/{id}"),
    ("DELETE", "/api/v1/categories/{id}"),
    ("POST", "/api/v1/tasks"),
    ("GET", "/api/v1/tasks/{id}"),
    ("PATCH", "/api/v1/tasks/{id}"),
    ("DELETE", "/api/v1/tasks/{id}"),
    ("POST", "/api/v1/tasks/{id}/move"),
    ("GET", "/api/v1/tasks"),
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/metrics"),
    ("GET", "/api/v1/openapi.json"),
];

/// Documented path → its documented methods (upper case).
fn documented(doc: &Value) -> BTreeMap<String, BTreeSet<String>> {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, item)| {
            let methods = item
                .as_object()
                .unwrap()
                .keys()
                .filter(|k| HTTP_METHODS.contains(&k.as_str()))
                .map(|m| m.to_uppercase())
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

/// A documented path with its parameters filled in (ids no resource has).
fn concrete(path: &str) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    path.replace("{id}", &id).replace("{user_id}", &id)
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_covers_every_core_route() {
    let app = TestApp::shared().await;
    let reply = app.openapi().await;
    let doc = reply.expect(200);
    assert!(reply.header("content-type").unwrap().starts_with("application/json"));
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let routes = documented(&doc);
    for (method, path) in CORE_ROUTES {
        assert!(
            routes.get(*path).is_some_and(|m| m.contains(*method)),
            "{method} {path} is not documented"
        );
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}

#[tokio::test]
async fn every_documented_route_is_answered_and_never_with_404_or_405() {
    // Arrange: anonymous calls with unknown ids, so an answer of 404 could only mean the
    // route itself is missing (authenticated routes answer 401 before looking anything up).
    let app = TestApp::shared().await;
    let doc = app.openapi().await.expect(200);
    for (path, methods) in documented(&doc) {
        for method in methods {
            // Act
            let mut call =
                app.call(Method::from_bytes(method.as_bytes()).unwrap(), concrete(&path));
            if ["POST", "PUT", "PATCH"].contains(&method.as_str()) {
                call = call.json(&json!({}));
            }
            let reply = call.send().await;
            // Assert
            assert!(
                reply.status != 404 && reply.status != 405,
                "{method} {path} is documented but answered {}: {}",
                reply.status,
                reply.text()
            );
        }
    }
}

#[tokio::test]
async fn an_undocumented_method_on_a_documented_path_is_405_with_allow_naming_the_documented_ones()
{
    let app = TestApp::shared().await;
    let doc = app.openapi().await.expect(200);
    let admin = &app.people.admin;
    for (path, methods) in documented(&doc) {
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
            if methods.contains(method) {
                continue;
            }
            // Act (authenticated, so a 401 cannot hide the answer)
            let call = app.call(Method::from_bytes(method.as_bytes()).unwrap(), concrete(&path));
            let reply = call.by(admin).send().await;
            // Assert
            assert_eq!(reply.status, 405, "{method} {path}: {}", reply.text());
            let allowed: BTreeSet<String> =
                reply.header("allow").unwrap().split(',').map(|m| m.trim().to_owned()).collect();
            assert_eq!(allowed, methods, "Allow of {path}");
        }
    }
}

#[tokio::test]
async fn paths_the_document_does_not_list_are_404() {
    let app = TestApp::shared().await;
    let doc = app.openapi().await.expect(200);
    let listed = documented(&doc);
    let id = uuid::Uuid::now_v7();
    // Not `/`: it is the web interface's root (a redirect to the login page).
    for path in [
        "/api".to_owned(),
        "/api/v1".to_owned(),
        "/api/v1/".to_owned(),
        "/api/v2/tasks".to_owned(),
        "/api/v1/task".to_owned(),
        "/api/v1/tasks/".to_owned(),
        "/health/".to_owned(),
        "/api/v1/auth".to_owned(),
        "/api/v1/auth/token".to_owned(),
        "/api/v1/users/me/password/reset".to_owned(),
        format!("/api/v1/tasks/{id}/children"),
        format!("/api/v1/projects/{id}/members/{id}/role"),
        format!("/api/v1/categories/{id}/tasks"),
        "/swagger-ui/".to_owned(),
        "/.env".to_owned(),
    ] {
        assert!(!listed.contains_key(&path), "{path} is documented");
        for method in [Method::GET, Method::POST] {
            let reply = app.call(method.clone(), path.clone()).by(&app.people.admin).send().await;
            assert_eq!(reply.status, 404, "{method} {path}: {}", reply.text());
        }
    }
}

#[tokio::test]
async fn health_ready_and_metrics_answer_anyone() {
    // Arrange
    let app = TestApp::shared().await;
    // Act
    let health = app.health().await.expect(200);
    let ready = app.ready().await.expect(200);
    let metrics = app.metrics().await;
    // Assert
    assert_eq!(health["status"], "ok");
    assert!(health["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(ready["status"], "ready");
    metrics.expect(200);
    assert!(metrics.header("content-type").unwrap().starts_with("text/plain"));
    let text = metrics.text();
    assert!(text.contains("http_requests_total{"), "{text}");
    assert!(text.contains("route=\"/health\""), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket{"), "{text}");
}

#[tokio::test]
async fn the_metrics_count_no_server_error_after_a_busy_run() {
    // The server's own account of "no 5xx unless provoked": after a spread of successes and
    // refusals, no request was answered with a 5xx.
    let app = TestApp::spawn().await;
    let project = app.new_project().await;
    let task = app.new_task(&project, &json!({})).await;
    let p = &app.people;
    app.get_task(&p.outsider, task["id"].as_str().unwrap()).await.expect(404);
    app.list_tasks(&p.viewer, "limit=0").await.expect(400);
    app.create_project(&p.viewer, &json!({"name": "x"})).await.expect(403);
    app.login(&p.viewer.username, "wrong password").await.expect(401);
    let text = app.metrics().await.text();
    let server_errors: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("http_requests_total{") && l.contains("status=\"5"))
        .collect();
    assert!(text.contains("status=\"4xx\""), "{text}");
    assert!(server_errors.is_empty(), "{server_errors:?}");
}

#[tokio::test]
async fn the_metrics_show_the_sqlite_writer_and_reader_pool() {
    let app = TestApp::spawn().await;
    let project = app.new_project().await;
    app.new_task(&project, &json!({})).await;
    // The store's figures are copied into the registry on a short interval (250 ms).
    let mut text = String::new();
    for _ in 0..40 {
        text = app.metrics().await.text();
        let writes = text
            .lines()
            .find(|l| l.starts_with("taskforge_sqlite_writes_total "))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
        if writes >= 2.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for series in [
        "taskforge_sqlite_writes_total ",
        "taskforge_sqlite_commits_total ",
        "taskforge_sqlite_pool_connections ",
        "taskforge_sqlite_pool_idle_connections ",
        "taskforge_sqlite_pool_max_connections ",
    ] {
        assert!(text.lines().any(|l| l.starts_with(series)), "{series}missing:\n{text}");
    }
}

#[tokio::test]
async fn a_sane_client_request_id_is_echoed_and_anything_else_replaced() {
    let app = TestApp::shared().await;
    let echoed =
        app.call(Method::GET, "/health").header("x-request-id", "trace-42.a:b_c").send().await;
    assert_eq!(echoed.header("x-request-id"), Some("trace-42.a:b_c"));
    let unsafe_id = "<script>".repeat(3);
    let replaced = app.call(Method::GET, "/health").header("x-request-id", &unsafe_id).send().await;
    let id = replaced.header("x-request-id").unwrap();
    assert!(id != unsafe_id && uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[tokio::test]
async fn head_is_answered_like_get_without_a_body() {
    let app = TestApp::shared().await;
    let doc = app.openapi().await.expect(200);
    for (path, methods) in documented(&doc) {
        if !methods.contains("GET") {
            continue;
        }
        let reply = app.call(Method::HEAD, concrete(&path)).by(&app.people.admin).send().await;
        assert_ne!(reply.status, 405, "HEAD {path}");
        assert!(reply.body.is_empty(), "HEAD {path} has no body");
    }
}
