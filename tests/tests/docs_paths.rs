//! Every repository path the documentation names must exist (`docs_names.rs` does the same
//! for Rust items).
//!
//! Scans `README.md`, `docs/*.md` and `adr/*.md` for
//! - backticked paths under the repository's top-level folders (`crates/app/src/cli.rs`,
//!   `tests/tests/architecture.rs`, `.github/workflows/ci.yml`, …) or naming one of its
//!   top-level files (`Cargo.toml`, `Dockerfile`, …), resolved from the repository root, even
//!   inside a longer span such as `cargo test -p taskforge-tests --test docs_paths`;
//! - Markdown link targets that are not URLs, resolved from the linking file's folder, as a
//!   Markdown viewer resolves them;
//!
//! and fails naming every one that does not exist. Fenced code blocks (shell sessions, mermaid
//! diagrams) are not scanned, nor are spans holding placeholders or globs (`0002_….sql`,
//! `crates/*/src`): those name no single file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

/// Top-level folders whose paths the docs name.
const ROOTS: &[&str] = &[
    "crates/",
    "docs/",
    "adr/",
    "migrations/",
    "tests/",
    "scripts/",
    "deploy/",
    ".github/",
    ".ci/",
];

/// Top-level files the docs may name without a folder.
const ROOT_FILES: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "README.md",
    "Dockerfile",
    ".dockerignore",
    "deny.toml",
    ".pre-commit-config.yaml",
    ".yamllint.yaml",
    "rustfmt.toml",
    "clippy.toml",
    ".gitignore",
];

/// Characters that make a span a pattern or a placeholder rather than one path.
const PLACEHOLDERS: &[char] = &['*', '?', '{', '}', '<', '>', '…', '$', '|', '[', ']'];

/// Where a mentioned path is resolved from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Base {
    /// A backticked path: from the repository root.
    Root,
    /// A link target: from the folder of the file that links.
    LinkingFile,
}

/// One path a Markdown file mentions.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mention {
    line: usize,
    path: String,
    base: Base,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A backticked token that names a repository path, cleaned of trailing punctuation and of a
/// `:line` suffix; `None` for anything else.
fn repository_path(token: &str) -> Option<String> {
    let token = token.trim_matches(|c: char| matches!(c, '"' | '\'' | '(' | ')' | ',' | ';'));
    let token = token.trim_end_matches('.');
    // `file.rs:42` or `file.rs:42:7` names a line of the file.
    let token = match token.split_once(':') {
        Some((path, rest)) if rest.split(':').all(|n| n.bytes().all(|b| b.is_ascii_digit())) => {
            path
        }
        _ => token,
    };
    let token = token.split('#').next().unwrap_or_default();
    if token.is_empty() || token.contains(PLACEHOLDERS) || token.contains("...") {
        return None;
    }
    let rooted = ROOTS.iter().any(|root| token.starts_with(root));
    (rooted || ROOT_FILES.contains(&token)).then(|| token.to_owned())
}

/// A Markdown link target that names a local file; `None` for URLs and in-page anchors.
fn link_path(target: &str) -> Option<String> {
    let target = target.split_whitespace().next().unwrap_or_default(); // drop a "title"
    let target = target.trim_start_matches('<').trim_end_matches('>');
    if target.is_empty()
        || target.starts_with('#')
        || target.contains("://")
        || target.starts_with("mailto:")
        || target.contains(PLACEHOLDERS)
    {
        return None;
    }
    let path = target.split('#').next().unwrap_or_default();
    (!path.is_empty()).then(|| path.to_owned())
}

/// Every path `markdown` mentions outside fenced code blocks.
fn mentioned_paths(markdown: &str) -> Vec<Mention> {
    let mut mentions = Vec::new();
    let mut in_fence = false;
    for (index, line) in markdown.lines().enumerate() {
        let number = index + 1;
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        // Backticked spans: the odd-numbered pieces between backticks.
        for (i, span) in line.split('`').enumerate() {
            if i % 2 == 1 {
                for token in span.split_whitespace() {
                    if let Some(path) = repository_path(token) {
                        mentions.push(Mention { line: number, path, base: Base::Root });
                    }
                }
            }
        }
        // Link targets: `](target)`.
        let mut rest = line;
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            if let Some(path) = link_path(&after[..end]) {
                mentions.push(Mention { line: number, path, base: Base::LinkingFile });
            }
            rest = &after[end..];
        }
    }
    mentions
}

/// `path` with `.` and `..` resolved lexically, so `docs/../adr/x.md` means `adr/x.md` even
/// if `docs/` does not exist.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `file.md:LINE: path` for every mention in `markdown` (the text of `file`) that does not
/// exist under `root`.
fn missing_paths(root: &Path, file: &Path, markdown: &str) -> Vec<String> {
    let folder = file.parent().unwrap_or(root);
    let shown = file.strip_prefix(root).unwrap_or(file).display().to_string();
    mentioned_paths(markdown)
        .into_iter()
        .filter(|m| {
            let resolved = match m.base {
                Base::Root => root.join(&m.path),
                Base::LinkingFile => folder.join(&m.path),
            };
            !normalize(&resolved).exists()
        })
        .map(|m| format!("{shown}:{}: {}", m.line, m.path))
        .collect()
}

/// `README.md`, `docs/*.md` and `adr/*.md`, sorted.
fn documentation_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md")];
    for folder in ["docs", "adr"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else { continue };
        let mut found: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

#[test]
fn every_path_named_in_the_docs_and_adrs_exists() {
    let root = workspace_root();
    let mut missing = Vec::new();
    for file in documentation_files(&root) {
        let text = std::fs::read_to_string(&file).unwrap();
        missing.extend(missing_paths(&root, &file, &text));
    }
    assert!(
        missing.is_empty(),
        "these paths are named in the documentation but do not exist:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn the_scan_sees_the_paths_of_the_real_docs() {
    // Guards against a vacuous pass: the extractor must find what we know is there.
    let root = workspace_root();
    let mentions: Vec<Mention> = documentation_files(&root)
        .iter()
        .flat_map(|f| mentioned_paths(&std::fs::read_to_string(f).unwrap()))
        .collect();
    assert!(mentions.len() > 50, "only {} paths found: {mentions:?}", mentions.len());
    for known in
        ["tests/tests/architecture.rs", "crates/app/src/cli.rs", "deploy/systemd/taskforge.service"]
    {
        assert!(mentions.iter().any(|m| m.path == known), "{known} not found among {mentions:?}");
    }
}

const SAMPLE: &str = "\
# Sample

The rule is enforced by `tests/tests/architecture.rs:12`, configured in `Cargo.toml`.
Run `cargo test -p taskforge-tests --test docs_paths` or `scripts/test`.
This one is gone: `crates/domain/src/no_such_file.rs`, and so is `docs/missing.md`.
Placeholders are not paths: `migrations/0002_….sql`, `crates/*/src`, `/api/v1/tasks/{id}`.
Neither are URLs or crate paths: `http://127.0.0.1:8080/health`, `taskforge_domain::ports`.
A [relative link](../adr/README.md), a [broken one](nowhere.md#section), a [URL](https://example.org)
and an [anchor](#sample).

```sh
cat crates/in/a/code/block.rs   # fenced blocks are not scanned
```
";

#[test]
fn the_extractor_finds_backticked_and_linked_paths() {
    let paths: Vec<(String, Base)> =
        mentioned_paths(SAMPLE).into_iter().map(|m| (m.path, m.base)).collect();
    assert_eq!(
        paths,
        [
            ("tests/tests/architecture.rs".to_owned(), Base::Root),
            ("Cargo.toml".to_owned(), Base::Root),
            ("scripts/test".to_owned(), Base::Root),
            ("crates/domain/src/no_such_file.rs".to_owned(), Base::Root),
            ("docs/missing.md".to_owned(), Base::Root),
            ("../adr/README.md".to_owned(), Base::LinkingFile),
            ("nowhere.md".to_owned(), Base::LinkingFile),
        ]
    );
}

#[test]
fn a_missing_path_is_reported_with_its_file_and_line() {
    let root = workspace_root();
    // As if the sample were docs/sample.md: `../adr/README.md` resolves to adr/README.md.
    let missing = missing_paths(&root, &root.join("docs").join("sample.md"), SAMPLE);
    assert_eq!(
        missing,
        [
            "docs/sample.md:5: crates/domain/src/no_such_file.rs",
            "docs/sample.md:5: docs/missing.md",
            "docs/sample.md:8: nowhere.md",
        ]
    );
}
