//! `wrk`: installed from Debian's packages when missing, run, and its report parsed — including
//! the lines that say a run was not clean (`Non-2xx or 3xx responses`, `Socket errors`), which
//! make the whole benchmark fail: a server that answers errors fast must not score.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, bail};
use serde::Serialize;

use crate::nofile;

/// Files a process needs besides its sockets (libraries, logs, the database, stdio).
pub const OPEN_FILES_MARGIN: u64 = 256;

/// Makes sure `wrk` can be run: if it is not on `PATH`, installs it with
/// `apt-get update && apt-get install -y wrk` (as root, or through `sudo -n`). Fails loudly when
/// that is impossible; the benchmark and its smoke test never skip silently.
pub fn ensure_installed() -> anyhow::Result<()> {
    if wrk_runs() {
        return Ok(());
    }
    eprintln!("wrk is not installed: installing it with apt-get");
    let root = Command::new("id").arg("-u").output().map(|o| o.stdout == b"0\n").unwrap_or(false);
    let apt = |args: &[&str]| -> anyhow::Result<()> {
        let mut command = if root {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.args(["-n", "apt-get"]);
            sudo
        };
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        let status = command.status().with_context(|| {
            "wrk is missing and apt-get cannot be run; install wrk (Debian/Ubuntu: \
             `apt-get install -y wrk`) and run again"
        })?;
        if !status.success() {
            bail!(
                "`apt-get {}` failed ({status}); install wrk (`apt-get install -y wrk`) and run again",
                args.join(" ")
            );
        }
        Ok(())
    };
    apt(&["update", "-qq"])?;
    apt(&["install", "-y", "-qq", "wrk"])?;
    if !wrk_runs() {
        bail!("apt-get installed wrk but `wrk --version` still does not run");
    }
    Ok(())
}

fn wrk_runs() -> bool {
    // `wrk --version` prints its banner and exits with status 1; it ran if it printed.
    Command::new("wrk")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wrk"))
        .unwrap_or(false)
}

/// One `wrk` run.
#[derive(Debug, Clone)]
pub struct Load {
    /// The full URL (including the query string).
    pub url: String,
    /// Open connections.
    pub connections: u32,
    /// Run length.
    pub duration: Duration,
    /// A Lua script from `crates/bench/scripts/`, and its arguments.
    pub script: Option<(PathBuf, Vec<String>)>,
    /// Extra headers, `Name: value`.
    pub headers: Vec<String>,
}

/// What a run reported.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Outcome {
    /// Requests per second.
    pub rps: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Requests completed.
    pub requests: u64,
    /// Responses with a status of 400 or more (wrk counts those as "Non-2xx or 3xx").
    pub non_2xx: u64,
    /// Connect, read, write and timeout errors together.
    pub socket_errors: u64,
}

impl Outcome {
    /// True when every response was a success and no socket failed.
    pub const fn clean(&self) -> bool {
        self.non_2xx == 0 && self.socket_errors == 0 && self.requests > 0
    }
}

/// Runs `wrk` with two threads (the machine's cores are shared by wrk and the server) and the
/// latency distribution, and parses its report.
pub fn run(load: &Load) -> anyhow::Result<Outcome> {
    run_with_output(load).map(|(outcome, _)| outcome)
}

/// Like [`run`], and also returns wrk's whole standard output (for what a script printed).
/// wrk gets an open-file limit raised to fit its connections when the current one is too low.
pub fn run_with_output(load: &Load) -> anyhow::Result<(Outcome, String)> {
    let mut command = Command::new("wrk");
    command.args([
        "-t2".to_owned(),
        format!("-c{}", load.connections),
        format!("-d{}s", load.duration.as_secs().max(1)),
        "--timeout".to_owned(),
        "10s".to_owned(),
        "--latency".to_owned(),
    ]);
    for header in &load.headers {
        command.arg("-H").arg(header);
    }
    if let Some((script, _)) = &load.script {
        command.arg("-s").arg(script);
    }
    command.arg(&load.url);
    if let Some((_, args)) = &load.script {
        command.arg("--").args(args);
    }
    let mut command = nofile::raised(command, u64::from(load.connections) + OPEN_FILES_MARGIN)?;
    let output = command.output().context("running wrk")?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "wrk failed ({}): {stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let outcome = parse(&stdout).with_context(|| format!("unexpected wrk output:\n{stdout}"))?;
    Ok((outcome, stdout))
}

/// Parses wrk's report.
pub fn parse(report: &str) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::default();
    let mut saw_rps = false;
    for line in report.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", value] => outcome.p50_ms = millis(value)?,
            ["99%", value] => outcome.p99_ms = millis(value)?,
            ["Requests/sec:", value] => {
                outcome.rps = value.parse()?;
                saw_rps = true;
            }
            [count, "requests", "in", ..] => outcome.requests = count.parse()?,
            ["Non-2xx", "or", "3xx", "responses:", count] => outcome.non_2xx = count.parse()?,
            ["Socket", "errors:", rest @ ..] => {
                // "connect 0, read 0, write 0, timeout 0"
                outcome.socket_errors =
                    rest.iter().filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok()).sum();
            }
            _ => {}
        }
    }
    if !saw_rps {
        bail!("no Requests/sec line");
    }
    Ok(outcome)
}

/// wrk's latency text (`812.00us`, `1.23ms`, `2.01s`, `1.00m`) in milliseconds.
fn millis(text: &str) -> anyhow::Result<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic()).context("latency without unit")?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse()?;
    Ok(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        "h" => number * 3_600_000.0,
        other => bail!("unknown latency unit {other:?}"),
    })
}

/// The directory of the wrk scripts (`crates/bench/scripts`).
pub fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts")
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 5s test @ http://127.0.0.1:8080/x
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms    1.00ms  30.00ms   90.00%
    Req/Sec    15.00k     1.00k   17.00k    70.00%
  Latency Distribution
     50%  812.00us
     75%    1.50ms
     90%    2.00ms
     99%    1.02s
  150000 requests in 5.00s, 100.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:  29999.50
Transfer/sec:     20.00MB
";

    #[test]
    fn the_report_is_parsed_including_the_failure_lines() {
        let o = parse(REPORT).unwrap();
        assert!((o.rps - 29_999.5).abs() < 1e-9);
        assert!((o.p50_ms - 0.812).abs() < 1e-9);
        assert!((o.p99_ms - 1020.0).abs() < 1e-9);
        assert_eq!((o.requests, o.non_2xx, o.socket_errors), (150_000, 7, 5));
        assert!(!o.clean());
    }

    #[test]
    fn a_clean_report_has_no_failure_lines() {
        let clean: String = REPORT
            .lines()
            .filter(|l| !l.contains("Socket") && !l.contains("Non-2xx"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(parse(&clean).unwrap().clean());
        assert!(parse("nothing").is_err());
    }
}
