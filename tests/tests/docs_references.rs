//! The repository explains itself: no file cites a document that is not in it, and every ADR a
//! file cites exists.
//!
//! A reader of a comment or a doc must be able to follow every reference without leaving the
//! repository. So no tracked text file may cite sections of a planning document or style guide
//! kept elsewhere ("design" or "style guide" then a section sign), name such a document
//! (`design.md`, `style.md`, a `shared/` folder), or point at the issue tracker ("issue 9",
//! "must show 5"); the reasoning belongs in the comment itself, in `docs/` or in an ADR. And
//! "ADR 0005" must name a record in `adr/`.
//!
//! Released migrations are no exception: their comments can be reworded without breaking the
//! checksums databases recorded (ADR 0009).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

/// Phrases that point outside the repository, matched case-insensitively. `§` is written as
/// an escape so this file does not match itself.
const OUTSIDE: &[&str] = &[
    "design \u{a7}",
    "style guide \u{a7}",
    "design.md",
    "style.md",
    "/work/shared",
    "../shared/",
    "must show",
    "must-show",
];

/// File name endings that hold text worth reading.
const TEXT: &[&str] =
    &[".rs", ".md", ".toml", ".sql", ".sh", ".yml", ".yaml", ".py", ".txt", ".lua", ".json"];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Every text file of the repository (build output, VCS data and installed tools aside), as
/// paths relative to the root. Extension-less files count under `scripts/` and `.ci/`.
fn text_files(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if path.is_dir() {
                let skipped = matches!(name, "target" | "node_modules" | ".git" | "corpus")
                    || (name.starts_with('.') && !matches!(name, ".github" | ".ci"));
                if !skipped {
                    pending.push(path);
                }
            } else if TEXT.iter().any(|e| name.ends_with(e))
                || ((relative.starts_with("scripts/") || relative.starts_with(".ci/"))
                    && !name.contains('.'))
                || name == "Dockerfile"
            {
                found.push(relative);
            }
        }
    }
    found.sort();
    found
}

/// `LINE: text` for every line of `text` that points outside the repository.
fn outside_references(text: &str) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let lower = line.to_lowercase();
            OUTSIDE.iter().any(|p| lower.contains(p)) || cites_an_issue(&lower)
        })
        .map(|(i, line)| format!("{}: {}", i + 1, line.trim()))
        .collect()
}

/// "issue 9", "issue #9": a number right after the word issue.
fn cites_an_issue(lower: &str) -> bool {
    lower.match_indices("issue").any(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + "issue".len()..].trim_start_matches([' ', '#']);
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && lower[at + "issue".len()..].starts_with([' ', '#'])
            && after.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// The ADR numbers `text` cites: "ADR 0005", "ADR-0005", "ADR 5".
fn cited_adrs(text: &str) -> Vec<u32> {
    text.match_indices("ADR")
        .filter_map(|(at, _)| {
            let rest = text[at + 3..].strip_prefix([' ', '-'])?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

#[test]
fn no_file_cites_a_document_outside_the_repository() {
    let root = workspace_root();
    let this_file = "tests/tests/docs_references.rs";
    let mut found = Vec::new();
    for file in text_files(&root) {
        if file == this_file {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(&file)) else { continue };
        found.extend(outside_references(&text).into_iter().map(|l| format!("{file}:{l}")));
    }
    assert!(
        found.is_empty(),
        "these lines cite a document outside the repository; say what it said, or point at \
         docs/ or an ADR instead:\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn every_cited_adr_exists() {
    let root = workspace_root();
    let records: Vec<u32> = std::fs::read_dir(root.join("adr"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.split('-').next()?.parse().ok()
        })
        .collect();
    let mut missing = Vec::new();
    for file in text_files(&root) {
        let Ok(text) = std::fs::read_to_string(root.join(&file)) else { continue };
        for number in cited_adrs(&text) {
            if !records.contains(&number) {
                missing.push(format!("{file}: ADR {number:04}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "these ADRs are cited but not in adr/:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn the_scan_covers_code_docs_scripts_and_migrations() {
    let files = text_files(&workspace_root());
    for known in [
        "crates/domain/src/values/timestamp.rs",
        "docs/architecture.md",
        "adr/0009-migrations-policy.md",
        "migrations/sqlite/0001_initial.sql",
        ".ci/run",
        ".github/workflows/ci.yml",
        "scripts/test",
        "Cargo.toml",
    ] {
        assert!(files.iter().any(|f| f == known), "{known} not scanned");
    }
    assert!(!files.iter().any(|f| f.starts_with("target/")), "build output scanned");
}

#[test]
fn outside_references_are_found_whatever_their_case_and_the_rest_is_not() {
    let text = "\
// The pragmas of Design \u{a7}4.
// (style guide \u{a7}6, zero-to-production)
// see ../shared/design.md
//! Must-show 3 of issue 6: flat memory.
// Crash safety (Issue #9, point 1).
// Operator commands issue no access tokens; a tissue 3 is no issue.
// The keyset design promises a constant page cost (ADR 0003).
";
    assert_eq!(
        outside_references(text).iter().map(|l| &l[..1]).collect::<Vec<_>>(),
        ["1", "2", "3", "4", "5"]
    );
}

#[test]
fn adr_citations_are_read_in_every_spelling() {
    assert_eq!(cited_adrs("ADR 0005, ADR-0011 and (ADR 7); an ADR is a record"), [5, 11, 7]);
}
