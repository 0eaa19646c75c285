//! Every Rust item the documentation names in backticks must exist in the code, so a renamed or
//! deleted type, function or variant fails here instead of leaving the docs pointing at nothing.
//! (`docs_paths.rs` does the same for file paths.)
//!
//! **Where:** `README.md`, `docs/*.md`, `adr/*.md` and every crate's `crates/*/README.md`,
//! outside fenced code blocks (shell sessions, SQL, diagrams and examples live there).
//!
//! **What counts as a Rust item** — a whole backticked span of one of these shapes:
//! - a CamelCase name: an uppercase letter, then a lowercase one, then letters and digits
//!   (`TaskRepository`, `Clock`); all-caps words (`GET`, `ETag`, `FULL`) are not items;
//! - a path with `::` (`RepositoryError::Duplicate`, `crate::membership_cache`,
//!   `taskforge_domain::ports`), optionally behind a file (`clock.rs::plus_micros`);
//! - a call: a name or path followed by `()` or by plain arguments (`is_member()`,
//!   `TaskService::new(tasks, clock)`); arguments holding brackets, quotes or operators make
//!   the span an expression of another language (PromQL, SQL) and it is skipped;
//! - a macro: `name!` or `name!(…)`;
//! - any of these with generics: `Arc<dyn Port>` is checked as `Arc`.
//!
//! A bare `snake_case` word is **not** checked: it is as often a JSON field, a SQL column, a
//! metric or a setting as a function. Write `name()` or `module::name` to have it checked.
//!
//! **What "exists" means:** every segment of the name (the leading crate of a `taskforge_*`,
//! `crate`, `self` or `super` path aside) is, in some `.rs` file of the repository with its
//! comments removed,
//! - defined: after `struct`, `enum`, `trait`, `fn`, `type`, `const`, `static`, `mod`,
//!   `union` or `macro_rules!`, or declared as a field or variant (a line that starts with the
//!   name, after an optional `pub`, followed by `:`, `,`, `(`, `{`, `=` or the end of the line);
//! - or brought in from a dependency: named in a `use` declaration or after `::` in code.
//!
//! A path rooted in one of the workspace's crates (`taskforge_domain::ports::TaskRepository`)
//! is also followed module by module through that crate's files (`src/ports.rs` or
//! `src/ports/mod.rs`), and the first segment that is not a module must be defined or
//! re-exported (`pub use`) in the last module reached — so `taskforge_domain::ports::Clock`
//! fails while `Clock` lives in `clock`. Paths rooted in a dependency (`tokio::…`, `std::…`,
//! `char::…`) are not checked: their items live in other repositories.
//!
//! The Rust prelude counts as known. [`NOT_RUST`] lists the few names that look like items and
//! are not (Kubernetes kinds, `/proc` fields, HTTP headers, a file name, sample data); a test
//! keeps it honest: each entry must still be named by a doc and must not be a code item.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Backticked names in the docs that have the shape of a Rust item but are not one.
const NOT_RUST: &[&str] = &[
    // Kubernetes kinds, strategies, conditions and profile names (docs/deployment.md).
    "Recreate",
    "RuntimeDefault",
    "ReadWriteOnce",
    "ProgressDeadlineExceeded",
    "VolumeSnapshot",
    // Fields of /proc/<pid>/status, read by the benchmark.
    "VmRSS",
    "VmHWM",
    // HTTP header names.
    "Authorization",
    "Referer",
    "Origin",
    // Cookie attributes (the web interface's session cookie).
    "HttpOnly",
    "Secure",
    // A file name (docs_paths.rs checks that it exists).
    "Dockerfile",
    // Sample category names in docs/api.md.
    "Bug",
    "Feature",
];

/// Items of the Rust prelude and of std's macros that the docs may name without a path.
const PRELUDE: &[&str] = &[
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Copy",
    "Clone",
    "Debug",
    "Default",
    "Drop",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Hash",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "Extend",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "AsRef",
    "AsMut",
    "ToOwned",
    "ToString",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Box",
    "String",
    "Vec",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "concat",
    "env",
    "format",
    "include_bytes",
    "include_str",
    "matches",
    "panic",
    "println",
    "eprintln",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
];

/// Roots of paths that are not this repository's: std and its primitives.
const FOREIGN_ROOTS: &[&str] = &[
    "std", "core", "alloc", "char", "str", "bool", "u8", "u16", "u32", "u64", "u128", "usize",
    "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64",
];

/// Roots of paths into this repository whose own name is not an item to look for.
const LOCAL_ROOTS: &[&str] = &["crate", "self", "super", "Self"];

/// Keywords a definition's name follows.
const DEFINING_KEYWORDS: &[&str] =
    &["struct", "enum", "trait", "fn", "type", "const", "static", "mod", "union"];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

// ---------------------------------------------------------------------------------------------
// The code side: which names exist.

/// `source` with every comment removed (line, doc and block comments), string and character
/// literals kept, and line breaks kept so lines still start where they did.
fn without_comments(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if chars[i] == '\n' {
                            out.push('\n');
                        }
                        i += 1;
                    }
                }
            }
            '"' => {
                // A raw string's opening `r#…"` was copied already; its closing quote must be
                // followed by as many `#`.
                let hashes = chars[..i].iter().rev().take_while(|&&h| h == '#').count();
                let raw = chars[..i - hashes.min(i)].last() == Some(&'r') || hashes > 0;
                out.push(c);
                i += 1;
                while i < chars.len() {
                    let s = chars[i];
                    out.push(s);
                    i += 1;
                    if s == '\\' && !raw {
                        if let Some(&escaped) = chars.get(i) {
                            out.push(escaped);
                            i += 1;
                        }
                    } else if s == '"'
                        && chars[i..].iter().take(hashes).filter(|&&h| h == '#').count() == hashes
                    {
                        break;
                    }
                }
            }
            '\'' => {
                // A character literal ('"', '\'', '\n') is copied whole; a lifetime is one quote.
                let len = match (next, chars.get(i + 2), chars.get(i + 3)) {
                    (Some('\\'), Some(_), Some('\'')) => 4,
                    (Some(_), Some('\''), _) => 3,
                    _ => 1,
                };
                out.extend(&chars[i..(i + len).min(chars.len())]);
                i += len;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_identifier(word: &str) -> bool {
    !word.is_empty()
        && word.chars().all(is_ident_char)
        && !word.starts_with(|c: char| c.is_ascii_digit())
}

/// The identifiers of `code` in order, each with the text that follows it.
fn identifiers(code: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut start = None;
    for (i, c) in code.char_indices() {
        match (start, is_ident_char(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                found.push((&code[s..i], &code[i..]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        found.push((&code[s..], ""));
    }
    found
}

/// The names the repository's Rust code defines or brings in.
#[derive(Debug, Default)]
struct CodeIndex {
    names: BTreeSet<String>,
}

impl CodeIndex {
    fn from_sources<'a>(sources: impl IntoIterator<Item = &'a str>) -> Self {
        let mut index = CodeIndex::default();
        for source in sources {
            index.add(&without_comments(source));
        }
        index
    }

    fn add(&mut self, code: &str) {
        let words = identifiers(code);
        for pair in words.windows(2) {
            let [(keyword, _), (name, _)] = pair else { continue };
            if DEFINING_KEYWORDS.contains(keyword) || *keyword == "macro_rules" {
                self.names.insert((*name).to_owned());
            }
        }
        // `::name`: an item reached through a path, ours or a dependency's.
        for (at, _) in code.match_indices("::") {
            let rest = code[at + 2..].trim_start();
            let name: String = rest.chars().take_while(|&c| is_ident_char(c)).collect();
            if is_identifier(&name) {
                self.names.insert(name);
            }
        }
        let mut in_use = false;
        for line in code.lines() {
            let line = line.trim_start();
            let line = line
                .strip_prefix("pub(crate) ")
                .or_else(|| line.strip_prefix("pub(super) "))
                .or_else(|| line.strip_prefix("pub "))
                .unwrap_or(line);
            // `use` declarations, over as many lines as they take: every name they bring in.
            in_use |= line.starts_with("use ");
            if in_use {
                for (name, _) in identifiers(line) {
                    self.names.insert(name.to_owned());
                }
                in_use = !line.contains(';');
                continue;
            }
            // Fields and variants: `name: Type,` / `Name,` / `Name(…)` / `Name { … }` /
            // `Name = 3,` at the start of a line, after an optional visibility.
            let name: String = line.chars().take_while(|&c| is_ident_char(c)).collect();
            let after = line[name.len()..].trim_start();
            let declares = after.is_empty()
                || (after.starts_with(':') && !after.starts_with("::"))
                || after.starts_with([',', '(', '{', '=']);
            if is_identifier(&name) && declares {
                self.names.insert(name);
            }
        }
    }

    fn knows(&self, name: &str) -> bool {
        self.names.contains(name) || PRELUDE.contains(&name)
    }
}

/// Every `.rs` file of the repository, outside build output, VCS data and vendored modules.
fn rust_sources(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if path.is_dir() {
                if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                    pending.push(path);
                }
            } else if name.ends_with(".rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

// ---------------------------------------------------------------------------------------------
// The docs side: which names they mention.

/// One backticked span that names Rust items.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NameMention {
    line: usize,
    span: String,
    /// The segments to look for in the code.
    names: Vec<String>,
    /// For a path rooted in a workspace crate: the crate (`taskforge_domain`) and the path.
    crate_path: Option<(String, Vec<String>)>,
}

/// Plain call arguments: names, paths, `&`, commas and `…`. Brackets, quotes, operators or
/// `*` make the span an expression of another language (SQL's `count(*)`, PromQL).
fn plain_arguments(args: &str) -> bool {
    args.chars().all(|c| is_ident_char(c) || " ,&:.…".contains(c))
}

/// The names to check in one backticked span, or `None` when the span does not name an item.
fn item_names(span: &str) -> Option<Vec<String>> {
    item_path(span).map(|segments| {
        let skip = segments.len() > 1
            && (LOCAL_ROOTS.contains(&segments[0].as_str()) || is_workspace_crate(&segments[0]));
        segments.into_iter().skip(usize::from(skip)).collect()
    })
}

/// The whole path one backticked span names (its root included), or `None` when the span does
/// not name an item.
fn item_path(span: &str) -> Option<Vec<String>> {
    let mut head = span.trim();
    // `clock.rs::plus_micros`: the file is docs_paths.rs's business, the item is ours.
    let in_file = head.find(".rs::");
    if let Some(at) = in_file {
        head = &head[at + 5..];
    }
    let mut called = false;
    if let Some(open) = head.find('(') {
        let args = head[open + 1..].strip_suffix(')')?;
        if !plain_arguments(args) {
            return None;
        }
        head = &head[..open];
        called = true;
    }
    let macro_call = head.ends_with('!');
    head = head.trim_end_matches('!');
    if let Some(open) = head.find('<') {
        if !span.trim().ends_with('>') && !called {
            return None;
        }
        head = &head[..open];
    }
    let segments: Vec<&str> = head.split("::").collect();
    if !segments.iter().all(|s| is_identifier(s)) {
        return None;
    }
    if segments.len() == 1
        && in_file.is_none()
        && !called
        && !macro_call
        && !camel_case(segments[0])
    {
        return None;
    }
    let root = segments[0];
    let foreign = segments.len() > 1
        && (FOREIGN_ROOTS.contains(&root)
            || (root.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && dependency_crates().contains(root)));
    if foreign {
        return None;
    }
    Some(segments.iter().map(|s| (*s).to_owned()).collect())
}

fn camel_case(word: &str) -> bool {
    let mut chars = word.chars();
    let starts_camel = matches!(
        (chars.next(), chars.next()),
        (Some(a), Some(b)) if a.is_ascii_uppercase() && b.is_ascii_lowercase()
    );
    starts_camel && word.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_workspace_crate(name: &str) -> bool {
    name.starts_with("taskforge_")
}

/// The crates of `Cargo.lock` that are not this workspace's, with `-` read as `_`.
fn dependency_crates() -> &'static BTreeSet<String> {
    static CRATES: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();
    CRATES.get_or_init(|| {
        let lock = std::fs::read_to_string(workspace_root().join("Cargo.lock")).unwrap();
        lock.lines()
            .filter_map(|l| l.strip_prefix("name = \""))
            .map(|n| n.trim_end_matches('"').replace('-', "_"))
            .filter(|n| !is_workspace_crate(n))
            .collect()
    })
}

/// Every span of `markdown` outside fenced code blocks that names Rust items.
fn name_mentions(markdown: &str) -> Vec<NameMention> {
    let mut mentions = Vec::new();
    let mut in_fence = false;
    for (index, line) in markdown.lines().enumerate() {
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        for span in line.split('`').skip(1).step_by(2) {
            let Some(path) = item_path(span) else { continue };
            let crate_path = (path.len() > 1 && is_workspace_crate(&path[0]))
                .then(|| (path[0].clone(), path[1..].to_vec()));
            let names = item_names(span).unwrap_or_default();
            mentions.push(NameMention {
                line: index + 1,
                span: span.to_owned(),
                names,
                crate_path,
            });
        }
    }
    mentions
}

/// Follows a path into a workspace crate: `(crate, segments after it)` → why it fails.
type ModuleCheck<'a> = dyn Fn(&str, &[String]) -> Result<(), String> + 'a;

/// `file:LINE: `span` names `Name`, …` for every name in `markdown` (the text of `shown`) that
/// is neither in `index` nor in [`NOT_RUST`], and for every workspace-crate path that
/// `modules` cannot follow.
fn unknown_names(
    index: &CodeIndex,
    modules: &ModuleCheck<'_>,
    shown: &str,
    markdown: &str,
) -> Vec<String> {
    let mut unknown = Vec::new();
    for m in name_mentions(markdown) {
        let missing: Vec<&String> =
            m.names.iter().filter(|n| !index.knows(n) && !NOT_RUST.contains(&n.as_str())).collect();
        for n in &missing {
            unknown.push(format!("{shown}:{}: `{}` names `{n}`", m.line, m.span));
        }
        if let (true, Some((krate, path))) = (missing.is_empty(), &m.crate_path)
            && let Err(why) = modules(krate, path)
        {
            unknown.push(format!("{shown}:{}: `{}`: {why}", m.line, m.span));
        }
    }
    unknown
}

// ---------------------------------------------------------------------------------------------
// Paths into the workspace's crates, followed through the module files.

/// The workspace's crates: `taskforge_domain` → `crates/domain/src/lib.rs`, and so on.
fn crate_roots(root: &Path) -> Vec<(String, PathBuf)> {
    let mut manifests: Vec<PathBuf> = ["fuzz", "tests"].iter().map(|d| root.join(d)).collect();
    if let Ok(entries) = std::fs::read_dir(root.join("crates")) {
        manifests.extend(entries.map(|e| e.unwrap().path()));
    }
    manifests
        .into_iter()
        .filter_map(|dir| {
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
            let name = manifest.lines().find_map(|l| l.strip_prefix("name = \""))?;
            let name = name.trim_end_matches('"').replace('-', "_");
            let src =
                ["src/lib.rs", "src/main.rs"].iter().map(|f| dir.join(f)).find(|f| f.is_file())?;
            Some((name, src))
        })
        .collect()
}

/// The file of module `name` declared in `parent` (a `lib.rs`, `main.rs`, `mod.rs` or
/// `name.rs` file), if it has one.
fn child_module(parent: &Path, name: &str) -> Option<PathBuf> {
    let stem = parent.file_stem()?.to_str()?;
    let folder = if ["lib", "main", "mod"].contains(&stem) {
        parent.parent()?.to_path_buf()
    } else {
        parent.parent()?.join(stem)
    };
    [folder.join(format!("{name}.rs")), folder.join(name).join("mod.rs")]
        .into_iter()
        .find(|f| f.is_file())
}

/// Whether `code` (without comments) defines `name` or re-exports it (`pub use …name…;`, or a
/// glob `pub use …::*;`).
fn defines_or_reexports(code: &str, name: &str) -> bool {
    let words = identifiers(code);
    let defined = words.windows(2).any(|pair| {
        let [(keyword, _), (found, _)] = pair else { return false };
        *found == name && (DEFINING_KEYWORDS.contains(keyword) || *keyword == "macro_rules")
    });
    defined
        || code.split("pub use ").skip(1).any(|rest| {
            let statement = rest.split(';').next().unwrap_or_default();
            statement.ends_with("::*") || identifiers(statement).iter().any(|(w, _)| *w == name)
        })
        || code.split("pub(crate) use ").skip(1).any(|rest| {
            identifiers(rest.split(';').next().unwrap_or_default()).iter().any(|(w, _)| *w == name)
        })
}

/// Follows `path` (the segments after the crate's name) through the module files of `krate`:
/// every leading segment that is a module file is entered; the first one that is not must be
/// defined or re-exported in the module reached. What follows it (a method, a variant) is
/// left to the name check. An inline `mod name { … }` ends the walk: its items are checked by
/// name only. A macro exported with `#[macro_export]` lives at the crate's root.
fn follow_crate_path(
    roots: &[(String, PathBuf)],
    krate: &str,
    path: &[String],
) -> Result<(), String> {
    let Some((_, mut file)) = roots.iter().find(|(name, _)| name == krate).cloned() else {
        return Err(format!("no crate `{krate}` in this workspace"));
    };
    let mut walked = vec![krate.to_owned()];
    for segment in path {
        if let Some(child) = child_module(&file, segment) {
            file = child;
            walked.push(segment.clone());
            continue;
        }
        let code = without_comments(&std::fs::read_to_string(&file).unwrap());
        let inline_module = identifiers(&code).windows(2).any(|pair| {
            pair[0].0 == "mod" && pair[1].0 == segment && pair[1].1.trim_start().starts_with('{')
        });
        let at_root = walked.len() == 1;
        if inline_module
            || defines_or_reexports(&code, segment)
            || (at_root && crate_defines_macro(&file, segment))
        {
            return Ok(());
        }
        return Err(format!(
            "`{segment}` is neither a module nor an item of `{}` ({})",
            walked.join("::"),
            file.display()
        ));
    }
    Ok(())
}

/// Whether any file of the crate that `root_file` belongs to defines the macro `name`.
fn crate_defines_macro(root_file: &Path, name: &str) -> bool {
    let Some(src) = root_file.parent() else { return false };
    rust_sources(src).iter().any(|f| {
        let code = without_comments(&std::fs::read_to_string(f).unwrap_or_default());
        code.contains("#[macro_export]")
            && identifiers(&code).windows(2).any(|p| p[0].0 == "macro_rules" && p[1].0 == name)
    })
}

/// `README.md`, `docs/*.md`, `adr/*.md` and `crates/*/README.md`, sorted.
fn documentation_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md")];
    let mut add = |pattern: &dyn Fn(&Path) -> Option<PathBuf>, folder: &str| {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else { return };
        let mut found: Vec<PathBuf> = entries.filter_map(|e| pattern(&e.unwrap().path())).collect();
        found.sort();
        files.extend(found);
    };
    let markdown = |p: &Path| p.extension().is_some_and(|e| e == "md").then(|| p.to_path_buf());
    add(&markdown, "docs");
    add(&markdown, "adr");
    add(&|p: &Path| Some(p.join("README.md")).filter(|r| r.is_file()), "crates");
    files
}

/// The module check on the real repository.
fn real_modules(root: &Path) -> impl Fn(&str, &[String]) -> Result<(), String> {
    let roots = crate_roots(root);
    move |krate: &str, path: &[String]| follow_crate_path(&roots, krate, path)
}

fn real_index(root: &Path) -> CodeIndex {
    let texts: Vec<String> =
        rust_sources(root).iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    CodeIndex::from_sources(texts.iter().map(String::as_str))
}

fn shown(root: &Path, file: &Path) -> String {
    file.strip_prefix(root).unwrap_or(file).display().to_string()
}

// ---------------------------------------------------------------------------------------------

#[test]
fn every_rust_item_named_in_the_docs_exists_in_the_code() {
    let root = workspace_root();
    let index = real_index(&root);
    let modules = real_modules(&root);
    let mut unknown = Vec::new();
    for file in documentation_files(&root) {
        let text = std::fs::read_to_string(&file).unwrap();
        unknown.extend(unknown_names(&index, &modules, &shown(&root, &file), &text));
    }
    assert!(
        unknown.is_empty(),
        "these names are in backticks in the documentation, look like Rust items, and no .rs \
         file defines or uses them (rename them in the doc, or — only if they are not Rust at \
         all — add them to NOT_RUST in tests/tests/docs_names.rs):\n  {}",
        unknown.join("\n  ")
    );
}

#[test]
fn the_scan_sees_the_names_of_the_real_docs() {
    // Guards against a vacuous pass: the extractor and the index must see what we know is there.
    let root = workspace_root();
    let index = real_index(&root);
    let mentions: Vec<NameMention> = documentation_files(&root)
        .iter()
        .flat_map(|f| name_mentions(&std::fs::read_to_string(f).unwrap()))
        .collect();
    assert!(mentions.len() > 100, "only {} names found: {mentions:?}", mentions.len());
    for known in ["TaskRepository", "CachedUsers", "EventPublisher"] {
        assert!(mentions.iter().any(|m| m.names == [known]), "{known} not among {mentions:?}");
        assert!(index.knows(known), "{known} not in the code index");
    }
    let files = documentation_files(&root);
    assert!(files.contains(&root.join("crates/domain/README.md")), "{files:?}");
}

#[test]
fn every_not_rust_entry_is_still_named_by_a_doc_and_is_no_code_item() {
    let root = workspace_root();
    let index = real_index(&root);
    let named: BTreeSet<String> = documentation_files(&root)
        .iter()
        .flat_map(|f| name_mentions(&std::fs::read_to_string(f).unwrap()))
        .flat_map(|m| m.names)
        .collect();
    for entry in NOT_RUST {
        assert!(named.contains(*entry), "NOT_RUST lists `{entry}`, which no doc names any more");
        assert!(!index.knows(entry), "`{entry}` is a code item: check it, do not allow-list it");
    }
}

const CODE: &str = r##"
//! `Phantom` and `ghost()` are only in comments, so they do not count.
use std::sync::Arc;
use crate::{
    ports::{Imported, AlsoImported},
};
/// `DocOnly` neither.
pub struct Widget {
    pub(crate) size: u32,
    colour: Colour, // `CommentTail`
}
pub enum Colour {
    Red,
    Green(u8),
    Blue { shade: u8 },
}
pub(crate) fn plus_micros(self) -> Self { self }
macro_rules! contract_tests { () => {} }
const NAME: &str = "a // not a comment"; const AFTER_STRING: u8 = 1;
fn caller<'a>() { let _ = taskforge_domain::clock::Remote::new(); let _c = '"'; fn after_char() {} }
/* `Block` */ static AFTER_BLOCK: u8 = 2;
"##;

#[test]
fn the_index_holds_definitions_fields_variants_and_imports_but_no_comment() {
    let index = CodeIndex::from_sources([CODE]);
    for present in [
        "Widget",
        "size",
        "colour",
        "Colour",
        "Red",
        "Green",
        "Blue",
        "plus_micros",
        "contract_tests",
        "NAME",
        "AFTER_STRING",
        "caller",
        "AFTER_BLOCK",
        "after_char",
        "Arc",
        "Imported",
        "AlsoImported",
        "Remote",
        "new",
        "Option",
    ] {
        assert!(index.knows(present), "{present} missing from {index:?}");
    }
    for absent in ["Phantom", "ghost", "DocOnly", "CommentTail", "Block", "Frobnicator"] {
        assert!(!index.knows(absent), "{absent} should not be in {index:?}");
    }
}

const SAMPLE: &str = "\
# Sample

Real: `Widget`, `Colour::Red`, `plus_micros()`, `clock.rs::plus_micros`, `contract_tests!`.
Made up: `TaskFrobnicator`, `Colour::Mauve`, `frobnicate()`, `no_such_macro!`.
Paths into this repository: `crate::Widget`, `taskforge_domain::NoSuchThing`.
Dependencies and std are not ours: `tokio::task::spawn_blocking`, `std::sync::Arc`, `char::is_x`.
Generics and arguments: `Arc<dyn Widget>`, `Widget::new(size, colour)`, `Colour::Green(…)`.
Not items: `GET`, `ETag`, `snake_case_word`, `count(*)`, `rate(x[5m])`, `a b`, `VmRSS`.

```rust
let x = Undefined::in_a_fence();
```
";

#[test]
fn the_extractor_finds_the_names_a_span_holds() {
    let found: Vec<(usize, Vec<String>)> =
        name_mentions(SAMPLE).into_iter().map(|m| (m.line, m.names)).collect();
    let expected: Vec<(usize, Vec<&str>)> = vec![
        (3, vec!["Widget"]),
        (3, vec!["Colour", "Red"]),
        (3, vec!["plus_micros"]),
        (3, vec!["plus_micros"]),
        (3, vec!["contract_tests"]),
        (4, vec!["TaskFrobnicator"]),
        (4, vec!["Colour", "Mauve"]),
        (4, vec!["frobnicate"]),
        (4, vec!["no_such_macro"]),
        (5, vec!["Widget"]),
        (5, vec!["NoSuchThing"]),
        (7, vec!["Arc"]),
        (7, vec!["Widget", "new"]),
        (7, vec!["Colour", "Green"]),
        (8, vec!["VmRSS"]),
    ];
    let expected: Vec<(usize, Vec<String>)> = expected
        .into_iter()
        .map(|(l, n)| (l, n.into_iter().map(str::to_owned).collect()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn a_made_up_name_is_reported_with_its_file_line_and_span() {
    let index = CodeIndex::from_sources([CODE]);
    let no_modules = |_: &str, _: &[String]| Ok(());
    let unknown = unknown_names(&index, &no_modules, "docs/sample.md", SAMPLE);
    assert_eq!(
        unknown,
        [
            "docs/sample.md:4: `TaskFrobnicator` names `TaskFrobnicator`",
            "docs/sample.md:4: `Colour::Mauve` names `Mauve`",
            "docs/sample.md:4: `frobnicate()` names `frobnicate`",
            "docs/sample.md:4: `no_such_macro!` names `no_such_macro`",
            "docs/sample.md:5: `taskforge_domain::NoSuchThing` names `NoSuchThing`",
        ]
    );
}

#[test]
fn a_workspace_path_is_followed_through_the_modules_of_its_crate() {
    let root = workspace_root();
    let modules = real_modules(&root);
    let path = |p: &str| p.split("::").map(str::to_owned).collect::<Vec<_>>();
    for good in [
        "ports::TaskRepository",
        "ports::TaskRepository::get",
        "ports::Clock",
        "Clock",
        "services::UserService::actor",
        "ports",
    ] {
        assert_eq!(modules("taskforge_domain", &path(good)), Ok(()), "{good}");
    }
    for good in ["contract_tests", "contract::ALL", "Delegating", "fixtures"] {
        assert_eq!(modules("taskforge_testkit", &path(good)), Ok(()), "{good}");
    }
    let wrong = modules("taskforge_domain", &path("ports::Timestamp")).unwrap_err();
    assert!(
        wrong.starts_with(
            "`Timestamp` is neither a module nor an item of `taskforge_domain::ports`"
        ),
        "{wrong}"
    );
    assert!(modules("taskforge_domain", &path("no_such_module::Thing")).is_err());
    assert!(modules("taskforge_nothing", &path("Thing")).is_err());
}

#[test]
fn a_workspace_path_that_cannot_be_followed_is_reported_with_its_file_and_line() {
    let root = workspace_root();
    let index = real_index(&root);
    let modules = real_modules(&root);
    let doc = "One: `taskforge_domain::ports::TaskRepository`.\nTwo: `taskforge_domain::ports::Timestamp`.\n";
    let unknown = unknown_names(&index, &modules, "docs/sample.md", doc);
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(
        unknown[0].starts_with(
            "docs/sample.md:2: `taskforge_domain::ports::Timestamp`: `Timestamp` is neither"
        ),
        "{unknown:?}"
    );
}

/// The `from_fn` middleware of `crates/http/src/app.rs`, outermost first (the last `wrap` is
/// the outermost).
fn stacked_middleware(app_rs: &str) -> Vec<String> {
    let mut names: Vec<String> = app_rs
        .lines()
        .filter_map(|l| l.trim().strip_prefix(".wrap(from_fn("))
        .map(|rest| rest.trim_end_matches(')').to_owned())
        .collect();
    names.reverse();
    names
}

/// The first backticked name of each item of step 5 of `docs/architecture.md`'s request walk.
fn documented_middleware(architecture_md: &str) -> Vec<String> {
    let start = architecture_md.find("**Middleware, outermost first**").unwrap();
    let section = &architecture_md[start..];
    let end = section.find("**Routing.**").unwrap();
    section[..end]
        .lines()
        .filter(|l| l.trim_start().split_once(". ").is_some_and(|(n, _)| n.parse::<u32>().is_ok()))
        .filter_map(|l| l.split('`').nth(1).map(str::to_owned))
        .collect()
}

#[test]
fn the_architecture_doc_gives_the_middleware_in_the_order_app_rs_stacks_it() {
    let root = workspace_root();
    let app = std::fs::read_to_string(root.join("crates/http/src/app.rs")).unwrap();
    let doc = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    let stacked = stacked_middleware(&app);
    assert!(stacked.len() >= 5, "app.rs stacks only {stacked:?}");
    assert_eq!(
        documented_middleware(&doc),
        stacked,
        "docs/architecture.md, step 5, must list the middleware of crates/http/src/app.rs \
         outermost first"
    );
}
