//! The `postgres` scenario group: the same data and the same client on SQLite and on
//! PostgreSQL, and PostgreSQL served by one instance or by two sharing the database.
//!
//! The small seeded SQLite file is copied into a fresh PostgreSQL database with
//! `taskforge copy` (so both stores hold the same users, projects and tasks, with the same
//! ids), then four servers run: TaskForge on a copy of the SQLite file, and three TaskForge
//! instances on the PostgreSQL database. Each scenario — read by id, a 50-item list, durable
//! creates — runs the same `wrk` load against SQLite (the reference), one PostgreSQL instance,
//! and two PostgreSQL instances with the connections split evenly between their ports (two
//! `wrk` processes at once, their rates added). The third instance serves the two-instance
//! variant with the first: every variant's instances start alike and warm alike.
//!
//! The server comes from `TASKFORGE_TEST_POSTGRES_URL` (default: the local server); the
//! database is created with `psql` and dropped at the end.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::measure::{self, Scenario, ScenarioResult, Variant};
use crate::report::HighWater;
use crate::server::{Server, free_port};
use crate::wrk::Load;
use crate::{
    Binaries, Settings, create_load, finish_phase, get_load, list_path, login, page_items,
    read_load, seed, task_json, taskforge_command,
};

/// The server the database is created on when `TASKFORGE_TEST_POSTGRES_URL` is not set.
const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database created for the run on the PostgreSQL server, dropped when this is dropped.
struct BenchDatabase {
    admin: String,
    name: String,
    url: String,
}

impl BenchDatabase {
    fn create() -> anyhow::Result<Self> {
        let admin = std::env::var("TASKFORGE_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_SERVER.to_owned());
        let name = format!("taskforge_bench_{}", std::process::id());
        psql(&admin, &format!("DROP DATABASE IF EXISTS {name}"))?;
        psql(&admin, &format!("CREATE DATABASE {name}"))?;
        let url = with_database(&admin, &name);
        Ok(Self { admin, name, url })
    }
}

impl Drop for BenchDatabase {
    fn drop(&mut self) {
        let drop_it = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = psql(&self.admin, &drop_it) {
            eprintln!("  could not drop the benchmark database {}: {e:#}", self.name);
        }
    }
}

/// Runs one SQL command through `psql` on `url`.
fn psql(url: &str, sql: &str) -> anyhow::Result<()> {
    let output = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .output()
        .context("running psql (is PostgreSQL's client installed?)")?;
    if !output.status.success() {
        bail!("psql {sql:?} failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

/// `url` naming database `name` instead of the one it names.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.find('?').map_or((url, ""), |q| url.split_at(q));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..].find('/').map_or(base.len(), |i| authority + i);
    format!("{}/{name}{query}", &base[..path])
}

/// Copies the SQLite file `from` into the PostgreSQL database `to` with `taskforge copy`.
fn copy_into(taskforge: &Path, from: &Path, to: &str) -> anyhow::Result<()> {
    let output = Command::new(taskforge)
        .arg("copy")
        .arg("--from")
        .arg(from)
        .args(["--to", to])
        .env_remove("TASKFORGE_DATABASE")
        .output()
        .context("running taskforge copy")?;
    if !output.status.success() {
        bail!("taskforge copy failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

fn start(
    bins: &Binaries,
    dir: &Path,
    label: &str,
    database: &Path,
    settings: &Settings,
) -> anyhow::Result<Server> {
    let port = free_port()?;
    let command = taskforge_command(&bins.taskforge, database, port, "full", settings);
    Server::start(label, command, port, &dir.join(format!("{}.log", label.replace(' ', "-"))))
}

/// The variant of two instances: `load` against the first, the same with half the connections
/// against each port.
fn split(label: &str, first: usize, second: &Server, load: &Load) -> Variant {
    let half = (load.connections / 2).max(1);
    // `http://127.0.0.1:PORT/path?query` → `path?query`.
    let path = load
        .url
        .split_once("//")
        .and_then(|(_, rest)| rest.split_once('/'))
        .map_or("", |(_, path)| path);
    let other = Load {
        url: format!("http://127.0.0.1:{}/{path}", second.port),
        connections: half,
        ..load.clone()
    };
    Variant {
        label: label.to_owned(),
        server: first,
        load: Load { connections: half, ..load.clone() },
        burst: None,
        writer_counters: false,
        also: vec![other],
    }
}

fn alone(label: &str, server: usize, load: Load) -> Variant {
    Variant {
        label: label.to_owned(),
        server,
        load,
        burst: None,
        writer_counters: false,
        also: Vec::new(),
    }
}

/// The scenario group: SQLite (reference), PostgreSQL with one instance, with two.
pub fn phase(
    bins: &Binaries,
    dir: &Path,
    cache: &Path,
    settings: &Settings,
    failures: &mut Vec<String>,
    high_water: &mut Vec<HighWater>,
) -> anyhow::Result<Vec<ScenarioResult>> {
    eprintln!("== postgres: {} tasks on SQLite and on PostgreSQL", settings.small);
    let (seed_db, seeded) =
        seed::cached(&bins.taskforge, cache, settings.small, settings.logins, settings.iterations)?;
    let sqlite: PathBuf = dir.join("pg-phase-sqlite.db");
    seed::copy_db(&seed_db, &sqlite)?;
    let database = BenchDatabase::create()?;
    eprintln!("  copying the seeded database into PostgreSQL");
    copy_into(&bins.taskforge, &seed_db, &database.url)?;
    let pg = Path::new(&database.url);
    let mut servers = vec![
        start(bins, dir, "sqlite", &sqlite, settings)?,
        start(bins, dir, "postgres", pg, settings)?,
        start(bins, dir, "postgres B", pg, settings)?,
        start(bins, dir, "postgres C", pg, settings)?,
    ];
    let token = login(&servers[0])?;
    let pg_token = login(&servers[1])?;
    let project = seeded.projects.first().cloned().context("no project seeded")?;
    let project = project.as_str();
    let page1 = list_path(project, 50, None);
    // Same data, same answers: the comparison is of stores, not of contents.
    for server in &servers[1..] {
        if page_items(&servers[0], &token, &page1)? != page_items(server, &pg_token, &page1)? {
            failures
                .push(format!("postgres: {} lists page 1 differently from SQLite", server.label));
        }
    }
    if let Some(id) = seeded.read_ids.first()
        && task_json(&servers[0], &token, id)? != task_json(&servers[1], &pg_token, id)?
    {
        failures.push(format!("postgres: SQLite and PostgreSQL answer {id} differently"));
    }
    let ids_file = dir.join("pg-read-ids.txt");
    std::fs::write(
        &ids_file,
        seeded.read_ids.iter().map(|id| format!("{id}\n")).collect::<String>(),
    )?;
    let d = settings.duration();
    let c = settings.connections;
    let (lite, one, two, three) = (&servers[0], &servers[1], &servers[2], &servers[3]);
    let group = |key: &str, title: String, of: &dyn Fn(&Server, &str) -> Load| Scenario {
        key: key.to_owned(),
        title,
        reference: 0,
        variants: vec![
            alone("sqlite", 0, of(lite, &token)),
            alone("postgres", 1, of(one, &pg_token)),
            split("postgres ×2", 2, three, &of(two, &pg_token)),
        ],
    };
    let scenarios = [
        group(
            "pg_read_by_id",
            format!("GET /api/v1/tasks/{{id}}: SQLite, PostgreSQL, PostgreSQL ×2 instances, c={c}"),
            &|s, t| read_load(s, &ids_file, t, c, d),
        ),
        group(
            "pg_list_page1",
            format!(
                "GET /api/v1/tasks?project_id&status&sort=-priority, 50 items, {} tasks: SQLite, \
                 PostgreSQL, PostgreSQL ×2 instances, c={c}",
                settings.small
            ),
            &|s, t| get_load(s, &page1, t, c, d),
        ),
        group(
            "pg_create",
            format!(
                "POST /api/v1/tasks (durable creates): SQLite FULL, PostgreSQL, PostgreSQL ×2 \
                 instances, c={c}"
            ),
            &|s, t| create_load(s, project, t, c, d),
        ),
    ];
    let mut results = Vec::new();
    for scenario in scenarios.iter().filter(|s| settings.runs(&s.key)) {
        let result = measure::run(&mut servers, scenario, settings.runs)?;
        failures.extend(result.failures.iter().map(|f| format!("{}: {f}", result.key)));
        results.push(result);
    }
    finish_phase("postgres", &servers, failures, high_water);
    drop(servers);
    drop(database);
    Ok(results)
}

/// The ratio of two instances to one on PostgreSQL, per scenario, for the report.
pub fn two_to_one(results: &[ScenarioResult]) -> Vec<(String, f64)> {
    results
        .iter()
        .filter_map(|s| {
            let one = s.variant("postgres")?.median.rps;
            let two = s.variant("postgres ×2")?.median.rps;
            (one > 0.0).then(|| (s.key.clone(), two / one))
        })
        .collect()
}
