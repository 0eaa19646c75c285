//! The OWASP API Security Top 10 table of `docs/security.md` names real tests.
//!
//! Each row must be one of API1…API10, in order, and name at least one test as a backticked
//! file followed by backticked function names; every one of those functions must be defined in
//! that file. A renamed or deleted test therefore fails here instead of leaving the table
//! pointing at nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

const HEADING: &str = "## OWASP API Security Top 10 (2023)";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The table rows (lines starting with `| API`) of the OWASP section.
fn rows(security_md: &str) -> Vec<String> {
    let start = security_md.find(HEADING).expect("docs/security.md has the OWASP section");
    let section = &security_md[start + HEADING.len()..];
    let end = section.find("\n## ").unwrap_or(section.len());
    section[..end].lines().filter(|l| l.starts_with("| API")).map(str::to_owned).collect()
}

/// The backticked spans of `text`, in order.
fn spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// `(file, function)` pairs a row names: a span ending in `.rs` opens a file, and each plain
/// identifier span after it names a function in that file.
fn named_tests(row: &str) -> Vec<(String, String)> {
    let tests_cell = row.trim_end_matches('|').rsplit('|').next().unwrap_or("");
    let mut file: Option<&str> = None;
    let mut named = Vec::new();
    for span in spans(tests_cell) {
        if span.ends_with(".rs") {
            file = Some(span);
        } else if span.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            let file = file.unwrap_or_else(|| panic!("{span} names no file before it: {row}"));
            named.push((file.to_owned(), span.to_owned()));
        }
    }
    named
}

fn defines(source: &str, function: &str) -> bool {
    source.contains(&format!("fn {function}("))
}

#[test]
fn every_owasp_api_risk_has_a_row_naming_tests_that_exist() {
    let root = workspace_root();
    let security = std::fs::read_to_string(root.join("docs/security.md")).unwrap();
    let rows = rows(&security);
    let ids: Vec<String> =
        rows.iter().map(|r| r[2..].split_whitespace().next().unwrap().to_owned()).collect();
    let expected: Vec<String> = (1..=10).map(|n| format!("API{n}")).collect();
    assert_eq!(ids, expected, "one row per risk, in order");

    let mut missing = Vec::new();
    for row in &rows {
        let named = named_tests(row);
        assert!(!named.is_empty(), "a row that names no test: {row}");
        for (file, function) in named {
            let source = std::fs::read_to_string(root.join(&file))
                .unwrap_or_else(|e| panic!("{file} (named in the OWASP table): {e}"));
            if !defines(&source, &function) {
                missing.push(format!("{file}: {function}"));
            }
        }
    }
    assert!(missing.is_empty(), "the OWASP table names tests that do not exist: {missing:#?}");
}

#[test]
fn the_checker_reads_files_and_functions_from_the_tests_cell() {
    let row = "| API1 x | uses `crates/x.rs` here | `a/b.rs` `one_test`, `two`; `c.rs` `three` |";
    assert_eq!(
        named_tests(row),
        [("a/b.rs", "one_test"), ("a/b.rs", "two"), ("c.rs", "three")]
            .map(|(f, t)| (f.to_owned(), t.to_owned()))
    );
    assert!(defines("async fn one_test() {", "one_test"));
    assert!(!defines("async fn one_test_more() {", "one_test"));
}
