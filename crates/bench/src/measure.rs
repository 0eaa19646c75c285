//! Running a scenario: every variant (server × load) in turn, round after round — taskforge,
//! baseline, taskforge, baseline, … — so that the machine's drift hits both alike, then the
//! median of each figure and its ratio to the scenario's reference variant.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::client;
use crate::server::{RssSampler, Server};
use crate::wrk::{self, Load, Outcome};

/// A burst of concurrent logins fired while the load runs.
#[derive(Debug, Clone)]
pub struct Burst {
    /// Accounts to log in, one connection each, all at once.
    pub users: Vec<String>,
    /// Their password.
    pub password: String,
    /// How long after the load starts the burst is fired.
    pub delay: Duration,
}

/// One thing measured in a scenario.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Row label, e.g. `taskforge` or `baseline`.
    pub label: String,
    /// Index of the server in the phase's server list.
    pub server: usize,
    /// The load.
    pub load: Load,
    /// A login burst during the load, if any.
    pub burst: Option<Burst>,
    /// Read the SQLite writer's counters from `/metrics` before and after (taskforge only).
    pub writer_counters: bool,
    /// Loads run at the same time as `load`, against other servers (several instances
    /// sharing one database): their rates and counts are added to the variant's, and its
    /// latencies are the slowest of all.
    pub also: Vec<Load>,
}

/// A scenario: variants compared with one of them.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Stable key for the JSON file, e.g. `read_by_id`.
    pub key: String,
    /// What it measures.
    pub title: String,
    /// The variant the ratios are relative to.
    pub reference: usize,
    /// The variants, run in this order in every round.
    pub variants: Vec<Variant>,
}

/// Outcome of the login burst of one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BurstOutcome {
    /// Logins answered 200.
    pub ok: usize,
    /// Every other answer, as `status` (or `error`).
    pub failed: Vec<String>,
    /// The slowest login, ms.
    pub slowest_ms: f64,
    /// From the first login sent to the last answered, ms.
    pub span_ms: f64,
}

/// The figures of one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunResult {
    /// wrk's figures.
    #[serde(flatten)]
    pub load: Outcome,
    /// Peak `VmRSS` of the server during the run, kB.
    pub peak_rss_kb: u64,
    /// Writes per second (taskforge's writer counters), when read.
    pub writes_per_s: Option<f64>,
    /// Commits per second (taskforge's writer counters), when read.
    pub commits_per_s: Option<f64>,
    /// The login burst, when there was one.
    pub burst: Option<BurstOutcome>,
}

/// Medians (over runs) of each figure.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Medians {
    /// Requests per second.
    pub rps: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Peak resident memory, MB.
    pub peak_rss_mb: f64,
    /// Writes per second, when measured.
    pub writes_per_s: Option<f64>,
    /// Commits per second, when measured.
    pub commits_per_s: Option<f64>,
}

/// Each median divided by the reference variant's.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Ratios {
    /// Of requests per second.
    pub rps: f64,
    /// Of the median latency.
    pub p50: f64,
    /// Of the 99th percentile.
    pub p99: f64,
    /// Of the peak resident memory.
    pub peak_rss: f64,
}

/// A variant's results.
#[derive(Debug, Clone, Serialize)]
pub struct VariantResult {
    /// Its label.
    pub label: String,
    /// Every run.
    pub runs: Vec<RunResult>,
    /// Medians over the runs.
    pub median: Medians,
    /// Ratios to the reference variant.
    pub ratio: Ratios,
}

/// A scenario's results.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    /// Key.
    pub key: String,
    /// Title.
    pub title: String,
    /// The reference variant's label.
    pub reference: String,
    /// Per variant.
    pub variants: Vec<VariantResult>,
    /// Why a run did not count (non-2xx, socket errors, failed logins), if any did not.
    pub failures: Vec<String>,
}

impl ScenarioResult {
    /// The variant labelled `label`.
    pub fn variant(&self, label: &str) -> Option<&VariantResult> {
        self.variants.iter().find(|v| v.label == label)
    }
}

/// The median of `values` (mean of the middle two for an even count); 0 for none.
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => f64::midpoint(values[n / 2 - 1], values[n / 2]),
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// The writer counters (`writes`, `commits`) from taskforge's `/metrics`.
fn writer_counters(port: u16) -> anyhow::Result<(f64, f64)> {
    let text = client::request(port, "GET", "/metrics", None, None)?.text();
    let read = |name: &str| -> anyhow::Result<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.trim().parse().ok()))
            .ok_or_else(|| anyhow::anyhow!("{name} is not on /metrics"))
    };
    Ok((read("taskforge_sqlite_writes_total ")?, read("taskforge_sqlite_commits_total ")?))
}

/// Lets the metrics refresher (every 250 ms) catch up before counters are read.
const COUNTER_SETTLE: Duration = Duration::from_millis(600);

fn fire_burst(port: u16, burst: &Burst) -> thread::JoinHandle<BurstOutcome> {
    let burst = burst.clone();
    thread::spawn(move || {
        thread::sleep(burst.delay);
        let gate = Arc::new(Barrier::new(burst.users.len()));
        let started = Instant::now();
        let logins: Vec<_> = burst
            .users
            .iter()
            .enumerate()
            .map(|(i, user)| {
                let gate = Arc::clone(&gate);
                let body = serde_json::json!({ "username": user, "password": burst.password });
                // Each client from its own loopback address, as separate people would be: the
                // per-address login throttle must not see one client guessing 50 times.
                let last = u8::try_from(10 + i % 240).unwrap_or(10);
                let from = IpAddr::V4(Ipv4Addr::new(127, 0, 1, last));
                thread::spawn(move || {
                    gate.wait();
                    let sent = Instant::now();
                    let answer =
                        client::request_from(from, port, "POST", "/api/v1/auth/login", Some(&body));
                    (answer, sent.elapsed())
                })
            })
            .collect();
        let mut outcome = BurstOutcome::default();
        for login in logins {
            let (answer, took) = login.join().unwrap_or_else(|_| {
                (Err(anyhow::anyhow!("login thread panicked")), Duration::ZERO)
            });
            outcome.slowest_ms = outcome.slowest_ms.max(took.as_secs_f64() * 1000.0);
            match answer {
                Ok(r) if r.status == 200 => outcome.ok += 1,
                Ok(r) => outcome.failed.push(format!("{} {}", r.status, r.text())),
                Err(e) => outcome.failed.push(format!("error: {e:#}")),
            }
        }
        outcome.span_ms = started.elapsed().as_secs_f64() * 1000.0;
        outcome
    })
}

fn run_once(server: &mut Server, variant: &Variant) -> anyhow::Result<RunResult> {
    let before = if variant.writer_counters {
        thread::sleep(COUNTER_SETTLE);
        Some(writer_counters(server.port)?)
    } else {
        None
    };
    let sampler = RssSampler::start(server.pid());
    let burst = variant.burst.as_ref().map(|b| fire_burst(server.port, b));
    let started = Instant::now();
    let also: Vec<_> =
        variant.also.iter().cloned().map(|load| thread::spawn(move || wrk::run(&load))).collect();
    let mut load = wrk::run(&variant.load);
    for other in also {
        let other = other.join().unwrap_or_else(|_| Err(anyhow::anyhow!("wrk thread panicked")));
        load = load.and_then(|mine| Ok(combined(mine, other?)));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let peak_rss_kb = sampler.finish();
    let burst = burst.map(|b| b.join().unwrap_or_default());
    let load = load?;
    server.check_alive()?;
    let (mut writes_per_s, mut commits_per_s) = (None, None);
    if let Some((writes0, commits0)) = before {
        thread::sleep(COUNTER_SETTLE);
        let (writes1, commits1) = writer_counters(server.port)?;
        let seconds = variant.load.duration.as_secs_f64().min(elapsed).max(0.001);
        writes_per_s = Some((writes1 - writes0) / seconds);
        commits_per_s = Some((commits1 - commits0) / seconds);
    }
    Ok(RunResult { load, peak_rss_kb, writes_per_s, commits_per_s, burst })
}

/// Two loads run at the same time against two servers, as one: rates and counts added,
/// latencies the slower of the two.
fn combined(a: Outcome, b: Outcome) -> Outcome {
    Outcome {
        rps: a.rps + b.rps,
        p50_ms: a.p50_ms.max(b.p50_ms),
        p99_ms: a.p99_ms.max(b.p99_ms),
        requests: a.requests + b.requests,
        non_2xx: a.non_2xx + b.non_2xx,
        socket_errors: a.socket_errors + b.socket_errors,
    }
}

/// Runs `scenario` `rounds` times, alternating its variants, and summarises.
pub fn run(
    servers: &mut [Server],
    scenario: &Scenario,
    rounds: usize,
) -> anyhow::Result<ScenarioResult> {
    eprintln!("scenario {}: {}", scenario.key, scenario.title);
    let mut runs: Vec<Vec<RunResult>> = vec![Vec::new(); scenario.variants.len()];
    let mut failures = Vec::new();
    for round in 0..rounds {
        for (i, variant) in scenario.variants.iter().enumerate() {
            let server = servers
                .get_mut(variant.server)
                .ok_or_else(|| anyhow::anyhow!("no server {}", variant.server))?;
            let result = run_once(server, variant)?;
            let o = &result.load;
            eprintln!(
                "  round {} {:<28} {:>10.0} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms  rss {:>6.1} MB{}",
                round + 1,
                variant.label,
                o.rps,
                o.p50_ms,
                o.p99_ms,
                kb_to_mb(result.peak_rss_kb),
                result.burst.as_ref().map_or(String::new(), |b| format!(
                    "  logins ok {}/{} (slowest {:.0} ms)",
                    b.ok,
                    b.ok + b.failed.len(),
                    b.slowest_ms
                ))
            );
            if !o.clean() {
                failures.push(format!(
                    "{} round {}: {} requests, {} non-2xx responses, {} socket errors",
                    variant.label,
                    round + 1,
                    o.requests,
                    o.non_2xx,
                    o.socket_errors
                ));
            }
            if let Some(b) = &result.burst {
                let mut distinct: Vec<(&String, usize)> = Vec::new();
                for failed in &b.failed {
                    match distinct.iter_mut().find(|(text, _)| *text == failed) {
                        Some((_, count)) => *count += 1,
                        None => distinct.push((failed, 1)),
                    }
                }
                for (failed, count) in distinct {
                    failures.push(format!(
                        "{} round {}: {count} of {} logins answered {failed}",
                        variant.label,
                        round + 1,
                        b.ok + b.failed.len()
                    ));
                }
            }
            runs[i].push(result);
        }
    }
    let medians: Vec<Medians> = runs.iter().map(|r| medians_of(r)).collect();
    let reference = medians.get(scenario.reference).copied().unwrap_or_default();
    let variants = scenario
        .variants
        .iter()
        .zip(runs)
        .zip(&medians)
        .map(|((variant, runs), m)| VariantResult {
            label: variant.label.clone(),
            runs,
            median: *m,
            ratio: Ratios {
                rps: ratio(m.rps, reference.rps),
                p50: ratio(m.p50_ms, reference.p50_ms),
                p99: ratio(m.p99_ms, reference.p99_ms),
                peak_rss: ratio(m.peak_rss_mb, reference.peak_rss_mb),
            },
        })
        .collect();
    Ok(ScenarioResult {
        key: scenario.key.clone(),
        title: scenario.title.clone(),
        reference: scenario
            .variants
            .get(scenario.reference)
            .map(|v| v.label.clone())
            .unwrap_or_default(),
        variants,
        failures,
    })
}

/// kB → MB.
#[allow(clippy::cast_precision_loss)] // memory sizes are far below 2^52 kB
pub fn kb_to_mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn medians_of(runs: &[RunResult]) -> Medians {
    let pick = |f: &dyn Fn(&RunResult) -> f64| median(&mut runs.iter().map(f).collect::<Vec<_>>());
    let optional = |f: &dyn Fn(&RunResult) -> Option<f64>| {
        let mut values: Vec<f64> = runs.iter().filter_map(f).collect();
        (!values.is_empty()).then(|| median(&mut values))
    };
    Medians {
        rps: pick(&|r| r.load.rps),
        p50_ms: pick(&|r| r.load.p50_ms),
        p99_ms: pick(&|r| r.load.p99_ms),
        peak_rss_mb: pick(&|r| kb_to_mb(r.peak_rss_kb)),
        writes_per_s: optional(&|r| r.writes_per_s),
        commits_per_s: optional(&|r| r.commits_per_s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert!((median(&mut [3.0, 1.0, 2.0]) - 2.0).abs() < 1e-12);
        assert!((median(&mut [4.0, 1.0, 3.0, 2.0]) - 2.5).abs() < 1e-12);
        assert!(median(&mut []).abs() < 1e-12);
    }
}
