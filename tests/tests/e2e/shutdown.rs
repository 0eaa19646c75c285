//! Graceful shutdown: SIGTERM during load lets the requests in flight
//! finish with their normal status, refuses new connections, exits with status 0 within the
//! grace period, and loses nothing that was acknowledged; a request still running when the
//! grace period ends does not keep the process alive.
//!
//! "In flight" is made certain, not left to timing: an export counts once its status line has
//! arrived (it is streamed, and far larger than the socket buffers, so it cannot finish until
//! the client reads it), and a create counts once the server has answered its
//! `Expect: 100-continue` (it is then inside the handler, waiting for the body).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use e2e::{Caller, TestApp, id_of, unique};
use futures_util::StreamExt as _;
use futures_util::stream;
use reqwest::Method;
use serde_json::{Value, json};
use std::io::{Read as _, Write as _};
use std::net::TcpStream;

/// Tasks in the exported project, each with a long description: the export (about 6.8 MB of
/// JSON, two pages) is larger than what the sockets between server and client can hold (the
/// client's receive buffer is pinned small; the server's send buffer is at most 4 MB here).
const EXPORTED_TASKS: usize = 700;
const DESCRIPTION_BYTES: usize = 9_500;
/// The export client's receive buffer: pinned, so the kernel does not grow it.
const RECEIVE_BUFFER: u32 = 16 * 1024;
/// How much longer than the grace period the process may take to exit: start-up of the
/// shutdown, closing the store, a loaded machine.
const EXIT_MARGIN: Duration = Duration::from_secs(5);
/// How long the refusal of new connections may take to show after SIGTERM.
const REFUSAL_WITHIN: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_finishes_requests_in_flight_refuses_new_ones_exits_0_and_loses_nothing() {
    // Arrange: a long grace, so the requests in flight have all the time they need.
    let grace = Duration::from_secs(10);
    let app = Arc::new(TestApp::spawn_with(&[("TASKFORGE_SHUTDOWN_GRACE", "10s")]).await);
    let exported = app.new_project().await;
    let written = app.new_project().await;
    fill(&app, &exported).await;
    let who = app.people.editor.clone();

    // Load: clients creating tasks until told to stop, recording every 201.
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..4)
        .map(|_| tokio::spawn(create_until(Arc::clone(&app), written.clone(), Arc::clone(&stop))))
        .collect();
    // Requests certainly in flight: exports whose status line has arrived, creates the
    // server has told to send their body.
    let mut exports = Vec::new();
    for _ in 0..2 {
        exports.push(Export::start(&app, &who, &exported).await);
    }
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(HeldCreate::start(&app, &who, &written));
    }

    // Act
    let signalled = Instant::now();
    app.server.signal_terminate();
    stop.store(true, Ordering::SeqCst);

    // Assert: new connections are refused while the old process still serves what it has.
    let port = app.server.port();
    let deadline = Instant::now() + REFUSAL_WITHIN;
    loop {
        match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => break,
            // A connection that was still queued when the listener closed is reset: the
            // listener is going away; the next attempt shows whether it is gone.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!("connecting after SIGTERM failed other than refused: {e}"),
            Ok(accepted) => drop(accepted),
        }
        assert!(Instant::now() < deadline, "still accepting {REFUSAL_WITHIN:?} after SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(app.server.is_running(), "the process waits for its requests in flight");

    // The requests in flight complete with their normal statuses and whole bodies.
    let mut acknowledged = Vec::new();
    for create in held {
        let (status, body) = create.finish();
        assert_eq!(status, 201, "a create in flight at SIGTERM completes: {body}");
        acknowledged.push(id_of(&body));
    }
    for export in exports {
        let body = export.finish().expect("an export in flight at SIGTERM completes");
        let rows: Vec<Value> = serde_json::from_slice(&body).expect("the export is whole JSON");
        assert_eq!(rows.len(), EXPORTED_TASKS, "every row of the export");
    }
    let (mut load_answers, mut unanswered) = (0, 0);
    for client in load {
        let load = client.await.expect("a load client ran without failing");
        load_answers += load.answers;
        unanswered += usize::from(load.unanswered);
        acknowledged.extend(load.created);
    }

    // The process exits 0 within the grace period (plus a margin for a loaded machine).
    let status =
        app.server.wait_for_exit((grace + EXIT_MARGIN).saturating_sub(signalled.elapsed()));
    let status = status.expect("the server exits within the grace period after SIGTERM");
    assert!(status.success(), "exit status after SIGTERM: {status}");
    let took = signalled.elapsed();
    assert!(app.server.log().iter().any(|l| l.contains("taskforge stopped")));

    // Nothing acknowledged is lost, and nothing else was written: a load request that got
    // no response was never taken in (had the server read it, it would have answered it).
    let again = app.restarted(&[]);
    for id in &acknowledged {
        again.get_task(&again.people.editor, id).await.expect(200);
    }
    assert_eq!(
        tasks_in(&again, &written),
        acknowledged.len(),
        "the project holds exactly the acknowledged creates ({unanswered} went unanswered)"
    );
    println!(
        "SIGTERM: {} acknowledged creates present after restart ({load_answers} load replies, \
         all 201; {unanswered} load requests sent around the signal got no response); \
         exited 0 after {took:?}",
        acknowledged.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_still_running_when_the_grace_period_ends_does_not_keep_the_process_alive() {
    // Arrange: a short grace, and an export whose client never reads: it cannot finish.
    let grace = Duration::from_secs(2);
    let app = TestApp::spawn_with(&[("TASKFORGE_SHUTDOWN_GRACE", "2s")]).await;
    let project = app.new_project().await;
    fill(&app, &project).await;
    let stuck = Export::start(&app, &app.people.editor, &project).await;

    // Act
    let signalled = Instant::now();
    app.server.signal_terminate();
    let status = app.server.wait_for_exit(grace + EXIT_MARGIN);

    // Assert: it exits 0 once the grace is over, cutting the export off.
    let took = signalled.elapsed();
    let status = status.unwrap_or_else(|| panic!("still running {took:?} after SIGTERM"));
    assert!(status.success(), "exit status after the grace period: {status}");
    let body = stuck.finish();
    let whole = body.as_ref().is_ok_and(|b| serde_json::from_slice::<Vec<Value>>(b).is_ok());
    assert!(!whole, "the export was still running at the end of the grace period");
    // It was given the grace period, not cut off at once.
    assert!(took >= grace, "the request in flight got its grace period (exited after {took:?})");
    println!("grace {grace:?}: exited 0 after {took:?} with an export still running");
}

// --- helpers ----------------------------------------------------------------------------------

/// Creates [`EXPORTED_TASKS`] tasks with long descriptions in `project`, 16 at a time.
async fn fill(app: &TestApp, project: &str) {
    let description = "x".repeat(DESCRIPTION_BYTES);
    let who = &app.people.editor;
    let replies: Vec<_> = stream::iter(0..EXPORTED_TASKS)
        .map(|i| {
            let body = json!({"project_id": project, "title": format!("Row {i}"),
                              "description": description});
            async move { app.create_task(who, &body).await.status }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(replies.iter().all(|s| *s == 201), "{replies:?}");
}

/// How many tasks `project` holds, read from the database file.
fn tasks_in(app: &TestApp, project: &str) -> usize {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    let conn = rusqlite::Connection::open_with_flags(app.server.database(), flags)
        .expect("the database opens read-only");
    let id = uuid::Uuid::parse_str(project).expect("a project id is a UUID");
    let sql = "SELECT count(*) FROM tasks WHERE project_id = ?";
    let count: i64 = conn.query_row(sql, [id.as_bytes()], |r| r.get(0)).expect("a count");
    usize::try_from(count).expect("a count is not negative")
}

/// What a load client was told.
struct Load {
    /// The ids of the tasks acknowledged with a 201.
    created: Vec<String>,
    /// How many responses arrived (every one a 201).
    answers: usize,
    /// Whether its last request got no response: sent around the signal, it may have reached
    /// the closing listener (not a request in flight, so not counted as acknowledged).
    unanswered: bool,
}

/// Creates tasks in `project` until `stop` is set or a request gets no response.
async fn create_until(app: Arc<TestApp>, project: String, stop: Arc<AtomicBool>) -> Load {
    let mut load = Load { created: Vec::new(), answers: 0, unanswered: false };
    while !stop.load(Ordering::SeqCst) {
        let body = json!({"project_id": project, "title": unique("Load")});
        let call = app.call(Method::POST, "/api/v1/tasks").by(&app.people.editor).json(&body);
        let Ok(reply) = call.try_send().await else {
            load.unanswered = true;
            break;
        };
        load.answers += 1;
        load.created.push(id_of(&reply.expect(201)));
    }
    load
}

/// `GET /api/v1/tasks/export?format=json&project_id=…` on a socket of its own whose receive
/// buffer is pinned small, so the export cannot finish until the test reads it.
struct Export {
    stream: TcpStream,
}

impl Export {
    /// Sends the request and returns once the status line (200) and headers have arrived;
    /// the body is left unread.
    async fn start(app: &TestApp, who: &Caller, project: &str) -> Self {
        let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
        socket.set_recv_buffer_size(RECEIVE_BUFFER).expect("a small receive buffer");
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], app.server.port()));
        let stream = socket.connect(address).await.expect("a connection");
        let mut stream = stream.into_std().expect("a plain socket");
        stream.set_nonblocking(false).expect("a blocking socket");
        stream.set_read_timeout(Some(e2e::app::REQUEST_TIMEOUT)).expect("a read time limit");
        let token = who.token.as_deref().expect("a logged-in caller");
        let head = format!(
            "GET /api/v1/tasks/export?format=json&project_id={project} HTTP/1.1\r\n\
             Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).expect("the request is sent");
        let response = read_head(&mut stream);
        assert!(response.starts_with("HTTP/1.1 200"), "the export starts: {response}");
        assert!(
            response.to_ascii_lowercase().contains("transfer-encoding: chunked"),
            "the export is streamed: {response}"
        );
        Self { stream }
    }

    /// Reads the rest of the response: the body if it arrived whole (up to the last chunk),
    /// else what went wrong.
    fn finish(mut self) -> Result<Vec<u8>, String> {
        let mut chunked = Vec::new();
        self.stream.read_to_end(&mut chunked).map_err(|e| format!("reading the body: {e}"))?;
        dechunk(&chunked)
    }
}

/// Decodes a chunked body; an error if it stops before the last (empty) chunk.
fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end =
            rest.windows(2).position(|w| w == b"\r\n").ok_or("cut off in a chunk size")?;
        let size = std::str::from_utf8(&rest[..line_end]).map_err(|e| e.to_string())?;
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|e| format!("chunk size {size:?}: {e}"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if rest.len() < size + 2 {
            return Err(format!("cut off in a chunk of {size} bytes"));
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

/// A `POST /api/v1/tasks` the server is in the middle of: it has answered
/// `Expect: 100-continue`, and waits for the body. Plain blocking socket I/O (with time
/// limits): each step is one short exchange.
struct HeldCreate {
    stream: TcpStream,
    body: Vec<u8>,
}

impl HeldCreate {
    fn start(app: &TestApp, who: &Caller, project: &str) -> Self {
        let body = serde_json::to_vec(&json!({"project_id": project, "title": unique("Held")}))
            .expect("a JSON body");
        let token = who.token.as_deref().expect("a logged-in caller");
        let head = format!(
            "POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\
             Expect: 100-continue\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let mut stream =
            TcpStream::connect(("127.0.0.1", app.server.port())).expect("a connection");
        stream.set_read_timeout(Some(e2e::app::REQUEST_TIMEOUT)).expect("a read time limit");
        stream.write_all(head.as_bytes()).expect("the request head is sent");
        let interim = read_head(&mut stream);
        assert!(interim.starts_with("HTTP/1.1 100"), "100 Continue expected, got {interim:?}");
        Self { stream, body }
    }

    /// Sends the body and reads the response: its status and JSON body.
    fn finish(mut self) -> (u16, Value) {
        self.stream.write_all(&self.body).expect("the body is sent");
        let mut response = Vec::new();
        self.stream.read_to_end(&mut response).expect("the response within the time limit");
        let text = String::from_utf8_lossy(&response);
        let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok());
        let status = status.unwrap_or_else(|| panic!("no status line in {head:?}"));
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }
}

/// Reads up to and including the blank line that ends a response head (one byte at a time,
/// so nothing after it is consumed).
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("a response head within the time limit");
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}
