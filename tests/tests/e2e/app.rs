//! The application under test as a test sees it: a server, the people of every test, and an
//! HTTP client of its own.
//!
//! [`TestApp::spawn`] starts a fresh server on a fresh SQLite file; [`TestApp::shared`]
//! hands out one server per test process for tests that do not interfere (each arranges its
//! own projects, tasks and categories). The shared server lives as long as some test holds
//! it, so it is always killed by a `Drop` — a `static` would never be dropped and would leave
//! the process running after the tests.

use std::sync::{Arc, Weak};
use std::time::Duration;

use reqwest::{Client, Method};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::binary::{self, COMMAND_TIMEOUT};
use super::reply::Reply;
use super::server::Server;

/// Every request's time limit: a hung server fails the test instead of hanging it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Someone calling the API: a user with their tokens, or nobody.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Login name (empty for anonymous).
    pub username: String,
    /// Password (empty for anonymous).
    pub password: String,
    /// User id (empty for anonymous).
    pub id: String,
    /// Access token; `None` for anonymous.
    pub token: Option<String>,
    /// The refresh token of the login that produced `token`.
    pub refresh_token: Option<String>,
}

impl Caller {
    /// Nobody: requests without `Authorization`.
    pub fn anonymous() -> Self {
        Self {
            username: String::new(),
            password: String::new(),
            id: String::new(),
            token: None,
            refresh_token: None,
        }
    }

    /// The same user presenting `token` instead.
    #[must_use]
    pub fn with_token(&self, token: &str) -> Self {
        Self { token: Some(token.to_owned()), ..self.clone() }
    }
}

/// The people of every test. Projects arranged by [`TestApp::new_project`] are owned by
/// `owner` and have `editor` and `viewer` as members; `outsider` belongs to none of them.
#[derive(Debug, Clone)]
pub struct People {
    /// Role admin.
    pub admin: Caller,
    /// Role editor; owns the arranged projects.
    pub owner: Caller,
    /// Role editor; a member (not the owner) of the arranged projects.
    pub editor: Caller,
    /// Role editor; a member of none of the arranged projects.
    pub outsider: Caller,
    /// Role viewer; a member of the arranged projects.
    pub viewer: Caller,
    /// No token at all.
    pub anonymous: Caller,
}

/// The fixture accounts: name and role. Created through the CLI, as an operator would.
const FIXTURES: [(&str, &str); 5] = [
    ("admin", "admin"),
    ("owner", "editor"),
    ("editor", "editor"),
    ("outsider", "editor"),
    ("viewer", "viewer"),
];

/// The fixture accounts' password prefix (long enough, and not a common password).
const PASSWORD_PREFIX: &str = "e2e-Pass-phrase";

/// A running server with the fixture people logged in, and a client.
#[derive(Debug)]
pub struct TestApp {
    /// The server process.
    pub server: Arc<Server>,
    /// The people, with their tokens.
    pub people: Arc<People>,
    client: Client,
}

/// The server [`TestApp::shared`] hands out, while some test holds it.
static SHARED: Mutex<Option<(Weak<Server>, Arc<People>)>> = Mutex::const_new(None);

impl TestApp {
    /// A fresh server on a fresh database, with the fixture people.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// A fresh server with extra environment variables (e.g. `TASKFORGE_REGISTRATION`).
    pub async fn spawn_with(env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let database = dir.path().join("taskforge.db");
        Self::spawn_on(&database, env, Some(dir)).await
    }

    /// A fresh server on `database` (a new SQLite file's path, or the URL of an empty
    /// PostgreSQL database), migrated and given the fixture people through the CLI, owning
    /// `dir` (if given) until it stops.
    pub async fn spawn_on(
        database: &std::path::Path,
        env: &[(&str, &str)],
        dir: Option<tempfile::TempDir>,
    ) -> Self {
        migrate(database);
        let ids: Vec<String> =
            FIXTURES.iter().map(|(name, role)| create_user(database, name, role)).collect();
        let server = Arc::new(Server::start(database, env, dir));
        let mut app = Self { server, people: Arc::new(People::nobody()), client: client() };
        let mut people = Vec::new();
        for ((name, _), id) in FIXTURES.iter().zip(ids) {
            people.push(app.logged_in(name, &password_of(name), id).await);
        }
        let [admin, owner, editor, outsider, viewer] =
            <[Caller; 5]>::try_from(people).expect("five fixture people");
        app.people = Arc::new(People {
            admin,
            owner,
            editor,
            outsider,
            viewer,
            anonymous: Caller::anonymous(),
        });
        app
    }

    /// A client for an already started `server`, without fixture people (all of them are
    /// anonymous until a test logs someone in).
    pub fn on(server: Server) -> Self {
        Self { server: Arc::new(server), people: Arc::new(People::nobody()), client: client() }
    }

    /// Another server on this app's database (PostgreSQL: several instances sharing it), with
    /// the test environment plus `env`, for the same people: their tokens are valid there too,
    /// since every instance signs with the same key.
    pub fn another_instance(&self, env: &[(&str, &str)]) -> Self {
        Self {
            server: Arc::new(Server::start(self.server.database(), env, None)),
            people: Arc::clone(&self.people),
            client: client(),
        }
    }

    /// [`TestApp::another_instance`] running another build of the program (for instance
    /// `binary::taskforge_ahead`, one migration ahead), with the test environment.
    pub fn another_instance_of(&self, program: &std::path::Path) -> Self {
        let command = super::server::serve_command_of(program, self.server.database());
        Self {
            server: Arc::new(Server::start_command(command, self.server.database(), None)),
            people: Arc::clone(&self.people),
            client: client(),
        }
    }

    /// The same people (their tokens stay valid: the signing key is fixed) on a new server
    /// on the same database, once this app's server has exited (see [`Server::restart`]).
    pub fn restarted(&self, env: &[(&str, &str)]) -> Self {
        Self {
            server: Arc::new(self.server.restart(env)),
            people: Arc::clone(&self.people),
            client: client(),
        }
    }

    /// The server shared by the tests of this process that do not need one of their own.
    pub async fn shared() -> Self {
        let mut shared = SHARED.lock().await;
        if let Some((server, people)) = shared.as_ref()
            && let Some(server) = server.upgrade()
        {
            return Self { server, people: Arc::clone(people), client: client() };
        }
        let app = Self::spawn().await;
        *shared = Some((Arc::downgrade(&app.server), Arc::clone(&app.people)));
        app
    }

    /// A request to `path` (with its query) on this server, to be completed and sent.
    pub fn call(&self, method: Method, path: impl Into<String>) -> Call<'_> {
        Call {
            app: self,
            method,
            path: path.into(),
            token: None,
            headers: Vec::new(),
            body: None,
            allow_server_error: false,
        }
    }

    /// Logs `username` in and returns them as a caller (asserting the login succeeds).
    pub async fn logged_in(&self, username: &str, password: &str, id: String) -> Caller {
        let session = self.login(username, password).await.expect(200);
        assert_eq!(session["token_type"], "Bearer", "{session}");
        assert!(session["expires_in"].as_u64().is_some_and(|s| s > 0), "{session}");
        Caller {
            username: username.to_owned(),
            password: password.to_owned(),
            id,
            token: Some(session["access_token"].as_str().expect("an access token").to_owned()),
            refresh_token: Some(
                session["refresh_token"].as_str().expect("a refresh token").to_owned(),
            ),
        }
    }
}

impl People {
    fn nobody() -> Self {
        let nobody = Caller::anonymous();
        Self {
            admin: nobody.clone(),
            owner: nobody.clone(),
            editor: nobody.clone(),
            outsider: nobody.clone(),
            viewer: nobody.clone(),
            anonymous: nobody,
        }
    }
}

/// A request being built; [`Call::send`] sends it and checks the response (`reply.rs`).
#[derive(Debug)]
#[must_use = "a call does nothing until it is sent"]
pub struct Call<'a> {
    app: &'a TestApp,
    method: Method,
    path: String,
    token: Option<String>,
    headers: Vec<(String, String)>,
    body: Option<(Option<String>, Vec<u8>)>,
    allow_server_error: bool,
}

impl Call<'_> {
    /// As `who` (no `Authorization` header for anonymous callers).
    pub fn by(mut self, who: &Caller) -> Self {
        self.token.clone_from(&who.token);
        self
    }

    /// A header, as given (e.g. a malformed `Authorization`).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A JSON body with `Content-Type: application/json`.
    pub fn json(self, body: &Value) -> Self {
        let bytes = serde_json::to_vec(body).expect("a JSON value serialises");
        self.body(Some("application/json"), bytes)
    }

    /// A raw body with the given `Content-Type` (none when `None`).
    pub fn body(mut self, content_type: Option<&str>, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = Some((content_type.map(str::to_owned), bytes.into()));
        self
    }

    /// Declares that this request provokes a 5xx on purpose.
    pub fn allow_server_error(mut self) -> Self {
        self.allow_server_error = true;
        self
    }

    /// Sends the request, reads the whole response and checks it (see `reply.rs`).
    #[track_caller]
    pub fn send(self) -> impl Future<Output = Reply> {
        let caller = std::panic::Location::caller();
        async move {
            let what = format!("{} {} (sent from {caller})", self.method, self.path);
            self.try_send().await.unwrap_or_else(|e| panic!("{what}: {e}"))
        }
    }

    /// Sends the request like [`Call::send`], but a transport failure (no response, or a
    /// body cut off) is returned instead of failing the test: for tests that stop or kill
    /// the server while requests are in flight. A response that arrives is checked as usual.
    pub async fn try_send(self) -> Result<Reply, String> {
        let url = format!("{}{}", self.app.server.base_url(), self.path);
        let mut request = self.app.client.request(self.method.clone(), url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if let Some((content_type, bytes)) = self.body {
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }
            request = request.body(bytes);
        }
        let response = request.send().await.map_err(|e| format!("no response: {e}"))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| format!("body not read: {e}"))?.to_vec();
        if status >= 500 && self.allow_server_error {
            self.app.server.allow_server_error();
        }
        Ok(Reply { method: self.method, path: self.path, status, headers, body }
            .checked(self.allow_server_error))
    }
}

fn client() -> Client {
    Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        // Only 127.0.0.1 is ever called: never through a proxy from the environment.
        .no_proxy()
        .build()
        .expect("an HTTP client")
}

/// The password of the fixture account `name`.
pub fn password_of(name: &str) -> String {
    format!("{PASSWORD_PREFIX}-{name}")
}

/// `taskforge migrate` on `database`: creates it, as an operator must before the first
/// `taskforge user create` (only `serve` and `migrate` create a database).
pub fn migrate(database: &std::path::Path) {
    let mut command = binary::command_on(database);
    command.arg("migrate");
    let output = binary::run(command, None, COMMAND_TIMEOUT);
    assert!(
        output.status.success(),
        "taskforge migrate failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `taskforge user create --username NAME --role ROLE --password-stdin` on `database` (which
/// must exist: see [`migrate`]);
/// returns the new user's id (from the command's output).
pub fn create_user(database: &std::path::Path, name: &str, role: &str) -> String {
    let mut command = binary::command_on(database);
    command.args(["user", "create", "--username", name, "--role", role, "--password-stdin"]);
    let output = binary::run(command, Some(&format!("{}\n", password_of(name))), COMMAND_TIMEOUT);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "taskforge user create {name} failed ({}): {stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .split_whitespace()
        .last()
        .and_then(|id| id.parse::<uuid::Uuid>().ok())
        .unwrap_or_else(|| panic!("no user id in the output of user create: {stdout}"))
        .to_string()
}

/// A name no other test uses: `prefix` and 12 random hex digits.
pub fn unique(prefix: &str) -> String {
    // The last 12 hex digits of a UUIDv7 are random (the first ones are the time).
    let random = uuid::Uuid::now_v7().simple().to_string();
    format!("{prefix}-{}", &random[20..])
}

/// The `id` member of a JSON object, as a string.
#[track_caller]
pub fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("no id in {value}")).to_owned()
}

/// `body` with the members of `extra` added (or replaced).
pub fn merged(mut body: Value, extra: &Value) -> Value {
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    body
}

/// A task body for `project`, with `extra` members.
pub fn task_body(project: &str, extra: &Value) -> Value {
    merged(json!({"project_id": project, "title": unique("Task")}), extra)
}
