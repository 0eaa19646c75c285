//! The benchmark's smoke mode, run by the test suite (and so by CI): tiny data, one-second
//! runs, every scenario and every code path of the full benchmark — seeding, both servers,
//! the Python peer, wrk with its scripts, the login burst, the writer counters on `/metrics`,
//! the export probe, the report and the JSON file — so the benchmark cannot rot between full
//! runs.
//!
//! It runs against the **debug** binaries the test build already made (`--profile debug`):
//! the figures mean nothing; only that every request succeeds does. `wrk` must be installed
//! or installable with apt-get; if it is neither, this test fails (it never skips).

use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn the_benchmark_runs_end_to_end_in_smoke_mode() {
    let out =
        std::env::temp_dir().join(format!("taskforge-bench-smoke-{}.json", std::process::id()));
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_taskforge-bench"))
        .args(["smoke", "--profile", "debug", "--baseline-bin"])
        .arg(env!("CARGO_BIN_EXE_taskforge-baseline"))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("the benchmark binary starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "smoke benchmark failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(started.elapsed() < Duration::from_secs(300), "the smoke mode must stay fast");

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("the JSON report was written"))
            .expect("the report is JSON");
    let _ = std::fs::remove_file(&out);
    let keys: Vec<&str> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    for key in [
        "read_by_id",
        "list_small_page1",
        "web_project_page",
        "keepalive_1000",
        "login_burst",
        "create",
        "list_large_page1",
        "list_large_deep",
        "peer_read_by_id",
        "peer_list_small_page1",
        "peer_create",
    ] {
        assert!(keys.contains(&key), "scenario {key} missing from {keys:?}");
    }
    for scenario in report["scenarios"].as_array().unwrap() {
        for variant in scenario["variants"].as_array().unwrap() {
            let rps = variant["median"]["rps"].as_f64().unwrap();
            assert!(rps > 0.0, "{} / {}: no requests", scenario["key"], variant["label"]);
        }
    }
    // Group commit is visible through taskforge's own counters.
    let create =
        report["scenarios"].as_array().unwrap().iter().find(|s| s["key"] == "create").unwrap();
    let full = create["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["label"] == "taskforge FULL")
        .unwrap();
    assert!(full["median"]["writes_per_s"].as_f64().unwrap() > 0.0);
    assert!(full["median"]["commits_per_s"].as_f64().unwrap() > 0.0);
    // The export streams, and its memory is measured.
    assert_eq!(report["export"]["available"], true, "{}", report["export"]);
    assert!(report["export"]["median_added_mb"].is_number());
    assert!(report["failures"].as_array().unwrap().is_empty());
    assert!(report["targets"].as_array().unwrap().len() >= 10);
    assert!(stdout.contains("| read_by_id | taskforge |"), "{stdout}");
}

/// Whether the PostgreSQL server the benchmark would use answers (`psql` on
/// `TASKFORGE_TEST_POSTGRES_URL`, default the local server).
fn postgres_answers() -> bool {
    let url = std::env::var("TASKFORGE_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| String::from("postgres://postgres@127.0.0.1:5432/postgres"));
    Command::new("psql")
        .args(["-X", "-q", "-d", &url, "-c", "SELECT 1"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_postgres_group_runs_end_to_end_in_smoke_mode() {
    if !postgres_answers() {
        assert!(
            std::env::var("TASKFORGE_REQUIRE_POSTGRES").map_or(true, |v| v != "1"),
            "no PostgreSQL server answers and TASKFORGE_REQUIRE_POSTGRES=1"
        );
        eprintln!("SKIPPED the_postgres_group_runs_end_to_end_in_smoke_mode: no PostgreSQL server");
        return;
    }
    let out =
        std::env::temp_dir().join(format!("taskforge-bench-pg-smoke-{}.json", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_taskforge-bench"))
        .args(["postgres", "--smoke", "--profile", "debug", "--out"])
        .arg(&out)
        .output()
        .expect("the benchmark binary starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "postgres smoke failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("the JSON report was written"))
            .expect("the report is JSON");
    let _ = std::fs::remove_file(&out);
    let scenarios = report["scenarios"].as_array().unwrap();
    let keys: Vec<&str> = scenarios.iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["pg_read_by_id", "pg_list_page1", "pg_create"]);
    for scenario in scenarios {
        let labels: Vec<&str> = scenario["variants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels, ["sqlite", "postgres", "postgres ×2"], "{}", scenario["key"]);
        assert_eq!(scenario["reference"], "sqlite");
        for variant in scenario["variants"].as_array().unwrap() {
            let rps = variant["median"]["rps"].as_f64().unwrap();
            assert!(rps > 0.0, "{} / {}: no requests", scenario["key"], variant["label"]);
        }
    }
    assert!(report["failures"].as_array().unwrap().is_empty(), "{}", report["failures"]);
    assert!(stdout.contains("two PostgreSQL instances serve"), "{stdout}");
}
