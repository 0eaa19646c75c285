//! Requests racing each other through the real server: optimistic concurrency with
//! `If-Match` (exactly one 200 and one 412), and uniqueness and deletion races that must end
//! in one success and clean refusals — never a 5xx.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use e2e::{TestApp, id_of, unique};
use futures_util::future::join_all;
use serde_json::json;

/// The statuses of `replies`, sorted.
fn sorted_statuses(replies: &[e2e::Reply]) -> Vec<u16> {
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    statuses
}

#[tokio::test]
async fn two_concurrent_patches_with_the_same_if_match_give_exactly_one_200_and_one_412() {
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let editor = &app.people.editor;
    for round in 0..5 {
        // Arrange
        let task = app.new_task(&project, &json!({})).await;
        let id = id_of(&task);
        let (first, second) = (json!({"title": "A"}), json!({"title": "B"}));
        // Act: both requests are in flight at once, on two connections.
        let (a, b) = tokio::join!(
            app.update_task_if_match(editor, &id, "\"1\"", &first),
            app.update_task_if_match(editor, &id, "\"1\"", &second),
        );
        // Assert
        assert_eq!(
            sorted_statuses(&[a.clone(), b.clone()]),
            [200, 412],
            "round {round}: {} / {}",
            a.describe(),
            b.describe()
        );
        let winner = if a.status == 200 { &a } else { &b };
        let stored = app.get_task(editor, &id).await.expect(200);
        assert_eq!(stored["version"], 2, "round {round}: exactly one change was applied");
        assert_eq!(stored["title"], winner.json()["title"]);
    }
}

#[tokio::test]
async fn concurrent_registrations_of_one_username_give_one_201_and_409s() {
    // Arrange
    let app = TestApp::shared().await;
    let body = json!({"username": unique("racer"), "password": "racing pass phrase"});
    // Act
    let replies = join_all((0..5).map(|_| app.register(&body))).await;
    // Assert
    assert_eq!(sorted_statuses(&replies), [201, 409, 409, 409, 409]);
}

#[tokio::test]
async fn concurrent_creations_of_one_category_name_give_one_201_and_409s() {
    // Arrange
    let app = TestApp::shared().await;
    let body = json!({"name": unique("Race")});
    // Act
    let replies = join_all((0..5).map(|_| app.create_category(&app.people.admin, &body))).await;
    // Assert
    assert_eq!(sorted_statuses(&replies), [201, 409, 409, 409, 409]);
}

#[tokio::test]
async fn a_task_deleted_twice_at_once_is_deleted_once() {
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let editor = &app.people.editor;
    let task = id_of(&app.new_task(&project, &json!({})).await);
    let (a, b) = tokio::join!(app.delete_task(editor, &task), app.delete_task(editor, &task));
    assert_eq!(sorted_statuses(&[a, b]), [204, 404]);
}

#[tokio::test]
async fn a_task_moved_and_deleted_at_once_ends_in_a_state_the_answers_describe() {
    let app = TestApp::shared().await;
    let from = app.new_project().await;
    let to = app.new_project().await;
    let editor = &app.people.editor;
    for round in 0..3 {
        // Arrange
        let task = id_of(&app.new_task(&from, &json!({})).await);
        // Act
        let (moved, deleted) =
            tokio::join!(app.move_task(editor, &task, &to), app.delete_task(editor, &task));
        // Assert: whichever order the server chose, the answers tell the truth.
        let what = format!("round {round}: {} / {}", moved.describe(), deleted.describe());
        assert!([200, 404, 409].contains(&moved.status), "{what}");
        assert!([204, 409].contains(&deleted.status), "{what}");
        let after = app.get_task(editor, &task).await;
        if deleted.status == 204 {
            assert_eq!(after.status, 404, "{what}");
        } else {
            let expected = if moved.status == 200 { &to } else { &from };
            assert_eq!(after.expect(200)["project_id"], expected.as_str(), "{what}");
        }
    }
}

#[tokio::test]
async fn a_burst_of_concurrent_creates_in_one_project_all_succeed_with_distinct_ids() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let bodies: Vec<_> =
        (0..20).map(|i| json!({"project_id": project, "title": format!("Burst {i}")})).collect();
    // Act
    let replies = join_all(bodies.iter().map(|b| app.create_task(&app.people.editor, b))).await;
    // Assert
    assert!(replies.iter().all(|r| r.status == 201), "{:?}", sorted_statuses(&replies));
    let listed = app
        .list_tasks(&app.people.editor, &format!("project_id={project}&limit=200"))
        .await
        .expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 20);
}
