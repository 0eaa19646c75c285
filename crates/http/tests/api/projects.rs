use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::spawn;

fn ids(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
}

#[actix_web::test]
async fn an_editor_creates_a_project_with_a_location() {
    let app = spawn().await;
    let reply = app
        .post(
            "/api/v1/projects",
            Some(app.people.editor),
            json!({"name": " Alpha ", "description": "d"}),
        )
        .await;
    let project = reply.expect(201);
    let id = project["id"].as_str().unwrap();
    assert_eq!(reply.header("location"), Some(format!("/api/v1/projects/{id}").as_str()));
    assert_eq!(project["name"], "Alpha");
    assert_eq!(project["owner_id"], app.people.editor.to_string());
    let members = app.get(&format!("/api/v1/projects/{id}/members"), Some(app.people.editor)).await;
    assert_eq!(members.expect(200)["items"][0]["username"], "editor");
}

#[actix_web::test]
async fn creating_a_project_is_refused_to_viewers_and_bad_bodies() {
    let app = spawn().await;
    app.post("/api/v1/projects", Some(app.people.viewer), json!({"name": "X"})).await.expect(403);
    app.post("/api/v1/projects", None, json!({"name": "X"})).await.expect(401);
    let problem = app
        .post("/api/v1/projects", Some(app.people.editor), json!({"name": ""}))
        .await
        .expect(422);
    assert_eq!(problem["errors"][0]["field"], "name");
    app.post("/api/v1/projects", Some(app.people.editor), json!({"name": "X", "owner": 1}))
        .await
        .expect(400);
    app.post("/api/v1/projects", Some(app.people.editor), json!({})).await.expect(400);
    let all = app.get("/api/v1/projects", Some(app.people.admin)).await.expect(200);
    assert_eq!(all["items"], json!([]));
}

#[actix_web::test]
async fn the_list_holds_own_projects_and_all_of_them_for_admins() {
    let app = spawn().await;
    let mine = app.project().await;
    let theirs =
        app.post("/api/v1/projects", Some(app.people.outsider), json!({"name": "T"})).await;
    let theirs = theirs.expect(201)["id"].as_str().unwrap().to_owned();
    assert_eq!(
        ids(&app.get("/api/v1/projects", Some(app.people.viewer)).await.expect(200)),
        [mine.as_str()]
    );
    assert_eq!(
        ids(&app.get("/api/v1/projects", Some(app.people.stranger)).await.expect(200)),
        Vec::<String>::new()
    );
    let admin = app.get("/api/v1/projects?limit=1", Some(app.people.admin)).await.expect(200);
    assert_eq!(ids(&admin), [mine.as_str()]);
    let cursor = admin["next_cursor"].as_str().unwrap();
    let next =
        app.get(&format!("/api/v1/projects?limit=1&cursor={cursor}"), Some(app.people.admin)).await;
    assert_eq!(ids(&next.expect(200)), [theirs]);
    for bad in ["limit=0", "cursor=zz", "sort=name"] {
        app.get(&format!("/api/v1/projects?{bad}"), Some(app.people.admin)).await.expect(400);
    }
}

#[actix_web::test]
async fn a_project_is_visible_to_members_and_admins_only() {
    let app = spawn().await;
    let id = app.project().await;
    let path = format!("/api/v1/projects/{id}");
    for who in [app.people.editor, app.people.viewer, app.people.admin] {
        app.get(&path, Some(who)).await.expect(200);
        app.get(&format!("{path}/members"), Some(who)).await.expect(200);
    }
    for who in [app.people.outsider, app.people.stranger] {
        app.get(&path, Some(who)).await.expect(404);
        app.get(&format!("{path}/members"), Some(who)).await.expect(404);
        app.patch(&path, Some(who), json!({"name": "Mine"})).await.expect(404);
        app.delete(&path, Some(who)).await.expect(404);
        app.put(&format!("{path}/members/{who}"), Some(who)).await.expect(404);
        app.delete(&format!("{path}/members/{}", app.people.viewer), Some(who)).await.expect(404);
    }
    app.get(&path, None).await.expect(401);
    app.get("/api/v1/projects/123", Some(app.people.admin)).await.expect(400);
}

#[actix_web::test]
async fn only_the_owner_or_an_admin_changes_a_project() {
    let app = spawn().await;
    let id = app.project().await;
    let path = format!("/api/v1/projects/{id}");
    app.patch(&path, Some(app.people.viewer), json!({"name": "Mine"})).await.expect(403);
    app.delete(&path, Some(app.people.viewer)).await.expect(403);
    app.put(&format!("{path}/members/{}", app.people.stranger), Some(app.people.viewer))
        .await
        .expect(403);
    assert_eq!(app.get(&path, Some(app.people.viewer)).await.expect(200)["name"], "Alpha");
    let changed = app
        .patch(&path, Some(app.people.editor), json!({"name": "Beta", "description": null}))
        .await;
    assert_eq!(changed.expect(200)["name"], "Beta");
    let renamed =
        app.patch(&path, Some(app.people.admin), json!({"description": "by admin"})).await;
    assert_eq!(renamed.expect(200)["description"], "by admin");
    let problem = app
        .patch(&path, Some(app.people.editor), json!({"owner_id": app.people.stranger.to_string()}))
        .await;
    assert_eq!(problem.expect(422)["errors"][0]["field"], "owner_id");
    app.patch(&path, Some(app.people.editor), json!({"name": null})).await.expect(422);
}

#[actix_web::test]
async fn deleting_a_project_deletes_its_tasks() {
    let app = spawn().await;
    let id = app.project().await;
    let task = app.task(&id, json!({})).await;
    app.delete(&format!("/api/v1/projects/{id}"), Some(app.people.editor)).await.expect(204);
    app.get(&format!("/api/v1/projects/{id}"), Some(app.people.admin)).await.expect(404);
    app.get(&format!("/api/v1/tasks/{}", task["id"].as_str().unwrap()), Some(app.people.admin))
        .await
        .expect(404);
}

#[actix_web::test]
async fn the_owner_manages_members() {
    let app = spawn().await;
    let id = app.project().await;
    let member = |u: uuid::Uuid| format!("/api/v1/projects/{id}/members/{u}");
    let p = app.people;
    app.put(&member(*p.outsider.as_uuid()), Some(p.editor)).await.expect(204);
    app.put(&member(*p.outsider.as_uuid()), Some(p.editor)).await.expect(204);
    app.get(&format!("/api/v1/projects/{id}"), Some(p.outsider)).await.expect(200);
    app.put(&member(uuid::Uuid::now_v7()), Some(p.editor)).await.expect(404);
    app.put(&format!("/api/v1/projects/{id}/members/me"), Some(p.editor)).await.expect(400);
    app.delete(&member(*p.outsider.as_uuid()), Some(p.editor)).await.expect(204);
    app.delete(&member(*p.outsider.as_uuid()), Some(p.editor)).await.expect(404);
    app.delete(&member(*p.editor.as_uuid()), Some(p.admin)).await.expect(409);
    app.get(&format!("/api/v1/projects/{id}"), Some(p.outsider)).await.expect(404);
    let members =
        app.get(&format!("/api/v1/projects/{id}/members"), Some(p.viewer)).await.expect(200);
    assert_eq!(members["items"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn unsupported_methods_on_project_paths_are_405_with_allow() {
    let app = spawn().await;
    let id = uuid::Uuid::now_v7();
    for (req, allow) in [
        (TestRequest::delete().uri("/api/v1/projects"), "GET, POST"),
        (TestRequest::put().uri(&format!("/api/v1/projects/{id}")), "GET, PATCH, DELETE"),
        (TestRequest::post().uri(&format!("/api/v1/projects/{id}/members")), "GET"),
        (TestRequest::get().uri(&format!("/api/v1/projects/{id}/members/{id}")), "PUT, DELETE"),
    ] {
        let reply = app.send(req).await;
        reply.expect(405);
        assert_eq!(reply.header("allow"), Some(allow));
    }
}
