//! Abuse limits, end to end: oversized, endless and lying bodies, deep JSON, 10,000
//! labels, absurd `limit`s, very long URIs and headers, slow and idle clients. Each is refused
//! with the status docs/operations.md ("Limits") gives — a problem+json body wherever the
//! application answers — and meanwhile normal clients of the same server keep getting 200s.
//!
//! Responsiveness is asserted as "every normal request succeeded before a generous deadline",
//! never as a timing ratio. The malformed and slow requests go over raw sockets (`e2e::raw`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::thread::{self, JoinHandle};
use std::time::Duration;

use e2e::raw::{Closed, RawConnection, RawResponse};
use e2e::{TestApp, id_of};
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::json;

/// How long normal clients may take, all together, while the server is under abuse: generous,
/// so a busy machine cannot fail the test — a server that stopped answering does.
const RESPONSIVE_WITHIN: Duration = Duration::from_secs(20);

/// How long the server may take to answer (or close) an abusive connection.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// The body limit (`docs/operations.md`, "Limits").
const BODY_LIMIT: usize = 64 * 1024;

/// Servers that meet slow clients: short head and body timeouts, so the test is quick.
const SLOW_CLIENT_ENV: [(&str, &str); 2] =
    [("TASKFORGE_CLIENT_REQUEST_TIMEOUT", "2s"), ("TASKFORGE_CLIENT_BODY_TIMEOUT", "2s")];

/// `n` normal clients at once, each listing tasks with its token: every one is answered 200
/// within [`RESPONSIVE_WITHIN`].
async fn normal_clients_get_200s(app: &TestApp, n: usize) {
    let who = &app.people.viewer;
    let all = join_all((0..n).map(|_| app.list_tasks(who, "limit=5")));
    let replies = tokio::time::timeout(RESPONSIVE_WITHIN, all).await.unwrap_or_else(|_| {
        panic!("{n} normal requests were not all answered within {RESPONSIVE_WITHIN:?}")
    });
    for reply in replies {
        reply.expect(200);
    }
}

/// Waits for a thread without blocking the test's runtime.
async fn joined<T: Send + 'static>(handle: JoinHandle<T>) -> T {
    tokio::task::spawn_blocking(move || handle.join().expect("the client thread does not panic"))
        .await
        .expect("the join task runs")
}

/// A request head: `METHOD target HTTP/1.1`, `Host`, a bearer token if given, `extra` lines.
fn head(method: &str, target: &str, token: Option<&str>, extra: &str) -> Vec<u8> {
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}{extra}\r\n").into_bytes()
}

/// One chunk of a chunked body.
fn chunk(data: &[u8]) -> Vec<u8> {
    let mut framed = format!("{:x}\r\n", data.len()).into_bytes();
    framed.extend_from_slice(data);
    framed.extend_from_slice(b"\r\n");
    framed
}

/// The token of `who`, for raw requests.
fn token(caller: &e2e::Caller) -> String {
    caller.token.clone().expect("a fixture person has a token")
}

// --- oversized bodies ---------------------------------------------------------------------

#[tokio::test]
async fn a_body_over_64_kib_is_a_413_with_or_without_a_declared_length() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let big = json!({"project_id": project, "title": "big", "description": "x".repeat(65 * 1024)});
    let bytes = serde_json::to_vec(&big).unwrap();
    assert!(bytes.len() > BODY_LIMIT);
    let (port, token) = (app.server.port(), token(&app.people.editor));
    // Act: with Content-Length (reqwest), and chunked without any length (raw).
    let declared = app.create_task(&app.people.editor, &big).await;
    let chunked = joined(thread::spawn(move || {
        let mut c = RawConnection::open(port);
        let extra = "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n";
        c.send(&head("POST", "/api/v1/tasks", Some(&token), extra)).unwrap();
        for piece in bytes.chunks(8 * 1024) {
            // The server may answer and close as soon as the limit is passed.
            if c.send(&chunk(piece)).is_err() {
                break;
            }
        }
        let _ = c.send(b"0\r\n\r\n");
        c.read_response(ANSWER_WITHIN)
    }))
    .await;
    // Assert
    declared.expect(413);
    let problem = chunked.expect_problem(413);
    assert!(problem["detail"].as_str().unwrap().contains("65536"), "{problem}");
    let listed = app.list_tasks(&app.people.editor, &format!("project_id={project}")).await;
    assert_eq!(listed.expect(200)["items"], json!([]), "nothing was created");
}

/// Streams an endless chunked body — 64 KiB chunks at about 20 MB/s, for up to 100 MB —
/// reading the answer on a second handle. Returns the answer, whether the server closed the
/// connection, and how many body bytes were sent before it did.
fn endless_chunked_upload(port: u16, token: &str) -> (RawResponse, Closed, usize) {
    const PIECE: usize = 64 * 1024;
    const GIVE_UP_AT: usize = 100 * 1024 * 1024;
    let mut writer = RawConnection::open(port);
    let mut reader = writer.try_clone();
    let answer = thread::spawn(move || {
        let response = reader.read_response(ANSWER_WITHIN);
        (response, reader.wait_closed(ANSWER_WITHIN))
    });
    let extra = "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n";
    writer.send(&head("POST", "/api/v1/projects", Some(token), extra)).unwrap();
    let framed = chunk(&[b'a'; PIECE]);
    let mut sent = 0;
    while sent < GIVE_UP_AT && writer.send(&framed).is_ok() {
        sent += PIECE;
        // A bounded rate, as over a real link: 100 MB would take at least 5 s.
        thread::sleep(Duration::from_millis(3));
    }
    let (response, closed) = answer.join().expect("the reading thread does not panic");
    (response, closed, sent)
}

#[tokio::test]
async fn an_endless_chunked_body_is_cut_off_at_the_limit_and_its_connection_closed() {
    // Arrange
    let app = TestApp::shared().await;
    let (port, token) = (app.server.port(), token(&app.people.editor));
    // Act: the stream and, meanwhile, normal clients.
    let upload = thread::spawn(move || endless_chunked_upload(port, &token));
    normal_clients_get_200s(&app, 100).await;
    let (response, closed, sent) = joined(upload).await;
    // Assert: answered at the limit, and not read to the end — the server closed the
    // connection (after its disconnect timeout) long before 100 MB went through.
    response.expect_problem(413);
    assert_eq!(response.header("connection"), Some("close"));
    assert_eq!(closed, Closed::ByServer, "the server closes the connection");
    assert!(sent < 100 * 1024 * 1024, "the server kept reading: {sent} bytes went through");
    normal_clients_get_200s(&app, 10).await;
}

#[tokio::test]
async fn a_huge_content_length_is_a_413_at_once_and_an_unparsable_one_a_400() {
    // Arrange
    let app = TestApp::shared().await;
    let (port, token) = (app.server.port(), token(&app.people.editor));
    // Act: a length of 10 GB with a 14-byte body that never grows, and a length no integer
    // holds.
    let (huge, unparsable) = joined(thread::spawn(move || {
        let mut c = RawConnection::open(port);
        let extra = "Content-Type: application/json\r\nContent-Length: 10000000000\r\n";
        c.send(&head("POST", "/api/v1/projects", Some(&token), extra)).unwrap();
        c.send(br#"{"name":"x"}"#).unwrap();
        let huge = (c.read_response(ANSWER_WITHIN), c.wait_closed(ANSWER_WITHIN));
        let mut c = RawConnection::open(port);
        let extra = "Content-Type: application/json\r\nContent-Length: 99999999999999999999999\r\n";
        c.send(&head("POST", "/api/v1/projects", Some(&token), extra)).unwrap();
        let unparsable = (c.read_response(ANSWER_WITHIN), c.wait_closed(ANSWER_WITHIN));
        (huge, unparsable)
    }))
    .await;
    // Assert: the declared length alone is refused, before any body is read.
    huge.0.expect_problem(413);
    assert_eq!(huge.1, Closed::ByServer);
    unparsable.0.expect_bare_refusal(400);
    assert_eq!(unparsable.1, Closed::ByServer);
    normal_clients_get_200s(&app, 10).await;
}

// --- deep JSON ------------------------------------------------------------------------------

#[tokio::test]
async fn deeply_nested_json_is_a_400_or_a_413_and_never_crashes_the_server() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let task = id_of(&app.new_task(&project, &json!({})).await);
    let editor = &app.people.editor;
    // Nested inside an object, so that the body is read as far as the nesting goes.
    let arrays_100k = format!(r#"{{"title":{}"#, "[".repeat(100_000));
    let arrays_30k = format!(r#"{{"title":{}"#, "[".repeat(30_000));
    let objects_10k = format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
    let bare_arrays_30k = "[".repeat(30_000);
    assert!(arrays_30k.len() < BODY_LIMIT && objects_10k.len() < BODY_LIMIT);
    let post = |body: &str| {
        let call = app.call(Method::POST, "/api/v1/tasks").by(editor);
        call.body(Some("application/json"), body.to_owned()).send()
    };
    let patch = |body: &str| {
        let call = app.call(Method::PATCH, format!("/api/v1/tasks/{task}")).by(editor);
        call.body(Some("application/json"), body.to_owned()).send()
    };
    // Act: many at once, next to normal clients.
    let deep = join_all((0..10).flat_map(|_| {
        [post(&arrays_30k), post(&objects_10k), patch(&arrays_30k), patch(&objects_10k)]
    }));
    let (replies, ()) = tokio::join!(deep, normal_clients_get_200s(&app, 100));
    let too_big = post(&arrays_100k).await;
    let not_an_object = post(&bare_arrays_30k).await;
    // Assert: within the size limit, serde_json's recursion limit refuses it as unparsable.
    for reply in &replies {
        let problem = reply.expect(400);
        assert!(
            problem["detail"].as_str().unwrap().contains("recursion limit"),
            "{}: {problem}",
            reply.describe()
        );
    }
    // A body that is not an object is refused at its first byte, however deep it goes.
    assert_eq!(not_an_object.expect(400)["detail"], "request body must be a JSON object");
    too_big.expect(413);
    let stored = app.get_task(editor, &task).await.expect(200);
    assert_eq!(stored["version"], 1, "no refused patch changed the task");
    normal_clients_get_200s(&app, 10).await;
}

// --- 10,000 labels --------------------------------------------------------------------------

/// `n` distinct labels of one to three characters (`a`, `b`, …, `aa`, …), so that 10,000
/// of them fit in the body limit.
fn short_labels(n: usize) -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let base = ALPHABET.len();
    let mut labels = Vec::with_capacity(n);
    let mut width = 1;
    let mut index = 0;
    while labels.len() < n {
        if index == base.pow(width) {
            width += 1;
            index = 0;
        }
        let mut label = Vec::new();
        let mut rest = index;
        for _ in 0..width {
            label.push(ALPHABET[rest % base]);
            rest /= base;
        }
        labels.push(String::from_utf8(label).unwrap());
        index += 1;
    }
    labels
}

#[tokio::test]
async fn ten_thousand_labels_are_a_422_naming_labels_or_a_413_when_they_do_not_fit() {
    // Arrange
    let app = TestApp::shared().await;
    let project = app.new_project().await;
    let editor = &app.people.editor;
    let task = id_of(&app.new_task(&project, &json!({})).await);
    let short = json!({"project_id": project, "title": "labels", "labels": short_labels(10_000)});
    assert!(serde_json::to_vec(&short).unwrap().len() < BODY_LIMIT, "short labels fit");
    let long: Vec<String> = (0..10_000).map(|i| format!("label-{i:05}")).collect();
    let long = json!({"project_id": project, "title": "labels", "labels": long});
    let patch_short = json!({"labels": short["labels"]});
    // Act: next to normal clients.
    let (created, patched, too_big, ()) = tokio::join!(
        app.create_task(editor, &short),
        app.update_task(editor, &task, &patch_short),
        app.create_task(editor, &long),
        normal_clients_get_200s(&app, 100),
    );
    // Assert
    for reply in [&created, &patched] {
        reply.expect(422);
        assert_eq!(reply.error_fields(), ["labels"], "{}", reply.text());
    }
    too_big.expect(413);
    assert_eq!(app.get_task(editor, &task).await.expect(200)["labels"], json!([]));
    let listed = app.list_tasks(editor, &format!("project_id={project}")).await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "only the arranged task exists");
}

// --- absurd parameters, long URIs, huge headers ---------------------------------------------

#[tokio::test]
async fn an_absurd_limit_is_a_400_naming_limit_on_every_paginated_listing() {
    let app = TestApp::shared().await;
    let admin = &app.people.admin;
    for value in ["1000000000", "-1", "1e9", "99999999999999999999", "0", "201"] {
        let query = format!("limit={value}");
        for reply in [
            app.list_tasks(admin, &query).await,
            app.list_projects(admin, &query).await,
            app.list_users(admin, &query).await,
        ] {
            reply.expect(400);
            assert_eq!(reply.error_fields(), ["limit"], "{}: {}", reply.describe(), reply.text());
        }
    }
    let top = app.call(Method::GET, "/api/v1/reports/top?per_category=1000000000").by(admin);
    let top = top.send().await;
    top.expect(400);
    assert_eq!(top.error_fields(), ["per_category"]);
}

#[tokio::test]
async fn very_long_uris_and_huge_headers_are_refused_cleanly_and_the_server_stays_up() {
    // Arrange
    let app = TestApp::shared().await;
    let viewer = &app.people.viewer;
    let port = app.server.port();
    // Act + Assert: what the application answers, as problem+json.
    let uri_10k = format!("/api/v1/tasks?q={}", "a".repeat(10 * 1024));
    app.call(Method::GET, uri_10k).by(viewer).send().await.expect(414);
    let header_20k = "a".repeat(20 * 1024);
    let reply = app.call(Method::GET, "/health").header("x-filler", &header_20k).send().await;
    reply.expect(431);
    // What the HTTP codec refuses before the application sees it: a bare status, then close.
    let codec = joined(thread::spawn(move || {
        let cases: [(&str, Vec<u8>); 4] = [
            // Over the 64 KiB a URI may have at all.
            ("100 KB URI", head("GET", &format!("/health?{}", "a".repeat(100_000)), None, "")),
            // Over the codec's 128 KiB buffer for the whole head.
            ("1 MB URI", head("GET", &format!("/health?{}", "a".repeat(1_000_000)), None, "")),
            (
                "200 KB header",
                head("GET", "/health", None, &format!("X-A: {}\r\n", "a".repeat(200_000))),
            ),
            // Over the codec's 96 headers.
            ("200 headers", head("GET", "/health", None, &"X-A: a\r\n".repeat(200))),
        ];
        cases.map(|(what, request)| {
            let mut c = RawConnection::open(port);
            // The server may close before taking all of it; the answer is what counts.
            let _ = c.send(&request);
            (what, c.read_response(ANSWER_WITHIN), c.wait_closed(ANSWER_WITHIN))
        })
    }))
    .await;
    let statuses: Vec<(&str, u16)> = codec.iter().map(|(what, r, _)| (*what, r.status)).collect();
    assert_eq!(
        statuses,
        [("100 KB URI", 400), ("1 MB URI", 431), ("200 KB header", 431), ("200 headers", 431)]
    );
    for (what, response, closed) in &codec {
        response.expect_bare_refusal(response.status);
        assert_eq!(*closed, Closed::ByServer, "{what}");
    }
    normal_clients_get_200s(&app, 100).await;
}

// --- slow and idle clients ------------------------------------------------------------------

/// A slow client: sends `prefix` at once, then `trickle` one byte every 200 ms, while a
/// second handle waits for the answer. Returns the answer and whether the server then closed
/// the connection.
fn slow_client(port: u16, prefix: Vec<u8>, trickle: Vec<u8>) -> (RawResponse, Closed) {
    let mut writer = RawConnection::open(port);
    let mut reader = writer.try_clone();
    let answer = thread::spawn(move || {
        let response = reader.read_response(ANSWER_WITHIN);
        (response, reader.wait_closed(ANSWER_WITHIN))
    });
    if !prefix.is_empty() {
        writer.send(&prefix).unwrap();
    }
    for byte in trickle {
        if answer.is_finished() || writer.send(&[byte]).is_err() {
            break;
        }
        thread::sleep(Duration::from_millis(200));
    }
    answer.join().expect("the reading thread does not panic")
}

#[tokio::test]
async fn slow_clients_are_cut_off_with_408_while_normal_clients_get_200s() {
    // Arrange: head and body timeouts of 2 s.
    let app = TestApp::spawn_with(&SLOW_CLIENT_ENV).await;
    let port = app.server.port();
    let token = token(&app.people.editor);
    let health = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec();
    let body_head = |extra: &str| {
        head(
            "POST",
            "/api/v1/projects",
            Some(&token),
            &format!("Content-Type: application/json\r\n{extra}"),
        )
    };
    let body = br#"{"name":"a project sent one byte at a time"}"#.to_vec();
    let mut chunked_body = Vec::new();
    for byte in &body {
        chunked_body.extend(chunk(&[*byte]));
    }
    let kinds: [(&str, Vec<u8>, Vec<u8>); 4] = [
        ("head a byte at a time", Vec::new(), health.clone()),
        ("head never finished", health[..20].to_vec(), Vec::new()),
        ("body a byte at a time", body_head(&format!("Content-Length: {}\r\n", body.len())), body),
        (
            "chunked body a byte at a time",
            body_head("Transfer-Encoding: chunked\r\n"),
            chunked_body,
        ),
    ];
    // Act: ten slow clients of each kind, and meanwhile 200 normal clients.
    let slow: Vec<_> = kinds
        .iter()
        .flat_map(|kind| std::iter::repeat_n(kind, 10))
        .map(|(what, prefix, trickle)| {
            let (what, prefix, trickle) = (*what, prefix.clone(), trickle.clone());
            (what, thread::spawn(move || slow_client(port, prefix, trickle)))
        })
        .collect();
    normal_clients_get_200s(&app, 200).await;
    let mut outcomes = Vec::new();
    for (what, handle) in slow {
        outcomes.push((what, joined(handle).await));
    }
    // Assert: a slow head is refused by the HTTP codec (a bare 408, as HTTP allows), a slow
    // body by the application (a 408 problem); either way the connection is closed.
    for (what, (response, closed)) in &outcomes {
        if what.starts_with("head") {
            response.expect_bare_refusal(408);
        } else {
            let problem = response.expect_problem(408);
            assert_eq!(problem["type"], "urn:taskforge:problem:request-timeout", "{what}");
        }
        assert_eq!(*closed, Closed::ByServer, "{what}: the server closes the connection");
    }
    let projects = app.list_projects(&app.people.editor, "").await.expect(200);
    assert_eq!(projects["items"], json!([]), "no slow body was half-applied");
}

#[tokio::test]
async fn five_hundred_idle_connections_do_not_keep_new_clients_out_and_are_closed() {
    // Arrange
    let app = TestApp::spawn_with(&SLOW_CLIENT_ENV).await;
    let port = app.server.port();
    // Act: 500 connections that never send a byte; then 100 normal clients.
    let idle: Vec<RawConnection> =
        joined(thread::spawn(move || (0..500).map(|_| RawConnection::open(port)).collect())).await;
    normal_clients_get_200s(&app, 100).await;
    // Assert: every idle connection is told 408 and closed after the request timeout.
    let outcomes = joined(thread::spawn(move || {
        idle.into_iter()
            .map(|mut c| (c.read_response(ANSWER_WITHIN).status, c.wait_closed(ANSWER_WITHIN)))
            .collect::<Vec<_>>()
    }))
    .await;
    assert_eq!(outcomes.len(), 500);
    assert!(outcomes.iter().all(|o| *o == (408, Closed::ByServer)), "{outcomes:?}");
    normal_clients_get_200s(&app, 10).await;
}

#[tokio::test]
async fn with_keep_alive_off_every_connection_serves_one_request_and_is_closed() {
    // Arrange: no keep-alive, so every request is a first request, under the head timeout.
    let app = TestApp::spawn_with(&[("TASKFORGE_KEEP_ALIVE", "off")]).await;
    let port = app.server.port();
    // Act: one request, then the client waits for more to happen.
    let (first, closed) = joined(thread::spawn(move || {
        let mut c = RawConnection::open(port);
        c.send(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        (c.read_response(ANSWER_WITHIN), c.read_until_closed(ANSWER_WITHIN))
    }))
    .await;
    // Assert: answered, marked to close, and closed by the server with nothing more sent.
    assert_eq!(first.status, 200);
    assert_eq!(first.header("connection"), Some("close"));
    assert_eq!(closed, (Vec::new(), Closed::ByServer));
}

/// Servers whose kept-alive connections are watched quickly: head timeout and keep-alive of
/// 2 s each, so a connection with no request in progress is cut off after 4 s.
const KEPT_ALIVE_ENV: [(&str, &str); 2] =
    [("TASKFORGE_CLIENT_REQUEST_TIMEOUT", "2s"), ("TASKFORGE_KEEP_ALIVE", "2s")];

#[tokio::test]
async fn a_next_head_trickled_on_a_kept_alive_connection_is_cut_off_while_prompt_ones_are_served() {
    // Arrange
    let app = TestApp::spawn_with(&KEPT_ALIVE_ENV).await;
    let port = app.server.port();
    let request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec();
    // Act: ten connections each send one good request, then the next head a byte every
    // 200 ms (8 s for the whole head, far beyond the 4 s a connection may go without a
    // request); meanwhile normal clients are served.
    let slow: Vec<_> = (0..10)
        .map(|_| {
            let request = request.clone();
            thread::spawn(move || {
                let mut writer = RawConnection::open(port);
                let mut reader = writer.try_clone();
                writer.send(&request).unwrap();
                let first = reader.read_response(ANSWER_WITHIN);
                let started = std::time::Instant::now();
                let rest = thread::spawn(move || reader.read_until_closed(ANSWER_WITHIN));
                for byte in &request {
                    if rest.is_finished() || writer.send(&[*byte]).is_err() {
                        break;
                    }
                    thread::sleep(Duration::from_millis(200));
                }
                let (rest, closed) = rest.join().expect("the reading thread does not panic");
                (first.status, rest, closed, started.elapsed())
            })
        })
        .collect();
    // An honest client on a kept-alive connection: a pause shorter than keep-alive, then its
    // next request, answered as usual.
    let honest = thread::spawn(move || {
        let mut c = RawConnection::open(port);
        let mut statuses = Vec::new();
        for _ in 0..3 {
            c.send(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
            statuses.push(c.read_response(ANSWER_WITHIN).status);
            thread::sleep(Duration::from_millis(1_000));
        }
        statuses
    });
    normal_clients_get_200s(&app, 100).await;
    // Assert: the trickled head got no answer and the server closed the connection before
    // the client could finish it; the honest connection served all its requests.
    for handle in slow {
        let (first, rest, closed, after) = joined(handle).await;
        assert_eq!(first, 200);
        assert_eq!(closed, Closed::ByServer, "the trickling connection is closed");
        assert!(
            rest.is_empty(),
            "nothing answers the trickled head: {}",
            String::from_utf8_lossy(&rest)
        );
        assert!(after < Duration::from_secs(8), "closed before the head was complete: {after:?}");
    }
    assert_eq!(joined(honest).await, [200, 200, 200]);
    normal_clients_get_200s(&app, 10).await;
}
