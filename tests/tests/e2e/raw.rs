//! A raw HTTP/1.1 connection over `std::net::TcpStream`, for what no well-behaved client
//! sends: heads a byte at a time, bodies that never end, connections left idle. Every read
//! has a deadline, so a server that hangs fails the test instead of hanging it.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use serde_json::Value;

/// One connection to the server under test.
#[derive(Debug)]
pub struct RawConnection {
    stream: TcpStream,
    /// Bytes read but not yet consumed by a response.
    pending: Vec<u8>,
}

/// A response read off a raw connection.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// The headers, names lower case.
    pub headers: Vec<(String, String)>,
    /// The body (as long as `Content-Length` says).
    pub body: Vec<u8>,
}

/// How the server ended a connection, as the client sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// End of stream or a reset: the server closed it.
    ByServer,
    /// Still open when the deadline passed.
    No,
}

impl RawConnection {
    /// Connects to `127.0.0.1:port`.
    pub fn open(port: u16) -> Self {
        let stream =
            TcpStream::connect(("127.0.0.1", port)).expect("the server accepts a connection");
        stream.set_nodelay(true).expect("TCP_NODELAY can be set");
        Self { stream, pending: Vec::new() }
    }

    /// A second handle on the same connection (to write from one thread, read from another).
    pub fn try_clone(&self) -> Self {
        Self {
            stream: self.stream.try_clone().expect("a socket can be cloned"),
            pending: Vec::new(),
        }
    }

    /// Writes all of `bytes`; the error when the server has closed the connection.
    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    /// Closes the writing half (the client has nothing more to send).
    pub fn finish_sending(&self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Reads one complete response, panicking if none arrives within `within`.
    #[track_caller]
    pub fn read_response(&mut self, within: Duration) -> RawResponse {
        let deadline = Instant::now() + within;
        let head_end = loop {
            if let Some(end) = find(&self.pending, b"\r\n\r\n") {
                break end;
            }
            assert!(
                self.fill(deadline) == Fill::Data,
                "no complete response head within {within:?}; got {:?}",
                String::from_utf8_lossy(&self.pending)
            );
        };
        let head = String::from_utf8_lossy(&self.pending[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not a status line: {status_line:?}"));
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let body_start = head_end + 4;
        while self.pending.len() < body_start + length {
            assert!(
                self.fill(deadline) == Fill::Data,
                "the body of a {status} did not arrive within {within:?}"
            );
        }
        let body = self.pending[body_start..body_start + length].to_vec();
        self.pending.drain(..body_start + length);
        RawResponse { status, headers, body }
    }

    /// Waits up to `within` for the server to close the connection, discarding what it sends.
    pub fn wait_closed(&mut self, within: Duration) -> Closed {
        self.read_until_closed(within).1
    }

    /// Everything the server still sends until it closes the connection (or `within` passes).
    pub fn read_until_closed(&mut self, within: Duration) -> (Vec<u8>, Closed) {
        let deadline = Instant::now() + within;
        let mut rest = std::mem::take(&mut self.pending);
        loop {
            let closed = match self.fill(deadline) {
                Fill::Data => {
                    rest.append(&mut self.pending);
                    continue;
                }
                Fill::Closed => Closed::ByServer,
                Fill::TimedOut => Closed::No,
            };
            return (rest, closed);
        }
    }

    /// Reads what is available into `pending`, waiting until `deadline` at most.
    fn fill(&mut self, deadline: Instant) -> Fill {
        loop {
            let Some(left) =
                deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())
            else {
                return Fill::TimedOut;
            };
            self.stream.set_read_timeout(Some(left)).expect("a read timeout can be set");
            let mut buffer = [0_u8; 16 * 1024];
            return match self.stream.read(&mut buffer) {
                Ok(0) => Fill::Closed,
                Ok(n) => {
                    self.pending.extend_from_slice(&buffer[..n]);
                    Fill::Data
                }
                // A read timeout (reported as either kind); try again until the deadline.
                Err(e)
                    if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) =>
                {
                    continue;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // A reset: the server closed the connection with data still unread.
                Err(_) => Fill::Closed,
            };
        }
    }
}

/// What one read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fill {
    Data,
    Closed,
    TimedOut,
}

impl RawResponse {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Asserts that the server answered `status` with an RFC 9457 problem of that status,
    /// carrying the request id and security headers every response of the application has.
    /// Returns the problem.
    #[track_caller]
    pub fn expect_problem(&self, status: u16) -> Value {
        let text = String::from_utf8_lossy(&self.body);
        assert_eq!(self.status, status, "expected {status}, got {}: {text}", self.status);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{text}");
        assert!(self.header("x-request-id").is_some_and(|v| !v.is_empty()), "no X-Request-Id");
        assert_eq!(self.header("x-content-type-options"), Some("nosniff"));
        let problem: Value = serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("a {status} body is not JSON ({e}): {text}"));
        assert_eq!(problem["status"].as_u64(), Some(u64::from(status)), "{problem}");
        assert!(
            problem["type"].as_str().is_some_and(|t| t.starts_with("urn:taskforge:problem:")),
            "{problem}"
        );
        assert!(problem["title"].is_string() && problem["detail"].is_string(), "{problem}");
        problem
    }

    /// Asserts a refusal by the HTTP codec itself, before the application: `status`, no body,
    /// and the connection marked for closing.
    #[track_caller]
    pub fn expect_bare_refusal(&self, status: u16) {
        assert_eq!(self.status, status, "{self:?}");
        assert!(self.body.is_empty(), "{self:?}");
        assert_eq!(self.header("connection"), Some("close"), "{self:?}");
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
