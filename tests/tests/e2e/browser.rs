//! The web interface in a real browser: Debian's chromium, driven by playwright-core from
//! `tests/browser/run.mjs` (ADR 0019), against the real binary on a fresh SQLite file.
//!
//! The script registers, logs in, creates a project and tasks with XSS payloads in their
//! names (shown as text, no script runs), filters, edits, meets a conflict, adds a subtask,
//! moves a card on the board with the keyboard only, adds a member, watches the open board
//! show the new member's task without a reload (its live stream), exports CSV, is refused
//! a forged and a cross-site post, deletes, and logs out — scanning every page with
//! axe-core (zero serious or critical violations) and checking it at 1280 and 375 px. It
//! takes screenshots of the main pages into `target/browser-screenshots/`; with
//! `TASKFORGE_UPDATE_SCREENSHOTS=1` it writes them into `docs/screenshots/`, the ones the README
//! shows. Pages with times on them differ on every run, so a plain test run must not rewrite
//! files the repository tracks.
//!
//! `scripts/test-tools` installs chromium, node and the npm packages when they are missing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use e2e::server::Server;

/// The whole walk takes a few seconds; a hung browser must not hang the suite.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(180);

#[test]
fn the_web_interface_works_in_a_real_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let browser_dir = root.join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir()
            && browser_dir.join("node_modules/axe-core").is_dir(),
        "the browser tests' npm packages are missing: run scripts/test-tools"
    );
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("web.db");
    let server = Server::start(&database, &[("TASKFORGE_REGISTRATION", "open")], Some(dir));
    let shots = if std::env::var_os("TASKFORGE_UPDATE_SCREENSHOTS").is_some_and(|v| v == "1") {
        root.join("docs/screenshots")
    } else {
        root.join("target/browser-screenshots")
    };
    std::fs::create_dir_all(&shots).unwrap();
    let mut child = Command::new("node")
        .arg(browser_dir.join("run.mjs"))
        .arg(server.base_url())
        .arg(&shots)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("node runs (scripts/test-tools installs it)");
    let deadline = Instant::now() + BROWSER_TIMEOUT;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("all steps passed"),
        "browser tests failed ({:?}):\n{stdout}\n{stderr}\nserver log:\n{}",
        output.status,
        server.log().join("\n")
    );
}
