//! The web interface as the real binary serves it, beside the API on the same port:
//! `TASKFORGE_PUBLIC_URL` decides the cookies' `Secure` flag and is refused when it is not
//! an http(s) URL; pages carry their own CSP while the API keeps its stricter one; an unknown
//! path is a 404 page to a browser and a problem to everyone else; web logins are throttled
//! by the client address `TASKFORGE_TRUSTED_PROXIES` resolves, as API logins are.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::time::Duration;

use e2e::binary;
use e2e::raw::{RawConnection, RawResponse};
use e2e::server::{Server, serve_command};

const WITHIN: Duration = Duration::from_secs(10);

fn get(server: &Server, path: &str) -> RawResponse {
    get_with(server, path, &[])
}

/// `GET path` with extra `headers`.
fn get_with(server: &Server, path: &str, headers: &[(&str, &str)]) -> RawResponse {
    let mut connection = RawConnection::open(server.port());
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n");
    connection.send(request.as_bytes()).unwrap();
    connection.read_response(WITHIN)
}

/// A web login form post for `username` from a browser behind the proxy at 127.0.0.1 that
/// reports the client as `forwarded_for` (a same-origin post with its anonymous CSRF token).
fn web_login(server: &Server, forwarded_for: &str, username: &str, password: &str) -> RawResponse {
    let token = "f".repeat(64);
    let body = format!("csrf_token={token}&username={username}&password={password}");
    let request = format!(
        "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: {forwarded_for}\r\n\
         Cookie: taskforge_csrf={token}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut connection = RawConnection::open(server.port());
    connection.send(request.as_bytes()).unwrap();
    connection.read_response(WITHIN)
}

const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

#[test]
fn pages_and_the_api_share_the_port_each_with_its_own_policy() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("t.db");
    let server = Server::start(&database, &[], Some(dir));
    let root = get(&server, "/");
    assert_eq!(root.status, 303);
    assert_eq!(root.header("location"), Some("/login"));
    let login = get(&server, "/login");
    assert_eq!(login.status, 200);
    assert!(login.header("content-security-policy").unwrap().contains("script-src 'self'"));
    let cookie = login.header("set-cookie").unwrap();
    assert!(cookie.starts_with("taskforge_csrf=") && cookie.contains("HttpOnly"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP by default: {cookie}");
    let api = get(&server, "/api/v1/no-such-thing");
    api.expect_problem(404);
    assert!(api.header("content-security-policy").unwrap().starts_with("default-src 'none'"));
}

#[test]
fn an_https_public_url_makes_the_cookies_secure() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("t.db");
    let server = Server::start(
        &database,
        &[("TASKFORGE_PUBLIC_URL", "https://tasks.example.org")],
        Some(dir),
    );
    let cookie = get(&server, "/login").header("set-cookie").unwrap().to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[test]
fn a_public_url_that_is_not_http_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = serve_command(&dir.path().join("t.db"));
    command.env("TASKFORGE_PUBLIC_URL", "tasks.example.org");
    let output = binary::run(command, None, Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("TASKFORGE_PUBLIC_URL"), "{stderr}");
}

#[test]
fn an_unknown_path_is_a_404_page_to_a_browser_and_a_problem_to_everyone_else() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("t.db"), &[], Some(dir));
    // A browser outside /api/: the web interface's 404 page under the page CSP.
    let page = get_with(&server, "/nonexistent", &[("Accept", BROWSER_ACCEPT)]);
    assert_eq!(page.status, 404);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    assert!(page.header("content-security-policy").unwrap().contains("script-src 'self'"));
    assert!(String::from_utf8_lossy(&page.body).contains("<h1>Page not found</h1>"));
    // Clients that do not ask for HTML, and anything under /api/, get the problem.
    get(&server, "/nonexistent").expect_problem(404);
    get_with(&server, "/nonexistent", &[("Accept", "*/*")]).expect_problem(404);
    get_with(&server, "/nonexistent", &[("Accept", "application/json")]).expect_problem(404);
    let api = get_with(&server, "/api/v1/no-such-thing", &[("Accept", BROWSER_ACCEPT)]);
    api.expect_problem(404);
    assert!(api.header("content-security-policy").unwrap().starts_with("default-src 'none'"));
}

#[test]
fn behind_a_trusted_proxy_one_clients_failed_web_logins_do_not_throttle_another() {
    // Arrange: the test is the proxy at 127.0.0.1; client A fails until it is throttled
    // (five guesses at one account, then one a minute).
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &dir.path().join("t.db"),
        &[("TASKFORGE_TRUSTED_PROXIES", "127.0.0.1")],
        Some(dir),
    );
    let (a, b) = ("198.51.100.1", "198.51.100.2");
    let statuses: Vec<u16> =
        (0..6).map(|_| web_login(&server, a, "somebody", "wrong-password").status).collect();
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429]);
    // Act
    let other = web_login(&server, b, "somebody", "wrong-password");
    // Assert: B has its own budget (the old code counted by the proxy's address: 429).
    assert_eq!(other.status, 401, "{}", String::from_utf8_lossy(&other.body));
    assert!(String::from_utf8_lossy(&other.body).contains("Wrong username or password."));
}
