//! How `taskforge` starts, as an operator sees it: `--bind` takes a host name (and refuses
//! one that does not resolve with one line), a refused start prints its error alone (no
//! warning about the signing key before it), logs carry colour codes only on a terminal
//! without `NO_COLOR`, and `--help` says first what the program is for.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use e2e::binary::{self, COMMAND_TIMEOUT};
use e2e::server::{Server, serve_command};

/// How long a refused start may take; resolving a name that does not exist can take a few
/// seconds on a slow resolver.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(30);

/// The escape character that starts every ANSI colour sequence.
const ESC: char = '\u{1b}';

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit status 2 and exactly one line on standard error, containing each of `needles`.
#[track_caller]
fn assert_one_line_refusal(output: &Output, needles: &[&str]) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {text}");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected on stderr, got: {text}");
    for needle in needles {
        assert!(lines[0].contains(needle), "{needle} not named in: {text}");
    }
}

/// A port nobody listens on right now (the operating system's pick, released at once).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn serve_listens_on_a_host_name() {
    // Arrange: `localhost` with a fixed port, so the server listens on every address the
    // name has (127.0.0.1 among them, which the harness checks).
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("t.db");
    let port = free_port();
    let mut command = serve_command(&database);
    command.env("TASKFORGE_BIND", format!("localhost:{port}"));
    // Act
    let server = Server::start_command(command, &database, Some(dir));
    // Assert
    assert_eq!(server.port(), port);
    let started = server
        .json_log()
        .into_iter()
        .find(|l| l["message"].as_str().is_some_and(|m| m.starts_with("taskforge listening")))
        .expect("the start-up line");
    let message = started["message"].as_str().unwrap();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
}

#[test]
fn serve_refuses_a_host_name_that_does_not_resolve_with_status_2_and_one_line_naming_it() {
    // Arrange: `.invalid` never resolves (RFC 6761).
    let dir = tempfile::tempdir().unwrap();
    let mut command = serve_command(&dir.path().join("t.db"));
    command.env("TASKFORGE_BIND", "tasks.example.invalid:8080");
    // Act
    let output = binary::run(command, None, REFUSAL_TIMEOUT);
    // Assert
    assert_one_line_refusal(
        &output,
        &["TASKFORGE_BIND", "cannot resolve", "tasks.example.invalid"],
    );
    assert!(!dir.path().join("t.db").exists(), "a refused start creates no database");
}

#[test]
fn a_start_refused_for_a_busy_address_prints_its_error_without_the_signing_key_warning() {
    // Arrange: the address is taken, and no signing key is configured (which warns when the
    // server does start).
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut command = serve_command(&dir.path().join("t.db"));
    command
        .env("TASKFORGE_BIND", taken.local_addr().unwrap().to_string())
        .env_remove("TASKFORGE_JWT_SECRET");
    // Act
    let output = binary::run(command, None, REFUSAL_TIMEOUT);
    // Assert
    assert_one_line_refusal(&output, &["TASKFORGE_BIND"]);
    assert!(!stderr(&output).contains("TASKFORGE_JWT_SECRET"), "{}", stderr(&output));
}

#[test]
fn pretty_logs_written_to_a_file_carry_no_colour_codes() {
    // Arrange: standard error is a file, as under a service manager that logs to one.
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("taskforge.log");
    let mut command = serve_command(&dir.path().join("t.db"));
    command
        .env("TASKFORGE_LOG", "pretty")
        .env_remove("NO_COLOR")
        .stderr(std::fs::File::create(&log_path).unwrap());
    // Act: start, wait for the start-up line, stop.
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let log = loop {
        let log = std::fs::read_to_string(&log_path).unwrap();
        if log.contains("taskforge listening") || Instant::now() > deadline {
            break log;
        }
        if child.try_wait().unwrap().is_some() {
            break std::fs::read_to_string(&log_path).unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = child.kill();
    let _ = child.wait();
    // Assert
    assert!(log.contains("taskforge listening"), "the server started: {log}");
    assert!(log.contains("INFO"), "pretty, not JSON: {log}");
    assert!(!log.contains(ESC), "colour codes in a file: {log:?}");
}

/// `taskforge user create` with pretty logs, run by `script` on a pseudo-terminal (so its
/// standard error is a terminal), with `NO_COLOR` set to `no_color` or removed; returns what
/// the terminal showed.
fn user_create_on_a_terminal(database: &Path, username: &str, no_color: Option<&str>) -> String {
    let inner = binary::command_on(database);
    let mut command = Command::new("script");
    // -q: no banner; -e: the command's exit status; -c: the command; /dev/null: no typescript.
    command
        .args(["-q", "-e", "-c"])
        .arg(
            "printf '%s\\n' \"$PASSWORD\" | \"$TASKFORGE_BIN\" user create \
             --username \"$NEW_USER\" --role editor --password-stdin",
        )
        .arg("/dev/null");
    for (name, value) in inner.get_envs() {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command
        .env("TASKFORGE_BIN", inner.get_program())
        .env("TASKFORGE_LOG", "pretty")
        .env("PASSWORD", "a long enough password")
        .env("NEW_USER", username);
    match no_color {
        Some(value) => command.env("NO_COLOR", value),
        None => command.env_remove("NO_COLOR"),
    };
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("script (util-linux) can be run");
    let mut shown = String::new();
    child.stdout.take().unwrap().read_to_string(&mut shown).unwrap();
    let status = binary::wait_within(&mut child, COMMAND_TIMEOUT).expect("script finishes");
    assert!(status.success(), "user create on a terminal failed ({status}): {shown}");
    shown
}

#[test]
fn logs_on_a_terminal_are_coloured_unless_no_color_is_set() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("t.db");
    e2e::app::migrate(&database);
    // Act
    let coloured = user_create_on_a_terminal(&database, "tina", None);
    let plain = user_create_on_a_terminal(&database, "toni", Some("1"));
    // Assert: the audit line of the new account is on the terminal both times.
    assert!(coloured.contains("user_registered"), "{coloured:?}");
    assert!(coloured.contains(ESC), "a terminal gets colour: {coloured:?}");
    assert!(plain.contains("user_registered"), "{plain:?}");
    assert!(!plain.contains(ESC), "NO_COLOR turns colour off: {plain:?}");
}

#[test]
fn help_begins_with_what_the_program_is_for() {
    // Act
    let mut command = binary::command();
    command.arg("--help");
    let output = binary::run(command, None, COMMAND_TIMEOUT);
    // Assert
    assert!(output.status.success(), "{}", stderr(&output));
    let help = String::from_utf8_lossy(&output.stdout);
    let headline = help.lines().next().unwrap_or_default();
    assert!(headline.contains("task-management service"), "{headline}");
    assert!(headline.contains("HTTP API"), "{headline}");
    assert!(help.contains("taskforge serve"), "{help}");
}
