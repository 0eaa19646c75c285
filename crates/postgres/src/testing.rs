//! Throwaway databases for tests (feature `testing`): each test gets a database of its own,
//! created on the server named by `TASKFORGE_TEST_POSTGRES_URL` (default: the local server,
//! `postgres://postgres@127.0.0.1:5432/postgres`) and dropped when the test is done, so tests
//! run in parallel and leave nothing behind (adr/0017-migrations-per-dialect.md).
//!
//! When no server answers there, and PostgreSQL's `initdb` and `pg_ctl` are on `PATH`, the
//! first test of the process starts a throwaway cluster of its own (in a temporary directory,
//! on a free port, without fsync) and every test of the process uses it; a watchdog stops it
//! and removes it once the test process is gone. (`initdb` refuses to run as root: as root,
//! the cluster runs as the `postgres` user, through `runuser`.)
//!
//! With neither, the test is skipped with one loud `SKIPPED` line on stderr — unless
//! `TASKFORGE_REQUIRE_POSTGRES=1` (set by `.ci/run`), which makes it fail instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::OnceLock;

use tokio::sync::OnceCell;
use tokio_postgres::NoTls;

/// The server tests use when `TASKFORGE_TEST_POSTGRES_URL` is not set.
pub const DEFAULT_TEST_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The administrative URL tests create their databases through.
#[must_use]
pub fn server_url() -> String {
    std::env::var("TASKFORGE_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_TEST_URL.to_owned())
}

/// True when `TASKFORGE_REQUIRE_POSTGRES=1`: a missing server fails the test run.
#[must_use]
pub fn required() -> bool {
    std::env::var("TASKFORGE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// `url` naming database `name` instead of the one it names.
#[must_use]
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.find('?') {
        Some(q) => url.split_at(q),
        None => (url, ""),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..].find('/').map_or(base.len(), |i| authority_start + i);
    format!("{}/{name}{query}", &base[..path_start])
}

/// A database created for one test, dropped (with any connection still open to it) when this
/// value is dropped.
#[derive(Debug)]
pub struct ThrowawayDatabase {
    server: String,
    name: String,
    url: String,
}

impl ThrowawayDatabase {
    /// Creates an empty database with a unique name. `None` (after one loud `SKIPPED` line on
    /// stderr) when no PostgreSQL server answers.
    ///
    /// # Panics
    /// When no server answers and `TASKFORGE_REQUIRE_POSTGRES=1`, or when the server answers
    /// but refuses to create a database.
    #[allow(clippy::panic)]
    pub async fn create() -> Option<Self> {
        let configured = server_url();
        let (client, server) = match connect(&configured).await {
            Ok(client) => (client, configured),
            Err(e) => match own_cluster().await {
                Some(url) => match connect(url).await {
                    Ok(client) => (client, url.clone()),
                    Err(e) => panic!("the throwaway PostgreSQL cluster does not answer: {e}"),
                },
                None => {
                    let shown = crate::redact_url(&configured);
                    assert!(
                        !required(),
                        "TASKFORGE_REQUIRE_POSTGRES=1 but no PostgreSQL server answers at \
                         {shown}, and initdb/pg_ctl are not available to start one: {e}"
                    );
                    announce_skip(&shown, &e);
                    return None;
                }
            },
        };
        let name = format!("tf_test_{}", uuid::Uuid::now_v7().simple());
        // An identifier cannot be a bound parameter; this one is ours (a fixed prefix and hex
        // digits), never input, and quoted.
        let created = client.batch_execute(&format!("CREATE DATABASE \"{name}\"")).await;
        if let Err(e) = created {
            panic!("PostgreSQL at {} refused CREATE DATABASE: {e}", crate::redact_url(&server));
        }
        let url = with_database(&server, &name);
        Some(Self { server, name, url })
    }

    /// The URL of the throwaway database.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ThrowawayDatabase {
    fn drop(&mut self) {
        let server = self.server.clone();
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        // Drop runs inside the test's runtime, which cannot be blocked on from within: a
        // thread with a runtime of its own does the work, and the drop waits for it so the
        // database is gone before the test counts as done.
        let worker = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(client) = connect(&server).await {
                    drop(client.batch_execute(&sql).await);
                }
            });
        });
        drop(worker.join());
    }
}

/// The URL of this process's own throwaway cluster, started on first use; `None` when
/// `initdb` or `pg_ctl` is missing or the cluster cannot be started (said on stderr).
async fn own_cluster() -> Option<&'static String> {
    static CLUSTER: OnceCell<Option<String>> = OnceCell::const_new();
    CLUSTER
        .get_or_init(|| async {
            tokio::task::spawn_blocking(|| match start_cluster() {
                Ok(url) => Some(url),
                Err(why) => {
                    let line = format!("taskforge tests: no throwaway PostgreSQL cluster: {why}\n");
                    drop(std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes()));
                    None
                }
            })
            .await
            .ok()
            .flatten()
        })
        .await
        .as_ref()
}

/// `name` on `PATH`, or in the usual Debian location of PostgreSQL's programs.
fn program(name: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).map(|dir| dir.join(name)).collect::<Vec<_>>())
        .unwrap_or_default();
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .map(|versions| versions.flatten().map(|v| v.path().join("bin").join(name)).collect())
        .unwrap_or_else(|_| Vec::new());
    on_path.into_iter().chain(debian).find(|p| p.is_file())
}

/// Runs `program args…`, as the `postgres` user when `as_postgres`.
fn run(as_postgres: bool, program: &Path, args: &[&str]) -> Result<(), String> {
    let mut command = if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    let output = command
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} failed ({}): {}",
            program.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// True when `initdb` and `pg_ctl` can be found, so a throwaway cluster can be started.
#[must_use]
pub fn can_start_cluster() -> bool {
    program("initdb").is_some() && program("pg_ctl").is_some()
}

/// Starts a throwaway cluster: `initdb` and `pg_ctl start` in a fresh temporary directory, and
/// a watchdog that stops and removes the cluster when this process ends. Blocking (seconds).
/// Returns the cluster's URL.
///
/// # Errors
/// Why no cluster could be started (a program missing or failing, no free port).
pub fn start_cluster() -> Result<String, String> {
    let initdb = program("initdb").ok_or("initdb is not installed")?;
    let pg_ctl = program("pg_ctl").ok_or("pg_ctl is not installed")?;
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let dir = std::env::temp_dir().join(format!("taskforge-pg-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if root {
        // initdb refuses root; the cluster belongs to the postgres user.
        run(false, Path::new("chown"), &["postgres", &dir.display().to_string()])?;
    }
    let data = dir.join("data");
    let data_arg = data.display().to_string();
    run(root, &initdb, &["-D", &data_arg, "-U", "postgres", "-A", "trust", "--no-sync"])?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
        dir.display()
    );
    let log = dir.join("log").display().to_string();
    run(root, &pg_ctl, &["-D", &data_arg, "-o", &options, "-l", &log, "-w", "start"])?;
    // The watchdog outlives this process: once it is gone, stop the cluster and remove it.
    let stop = format!(
        "{} {} -D {data_arg} -m immediate stop",
        if root { "runuser -u postgres --" } else { "" },
        pg_ctl.display()
    );
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = dir.display()
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the cluster's watchdog: {e}"))?;
    Ok(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
}

async fn connect(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let mut config = tokio_postgres::Config::from_str(url)?;
    config.connect_timeout(std::time::Duration::from_secs(3));
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

fn announce_skip(shown: &str, e: &tokio_postgres::Error) {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        // Written to the stream itself, not with `eprintln!`, which the test harness captures
        // (and shows only for failing tests): a skip must be seen.
        let line = format!(
            "\n*** SKIPPED: PostgreSQL tests — no server answers at {shown} ({e}). Set \
             TASKFORGE_TEST_POSTGRES_URL, or TASKFORGE_REQUIRE_POSTGRES=1 to fail instead. ***\n"
        );
        drop(std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes()));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_of_a_url_is_replaced() {
        assert_eq!(with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
        assert_eq!(
            with_database("postgresql://u:p@h/db?sslmode=disable", "x"),
            "postgresql://u:p@h/x?sslmode=disable"
        );
    }
}
