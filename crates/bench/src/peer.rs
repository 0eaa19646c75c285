//! The peer stack: TaskForge against the textbook Python service for the same API (Flask, the
//! standard library's sqlite3 and PyJWT under gunicorn with 2 workers × 4 threads,
//! `crates/bench/peer/app.py`), on copies of the same seeded database, in the same run.
//!
//! Where the bare baseline shows what TaskForge's own code costs over the least a Rust server
//! must do, the peer shows what choosing this stack buys over the stack a small team would
//! reach for first. The peer checks what a real service checks (the token's signature, issuer,
//! audience and expiry with the same key; membership), and answers with the same JSON, which
//! the phase compares before measuring.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::measure::{self, Scenario, ScenarioResult};
use crate::report::HighWater;
use crate::server::{Server, free_port};
use crate::{
    Binaries, JWT_SECRET, Settings, create_load, finish_phase, get_load, list_path, login,
    page_items, read_load, seed, start_taskforge, target_dir, task_json, variant, workspace,
};

/// The scenarios of this phase, by key.
pub const KEYS: [&str; 3] = ["peer_read_by_id", "peer_list_small_page1", "peer_create"];

/// The peer's source and its pinned requirements.
fn peer_dir() -> PathBuf {
    workspace().join("crates/bench/peer")
}

/// A virtual environment with the pinned requirements, created or brought up to date (a no-op
/// when `installed-requirements.txt` already matches): `target/bench/peer-venv`.
fn ensure_installed() -> anyhow::Result<PathBuf> {
    let venv = target_dir()?.join("bench/peer-venv");
    let requirements = peer_dir().join("requirements.txt");
    let wanted = std::fs::read(&requirements)
        .with_context(|| format!("reading {}", requirements.display()))?;
    let stamp = venv.join("installed-requirements.txt");
    if std::fs::read(&stamp).ok().as_deref() == Some(wanted.as_slice()) {
        return Ok(venv);
    }
    let python = std::env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
    eprintln!("installing the peer stack into {}", venv.display());
    run(Command::new(&python).arg("-m").arg("venv").arg(&venv), "python3 -m venv")?;
    run(
        Command::new(venv.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
        "pip install -r crates/bench/peer/requirements.txt",
    )?;
    std::fs::write(&stamp, wanted)?;
    Ok(venv)
}

fn run(command: &mut Command, what: &str) -> anyhow::Result<()> {
    let status = command.status().with_context(|| format!("running {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// gunicorn serving the peer on `port`, 2 workers × 4 threads, on `database`.
fn command(venv: &Path, database: &Path, port: u16) -> Command {
    let mut command = Command::new(venv.join("bin/gunicorn"));
    command
        .current_dir(peer_dir())
        .args(["--workers", "2", "--threads", "4", "--worker-class", "gthread"])
        .args(["--bind", &format!("127.0.0.1:{port}"), "--log-level", "warning"])
        .arg("app:app")
        .env("PEER_DATABASE", database)
        .env("PEER_JWT_SECRET", JWT_SECRET)
        .env("PEER_SYNCHRONOUS", "full")
        // Python must not write bytecode caches into the source tree.
        .env("PYTHONDONTWRITEBYTECODE", "1");
    command
}

/// The phase: TaskForge (FULL) and the peer on two copies of the small database, the three
/// requests of the comparison, each reported relative to the peer.
pub fn phase(
    bins: &Binaries,
    dir: &Path,
    cache: &Path,
    settings: &Settings,
    failures: &mut Vec<String>,
    high_water: &mut Vec<HighWater>,
) -> anyhow::Result<Vec<ScenarioResult>> {
    eprintln!(
        "== the peer stack (Flask + sqlite3 + PyJWT under gunicorn): {} tasks",
        settings.small
    );
    let venv = ensure_installed()?;
    let (seed_db, seeded) =
        seed::cached(&bins.taskforge, cache, settings.small, settings.logins, settings.iterations)?;
    let copy = |name: &str| -> anyhow::Result<PathBuf> {
        let path = dir.join(name);
        seed::copy_db(&seed_db, &path)?;
        Ok(path)
    };
    let taskforge =
        start_taskforge(bins, dir, "taskforge", &copy("peer-taskforge.db")?, "full", settings)?;
    let peer_port = free_port()?;
    let peer_db = copy("peer-python.db")?;
    let peer = Server::start(
        "peer",
        command(&venv, &peer_db, peer_port),
        peer_port,
        &dir.join("peer.log"),
    )?;
    let mut servers = vec![taskforge, peer];
    let token = login(&servers[0])?;
    let ids_file = dir.join("peer-read-ids.txt");
    std::fs::write(
        &ids_file,
        seeded.read_ids.iter().map(|id| format!("{id}\n")).collect::<String>(),
    )?;
    let project = seeded.projects.first().cloned().context("no project seeded")?;
    let project = project.as_str();
    let (tf, py) = (&servers[0], &servers[1]);
    let page1 = list_path(project, 50, None);
    if page_items(tf, &token, &page1)? != page_items(py, &token, &page1)? {
        failures.push("peer: TaskForge and the peer disagree on the 50-item page".to_owned());
    }
    if let Some(id) = seeded.read_ids.first()
        && task_json(tf, &token, id)? != task_json(py, &token, id)?
    {
        failures.push(format!("peer: the servers answer {id} with different JSON"));
    }
    let (d, c) = (settings.duration(), settings.connections);
    let versus_peer =
        |key: &str, title: String, load: &dyn Fn(&Server) -> crate::wrk::Load| Scenario {
            key: key.to_owned(),
            title,
            reference: 1,
            variants: vec![variant("taskforge", 0, load(tf)), variant("peer", 1, load(py))],
        };
    let scenarios = [
        versus_peer(
            KEYS[0],
            format!("GET /api/v1/tasks/{{id}} against the Python peer, c={c}"),
            &|s| read_load(s, &ids_file, &token, c, d),
        ),
        versus_peer(
            KEYS[1],
            format!("the 50-item list against the Python peer, {} tasks, c={c}", settings.small),
            &|s| get_load(s, &page1, &token, c, d),
        ),
        versus_peer(
            KEYS[2],
            format!("POST /api/v1/tasks (durable) against the Python peer, c={c}"),
            &|s| create_load(s, project, &token, c, d),
        ),
    ];
    let mut results = Vec::new();
    for scenario in scenarios.iter().filter(|s| settings.runs(&s.key)) {
        let result = measure::run(&mut servers, scenario, settings.runs)?;
        failures.extend(result.failures.iter().map(|f| format!("{}: {f}", result.key)));
        results.push(result);
    }
    // The peer's memory is spread over gunicorn's worker processes, so only TaskForge's is
    // recorded; the peer's log is searched for what Python reports when a request fails.
    finish_phase("peer", &servers[..1], failures, high_water);
    let peer_log = std::fs::read_to_string(dir.join("peer.log")).unwrap_or_default();
    failures.extend(
        peer_log
            .lines()
            .filter(|l| l.contains("Traceback") || l.contains("[ERROR]"))
            .map(|l| format!("peer: peer logged: {l}")),
    );
    Ok(results)
}
