//! The harness's own guards, checked without a server: they are what makes "no 5xx unless a
//! test provoked one" hold for every other test, so they must bite.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use e2e::Reply;
use e2e::server::{port_in, unexpected_failures};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue};

/// A response as the server sends it: request id, security headers, problem+json body.
fn reply(status: u16) -> Reply {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("x-request-id", "0192e0c4-0000-7000-8000-000000000000"),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("content-security-policy", "default-src 'none'"),
        ("content-type", "application/problem+json"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    let body = format!(
        r#"{{"type":"urn:taskforge:problem:internal","title":"Internal server error","status":{status},"detail":"quote the request id"}}"#
    );
    Reply { method: Method::GET, path: "/api/v1/tasks".into(), status, headers, body: body.into() }
}

#[test]
#[should_panic(expected = "where no test expected a server error")]
fn a_5xx_no_test_asked_for_fails_the_test_at_once() {
    let _ = reply(500).checked(false);
}

#[test]
fn a_5xx_a_test_asked_for_passes_the_checks() {
    assert_eq!(reply(503).checked(true).status, 503);
}

#[test]
#[should_panic(expected = "no X-Request-Id")]
fn a_response_without_a_request_id_fails_the_test() {
    let mut reply = reply(404);
    reply.headers.remove("x-request-id");
    let _ = reply.checked(false);
}

#[test]
fn the_server_log_check_reports_unexpected_5xx_and_every_panic() {
    let served = |status: u16| {
        format!(
            r#"{{"level":"INFO","message":"request served","status":{status},"latency_ms":1.0}}"#
        )
    };
    let quiet = vec![served(200), served(404), served(499)];
    assert!(unexpected_failures(&quiet, 0).is_empty());
    let one_error = vec![served(200), served(500)];
    assert_eq!(unexpected_failures(&one_error, 0), [served(500)]);
    assert!(unexpected_failures(&one_error, 1).is_empty(), "a provoked 5xx is accepted");
    let panic = vec![String::from("thread 'actix-rt|system:0|arbiter:0' panicked at src/x.rs")];
    assert_eq!(unexpected_failures(&panic, 10).len(), 1, "a panic is never accepted");
}

#[test]
fn the_port_is_read_from_the_start_up_line_only() {
    let line = r#"{"timestamp":"…","level":"INFO","message":"taskforge listening on 127.0.0.1:41234","port":41234,"target":"taskforge_app::application"}"#;
    assert_eq!(port_in(line), Some(41234));
    assert_eq!(port_in(r#"{"message":"request served","port":1}"#), None);
    assert_eq!(port_in("not json"), None);
}
