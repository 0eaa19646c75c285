//! A running `taskforge serve`: started on `127.0.0.1:0`, its port read from its own log,
//! its output kept for diagnostics, and killed (and reaped) on drop.
//!
//! On drop the server's log is also checked: a response of 5xx that no test asked for, or a
//! panic, fails the test that dropped it (no 5xx unless provoked). The client
//! side checks every response as it arrives, too (see `reply.rs`); this catches what the
//! client might not see, such as a request that timed out.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use super::binary::{self, TEST_JWT_SECRET};

/// How long start-up (until `/health` answers) may take.
pub const START_TIMEOUT: Duration = Duration::from_secs(15);

/// The most log lines kept per server (the newest are dropped beyond it).
const MAX_LOG_LINES: usize = 50_000;

type Log = Arc<Mutex<Vec<String>>>;

/// A `taskforge serve` process.
#[derive(Debug)]
pub struct Server {
    child: Mutex<Child>,
    pid: u32,
    port: u16,
    database: PathBuf,
    log: Log,
    readers: Mutex<Vec<JoinHandle<()>>>,
    allowed_server_errors: AtomicUsize,
    /// The temporary directory holding the database, removed after the process is gone
    /// (or handed on to the server that [`Server::restart`] starts on the same database).
    dir: Mutex<Option<TempDir>>,
}

impl Server {
    /// Starts a server on `database` with the test environment plus `env`, owning `dir` (if
    /// given) until it stops. Panics with the server's output if it does not come up within
    /// [`START_TIMEOUT`].
    pub fn start(database: &Path, env: &[(&str, &str)], dir: Option<TempDir>) -> Self {
        let mut command = serve_command(database);
        for (name, value) in env {
            command.env(name, value);
        }
        Self::start_command(command, database, dir)
    }

    /// Starts `command` (a `serve_command`) and waits until it answers `/health`.
    pub fn start_command(mut command: Command, database: &Path, dir: Option<TempDir>) -> Self {
        let mut child = command.spawn().expect("taskforge serve can be started");
        let pid = child.id();
        let log: Log = Arc::default();
        let (port_tx, port_rx) = mpsc::channel();
        let readers = vec![
            read_lines(child.stderr.take(), Arc::clone(&log), Some(port_tx)),
            read_lines(child.stdout.take(), Arc::clone(&log), None),
        ];
        let deadline = Instant::now() + START_TIMEOUT;
        let port = loop {
            match port_rx.recv_timeout(Duration::from_millis(50)) {
                Ok(port) => break port,
                Err(mpsc::RecvTimeoutError::Timeout | mpsc::RecvTimeoutError::Disconnected) => {}
            }
            let exited = child.try_wait().expect("the server can be waited for");
            if exited.is_some() || Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                for reader in readers {
                    let _ = reader.join();
                }
                panic!(
                    "taskforge serve did not report its port within {START_TIMEOUT:?} \
                     (exit: {exited:?}); output:\n{}",
                    lock(&log).join("\n")
                );
            }
        };
        let server = Self {
            child: Mutex::new(child),
            pid,
            port,
            database: database.to_path_buf(),
            log,
            readers: Mutex::new(readers),
            allowed_server_errors: AtomicUsize::new(0),
            dir: Mutex::new(dir),
        };
        server.wait_until_healthy(deadline);
        server
    }

    /// The port it listens on.
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// The process id.
    pub const fn pid(&self) -> u32 {
        self.pid
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The database file it serves.
    pub fn database(&self) -> &Path {
        &self.database
    }

    /// Every line it has written to stdout and stderr so far.
    pub fn log(&self) -> Vec<String> {
        lock(&self.log).clone()
    }

    /// Its log lines that parse as JSON (all of them with `TASKFORGE_LOG=json`).
    pub fn json_log(&self) -> Vec<Value> {
        self.log().iter().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    /// Notes that a test provoked a 5xx on purpose, so the check on drop accepts one more.
    pub fn allow_server_error(&self) {
        self.allowed_server_errors.fetch_add(1, Ordering::SeqCst);
    }

    /// Sends SIGTERM (through `kill`, so no unsafe code is needed) and waits up to `within`
    /// for the process to exit. `None` if it is still running then.
    pub fn terminate(&self, within: Duration) -> Option<ExitStatus> {
        self.signal_terminate();
        self.wait_for_exit(within)
    }

    /// Sends SIGTERM (as [`Server::terminate`] does) and returns at once, for tests that
    /// watch what the server does while it shuts down. [`Server::wait_for_exit`] waits.
    pub fn signal_terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .expect("kill can be run");
        assert!(status.success(), "kill -TERM {} failed", self.pid);
    }

    /// Waits up to `within` for the process to exit. `None` if it is still running then.
    pub fn wait_for_exit(&self, within: Duration) -> Option<ExitStatus> {
        binary::wait_within(&mut lock(&self.child), within)
    }

    /// Whether the process is still running (not yet exited).
    pub fn is_running(&self) -> bool {
        lock(&self.child).try_wait().expect("the server can be waited for").is_none()
    }

    /// Kills the process with SIGKILL — a crash: nothing gets a chance to finish or flush —
    /// and reaps it.
    pub fn kill_hard(&self) -> ExitStatus {
        let mut child = lock(&self.child);
        // std's `Child::kill` sends SIGKILL on Unix.
        child.kill().expect("the server can be killed");
        child.wait().expect("the killed server can be reaped")
    }

    /// A new server on the same database, with the test environment plus `env`, once this
    /// one has exited (after [`Server::kill_hard`] or a shutdown). The temporary directory
    /// holding the database moves to the new server, so dropping this one keeps the file.
    pub fn restart(&self, env: &[(&str, &str)]) -> Self {
        assert!(!self.is_running(), "restart needs the old process (pid {}) gone", self.pid);
        let dir = lock(&self.dir).take();
        Self::start(&self.database, env, dir)
    }

    /// Polls `GET /health` (plain HTTP over a socket, so this needs no async runtime).
    fn wait_until_healthy(&self, deadline: Instant) {
        loop {
            if health_status(self.port).as_deref() == Some("200") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "taskforge serve did not answer /health within {START_TIMEOUT:?}; output:\n{}",
                self.log().join("\n")
            );
            thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(PoisonError::into_inner);
        let _ = child.kill();
        let _ = child.wait();
        let readers =
            std::mem::take(self.readers.get_mut().unwrap_or_else(PoisonError::into_inner));
        for reader in readers {
            let _ = reader.join();
        }
        if thread::panicking() {
            let log = self.log();
            let tail = &log[log.len().saturating_sub(40)..];
            eprintln!(
                "--- last lines of the server log (port {}) ---\n{}",
                self.port,
                tail.join("\n")
            );
            return;
        }
        let allowed = self.allowed_server_errors.load(Ordering::SeqCst);
        let failures = unexpected_failures(&self.log(), allowed);
        assert!(
            failures.is_empty(),
            "the server answered 5xx or panicked where no test expected it:\n{}",
            failures.join("\n")
        );
    }
}

/// The lines of a server log that no test asked for: every panic, and every response of 5xx
/// (`"message":"request served"` with `status` ≥ 500) when there are more than `allowed`.
pub fn unexpected_failures(lines: &[String], allowed: usize) -> Vec<String> {
    let server_errors: Vec<String> = lines
        .iter()
        .filter(|line| {
            serde_json::from_str::<Value>(line).is_ok_and(|v| {
                v["message"] == "request served" && v["status"].as_u64().unwrap_or(0) >= 500
            })
        })
        .cloned()
        .collect();
    let mut failures: Vec<String> =
        lines.iter().filter(|l| l.contains("panicked")).cloned().collect();
    if server_errors.len() > allowed {
        failures.extend(server_errors);
    }
    failures
}

/// `taskforge serve` on `127.0.0.1:0` with the test environment and signing key, on `database`.
pub fn serve_command(database: &Path) -> Command {
    serve_command_of(binary::taskforge(), database)
}

/// [`serve_command`] for another build of the program (`binary::taskforge_ahead`).
pub fn serve_command_of(program: &Path, database: &Path) -> Command {
    let mut command = binary::command_of_on(program, database);
    command
        .arg("serve")
        .env("TASKFORGE_BIND", "127.0.0.1:0")
        .env("TASKFORGE_JWT_SECRET", TEST_JWT_SECRET)
        .env("TASKFORGE_SHUTDOWN_GRACE", "5s")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// The port in the server's start-up line: `{"message":"taskforge listening on …","port":N}`.
pub fn port_in(line: &str) -> Option<u16> {
    let value: Value = serde_json::from_str(line).ok()?;
    if !value["message"].as_str()?.starts_with("taskforge listening") {
        return None;
    }
    u16::try_from(value["port"].as_u64()?).ok()
}

fn read_lines(
    pipe: Option<impl Read + Send + 'static>,
    log: Log,
    port: Option<mpsc::Sender<u16>>,
) -> JoinHandle<()> {
    thread::spawn(move || {
        let Some(pipe) = pipe else { return };
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if let (Some(tx), Some(found)) = (&port, port_in(&line)) {
                let _ = tx.send(found);
            }
            let mut log = lock(&log);
            if log.len() < MAX_LOG_LINES {
                log.push(line);
            }
        }
    })
}

/// The status code of `GET /health`, or `None` when the server does not answer yet.
fn health_status(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.split_whitespace().nth(1).map(str::to_owned)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
