//! Categories: a vocabulary shared by everyone, grown by editors, curated by admins.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use e2e::{TestApp, id_of, unique};
use serde_json::{Value, json};

fn names(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().into()).collect()
}

#[tokio::test]
async fn editors_create_categories_and_every_user_reads_them() {
    // Arrange
    let app = TestApp::shared().await;
    let name = unique("Bug");
    // Act
    let reply = app.create_category(&app.people.editor, &json!({"name": name})).await;
    // Assert
    let category = reply.expect(201);
    let id = id_of(&category);
    assert_eq!(reply.header("location"), Some(format!("/api/v1/categories/{id}").as_str()));
    assert_eq!(category["name"], name.as_str());
    let p = &app.people;
    for who in [&p.admin, &p.owner, &p.outsider, &p.viewer] {
        assert!(names(&app.list_categories(who, "limit=200").await.expect(200)).contains(&name));
        assert_eq!(app.get_category(who, &id).await.expect(200), category);
    }
    app.list_categories(&p.anonymous, "limit=200").await.expect(401);
    app.get_category(&p.anonymous, &id).await.expect(401);
    app.get_category(&p.admin, &uuid::Uuid::now_v7().to_string()).await.expect(404);
}

#[tokio::test]
async fn creating_a_category_is_refused_to_viewers_duplicates_and_bad_names_and_creates_nothing() {
    // Arrange
    let app = TestApp::shared().await;
    let p = &app.people;
    let existing = app.new_category().await;
    let name = unique("Chore");
    // Act + Assert
    app.create_category(&p.viewer, &json!({"name": name})).await.expect(403);
    app.create_category(&p.anonymous, &json!({"name": name})).await.expect(401);
    let shouted = existing["name"].as_str().unwrap().to_uppercase();
    app.create_category(&p.owner, &json!({"name": shouted})).await.expect(409);
    let blank = app.create_category(&p.owner, &json!({"name": " "})).await;
    blank.expect(422);
    assert_eq!(blank.error_fields(), ["name"]);
    let long = app.create_category(&p.owner, &json!({"name": "x".repeat(51)})).await;
    long.expect(422);
    let unknown = app.create_category(&p.owner, &json!({"name": name, "colour": "red"})).await;
    unknown.expect(400);
    assert_eq!(unknown.error_fields(), ["colour"]);
    let all = names(&app.list_categories(&p.admin, "limit=200").await.expect(200));
    assert!(!all.contains(&name) && !all.contains(&shouted));
    assert!(!all.iter().any(|n| n.trim().is_empty() || n.len() > 50));
}

#[tokio::test]
async fn only_admins_rename_and_delete_categories() {
    // Arrange
    let app = TestApp::shared().await;
    let p = &app.people;
    let category = app.new_category().await;
    let id = id_of(&category);
    let other = app.new_category().await;
    // Act + Assert
    for who in [&p.owner, &p.editor, &p.viewer] {
        app.update_category(who, &id, &json!({"name": "Defect"})).await.expect(403);
        app.delete_category(who, &id).await.expect(403);
    }
    app.update_category(&p.anonymous, &id, &json!({"name": "Defect"})).await.expect(401);
    assert_eq!(app.get_category(&p.viewer, &id).await.expect(200), category);
    let taken = app.update_category(&p.admin, &id, &json!({"name": other["name"]})).await;
    taken.expect(409);
    app.update_category(&p.admin, &id, &json!({"name": null})).await.expect(400);
    app.update_category(&p.admin, &id, &json!({"name": ""})).await.expect(422);
    assert_eq!(app.get_category(&p.viewer, &id).await.expect(200), category);
    let new_name = unique("Defect");
    let renamed = app.update_category(&p.admin, &id, &json!({"name": new_name})).await.expect(200);
    assert_eq!(renamed["name"], new_name.as_str());
    app.delete_category(&p.admin, &id).await.expect(204);
    app.delete_category(&p.admin, &id).await.expect(404);
    app.update_category(&p.admin, &id, &json!({"name": "Again"})).await.expect(404);
    app.get_category(&p.admin, &id).await.expect(404);
}

#[tokio::test]
async fn deleting_a_category_clears_it_from_its_tasks() {
    // Arrange
    let app = TestApp::shared().await;
    let category = id_of(&app.new_category().await);
    let project = app.new_project().await;
    let task = app.new_task(&project, &json!({"category_id": category})).await;
    assert_eq!(task["category_id"], category.as_str());
    // Act
    app.delete_category(&app.people.admin, &category).await.expect(204);
    // Assert
    let after = app.get_task(&app.people.editor, &id_of(&task)).await.expect(200);
    assert_eq!(after["category_id"], Value::Null);
}

#[tokio::test]
async fn the_category_list_comes_a_page_at_a_time_and_bad_page_parameters_are_400() {
    // Arrange: a server of its own, so the list holds exactly these.
    let app = TestApp::spawn().await;
    let viewer = &app.people.viewer;
    for name in ["delta", "Alpha", "echo", "Charlie", "bravo"] {
        app.create_category(&app.people.editor, &json!({"name": name})).await.expect(201);
    }
    // Act: walk the pages, two at a time.
    let mut pages = Vec::new();
    let mut query = String::from("limit=2");
    loop {
        let page = app.list_categories(viewer, &query).await.expect(200);
        pages.push(names(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=2&cursor={cursor}"),
            None => break,
        }
    }
    // Assert
    assert_eq!(pages, [vec!["Alpha", "bravo"], vec!["Charlie", "delta"], vec!["echo"]]);
    let first = app.list_categories(viewer, "").await.expect(200);
    assert_eq!(names(&first).len(), 5, "the default page holds them all");
    assert!(first["next_cursor"].is_null());
    for (bad, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("cursor=Alpha", "cursor"),
        ("cursor=v1.Y3JlYXRlZF9hdA", "cursor"),
        ("colour=red", "colour"),
    ] {
        let refused = app.list_categories(viewer, bad).await;
        refused.expect(400);
        assert_eq!(refused.error_fields(), [field], "{bad}");
    }
}

#[tokio::test]
async fn an_editor_who_created_their_hourly_budget_of_categories_gets_429_and_creates_nothing() {
    // Arrange
    let app = TestApp::spawn_with(&[("TASKFORGE_CATEGORIES_PER_HOUR", "3")]).await;
    let p = &app.people;
    for i in 0..3 {
        app.create_category(&p.editor, &json!({"name": format!("Mine {i}")})).await.expect(201);
    }
    // Act
    let refused = app.create_category(&p.editor, &json!({"name": "One too many"})).await;
    // Assert: 429 with the wait (an hour / 3 = 20 minutes to regain one), and nothing stored.
    refused.expect(429);
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1_190..=1_200).contains(&wait), "Retry-After {wait}");
    assert!(refused.json()["detail"].as_str().unwrap().contains("too many categories"));
    let all = names(&app.list_categories(&p.admin, "limit=200").await.expect(200));
    assert!(!all.contains(&String::from("One too many")), "{all:?}");
    // Each editor has a budget of their own; admins have none.
    app.create_category(&p.owner, &json!({"name": "Owner's"})).await.expect(201);
    for i in 0..5 {
        app.create_category(&p.admin, &json!({"name": format!("Admin {i}")})).await.expect(201);
    }
}
