//! Every SQL statement is a literal with `?` parameters. This reads the adapter's
//! own sources and fails on any string formatting or concatenation at run time that mentions
//! SQL, and on any statement call whose SQL argument is not a literal (or one of the named
//! compile-time constants built with `concat!` from literals).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::Path;

const SQL_WORDS: [&str; 12] = [
    "SELECT", "INSERT", "UPDATE", "DELETE", "WHERE", "FROM", "ORDER BY", "CREATE", "DROP",
    "PRAGMA", "VALUES", "LIMIT",
];
/// Calls that take SQL text as their first argument.
const SQL_CALLS: [&str; 5] =
    ["prepare(", "prepare_cached(", "execute(", "execute_batch(", "query_row("];
/// Named SQL that is not written inline: `concat!` and literal constants, the listing
/// table's choice and the embedded migration files.
const NAMED_SQL: [&str; 7] =
    ["sql", "ANCESTORS", "DESCENDANTS", "INSERT_TASK", "UPDATE_TASK", "migration.sql", "concat!("];

fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push((path.display().to_string(), fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    assert!(out.iter().any(|(f, _)| f.ends_with("listing/sql.rs")), "the scan missed files");
    out
}

/// The text of each `format!(…)` call (up to its balancing parenthesis).
fn format_calls(source: &str) -> Vec<&str> {
    let mut calls = Vec::new();
    for (start, _) in source.match_indices("format!(") {
        let mut depth = 0;
        for (i, c) in source[start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        calls.push(&source[start..=start + i]);
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    calls
}

#[test]
fn no_sql_is_formatted_at_run_time() {
    for (file, source) in sources() {
        for call in format_calls(&source) {
            for word in SQL_WORDS {
                assert!(!call.contains(word), "{file}: SQL built with format!: {call}");
            }
        }
        for line in source.lines() {
            if line.contains("push_str(") || line.contains("String::from(") && line.contains(" + ")
            {
                for word in SQL_WORDS {
                    assert!(!line.contains(word), "{file}: SQL built at run time: {line}");
                }
            }
        }
    }
}

#[test]
fn every_statement_call_takes_literal_sql() {
    let mut calls = 0;
    for (file, source) in sources() {
        for call in SQL_CALLS {
            for (at, _) in source.match_indices(call) {
                // Only method calls (`.prepare(`), not definitions or other words ending so.
                if !source[..at].ends_with('.') {
                    continue;
                }
                let argument = source[at + call.len()..].trim_start();
                let literal = argument.starts_with('"');
                let named = NAMED_SQL.iter().any(|n| argument.starts_with(n));
                // `execute(params![…])` on a prepared statement takes parameters, not SQL.
                let parameters = argument.starts_with("params!")
                    || argument.starts_with('[')
                    || argument.starts_with("(")
                    || argument.starts_with("rusqlite::params!");
                assert!(
                    literal || named || parameters,
                    "{file}: {call} with non-literal SQL: {}",
                    argument.lines().next().unwrap_or_default()
                );
                calls += 1;
            }
        }
    }
    assert!(calls > 50, "found only {calls} statement calls: is the scan still looking?");
}

#[test]
fn statements_use_question_mark_parameters_only() {
    for (file, source) in sources() {
        for line in source.lines() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            // Named parameters (:name, @name, $name) are not used anywhere.
            for marker in [" :", " @", " $"] {
                if SQL_WORDS.iter().any(|w| line.contains(w)) && line.contains('"') {
                    let in_string = line.split('"').skip(1).step_by(2).any(|s| {
                        s.contains(marker)
                            && s.split(marker).nth(1).is_some_and(|rest| {
                                rest.starts_with(|c: char| c.is_ascii_alphabetic())
                            })
                    });
                    assert!(!in_string, "{file}: named parameter in SQL: {line}");
                }
            }
        }
    }
}
