//! A rolling restart of two instances on one PostgreSQL database, behind a small round-robin
//! TCP proxy written here, under steady load, finishes with zero failed requests.
//!
//! The proxy plays the load balancer: each client connection goes to the next backend in
//! turn, skipping one that refuses the connection. Each instance is replaced the way a
//! rollout does it (docs/deployment.md): taken out of the proxy's rotation first (a
//! Kubernetes endpoint removal plus the pre-stop pause), then stopped with SIGTERM (it drains
//! what it is answering), then its replacement is started on the same database and put into
//! rotation once `/ready` answers 200; then the other instance. The load client opens a new
//! connection per request, so every request meets the rotation as it is at that moment.
//!
//! The second test rolls out a build whose schema is one expand migration ahead
//! (`taskforge-ahead`, adr/0023-expand-contract-and-mixed-version-rollouts.md): the first
//! replacement migrates the database while the old build keeps serving, the other old
//! instance restarts against the newer schema, both builds serve side by side, and then the
//! last old instance is replaced too — with zero failed requests throughout. The third does
//! the same on SQLite's blue-green overlap: blue restarts after green migrated the file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use e2e::server::Server;
use e2e::{TestApp, id_of, task_body, unique};
use serde_json::json;
use taskforge_postgres::internals::MIGRATIONS;
use taskforge_postgres::testing::ThrowawayDatabase;
use tokio::net::{TcpListener, TcpStream};

/// The backends in rotation, in order; the proxy starts each connection at the next one.
#[derive(Debug, Default)]
struct Rotation {
    backends: Mutex<Vec<SocketAddr>>,
    next: AtomicUsize,
}

impl Rotation {
    fn set(&self, backends: Vec<SocketAddr>) {
        *self.backends.lock().unwrap() = backends;
    }

    /// A connection to the next backend that accepts one.
    async fn connect(&self) -> Option<TcpStream> {
        let backends = self.backends.lock().unwrap().clone();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for i in 0..backends.len() {
            if let Ok(stream) = TcpStream::connect(backends[(start + i) % backends.len()]).await {
                return Some(stream);
            }
        }
        None
    }
}

/// Starts the proxy on a free port; returns its address.
async fn proxy(rotation: Arc<Rotation>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("the proxy binds");
    let address = listener.local_addr().expect("the proxy has an address");
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let rotation = Arc::clone(&rotation);
            tokio::spawn(async move {
                if let Some(mut backend) = rotation.connect().await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut backend).await;
                }
            });
        }
    });
    address
}

fn address_of(server: &Server) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], server.port()))
}

/// Waits until `server` answers `/ready` with 200.
async fn ready(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.ready().await.status != 200 {
        assert!(Instant::now() < deadline, "the replacement never became ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A client creating and reading tasks through `base` (the proxy), one connection per
/// request, until told to stop; it counts the answered requests and keeps every failure.
struct Load {
    done: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<(usize, Vec<String>)>,
}

impl Load {
    fn start(base: String, token: String, project: String) -> Self {
        let done = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&done);
        let task = tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .timeout(Duration::from_secs(10))
                .no_proxy()
                .build()
                .expect("a client");
            let (mut ok, mut failed) = (0_usize, Vec::new());
            while !stop.load(Ordering::SeqCst) {
                let body = task_body(&project, &json!({"title": unique("rolling")}));
                let created = client
                    .post(format!("{base}/api/v1/tasks"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                let id = match created {
                    Ok(r) if r.status() == 201 => id_of(&r.json().await.expect("a task")),
                    Ok(r) => {
                        failed.push(format!("create: {}", r.status()));
                        continue;
                    }
                    Err(e) => {
                        failed.push(format!("create: {e}"));
                        continue;
                    }
                };
                let read = client
                    .get(format!("{base}/api/v1/tasks/{id}"))
                    .bearer_auth(&token)
                    .send()
                    .await;
                match read {
                    Ok(r) if r.status() == 200 => ok += 2,
                    Ok(r) => failed.push(format!("read: {}", r.status())),
                    Err(e) => failed.push(format!("read: {e}")),
                }
            }
            (ok, failed)
        });
        Self { done, task }
    }

    /// Stops the client; the requests answered and the failures.
    async fn finish(self) -> (usize, Vec<String>) {
        self.done.store(true, Ordering::SeqCst);
        self.task.await.expect("the load finished")
    }
}

/// Replaces `serving[i]` the way a rollout does: out of rotation, the pre-stop pause, SIGTERM
/// (it drains), then `start` its replacement, wait for `/ready`, and back into rotation.
async fn replace(
    rotation: &Rotation,
    serving: &mut [Arc<Server>],
    i: usize,
    start: impl FnOnce() -> TestApp,
) -> TestApp {
    let others: Vec<SocketAddr> =
        serving.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, s)| address_of(s)).collect();
    rotation.set(others);
    // The pre-stop pause: connections already handed to it finish.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let status = serving[i].terminate(Duration::from_secs(15));
    assert!(status.is_some_and(|s| s.success()), "instance {i} stopped cleanly: {status:?}");
    let replacement = start();
    ready(&replacement).await;
    serving[i] = Arc::clone(&replacement.server);
    rotation.set(serving.iter().map(|s| address_of(s)).collect());
    replacement
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rolling_restart_of_two_instances_behind_a_proxy_fails_no_request() {
    // Arrange: two instances in rotation, and a client creating and reading tasks through
    // the proxy, one connection per request.
    let Some(db) = ThrowawayDatabase::create().await else { return };
    let first = TestApp::spawn_on(Path::new(db.url()), &[], None).await;
    let second = first.another_instance(&[]);
    let project = first.new_project().await;
    let rotation = Arc::new(Rotation::default());
    rotation.set(vec![address_of(&first.server), address_of(&second.server)]);
    let base = format!("http://{}", proxy(Arc::clone(&rotation)).await);
    let token = first.people.editor.token.clone().expect("a token");
    let load = Load::start(base, token, project);
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Act: replace the first instance, then the second.
    let mut serving = [Arc::clone(&first.server), Arc::clone(&second.server)];
    for i in 0..2 {
        replace(&rotation, &mut serving, i, || first.another_instance(&[])).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (ok, failed) = load.finish().await;
    // Assert
    eprintln!("rolling restart: {ok} requests answered, {} failed", failed.len());
    assert!(failed.is_empty(), "failed requests during the rollout: {failed:?}");
    assert!(ok > 20, "the load ran: {ok} requests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_build_one_expand_migration_ahead_serves_beside_the_old_one_through_a_rollout() {
    // Arrange: the build one migration ahead (built before the clock starts), two old
    // instances in rotation, and the load through the proxy.
    let Some(db) = ThrowawayDatabase::create().await else { return };
    let ahead = tokio::task::spawn_blocking(e2e::binary::taskforge_ahead)
        .await
        .expect("taskforge-ahead is built");
    let first = TestApp::spawn_on(Path::new(db.url()), &[], None).await;
    let second = first.another_instance(&[]);
    let project = first.new_project().await;
    let rotation = Arc::new(Rotation::default());
    rotation.set(vec![address_of(&first.server), address_of(&second.server)]);
    let base = format!("http://{}", proxy(Arc::clone(&rotation)).await);
    let token = first.people.editor.token.clone().expect("a token");
    let load = Load::start(base, token, project.clone());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut serving = [Arc::clone(&first.server), Arc::clone(&second.server)];

    // Act 1: the first replacement is the newer build; it applies its expand migration while
    // the old build goes on serving through the other instance.
    let newer = replace(&rotation, &mut serving, 0, || first.another_instance_of(ahead)).await;
    // Act 2: the other old instance restarts (a crash, a node drain) mid-rollout: the old
    // build must start against the newer schema.
    let older = replace(&rotation, &mut serving, 1, || first.another_instance(&[])).await;

    // Assert: the old build named the newer migration it serves beside, and stays ready.
    let fixture = format!("{} (rollout_fixture.sql)", MIGRATIONS.len() + 1);
    let warned = older.server.json_log().iter().any(|line| {
        line["level"] == "WARN" && line["migrations"].as_str().is_some_and(|m| m.contains(&fixture))
    });
    assert!(warned, "the old build warns about {fixture}: {:#?}", older.server.log());
    assert_eq!(older.ready().await.status, 200);
    // Side by side: each build writes, the other reads and writes what it wrote.
    let editor = &first.people.editor;
    for (writer, other) in [(&newer, &older), (&older, &newer)] {
        let task = writer.create_task(editor, &task_body(&project, &json!({}))).await.expect(201);
        let id = id_of(&task);
        assert_eq!(other.get_task(editor, &id).await.expect(200)["id"], task["id"]);
        let changed = json!({"title": unique("side-by-side")});
        let updated = other.update_task(editor, &id, &changed).await.expect(200);
        assert_eq!(writer.get_task(editor, &id).await.expect(200)["title"], updated["title"]);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Act 3: the last old instance is replaced by the newer build as well.
    replace(&rotation, &mut serving, 1, || first.another_instance_of(ahead)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (ok, failed) = load.finish().await;

    // Assert: nothing failed while old and new served together.
    eprintln!("rollout one migration ahead: {ok} requests answered, {} failed", failed.len());
    assert!(failed.is_empty(), "failed requests during the rollout: {failed:?}");
    assert!(ok > 20, "the load ran: {ok} requests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_blue_restarts_after_green_one_expand_migration_ahead_migrated_the_file() {
    // Arrange: blue (the old build) serves a database file.
    let ahead = tokio::task::spawn_blocking(e2e::binary::taskforge_ahead)
        .await
        .expect("taskforge-ahead is built");
    let blue = TestApp::spawn().await;
    let project = blue.new_project().await;
    // Act: green (one expand migration ahead) starts on the same file and migrates it; blue
    // restarts, as it would if it crashed during the overlap.
    let green = blue.another_instance_of(ahead);
    let status = blue.server.terminate(Duration::from_secs(15));
    assert!(status.is_some_and(|s| s.success()), "blue stopped cleanly: {status:?}");
    let blue = blue.another_instance(&[]);
    // Assert: blue is ready beside green, names the newer migration, and both serve the
    // other's writes.
    assert_eq!(blue.ready().await.status, 200);
    let released = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
    let known = std::fs::read_dir(released).expect("migrations/sqlite").count();
    let fixture = format!("{} (rollout_fixture.sql)", known + 1);
    assert!(
        blue.server.log().iter().any(|line| line.contains("WARN") && line.contains(&fixture)),
        "blue warns about {fixture}: {:#?}",
        blue.server.log()
    );
    let editor = &blue.people.editor;
    for (writer, other) in [(&green, &blue), (&blue, &green)] {
        let task = writer.create_task(editor, &task_body(&project, &json!({}))).await.expect(201);
        let id = id_of(&task);
        assert_eq!(other.get_task(editor, &id).await.expect(200)["id"], task["id"]);
    }
}
