//! `GET /api/v1/tasks`: visibility, every filter, parameter errors that name the parameter,
//! and keyset pagination — every task exactly once, stable under inserts between pages, and
//! tampered cursors refused.
//!
//! Tests share a server, so every listing here is narrowed to the test's own project.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::{Caller, TestApp, id_of};
use serde_json::{Value, json};

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(id_of).collect()
}

fn titles(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().into()).collect()
}

/// Walks every page of `query` (at most 100 pages), calling `between` after each page;
/// returns the ids in the order they came.
async fn walk(
    app: &TestApp,
    who: &Caller,
    query: &str,
    mut between: impl AsyncFnMut(usize),
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for page_number in 0..100 {
        let q = cursor.as_ref().map_or_else(|| query.to_owned(), |c| format!("{query}&cursor={c}"));
        let page = app.list_tasks(who, &q).await.expect(200);
        seen.extend(ids(&page));
        between(page_number).await;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return seen,
        }
    }
    panic!("more than 100 pages for {query}");
}

#[tokio::test]
async fn the_list_holds_only_the_tasks_the_caller_can_see() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let private = id_of(&app.new_task(&project, &json!({})).await);
    let public = id_of(&app.new_task(&project, &json!({"is_public": true})).await);
    let query = format!("project_id={project}&sort=created_at");
    let p = &app.people;
    // Act + Assert
    for who in [&p.admin, &p.editor, &p.viewer] {
        assert_eq!(
            ids(&app.list_tasks(who, &query).await.expect(200)),
            [private.as_str(), public.as_str()]
        );
    }
    assert_eq!(ids(&app.list_tasks(&p.outsider, &query).await.expect(200)), [public.as_str()]);
    app.list_tasks(&p.anonymous, &query).await.expect(401);
}

#[tokio::test]
async fn every_filter_narrows_the_list() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let category = id_of(&app.new_category().await);
    let viewer = app.people.viewer.id.clone();
    let alpha = app
        .new_task(
            &project,
            &json!({"title": "Alpha needle", "priority": "urgent", "labels": ["red"],
            "due_date": "2026-01-10", "category_id": category}),
        )
        .await;
    let beta = app
        .new_task(
            &project,
            &json!({"title": "Beta", "status": "done", "assignee_id": viewer,
            "due_date": "2026-03-10"}),
        )
        .await;
    let gamma =
        app.new_task(&project, &json!({"title": "Gamma", "parent_id": id_of(&alpha)})).await;
    let editor = &app.people.editor;
    // Act + Assert
    for (filter, expected) in [
        ("status=done".to_owned(), vec![&beta]),
        ("priority=urgent".to_owned(), vec![&alpha]),
        ("label=RED".to_owned(), vec![&alpha]),
        (format!("category_id={category}"), vec![&alpha]),
        (format!("assignee_id={viewer}"), vec![&beta]),
        (format!("parent_id={}", id_of(&alpha)), vec![&gamma]),
        ("due_before=2026-02-01".to_owned(), vec![&alpha]),
        ("due_after=2026-02-01".to_owned(), vec![&beta]),
        ("q=NEEDLE".to_owned(), vec![&alpha]),
    ] {
        let query = format!("project_id={project}&{filter}");
        let page = app.list_tasks(editor, &query).await.expect(200);
        let expected: Vec<String> = expected.into_iter().map(id_of).collect();
        assert_eq!(ids(&page), expected, "{filter}");
    }
    let by_title = app.list_tasks(editor, &format!("project_id={project}&sort=-title")).await;
    assert_eq!(titles(&by_title.expect(200)), ["Gamma", "Beta", "Alpha needle"]);
}

#[tokio::test]
async fn search_text_is_a_literal_case_insensitive_substring_whatever_characters_it_holds() {
    // Arrange: titles full of characters a full-text query language would treat as syntax.
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let quoted =
        id_of(&app.new_task(&project, &json!({"title": "Fix \"quoted\" C++ parser"})).await);
    let near = id_of(&app.new_task(&project, &json!({"title": "NEAR(x) AND y* OR -z"})).await);
    let percent =
        id_of(&app.new_task(&project, &json!({"title": "100% of_the work; DROP TABLE"})).await);
    let editor = &app.people.editor;
    // Act + Assert
    for (q, expected) in [
        ("%22quoted%22", vec![&quoted]),
        ("c%2B%2B", vec![&quoted]),
        ("near(x", vec![&near]),
        ("and%20y*", vec![&near]),
        ("or%20-z", vec![&near]),
        ("0%25%20of_", vec![&percent]),
        ("drop%20table", vec![&percent]),
        ("%25_%25", vec![]),
    ] {
        let page = app.list_tasks(editor, &format!("project_id={project}&q={q}")).await;
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(ids(&page.expect(200)), expected, "q={q}");
    }
}

#[tokio::test]
async fn bad_list_parameters_are_400_naming_the_parameter() {
    let app = TestApp::shared().await;
    let editor = &app.people.editor;
    for (query, name) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("sort=colour", "sort"),
        ("status=later", "status"),
        ("priority=someday", "priority"),
        ("project_id=x", "project_id"),
        ("category_id=x", "category_id"),
        ("assignee_id=x", "assignee_id"),
        ("parent_id=x", "parent_id"),
        ("label=no%20spaces", "label"),
        ("due_before=2026-13-01", "due_before"),
        ("due_after=tomorrow", "due_after"),
        ("q=a", "q"),
        ("colour=red", "colour"),
        ("cursor=garbage", "cursor"),
        ("status=done&status=todo", "status"),
    ] {
        let reply = app.list_tasks(editor, query).await;
        let problem = reply.expect(400);
        assert_eq!(reply.error_fields(), [name], "{query}");
        assert!(problem["detail"].as_str().unwrap().contains(name), "{query}: {problem}");
    }
}

#[tokio::test]
async fn keyset_pages_walk_every_task_exactly_once_in_every_sort_order() {
    // Arrange: 23 tasks with repeated priorities, due dates and titles, so the keyset must
    // break ties (by id) to stay exact.
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let priorities = ["low", "medium", "high", "urgent"];
    for i in 0..23 {
        let extra = json!({"title": format!("Task {}", i % 5), "priority": priorities[i % 4],
            "due_date": format!("2026-04-{:02}", 1 + i % 3)});
        app.new_task(&project, &extra).await;
    }
    let editor = &app.people.editor;
    for sort in [
        "-created_at",
        "created_at",
        "priority",
        "-priority",
        "due_date",
        "-due_date",
        "title",
        "-title",
    ] {
        let one_page =
            app.list_tasks(editor, &format!("project_id={project}&sort={sort}&limit=200")).await;
        let expected = ids(&one_page.expect(200));
        assert_eq!(expected.len(), 23);
        // Act
        let walked =
            walk(&app, editor, &format!("project_id={project}&sort={sort}&limit=4"), async |_| {})
                .await;
        // Assert
        assert_eq!(walked, expected, "sort={sort}: every task once, in the order of one page");
    }
}

#[tokio::test]
async fn keyset_pages_stay_stable_when_tasks_are_inserted_between_pages() {
    // Arrange: titles B00..B19; the walk is by title.
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let mut before = HashSet::new();
    for i in 0..20 {
        before.insert(id_of(&app.new_task(&project, &json!({"title": format!("B{i:02}")})).await));
    }
    let editor = &app.people.editor;
    let mut behind = HashSet::new();
    let mut ahead = HashSet::new();
    // Act: after each page, insert one task that sorts before everything walked so far
    // ("A…", must not appear) and one that sorts after everything ("C…", must appear once).
    let walked =
        walk(&app, editor, &format!("project_id={project}&sort=title&limit=6"), async |page| {
            let early = app.new_task(&project, &json!({"title": format!("A{page:02}")})).await;
            behind.insert(id_of(&early));
            let late = app.new_task(&project, &json!({"title": format!("C{page:02}")})).await;
            ahead.insert(id_of(&late));
        })
        .await;
    // Assert
    let distinct: HashSet<&String> = walked.iter().collect();
    assert_eq!(distinct.len(), walked.len(), "no task twice");
    assert!(before.iter().all(|id| distinct.contains(id)), "every task that existed was seen");
    assert!(behind.iter().all(|id| !distinct.contains(id)), "nothing behind the cursor shows up");
    let late_seen = ahead.iter().filter(|id| distinct.contains(id)).count();
    assert!(late_seen >= ahead.len() - 1, "tasks inserted ahead of the cursor are reached");
    assert_eq!(walked.len(), before.len() + late_seen);
}

/// A cursor in the format of earlier releases: `v1.` and the base64url of `sort\nid\nvalue`
/// in clear text, which anyone could write.
fn plain_cursor(parts: &[&str]) -> String {
    format!("v1.{}", URL_SAFE_NO_PAD.encode(parts.join("\n")))
}

/// `cursor` with the character at `at` replaced by another of the base64url alphabet.
fn with_character_changed(cursor: &str, at: usize) -> String {
    let mut bytes = cursor.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn a_tampered_or_foreign_cursor_is_400_naming_cursor_and_changes_nothing() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    for _ in 0..3 {
        app.new_task(&project, &json!({})).await;
    }
    let editor = &app.people.editor;
    let first = app.list_tasks(editor, &format!("project_id={project}&limit=1")).await.expect(200);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let mut tampered = vec![
        ("the version prefix", cursor.replacen("v2.", "v1.", 1)),
        ("the encoding", format!("{cursor}*")),
        ("its length", cursor[..cursor.len() / 2].to_owned()),
        ("an appended character", format!("{cursor}A")),
        ("everything", "x".repeat(2000)),
    ];
    // One changed character anywhere in the sealed part: the nonce, the content, the tag.
    let body = "v2.".len();
    for at in [body, body + 10, body + 40, cursor.len() / 2, cursor.len() - 2] {
        tampered.push(("one character", with_character_changed(&cursor, at)));
    }
    // Act + Assert
    for (what, bad) in &tampered {
        let query = format!("project_id={project}&limit=1&cursor={bad}");
        let reply = app.list_tasks(editor, &query).await;
        reply.expect(400);
        assert_eq!(reply.error_fields(), ["cursor"], "tampered with {what}: {bad}");
    }
    let foreign = format!("project_id={project}&limit=1&sort=title&cursor={cursor}");
    let reply = app.list_tasks(editor, &foreign).await;
    reply.expect(400);
    assert_eq!(reply.error_fields(), ["cursor"], "a cursor of another sort order");
    // The genuine cursor still works.
    let next = format!("project_id={project}&limit=1&cursor={cursor}");
    assert_eq!(ids(&app.list_tasks(editor, &next).await.expect(200)).len(), 1);
}

#[tokio::test]
async fn a_cursor_leaks_nothing_and_one_forged_by_hand_is_refused() {
    // Arrange: a title-sorted page, whose cursor holds the last title.
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let secret = "Quarterly salary review for Dana";
    for title in [secret, "Zebra crossing repaint"] {
        app.new_task(&project, &json!({"title": title})).await;
    }
    let editor = &app.people.editor;
    let query = format!("project_id={project}&sort=title&limit=1");
    // Act
    let first = app.list_tasks(editor, &query).await.expect(200);
    let again = app.list_tasks(editor, &query).await.expect(200);
    // Assert: opaque — neither the title nor any encoding of it is in the cursor.
    assert_eq!(first["items"][0]["title"], secret);
    let cursor = first["next_cursor"].as_str().unwrap();
    let encoded = URL_SAFE_NO_PAD.encode(secret);
    for needle in [secret, "salary", &encoded[..12], &encoded[encoded.len() - 12..]] {
        assert!(!cursor.contains(needle), "{needle:?} in {cursor}");
    }
    let body = URL_SAFE_NO_PAD.decode(&cursor["v2.".len()..]).expect("base64url after v2.");
    assert!(!body.windows(6).any(|w| w == b"salary"), "the sealed bytes hide the title");
    assert_ne!(again["next_cursor"], first["next_cursor"], "a fresh nonce per cursor");
    // A cursor written by hand, as clients of the clear-text format could, is refused, and an
    // outsider learns nothing from it either.
    let hidden = id_of(&app.new_task(&project, &json!({})).await);
    let far_future = "4102444800000000"; // 2100-01-01, in microseconds
    let forged = plain_cursor(&["-created_at", &uuid::Uuid::max().to_string(), far_future]);
    for who in [editor, &app.people.outsider] {
        let reply = app.list_tasks(who, &format!("project_id={project}&cursor={forged}")).await;
        reply.expect(400);
        assert_eq!(reply.error_fields(), ["cursor"]);
        assert!(!reply.text().contains(&hidden));
    }
}
