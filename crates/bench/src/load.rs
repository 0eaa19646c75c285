//! `taskforge-bench load`: the release server on a fresh copy of the small seeded
//! database (`synchronous=FULL`, PBKDF2 at 600,000 iterations), then
//!
//! 1. **hold**: 1,000 concurrent keep-alive connections reading tasks by id for 30 s — every
//!    request must succeed, with no socket error of any kind;
//! 2. **mixed**: 60 s of reads (get by id, list), writes (create, patch) and logins at a fixed
//!    rate (`scripts/mixed.lua`), with the server's `VmRSS` sampled every second — no 5xx (nor
//!    any other failed request or socket error), and the memory flat over the second half
//!    (`rss_series.rs` states the criterion);
//!
//! and the server must log no error. `--smoke` runs the same for 3 s and 5 s on tiny data at
//! 1,000 iterations (the test suite runs it; the memory verdict is not judged that short).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;

use crate::load_mix::{self, MixCounts};
use crate::measure::kb_to_mb;
use crate::report::Machine;
use crate::rss_series::{self, SeriesSummary};
use crate::server::{RssSampler, Server, free_port};
use crate::wrk::{self, Load, Outcome};
use crate::{Args, build, git_commit, login, nofile, read_load, script, seed, url, utc_now};

/// The settings of a load run, defaults filled in.
#[derive(Debug, Clone, Serialize)]
pub struct LoadSettings {
    /// `load` or `load --smoke`.
    pub mode: &'static str,
    /// Cargo profile of the server.
    pub profile: String,
    /// Tasks in the database.
    pub tasks: usize,
    /// Accounts the logins cycle through.
    pub login_accounts: usize,
    /// PBKDF2 iterations of the server and the accounts.
    pub iterations: u32,
    /// Connections held in the first part.
    pub hold_connections: u32,
    /// How long they are held, s.
    pub hold_s: u64,
    /// Connections of the mixed load.
    pub mixed_connections: u32,
    /// How long the mixed load runs, s.
    pub mixed_s: u64,
    /// Logins per second in the mixed load (all from 127.0.0.1).
    pub login_rate: u32,
}

impl LoadSettings {
    /// The settings from the command line.
    pub fn from(args: &Args) -> Self {
        let smoke = args.smoke;
        Self {
            mode: if smoke { "load --smoke" } else { "load" },
            profile: args.profile.clone(),
            tasks: args.small.unwrap_or(if smoke { 200 } else { 10_000 }),
            login_accounts: args.logins.unwrap_or(if smoke { 4 } else { 50 }),
            iterations: args.iterations.unwrap_or(if smoke { 1_000 } else { 600_000 }),
            hold_connections: 1_000,
            hold_s: args.hold_seconds.unwrap_or(if smoke { 3 } else { 30 }),
            mixed_connections: 64,
            mixed_s: args.mixed_seconds.unwrap_or(if smoke { 5 } else { 60 }),
            login_rate: args.login_rate.unwrap_or(4),
        }
    }

    /// The settings of the benchmark's server command (`crate::taskforge_command`).
    fn server_settings(&self) -> crate::Settings {
        crate::Settings {
            mode: self.mode,
            profile: self.profile.clone(),
            runs: 1,
            duration_s: self.mixed_s,
            burst_duration_s: self.mixed_s,
            small: self.tasks,
            large: 0,
            depth: 0,
            logins: self.login_accounts,
            iterations: self.iterations,
            connections: self.mixed_connections,
            many_connections: self.hold_connections,
            only: Vec::new(),
        }
    }
}

/// One criterion and whether it held.
#[derive(Debug, Clone, Serialize)]
pub struct Criterion {
    /// What is required.
    pub requirement: String,
    /// What was measured.
    pub measured: String,
    /// `Some(met)`, or `None` when not judged (a smoke run's memory verdict).
    pub met: Option<bool>,
}

/// The hold part's results.
#[derive(Debug, Clone, Serialize)]
pub struct HoldResult {
    /// wrk's figures.
    pub outcome: Outcome,
    /// Peak `VmRSS` during the hold, MB.
    pub peak_rss_mb: f64,
}

/// The mixed part's results.
#[derive(Debug, Clone, Serialize)]
pub struct MixedResult {
    /// wrk's figures (all request kinds together).
    pub outcome: Outcome,
    /// What the script counted.
    pub counts: MixCounts,
    /// The memory series.
    pub rss: SeriesSummary,
    /// Every sample.
    pub rss_samples: Vec<rss_series::Sample>,
}

/// Everything a load run measured.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// When it started (UTC).
    pub date: String,
    /// `git describe` of the tree.
    pub commit: String,
    /// The machine.
    pub machine: Machine,
    /// The settings.
    pub settings: LoadSettings,
    /// The open-file limit (soft, hard) the benchmark found.
    pub open_files: (u64, u64),
    /// Part 1.
    pub hold: HoldResult,
    /// Part 2.
    pub mixed: MixedResult,
    /// Error lines the server logged.
    pub server_errors: Vec<String>,
    /// The criteria, judged.
    pub criteria: Vec<Criterion>,
    /// Seconds the whole run took.
    pub seconds: f64,
}

impl LoadReport {
    /// True when no criterion failed.
    pub fn passed(&self) -> bool {
        self.criteria.iter().all(|c| c.met != Some(false))
    }
}

/// Runs the load test, writes the JSON report and prints the summary; `Ok(false)` when a
/// criterion failed.
pub fn run(args: &Args) -> anyhow::Result<bool> {
    let started = Instant::now();
    let settings = LoadSettings::from(args);
    let date = utc_now();
    wrk::ensure_installed()?;
    let limits = nofile::current()?;
    let taskforge = build("taskforge-app", "taskforge", &settings.profile)?;
    let bench_dir = crate::target_dir()?.join("bench");
    std::fs::create_dir_all(&bench_dir)?;
    let run_dir = tempfile::Builder::new().prefix("load-").tempdir_in(&bench_dir)?;
    let dir = run_dir.path();

    let (seed_db, seeded) = seed::cached(
        &taskforge,
        &bench_dir.join("seeds"),
        settings.tasks,
        settings.login_accounts,
        settings.iterations,
    )?;
    let db = dir.join("load.db");
    seed::copy_db(&seed_db, &db)?;
    let mut server = start(&taskforge, dir, &db, &settings)?;
    let token = login(&server)?;
    let ids = write_lines(&dir.join("ids.txt"), &seeded.read_ids)?;
    let users = write_lines(&dir.join("users.txt"), &seeded.burst_users)?;
    let project = seeded.projects.first().context("no project seeded")?.clone();

    let hold = hold(&mut server, &ids, &token, &settings)?;
    let mixed = mixed(&mut server, &[ids, users], &token, &project, &settings)?;
    server.check_alive()?;
    let server_errors = server.errors_logged();

    let mut report = LoadReport {
        date,
        commit: git_commit(),
        machine: Machine::current(),
        criteria: Vec::new(),
        open_files: (limits.soft, limits.hard),
        hold,
        mixed,
        server_errors,
        settings,
        seconds: 0.0,
    };
    report.criteria = judge(&report);
    report.seconds = started.elapsed().as_secs_f64();
    let out = args.out.clone().unwrap_or_else(|| {
        bench_dir.join(if args.smoke { "load-smoke-results.json" } else { "load-results.json" })
    });
    std::fs::write(&out, serde_json::to_vec_pretty(&report)?)
        .with_context(|| format!("writing {}", out.display()))?;
    println!("{}", render(&report));
    println!("results: {} ({:.0} s)", out.display(), report.seconds);
    Ok(report.passed())
}

fn start(taskforge: &Path, dir: &Path, db: &Path, s: &LoadSettings) -> anyhow::Result<Server> {
    let port = free_port()?;
    let command = crate::taskforge_command(taskforge, db, port, "full", &s.server_settings());
    // The server holds every connection plus its database files and log.
    let needed = u64::from(s.hold_connections) + wrk::OPEN_FILES_MARGIN;
    let command = nofile::raised(command, needed)?;
    Server::start("taskforge", command, port, &dir.join("taskforge.log"))
}

fn write_lines(path: &Path, lines: &[String]) -> anyhow::Result<PathBuf> {
    std::fs::write(path, lines.iter().map(|l| format!("{l}\n")).collect::<String>())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path.to_path_buf())
}

fn hold(
    server: &mut Server,
    ids: &Path,
    token: &str,
    s: &LoadSettings,
) -> anyhow::Result<HoldResult> {
    eprintln!(
        "load: {} keep-alive connections reading tasks by id for {} s",
        s.hold_connections, s.hold_s
    );
    let load = read_load(server, ids, token, s.hold_connections, Duration::from_secs(s.hold_s));
    let sampler = RssSampler::start(server.pid());
    let outcome = wrk::run(&load);
    let peak = sampler.finish();
    let outcome = outcome?;
    server.check_alive()?;
    eprintln!(
        "  {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, non-2xx {}, socket errors {}",
        outcome.requests,
        outcome.rps,
        outcome.p50_ms,
        outcome.p99_ms,
        outcome.non_2xx,
        outcome.socket_errors
    );
    Ok(HoldResult { outcome, peak_rss_mb: kb_to_mb(peak) })
}

fn mixed(
    server: &mut Server,
    files: &[PathBuf; 2],
    token: &str,
    project: &str,
    s: &LoadSettings,
) -> anyhow::Result<MixedResult> {
    eprintln!(
        "load: mixed reads, writes and {} logins/s over {} connections for {} s",
        s.login_rate, s.mixed_connections, s.mixed_s
    );
    let [ids, users] = files;
    let load = Load {
        url: url(server, "/"),
        connections: s.mixed_connections,
        duration: Duration::from_secs(s.mixed_s),
        script: Some((
            script("mixed.lua"),
            vec![
                ids.display().to_string(),
                token.to_owned(),
                project.to_owned(),
                users.display().to_string(),
                seed::PASSWORD.to_owned(),
                s.login_rate.to_string(),
                // wrk's threads (`wrk::run` uses two); the script splits the login rate.
                "2".to_owned(),
            ],
        )),
        headers: Vec::new(),
    };
    let sampler = rss_series::SeriesSampler::start(server.pid(), Duration::from_secs(1));
    let ran = wrk::run_with_output(&load);
    let samples = sampler.finish();
    let (outcome, output) = ran?;
    server.check_alive()?;
    let counts = load_mix::parse(&output)?;
    let rss = rss_series::summarise(&samples);
    eprintln!(
        "  {} requests, {:.0} req/s, p99 {:.2} ms; statuses {:?}; rss {:.1} → {:.1} → {:.1} MB",
        outcome.requests,
        outcome.rps,
        outcome.p99_ms,
        counts.statuses,
        rss.start_mb,
        rss.mid_mb,
        rss.end_mb
    );
    Ok(MixedResult { outcome, counts, rss, rss_samples: samples })
}

fn criterion(requirement: String, measured: String, met: Option<bool>) -> Criterion {
    Criterion { requirement, measured, met }
}

/// Judges every load criterion (`docs/benchmarks.md`, "Load").
pub fn judge(r: &LoadReport) -> Vec<Criterion> {
    let s = &r.settings;
    let (h, m, c) = (&r.hold.outcome, &r.mixed.outcome, &r.mixed.counts);
    let server_5xx = c.in_range(500, 599);
    let other_failed = c.in_range(300, 499);
    let logins = c.sent("login");
    vec![
        criterion(
            format!(
                "{} concurrent keep-alive connections for {} s: every request 2xx, no socket error",
                s.hold_connections, s.hold_s
            ),
            format!(
                "{} requests ({:.0}/s), {} non-2xx, {} socket errors",
                h.requests, h.rps, h.non_2xx, h.socket_errors
            ),
            Some(h.clean()),
        ),
        criterion(
            format!("mixed load for {} s: no 5xx", s.mixed_s),
            format!(
                "{server_5xx} 5xx of {} responses ({} with Retry-After, i.e. refused as \
                 overloaded); logins {} sent, {} answered with a token",
                c.responses(),
                c.retry_after_5xx,
                logins,
                c.login_ok
            ),
            Some(server_5xx == 0 && c.responses() > 0),
        ),
        criterion(
            "mixed load: no other failed request (3xx/4xx) and no socket error".to_owned(),
            format!("{other_failed} 3xx/4xx, {} socket errors", m.socket_errors),
            Some(other_failed == 0 && m.socket_errors == 0),
        ),
        criterion(
            "mixed load: every request kind ran, and logins were answered".to_owned(),
            format!(
                "get {}, list {}, create {}, patch {}, login {} (ok {})",
                c.sent("get"),
                c.sent("list"),
                c.sent("create"),
                c.sent("patch"),
                logins,
                c.login_ok
            ),
            Some(
                ["get", "list", "create", "patch", "login"].iter().all(|k| c.sent(k) > 0)
                    && c.login_ok > 0,
            ),
        ),
        criterion(
            format!(
                "mixed load: resident memory flat over the second half (growth ≤ {} MB and ≤ {:.0} %)",
                rss_series::FLAT_MAX_GROWTH_MB,
                rss_series::FLAT_MAX_GROWTH_FRACTION * 100.0
            ),
            format!(
                "{:+.1} MB ({:.1} → {:.1} MB), slope {:+.2} MB/min{}",
                r.mixed.rss.second_half_growth_mb,
                r.mixed.rss.mid_mb,
                r.mixed.rss.end_mb,
                r.mixed.rss.second_half_slope_mb_per_min,
                if r.mixed.rss.flat.is_none() { " — too short to judge" } else { "" }
            ),
            r.mixed.rss.flat,
        ),
        criterion(
            "the server logged no error".to_owned(),
            format!("{} error lines", r.server_errors.len()),
            Some(r.server_errors.is_empty()),
        ),
    ]
}

/// The summary printed at the end.
pub fn render(r: &LoadReport) -> String {
    let (s, h, m) = (&r.settings, &r.hold, &r.mixed);
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!(
        "## Load ({}), {} at {}; {} cores, {}; open files {} (hard {})",
        s.mode, r.commit, r.date, r.machine.cores, r.machine.cpu, r.open_files.0, r.open_files.1
    ));
    line(format!(
        "settings: {} tasks, synchronous=FULL, PBKDF2 {} iterations, {} login accounts, profile {}",
        s.tasks, s.iterations, s.login_accounts, s.profile
    ));
    line(String::new());
    line(
        "| part | connections | s | requests | req/s | p50 ms | p99 ms | non-2xx | socket errors |"
            .to_owned(),
    );
    line("|---|---:|---:|---:|---:|---:|---:|---:|---:|".to_owned());
    for (name, conns, secs, o) in [
        ("hold (get by id)", s.hold_connections, s.hold_s, &h.outcome),
        ("mixed", s.mixed_connections, s.mixed_s, &m.outcome),
    ] {
        line(format!(
            "| {name} | {conns} | {secs} | {} | {:.0} | {:.2} | {:.2} | {} | {} |",
            o.requests, o.rps, o.p50_ms, o.p99_ms, o.non_2xx, o.socket_errors
        ));
    }
    line(String::new());
    let c = &m.counts;
    line(format!(
        "mixed requests sent: get {}, list {}, create {}, patch {}, login {} ({}/s; {} answered with a token)",
        c.sent("get"),
        c.sent("list"),
        c.sent("create"),
        c.sent("patch"),
        c.sent("login"),
        s.login_rate,
        c.login_ok
    ));
    let statuses: Vec<String> = c.statuses.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    line(format!("mixed responses by status: {}", statuses.join(", ")));
    for sample in &c.samples_5xx {
        line(format!("a 5xx answer: {sample}"));
    }
    let rss = &m.rss;
    line(format!(
        "memory (VmRSS, every 1 s, {} samples): start {:.1}, mid {:.1}, end {:.1}, peak {:.1} MB; \
         second half {:+.1} MB, slope {:+.2} MB/min; peak during the hold {:.1} MB",
        rss.samples,
        rss.start_mb,
        rss.mid_mb,
        rss.end_mb,
        rss.peak_mb,
        rss.second_half_growth_mb,
        rss.second_half_slope_mb_per_min,
        h.peak_rss_mb
    ));
    for error in r.server_errors.iter().take(5) {
        line(format!("server error: {error}"));
    }
    line(String::new());
    for criterion in &r.criteria {
        let verdict = match criterion.met {
            Some(true) => "MET",
            Some(false) => "NOT MET",
            None => "NOT JUDGED",
        };
        line(format!("- [{verdict:<10}] {} — {}", criterion.requirement, criterion.measured));
    }
    line(format!("load: {}", if r.passed() { "PASSED" } else { "FAILED" }));
    out
}
