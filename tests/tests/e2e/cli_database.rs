//! The database the `taskforge` binary opens, as an operator meets it:
//!
//! - Only `serve` and `migrate` create a database. `backup`, `restore`, `user …` and `export` refuse a
//!   path where no TaskForge database is — a mistyped `TASKFORGE_DATABASE`, or a command run
//!   from another directory with the default `taskforge.db` — with exit status 3 and one line
//!   naming the absolute path, and create nothing: neither the database nor their own output.
//!   Before, such a backup printed "backed up" and wrote a copy of a new, empty database.
//! - `serve` logs the absolute path of the file it opened.
//! - The database, its `-wal` and `-shm` files, backups and exports are created readable and
//!   writable by their owner only, whatever the umask.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use e2e::binary::{self, COMMAND_TIMEOUT};
use e2e::server::{Server, serve_command};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// Exit status 3 and exactly one line on standard error, naming `path`; no panic.
#[track_caller]
fn assert_no_database(output: &Output, path: &Path, what: &str) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(3), "{what}: status 3 expected; stderr: {text}");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{what}: one line expected, got: {text}");
    assert!(lines[0].contains(&path.display().to_string()), "{what}: path not named: {text}");
    assert!(!text.contains("panicked"), "{what}: {text}");
    assert!(output.stdout.is_empty(), "{what}: nothing reported as done");
}

/// `command` run through `sh` under `umask`, with the same program, arguments and
/// environment.
fn under_umask(inner: &Command, umask: &str) -> Command {
    let mut command = Command::new("/bin/sh");
    command
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(inner.get_program())
        .args(inner.get_args());
    for (name, value) in inner.get_envs() {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    if let Some(dir) = inner.get_current_dir() {
        command.current_dir(dir);
    }
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

#[test]
fn a_backup_of_a_mistyped_database_exits_3_naming_it_and_creates_nothing() {
    // Arrange: the real database, and a typo of its name.
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("taskforge.db");
    e2e::app::migrate(&real);
    e2e::app::create_user(&real, "someone", "editor");
    let typo = dir.path().join("taskforg.db");
    let before = names_in(dir.path());
    // Act
    let mut command = binary::command_on(&typo);
    command.arg("backup").arg(dir.path().join("b.db"));
    let output = binary::run(command, None, COMMAND_TIMEOUT);
    // Assert
    assert_no_database(&output, &typo, "backup");
    assert_eq!(names_in(dir.path()), before, "no database, WAL or backup file was created");
}

#[test]
fn operator_commands_run_where_no_database_is_exit_3_and_create_nothing() {
    // Arrange: an empty working directory and the default database name.
    let dir = tempfile::tempdir().unwrap();
    let expected = std::fs::canonicalize(dir.path()).unwrap().join("taskforge.db");
    let cases: [(&str, Vec<&str>, Option<&str>); 7] = [
        (
            "user create",
            vec!["user", "create", "--username", "admin", "--role", "admin", "--password-stdin"],
            Some("a long admin passphrase\n"),
        ),
        ("user set-role", vec!["user", "set-role", "admin", "viewer"], None),
        ("user list", vec!["user", "list"], None),
        (
            "user reset-password",
            vec!["user", "reset-password", "admin", "--password-stdin"],
            Some("a long admin passphrase\n"),
        ),
        ("backup", vec!["backup", "copy.db"], None),
        // Restoring replaces a database; it never creates one where there was none.
        ("restore", vec!["restore", "copy.db"], None),
        ("export", vec!["export", "--format", "csv", "--out", "tasks.csv"], None),
    ];
    for (what, args, stdin) in cases {
        let mut command = binary::command();
        command.current_dir(dir.path()).args(&args);
        // Act
        let output = binary::run(command, stdin, COMMAND_TIMEOUT);
        // Assert
        assert_no_database(&output, &expected, what);
        assert!(names_in(dir.path()).is_empty(), "{what} created {:?}", names_in(dir.path()));
    }
}

#[test]
fn an_empty_file_is_not_taken_for_a_database_by_an_operator_command() {
    // Arrange: what `touch taskforge.db` leaves, which SQLite would take for an empty database.
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("taskforge.db");
    std::fs::write(&empty, b"").unwrap();
    // Act
    let mut command = binary::command_on(&empty);
    command.arg("backup").arg(dir.path().join("b.db"));
    let output = binary::run(command, None, COMMAND_TIMEOUT);
    // Assert
    assert_no_database(&output, &empty, "backup of an empty file");
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0, "nothing was written to it");
    assert_eq!(names_in(dir.path()), ["taskforge.db"]);
}

#[test]
fn serve_creates_the_database_and_logs_its_absolute_path() {
    // Arrange: a relative path, resolved against the server's working directory.
    let dir = tempfile::tempdir().unwrap();
    let expected = std::fs::canonicalize(dir.path()).unwrap().join("relative.db");
    let mut command = serve_command(Path::new("relative.db"));
    command.current_dir(dir.path());
    // Act
    let server = Server::start_command(command, Path::new("relative.db"), None);
    // Assert
    let started = server
        .json_log()
        .into_iter()
        .find(|l| l["message"].as_str().is_some_and(|m| m.starts_with("taskforge listening")))
        .expect("the start-up line");
    assert_eq!(started["database"], expected.display().to_string(), "{started}");
    assert!(expected.is_file());
}

#[test]
fn the_database_its_wal_and_shm_backups_and_exports_are_private_even_under_umask_000() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("taskforge.db");
    // Act: the server creates the database, under the most permissive umask.
    let server =
        Server::start_command(under_umask(&serve_command(&database), "000"), &database, None);
    let mut backup = binary::command_on(&database);
    backup.arg("backup").arg(dir.path().join("backup.db"));
    let backed_up = binary::run(under_umask(&backup, "000"), None, COMMAND_TIMEOUT);
    let mut export = binary::command_on(&database);
    export.args(["export", "--format", "json", "--out"]).arg(dir.path().join("tasks.json"));
    let exported = binary::run(under_umask(&export, "000"), None, COMMAND_TIMEOUT);
    // Assert
    assert!(backed_up.status.success(), "{}", stderr(&backed_up));
    assert!(exported.status.success(), "{}", stderr(&exported));
    for file in [
        database.clone(),
        with_suffix(&database, "-wal"),
        with_suffix(&database, "-shm"),
        dir.path().join("backup.db"),
        dir.path().join("tasks.json"),
    ] {
        assert_eq!(mode(&file), 0o600, "{}: {:o}", file.display(), mode(&file));
    }
    drop(server);
}
