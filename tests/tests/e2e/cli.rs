//! The `taskforge` binary as an operator meets it: start-up refusals of bad configuration
//! (exit status 2, one line naming the variable), a corrupt database, the operator commands
//! (`migrate`, `user create`, `user set-role`, `backup`), and shutdown on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use e2e::binary::{self, COMMAND_TIMEOUT};
use e2e::server::{Server, serve_command};
use e2e::{TestApp, id_of};
use serde_json::json;

/// How long a refused start may take before the test calls it hung.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(10);

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `taskforge serve` on `database` with the test environment plus `env`, expected to refuse.
fn refused_serve(database: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = serve_command(database);
    for (name, value) in env {
        command.env(name, value);
    }
    binary::run(command, None, REFUSAL_TIMEOUT)
}

/// Exit status 2 and exactly one line on stderr naming `variable`, no panic.
#[track_caller]
fn assert_refused_naming(output: &Output, variable: &str) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {text}");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected on stderr, got: {text}");
    assert!(lines[0].contains(variable), "{variable} not named in: {text}");
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn serve_refuses_a_ten_byte_jwt_secret_with_status_2_and_one_line_naming_it() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    // Act
    let output = refused_serve(&dir.path().join("t.db"), &[("TASKFORGE_JWT_SECRET", "0123456789")]);
    // Assert
    assert_refused_naming(&output, "TASKFORGE_JWT_SECRET");
    assert!(!stderr(&output).contains("0123456789"), "the secret is never echoed");
}

#[test]
fn serve_without_a_jwt_secret_starts_and_logs_a_warning() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("t.db");
    let mut command = serve_command(&database);
    command.env_remove("TASKFORGE_JWT_SECRET");
    // Act
    let server = Server::start_command(command, &database, Some(dir));
    // Assert
    let warnings: Vec<_> = server
        .json_log()
        .into_iter()
        .filter(|line| {
            line["level"] == "WARN"
                && line["message"].as_str().is_some_and(|m| m.contains("TASKFORGE_JWT_SECRET"))
        })
        .collect();
    assert_eq!(warnings.len(), 1, "log: {:#?}", server.log());
}

#[test]
fn serve_refuses_an_unknown_default_role_with_status_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let output =
        refused_serve(&dir.path().join("t.db"), &[("TASKFORGE_DEFAULT_ROLE", "superuser")]);
    assert_refused_naming(&output, "TASKFORGE_DEFAULT_ROLE");
}

#[test]
fn serve_refuses_a_registration_budget_that_is_not_a_count_with_status_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["many", "-1", "1.5", "99999999"] {
        let output =
            refused_serve(&dir.path().join("t.db"), &[("TASKFORGE_REGISTRATIONS_PER_HOUR", bad)]);
        assert_refused_naming(&output, "TASKFORGE_REGISTRATIONS_PER_HOUR");
    }
}

#[test]
fn serve_refuses_a_category_budget_that_is_not_a_count_with_status_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["plenty", "-3", "0.5", "3600001"] {
        let output =
            refused_serve(&dir.path().join("t.db"), &[("TASKFORGE_CATEGORIES_PER_HOUR", bad)]);
        assert_refused_naming(&output, "TASKFORGE_CATEGORIES_PER_HOUR");
    }
}

#[test]
fn serve_refuses_a_trusted_proxy_that_is_no_address_with_status_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = refused_serve(
        &dir.path().join("t.db"),
        &[("TASKFORGE_TRUSTED_PROXIES", "10.0.0.1, proxy.example.org")],
    );
    assert_refused_naming(&output, "TASKFORGE_TRUSTED_PROXIES");
}

#[test]
fn serve_refuses_a_database_in_a_missing_directory_with_status_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = refused_serve(&dir.path().join("missing").join("t.db"), &[]);
    assert_refused_naming(&output, "TASKFORGE_DATABASE");
    assert!(!dir.path().join("missing").exists(), "nothing is created");
}

#[test]
fn serve_refuses_a_corrupt_database_file_with_a_clear_message_and_no_panic() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("t.db");
    std::fs::write(&database, "this is not an SQLite database, just garbage\n".repeat(200))
        .unwrap();
    // Act
    let output = refused_serve(&database, &[]);
    // Assert
    let text = stderr(&output);
    assert!(!output.status.success(), "a corrupt database must not be served: {text}");
    assert_ne!(output.status.code(), Some(101), "101 is a Rust panic: {text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(text.contains("database"), "the message says what is wrong: {text}");
    assert!(text.lines().count() <= 2, "a short message, not a dump: {text}");
}

#[test]
fn migrate_creates_a_database_and_is_idempotent() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("t.db");
    for _ in 0..2 {
        // Act
        let mut command = binary::command_on(&database);
        command.arg("migrate");
        let output = binary::run(command, None, COMMAND_TIMEOUT);
        // Assert
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(stdout(&output).contains("up to date"), "{}", stdout(&output));
    }
    assert!(database.is_file());
}

#[test]
fn user_create_refuses_an_unknown_role_and_a_short_password() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("t.db");
    e2e::app::migrate(&database);
    let mut command = binary::command_on(&database);
    command.args(["user", "create", "--username", "carol", "--role", "boss", "--password-stdin"]);
    let output = binary::run(command, Some("long-enough-password\n"), COMMAND_TIMEOUT);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("boss"), "{}", stderr(&output));

    let mut command = binary::command_on(&database);
    command.args(["user", "create", "--username", "carol", "--role", "editor", "--password-stdin"]);
    let output = binary::run(command, Some("short\n"), COMMAND_TIMEOUT);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("password"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("short"), "the password is never echoed");
}

#[tokio::test]
async fn user_set_role_changes_the_role_the_account_has_on_the_next_start() {
    // Arrange: an account created and demoted by the operator before the server starts.
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("t.db");
    e2e::app::migrate(&database);
    let id = e2e::app::create_user(&database, "dora", "editor");
    let mut command = binary::command_on(&database);
    command.args(["user", "set-role", "dora", "viewer"]);
    // Act
    let output = binary::run(command, None, COMMAND_TIMEOUT);
    // Assert
    assert!(output.status.success(), "{}", stderr(&output));
    let mut command = binary::command_on(&database);
    command.args(["user", "set-role", "nobody", "viewer"]);
    assert!(!binary::run(command, None, COMMAND_TIMEOUT).status.success());
    let app = TestApp::on(Server::start(&database, &[], Some(dir)));
    let dora = app.logged_in("dora", &e2e::app::password_of("dora"), id).await;
    assert_eq!(app.me(&dora).await.expect(200)["role"], "viewer");
    app.create_project(&dora, &json!({"name": "Not allowed"})).await.expect(403);
}

#[tokio::test]
async fn backup_taken_while_serving_opens_in_another_server_with_the_data() {
    // Arrange
    let app = TestApp::spawn().await;
    let project = app.new_project().await;
    let task = app.new_task(&project, &json!({"title": "Survives the backup"})).await;
    let target = tempfile::tempdir().unwrap();
    let copy = target.path().join("copy.db");
    // Act: the online backup, while the first server runs.
    let mut command = binary::command_on(app.server.database());
    command.arg("backup").arg(&copy);
    let output = binary::run(command, None, COMMAND_TIMEOUT);
    // Assert
    assert!(output.status.success(), "{}", stderr(&output));
    let mut again = binary::command_on(app.server.database());
    again.arg("backup").arg(&copy);
    assert!(!binary::run(again, None, COMMAND_TIMEOUT).status.success(), "never overwrites");
    let restored = TestApp::on(Server::start(&copy, &[], Some(target)));
    let admin = &app.people.admin;
    let admin = restored.logged_in(&admin.username, &admin.password, admin.id.clone()).await;
    let read = restored.get_task(&admin, &id_of(&task)).await.expect(200);
    assert_eq!(read["title"], "Survives the backup");
    assert_eq!(read, task);
}

#[tokio::test]
async fn sigterm_stops_the_server_with_status_0_within_a_few_seconds() {
    // Arrange
    let app = TestApp::spawn().await;
    app.health().await.expect(200);
    // Act
    let status = app.server.terminate(Duration::from_secs(8));
    // Assert
    let status = status.expect("the server exits within 8 s of SIGTERM");
    assert!(status.success(), "exit status {status}");
    assert!(
        app.server.log().iter().any(|l| l.contains("taskforge stopped")),
        "{:#?}",
        app.server.log()
    );
}

#[tokio::test]
async fn the_in_memory_database_serves_and_refuses_migrate_and_backup() {
    let app = TestApp::on(Server::start(Path::new("memory"), &[], None));
    app.ready().await.expect(200);
    for args in [vec!["migrate"], vec!["backup", "/nonexistent/x.db"]] {
        let mut command = binary::command_on(Path::new("memory"));
        command.args(&args);
        let output = binary::run(command, None, COMMAND_TIMEOUT);
        assert!(!output.status.success(), "{args:?}");
        assert!(stderr(&output).contains("memory"), "{}", stderr(&output));
    }
}
