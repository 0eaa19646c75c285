//! Task history, project activity and revert over HTTP: who changed what, before → after,
//! newest first a page at a time; visible exactly to those who see the task or project;
//! a revert that undoes one update, refuses (409 naming the fields) when they changed since,
//! and is itself recorded and revertible. The routes' cells for every kind of caller are in
//! `permissions.rs`; the owner's are here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use e2e::{TestApp, id_of};
use serde_json::{Value, json};

fn ids(page: &Value) -> Vec<u64> {
    page["items"].as_array().unwrap().iter().map(|e| e["id"].as_u64().unwrap()).collect()
}

fn kinds(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().into()).collect()
}

#[tokio::test]
async fn a_tasks_history_says_who_changed_which_fields_from_what_to_what() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = id_of(&app.new_task(&project, &json!({"title": "Draft"})).await);
    // Act
    app.update_task(&app.people.owner, &task, &json!({"title": "Final", "due_date": "2031-01-02"}))
        .await
        .expect(200);
    let page = app.task_history(&app.people.viewer, &task, "").await.expect(200);
    // Assert
    assert_eq!(kinds(&page), ["task_updated", "task_created"]);
    let [updated, created] = page["items"].as_array().unwrap().as_slice() else { panic!() };
    assert_eq!(updated["actor_id"], app.people.owner.id.as_str());
    assert_eq!(created["actor_id"], app.people.editor.id.as_str());
    assert_eq!(updated["task_id"], task.as_str());
    assert_eq!(updated["project_id"], project.as_str());
    assert!(updated["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        updated["changes"],
        json!([
            {"field": "title", "before": "Draft", "after": "Final"},
            {"field": "due_date", "before": null, "after": "2031-01-02"},
        ])
    );
    assert!(ids(&page)[0] > ids(&page)[1], "newest first");
    assert_eq!(page["next_cursor"], Value::Null);
}

#[tokio::test]
async fn history_and_activity_are_walked_a_page_at_a_time_by_next_cursor() {
    // Arrange: a creation and five updates of one task, in a project renamed once.
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    app.update_project(&app.people.owner, &project, &json!({"name": "Renamed"})).await.expect(200);
    let task = id_of(&app.new_task(&project, &json!({})).await);
    for n in 0..5 {
        let body = json!({"title": format!("Title {n}")});
        app.update_task(&app.people.editor, &task, &body).await.expect(200);
    }
    // Act
    let mut seen = Vec::new();
    let mut query = String::from("limit=2");
    loop {
        let page = app.task_history(&app.people.editor, &task, &query).await.expect(200);
        assert!(ids(&page).len() <= 2);
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=2&cursor={cursor}"),
            None => break,
        }
    }
    // Assert
    assert_eq!(seen.len(), 6, "every entry once: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first: {seen:?}");
    let activity =
        app.project_activity(&app.people.viewer, &project, "limit=100").await.expect(200);
    assert_eq!(
        kinds(&activity),
        [
            "task_updated",
            "task_updated",
            "task_updated",
            "task_updated",
            "task_updated",
            "task_created",
            "project_updated",
            "project_created"
        ]
    );
    assert_eq!(activity["items"][6]["changes"][0]["field"], "name");
    assert_eq!(activity["items"][6]["changes"][0]["after"], "Renamed");
    for bad in ["cursor=0", "cursor=abc", "cursor=-1", "limit=0", "colour=red"] {
        app.task_history(&app.people.editor, &task, bad).await.expect(400);
    }
}

#[tokio::test]
async fn a_revert_sets_the_before_values_back_and_is_itself_recorded_and_revertible() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = id_of(&app.new_task(&project, &json!({"title": "Before", "priority": "low"})).await);
    app.update_task(&app.people.editor, &task, &json!({"title": "After", "priority": "high"}))
        .await
        .expect(200);
    let update = ids(&app.task_history(&app.people.editor, &task, "").await.expect(200))[0];
    // Act
    let reply = app.revert(&app.people.owner, &task, update).await;
    // Assert
    let reverted = reply.expect(200);
    assert_eq!(
        (reverted["title"].as_str(), reverted["priority"].as_str()),
        (Some("Before"), Some("low"))
    );
    assert_eq!(reverted["version"], 3, "a revert is an update: version + 1");
    assert_eq!(reply.header("etag"), Some("\"3\""));
    let page = app.task_history(&app.people.editor, &task, "").await.expect(200);
    let entry = &page["items"][0];
    assert_eq!(entry["kind"], "task_reverted");
    assert_eq!(entry["reverts"], update);
    assert_eq!(entry["actor_id"], app.people.owner.id.as_str());
    assert_eq!(
        entry["changes"],
        json!([
            {"field": "title", "before": "After", "after": "Before"},
            {"field": "priority", "before": "high", "after": "low"},
        ])
    );
    // The revert can be reverted: the update's values come back.
    let again =
        app.revert(&app.people.editor, &task, entry["id"].as_u64().unwrap()).await.expect(200);
    assert_eq!(
        (again["title"].as_str(), again["priority"].as_str()),
        (Some("After"), Some("high"))
    );
    assert_eq!(again["version"], 4);
}

#[tokio::test]
async fn a_revert_after_a_later_change_is_409_naming_the_fields_and_changes_nothing() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = id_of(&app.new_task(&project, &json!({"title": "One"})).await);
    app.update_task(&app.people.editor, &task, &json!({"title": "Two", "status": "in_progress"}))
        .await
        .expect(200);
    let update = ids(&app.task_history(&app.people.editor, &task, "").await.expect(200))[0];
    app.update_task(&app.people.owner, &task, &json!({"title": "Three"})).await.expect(200);
    let before = app.get_task(&app.people.editor, &task).await.expect(200);
    // Act
    let reply = app.revert(&app.people.editor, &task, update).await;
    // Assert
    reply.expect(409);
    assert_eq!(reply.error_fields(), ["title"], "only the field changed since: {}", reply.text());
    assert!(reply.json()["detail"].as_str().unwrap().contains("title"));
    assert_eq!(app.get_task(&app.people.editor, &task).await.expect(200), before);
    let page = app.task_history(&app.people.editor, &task, "").await.expect(200);
    assert_eq!(kinds(&page)[0], "task_updated", "nothing recorded");
}

#[tokio::test]
async fn a_revert_honours_if_match_and_refuses_what_is_not_an_update() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = id_of(&app.new_task(&project, &json!({})).await);
    let other = id_of(&app.new_task(&project, &json!({})).await);
    app.update_task(&app.people.editor, &task, &json!({"title": "Changed"})).await.expect(200);
    let page = app.task_history(&app.people.editor, &task, "").await.expect(200);
    let (update, created) = (ids(&page)[0], ids(&page)[1]);
    let editor = &app.people.editor;
    let revert_path = format!("/api/v1/tasks/{task}/history/{update}/revert");
    // Act + Assert
    let stale =
        app.call(reqwest::Method::POST, revert_path.clone()).by(editor).header("if-match", "\"1\"");
    stale.send().await.expect(412);
    app.revert(editor, &task, created).await.expect(409);
    app.revert(editor, &other, update).await.expect(404);
    app.revert(editor, &task, 999_999_999).await.expect(404);
    for bad in ["0", "-1", "abc", "1.5"] {
        let path = format!("/api/v1/tasks/{task}/history/{bad}/revert");
        app.call(reqwest::Method::POST, path).by(editor).send().await.expect(400);
    }
    let current =
        app.call(reqwest::Method::POST, revert_path).by(editor).header("if-match", "\"2\"");
    assert_eq!(current.send().await.expect(200)["version"], 3);
}

#[tokio::test]
async fn the_owner_sees_history_and_activity_and_reverts_and_a_deleted_tasks_history_is_404() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = id_of(&app.new_task(&project, &json!({})).await);
    app.update_task(&app.people.editor, &task, &json!({"title": "Changed"})).await.expect(200);
    let owner = &app.people.owner;
    // Act + Assert
    let update = ids(&app.task_history(owner, &task, "").await.expect(200))[0];
    app.project_activity(owner, &project, "").await.expect(200);
    app.revert(owner, &task, update).await.expect(200);
    app.delete_task(owner, &task).await.expect(204);
    app.task_history(owner, &task, "").await.expect(404);
    app.task_history(&app.people.admin, &task, "").await.expect(404);
    let activity = app.project_activity(owner, &project, "").await.expect(200);
    assert_eq!(kinds(&activity)[0], "task_trashed", "the project's activity keeps it");
}
