use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::spawn;

#[actix_web::test]
async fn me_is_the_caller_without_secrets() {
    let app = spawn().await;
    let reply = app.get("/api/v1/users/me", Some(app.people.viewer)).await;
    let me = reply.expect(200);
    assert_eq!(me["username"], "viewer");
    assert_eq!(me["role"], "viewer");
    assert_eq!(me["email"], "viewer@example.org");
    assert!(!String::from_utf8_lossy(&reply.body).contains("pbkdf2"));
    app.get("/api/v1/users/me", None).await.expect(401);
}

#[actix_web::test]
async fn bad_or_missing_credentials_are_401_with_www_authenticate() {
    let app = spawn().await;
    for header in ["Bearer nonsense", "Basic dXNlcjpwdw==", "Bearer ", "Bearer user:not-a-uuid"] {
        let req =
            TestRequest::get().uri("/api/v1/users/me").insert_header(("Authorization", header));
        let reply = app.send(req).await;
        reply.expect(401);
        assert_eq!(reply.header("www-authenticate"), Some("Bearer realm=\"taskforge\""));
    }
    let ghost = uuid::Uuid::now_v7();
    let req = TestRequest::get()
        .uri("/api/v1/users/me")
        .insert_header(("Authorization", format!("Bearer user:{ghost}")));
    app.send(req).await.expect(401);
}

#[actix_web::test]
async fn only_admins_list_users_page_by_page() {
    let app = spawn().await;
    app.get("/api/v1/users", Some(app.people.editor)).await.expect(403);
    let first = app.get("/api/v1/users?limit=2", Some(app.people.admin)).await.expect(200);
    let names: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "editor"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let next = app
        .get(&format!("/api/v1/users?limit=2&cursor={cursor}"), Some(app.people.admin))
        .await
        .expect(200);
    assert_eq!(next["items"][0]["username"], "outsider");
    app.get("/api/v1/users?limit=500", Some(app.people.admin)).await.expect(400);
    app.get("/api/v1/users?cursor=NO%20SPACES", Some(app.people.admin)).await.expect(400);
}

#[actix_web::test]
async fn a_demoted_user_loses_rights_at_once() {
    let app = spawn().await;
    let path = format!("/api/v1/users/{}", app.people.editor);
    app.patch(&path, Some(app.people.editor), json!({"role": "admin"})).await.expect(403);
    let changed =
        app.patch(&path, Some(app.people.admin), json!({"role": "viewer"})).await.expect(200);
    assert_eq!(changed["role"], "viewer");
    app.post("/api/v1/projects", Some(app.people.editor), json!({"name": "X"})).await.expect(403);
    let problem =
        app.patch(&path, Some(app.people.admin), json!({"role": "boss"})).await.expect(422);
    assert_eq!(problem["errors"][0]["field"], "role");
    app.patch(&path, Some(app.people.admin), json!({"role": "editor", "x": 1})).await.expect(400);
    let ghost = format!("/api/v1/users/{}", uuid::Uuid::now_v7());
    app.patch(&ghost, Some(app.people.admin), json!({"role": "editor"})).await.expect(404);
}

#[actix_web::test]
async fn the_last_admin_cannot_be_demoted_or_deleted() {
    let app = spawn().await;
    let path = format!("/api/v1/users/{}", app.people.admin);
    app.patch(&path, Some(app.people.admin), json!({"role": "editor"})).await.expect(409);
    app.delete(&path, Some(app.people.admin)).await.expect(409);
    assert_eq!(
        app.get("/api/v1/users/me", Some(app.people.admin)).await.expect(200)["role"],
        "admin"
    );
}

#[actix_web::test]
async fn a_deleted_user_is_locked_out_and_owners_cannot_be_deleted() {
    let app = spawn().await;
    app.project().await;
    let owner = format!("/api/v1/users/{}", app.people.editor);
    app.delete(&owner, Some(app.people.admin)).await.expect(409);
    let stranger = format!("/api/v1/users/{}", app.people.stranger);
    app.delete(&stranger, Some(app.people.editor)).await.expect(403);
    app.get("/api/v1/users/me", Some(app.people.stranger)).await.expect(200);
    app.delete(&stranger, Some(app.people.admin)).await.expect(204);
    app.get("/api/v1/users/me", Some(app.people.stranger)).await.expect(401);
    app.delete(&stranger, Some(app.people.admin)).await.expect(404);
    app.delete("/api/v1/users/not-an-id", Some(app.people.admin)).await.expect(400);
}

#[actix_web::test]
async fn unsupported_methods_on_user_paths_are_405_with_allow() {
    let app = spawn().await;
    for (req, allow) in [
        (TestRequest::post().uri("/api/v1/users"), "GET"),
        (TestRequest::patch().uri("/api/v1/users/me"), "GET"),
        (
            TestRequest::get().uri(&format!("/api/v1/users/{}", uuid::Uuid::now_v7())),
            "PATCH, DELETE",
        ),
    ] {
        let reply = app.send(req).await;
        reply.expect(405);
        assert_eq!(reply.header("allow"), Some(allow));
    }
}
