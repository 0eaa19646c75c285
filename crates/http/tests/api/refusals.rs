//! Refusals that every route shares, checked route by route: missing or bad credentials
//! (401), and bodies that are not JSON, broken, or too large (415, 400, 413) — each leaving
//! the stored state exactly as it was.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::{People, TestApp, bearer, spawn};

struct World {
    project: String,
    task: String,
    category: String,
}

async fn world<S, B>(app: &TestApp<S>) -> World
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let project = app.project().await;
    let task = app.task(&project, json!({})).await["id"].as_str().unwrap().to_owned();
    let category =
        app.post("/api/v1/categories", Some(app.people.admin), json!({"name": "Bug"})).await;
    let category = category.expect(201)["id"].as_str().unwrap().to_owned();
    World { project, task, category }
}

/// Every authenticated route with a valid body, for the world `w`.
fn authenticated_routes(w: &World, people: &People) -> Vec<(Method, String, Option<Value>)> {
    let (p, t, c, u) = (&w.project, &w.task, &w.category, people.stranger);
    vec![
        (Method::GET, "/api/v1/users/me".into(), None),
        (Method::GET, "/api/v1/users".into(), None),
        (Method::PATCH, format!("/api/v1/users/{u}"), Some(json!({"role": "admin"}))),
        (Method::DELETE, format!("/api/v1/users/{u}"), None),
        (Method::POST, "/api/v1/projects".into(), Some(json!({"name": "New"}))),
        (Method::GET, "/api/v1/projects".into(), None),
        (Method::GET, format!("/api/v1/projects/{p}"), None),
        (Method::PATCH, format!("/api/v1/projects/{p}"), Some(json!({"name": "Renamed"}))),
        (Method::DELETE, format!("/api/v1/projects/{p}"), None),
        (Method::GET, format!("/api/v1/projects/{p}/members"), None),
        (Method::PUT, format!("/api/v1/projects/{p}/members/{u}"), None),
        (Method::DELETE, format!("/api/v1/projects/{p}/members/{}", people.viewer), None),
        (Method::GET, "/api/v1/categories".into(), None),
        (Method::POST, "/api/v1/categories".into(), Some(json!({"name": "Chore"}))),
        (Method::GET, format!("/api/v1/categories/{c}"), None),
        (Method::PATCH, format!("/api/v1/categories/{c}"), Some(json!({"name": "Defect"}))),
        (Method::DELETE, format!("/api/v1/categories/{c}"), None),
        (Method::POST, "/api/v1/tasks".into(), Some(json!({"project_id": p, "title": "New"}))),
        (Method::GET, "/api/v1/tasks".into(), None),
        (Method::GET, format!("/api/v1/tasks/{t}"), None),
        (Method::PATCH, format!("/api/v1/tasks/{t}"), Some(json!({"title": "Renamed"}))),
        (Method::DELETE, format!("/api/v1/tasks/{t}"), None),
        (Method::POST, format!("/api/v1/tasks/{t}/move"), Some(json!({"project_id": p}))),
        (Method::POST, "/api/v1/auth/logout".into(), Some(json!({"refresh_token": "r"}))),
        (
            Method::PUT,
            "/api/v1/users/me/password".into(),
            Some(json!({"current_password": "old password", "new_password": "new pass phrase"})),
        ),
    ]
}

/// What every refused request must leave untouched.
async fn snapshot<S, B>(app: &TestApp<S>, w: &World) -> Vec<Value>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let admin = Some(app.people.admin);
    vec![
        app.get(&format!("/api/v1/tasks/{}", w.task), admin).await.expect(200),
        app.get("/api/v1/tasks", admin).await.expect(200),
        app.get("/api/v1/projects", admin).await.expect(200),
        app.get(&format!("/api/v1/projects/{}/members", w.project), admin).await.expect(200),
        app.get("/api/v1/categories", admin).await.expect(200),
        app.get("/api/v1/users", admin).await.expect(200),
    ]
}

#[actix_web::test]
async fn every_authenticated_route_is_401_without_or_with_a_bad_token_and_changes_nothing() {
    let app = spawn().await;
    let w = world(&app).await;
    let before = snapshot(&app, &w).await;
    for (method, path, body) in authenticated_routes(&w, &app.people) {
        for auth in
            [None, Some("Bearer forged"), Some("Bearer user:00000000-0000-7000-8000-000000000000")]
        {
            let mut req = TestRequest::default().method(method.clone()).uri(&path);
            if let Some(auth) = auth {
                req = req.insert_header(("Authorization", auth));
            }
            if let Some(body) = &body {
                req = req.set_json(body);
            }
            let reply = app.send(req).await;
            reply.expect(401);
            assert!(reply.header("www-authenticate").is_some(), "{method} {path}");
        }
    }
    assert_eq!(snapshot(&app, &w).await, before);
}

#[actix_web::test]
async fn every_route_with_a_body_refuses_non_json_broken_and_oversized_bodies_and_changes_nothing()
{
    let app = spawn().await;
    let w = world(&app).await;
    let before = snapshot(&app, &w).await;
    let admin = bearer(app.people.admin);
    let with_body: Vec<_> =
        authenticated_routes(&w, &app.people).into_iter().filter(|(_, _, b)| b.is_some()).collect();
    assert_eq!(with_body.len(), 10);
    for (method, path, _) in with_body {
        let base = || {
            TestRequest::default().method(method.clone()).uri(&path).insert_header(admin.clone())
        };
        let text = base().insert_header(("content-type", "text/plain")).set_payload("{}");
        app.send(text).await.expect(415);
        app.send(base().set_payload("{}")).await.expect(415);
        let broken =
            base().insert_header(("content-type", "application/json")).set_payload("{\"name\":");
        app.send(broken).await.expect(400);
        let array = base().insert_header(("content-type", "application/json")).set_payload("[]");
        app.send(array).await.expect(400);
        let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(65 * 1024));
        let huge = base().insert_header(("content-type", "application/json")).set_payload(huge);
        app.send(huge).await.expect(413);
    }
    assert_eq!(snapshot(&app, &w).await, before);
}

/// `body` as JSON text with its first key written a second time, holding `value`.
fn with_repeated_first_key(body: &Value, value: &Value) -> (String, String) {
    let object = body.as_object().unwrap();
    let key = object.keys().next().unwrap().clone();
    let text = body.to_string();
    let repeated = format!("{},{}:{}}}", &text[..text.len() - 1], json!(key), value);
    (key, repeated)
}

#[actix_web::test]
async fn every_route_with_a_body_refuses_a_repeated_key_with_a_400_naming_it_and_changes_nothing() {
    let app = spawn().await;
    let w = world(&app).await;
    let before = snapshot(&app, &w).await;
    let admin = bearer(app.people.admin);
    for (method, path, body) in authenticated_routes(&w, &app.people) {
        let Some(body) = body else { continue };
        // The repeat holds a value the route would accept, so only the repetition is wrong.
        let first = body.as_object().unwrap().values().next().unwrap().clone();
        let (key, text) = with_repeated_first_key(&body, &first);
        let req = TestRequest::default()
            .method(method.clone())
            .uri(&path)
            .insert_header(admin.clone())
            .insert_header(("content-type", "application/json"))
            .set_payload(text);
        let problem = app.send(req).await.expect(400);
        assert_eq!(problem["errors"][0]["field"], key, "{method} {path}: {problem}");
        assert!(problem["detail"].as_str().unwrap().contains(&key), "{method} {path}: {problem}");
    }
    assert_eq!(snapshot(&app, &w).await, before);
}

/// The other spellings `uuid` would read as the same id as `canonical`.
fn other_spellings(canonical: &str) -> Vec<String> {
    vec![format!("{{{canonical}}}"), format!("urn:uuid:{canonical}"), canonical.replace('-', "")]
}

#[actix_web::test]
async fn ids_are_accepted_only_in_the_canonical_hyphenated_form_in_paths_queries_and_bodies() {
    let app = spawn().await;
    let w = world(&app).await;
    let before = snapshot(&app, &w).await;
    let admin = Some(app.people.admin);
    // Upper case is the same id: accepted everywhere, and written back in lower case.
    let upper = app.get(&format!("/api/v1/tasks/{}", w.task.to_uppercase()), admin).await;
    assert_eq!(upper.expect(200)["id"], w.task);
    for spelling in other_spellings(&w.task) {
        let path = format!("/api/v1/tasks/{}", spelling.replace('{', "%7B").replace('}', "%7D"));
        let problem = app.get(&path, admin).await.expect(400);
        assert_eq!(problem["errors"][0]["field"], "id", "{spelling}: {problem}");
        let path = format!("/api/v1/projects/{}/members/{spelling}", w.project);
        let problem = app.put(&path, admin).await.expect(400);
        assert_eq!(problem["errors"][0]["field"], "user_id", "{spelling}: {problem}");
    }
    for spelling in other_spellings(&w.project) {
        let encoded = spelling.replace('{', "%7B").replace('}', "%7D").replace(':', "%3A");
        let query = format!("/api/v1/tasks?project_id={encoded}");
        let problem = app.get(&query, admin).await.expect(400);
        assert_eq!(problem["errors"][0]["field"], "project_id", "{spelling}: {problem}");
        let body = json!({"project_id": spelling, "title": "Spelled oddly"});
        let problem = app.post("/api/v1/tasks", admin, body).await.expect(422);
        assert_eq!(problem["errors"][0]["field"], "project_id", "{spelling}: {problem}");
    }
    assert_eq!(snapshot(&app, &w).await, before);
}
