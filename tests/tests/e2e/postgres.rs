//! The real binary on PostgreSQL (`TASKFORGE_DATABASE=postgres://…`): migrated and given its
//! accounts through the CLI, then create, read, list, change, move and delete over HTTP — and
//! two processes on one database reading each other's writes. Each test gets a throwaway
//! database of its own (`taskforge_postgres::testing`); without a server the tests print one
//! loud SKIPPED line and pass, unless `TASKFORGE_REQUIRE_POSTGRES=1`.
//!
//! Also: start-up refuses PostgreSQL without `TASKFORGE_JWT_SECRET`, and no message ever
//! shows the password of a PostgreSQL URL (these need no server).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::path::Path;
use std::time::Duration;

use e2e::binary;
use e2e::server::{Server, serve_command};
use e2e::{TestApp, id_of, unique};
use serde_json::{Value, json};
use taskforge_postgres::testing::ThrowawayDatabase;

/// How long a refused start may take.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(30);

/// A password that must never appear in any output.
const PASSWORD: &str = "hunter2-never-shown";

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {page}"))
        .iter()
        .map(|t| t["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn tasks_are_created_read_listed_changed_moved_and_deleted_over_http_on_postgresql() {
    // Arrange
    let Some(db) = ThrowawayDatabase::create().await else { return };
    let app = TestApp::spawn_on(Path::new(db.url()), &[], None).await;
    let project = app.new_project().await;
    let other = app.new_project().await;
    let title = unique("pg task");
    // Act: create
    let created = app
        .new_task(&project, &json!({"title": title, "labels": ["pg", "e2e"], "priority": "high"}))
        .await;
    let id = id_of(&created);
    // Assert: read, with its version as ETag
    let read = app.get_task(&app.people.viewer, &id).await;
    assert_eq!(read.header("etag"), Some("\"1\""));
    let body = read.expect(200);
    assert_eq!(body["title"], title.as_str());
    assert_eq!(body["labels"], json!(["e2e", "pg"]));
    // list, filtered by label and by project, keyset-paged one by one
    let second = app.new_task(&project, &json!({"title": unique("pg second")})).await;
    let by_label = app.list_tasks(&app.people.viewer, "label=pg").await.expect(200);
    assert_eq!(titles(&by_label), vec![title.clone()]);
    let page = app.list_tasks(&app.people.viewer, &format!("project_id={project}&limit=1")).await;
    let page = page.expect(200);
    assert_eq!(titles(&page), [second["title"].as_str().unwrap().to_owned()], "newest first");
    let cursor = page["next_cursor"].as_str().expect("a next page").to_owned();
    let next = app
        .list_tasks(&app.people.viewer, &format!("project_id={project}&limit=1&cursor={cursor}"))
        .await
        .expect(200);
    assert_eq!(titles(&next), vec![title.clone()]);
    // change with a version check: the stale one is refused
    app.update_task_if_match(&app.people.editor, &id, "\"1\"", &json!({"status": "done"}))
        .await
        .expect(200);
    let stale = app
        .update_task_if_match(&app.people.editor, &id, "\"1\"", &json!({"status": "todo"}))
        .await;
    stale.expect(412);
    // move to another project, then delete
    let moved = app.move_task(&app.people.owner, &id, &other).await.expect(200);
    assert_eq!(moved["project_id"], other.as_str());
    app.delete_task(&app.people.owner, &id).await.expect(204);
    app.get_task(&app.people.viewer, &id).await.expect(404);
}

#[tokio::test]
async fn two_processes_on_one_postgresql_database_read_each_others_writes() {
    // Arrange: a second server on the same database, with the same signing key.
    let Some(db) = ThrowawayDatabase::create().await else { return };
    let first = TestApp::spawn_on(Path::new(db.url()), &[], None).await;
    let second = TestApp::on(Server::start(Path::new(db.url()), &[], None));
    let project = first.new_project().await;
    // Act
    let task = id_of(&first.new_task(&project, &json!({"title": unique("shared")})).await);
    // Assert: the token issued by the first is accepted by the second, which sees the task.
    let seen = second
        .call(reqwest::Method::GET, format!("/api/v1/tasks/{task}"))
        .by(&first.people.viewer)
        .send()
        .await
        .expect(200);
    assert_eq!(seen["id"], task.as_str());
}

#[test]
fn serving_postgresql_without_a_jwt_secret_is_refused_with_status_2() {
    // Arrange: nothing listens on port 1; the refusal comes before any connection.
    let url = format!("postgres://tf:{PASSWORD}@127.0.0.1:1/taskforge");
    let mut command = serve_command(Path::new(&url));
    command.env_remove("TASKFORGE_JWT_SECRET");
    // Act
    let output = binary::run(command, None, REFUSAL_TIMEOUT);
    // Assert
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("TASKFORGE_JWT_SECRET"), "{stderr}");
    assert!(stderr.contains("PostgreSQL"), "{stderr}");
    assert!(!stderr.contains(PASSWORD), "{stderr}");
}

#[test]
fn no_message_shows_the_password_of_a_postgresql_url() {
    let unreachable = format!("postgres://tf:{PASSWORD}@127.0.0.1:1/taskforge");
    // A mistyped scheme, taken for a file path in a directory that does not exist.
    let mistyped = format!("postgress://tf:{PASSWORD}@db.example/taskforge");
    for (url, status) in [(&unreachable, 2), (&mistyped, 2)] {
        for args in [&["serve"][..], &["migrate"], &["user", "set-role", "someone", "admin"]] {
            // Act
            let mut command = if args[0] == "serve" {
                serve_command(Path::new(url))
            } else {
                let mut command = binary::command_on(Path::new(url));
                command.args(args);
                command
            };
            if args[0] != "serve" {
                command.env("TASKFORGE_JWT_SECRET", "x".repeat(32));
            }
            let output = binary::run(command, None, REFUSAL_TIMEOUT);
            // Assert
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(status), "{args:?} on {url}: {stderr}");
            assert!(!stderr.contains(PASSWORD), "{args:?}: {stderr}");
            assert!(!stdout.contains(PASSWORD), "{args:?}: {stdout}");
        }
    }
    // Nor does `--help`, which lists the variables with their values otherwise.
    let mut help = binary::command_on(Path::new(&unreachable));
    help.arg("--help");
    let output = binary::run(help, None, REFUSAL_TIMEOUT);
    assert!(output.status.success());
    assert!(!String::from_utf8_lossy(&output.stdout).contains(PASSWORD));
}

#[tokio::test]
async fn taskforge_copy_moves_an_installation_from_sqlite_to_postgresql() {
    // Arrange: an SQLite installation with a project, a member and a subtask.
    let Some(db) = ThrowawayDatabase::create().await else { return };
    let sqlite = TestApp::spawn().await;
    let project = sqlite.new_project().await;
    let parent =
        sqlite.new_task(&project, &json!({"title": unique("parent"), "labels": ["x"]})).await;
    let child = sqlite
        .new_task(&project, &json!({"title": unique("child"), "parent_id": id_of(&parent)}))
        .await;
    let copy = |to: &str| {
        let mut command = binary::command();
        command.args(["copy", "--from"]).arg(sqlite.server.database()).args(["--to", to]);
        binary::run(command, None, REFUSAL_TIMEOUT)
    };
    // Act
    let output = copy(db.url());
    // Assert: the same people log in on PostgreSQL with their passwords and see the same tasks.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("copied 5 users"), "{stdout}");
    let postgres = TestApp::on(Server::start(Path::new(db.url()), &[], None));
    let viewer = &sqlite.people.viewer;
    let viewer = postgres
        .logged_in(&viewer.username, &e2e::app::password_of("viewer"), viewer.id.clone())
        .await;
    let read = postgres.get_task(&viewer, &id_of(&child)).await.expect(200);
    assert_eq!(read, sqlite.get_task(&sqlite.people.viewer, &id_of(&child)).await.expect(200));
    assert_eq!(read["parent_id"], id_of(&parent).as_str());
    // A second copy into the now filled database is refused, and changes nothing.
    let again = copy(db.url());
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
}

#[tokio::test]
async fn operator_commands_refuse_a_postgresql_database_without_schema_and_create_none() {
    // Arrange: an empty database, as `createdb` leaves it.
    let Some(db) = ThrowawayDatabase::create().await else { return };
    // Act
    let mut command = binary::command_on(Path::new(db.url()));
    command.args(["user", "set-role", "someone", "admin"]);
    let output = binary::run(command, None, REFUSAL_TIMEOUT);
    // Assert: exit 3 as on SQLite, and `migrate` still finds an empty database to migrate.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("no TaskForge schema"), "{stderr}");
    e2e::app::migrate(Path::new(db.url()));
}
