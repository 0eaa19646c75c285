//! A tiny blocking HTTP/1.1 client for the benchmark's set-up steps (log in, walk a cursor
//! chain, scrape `/metrics`, stream an export) and for the login burst. The measured load
//! itself comes from `wrk`; this client only has to be correct, so it speaks one request per
//! connection (`Connection: close`) and reads to the end of the stream.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::{Context as _, bail};

/// How long any single set-up request may take.
const TIMEOUT: Duration = Duration::from_secs(120);

/// A response: status, head and body.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The status line and headers, as received.
    pub head: String,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// The body as JSON.
    pub fn json(&self) -> anyhow::Result<serde_json::Value> {
        serde_json::from_slice(&self.body).with_context(|| {
            format!("response is not JSON: {}", String::from_utf8_lossy(&self.body))
        })
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The value a `Set-Cookie` header of this response gives cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (header, value) = line.split_once(':')?;
            if !header.trim().eq_ignore_ascii_case("set-cookie") {
                return None;
            }
            let (key, value) = value.trim().split(';').next()?.split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
    }
}

/// One request with any headers and an optional body of type `content_type` (e.g. a form
/// post to the web interface, with its cookies).
pub fn request_with(
    port: u16,
    method: &str,
    path: &str,
    headers: &[String],
    body: Option<(&str, String)>,
) -> anyhow::Result<Response> {
    let stream = TcpStream::connect(("127.0.0.1", port))
        .with_context(|| format!("connecting to 127.0.0.1:{port}"))?;
    exchange(stream, method, path, headers.to_vec(), body, None)
}

fn bearer(token: Option<&str>) -> Vec<String> {
    token.map(|t| format!("Authorization: Bearer {t}")).into_iter().collect()
}

fn json(body: Option<&serde_json::Value>) -> Option<(&'static str, String)> {
    body.map(|b| ("application/json", b.to_string()))
}

/// One request to `127.0.0.1:port`.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
) -> anyhow::Result<Response> {
    let stream = TcpStream::connect(("127.0.0.1", port))
        .with_context(|| format!("connecting to 127.0.0.1:{port}"))?;
    exchange(stream, method, path, bearer(token), json(body), None)
}

/// One request from the local address `from` (any 127.0.0.0/8 address is loopback, so each
/// simulated client can have its own address, as real clients would).
pub fn request_from(
    from: IpAddr,
    port: u16,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> anyhow::Result<Response> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.bind(&SocketAddr::new(from, 0).into()).with_context(|| format!("binding {from}"))?;
    socket.connect(&SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    exchange(socket.into(), method, path, Vec::new(), json(body), None)
}

/// A GET whose body is counted by `chunk` and not kept (e.g. a large export), unless the
/// status is not 200 (then it is kept, to explain the failure).
pub fn stream(
    port: u16,
    path: &str,
    token: Option<&str>,
    chunk: &mut dyn FnMut(usize),
) -> anyhow::Result<Response> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    exchange(stream, "GET", path, bearer(token), None, Some(chunk))
}

fn exchange(
    mut stream: TcpStream,
    method: &str,
    path: &str,
    headers: Vec<String>,
    body: Option<(&str, String)>,
    mut chunk: Option<&mut dyn FnMut(usize)>,
) -> anyhow::Result<Response> {
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for header in headers {
        head.push_str(&header);
        head.push_str("\r\n");
    }
    let payload = match body {
        Some((content_type, payload)) => {
            head.push_str(&format!("Content-Type: {content_type}\r\n"));
            payload
        }
        None => String::new(),
    };
    head.push_str(&format!("Content-Length: {}\r\n\r\n", payload.len()));
    stream.write_all(head.as_bytes())?;
    stream.write_all(payload.as_bytes())?;

    // Read the head, then the body; a streamed body is counted, not kept.
    let mut raw = Vec::new();
    let mut buf = vec![0_u8; 64 * 1024];
    let header_end = loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            bail!("connection closed before the response head");
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&raw[..header_end]).into_owned();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("no status in {head:?}"))?;
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    let keep = chunk.is_none() || status != 200;
    let mut body_bytes = raw[header_end..].to_vec();
    if let Some(count) = chunk.as_mut() {
        count(body_bytes.len());
    }
    if !keep {
        body_bytes.clear();
    }
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if let Some(count) = chunk.as_mut() {
            count(n);
        }
        if keep {
            body_bytes.extend_from_slice(&buf[..n]);
        }
    }
    let body = if chunked && keep { dechunk(&body_bytes)? } else { body_bytes };
    Ok(Response { status, head, body })
}

/// Decodes a `Transfer-Encoding: chunked` body.
fn dechunk(mut raw: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .context("chunked body: missing chunk size line")?;
        let size_text = String::from_utf8_lossy(&raw[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .with_context(|| format!("chunked body: bad chunk size {size_text:?}"))?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        let data = raw.get(..size).context("chunked body: truncated chunk")?;
        out.extend_from_slice(data);
        raw = raw.get(size + 2..).context("chunked body: truncated chunk end")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_decoded() {
        let raw = b"4\r\nWiki\r\n5;x=1\r\npedia\r\n0\r\n\r\n";
        assert_eq!(dechunk(raw).unwrap(), b"Wikipedia");
        assert!(dechunk(b"4\r\nWi").is_err());
    }
}
