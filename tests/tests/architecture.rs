//! The dependency rule (`docs/architecture.md`, ADR 0001), checked on the real dependency graph.
//!
//! Arrows point inward only: `app → http, sqlite, postgres, memory, crypto → domain`. The domain imports
//! no framework and no I/O crate; adapters do not import each other. `cargo tree` is asked
//! rather than the manifests read, so a forbidden crate arriving transitively fails too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The names of every crate `package` pulls in for normal (non-dev, non-build) use.
fn normal_dependencies(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    let output = Command::new(cargo)
        .current_dir(workspace_root())
        .args(["tree", "-p", package, "-e", "normal", "--prefix", "none"])
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree -p {package} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

fn assert_free_of(package: &str, forbidden: &[&str]) {
    let deps = normal_dependencies(package);
    let found: Vec<&String> = deps
        .iter()
        .filter(|d| forbidden.iter().any(|f| d.as_str() == *f || d.starts_with(&format!("{f}-"))))
        .collect();
    assert!(found.is_empty(), "{package} must not depend on {found:?} (ADR 0001)");
}

/// The adapter crates that exist in this checkout (they arrive issue by issue).
fn present(crate_dir: &str) -> bool {
    workspace_root().join("crates").join(crate_dir).join("Cargo.toml").exists()
}

#[test]
fn the_domain_depends_on_no_framework_and_no_io_crate() {
    assert_free_of(
        "taskforge-domain",
        &[
            "actix",
            "actix-web",
            "rusqlite",
            "libsqlite3-sys",
            "r2d2",
            "r2d2_sqlite",
            "tokio-postgres",
            "deadpool-postgres",
            "tokio",
            "pbkdf2",
            "hmac",
            "sha2",
            "hyper",
            "axum",
            "reqwest",
            "mio",
        ],
    );
}

#[test]
fn the_domain_depends_on_no_other_taskforge_crate() {
    let deps = normal_dependencies("taskforge-domain");
    let internal: Vec<&String> =
        deps.iter().filter(|d| d.starts_with("taskforge-") && *d != "taskforge-domain").collect();
    assert!(internal.is_empty(), "the domain must not depend on {internal:?}");
}

#[test]
fn adapters_do_not_depend_on_each_other() {
    let adapters = [
        ("memory", "taskforge-memory"),
        ("sqlite", "taskforge-sqlite"),
        ("postgres", "taskforge-postgres"),
        ("crypto", "taskforge-crypto"),
        ("http", "taskforge-http"),
        // The web interface is a second driving adapter: it calls the domain's use cases
        // itself, never the JSON adapter nor a storage adapter.
        ("web", "taskforge-web"),
    ];
    for (dir, package) in adapters {
        if !present(dir) {
            continue;
        }
        let others: Vec<&str> = adapters
            .iter()
            .map(|(_, p)| *p)
            .chain(["taskforge-app"])
            .filter(|p| *p != package)
            .collect();
        let deps = normal_dependencies(package);
        let found: Vec<&String> = deps.iter().filter(|d| others.contains(&d.as_str())).collect();
        assert!(
            found.is_empty(),
            "{package} must not depend on {found:?}; only the app wires adapters"
        );
    }
}

/// The test kit is what an adapter outside this repository depends on: the domain and a
/// runtime of its own, never an adapter (an outside adapter would drag ours in).
#[test]
fn the_testkit_depends_on_the_domain_and_tokio_but_no_adapter() {
    let deps = normal_dependencies("taskforge-testkit");
    let internal: Vec<&String> = deps
        .iter()
        .filter(|d| {
            d.starts_with("taskforge-")
                && !["taskforge-testkit", "taskforge-domain"].contains(&d.as_str())
        })
        .collect();
    assert!(internal.is_empty(), "the test kit must not depend on {internal:?}");
    assert!(deps.iter().any(|d| d == "taskforge-domain"), "{deps:?}");
    assert!(deps.iter().any(|d| d == "tokio"), "the kit brings its own runtime: {deps:?}");
}

/// Every storage adapter runs the one suite from the kit, so all run the same tests; a file
/// that listed tests of its own, or ran an older copy, would fail here.
#[test]
fn every_storage_adapter_runs_the_whole_contract_suite_from_the_kit() {
    for adapter in ["memory", "sqlite", "postgres"] {
        if !present(adapter) {
            continue;
        }
        let path = workspace_root().join("crates").join(adapter).join("tests/contract.rs");
        let source = std::fs::read_to_string(&path).expect("the adapter has a contract test file");
        assert_eq!(
            source.matches("taskforge_testkit::contract_tests!(").count(),
            1,
            "{} must invoke taskforge_testkit::contract_tests! once",
            path.display()
        );
    }
}

#[test]
fn the_check_itself_sees_dependencies() {
    // Guards against a vacuous pass: the trees must list what we know is there.
    let deps = normal_dependencies("taskforge-memory");
    assert!(
        deps.iter().any(|d| d == "taskforge-domain"),
        "cargo tree output not understood: {deps:?}"
    );
    assert!(normal_dependencies("taskforge-domain").iter().any(|d| d == "uuid"));
}

#[test]
#[should_panic(expected = "must not depend on")]
fn a_forbidden_dependency_is_reported() {
    // The memory adapter does depend on uuid (through the domain): the check must say so.
    assert_free_of("taskforge-memory", &["uuid"]);
}

/// OWASP API7 (server-side request forgery) does not apply because the server makes no
/// outbound requests at all; this keeps it so: no HTTP client may enter the shipped binary.
#[test]
fn the_server_binary_contains_no_outbound_http_client() {
    assert_free_of(
        "taskforge-app",
        &["reqwest", "awc", "ureq", "hyper-util", "isahc", "surf", "attohttpc", "curl"],
    );
}

/// The `crate::` modules a source file of the SQLite adapter imports.
fn sqlite_imports(file: &str) -> Vec<String> {
    let path = workspace_root().join("crates/sqlite/src").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("use crate::"))
        .map(|rest| rest.split([':', ';']).next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn the_sqlite_connections_are_a_leaf_the_repositories_depend_on() {
    // The leaf knows only the writer, the file lock it keeps while open and the error mapping:
    // no repository, no database handle.
    for module in sqlite_imports("connections.rs") {
        assert!(
            ["error", "file_lock", "writer"].contains(&module.as_str()),
            "connections.rs imports {module}"
        );
    }
    // The repositories reach their connections through the leaf, never through the handle.
    for file in [
        "users.rs",
        "projects.rs",
        "categories.rs",
        "tasks.rs",
        "refresh_tokens.rs",
        "reports/mod.rs",
    ] {
        let imports = sqlite_imports(file);
        assert!(imports.iter().any(|m| m == "connections"), "{file} uses the connections");
        assert!(!imports.iter().any(|m| m == "database"), "{file} imports the database handle");
    }
}
