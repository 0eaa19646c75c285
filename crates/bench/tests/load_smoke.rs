//! The load test's smoke mode (`taskforge-bench load --smoke`), run by the test suite so the
//! load test cannot rot between full runs: 1,000 keep-alive connections for 3 s, then 5 s of
//! mixed reads, writes and logins, against the **debug** server the test build already made.
//! Its figures mean nothing; that every request of both parts succeeded, that every request
//! kind ran and that the memory was sampled do. `wrk` must be installed or installable with
//! apt-get; if it is neither, this test fails (it never skips).

use std::process::Command;

#[test]
fn the_load_test_runs_end_to_end_in_smoke_mode() {
    let out =
        std::env::temp_dir().join(format!("taskforge-load-smoke-{}.json", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_taskforge-bench"))
        .args(["load", "--smoke", "--profile", "debug", "--out"])
        .arg(&out)
        .output()
        .expect("the benchmark binary starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "load --smoke failed ({}):\n{stdout}\n{stderr}",
        output.status
    );

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("the JSON report was written"))
            .expect("the report is JSON");
    let _ = std::fs::remove_file(&out);

    // Part 1: the 1,000 connections all served, without a failure of any kind.
    assert_eq!(report["settings"]["hold_connections"], 1000);
    let hold = &report["hold"]["outcome"];
    assert!(hold["requests"].as_u64().unwrap() > 0, "{hold}");
    assert_eq!((&hold["non_2xx"], &hold["socket_errors"]), (&0.into(), &0.into()), "{hold}");

    // Part 2: every kind of request was sent and answered with a success.
    let mixed = &report["mixed"];
    for kind in ["get", "list", "create", "patch", "login"] {
        assert!(mixed["counts"]["sent"][kind].as_u64().unwrap() > 0, "no {kind}: {mixed}");
    }
    assert!(mixed["counts"]["login_ok"].as_u64().unwrap() > 0, "{mixed}");
    let statuses = mixed["counts"]["statuses"].as_object().unwrap();
    assert!(statuses.keys().all(|s| s.starts_with('2')), "a failed request: {statuses:?}");
    assert!(statuses.contains_key("201"), "no create answered 201: {statuses:?}");
    assert_eq!(mixed["outcome"]["socket_errors"], 0, "{mixed}");

    // The memory was sampled every second (5 s: too short for the flat verdict).
    assert!(mixed["rss"]["samples"].as_u64().unwrap() >= 5, "{}", mixed["rss"]);
    assert!(mixed["rss"]["peak_mb"].as_f64().unwrap() > 1.0, "{}", mixed["rss"]);
    assert!(mixed["rss"]["flat"].is_null(), "{}", mixed["rss"]);

    // Every criterion judged except the memory verdict, all met, and the summary printed.
    let criteria = report["criteria"].as_array().unwrap();
    assert_eq!(criteria.len(), 6);
    assert_eq!(criteria.iter().filter(|c| c["met"] == true).count(), 5, "{criteria:?}");
    assert!(stdout.contains("load: PASSED"), "{stdout}");
}
