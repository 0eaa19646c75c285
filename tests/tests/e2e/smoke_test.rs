//! `scripts/smoke-test`, the after-deploy check of `docs/deployment.md`, run against the real
//! binary: it passes against a healthy deployment and leaves nothing behind, and when a step
//! cannot pass it exits non-zero naming that step — still cleaning up after itself.
//!
//! Each test deploys a server on a [`Database`]: a fresh SQLite file, or a throwaway
//! PostgreSQL database (`postgres://…`, no directory) for the PostgreSQL run of the check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use e2e::app::{create_user, migrate, password_of};
use e2e::binary;
use e2e::server::Server;
use e2e::{Caller, TestApp};
use serde_json::{Value, json};
use taskforge_postgres::testing::ThrowawayDatabase;
use tempfile::TempDir;

/// How long one run of the script may take before the test calls it hung.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(60);

/// The account the smoke test logs in as (an editor, as docs/deployment.md advises).
const SMOKE_USER: &str = "smoke";

/// The database a deployment runs on.
struct Database {
    /// What `TASKFORGE_DATABASE` says: a SQLite file's path, or a server database's URL.
    url: String,
    /// The temporary directory holding a SQLite file; `None` for a server database.
    dir: Option<TempDir>,
    /// The throwaway PostgreSQL database, dropped after the server stops.
    server_database: Option<ThrowawayDatabase>,
}

impl Database {
    /// A fresh SQLite file in a temporary directory.
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = dir.path().join("taskforge.db").to_string_lossy().into_owned();
        Self { url, dir: Some(dir), server_database: None }
    }

    /// A fresh PostgreSQL database on the test server; `None` (the test is skipped, loudly)
    /// when no server answers.
    async fn postgres() -> Option<Self> {
        let db = ThrowawayDatabase::create().await?;
        Some(Self { url: db.url().to_owned(), dir: None, server_database: Some(db) })
    }
}

/// A running server with the smoke test's account, and that account logged in for the
/// test's own checks.
struct Deployment {
    app: TestApp,
    smoke: Caller,
    /// Declared last, so dropped after the server has stopped.
    _server_database: Option<ThrowawayDatabase>,
}

impl Deployment {
    /// Starts `taskforge serve` on `database` with an editor `smoke` (and a viewer
    /// `smoke-viewer`), both created with `taskforge user create` as an operator would.
    async fn on(database: Database) -> Self {
        let target = Path::new(&database.url);
        migrate(target);
        let id = create_user(target, SMOKE_USER, "editor");
        create_user(target, "smoke-viewer", "viewer");
        let server = Server::start(target, &[], database.dir);
        let app = TestApp::on(server);
        let smoke = app.logged_in(SMOKE_USER, &password_of(SMOKE_USER), id).await;
        Self { app, smoke, _server_database: database.server_database }
    }

    fn url(&self) -> String {
        self.app.server.base_url()
    }

    /// The projects and the tasks the smoke account sees.
    async fn what_smoke_sees(&self) -> (Vec<Value>, Vec<Value>) {
        let projects = self.app.list_projects(&self.smoke, "").await.expect(200);
        let tasks = self.app.list_tasks(&self.smoke, "").await.expect(200);
        (items(&projects), items(&tasks))
    }

    /// The statuses the server answered on `route`, in order (from its request log).
    fn statuses_of(&self, method: &str, route: &str) -> Vec<u64> {
        self.app
            .server
            .json_log()
            .iter()
            .filter(|line| {
                line["message"] == "request served"
                    && line["span"]["method"] == method
                    && line["span"]["route"] == route
            })
            .filter_map(|line| line["status"].as_u64())
            .collect()
    }
}

fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().unwrap_or_else(|| panic!("no items in {page}")).clone()
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("scripts/smoke-test")
}

/// Runs `scripts/smoke-test URL` with exactly the settings in `env` (inherited
/// `TASKFORGE_SMOKE_*` and proxy variables removed, so neither a developer's shell nor a
/// proxy changes what is tested), off the async runtime.
async fn smoke_test(url: &str, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(script());
    command.arg(url).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("TASKFORGE_SMOKE_")
            || name.to_ascii_lowercase().ends_with("_proxy")
            || name == "CURL_CA_BUNDLE"
        {
            command.env_remove(name);
        }
    }
    for (name, value) in env {
        command.env(name, value);
    }
    tokio::task::spawn_blocking(move || binary::run(command, None, SCRIPT_TIMEOUT))
        .await
        .expect("the script runner does not panic")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The script's own closing line on failure names `step`, and the exit status is 1.
#[track_caller]
fn assert_failed_at(output: &Output, step: &str) {
    let (out, err) = (stdout(output), stderr(output));
    assert_eq!(output.status.code(), Some(1), "stdout:\n{out}\nstderr:\n{err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!("smoke-test: FAILED at step '{step}': ")),
        "the last line must name the step {step}:\nstdout:\n{out}\nstderr:\n{err}"
    );
    assert!(!out.contains("passed against"), "{out}");
}

/// The steps the script reported as passed, in order.
fn passed_steps(output: &Output) -> Vec<String> {
    stdout(output)
        .lines()
        .filter_map(|l| l.strip_prefix("smoke-test: ok"))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

fn smoke_env(password: &str) -> Vec<(&'static str, String)> {
    vec![
        ("TASKFORGE_SMOKE_USERNAME", SMOKE_USER.to_owned()),
        ("TASKFORGE_SMOKE_PASSWORD", password.to_owned()),
    ]
}

fn borrowed<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Every step passes against `deployment`, and the smoke account sees no project and no task
/// afterwards: the throw-away project is deleted and the session logged out.
async fn assert_passes_and_cleans_up(deployment: &Deployment) {
    // Act
    let env = smoke_env(&password_of(SMOKE_USER));
    let output = smoke_test(&deployment.url(), &borrowed(&env)).await;
    // Assert
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(
        passed_steps(&output),
        ["health", "ready", "login", "project", "create", "read", "delete", "cleanup"]
    );
    let (projects, tasks) = deployment.what_smoke_sees().await;
    assert!(projects.is_empty(), "the throw-away project is left: {projects:?}");
    assert!(tasks.is_empty(), "tasks are left: {tasks:?}");
    assert_eq!(deployment.statuses_of("POST", "/api/v1/projects"), [201]);
    assert_eq!(deployment.statuses_of("DELETE", "/api/v1/tasks/{id}"), [204]);
    assert_eq!(deployment.statuses_of("DELETE", "/api/v1/projects/{id}"), [204]);
    assert_eq!(deployment.statuses_of("POST", "/api/v1/auth/logout"), [204], "logged out");
}

#[tokio::test]
async fn the_smoke_test_passes_against_the_binary_on_sqlite_and_leaves_nothing_behind() {
    let deployment = Deployment::on(Database::sqlite()).await;
    assert_passes_and_cleans_up(&deployment).await;
}

#[tokio::test]
async fn the_smoke_test_passes_against_the_binary_on_postgresql_and_leaves_nothing_behind() {
    let Some(database) = Database::postgres().await else { return };
    let deployment = Deployment::on(database).await;
    assert_passes_and_cleans_up(&deployment).await;
}

#[tokio::test]
async fn with_a_named_project_the_smoke_test_passes_and_keeps_the_project_without_its_task() {
    // Arrange
    let deployment = Deployment::on(Database::sqlite()).await;
    let project = deployment
        .app
        .create_project(&deployment.smoke, &json!({"name": "Operations"}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut env = smoke_env(&password_of(SMOKE_USER));
    env.push(("TASKFORGE_SMOKE_PROJECT_ID", project.clone()));
    // Act
    let output = smoke_test(&deployment.url(), &borrowed(&env)).await;
    // Assert
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains(&format!("ok    project (using {project})")));
    deployment.app.get_project(&deployment.smoke, &project).await.expect(200);
    let left = deployment
        .app
        .list_tasks(&deployment.smoke, &format!("project_id={project}"))
        .await
        .expect(200);
    assert!(items(&left).is_empty(), "the smoke task is left: {left}");
    assert_eq!(deployment.statuses_of("POST", "/api/v1/projects"), [201], "only the arranged one");
}

#[tokio::test]
async fn a_wrong_password_fails_at_the_login_step_and_creates_nothing() {
    // Arrange
    let deployment = Deployment::on(Database::sqlite()).await;
    let env = smoke_env("not-the-right-pass-phrase");
    // Act
    let output = smoke_test(&deployment.url(), &borrowed(&env)).await;
    // Assert
    assert_failed_at(&output, "login");
    assert!(stderr(&output).contains("HTTP 401"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("not-the-right-pass-phrase"), "the password is never shown");
    assert_eq!(passed_steps(&output), ["health", "ready"]);
    let (projects, tasks) = deployment.what_smoke_sees().await;
    assert!(projects.is_empty() && tasks.is_empty(), "{projects:?} {tasks:?}");
    assert!(deployment.statuses_of("POST", "/api/v1/projects").is_empty());
}

#[tokio::test]
async fn an_account_that_may_not_create_projects_fails_at_the_project_step_and_is_logged_out() {
    // Arrange: a viewer may log in but not create a project.
    let deployment = Deployment::on(Database::sqlite()).await;
    let env = [
        ("TASKFORGE_SMOKE_USERNAME", "smoke-viewer"),
        ("TASKFORGE_SMOKE_PASSWORD", &password_of("smoke-viewer")),
    ];
    // Act
    let output = smoke_test(&deployment.url(), &env).await;
    // Assert
    assert_failed_at(&output, "project");
    assert!(stderr(&output).contains("HTTP 403"), "{}", stderr(&output));
    assert_eq!(passed_steps(&output), ["health", "ready", "login"]);
    assert_eq!(
        deployment.statuses_of("POST", "/api/v1/auth/logout"),
        [204],
        "the cleanup logs out after a failed step too"
    );
}

#[tokio::test]
async fn a_url_where_nothing_answers_fails_at_the_health_step() {
    // Arrange: a port that was free a moment ago and has no listener now.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env = smoke_env("whatever-pass-phrase");
    // Act
    let output = smoke_test(&format!("http://127.0.0.1:{port}"), &borrowed(&env)).await;
    // Assert
    assert_failed_at(&output, "health");
    assert!(stderr(&output).contains("no answer"), "{}", stderr(&output));
    assert!(passed_steps(&output).is_empty());
}

#[tokio::test]
async fn without_a_password_the_smoke_test_refuses_to_start_with_status_2_naming_the_setting() {
    // Act
    let output =
        smoke_test("http://127.0.0.1:9", &[("TASKFORGE_SMOKE_USERNAME", SMOKE_USER)]).await;
    // Assert
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("TASKFORGE_SMOKE_PASSWORD"), "{}", stderr(&output));
    assert!(stdout(&output).is_empty(), "no step ran: {}", stdout(&output));
}
