//! The servers under test: started on a free loopback port, waited for, sampled for memory and
//! killed (and reaped) when dropped — also when the benchmark fails half-way.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::client;

/// How long a server may take to answer `/health` after it was started.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running server process. Dropping it kills the process.
#[derive(Debug)]
pub struct Server {
    /// Label used in reports (`taskforge`, `baseline`, …).
    pub label: String,
    /// The port it listens on.
    pub port: u16,
    child: Child,
    log: PathBuf,
}

impl Server {
    /// Starts `command` (which must listen on `port`) and waits until `/health` answers 200.
    /// Its standard output and error go to `log`.
    pub fn start(label: &str, mut command: Command, port: u16, log: &Path) -> anyhow::Result<Self> {
        let out = File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        command.stdin(Stdio::null()).stdout(out).stderr(err);
        let child = command.spawn().with_context(|| format!("starting {label}: {command:?}"))?;
        let mut server = Self { label: label.to_owned(), port, child, log: log.to_path_buf() };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!("{label} exited during start-up ({status}); its log:\n{}", server.log_tail());
            }
            if let Ok(response) = client::request(port, "GET", "/health", None, None)
                && response.status == 200
            {
                return Ok(server);
            }
            if Instant::now() >= deadline {
                bail!(
                    "{label} did not answer /health within {START_TIMEOUT:?}:\n{}",
                    server.log_tail()
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Fails if the process has exited (a crash during a scenario).
    pub fn check_alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!("{} exited ({status}); its log:\n{}", self.label, self.log_tail());
        }
        Ok(())
    }

    /// The last lines of the server's log, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// Log lines at `ERROR` level or with a panic, for the report.
    pub fn errors_logged(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter(|l| l.contains("\"level\":\"ERROR\"") || l.contains("panicked"))
            .map(str::to_owned)
            .collect()
    }

    /// Memory of the process now (kB): `VmRSS` and the high-water mark `VmHWM`.
    pub fn memory(&self) -> Memory {
        memory_of(self.pid())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free port on 127.0.0.1 (bound and released; the server binds it right after).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// A process's memory in kB.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    /// Resident now.
    pub rss_kb: u64,
    /// Highest resident so far.
    pub hwm_kb: u64,
}

/// Reads `/proc/<pid>/status` (zeros when it cannot be read).
pub fn memory_of(pid: u32) -> Memory {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    Memory { rss_kb: field("VmRSS:"), hwm_kb: field("VmHWM:") }
}

/// Samples a process's `VmRSS` every 50 ms on a thread until stopped; keeps the peak.
#[derive(Debug)]
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl RssSampler {
    /// Starts sampling `pid`.
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(memory_of(pid).rss_kb));
        let (s, p) = (Arc::clone(&stop), Arc::clone(&peak));
        let thread = thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(memory_of(pid).rss_kb, Ordering::Relaxed);
                thread::sleep(Duration::from_millis(50));
            }
        });
        Self { stop, peak, thread: Some(thread) }
    }

    /// Stops and returns the peak `VmRSS` in kB.
    pub fn finish(mut self) -> u64 {
        self.halt();
        self.peak.load(Ordering::Relaxed)
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.halt();
    }
}
