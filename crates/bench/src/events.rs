//! The live-stream benchmark (`cargo run -p taskforge-bench --release -- events`): 1,000
//! open `GET /api/v1/events` streams of the seeded user, one change per second in a project
//! they belong to — so every stream receives one event per second — for a minute, with the
//! server's resident memory sampled every second. It reports the memory's start, middle and
//! end, its slope over the second half and the verdict of `rss_series` ("flat"), and the
//! delivery latency (from the moment the writer sent the change to the moment a stream read
//! its event) as median and p99 over every delivery. `--smoke`: 20 streams for 5 s.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::measure::median;
use crate::report::Machine;
use crate::rss_series::{self, Sample, SeriesSummary};
use crate::server::{Server, free_port};
use crate::{Args, build, client, git_commit, login, nofile, seed, utc_now};

/// The settings of an events run.
#[derive(Debug, Clone, Serialize)]
pub struct EventsSettings {
    /// `events` or `events --smoke`.
    pub mode: &'static str,
    /// Cargo profile of the server.
    pub profile: String,
    /// Open streams.
    pub streams: usize,
    /// How long changes are made (one a second), s.
    pub seconds: u64,
}

/// What an events run measured.
#[derive(Debug, Clone, Serialize)]
pub struct EventsReport {
    /// When (UTC).
    pub date: String,
    /// The commit measured.
    pub commit: String,
    /// The machine.
    pub machine: Machine,
    /// The settings.
    pub settings: EventsSettings,
    /// Changes made.
    pub changes: usize,
    /// Events read, over every stream (ideally streams × changes).
    pub deliveries: usize,
    /// Delivery latency, median, ms.
    pub latency_p50_ms: f64,
    /// Delivery latency, 99th percentile, ms.
    pub latency_p99_ms: f64,
    /// The server's memory over the run.
    pub rss: SeriesSummary,
    /// Last memory sample ÷ first.
    pub rss_last_over_first: f64,
    /// Every memory sample.
    pub rss_samples: Vec<Sample>,
}

/// Runs the events benchmark; `Ok(false)` when deliveries were missing or memory grew.
pub fn run(args: &Args) -> anyhow::Result<bool> {
    let settings = EventsSettings {
        mode: if args.smoke { "events --smoke" } else { "events" },
        profile: args.profile.clone(),
        streams: if args.smoke { 20 } else { 1_000 },
        seconds: args.mixed_seconds.unwrap_or(if args.smoke { 5 } else { 60 }),
    };
    let iterations = args.iterations.unwrap_or(1_000);
    let taskforge = build("taskforge-app", "taskforge", &settings.profile)?;
    let bench_dir = crate::target_dir()?.join("bench");
    std::fs::create_dir_all(&bench_dir)?;
    let run_dir = tempfile::Builder::new().prefix("events-").tempdir_in(&bench_dir)?;
    let dir = run_dir.path();
    let (seed_db, seeded) = seed::cached(&taskforge, &bench_dir.join("seeds"), 200, 4, iterations)?;
    let db = dir.join("events.db");
    seed::copy_db(&seed_db, &db)?;
    let mut server = start(&taskforge, dir, &db, iterations, settings.streams)?;
    let token = login(&server)?;
    let task = seeded.read_ids.first().context("no task seeded")?.clone();

    eprintln!(
        "events: {} streams, one change a second for {} s",
        settings.streams, settings.seconds
    );
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let port = server.port;
    let sent: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<f64>>> = Arc::default();
    let readers: Vec<_> = (0..settings.streams)
        .map(|_| {
            runtime.spawn(read_stream(
                port,
                token.clone(),
                Arc::clone(&sent),
                Arc::clone(&latencies),
            ))
        })
        .collect();
    // Every stream is open (its opening comment read) before the first change.
    wait_until_open(&server, settings.streams)?;
    let sampler = rss_series::SeriesSampler::start(server.pid(), Duration::from_secs(1));
    let started = Instant::now();
    for i in 0..settings.seconds {
        let due = started + Duration::from_secs(i);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let body = serde_json::json!({ "title": format!("change {i}") });
        lock(&sent).push(Instant::now());
        let response = client::request(
            port,
            "PATCH",
            &format!("/api/v1/tasks/{task}"),
            Some(&token),
            Some(&body),
        )?;
        if response.status != 200 {
            bail!("the change answered {}: {}", response.status, response.text());
        }
    }
    // The last change's events.
    std::thread::sleep(Duration::from_secs(1));
    let samples = sampler.finish();
    for reader in readers {
        reader.abort();
    }
    drop(runtime);
    server.check_alive()?;
    let mut latencies = lock(&latencies).clone();
    let deliveries = latencies.len();
    latencies.sort_by(f64::total_cmp);
    let p99 = latencies
        .get((deliveries * 99 / 100).min(deliveries.saturating_sub(1)))
        .copied()
        .unwrap_or(0.0);
    let rss = rss_series::summarise(&samples);
    let first = samples.first().map_or(0.0, |s| s.rss_mb);
    let last = samples.last().map_or(0.0, |s| s.rss_mb);
    let report = EventsReport {
        date: utc_now(),
        commit: git_commit(),
        machine: Machine::current(),
        changes: usize::try_from(settings.seconds).unwrap_or(usize::MAX),
        deliveries,
        latency_p50_ms: median(&mut latencies),
        latency_p99_ms: p99,
        rss_last_over_first: if first > 0.0 { last / first } else { 0.0 },
        rss,
        rss_samples: samples,
        settings,
    };
    let out = args.out.clone().unwrap_or_else(|| {
        bench_dir.join(if args.smoke { "events-smoke-results.json" } else { "events-results.json" })
    });
    std::fs::write(&out, serde_json::to_vec_pretty(&report)?)?;
    let expected = report.settings.streams * report.changes;
    println!(
        "events: {} streams × {} changes: {} of {} events delivered; latency p50 {:.1} ms, p99 {:.1} ms; \
         rss {:.1} → {:.1} → {:.1} MB (last/first {:.3}, second-half slope {:.2} MB/min, flat: {:?})",
        report.settings.streams,
        report.changes,
        deliveries,
        expected,
        report.latency_p50_ms,
        report.latency_p99_ms,
        report.rss.start_mb,
        report.rss.mid_mb,
        report.rss.end_mb,
        report.rss_last_over_first,
        report.rss.second_half_slope_mb_per_min,
        report.rss.flat,
    );
    println!("results: {}", out.display());
    Ok(deliveries == expected && report.rss.flat != Some(false))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn start(
    taskforge: &Path,
    dir: &Path,
    db: &Path,
    iterations: u32,
    streams: usize,
) -> anyhow::Result<Server> {
    let port = free_port()?;
    let mut command = std::process::Command::new(taskforge);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("TASKFORGE_") {
            command.env_remove(name);
        }
    }
    command
        .arg("serve")
        .env("TASKFORGE_DATABASE", db)
        .env("TASKFORGE_BIND", format!("127.0.0.1:{port}"))
        .env("TASKFORGE_JWT_SECRET", crate::JWT_SECRET)
        .env("TASKFORGE_LOG", "json")
        .env("RUST_LOG", "warn")
        .env("TASKFORGE_PBKDF2_ITERATIONS", iterations.to_string())
        .env("TASKFORGE_ACCESS_TTL", "3h")
        .env("TASKFORGE_EVENTS_MAX_STREAMS_PER_USER", (streams + 10).to_string());
    let needed = u64::try_from(streams).unwrap_or(u64::MAX) + crate::wrk::OPEN_FILES_MARGIN;
    let command = nofile::raised(command, needed)?;
    Server::start("taskforge", command, port, &dir.join("taskforge.log"))
}

/// Waits until the server counts `streams` open streams (its `/metrics` gauge).
fn wait_until_open(server: &Server, streams: usize) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let metrics = client::request(server.port, "GET", "/metrics", None, None)?.text();
        let open = metrics
            .lines()
            .find_map(|l| l.strip_prefix("taskforge_event_streams_open "))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(0.0);
        #[allow(clippy::cast_precision_loss)] // a thousand
        if open >= streams as f64 {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("only {open} of {streams} streams opened within 60 s");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// One stream: reads events, recording for the k-th `task_updated` the time since the k-th
/// change was sent.
async fn read_stream(
    port: u16,
    token: String,
    sent: Arc<Mutex<Vec<Instant>>>,
    latencies: Arc<Mutex<Vec<f64>>>,
) {
    let Ok(mut socket) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else { return };
    let request = format!(
        "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    if socket.write_all(request.as_bytes()).await.is_err() {
        return;
    }
    let mut buffer = vec![0_u8; 16 * 1024];
    let mut seen = 0_usize;
    while let Ok(n) = socket.read(&mut buffer).await {
        if n == 0 {
            return;
        }
        let now = Instant::now();
        let text = String::from_utf8_lossy(&buffer[..n]);
        for _ in text.matches("event: task_updated") {
            let at = lock(&sent).get(seen).copied();
            if let Some(at) = at {
                lock(&latencies).push(now.duration_since(at).as_secs_f64() * 1_000.0);
            }
            seen += 1;
        }
    }
}
