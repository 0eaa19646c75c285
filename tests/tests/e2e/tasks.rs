//! Tasks one at a time: create, read, merge-patch with `ETag`/`If-Match`, delete and move —
//! who may do each (403 for what the caller sees but may not change, 404 for what they may
//! not see, through every method). Concurrent writers are in `concurrency.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use e2e::{TestApp, id_of, task_body};
use serde_json::{Value, json};

#[tokio::test]
async fn an_editor_member_creates_a_task_with_location_and_etag() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let category = id_of(&app.new_category().await);
    let body = json!({"project_id": project, "title": "  Ship it ", "description": "all of it",
        "status": "in_progress", "priority": "high", "category_id": category,
        "assignee_id": app.people.viewer.id, "labels": ["Ops", "ops", "x:y"],
        "due_date": "2026-03-01", "is_public": true});
    // Act
    let reply = app.create_task(&app.people.editor, &body).await;
    // Assert
    let task = reply.expect(201);
    let id = id_of(&task);
    assert_eq!(reply.header("location"), Some(format!("/api/v1/tasks/{id}").as_str()));
    assert_eq!(reply.header("etag"), Some("\"1\""));
    assert_eq!(task["project_id"], project.as_str());
    assert_eq!(task["title"], "Ship it");
    assert_eq!(task["description"], "all of it");
    assert_eq!(task["status"], "in_progress");
    assert_eq!(task["priority"], "high");
    assert_eq!(task["category_id"], category.as_str());
    assert_eq!(task["assignee_id"], app.people.viewer.id.as_str());
    assert_eq!(task["labels"], json!(["ops", "x:y"]));
    assert_eq!(task["due_date"], "2026-03-01");
    assert_eq!(task["parent_id"], Value::Null);
    assert_eq!(task["is_public"], true);
    assert_eq!(task["created_by"], app.people.editor.id.as_str());
    assert_eq!(task["version"], 1);
    assert!(task["created_at"].as_str().unwrap().ends_with('Z'));
    let read = app.get_task(&app.people.viewer, &id).await;
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert_eq!(read.expect(200), task);
}

#[tokio::test]
async fn a_new_task_takes_the_defaults() {
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = app.new_task(&project, &json!({})).await;
    assert_eq!(task["status"], "todo");
    assert_eq!(task["priority"], "medium");
    assert_eq!(task["labels"], json!([]));
    assert_eq!(task["is_public"], false);
    assert_eq!(task["description"], "");
}

#[tokio::test]
async fn creating_a_task_is_403_for_a_viewer_member_and_404_for_a_non_member_and_creates_nothing() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let body = task_body(&project, &json!({}));
    let p = &app.people;
    // Act + Assert
    app.create_task(&p.viewer, &body).await.expect(403);
    app.create_task(&p.outsider, &body).await.expect(404);
    app.create_task(&p.anonymous, &body).await.expect(401);
    let missing = task_body(&uuid::Uuid::now_v7().to_string(), &json!({}));
    app.create_task(&p.editor, &missing).await.expect(404);
    let list = app.list_tasks(&p.admin, &format!("project_id={project}")).await.expect(200);
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn invalid_task_values_are_422_naming_every_field_and_create_nothing() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let editor = &app.people.editor;
    let body = json!({"project_id": project, "title": "", "status": "later",
        "priority": "whenever", "due_date": "2026-02-30", "labels": ["no spaces"],
        "assignee_id": "nope", "description": "x".repeat(10_001)});
    // Act
    let reply = app.create_task(editor, &body).await;
    // Assert
    reply.expect(422);
    assert_eq!(reply.json()["type"], "urn:taskforge:problem:validation");
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        ["assignee_id", "description", "due_date", "labels", "priority", "status", "title"]
    );
    // Rules of the domain are 422s too, naming their field.
    let stranger = task_body(&project, &json!({"assignee_id": app.people.outsider.id}));
    let reply = app.create_task(editor, &stranger).await;
    reply.expect(422);
    assert_eq!(reply.error_fields(), ["assignee_id"]);
    let labels: Vec<String> = (0..21).map(|i| format!("l{i}")).collect();
    let reply = app.create_task(editor, &task_body(&project, &json!({"labels": labels}))).await;
    reply.expect(422);
    assert_eq!(reply.error_fields(), ["labels"]);
    let list = app.list_tasks(editor, &format!("project_id={project}")).await.expect(200);
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn subtasks_stay_in_their_parents_project_and_nest_at_most_five_deep() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let other = app.new_project().await;
    let mut parent = id_of(&app.new_task(&project, &json!({})).await);
    for _ in 0..4 {
        parent = id_of(&app.new_task(&project, &json!({"parent_id": parent})).await);
    }
    // Act
    let too_deep = app
        .create_task(&app.people.editor, &task_body(&project, &json!({"parent_id": parent})))
        .await;
    let elsewhere = app
        .create_task(&app.people.editor, &task_body(&other, &json!({"parent_id": parent})))
        .await;
    // Assert
    too_deep.expect(422);
    assert_eq!(too_deep.error_fields(), ["parent_id"]);
    elsewhere.expect(422);
    assert_eq!(elsewhere.error_fields(), ["parent_id"]);
}

#[tokio::test]
async fn reading_a_task_needs_membership_unless_it_is_public() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let private = app.new_task(&project, &json!({})).await;
    let public = app.new_task(&project, &json!({"is_public": true})).await;
    let p = &app.people;
    // Act + Assert
    for who in [&p.admin, &p.owner, &p.editor, &p.viewer] {
        assert_eq!(app.get_task(who, &id_of(&private)).await.expect(200), private);
    }
    app.get_task(&p.outsider, &id_of(&private)).await.expect(404);
    assert_eq!(app.get_task(&p.outsider, &id_of(&public)).await.expect(200), public);
    app.get_task(&p.anonymous, &id_of(&public)).await.expect(401);
    app.get_task(&p.admin, "not-a-uuid").await.expect(400);
    app.get_task(&p.admin, &uuid::Uuid::now_v7().to_string()).await.expect(404);
}

#[tokio::test]
async fn another_users_private_task_is_404_through_get_patch_delete_and_move_and_stays_unchanged() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = app.new_task(&project, &json!({})).await;
    let id = id_of(&task);
    let outsider = &app.people.outsider;
    let theirs = id_of(&app.create_project(outsider, &json!({"name": "Theirs"})).await.expect(201));
    let lonely_viewer = app.new_user("viewer").await;
    for who in [outsider, &lonely_viewer] {
        // Act + Assert
        app.get_task(who, &id).await.expect(404);
        app.update_task(who, &id, &json!({"title": "mine"})).await.expect(404);
        app.update_task_if_match(who, &id, "\"1\"", &json!({"title": "mine"})).await.expect(404);
        app.delete_task(who, &id).await.expect(404);
        app.move_task(who, &id, &theirs).await.expect(404);
    }
    let after = app.get_task(&app.people.editor, &id).await.expect(200);
    assert_eq!(after, task, "unchanged, still version 1");
}

#[tokio::test]
async fn a_viewer_member_reads_a_task_but_gets_403_for_patch_delete_and_move() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let other = app.new_project().await;
    let task = app.new_task(&project, &json!({})).await;
    let id = id_of(&task);
    let viewer = &app.people.viewer;
    // Act + Assert
    app.update_task(viewer, &id, &json!({"title": "mine"})).await.expect(403);
    app.delete_task(viewer, &id).await.expect(403);
    app.move_task(viewer, &id, &other).await.expect(403);
    assert_eq!(app.get_task(viewer, &id).await.expect(200), task);
}

#[tokio::test]
async fn an_editor_outside_the_project_reads_a_public_task_but_gets_403_for_changes() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = app.new_task(&project, &json!({"is_public": true})).await;
    let id = id_of(&task);
    let outsider = &app.people.outsider;
    let theirs = id_of(&app.create_project(outsider, &json!({"name": "Theirs"})).await.expect(201));
    // Act + Assert
    app.update_task(outsider, &id, &json!({"title": "mine"})).await.expect(403);
    app.delete_task(outsider, &id).await.expect(403);
    app.move_task(outsider, &id, &theirs).await.expect(403);
    assert_eq!(app.get_task(outsider, &id).await.expect(200), task);
}

#[tokio::test]
async fn a_merge_patch_sets_clears_and_leaves_fields_and_bumps_the_etag() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = app
        .new_task(&project, &json!({"due_date": "2026-05-01", "labels": ["a"], "description": "d"}))
        .await;
    let id = id_of(&task);
    let editor = &app.people.editor;
    // Act
    let reply = app.update_task(editor, &id, &json!({"due_date": null, "status": "done"})).await;
    // Assert
    let after = reply.expect(200);
    assert_eq!(reply.header("etag"), Some("\"2\""));
    assert_eq!(after["version"], 2);
    assert_eq!(after["due_date"], Value::Null);
    assert_eq!(after["status"], "done");
    assert_eq!(after["labels"], json!(["a"]));
    assert_eq!(after["description"], "d");
    assert_eq!(after["title"], task["title"]);
    let null_title = app.update_task(editor, &id, &json!({"title": null})).await;
    null_title.expect(422);
    assert_eq!(null_title.error_fields(), ["title"]);
    let unknown = app.update_task(editor, &id, &json!({"version": 9})).await;
    unknown.expect(400);
    assert_eq!(unknown.error_fields(), ["version"]);
    app.update_task(editor, &id, &json!({"priority": "someday"})).await.expect(422);
    assert_eq!(app.get_task(editor, &id).await.expect(200), after);
}

#[tokio::test]
async fn if_match_refuses_a_stale_version_with_412_and_a_malformed_tag_with_400() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = app.new_task(&project, &json!({})).await;
    let id = id_of(&task);
    let editor = &app.people.editor;
    let body = json!({"title": "B"});
    // Act + Assert
    app.update_task_if_match(editor, &id, "\"2\"", &body).await.expect(412);
    app.update_task_if_match(editor, &id, "W/\"1\"", &body).await.expect(400);
    app.update_task_if_match(editor, &id, "1", &body).await.expect(400);
    assert_eq!(app.get_task(editor, &id).await.expect(200), task);
    let changed = app.update_task_if_match(editor, &id, "\"1\"", &body).await;
    assert_eq!(changed.expect(200)["title"], "B");
    assert_eq!(changed.header("etag"), Some("\"2\""));
    let any = app.update_task_if_match(editor, &id, "*", &json!({"title": "C"})).await;
    assert_eq!(any.header("etag"), Some("\"3\""));
    let delete = |tag: &'static str| {
        let path = format!("/api/v1/tasks/{id}");
        app.call(reqwest::Method::DELETE, path).by(editor).header("if-match", tag).send()
    };
    delete("\"2\"").await.expect(412);
    app.get_task(editor, &id).await.expect(200);
    delete("\"3\"").await.expect(204);
}

#[tokio::test]
async fn deleting_a_task_deletes_its_subtasks() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let parent = id_of(&app.new_task(&project, &json!({})).await);
    let child = id_of(&app.new_task(&project, &json!({"parent_id": parent})).await);
    let grandchild = id_of(&app.new_task(&project, &json!({"parent_id": child})).await);
    let sibling = id_of(&app.new_task(&project, &json!({})).await);
    let editor = &app.people.editor;
    // Act
    app.delete_task(editor, &parent).await.expect(204);
    // Assert
    for gone in [&parent, &child, &grandchild] {
        app.get_task(editor, gone).await.expect(404);
    }
    app.get_task(editor, &sibling).await.expect(200);
    app.delete_task(editor, &parent).await.expect(404);
}

#[tokio::test]
async fn moving_a_task_takes_its_subtasks_and_needs_membership_of_both_projects() {
    // Arrange
    let app = TestApp::shared().await;
    let from = app.new_project().await;
    let to = app.new_project().await;
    let p = &app.people;
    let theirs =
        id_of(&app.create_project(&p.outsider, &json!({"name": "Theirs"})).await.expect(201));
    let parent = app.new_task(&from, &json!({})).await;
    let id = id_of(&parent);
    let child = id_of(&app.new_task(&from, &json!({"parent_id": id})).await);
    // Act + Assert: refusals first, each leaving the task where it was.
    app.move_task(&p.editor, &id, &theirs).await.expect(404);
    app.move_task(&p.editor, &id, "nope").await.expect(422);
    let path = format!("/api/v1/tasks/{id}/move");
    let call = app.call(reqwest::Method::POST, path).by(&p.editor).json(&json!({}));
    call.send().await.expect(400);
    assert_eq!(app.get_task(&p.editor, &id).await.expect(200), parent);
    let moved = app.move_task(&p.editor, &id, &to).await;
    assert_eq!(moved.expect(200)["project_id"], to.as_str());
    assert!(moved.header("etag").is_some());
    assert_eq!(app.get_task(&p.editor, &child).await.expect(200)["project_id"], to.as_str());
    let left = app.list_tasks(&p.editor, &format!("project_id={from}")).await.expect(200);
    assert_eq!(left["items"], json!([]));
}

#[tokio::test]
async fn moving_a_subtask_alone_makes_it_a_root_task_of_the_target_and_leaves_its_parent() {
    // Arrange
    let app = TestApp::shared().await;
    let from = app.new_project().await;
    let to = app.new_project().await;
    let parent = id_of(&app.new_task(&from, &json!({})).await);
    let child = id_of(&app.new_task(&from, &json!({"parent_id": parent})).await);
    let editor = &app.people.editor;
    // Act
    let moved = app.move_task(editor, &child, &to).await.expect(200);
    // Assert
    assert_eq!(moved["project_id"], to.as_str());
    assert_eq!(moved["parent_id"], Value::Null);
    assert_eq!(app.get_task(editor, &parent).await.expect(200)["project_id"], from.as_str());
}
