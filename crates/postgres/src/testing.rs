//! Throwaway databases for tests (feature `testing`): each test gets a database of its own,
//! created on the server named by `TASKFORGE_TEST_POSTGRES_URL` (default: the local server,
//! `postgres://postgres@127.0.0.1:5432/postgres`) and dropped when the test is done, so tests
//! run in parallel and leave nothing behind (adr/0017-migrations-per-dialect.md).
//!
//! When no server answers, the test is skipped with one loud `SKIPPED` line on stderr — unless
//! `TASKFORGE_REQUIRE_POSTGRES=1` (set by `.ci/run`), which makes it fail instead.

use std::str::FromStr;
use std::sync::OnceLock;

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
        let server = server_url();
        let client = match connect(&server).await {
            Ok(client) => client,
            Err(e) => {
                let shown = crate::redact_url(&server);
                assert!(
                    !required(),
                    "TASKFORGE_REQUIRE_POSTGRES=1 but no PostgreSQL server answers at {shown}: {e}"
                );
                announce_skip(&shown, &e);
                return None;
            }
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
