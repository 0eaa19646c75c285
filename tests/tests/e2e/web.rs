//! The web interface as the real binary serves it, beside the API on the same port:
//! `TASKFORGE_PUBLIC_URL` decides the cookies' `Secure` flag and is refused when it is not
//! an http(s) URL; pages carry their own CSP while the API keeps its stricter one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::time::Duration;

use e2e::binary;
use e2e::raw::{RawConnection, RawResponse};
use e2e::server::{Server, serve_command};

const WITHIN: Duration = Duration::from_secs(10);

fn get(server: &Server, path: &str) -> RawResponse {
    let mut connection = RawConnection::open(server.port());
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    connection.send(request.as_bytes()).unwrap();
    connection.read_response(WITHIN)
}

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
