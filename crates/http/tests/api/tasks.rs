use actix_web::test::TestRequest;
use serde_json::{Value, json};
use taskforge_domain::TaskId;

use crate::support::{bearer, spawn};

fn url(task: &Value) -> String {
    format!("/api/v1/tasks/{}", task["id"].as_str().unwrap())
}

#[actix_web::test]
async fn an_editor_member_creates_a_task_with_location_and_etag() {
    let app = spawn().await;
    let project = app.project().await;
    let body = json!({"project_id": project, "title": "  Ship it ", "labels": ["Ops", "ops", "x:y"],
        "due_date": "2026-03-01", "priority": "high"});
    let reply = app.post("/api/v1/tasks", Some(app.people.editor), body).await;
    let task = reply.expect(201);
    assert_eq!(reply.header("location"), Some(url(&task).as_str()));
    assert_eq!(reply.header("etag"), Some("\"1\""));
    assert_eq!(task["title"], "Ship it");
    assert_eq!(task["status"], "todo");
    assert_eq!(task["priority"], "high");
    assert_eq!(task["labels"], json!(["ops", "x:y"]));
    assert_eq!(task["due_date"], "2026-03-01");
    assert_eq!(task["is_public"], false);
    assert_eq!(task["version"], 1);
    assert!(task["created_at"].as_str().unwrap().ends_with('Z'));
}

#[actix_web::test]
async fn creating_a_task_is_refused_to_viewers_non_members_and_anonymous_callers() {
    let app = spawn().await;
    let project = app.project().await;
    let body = json!({"project_id": project, "title": "t"});
    app.post("/api/v1/tasks", Some(app.people.viewer), body.clone()).await.expect(403);
    app.post("/api/v1/tasks", Some(app.people.outsider), body.clone()).await.expect(404);
    app.post("/api/v1/tasks", None, body.clone()).await.expect(401);
    let none =
        app.get(&format!("/api/v1/tasks?project_id={project}"), Some(app.people.admin)).await;
    assert_eq!(none.expect(200)["items"], json!([]));
}

#[actix_web::test]
async fn invalid_values_are_422_naming_every_field_and_create_nothing() {
    let app = spawn().await;
    let project = app.project().await;
    let body = json!({"project_id": project, "title": "", "status": "later", "due_date": "2026-02-30",
        "labels": ["no spaces"], "assignee_id": "nope"});
    let problem = app.post("/api/v1/tasks", Some(app.people.editor), body).await.expect(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "status", "assignee_id", "labels", "due_date"]);
    assert_eq!(problem["type"], "urn:taskforge:problem:validation");
    // A rule of the domain: the assignee must be a member.
    let body = json!({"project_id": project, "title": "t", "assignee_id": app.people.outsider.to_string()});
    let problem = app.post("/api/v1/tasks", Some(app.people.editor), body).await.expect(422);
    assert_eq!(problem["errors"][0]["field"], "assignee_id");
    let list =
        app.get(&format!("/api/v1/tasks?project_id={project}"), Some(app.people.editor)).await;
    assert_eq!(list.expect(200)["items"], json!([]));
}

#[actix_web::test]
async fn bodies_that_are_not_json_unknown_or_too_large_are_refused() {
    let app = spawn().await;
    let project = app.project().await;
    let who = bearer(app.people.editor);
    let unknown = json!({"project_id": project, "title": "t", "colour": "red"});
    let problem = app.post("/api/v1/tasks", Some(app.people.editor), unknown).await.expect(400);
    assert_eq!(problem["errors"][0]["field"], "colour");
    let broken = TestRequest::post()
        .uri("/api/v1/tasks")
        .insert_header(who.clone())
        .insert_header(("content-type", "application/json"))
        .set_payload("{\"title\":");
    app.send(broken).await.expect(400);
    let wrong_type = json!({"project_id": project, "title": 5});
    app.post("/api/v1/tasks", Some(app.people.editor), wrong_type).await.expect(400);
    let text = TestRequest::post()
        .uri("/api/v1/tasks")
        .insert_header(who.clone())
        .insert_header(("content-type", "text/plain"))
        .set_payload("hello");
    app.send(text).await.expect(415);
    let untyped =
        TestRequest::post().uri("/api/v1/tasks").insert_header(who.clone()).set_payload("{}");
    app.send(untyped).await.expect(415);
    let huge = json!({"project_id": project, "title": "t", "description": "x".repeat(70 * 1024)});
    app.post("/api/v1/tasks", Some(app.people.editor), huge).await.expect(413);
    let list =
        app.get(&format!("/api/v1/tasks?project_id={project}"), Some(app.people.editor)).await;
    assert_eq!(list.expect(200)["items"], json!([]));
}

#[actix_web::test]
async fn reading_a_task_needs_membership_unless_it_is_public() {
    let app = spawn().await;
    let project = app.project().await;
    let task = app.task(&project, json!({})).await;
    let public = app.task(&project, json!({"is_public": true})).await;
    let p = &app.people;
    for who in [p.editor, p.viewer, p.admin] {
        let reply = app.get(&url(&task), Some(who)).await;
        assert_eq!(reply.expect(200)["id"], task["id"]);
        assert_eq!(reply.header("etag"), Some("\"1\""));
    }
    for who in [p.outsider, p.stranger] {
        app.get(&url(&task), Some(who)).await.expect(404);
        app.get(&url(&public), Some(who)).await.expect(200);
    }
    app.get(&url(&task), None).await.expect(401);
    app.get("/api/v1/tasks/not-a-uuid", Some(p.admin)).await.expect(400);
    app.get(&format!("/api/v1/tasks/{}", uuid::Uuid::now_v7()), Some(p.admin)).await.expect(404);
}

#[actix_web::test]
async fn a_task_the_caller_cannot_see_is_404_through_every_method_and_stays_unchanged() {
    let app = spawn().await;
    let project = app.project().await;
    let task = app.task(&project, json!({})).await;
    let other =
        app.post("/api/v1/projects", Some(app.people.outsider), json!({"name": "Theirs"})).await;
    let other = other.expect(201)["id"].as_str().unwrap().to_owned();
    for who in [app.people.outsider, app.people.stranger] {
        app.get(&url(&task), Some(who)).await.expect(404);
        app.patch(&url(&task), Some(who), json!({"title": "mine"})).await.expect(404);
        app.delete(&url(&task), Some(who)).await.expect(404);
        let moved = app
            .post(&format!("{}/move", url(&task)), Some(who), json!({"project_id": other}))
            .await;
        moved.expect(404);
    }
    let after = app.get(&url(&task), Some(app.people.editor)).await.expect(200);
    assert_eq!(after, task);
    let id: TaskId = task["id"].as_str().unwrap().parse().unwrap();
    let stored = app.repos.tasks.get(id).await.unwrap().unwrap();
    assert_eq!(stored.version.get(), 1);
}

#[actix_web::test]
async fn a_viewer_member_may_read_but_not_change_a_task() {
    let app = spawn().await;
    let project = app.project().await;
    let task = app.task(&project, json!({})).await;
    let viewer = Some(app.people.viewer);
    app.patch(&url(&task), viewer, json!({"title": "mine"})).await.expect(403);
    app.delete(&url(&task), viewer).await.expect(403);
    app.post(&format!("{}/move", url(&task)), viewer, json!({"project_id": project}))
        .await
        .expect(403);
    assert_eq!(app.get(&url(&task), viewer).await.expect(200), task);
}

#[actix_web::test]
async fn an_editor_outside_the_project_may_read_a_public_task_but_not_change_it() {
    let app = spawn().await;
    let project = app.project().await;
    let task = app.task(&project, json!({"is_public": true})).await;
    let outsider = Some(app.people.outsider);
    app.patch(&url(&task), outsider, json!({"title": "mine"})).await.expect(403);
    app.delete(&url(&task), outsider).await.expect(403);
    assert_eq!(app.get(&url(&task), outsider).await.expect(200), task);
}

#[actix_web::test]
async fn a_merge_patch_sets_clears_and_leaves_fields_and_bumps_the_etag() {
    let app = spawn().await;
    let project = app.project().await;
    let task = app
        .task(&project, json!({"due_date": "2026-05-01", "labels": ["a"], "description": "d"}))
        .await;
    let reply = app
        .patch(
            &url(&task),
            Some(app.people.editor),
            json!({"due_date": null, "status": "in_progress"}),
        )
        .await;
    let after = reply.expect(200);
    assert_eq!(reply.header("etag"), Some("\"2\""));
    assert_eq!(after["due_date"], Value::Null);
    assert_eq!(after["status"], "in_progress");
    assert_eq!(after["labels"], json!(["a"]));
    assert_eq!(after["description"], "d");
    let problem =
        app.patch(&url(&task), Some(app.people.editor), json!({"title": null})).await.expect(422);
    assert_eq!(problem["errors"][0]["field"], "title");
    app.patch(&url(&task), Some(app.people.editor), json!({"version": 9})).await.expect(400);
    assert_eq!(app.get(&url(&task), Some(app.people.editor)).await.expect(200), after);
}

#[actix_web::test]
async fn if_match_guards_changes_with_412_and_refuses_malformed_tags() {
    let app = spawn().await;
    let project = app.project().await;
    let task = app.task(&project, json!({})).await;
    let who = bearer(app.people.editor);
    let patch = |tag: &str| {
        TestRequest::patch()
            .uri(&url(&task))
            .insert_header(who.clone())
            .insert_header(("If-Match", tag.to_owned()))
            .set_json(json!({"title": "B"}))
    };
    app.send(patch("\"2\"")).await.expect(412);
    app.send(patch("W/\"1\"")).await.expect(400);
    app.send(patch("1")).await.expect(400);
    assert_eq!(app.get(&url(&task), Some(app.people.editor)).await.expect(200), task);
    let reply = app.send(patch("\"1\"")).await;
    assert_eq!(reply.expect(200)["title"], "B");
    assert_eq!(reply.header("etag"), Some("\"2\""));
    let delete = TestRequest::delete()
        .uri(&url(&task))
        .insert_header(who.clone())
        .insert_header(("If-Match", "\"1\""));
    app.send(delete).await.expect(412);
    let delete = TestRequest::delete()
        .uri(&url(&task))
        .insert_header(who.clone())
        .insert_header(("If-Match", "\"2\""));
    app.send(delete).await.expect(204);
}

#[actix_web::test]
async fn two_patches_with_the_same_if_match_give_one_200_and_one_412() {
    let app = spawn().await;
    let project = app.project().await;
    let task = app.task(&project, json!({})).await;
    let who = bearer(app.people.editor);
    let patch = |title: &str| {
        TestRequest::patch()
            .uri(&url(&task))
            .insert_header(who.clone())
            .insert_header(("If-Match", "\"1\""))
            .set_json(json!({"title": title}))
    };
    let (a, b) = futures_util::future::join(app.send(patch("A")), app.send(patch("B"))).await;
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412]);
}

#[actix_web::test]
async fn deleting_a_task_deletes_its_subtasks() {
    let app = spawn().await;
    let project = app.project().await;
    let parent = app.task(&project, json!({})).await;
    let child = app.task(&project, json!({"parent_id": parent["id"]})).await;
    app.delete(&url(&parent), Some(app.people.editor)).await.expect(204);
    app.get(&url(&parent), Some(app.people.editor)).await.expect(404);
    app.get(&url(&child), Some(app.people.editor)).await.expect(404);
    app.delete(&url(&parent), Some(app.people.editor)).await.expect(404);
}

#[actix_web::test]
async fn moving_a_task_takes_its_subtasks_and_needs_membership_of_both_projects() {
    let app = spawn().await;
    let from = app.project().await;
    let to = app.post("/api/v1/projects", Some(app.people.editor), json!({"name": "Beta"})).await;
    let to = to.expect(201)["id"].as_str().unwrap().to_owned();
    let theirs =
        app.post("/api/v1/projects", Some(app.people.outsider), json!({"name": "Theirs"})).await;
    let theirs = theirs.expect(201)["id"].as_str().unwrap().to_owned();
    let parent = app.task(&from, json!({})).await;
    let child = app.task(&from, json!({"parent_id": parent["id"]})).await;
    let move_to = |p: &str| json!({"project_id": p});
    let path = format!("{}/move", url(&parent));
    app.post(&path, Some(app.people.editor), move_to(&theirs)).await.expect(404);
    app.post(&path, Some(app.people.editor), move_to("nope")).await.expect(422);
    app.post(&path, Some(app.people.editor), json!({})).await.expect(400);
    assert_eq!(
        app.get(&url(&parent), Some(app.people.editor)).await.expect(200)["project_id"],
        from.as_str()
    );
    let reply = app.post(&path, Some(app.people.editor), move_to(&to)).await;
    assert_eq!(reply.expect(200)["project_id"], to.as_str());
    assert!(reply.header("etag").is_some());
    let child = app.get(&url(&child), Some(app.people.editor)).await.expect(200);
    assert_eq!(child["project_id"], to.as_str());
}

#[actix_web::test]
async fn the_list_shows_only_visible_tasks_and_filters_them() {
    let app = spawn().await;
    let project = app.project().await;
    app.task(&project, json!({"title": "Alpha one", "priority": "urgent", "labels": ["red"]}))
        .await;
    app.task(&project, json!({"title": "Beta two", "status": "done"})).await;
    let public = app.task(&project, json!({"title": "Gamma public", "is_public": true})).await;
    let titles = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = app.get("/api/v1/tasks?sort=title", Some(app.people.viewer)).await.expect(200);
    assert_eq!(titles(all.clone()), ["Alpha one", "Beta two", "Gamma public"]);
    assert_eq!(all["next_cursor"], Value::Null);
    let stranger = app.get("/api/v1/tasks", Some(app.people.stranger)).await.expect(200);
    assert_eq!(stranger["items"][0]["id"], public["id"]);
    assert_eq!(stranger["items"].as_array().unwrap().len(), 1);
    for (query, expected) in [
        ("status=done", "Beta two"),
        ("priority=urgent&label=RED", "Alpha one"),
        ("q=GAMMA", "Gamma public"),
    ] {
        let page = app.get(&format!("/api/v1/tasks?{query}"), Some(app.people.editor)).await;
        assert_eq!(titles(page.expect(200)), [expected], "{query}");
    }
    app.get("/api/v1/tasks", None).await.expect(401);
}

#[actix_web::test]
async fn several_statuses_separated_by_commas_list_tasks_with_any_of_them() {
    let app = spawn().await;
    let project = app.project().await;
    app.task(&project, json!({"title": "A todo"})).await;
    app.task(&project, json!({"title": "B started", "status": "in_progress"})).await;
    app.task(&project, json!({"title": "C done", "status": "done"})).await;
    let titles = |query: &str| {
        let app = &app;
        let query = format!("/api/v1/tasks?sort=title&{query}");
        async move {
            let page = app.get(&query, Some(app.people.editor)).await.expect(200);
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["title"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles("status=todo,in_progress").await, ["A todo", "B started"]);
    assert_eq!(titles("status=done,todo").await, ["A todo", "C done"]);
    assert_eq!(titles("status=done,in_progress,todo").await, ["A todo", "B started", "C done"]);
    assert_eq!(
        titles(&format!("project_id={project}&status=in_progress,done")).await,
        ["B started", "C done"]
    );
    for bad in ["todo,", ",todo", "todo,,done", "todo,later"] {
        let problem = app
            .get(&format!("/api/v1/tasks?status={bad}"), Some(app.people.editor))
            .await
            .expect(400);
        assert_eq!(problem["errors"][0]["field"], "status", "{bad}");
    }
}

#[actix_web::test]
async fn bad_list_parameters_are_400_naming_the_parameter() {
    let app = spawn().await;
    for (query, name) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("sort=colour", "sort"),
        ("status=later", "status"),
        ("project_id=x", "project_id"),
        ("due_before=2026-13-01", "due_before"),
        ("colour=red", "colour"),
        ("cursor=v1.garbage", "cursor"),
        ("q=a", "q"),
        ("status=done&status=todo", "status"),
    ] {
        let problem =
            app.get(&format!("/api/v1/tasks?{query}"), Some(app.people.editor)).await.expect(400);
        assert_eq!(problem["errors"][0]["field"], name, "{query}");
        assert!(problem["detail"].as_str().unwrap().contains(name), "{query}");
    }
}

#[actix_web::test]
async fn keyset_pages_walk_every_task_once_even_with_inserts_and_refuse_tampered_cursors() {
    let app = spawn().await;
    let project = app.project().await;
    for i in 0..7 {
        app.task(&project, json!({"title": format!("Task {i}")})).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let query = match &cursor {
            Some(c) => format!("/api/v1/tasks?limit=3&cursor={c}"),
            None => String::from("/api/v1/tasks?limit=3"),
        };
        let page = app.get(&query, Some(app.people.editor)).await.expect(200);
        seen.extend(
            page["items"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()),
        );
        if pages == 0 {
            // Newest first: a task inserted now sorts before the cursor and is not repeated.
            app.task(&project, json!({"title": "Late"})).await;
        }
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    let distinct: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(distinct.len(), 7);
    let first = app.get("/api/v1/tasks?limit=3", Some(app.people.editor)).await.expect(200);
    let cursor = first["next_cursor"].as_str().unwrap();
    let tampered = format!("{}A", &cursor[..cursor.len() - 1]);
    app.get(
        &format!("/api/v1/tasks?limit=3&cursor={tampered}&sort=title"),
        Some(app.people.editor),
    )
    .await
    .expect(400);
    let problem = app
        .get(&format!("/api/v1/tasks?cursor={cursor}&sort=title"), Some(app.people.editor))
        .await
        .expect(400);
    assert_eq!(problem["errors"][0]["field"], "cursor");
}

#[actix_web::test]
async fn unsupported_methods_on_task_paths_are_405_with_allow() {
    let app = spawn().await;
    let reply = app.send(TestRequest::put().uri("/api/v1/tasks")).await;
    reply.expect(405);
    assert_eq!(reply.header("allow"), Some("GET, POST"));
    let id = uuid::Uuid::now_v7();
    let reply = app.send(TestRequest::post().uri(&format!("/api/v1/tasks/{id}"))).await;
    reply.expect(405);
    assert_eq!(reply.header("allow"), Some("GET, PATCH, DELETE"));
    let reply = app.send(TestRequest::get().uri(&format!("/api/v1/tasks/{id}/move"))).await;
    reply.expect(405);
    assert_eq!(reply.header("allow"), Some("POST"));
}
