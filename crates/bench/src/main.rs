//! `taskforge-bench`: TaskForge's benchmark (`docs/benchmarks.md`).
//!
//! ```text
//! cargo run -p taskforge-bench --release -- all     # the full benchmark (≈ 10–15 min)
//! cargo run -p taskforge-bench --release -- smoke   # seconds, tiny data: proves it still works
//! cargo run -p taskforge-bench --release -- load    # the load test (≈ 2 min, `load.rs`)
//! cargo run -p taskforge-bench --release -- events  # 1,000 live event streams (≈ 1.5 min, `events.rs`)
//! cargo run -p taskforge-bench --release -- postgres  # SQLite vs PostgreSQL, 1 vs 2 instances
//! ```
//!
//! It builds the `taskforge` binary and the bare baseline (`src/bin/baseline.rs`) in the
//! chosen profile, seeds SQLite files (`seed.rs`), starts both servers on loopback, loads them
//! with `wrk` scenario by scenario — alternating the servers round after round — and prints a
//! table of medians with their ratios to the baseline, the targets of `docs/benchmarks.md` judged,
//! and a JSON file (`target/bench/results.json`). It exits non-zero when any request failed (a
//! non-2xx response, a socket error, a refused login) or a set-up step did not hold.
#![forbid(unsafe_code)]

/// A tiny blocking HTTP client for set-up steps and the login burst.
mod client;
/// The live-stream benchmark: 1,000 event streams, memory and delivery latency.
mod events;
/// The load test: 1,000 connections held, then a mixed load with memory sampled.
mod load;
/// The mixed load script's summary.
mod load_mix;
/// Scenarios run round-robin, medians and ratios.
mod measure;
/// The open-file limit for 1,000 connections.
mod nofile;
/// The textbook Python stack for the same API, measured in the same run.
mod peer;
/// SQLite vs PostgreSQL, and one vs two instances on PostgreSQL (`postgres.rs`).
mod postgres;
/// The table, the targets and the JSON file.
mod report;
/// Resident memory sampled over a long run, and the "flat" verdict.
mod rss_series;
/// Seeding SQLite files for the servers.
mod seed;
/// Server processes, free ports, memory sampling.
mod server;
/// Installing, running and parsing `wrk`.
mod wrk;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::{Parser, ValueEnum};

use crate::measure::{Burst, Scenario, ScenarioResult, Variant};
use crate::report::{ExportResult, HighWater, Machine, Report};
use crate::server::{RssSampler, Server, free_port};
use crate::wrk::Load;

/// The signing key of the benchmark's server (any 32+ bytes; tokens never leave the machine).
const JWT_SECRET: &str = "taskforge-benchmark-signing-key-0123456789";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// The full benchmark: 10k and 1M tasks, 3 rounds of 6 s per variant.
    All,
    /// Seconds on tiny data through the same code paths (CI runs it).
    Smoke,
    /// The load test: 1,000 keep-alive connections for 30 s, then 60 s of mixed
    /// reads, writes and logins with the server's memory sampled (`--smoke`: 3 s and 5 s).
    Load,
    /// The live-stream test: 1,000 open event streams, one change a second for a minute,
    /// memory sampled and delivery latency measured (`--smoke`: 20 streams, 5 s).
    Events,
    /// Read by id, a 50-item list and durable creates on SQLite and on PostgreSQL (the same
    /// data, copied), and on two PostgreSQL instances sharing the database (`--smoke`: tiny
    /// data, seconds). Needs a PostgreSQL server (`TASKFORGE_TEST_POSTGRES_URL`).
    Postgres,
}

/// TaskForge's benchmark: the real server against a bare actix-web + SQLite baseline.
#[derive(Debug, Parser)]
#[command(name = "taskforge-bench")]
struct Args {
    /// `all`, `smoke`, `load` or `events`.
    #[arg(value_enum)]
    mode: Mode,
    /// With `load` or `postgres`: seconds instead of minutes, on tiny data.
    #[arg(long)]
    smoke: bool,
    /// With `load`: how long the 1,000 connections are held, s. Default 30, smoke 3.
    #[arg(long)]
    hold_seconds: Option<u64>,
    /// With `load`: how long the mixed load runs, s. Default 60, smoke 5.
    #[arg(long)]
    mixed_seconds: Option<u64>,
    /// With `load`: logins per second in the mixed load. Default 4.
    #[arg(long)]
    login_rate: Option<u32>,
    /// Cargo profile of the servers: `release` (what the targets are about) or `debug`
    /// (the smoke test uses the debug binaries the test run already built).
    #[arg(long, default_value = "release")]
    profile: String,
    /// Rounds per scenario (medians are taken over them). Default: 3, smoke 1.
    #[arg(long)]
    runs: Option<usize>,
    /// Seconds per wrk run. Default: 6, smoke 1.
    #[arg(long)]
    duration: Option<u64>,
    /// Tasks in the small database (and in `load`'s). Default: 10,000, smoke 200.
    #[arg(long)]
    small: Option<usize>,
    /// Tasks in the large database. Default: 1,000,000, smoke 2,400.
    #[arg(long)]
    large: Option<usize>,
    /// Depth of the deep page in the cursor chain. Default: 10,000, smoke 100.
    #[arg(long)]
    depth: Option<usize>,
    /// Concurrent logins in the burst (with `load`: the accounts logging in). Default: 50,
    /// smoke 4.
    #[arg(long)]
    logins: Option<usize>,
    /// PBKDF2 iterations of the server and the seeded accounts. Default: 600,000, smoke 1,000.
    #[arg(long)]
    iterations: Option<u32>,
    /// Where to write the JSON results. Default: target/bench/results.json (smoke:
    /// target/bench/smoke-results.json).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Use this `taskforge-baseline` binary instead of building it.
    #[arg(long)]
    baseline_bin: Option<PathBuf>,
    /// Use this `taskforge` binary instead of building it (e.g. an older build, for a
    /// before/after comparison in one harness).
    #[arg(long)]
    taskforge_bin: Option<PathBuf>,
    /// Run only these scenarios (comma-separated keys, e.g. `read_by_id,list_small_page1`);
    /// a phase none of whose scenarios is chosen is skipped, seeding included.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

/// The settings of one run, defaults filled in.
#[derive(Debug, Clone, serde::Serialize)]
struct Settings {
    mode: &'static str,
    profile: String,
    runs: usize,
    duration_s: u64,
    burst_duration_s: u64,
    small: usize,
    large: usize,
    depth: usize,
    logins: usize,
    iterations: u32,
    connections: u32,
    many_connections: u32,
    only: Vec<String>,
}

impl Settings {
    fn from(args: &Args) -> Self {
        let smoke = args.mode == Mode::Smoke || (args.mode == Mode::Postgres && args.smoke);
        let pick = |given: Option<usize>, all: usize, smoke_value: usize| {
            given.unwrap_or(if smoke { smoke_value } else { all })
        };
        let duration_s = args.duration.unwrap_or(if smoke { 1 } else { 6 });
        Self {
            mode: match (args.mode, smoke) {
                (Mode::Postgres, true) => "postgres-smoke",
                (Mode::Postgres, false) => "postgres",
                (_, true) => "smoke",
                (_, false) => "all",
            },
            profile: args.profile.clone(),
            runs: pick(args.runs, 3, 1).max(1),
            duration_s,
            // The burst must fit inside the run: 50 hashes of ~70 ms on one hashing worker.
            burst_duration_s: if smoke { duration_s.max(2) } else { duration_s.max(10) },
            small: pick(args.small, 10_000, 200),
            large: pick(args.large, 1_000_000, 2_400),
            depth: pick(args.depth, 10_000, 100),
            logins: pick(args.logins, 50, 4),
            iterations: args.iterations.unwrap_or(if smoke { 1_000 } else { 600_000 }),
            connections: 64,
            many_connections: 1_000,
            only: args.only.clone(),
        }
    }

    /// Whether the scenario `key` is to run.
    fn runs(&self, key: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|k| k == key)
    }

    fn duration(&self) -> Duration {
        Duration::from_secs(self.duration_s)
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("taskforge-bench: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root (this crate lives in `crates/bench`).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The target directory this binary was built into (`<target>/<profile>/taskforge-bench`).
fn target_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let mut dir = exe.parent().context("the benchmark binary has no directory")?;
    if dir.ends_with("deps") {
        dir = dir.parent().context("deps has no parent")?;
    }
    Ok(dir.parent().context("the profile directory has no parent")?.to_path_buf())
}

/// Builds `bin` of `package` in `profile` and returns its path.
fn build(package: &str, bin: &str, profile: &str) -> anyhow::Result<PathBuf> {
    let target = target_dir()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace())
        .env("CARGO_TARGET_DIR", &target)
        .args(["build", "--locked", "--quiet", "-p", package, "--bin", bin]);
    let dir = match profile {
        "debug" | "dev" => "debug",
        "release" => {
            command.arg("--release");
            "release"
        }
        other => {
            command.args(["--profile", other]);
            other
        }
    };
    eprintln!("building {bin} ({profile})");
    let status = command.status().with_context(|| format!("running cargo build for {bin}"))?;
    if !status.success() {
        bail!("cargo build -p {package} --bin {bin} failed ({status})");
    }
    let path = target.join(dir).join(bin);
    if !path.is_file() {
        bail!("cargo built {bin} but {} is missing", path.display());
    }
    Ok(path)
}

struct Binaries {
    taskforge: PathBuf,
    baseline: PathBuf,
}

fn taskforge_command(
    bin: &Path,
    database: &Path,
    port: u16,
    synchronous: &str,
    settings: &Settings,
) -> Command {
    let mut command = Command::new(bin);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("TASKFORGE_") {
            command.env_remove(name);
        }
    }
    command
        .arg("serve")
        .env("TASKFORGE_DATABASE", database)
        .env("TASKFORGE_BIND", format!("127.0.0.1:{port}"))
        .env("TASKFORGE_JWT_SECRET", JWT_SECRET)
        .env("TASKFORGE_LOG", "json")
        .env("RUST_LOG", "warn")
        .env("TASKFORGE_SYNCHRONOUS", synchronous)
        .env("TASKFORGE_PBKDF2_ITERATIONS", settings.iterations.to_string())
        // Tokens must outlive the whole run (the default is 15 minutes).
        .env("TASKFORGE_ACCESS_TTL", "3h");
    command
}

fn baseline_command(bin: &Path, database: &Path, port: u16, synchronous: &str) -> Command {
    let mut command = Command::new(bin);
    command
        .arg("--database")
        .arg(database)
        .arg("--bind")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--synchronous")
        .arg(synchronous);
    command
}

fn start_taskforge(
    bins: &Binaries,
    dir: &Path,
    label: &str,
    db: &Path,
    synchronous: &str,
    settings: &Settings,
) -> anyhow::Result<Server> {
    let port = free_port()?;
    let command = taskforge_command(&bins.taskforge, db, port, synchronous, settings);
    Server::start(label, command, port, &dir.join(format!("{}.log", label.replace(' ', "-"))))
}

fn start_baseline(
    bins: &Binaries,
    dir: &Path,
    label: &str,
    db: &Path,
    synchronous: &str,
) -> anyhow::Result<Server> {
    let port = free_port()?;
    let command = baseline_command(&bins.baseline, db, port, synchronous);
    Server::start(label, command, port, &dir.join(format!("{}.log", label.replace(' ', "-"))))
}

/// Logs the benchmark user in on `server` and returns the access token.
fn login(server: &Server) -> anyhow::Result<String> {
    let body = serde_json::json!({ "username": seed::USER, "password": seed::PASSWORD });
    let response = client::request(server.port, "POST", "/api/v1/auth/login", None, Some(&body))?;
    if response.status != 200 {
        bail!("login on {} answered {}: {}", server.label, response.status, response.text());
    }
    response.json()?["access_token"]
        .as_str()
        .map(str::to_owned)
        .context("the login response has no access_token")
}

/// A web interface session of the seeded user, as a browser gets one: the login form's
/// CSRF cookie, then the form post; returns the `taskforge_session` cookie's value.
fn web_session(server: &Server) -> anyhow::Result<String> {
    let form = client::request(server.port, "GET", "/login", None, None)?;
    let csrf = form.cookie("taskforge_csrf").context("the login page set no CSRF cookie")?;
    let encode = |s: &str| s.replace(' ', "+");
    let body = format!(
        "csrf_token={csrf}&username={}&password={}",
        encode(seed::USER),
        encode(seed::PASSWORD)
    );
    let response = client::request_with(
        server.port,
        "POST",
        "/login",
        &[format!("Cookie: taskforge_csrf={csrf}")],
        Some(("application/x-www-form-urlencoded", body)),
    )?;
    if response.status != 303 {
        bail!("web login on {} answered {}: {}", server.label, response.status, response.text());
    }
    response.cookie("taskforge_session").context("the web login set no session cookie")
}

/// The web interface's project page showing the same 50 tasks as [`list_path`]'s page 1.
fn web_project_path(project: &str) -> String {
    format!("/projects/{project}?status=todo&sort=-priority")
}

/// The listing of the scenarios: one project, one status, newest priority first.
fn list_path(project: &str, limit: usize, cursor: Option<&str>) -> String {
    let mut path =
        format!("/api/v1/tasks?project_id={project}&status=todo&sort=-priority&limit={limit}");
    if let Some(cursor) = cursor {
        path.push_str("&cursor=");
        path.push_str(cursor);
    }
    path
}

/// Walks the cursor chain of `server`'s listing 200 items at a time until `depth` items are
/// behind, and returns the cursor there.
fn walk(server: &Server, token: &str, project: &str, depth: usize) -> anyhow::Result<String> {
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    while seen < depth {
        let limit = (depth - seen).min(200);
        let path = list_path(project, limit, cursor.as_deref());
        let response = client::request(server.port, "GET", &path, Some(token), None)?;
        if response.status != 200 {
            bail!("{} answered {} to {path}: {}", server.label, response.status, response.text());
        }
        let page = response.json()?;
        let items = page["items"].as_array().map_or(0, Vec::len);
        seen += items;
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if items == 0 || cursor.is_none() && seen < depth {
            bail!("{}'s listing ended after {seen} items, before {depth}", server.label);
        }
    }
    cursor.context("no cursor at the requested depth")
}

/// The items of one page, to check both servers list the same tasks as the same JSON (the
/// cursors differ: each server has its own).
fn page_items(server: &Server, token: &str, path: &str) -> anyhow::Result<Vec<serde_json::Value>> {
    let response = client::request(server.port, "GET", path, Some(token), None)?;
    if response.status != 200 {
        bail!("{} answered {} to {path}: {}", server.label, response.status, response.text());
    }
    Ok(response.json()?["items"].as_array().cloned().unwrap_or_default())
}

/// One task by id, as JSON, from `server`.
fn task_json(server: &Server, token: &str, id: &str) -> anyhow::Result<serde_json::Value> {
    let path = format!("/api/v1/tasks/{id}");
    let response = client::request(server.port, "GET", &path, Some(token), None)?;
    if response.status != 200 {
        bail!("{} answered {} to {path}: {}", server.label, response.status, response.text());
    }
    response.json()
}

fn url(server: &Server, path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", server.port)
}

fn script(name: &str) -> PathBuf {
    wrk::scripts_dir().join(name)
}

fn read_load(server: &Server, ids_file: &Path, token: &str, connections: u32, d: Duration) -> Load {
    Load {
        url: url(server, "/"),
        connections,
        duration: d,
        script: Some((
            script("read_by_id.lua"),
            vec![ids_file.display().to_string(), token.to_owned()],
        )),
        headers: Vec::new(),
    }
}

fn get_load(server: &Server, path: &str, token: &str, connections: u32, d: Duration) -> Load {
    Load {
        url: url(server, path),
        connections,
        duration: d,
        script: None,
        headers: vec![format!("Authorization: Bearer {token}")],
    }
}

fn create_load(server: &Server, project: &str, token: &str, connections: u32, d: Duration) -> Load {
    Load {
        url: url(server, "/api/v1/tasks"),
        connections,
        duration: d,
        script: Some((script("create.lua"), vec![project.to_owned(), token.to_owned()])),
        headers: Vec::new(),
    }
}

fn variant(label: &str, server: usize, load: Load) -> Variant {
    Variant {
        label: label.to_owned(),
        server,
        load,
        burst: None,
        writer_counters: false,
        also: Vec::new(),
    }
}

/// The common scenario: the same load on TaskForge (server 0) and on the baseline (server 1),
/// reported relative to the baseline.
fn versus(key: &str, title: String, taskforge: Load, baseline: Load) -> Scenario {
    Scenario {
        key: key.to_owned(),
        title,
        reference: 1,
        variants: vec![variant("taskforge", 0, taskforge), variant("baseline", 1, baseline)],
    }
}

/// Phase 1: the small database — reads, listing, many connections, the login burst and the
/// durable creates.
fn small_phase(
    bins: &Binaries,
    dir: &Path,
    cache: &Path,
    settings: &Settings,
    failures: &mut Vec<String>,
    high_water: &mut Vec<HighWater>,
) -> anyhow::Result<Vec<ScenarioResult>> {
    eprintln!("== small database: {} tasks", settings.small);
    let (seed_db, seeded) =
        seed::cached(&bins.taskforge, cache, settings.small, settings.logins, settings.iterations)?;
    let copy = |name: &str| -> anyhow::Result<PathBuf> {
        let path = dir.join(name);
        seed::copy_db(&seed_db, &path)?;
        Ok(path)
    };
    let mut servers = vec![
        start_taskforge(bins, dir, "taskforge", &copy("small-taskforge.db")?, "full", settings)?,
        start_baseline(bins, dir, "baseline", &copy("small-baseline.db")?, "full")?,
        start_taskforge(
            bins,
            dir,
            "taskforge NORMAL",
            &copy("small-normal.db")?,
            "normal",
            settings,
        )?,
        start_baseline(bins, dir, "baseline NORMAL", &copy("small-baseline-normal.db")?, "normal")?,
    ];
    let token = login(&servers[0])?;
    let token_normal = login(&servers[2])?;
    let session = web_session(&servers[0])?;
    let ids_file = dir.join("read-ids.txt");
    std::fs::write(
        &ids_file,
        seeded.read_ids.iter().map(|id| format!("{id}\n")).collect::<String>(),
    )?;
    let project = seeded.projects.first().cloned().context("no project seeded")?;
    let project = project.as_str();
    let d = settings.duration();
    let c = settings.connections;
    let (tf, bl) = (&servers[0], &servers[1]);

    let page1 = list_path(project, 50, None);
    let one = list_path(project, 1, None);
    let (tf_items, bl_items) = (page_items(tf, &token, &page1)?, page_items(bl, &token, &page1)?);
    if tf_items != bl_items || tf_items.len() != 50.min(seeded.listed_matches) {
        failures.push(format!(
            "small listing: taskforge and the baseline disagree on page 1 ({} vs {} items{})",
            tf_items.len(),
            bl_items.len(),
            if tf_items.len() == bl_items.len() { ", different JSON" } else { "" }
        ));
    }
    if let Some(id) = seeded.read_ids.first()
        && task_json(tf, &token, id)? != task_json(bl, &token, id)?
    {
        failures.push(format!("read by id: the servers answer {id} with different JSON"));
    }

    let scenarios = [
        versus(
            "read_by_id",
            format!("GET /api/v1/tasks/{{id}}, authenticated, c={c}"),
            read_load(tf, &ids_file, &token, c, d),
            read_load(bl, &ids_file, &token, c, d),
        ),
        versus(
            "list_small_page1",
            format!(
                "GET /api/v1/tasks?project_id&status&sort=-priority, 50 items, page 1, {} tasks, c={c}",
                settings.small
            ),
            get_load(tf, &page1, &token, c, d),
            get_load(bl, &page1, &token, c, d),
        ),
        Scenario {
            key: "web_project_page".into(),
            title: format!(
                "the web project page (HTML, 50 tasks) vs the JSON list of the same 50, {} tasks, c={c}",
                settings.small
            ),
            reference: 0,
            variants: vec![
                variant("JSON list", 0, get_load(tf, &page1, &token, c, d)),
                variant(
                    "web page",
                    0,
                    Load {
                        url: url(tf, &web_project_path(project)),
                        connections: c,
                        duration: d,
                        script: None,
                        headers: vec![format!("Cookie: taskforge_session={session}")],
                    },
                ),
            ],
        },
        versus(
            "list_small_limit1",
            format!(
                "GET /api/v1/tasks?project_id&status&sort=-priority&limit=1, page 1, {} tasks, c={c}",
                settings.small
            ),
            get_load(tf, &one, &token, c, d),
            get_load(bl, &one, &token, c, d),
        ),
        versus(
            "keepalive_1000",
            format!(
                "read by id over {} concurrent keep-alive connections",
                settings.many_connections
            ),
            read_load(tf, &ids_file, &token, settings.many_connections, d),
            read_load(bl, &ids_file, &token, settings.many_connections, d),
        ),
        {
            let bd = Duration::from_secs(settings.burst_duration_s);
            let burst = Burst {
                users: seeded.burst_users.clone(),
                password: seed::PASSWORD.to_owned(),
                delay: bd / 5,
            };
            Scenario {
                key: "login_burst".into(),
                title: format!(
                    "read by id (c={c}) with and without {} concurrent logins at {} PBKDF2 iterations",
                    settings.logins, settings.iterations
                ),
                reference: 0,
                variants: vec![
                    variant("taskforge reads", 0, read_load(tf, &ids_file, &token, c, bd)),
                    Variant {
                        burst: Some(burst),
                        ..variant(
                            "taskforge reads + logins",
                            0,
                            read_load(tf, &ids_file, &token, c, bd),
                        )
                    },
                ],
            }
        },
        Scenario {
            key: "create".into(),
            title: format!("POST /api/v1/tasks (durable creates), c={c}"),
            reference: 2,
            variants: vec![
                Variant {
                    writer_counters: true,
                    ..variant("taskforge FULL", 0, create_load(tf, project, &token, c, d))
                },
                Variant {
                    writer_counters: true,
                    ..variant(
                        "taskforge NORMAL",
                        2,
                        create_load(&servers[2], project, &token_normal, c, d),
                    )
                },
                variant("baseline FULL", 1, create_load(bl, project, &token, c, d)),
                variant("baseline NORMAL", 3, create_load(&servers[3], project, &token, c, d)),
            ],
        },
    ];
    let mut results = Vec::new();
    for scenario in scenarios.iter().filter(|s| settings.runs(&s.key)) {
        let result = measure::run(&mut servers, scenario, settings.runs)?;
        failures.extend(result.failures.iter().map(|f| format!("{}: {f}", result.key)));
        results.push(result);
    }
    finish_phase("small", &servers, failures, high_water);
    Ok(results)
}

/// Phase 2: the large database — listing at page 1 and deep in the cursor chain, memory, export.
fn large_phase(
    bins: &Binaries,
    dir: &Path,
    cache: &Path,
    settings: &Settings,
    failures: &mut Vec<String>,
    high_water: &mut Vec<HighWater>,
) -> anyhow::Result<(Vec<ScenarioResult>, ExportResult)> {
    eprintln!("== large database: {} tasks", settings.large);
    let (seed_db, seeded) =
        seed::cached(&bins.taskforge, cache, settings.large, settings.logins, settings.iterations)?;
    if seeded.listed_matches < settings.depth + 50 {
        bail!(
            "the large database has {} listed tasks, too few for a page {} deep",
            seeded.listed_matches,
            settings.depth
        );
    }
    // Both servers read the same file (WAL allows it), so they serve identical data from the
    // same page cache. Nothing in this phase writes but the logins.
    let db = dir.join("large.db");
    seed::copy_db(&seed_db, &db)?;
    let mut servers = vec![
        start_taskforge(bins, dir, "taskforge", &db, "full", settings)?,
        start_baseline(bins, dir, "baseline", &db, "full")?,
    ];
    let token = login(&servers[0])?;
    let project = seeded.projects.first().cloned().context("no project seeded")?;
    let project = project.as_str();
    let (tf, bl) = (&servers[0], &servers[1]);
    let page1 = list_path(project, 50, None);
    let tf_deep = list_path(project, 50, Some(&walk(tf, &token, project, settings.depth)?));
    let bl_deep = list_path(project, 50, Some(&walk(bl, &token, project, settings.depth)?));
    for (what, a, b) in [("page 1", &page1, &page1), ("the deep page", &tf_deep, &bl_deep)] {
        let (x, y) = (page_items(tf, &token, a)?, page_items(bl, &token, b)?);
        if x != y || x.len() != 50 {
            failures.push(format!("large listing: the servers disagree on {what}"));
        }
    }
    let d = settings.duration();
    let c = settings.connections;
    let scenarios = [
        versus(
            "list_large_page1",
            format!("the same listing on {} tasks, page 1", settings.large),
            get_load(tf, &page1, &token, c, d),
            get_load(bl, &page1, &token, c, d),
        ),
        versus(
            "list_large_deep",
            format!(
                "the same listing on {} tasks, the page {} items deep in the cursor chain",
                settings.large, settings.depth
            ),
            get_load(tf, &tf_deep, &token, c, d),
            get_load(bl, &bl_deep, &token, c, d),
        ),
    ];
    let mut results = Vec::new();
    for scenario in scenarios.iter().filter(|s| settings.runs(&s.key)) {
        let result = measure::run(&mut servers, scenario, settings.runs)?;
        failures.extend(result.failures.iter().map(|f| format!("{}: {f}", result.key)));
        results.push(result);
    }
    let export = if settings.runs("export") {
        export(&mut servers[0], &token, settings, failures)?
    } else {
        ExportResult::default()
    };
    finish_phase("large", &servers, failures, high_water);
    Ok((results, export))
}

/// Collects what the servers of a phase logged as errors, and their memory high-water marks.
fn finish_phase(
    phase: &str,
    servers: &[Server],
    failures: &mut Vec<String>,
    high_water: &mut Vec<HighWater>,
) {
    for server in servers {
        for line in server.errors_logged() {
            failures.push(format!("{phase}: {} logged: {line}", server.label));
        }
        high_water.push(HighWater {
            phase: phase.to_owned(),
            server: server.label.clone(),
            vm_hwm_mb: measure::kb_to_mb(server.memory().hwm_kb),
        });
    }
}

/// Streams the CSV export of every task `runs` times, sampling the server's memory.
fn export(
    server: &mut Server,
    token: &str,
    settings: &Settings,
    failures: &mut Vec<String>,
) -> anyhow::Result<ExportResult> {
    const PATH: &str = "/api/v1/tasks/export?format=csv";
    eprintln!("scenario export: GET {PATH} of {} tasks", settings.large);
    let mut result = ExportResult { available: true, ..ExportResult::default() };
    let mut added = Vec::new();
    for round in 0..settings.runs {
        std::thread::sleep(Duration::from_millis(500));
        let before = server.memory().rss_kb;
        let sampler = RssSampler::start(server.pid());
        let started = Instant::now();
        let mut bytes = 0_u64;
        let response = client::stream(server.port, PATH, Some(token), &mut |n| {
            bytes += u64::try_from(n).unwrap_or(0);
        })?;
        let seconds = started.elapsed().as_secs_f64();
        let peak = sampler.finish();
        server.check_alive()?;
        if response.status == 404 {
            eprintln!("  not available: {PATH} answered 404 (the export route is not built yet)");
            return Ok(ExportResult {
                available: false,
                note: Some(format!("not available: {PATH} answered 404")),
                ..ExportResult::default()
            });
        }
        if response.status != 200 {
            failures.push(format!(
                "export round {}: status {}: {}",
                round + 1,
                response.status,
                response.text()
            ));
            result.note = Some(format!("failed with status {}", response.status));
            return Ok(result);
        }
        let (before_mb, peak_mb) = (measure::kb_to_mb(before), measure::kb_to_mb(peak));
        eprintln!(
            "  round {} {:.1} MB streamed in {seconds:.1} s; rss {before_mb:.1} → peak {peak_mb:.1} MB",
            round + 1,
            measure::kb_to_mb(bytes / 1024)
        );
        result.before_mb.push(before_mb);
        result.peak_mb.push(peak_mb);
        result.bytes.push(bytes);
        result.seconds.push(seconds);
        added.push(peak_mb - before_mb);
    }
    result.median_added_mb = Some(measure::median(&mut added));
    Ok(result)
}

fn git_commit() -> String {
    Command::new("git")
        .current_dir(workspace())
        .args(["describe", "--always", "--dirty", "--abbrev=12"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || String::from("unknown"),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        )
}

fn utc_now() -> String {
    Command::new("date").args(["-u", "+%Y-%m-%dT%H:%M:%SZ"]).output().ok().map_or_else(
        || String::from("unknown"),
        |o| String::from_utf8_lossy(&o.stdout).trim().to_owned(),
    )
}

fn run(args: &Args) -> anyhow::Result<bool> {
    if args.mode == Mode::Load {
        return load::run(args);
    }
    if args.mode == Mode::Events {
        return events::run(args);
    }
    let started = Instant::now();
    let settings = Settings::from(args);
    let date = utc_now();
    wrk::ensure_installed()?;
    let bins = Binaries {
        taskforge: match &args.taskforge_bin {
            Some(path) => path.clone(),
            None => build("taskforge-app", "taskforge", &settings.profile)?,
        },
        baseline: match &args.baseline_bin {
            Some(path) => path.clone(),
            // The PostgreSQL group compares TaskForge with itself: no bare baseline.
            None if args.mode == Mode::Postgres => PathBuf::new(),
            None => build("taskforge-bench", "taskforge-baseline", &settings.profile)?,
        },
    };
    let bench_dir = target_dir()?.join("bench");
    std::fs::create_dir_all(&bench_dir)?;
    let cache = bench_dir.join("seeds");
    // Everything a run writes (databases, logs) lives here and is removed at the end.
    let run_dir = tempfile::Builder::new().prefix("run-").tempdir_in(&bench_dir)?;
    let mut failures = Vec::new();
    let mut high_water = Vec::new();
    let dir = run_dir.path();
    let small = [
        "read_by_id",
        "list_small_page1",
        "list_small_limit1",
        "web_project_page",
        "keepalive_1000",
    ];
    let small = small.iter().chain(&["login_burst", "create"]).any(|k| settings.runs(k));
    let large = ["list_large_page1", "list_large_deep", "export"].iter().any(|k| settings.runs(k));
    let mut scenarios = Vec::new();
    if args.mode == Mode::Postgres {
        scenarios = postgres::phase(&bins, dir, &cache, &settings, &mut failures, &mut high_water)?;
    } else if small {
        scenarios = small_phase(&bins, dir, &cache, &settings, &mut failures, &mut high_water)?;
    }
    if args.mode != Mode::Postgres && peer::KEYS.iter().any(|k| settings.runs(k)) {
        scenarios.extend(peer::phase(
            &bins,
            dir,
            &cache,
            &settings,
            &mut failures,
            &mut high_water,
        )?);
    }
    let mut export = ExportResult::default();
    if large && args.mode != Mode::Postgres {
        let (results, exported) =
            large_phase(&bins, dir, &cache, &settings, &mut failures, &mut high_water)?;
        scenarios.extend(results);
        export = exported;
    }
    let mut report = Report {
        mode: settings.mode.to_owned(),
        date,
        commit: git_commit(),
        machine: Machine::current(),
        settings: serde_json::to_value(&settings)?,
        scenarios,
        export,
        high_water,
        targets: Vec::new(),
        failures,
    };
    if args.mode != Mode::Postgres {
        report.targets = report::judge(&report);
    }
    let out = args.out.clone().unwrap_or_else(|| {
        bench_dir.join(match (args.mode, settings.mode) {
            (Mode::Postgres, "postgres-smoke") => "postgres-smoke-results.json",
            (Mode::Postgres, _) => "postgres-results.json",
            (Mode::Smoke, _) => "smoke-results.json",
            _ => "results.json",
        })
    });
    std::fs::write(&out, serde_json::to_vec_pretty(&report)?)
        .with_context(|| format!("writing {}", out.display()))?;
    println!("{}", report::render(&report));
    for (key, ratio) in postgres::two_to_one(&report.scenarios) {
        println!("{key}: two PostgreSQL instances serve {ratio:.2}× the rate of one");
    }
    println!("results: {} ({:.0} s)", out.display(), started.elapsed().as_secs_f64());
    Ok(report.failures.is_empty())
}
