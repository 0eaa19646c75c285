//! A response, read completely, and the checks every response of the suite goes through.
//!
//! Every request of the suite is sent by [`Call::send`](super::api::Call::send), which
//! hands the response to [`Reply::checked`]: a 5xx the caller did not declare with
//! `allow_server_error()` fails the test on the spot (no 5xx unless a test provoked it), and every
//! response must carry the request id and the security headers (`docs/security.md`), every error be
//! RFC 9457 problem+json, and every 401 carry `WWW-Authenticate: Bearer`.

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// A complete response, with the request it answers (for failure messages).
#[derive(Debug, Clone)]
pub struct Reply {
    /// The request's method.
    pub method: Method,
    /// The request's path and query.
    pub path: String,
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// Applies the checks every response must pass; `allow_server_error` lets a 5xx through.
    #[track_caller]
    pub fn checked(self, allow_server_error: bool) -> Self {
        assert!(
            self.status < 500 || allow_server_error,
            "{} {} answered {} where no test expected a server error: {}",
            self.method,
            self.path,
            self.status,
            self.text()
        );
        self.assert_common_headers();
        // A HEAD response has the headers of a GET but no body to check.
        if self.status >= 400 && self.method != Method::HEAD {
            self.assert_problem();
        }
        self
    }

    /// `METHOD /path → status`, for messages.
    pub fn describe(&self) -> String {
        format!("{} {} → {}", self.method, self.path, self.status)
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; panics if it is not.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("{}: body is not JSON ({e}): {}", self.describe(), self.text())
        })
    }

    /// A header's value, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status and returns the body as JSON (`Null` when it is empty or not JSON).
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "{} {}: expected {status}, got {}; body: {}",
            self.method,
            self.path,
            self.status,
            self.text()
        );
        if self.header("content-type").is_some_and(|c| c.contains("json")) {
            self.json()
        } else {
            Value::Null
        }
    }

    /// The `field` of each entry of a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .map(|errors| {
                errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect()
            })
            .unwrap_or_default()
    }

    #[track_caller]
    fn assert_common_headers(&self) {
        let what = self.describe();
        assert!(
            self.header("x-request-id").is_some_and(|v| !v.is_empty()),
            "{what}: no X-Request-Id"
        );
        assert_eq!(self.header("x-content-type-options"), Some("nosniff"), "{what}");
        assert_eq!(self.header("x-frame-options"), Some("DENY"), "{what}");
        assert_eq!(self.header("referrer-policy"), Some("no-referrer"), "{what}");
        assert!(self.header("content-security-policy").is_some(), "{what}: no CSP");
    }

    #[track_caller]
    fn assert_problem(&self) {
        let what = self.describe();
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{what}: errors are problem+json; body: {}",
            self.text()
        );
        let problem = self.json();
        assert!(
            problem["type"].as_str().is_some_and(|t| t.starts_with("urn:taskforge:problem:")),
            "{what}: {problem}"
        );
        assert!(problem["title"].is_string(), "{what}: {problem}");
        assert_eq!(problem["status"].as_u64(), Some(u64::from(self.status)), "{what}: {problem}");
        assert!(problem["detail"].is_string(), "{what}: {problem}");
        if self.status == 401 {
            assert!(
                self.header("www-authenticate").is_some_and(|v| v.starts_with("Bearer")),
                "{what}: a 401 names the Bearer scheme"
            );
        }
        if self.status == 405 {
            assert!(self.header("allow").is_some(), "{what}: a 405 lists the allowed methods");
        }
    }
}
