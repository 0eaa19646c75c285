//! Projects and their members: who creates, reads, changes and deletes them, and who
//! manages membership — with refused requests leaving the project as it was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use e2e::{TestApp, id_of, unique};
use serde_json::{Value, json};

/// Everything a refused request must leave as it was: the project and its members.
async fn snapshot(app: &TestApp, project: &str) -> (Value, Value) {
    let admin = &app.people.admin;
    (
        app.get_project(admin, project).await.expect(200),
        app.list_members(admin, project).await.expect(200),
    )
}

fn member_names(members: &Value) -> Vec<String> {
    let mut names: Vec<String> = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn an_editor_creates_a_project_and_is_its_owner_and_first_member() {
    // Arrange
    let app = TestApp::shared().await;
    let name = unique("Alpha");
    // Act
    let reply = app
        .create_project(
            &app.people.owner,
            &json!({"name": format!("  {name} "), "description": "d"}),
        )
        .await;
    // Assert
    let project = reply.expect(201);
    let id = id_of(&project);
    assert_eq!(reply.header("location"), Some(format!("/api/v1/projects/{id}").as_str()));
    assert_eq!(project["name"], name.as_str(), "trimmed");
    assert_eq!(project["description"], "d");
    assert_eq!(project["owner_id"], app.people.owner.id.as_str());
    assert!(project["created_at"].as_str().unwrap().ends_with('Z'));
    let members = app.list_members(&app.people.owner, &id).await.expect(200);
    assert_eq!(member_names(&members), ["owner"]);
    assert_eq!(app.get_project(&app.people.owner, &id).await.expect(200), project);
}

#[tokio::test]
async fn creating_a_project_is_refused_to_viewers_and_to_bad_bodies() {
    let app = TestApp::shared().await;
    let p = &app.people;
    let refused = app.create_project(&p.viewer, &json!({"name": "No"})).await.expect(403);
    // The reason is the caller's role, not ownership of a project that does not exist yet.
    assert_eq!(refused["detail"], "only editors and admins may create projects");
    app.create_project(&p.anonymous, &json!({"name": "No"})).await.expect(401);
    let empty =
        app.create_project(&p.owner, &json!({"name": "", "description": "x".repeat(2001)})).await;
    empty.expect(422);
    assert_eq!(empty.error_fields(), ["name", "description"]);
    let unknown = app.create_project(&p.owner, &json!({"name": "X", "owner": 1})).await;
    unknown.expect(400);
    assert_eq!(unknown.error_fields(), ["owner"]);
    let missing = app.create_project(&p.owner, &json!({})).await;
    missing.expect(400);
    assert_eq!(missing.error_fields(), ["name"]);
    let viewers_projects = app.list_projects(&p.viewer, "limit=200").await.expect(200);
    assert!(viewers_projects["items"].as_array().unwrap().iter().all(|p| p["name"] != "No"));
}

#[tokio::test]
async fn the_project_list_holds_the_callers_projects_and_every_project_for_admins() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let p = &app.people;
    // Act + Assert
    let listed = |page: &Value| {
        page["items"].as_array().unwrap().iter().any(|i| i["id"] == project.as_str())
    };
    assert!(listed(&app.list_projects(&p.viewer, "limit=200").await.expect(200)));
    assert!(listed(&app.list_projects(&p.editor, "limit=200").await.expect(200)));
    assert!(!listed(&app.list_projects(&p.outsider, "limit=200").await.expect(200)));
    // Admins see every project: walk the pages (bounded) until it turns up.
    let mut cursor: Option<String> = None;
    let mut found = false;
    for _ in 0..100 {
        let query = cursor.as_ref().map_or("limit=5".to_owned(), |c| format!("limit=5&cursor={c}"));
        let page = app.list_projects(&p.admin, &query).await.expect(200);
        found |= listed(&page);
        match page["next_cursor"].as_str() {
            Some(next) if !found => cursor = Some(next.to_owned()),
            _ => break,
        }
    }
    assert!(found, "the admin's list holds every project");
    app.list_projects(&p.anonymous, "").await.expect(401);
    for (query, name) in [("limit=0", "limit"), ("cursor=zz", "cursor"), ("sort=name", "sort")] {
        let reply = app.list_projects(&p.admin, query).await;
        reply.expect(400);
        assert_eq!(reply.error_fields(), [name], "{query}");
    }
}

#[tokio::test]
async fn a_project_is_404_to_non_members_through_every_method_and_stays_unchanged() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let before = snapshot(&app, &project).await;
    let outsider = &app.people.outsider;
    let viewer_id = app.people.viewer.id.clone();
    // Act + Assert
    app.get_project(outsider, &project).await.expect(404);
    app.list_members(outsider, &project).await.expect(404);
    app.update_project(outsider, &project, &json!({"name": "Mine"})).await.expect(404);
    app.delete_project(outsider, &project).await.expect(404);
    app.add_member(outsider, &project, &outsider.id).await.expect(404);
    app.remove_member(outsider, &project, &viewer_id).await.expect(404);
    assert_eq!(snapshot(&app, &project).await, before);
}

#[tokio::test]
async fn members_who_do_not_own_a_project_read_it_but_get_403_for_changes() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let before = snapshot(&app, &project).await;
    let p = &app.people;
    for member in [&p.editor, &p.viewer] {
        // Act + Assert
        app.get_project(member, &project).await.expect(200);
        app.list_members(member, &project).await.expect(200);
        app.update_project(member, &project, &json!({"name": "Mine"})).await.expect(403);
        app.delete_project(member, &project).await.expect(403);
        app.add_member(member, &project, &p.outsider.id).await.expect(403);
        app.remove_member(member, &project, &p.viewer.id).await.expect(403);
    }
    assert_eq!(snapshot(&app, &project).await, before);
}

#[tokio::test]
async fn an_owner_demoted_to_viewer_reads_their_project_but_gets_403_for_managing_it() {
    // Arrange: an editor's own project, with a task; then an admin demotes them.
    let app = TestApp::shared().await;
    let p = &app.people;
    let owner = app.new_user("editor").await;
    let project = id_of(&app.create_project(&owner, &json!({"name": "Owned"})).await.expect(201));
    app.add_member(&owner, &project, &p.viewer.id).await.expect(204);
    let task = json!({"project_id": project, "title": "Keep me"});
    let task = id_of(&app.create_task(&owner, &task).await.expect(201));
    app.set_role(&p.admin, &owner.id, "viewer").await.expect(200);
    let before = snapshot(&app, &project).await;
    // Act + Assert
    app.get_project(&owner, &project).await.expect(200);
    app.list_members(&owner, &project).await.expect(200);
    app.update_project(&owner, &project, &json!({"name": "Renamed"})).await.expect(403);
    app.add_member(&owner, &project, &p.outsider.id).await.expect(403);
    app.remove_member(&owner, &project, &p.viewer.id).await.expect(403);
    app.delete_project(&owner, &project).await.expect(403);
    assert_eq!(snapshot(&app, &project).await, before);
    app.get_task(&p.admin, &task).await.expect(200);
    // Promoted back, they manage it again.
    app.set_role(&p.admin, &owner.id, "editor").await.expect(200);
    app.update_project(&owner, &project, &json!({"name": "Renamed"})).await.expect(200);
}

#[tokio::test]
async fn the_owner_renames_and_hands_over_a_project_and_invalid_changes_are_refused() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let p = &app.people;
    // Act
    let renamed = app
        .update_project(&p.owner, &project, &json!({"name": "Renamed", "description": null}))
        .await;
    // Assert
    let renamed = renamed.expect(200);
    assert_eq!(renamed["name"], "Renamed");
    assert_eq!(renamed["description"], "");
    let to_stranger =
        app.update_project(&p.owner, &project, &json!({"owner_id": p.outsider.id})).await;
    to_stranger.expect(422);
    assert_eq!(to_stranger.error_fields(), ["owner_id"]);
    let null_name = app.update_project(&p.owner, &project, &json!({"name": null})).await;
    null_name.expect(422);
    assert_eq!(null_name.error_fields(), ["name"]);
    app.update_project(&p.owner, &project, &json!({"colour": "red"})).await.expect(400);
    assert_eq!(app.get_project(&p.owner, &project).await.expect(200), renamed);
    let handed = app.update_project(&p.owner, &project, &json!({"owner_id": p.editor.id})).await;
    assert_eq!(handed.expect(200)["owner_id"], p.editor.id.as_str());
    app.update_project(&p.owner, &project, &json!({"name": "Not mine any more"})).await.expect(403);
}

#[tokio::test]
async fn the_owner_manages_members_and_adding_twice_changes_nothing() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let p = &app.people;
    // Act + Assert
    app.add_member(&p.owner, &project, &p.outsider.id).await.expect(204);
    app.add_member(&p.owner, &project, &p.outsider.id).await.expect(204);
    app.get_project(&p.outsider, &project).await.expect(200);
    let members = app.list_members(&p.viewer, &project).await.expect(200);
    assert_eq!(member_names(&members), ["editor", "outsider", "owner", "viewer"]);
    let ghost = uuid::Uuid::now_v7().to_string();
    app.add_member(&p.owner, &project, &ghost).await.expect(404);
    app.add_member(&p.owner, &project, "me").await.expect(400);
    app.remove_member(&p.owner, &project, &p.outsider.id).await.expect(204);
    app.remove_member(&p.owner, &project, &p.outsider.id).await.expect(404);
    app.get_project(&p.outsider, &project).await.expect(404);
    app.remove_member(&p.admin, &project, &p.owner.id).await.expect(409);
    let members = app.list_members(&p.owner, &project).await.expect(200);
    assert_eq!(member_names(&members), ["editor", "owner", "viewer"]);
}

#[tokio::test]
async fn deleting_a_project_deletes_its_tasks() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = app.new_task(&project, &json!({})).await;
    let admin = &app.people.admin;
    // Act
    let reply = app.delete_project(&app.people.owner, &project).await;
    // Assert
    reply.expect(204);
    app.get_project(admin, &project).await.expect(404);
    app.get_task(admin, &id_of(&task)).await.expect(404);
    app.delete_project(admin, &project).await.expect(404);
}

#[tokio::test]
async fn removing_a_member_unassigns_them_from_the_projects_tasks() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let p = &app.people;
    let task = app.new_task(&project, &json!({"assignee_id": p.viewer.id})).await;
    assert_eq!(task["assignee_id"], p.viewer.id.as_str());
    // Act
    app.remove_member(&p.owner, &project, &p.viewer.id).await.expect(204);
    // Assert
    let after = app.get_task(&p.editor, &id_of(&task)).await.expect(200);
    assert_eq!(after["assignee_id"], Value::Null);
    app.get_task(&p.viewer, &id_of(&task)).await.expect(404);
}

#[tokio::test]
async fn an_owner_adds_a_teammate_by_username_and_an_unknown_name_is_answered_like_an_unknown_id() {
    // Arrange: the owner knows only the teammate's username, in another case.
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let p = &app.people;
    let teammate = p.outsider.username.to_uppercase();
    // Act + Assert
    app.add_member_by_username(&p.owner, &project, &teammate).await.expect(204);
    app.add_member_by_username(&p.owner, &project, &teammate).await.expect(204);
    app.get_project(&p.outsider, &project).await.expect(200);
    // Unknown names, and names no account could have, get the answer an unknown id gets.
    let ghost = uuid::Uuid::now_v7().to_string();
    let answer = |problem: serde_json::Value| {
        [&problem["type"], &problem["title"], &problem["detail"]].map(ToString::to_string)
    };
    let unknown_id = answer(app.add_member(&p.owner, &project, &ghost).await.expect(404));
    for name in ["nobody-by-this-name", "no", "not%20valid"] {
        let unknown = app.add_member_by_username(&p.owner, &project, name).await.expect(404);
        assert_eq!(answer(unknown), unknown_id, "{name}");
    }
    // Members who do not own the project, and non-members, learn nothing either way.
    let elsewhere = app.new_project().await;
    for name in [p.admin.username.as_str(), "nobody-by-this-name"] {
        app.add_member_by_username(&p.viewer, &project, name).await.expect(403);
        app.add_member_by_username(&p.outsider, &elsewhere, name).await.expect(404);
    }
    let members = app.list_members(&p.owner, &project).await.expect(200);
    assert_eq!(member_names(&members), ["editor", "outsider", "owner", "viewer"]);
}

#[tokio::test]
async fn an_owner_who_added_their_hourly_budget_of_unknown_users_gets_429_for_every_name() {
    // Arrange: a budget of three additions that find nobody.
    let app = TestApp::spawn_with(&[("TASKFORGE_UNKNOWN_MEMBERS_PER_HOUR", "3")]).await;
    let p = &app.people;
    let project = app.new_project().await;
    // Additions that find their user cost nothing.
    for _ in 0..5 {
        app.add_member_by_username(&p.owner, &project, &p.editor.username).await.expect(204);
    }
    for i in 0..3 {
        app.add_member_by_username(&p.owner, &project, &format!("ghost-{i}")).await.expect(404);
    }
    // Act
    let unknown = app.add_member_by_username(&p.owner, &project, "ghost-3").await;
    let existing = app.add_member_by_username(&p.owner, &project, &p.outsider.username).await;
    let by_id = app.add_member(&p.owner, &project, &p.outsider.id).await;
    // Assert: once spent, the budget answers the same 429 whether the user exists or not, so
    // it cannot be read as an oracle either; an hour / 3 = 20 minutes until one more.
    for refused in [unknown, existing, by_id] {
        refused.expect(429);
        let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
        assert!((1_190..=1_200).contains(&wait), "Retry-After {wait}");
        assert!(refused.json()["detail"].as_str().unwrap().contains("unknown users"));
    }
    let members = app.list_members(&p.owner, &project).await.expect(200);
    assert_eq!(member_names(&members), ["editor", "owner", "viewer"]);
    // Admins have no such budget.
    for i in 0..5 {
        app.add_member_by_username(&p.admin, &project, &format!("ghost-admin-{i}"))
            .await
            .expect(404);
    }
    app.add_member_by_username(&p.admin, &project, &p.outsider.username).await.expect(204);
}
