use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::spawn;

#[actix_web::test]
async fn editors_create_categories_everyone_reads_them() {
    let app = spawn().await;
    let reply =
        app.post("/api/v1/categories", Some(app.people.editor), json!({"name": "Bug"})).await;
    let category = reply.expect(201);
    let path = format!("/api/v1/categories/{}", category["id"].as_str().unwrap());
    assert_eq!(reply.header("location"), Some(path.as_str()));
    for who in [app.people.viewer, app.people.stranger, app.people.admin] {
        let list = app.get("/api/v1/categories", Some(who)).await.expect(200);
        assert_eq!(list["items"][0]["name"], "Bug");
        assert_eq!(app.get(&path, Some(who)).await.expect(200), category);
    }
    app.get("/api/v1/categories", None).await.expect(401);
    app.get(&format!("/api/v1/categories/{}", uuid::Uuid::now_v7()), Some(app.people.admin))
        .await
        .expect(404);
}

#[actix_web::test]
async fn creating_a_category_is_refused_to_viewers_duplicates_and_bad_names() {
    let app = spawn().await;
    app.post("/api/v1/categories", Some(app.people.editor), json!({"name": "Bug"}))
        .await
        .expect(201);
    app.post("/api/v1/categories", Some(app.people.viewer), json!({"name": "Chore"}))
        .await
        .expect(403);
    app.post("/api/v1/categories", Some(app.people.admin), json!({"name": "BUG"}))
        .await
        .expect(409);
    let problem = app
        .post("/api/v1/categories", Some(app.people.admin), json!({"name": " "}))
        .await
        .expect(422);
    assert_eq!(problem["errors"][0]["field"], "name");
    app.post("/api/v1/categories", Some(app.people.admin), json!({"name": "x", "id": 1}))
        .await
        .expect(400);
    let list = app.get("/api/v1/categories", Some(app.people.admin)).await.expect(200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn only_admins_rename_and_delete_categories() {
    let app = spawn().await;
    let category = app
        .post("/api/v1/categories", Some(app.people.editor), json!({"name": "Bug"}))
        .await
        .expect(201);
    let path = format!("/api/v1/categories/{}", category["id"].as_str().unwrap());
    app.patch(&path, Some(app.people.editor), json!({"name": "Defect"})).await.expect(403);
    app.delete(&path, Some(app.people.editor)).await.expect(403);
    app.patch(&path, None, json!({"name": "Defect"})).await.expect(401);
    assert_eq!(app.get(&path, Some(app.people.editor)).await.expect(200)["name"], "Bug");
    let renamed =
        app.patch(&path, Some(app.people.admin), json!({"name": "Defect"})).await.expect(200);
    assert_eq!(renamed["name"], "Defect");
    app.patch(&path, Some(app.people.admin), json!({"name": null})).await.expect(400);
    app.delete(&path, Some(app.people.admin)).await.expect(204);
    app.delete(&path, Some(app.people.admin)).await.expect(404);
    app.patch(&path, Some(app.people.admin), json!({"name": "Again"})).await.expect(404);
}

#[actix_web::test]
async fn unsupported_methods_on_category_paths_are_405_with_allow() {
    let app = spawn().await;
    let reply = app.send(TestRequest::delete().uri("/api/v1/categories")).await;
    reply.expect(405);
    assert_eq!(reply.header("allow"), Some("GET, POST"));
    let reply = app
        .send(TestRequest::put().uri(&format!("/api/v1/categories/{}", uuid::Uuid::now_v7())))
        .await;
    reply.expect(405);
    assert_eq!(reply.header("allow"), Some("GET, PATCH, DELETE"));
}
