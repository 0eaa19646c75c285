//! The operator commands that look after accounts and bring data back, against the real
//! binary:
//!
//! - `taskforge restore PATH` replaces the database with a backup only while no server has it
//!   open (exit 4 otherwise, the database untouched; and while it holds the file, `serve` and
//!   the other commands are refused with exit 4), only once the backup passed SQLite's
//!   integrity check and carries migrations this build knows (exit 3 otherwise), and the
//!   restarted server serves exactly the backup's data.
//! - `taskforge user list` prints every account as a table, never a password hash.
//! - `taskforge user reset-password U --password-stdin` applies the rules of a new password,
//!   and ends the account's sessions (its refresh tokens stop working).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use e2e::binary::{self, COMMAND_TIMEOUT};
use e2e::{TestApp, id_of};
use serde_json::json;

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `taskforge ARGS…` on `database`, with `stdin` fed to it.
fn taskforge(database: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = binary::command_on(database);
    command.args(args);
    binary::run(command, stdin, COMMAND_TIMEOUT)
}

/// Exit status `code` and exactly one line on standard error containing `needle`; no panic,
/// nothing on standard output.
#[track_caller]
fn assert_refused(output: &Output, code: i32, needle: &str) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(code), "stderr: {text}");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {text}");
    assert!(lines[0].contains(needle), "{needle:?} not in: {text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(output.stdout.is_empty(), "nothing reported as done: {}", stdout(output));
}

// ---- restore --------------------------------------------------------------------------

#[tokio::test]
async fn restore_is_refused_with_status_4_while_a_server_runs_and_changes_nothing() {
    // Arrange: a serving database with a task, and a backup taken before a second task.
    let app = TestApp::spawn().await;
    let project = app.new_project().await;
    let first = app.new_task(&project, &json!({"title": "In the backup"})).await;
    let backup = tempfile::tempdir().unwrap();
    let copy = backup.path().join("copy.db");
    let output = taskforge(app.server.database(), &["backup", copy.to_str().unwrap()], None);
    assert!(output.status.success(), "{}", stderr(&output));
    let second = app.new_task(&project, &json!({"title": "After the backup"})).await;
    // Act
    let output = taskforge(app.server.database(), &["restore", copy.to_str().unwrap()], None);
    // Assert
    assert_refused(&output, 4, "in use");
    let owner = &app.people.owner;
    for task in [&first, &second] {
        assert_eq!(app.get_task(owner, &id_of(task)).await.expect(200), *task);
    }
    let created = app.new_task(&project, &json!({"title": "Still writable"})).await;
    assert_eq!(created["title"], "Still writable");
}

#[tokio::test]
async fn restore_after_the_server_stopped_brings_back_exactly_the_backup() {
    // Arrange
    let app = TestApp::spawn().await;
    let project = app.new_project().await;
    let kept = app.new_task(&project, &json!({"title": "In the backup"})).await;
    let backup = tempfile::tempdir().unwrap();
    let copy = backup.path().join("copy.db");
    let output = taskforge(app.server.database(), &["backup", copy.to_str().unwrap()], None);
    assert!(output.status.success(), "{}", stderr(&output));
    let lost = app.new_task(&project, &json!({"title": "After the backup"})).await;
    app.server.terminate(Duration::from_secs(10)).expect("the server stops on SIGTERM");
    // Act
    let output = taskforge(app.server.database(), &["restore", copy.to_str().unwrap()], None);
    // Assert
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("restored"), "{}", stdout(&output));
    assert!(copy.is_file(), "the backup is kept");
    let restarted = app.restarted(&[]);
    let owner = &restarted.people.owner;
    assert_eq!(restarted.get_task(owner, &id_of(&kept)).await.expect(200), kept);
    restarted.get_task(owner, &id_of(&lost)).await.expect(404);
    restarted.new_task(&project, &json!({"title": "Writable again"})).await;
}

#[test]
fn restore_refuses_a_damaged_backup_with_status_3_and_keeps_the_database() {
    // Arrange: a database with accounts, and a backup of it with a page overwritten.
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("taskforge.db");
    e2e::app::migrate(&database);
    for i in 0..40 {
        e2e::app::create_user(&database, &format!("user{i:02}"), "editor");
    }
    let copy = dir.path().join("copy.db");
    let output = taskforge(&database, &["backup", copy.to_str().unwrap()], None);
    assert!(output.status.success(), "{}", stderr(&output));
    // The page that holds the users table's root: overwritten, as a failing disk might.
    let (root, page_size) = {
        let conn = rusqlite::Connection::open(&copy).unwrap();
        let root: u32 = conn
            .query_row("SELECT rootpage FROM sqlite_schema WHERE name = 'users'", [], |r| r.get(0))
            .unwrap();
        let size: u32 = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        (usize::try_from(root).unwrap(), usize::try_from(size).unwrap())
    };
    let mut bytes = std::fs::read(&copy).unwrap();
    let start = (root - 1) * page_size;
    bytes[start + 8..start + page_size].fill(0x5a);
    std::fs::write(&copy, &bytes).unwrap();
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, "not a database\n".repeat(1000)).unwrap();
    for backup in [&copy, &garbage] {
        // Act
        let output = taskforge(&database, &["restore", backup.to_str().unwrap()], None);
        // Assert
        assert_refused(&output, 3, "damaged");
        let listed = taskforge(&database, &["user", "list"], None);
        assert!(listed.status.success(), "{}", stderr(&listed));
        assert_eq!(stdout(&listed).lines().count(), 41, "{}", stdout(&listed));
    }
    assert!(!dir.path().join("taskforge.db.restoring").exists(), "no staged copy left");
}

#[test]
fn restore_refuses_a_backup_from_a_newer_taskforge_with_status_3() {
    // Arrange: a backup whose schema records a migration this build does not have.
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("taskforge.db");
    e2e::app::migrate(&database);
    e2e::app::create_user(&database, "alice", "editor");
    let newer = dir.path().join("newer.db");
    let output = taskforge(&database, &["backup", newer.to_str().unwrap()], None);
    assert!(output.status.success(), "{}", stderr(&output));
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'future', 'x')",
            [],
        )
        .unwrap();
    // Act
    let output = taskforge(&database, &["restore", newer.to_str().unwrap()], None);
    // Assert
    assert_refused(&output, 3, "cannot be used by this build");
    assert!(stderr(&output).contains("newer"), "{}", stderr(&output));
}

#[test]
fn serve_and_migrate_refuse_a_newer_contract_migration_by_name_with_status_3() {
    // Arrange: a database on which a newer build applied a contract step (ADR 0023).
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("taskforge.db");
    e2e::app::migrate(&database);
    rusqlite::Connection::open(&database)
        .unwrap()
        .execute(
            "INSERT INTO schema_migrations (version, name, checksum, kind) \
             VALUES (999, '0999_drop_the_old_shape.sql', 'x', 'contract')",
            [],
        )
        .unwrap();
    let before = std::fs::read(&database).unwrap();
    for args in [vec!["serve", "--bind", "127.0.0.1:0"], vec!["migrate"]] {
        // Act
        let output = taskforge(&database, &args, None);
        // Assert: status 3, one line naming the migration, what it is, and the remedy.
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(3), "{args:?}: {text}");
        for needle in ["0999_drop_the_old_shape.sql", "contract step", "run the newer taskforge"] {
            assert!(text.contains(needle), "{args:?}: {needle:?} not in: {text}");
        }
    }
    assert_eq!(std::fs::read(&database).unwrap(), before, "the database was left as it was");
}

#[test]
fn while_a_restore_holds_the_database_serve_and_commands_are_refused_with_status_4() {
    // Arrange: what a restore holds while it swaps the file — an exclusive lock on it.
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("taskforge.db");
    e2e::app::migrate(&database);
    let held = std::fs::File::open(&database).unwrap();
    held.try_lock().unwrap();
    for args in [vec!["serve", "--bind", "127.0.0.1:0"], vec!["user", "list"]] {
        // Act
        let output = taskforge(&database, &args, None);
        // Assert
        assert_refused(&output, 4, "taskforge restore");
    }
    drop(held);
    let output = taskforge(&database, &["user", "list"], None);
    assert!(output.status.success(), "{}", stderr(&output));
}

// ---- user list ------------------------------------------------------------------------

#[test]
fn user_list_prints_every_account_as_a_table_without_password_hashes() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("taskforge.db");
    e2e::app::migrate(&database);
    let zoe = e2e::app::create_user(&database, "zoe", "viewer");
    let adam = e2e::app::create_user(&database, "adam", "admin");
    // Act
    let output = taskforge(&database, &["user", "list"], None);
    // Assert
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("USERNAME"), "{text}");
    let row = |line: &str| line.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(row(lines[1])[..4], ["adam", "admin", "-", adam.as_str()], "{text}");
    assert_eq!(row(lines[2])[..4], ["zoe", "viewer", "-", zoe.as_str()], "{text}");
    assert!(!text.contains("pbkdf2") && !text.contains('$'), "no hash: {text}");
}

// ---- user reset-password ---------------------------------------------------------------

#[tokio::test]
async fn user_reset_password_sets_a_new_password_and_ends_the_accounts_sessions() {
    // Arrange: a running server, and the editor logged in there.
    let app = TestApp::spawn().await;
    let editor = app.people.editor.clone();
    let old_refresh = editor.refresh_token.clone().unwrap();
    // Act: while the server runs.
    let output = taskforge(
        app.server.database(),
        &["user", "reset-password", &editor.username, "--password-stdin"],
        Some("a brand new passphrase\n"),
    );
    // Assert
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stdout(&output).contains("brand new"), "never echoed");
    app.refresh(&old_refresh).await.expect(401);
    app.login(&editor.username, &editor.password).await.expect(401);
    app.login(&editor.username, "a brand new passphrase").await.expect(200);
}

#[tokio::test]
async fn user_reset_password_refuses_weak_passwords_and_unknown_users_changing_nothing() {
    // Arrange
    let app = TestApp::spawn().await;
    let viewer = app.people.viewer.clone();
    let cases = [
        (viewer.username.as_str(), "short\n", "password"),
        (viewer.username.as_str(), "password123\n", "common"),
        ("nobody", "a brand new passphrase\n", "no user called nobody"),
    ];
    for (username, password, needle) in cases {
        // Act
        let output = taskforge(
            app.server.database(),
            &["user", "reset-password", username, "--password-stdin"],
            Some(password),
        );
        // Assert
        assert_refused(&output, 1, needle);
        assert!(!stderr(&output).contains(password.trim()), "never echoed: {}", stderr(&output));
    }
    app.refresh(viewer.refresh_token.as_deref().unwrap()).await.expect(200);
    app.login(&viewer.username, &viewer.password).await.expect(200);
}

#[test]
fn user_list_and_reset_password_on_the_in_memory_store_find_nobody() {
    let list = taskforge(Path::new("memory"), &["user", "list"], None);
    assert!(list.status.success(), "{}", stderr(&list));
    assert_eq!(stdout(&list).lines().count(), 1, "the header only: {}", stdout(&list));
    let reset = taskforge(
        Path::new("memory"),
        &["user", "reset-password", "admin", "--password-stdin"],
        Some("a brand new passphrase\n"),
    );
    assert_refused(&reset, 1, "no user called admin");
    let restore = taskforge(Path::new("memory"), &["restore", "/nonexistent/x.db"], None);
    assert!(!restore.status.success());
    assert!(stderr(&restore).contains("memory"), "{}", stderr(&restore));
}
