//! The results: a table of every variant with its ratio to the scenario's reference, the
//! targets (`docs/benchmarks.md`, "Targets") judged from them, and the JSON file holding all of it
//! (every run too).

use std::fmt::Write as _;

use serde::Serialize;

use crate::measure::{ScenarioResult, kb_to_mb};

/// The export scenario: peak memory while streaming every task.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportResult {
    /// False when the route answered 404 (not built yet).
    pub available: bool,
    /// Why it was skipped or failed, if it was.
    pub note: Option<String>,
    /// Resident memory just before each export, MB.
    pub before_mb: Vec<f64>,
    /// Peak resident memory during each export, MB.
    pub peak_mb: Vec<f64>,
    /// Bytes streamed by each export.
    pub bytes: Vec<u64>,
    /// Seconds each export took.
    pub seconds: Vec<f64>,
    /// Median of (peak − before), MB.
    pub median_added_mb: Option<f64>,
}

/// A server's peak resident memory over its whole life.
#[derive(Debug, Clone, Serialize)]
pub struct HighWater {
    /// `small` or `large`.
    pub phase: String,
    /// The server.
    pub server: String,
    /// `VmHWM`, MB.
    pub vm_hwm_mb: f64,
}

/// One of the targets listed in `docs/benchmarks.md`, judged.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// The target, in the words of `docs/benchmarks.md`.
    pub target: String,
    /// The figure measured (a ratio or an amount), with its unit in `measured_text`.
    pub measured: Option<f64>,
    /// Human-readable measurement.
    pub measured_text: String,
    /// Met, not met, or not measurable in this run (`None`).
    pub met: Option<bool>,
}

impl Target {
    fn verdict(&self) -> &'static str {
        match self.met {
            Some(true) => "MET",
            Some(false) => "NOT MET",
            None => "NOT MEASURED",
        }
    }
}

/// Everything a run produced.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `all` or `smoke`.
    pub mode: String,
    /// UTC time the run started.
    pub date: String,
    /// `git describe --always --dirty`.
    pub commit: String,
    /// Cores, CPU model, memory.
    pub machine: Machine,
    /// Settings of the run.
    pub settings: serde_json::Value,
    /// Scenario results.
    pub scenarios: Vec<ScenarioResult>,
    /// The export scenario.
    pub export: ExportResult,
    /// Each server's `VmHWM` (peak resident memory since it started) at the end of its phase.
    pub high_water: Vec<HighWater>,
    /// The targets, judged.
    pub targets: Vec<Target>,
    /// Everything that makes the run fail (non-2xx, socket errors, failed logins, mismatches).
    pub failures: Vec<String>,
}

/// The machine.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// Cores available to this process.
    pub cores: usize,
    /// CPU model name.
    pub cpu: String,
    /// Total memory, MB.
    pub memory_mb: u64,
    /// Kernel.
    pub kernel: String,
}

impl Machine {
    /// Reads `/proc`.
    pub fn current() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')))
            .map_or_else(|| String::from("unknown"), |(_, m)| m.trim().to_owned());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_kb: u64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map_or_else(|_| String::from("unknown"), |k| k.trim().to_owned());
        Self {
            cores: std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            cpu,
            memory_mb: memory_kb / 1024,
            kernel,
        }
    }
}

fn find<'a>(report: &'a Report, key: &str) -> Option<&'a ScenarioResult> {
    report.scenarios.iter().find(|s| s.key == key)
}

fn rps(report: &Report, key: &str, label: &str) -> Option<f64> {
    find(report, key).and_then(|s| s.variant(label)).map(|v| v.median.rps)
}

fn at_least(target: &str, measured: Option<f64>, bound: f64, what: &str) -> Target {
    Target {
        target: target.to_owned(),
        measured,
        measured_text: measured.map_or_else(|| String::from("—"), |m| format!("{m:.2}{what}")),
        met: measured.map(|m| m >= bound),
    }
}

fn below(target: &str, measured: Option<f64>, bound: f64, what: &str) -> Target {
    Target {
        target: target.to_owned(),
        measured,
        measured_text: measured.map_or_else(|| String::from("—"), |m| format!("{m:.2}{what}")),
        met: measured.map(|m| m < bound),
    }
}

/// Judges the targets of `docs/benchmarks.md` from the scenario results.
pub fn judge(report: &Report) -> Vec<Target> {
    let tf = "taskforge";
    let mut targets = Vec::new();
    let read = find(report, "read_by_id").and_then(|s| s.variant(tf));
    targets.push(at_least(
        "read by id (c=64): ≥ 0.70× the baseline's rate",
        read.map(|v| v.ratio.rps),
        0.70,
        "×",
    ));
    targets.push(Target {
        met: read.map(|v| v.ratio.p99 <= 2.0),
        ..below(
            "read by id (c=64): p99 ≤ 2× the baseline's p99",
            read.map(|v| v.ratio.p99),
            2.0,
            "×",
        )
    });
    let list_small = rps(report, "list_small_page1", tf);
    targets.push(at_least(
        "list 50 (filter + sort): ≥ 0.80× the baseline's rate (10k tasks, page 1)",
        find(report, "list_small_page1").and_then(|s| s.variant(tf)).map(|v| v.ratio.rps),
        0.80,
        "×",
    ));
    // A listing costs in proportion to what it returns: a page of one row is not many times
    // dearer than reading that row by id.
    targets.push(at_least(
        "list 1 (limit=1): ≥ 0.50× TaskForge's own read-by-id rate in the same run",
        rps(report, "list_small_limit1", tf).zip(rps(report, "read_by_id", tf)).map(|(l, r)| l / r),
        0.50,
        "×",
    ));
    // "Renders in ≤ 2× the time": at the same concurrency, at least half the JSON list's rate.
    targets.push(at_least(
        "web project page with 50 tasks: ≥ 0.50× the JSON list's rate (≤ 2× its time)",
        find(report, "web_project_page").and_then(|s| s.variant("web page")).map(|v| v.ratio.rps),
        0.50,
        "×",
    ));
    for (key, what) in [("list_large_page1", "page 1"), ("list_large_deep", "10,000 items deep")] {
        let large = rps(report, key, tf);
        // "Within 1.5×": the large table's rate is at least 1/1.5 of the small one's.
        let slowdown = list_small.zip(large).map(|(s, l)| s / l);
        targets.push(Target {
            met: slowdown.map(|x| x <= 1.5),
            ..below(
                &format!("list on the large table, {what}: within 1.5× of the small-table rate"),
                slowdown,
                1.5,
                "× (small-table rate ÷ this rate)",
            )
        });
        targets.push(at_least(
            &format!("list on the large table, {what}: ≥ 0.60× the baseline's rate"),
            find(report, key).and_then(|s| s.variant(tf)).map(|v| v.ratio.rps),
            0.60,
            "×",
        ));
    }
    for (key, what) in [
        ("peer_read_by_id", "read by id"),
        ("peer_list_small_page1", "50-item list"),
        ("peer_create", "durable create"),
    ] {
        targets.push(at_least(
            &format!("{what}: ≥ 5× the textbook Python stack's rate (Flask + sqlite3 + PyJWT, gunicorn 2×4)"),
            find(report, key).and_then(|s| s.variant(tf)).map(|v| v.ratio.rps),
            5.0,
            "×",
        ));
    }
    let full = rps(report, "create", "taskforge FULL");
    let normal = rps(report, "create", "taskforge NORMAL");
    let one_commit = rps(report, "create", "baseline FULL");
    targets.push(at_least(
        "durable create: FULL with group commit ≥ 0.90× the same server with NORMAL",
        full.zip(normal).map(|(f, n)| f / n),
        0.90,
        "×",
    ));
    targets.push(at_least(
        "durable create: FULL with group commit ≥ 2× one-commit-per-request under FULL (baseline)",
        full.zip(one_commit).map(|(f, b)| f / b),
        2.0,
        "×",
    ));
    let burst = find(report, "login_burst");
    let p99 = |label: &str| burst.and_then(|s| s.variant(label)).map(|v| v.median.p99_ms);
    let mut burst_target = below(
        "a burst of concurrent logins at the configured PBKDF2 cost raises p99 of reads by < 3×",
        p99("taskforge reads + logins").zip(p99("taskforge reads")).map(|(w, wo)| w / wo),
        3.0,
        "×",
    );
    // A burst the server only partly served (logins refused) is not the burst of the target.
    let (served, sent) = burst
        .and_then(|s| s.variant("taskforge reads + logins"))
        .map(|v| {
            v.runs
                .iter()
                .filter_map(|r| r.burst.as_ref())
                .fold((0, 0), |(ok, all), b| (ok + b.ok, all + b.ok + b.failed.len()))
        })
        .unwrap_or((0, 0));
    if served < sent {
        burst_target.met = Some(false);
        burst_target.measured_text = format!(
            "{} — but only {served} of {sent} logins were served (the rest were refused)",
            burst_target.measured_text
        );
    }
    targets.push(burst_target);
    let rss_large = ["list_large_page1", "list_large_deep"]
        .iter()
        .filter_map(|k| find(report, k).and_then(|s| s.variant(tf)))
        .flat_map(|v| v.runs.iter().map(|r| kb_to_mb(r.peak_rss_kb)))
        .reduce(f64::max);
    targets.push(below(
        "resident memory < 100 MB while serving the large table under load (peak)",
        rss_large,
        100.0,
        " MB",
    ));
    targets.push(if report.export.available {
        below(
            "exporting every task of the large table adds < 20 MB (median peak − before)",
            report.export.median_added_mb,
            20.0,
            " MB",
        )
    } else {
        Target {
            target: "exporting every task of the large table adds < 20 MB".to_owned(),
            measured: None,
            measured_text: report
                .export
                .note
                .clone()
                .unwrap_or_else(|| String::from("not available")),
            met: None,
        }
    });
    let many = find(report, "keepalive_1000");
    let clean = many.map(|s| s.failures.iter().all(|f| !f.starts_with(tf)));
    targets.push(Target {
        target: "1,000 concurrent keep-alive connections with zero errors".to_owned(),
        measured: None,
        measured_text: match (many.and_then(|s| s.variant(tf)), clean) {
            (Some(v), Some(true)) => format!("0 errors, {:.0} req/s", v.median.rps),
            (Some(_), Some(false)) => String::from("errors (see failures)"),
            _ => String::from("—"),
        },
        met: clean,
    });
    targets
}

fn fmt_ratio(r: f64) -> String {
    if r.is_finite() { format!("{r:.2}") } else { String::from("—") }
}

/// The table, the group-commit figures, the export, the targets and the failures, as text.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let m = &report.machine;
    let _ = writeln!(
        out,
        "TaskForge benchmark ({}) — {} — commit {} — {} cores, {}, {} MB RAM",
        report.mode, report.date, report.commit, m.cores, m.cpu, m.memory_mb
    );
    let _ = writeln!(
        out,
        "medians of {} run(s) per variant; ratios are to the scenario's reference (marked *)",
        report.settings["runs"]
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| scenario | variant | req/s | × | p50 ms | × | p99 ms | × | peak RSS MB | × |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for s in &report.scenarios {
        for v in &s.variants {
            let star = if v.label == s.reference { "*" } else { "" };
            let _ = writeln!(
                out,
                "| {} | {}{} | {:.0} | {} | {:.2} | {} | {:.2} | {} | {:.1} | {} |",
                s.key,
                v.label,
                star,
                v.median.rps,
                fmt_ratio(v.ratio.rps),
                v.median.p50_ms,
                fmt_ratio(v.ratio.p50),
                v.median.p99_ms,
                fmt_ratio(v.ratio.p99),
                v.median.peak_rss_mb,
                fmt_ratio(v.ratio.peak_rss),
            );
        }
    }
    if let Some(create) = report.scenarios.iter().find(|s| s.key == "create") {
        let _ = writeln!(out);
        let _ = writeln!(out, "Group commit (taskforge's SQLite writer counters, from /metrics):");
        for v in &create.variants {
            if let (Some(w), Some(c)) = (v.median.writes_per_s, v.median.commits_per_s) {
                let _ = writeln!(
                    out,
                    "  {:<18} {:>9.0} writes/s  {:>8.0} commits/s  {:>6.1} writes per commit",
                    v.label,
                    w,
                    c,
                    if c > 0.0 { w / c } else { f64::NAN }
                );
            }
        }
    }
    if let Some(burst) = report.scenarios.iter().find(|s| s.key == "login_burst") {
        for v in &burst.variants {
            let runs: Vec<String> = v
                .runs
                .iter()
                .filter_map(|r| r.burst.as_ref())
                .map(|b| {
                    format!("{}/{} ok, slowest {:.0} ms", b.ok, b.ok + b.failed.len(), b.slowest_ms)
                })
                .collect();
            if !runs.is_empty() {
                let _ = writeln!(out);
                let _ = writeln!(out, "Login burst ({}): {}", v.label, runs.join("; "));
            }
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Peak resident memory over each server's life (VmHWM): {}",
        report
            .high_water
            .iter()
            .map(|h| format!("{} {} {:.1} MB", h.phase, h.server, h.vm_hwm_mb))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(out);
    let e = &report.export;
    if e.available {
        let _ = writeln!(
            out,
            "Export (csv, every task of the large table): median memory added {} MB; runs: {}",
            e.median_added_mb.map_or_else(|| String::from("—"), |x| format!("{x:.1}")),
            e.before_mb
                .iter()
                .zip(&e.peak_mb)
                .zip(e.bytes.iter().zip(&e.seconds))
                .map(|((b, p), (n, s))| format!(
                    "{b:.1}→{p:.1} MB, {:.1} MB in {s:.1} s",
                    *n as f64 / 1e6
                ))
                .collect::<Vec<_>>()
                .join("; ")
        );
    } else {
        let _ = writeln!(
            out,
            "Export: {}",
            e.note.clone().unwrap_or_else(|| String::from("not available"))
        );
    }
    if !report.targets.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Targets (docs/benchmarks.md):");
        for t in &report.targets {
            let _ = writeln!(
                out,
                "  [{:<12}] {} — measured {}",
                t.verdict(),
                t.target,
                t.measured_text
            );
        }
    }
    if !report.failures.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "FAILURES (the benchmark exits non-zero):");
        for f in &report.failures {
            let _ = writeln!(out, "  {f}");
        }
    }
    out
}
