//! The trash over HTTP: a deleted task and its subtasks are gone from every read (get, list,
//! search, export, reports) and listed in the trash; a restore brings the whole subtree back
//! (409 when its project or parent is gone; a deleted category or a former member cleared);
//! a purge — the owner's or an admin's — is final. Each route's cells for every kind of
//! caller are in `permissions.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use e2e::{TestApp, id_of, unique};
use reqwest::Method;
use serde_json::{Value, json};

fn task_ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_deleted_subtree_is_404_on_every_read_and_listed_in_the_trash() {
    // Arrange: a task with a subtask, both findable by a unique title word.
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let word = unique("gone");
    let root = id_of(&app.new_task(&project, &json!({"title": format!("{word} root")})).await);
    let child =
        app.new_task(&project, &json!({"title": format!("{word} child"), "parent_id": root})).await;
    let child = id_of(&child);
    let editor = &app.people.editor;
    // Act
    app.delete_task(&app.people.owner, &root).await.expect(204);
    // Assert
    for id in [&root, &child] {
        app.get_task(editor, id).await.expect(404);
        app.get_task(&app.people.admin, id).await.expect(404);
        app.task_history(editor, id, "").await.expect(404);
        app.update_task(editor, id, &json!({"title": "x"})).await.expect(404);
    }
    let listed = app.list_tasks(editor, &format!("project_id={project}")).await.expect(200);
    assert_eq!(task_ids(&listed), Vec::<String>::new());
    let searched = app.list_tasks(editor, &format!("q={word}")).await.expect(200);
    assert_eq!(task_ids(&searched), Vec::<String>::new());
    let export = app
        .call(Method::GET, format!("/api/v1/tasks/export?format=json&project_id={project}"))
        .by(editor)
        .send()
        .await;
    assert!(!export.text().contains(&word), "the export leaves them out: {}", export.text());
    let summary = app
        .call(Method::GET, format!("/api/v1/reports/summary?project_id={project}"))
        .by(editor)
        .send()
        .await
        .expect(200);
    assert_eq!(summary["total"], 0);
    let trash = app.list_trash(&app.people.viewer, &project).await.expect(200);
    assert_eq!(trash["items"].as_array().unwrap().len(), 1);
    let entry = &trash["items"][0];
    assert_eq!(entry["id"], root.as_str());
    assert_eq!(entry["trashed_by"], app.people.owner.id.as_str());
    let tasks: Vec<&str> =
        entry["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(tasks, [root.as_str(), child.as_str()]);
    app.list_trash(&app.people.outsider, &project).await.expect(404);
    app.call(Method::GET, "/api/v1/trash").by(editor).send().await.expect(400);
}

#[tokio::test]
async fn a_restore_brings_the_whole_subtree_back_and_is_recorded() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let root = id_of(&app.new_task(&project, &json!({})).await);
    let child = id_of(&app.new_task(&project, &json!({"parent_id": root})).await);
    app.delete_task(&app.people.editor, &root).await.expect(204);
    // Act
    let reply = app.restore_task(&app.people.editor, &root).await;
    // Assert
    let restored = reply.expect(200);
    assert_eq!(restored["id"], root.as_str());
    assert_eq!(restored["version"], 2, "a restore is a change: version + 1");
    assert_eq!(reply.header("etag"), Some("\"2\""));
    let back = app.get_task(&app.people.viewer, &child).await.expect(200);
    assert_eq!(back["parent_id"], root.as_str());
    let trash = app.list_trash(&app.people.editor, &project).await.expect(200);
    assert_eq!(trash["items"], json!([]));
    let history = app.task_history(&app.people.editor, &root, "").await.expect(200);
    let kinds: Vec<&str> =
        history["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["task_restored", "task_trashed", "task_created"]);
    app.restore_task(&app.people.editor, &root).await.expect(404);
}

#[tokio::test]
async fn a_restore_is_409_when_the_parent_or_the_project_is_gone() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let parent = id_of(&app.new_task(&project, &json!({})).await);
    let child = id_of(&app.new_task(&project, &json!({"parent_id": parent})).await);
    let owner = &app.people.owner;
    app.delete_task(owner, &child).await.expect(204);
    app.delete_task(owner, &parent).await.expect(204);
    // Act + Assert: the parent is in the trash.
    let reply = app.restore_task(owner, &child).await;
    reply.expect(409);
    assert!(reply.json()["detail"].as_str().unwrap().contains("parent"), "{}", reply.text());
    // The project is deleted: its trash stays, for admins only.
    app.delete_project(owner, &project).await.expect(204);
    app.restore_task(owner, &parent).await.expect(404);
    app.list_trash(owner, &project).await.expect(404);
    let reply = app.restore_task(&app.people.admin, &parent).await;
    reply.expect(409);
    assert!(reply.json()["detail"].as_str().unwrap().contains("project"), "{}", reply.text());
    let trash = app.list_trash(&app.people.admin, &project).await.expect(200);
    assert_eq!(trash["items"].as_array().unwrap().len(), 2);
    app.purge(&app.people.admin, &parent).await.expect(204);
}

#[tokio::test]
async fn a_restore_clears_a_deleted_category_and_an_assignee_who_left() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let category = id_of(&app.new_category().await);
    let body = json!({"category_id": category, "assignee_id": app.people.viewer.id});
    let task = id_of(&app.new_task(&project, &body).await);
    app.delete_task(&app.people.owner, &task).await.expect(204);
    app.delete_category(&app.people.admin, &category).await.expect(204);
    app.remove_member(&app.people.owner, &project, &app.people.viewer.id).await.expect(204);
    // Act
    let restored = app.restore_task(&app.people.owner, &task).await.expect(200);
    // Assert
    assert_eq!(restored["category_id"], Value::Null);
    assert_eq!(restored["assignee_id"], Value::Null);
    let history = app.task_history(&app.people.owner, &task, "").await.expect(200);
    let fields: Vec<&str> = history["items"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["category_id", "assignee_id"], "the restore records what it cleared");
}

#[tokio::test]
async fn a_purge_is_for_the_owner_or_an_admin_and_is_final() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = id_of(&app.new_task(&project, &json!({})).await);
    app.delete_task(&app.people.editor, &task).await.expect(204);
    // Act + Assert
    app.purge(&app.people.editor, &task).await.expect(403);
    app.purge(&app.people.outsider, &task).await.expect(404);
    app.purge(&app.people.owner, &task).await.expect(204);
    app.purge(&app.people.owner, &task).await.expect(404);
    app.restore_task(&app.people.owner, &task).await.expect(404);
    let trash = app.list_trash(&app.people.owner, &project).await.expect(200);
    assert_eq!(trash["items"], json!([]));
}
