//! Crash safety: the real binary under concurrent writes from many clients
//! is killed with SIGKILL at a random moment and restarted on the same file; every write that
//! was acknowledged with a 2xx must be there, no move may be half applied, and SQLite must
//! find the file intact. Repeated for several random kill points.
//!
//! Each client owns the task trees it creates (a parent and 2–3 subtasks) and changes them one
//! request at a time, so it knows exactly what every acknowledged request left behind. The
//! one request a client has in flight when the server dies may or may not have been applied;
//! both outcomes are accepted, but only as a whole (a move applies to the entire tree or not
//! at all). Everything else must match exactly.
//!
//! Every kill point prints its seed. `E2E_CRASH_SEEDS=1,2,3` replays chosen seeds (the seed
//! fixes the mix of requests and the kill delay; the scheduling of the machine still varies).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use e2e::{Caller, TestApp, id_of, unique};
use futures_util::future::join_all;
use reqwest::Method;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Value, json};

/// Kill points in one run (CI runs them all).
const KILL_POINTS: usize = 5;
/// Concurrent clients writing while the server is killed.
const CLIENTS: u64 = 8;
/// Acknowledged writes to wait for before the random kill delay starts, so that every kill
/// point has something to lose.
const MIN_ACKED_BEFORE_KILL: usize = 40;
/// The random delay after that, in milliseconds (upper bound, exclusive).
const MAX_KILL_DELAY_MS: u64 = 1_500;
/// Production durability: an acknowledged commit has been fsynced (the harness defaults to
/// `normal` for speed; this test is about the real setting).
const ENV: [(&str, &str); 1] = [("TASKFORGE_SYNCHRONOUS", "full")];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill_at_random_moments_and_moves_stay_whole() {
    let seeds = seeds();
    println!("crash kill-point seeds: {seeds:?} (replay with E2E_CRASH_SEEDS=...)");
    for (point, seed) in seeds.into_iter().enumerate() {
        let started = Instant::now();
        let outcome = kill_point(seed).await;
        println!(
            "kill point {point} (seed {seed}): killed after {} ms with {} writes acknowledged, \
             {} in flight ({} of them applied); {} tasks checked; {:.1} s",
            outcome.killed_after_ms,
            outcome.acknowledged,
            outcome.in_flight,
            outcome.applied,
            outcome.tasks_checked,
            started.elapsed().as_secs_f64()
        );
    }
}

/// What one kill point did, for the test's output.
struct Outcome {
    killed_after_ms: u128,
    acknowledged: usize,
    in_flight: usize,
    /// How many of the requests in flight at the kill turned out applied.
    applied: usize,
    tasks_checked: usize,
}

/// One kill point: load, SIGKILL, restart on the same file, check.
async fn kill_point(seed: u64) -> Outcome {
    let app = Arc::new(TestApp::spawn_with(&ENV).await);
    let projects = [app.new_project().await, app.new_project().await];
    let acked = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| {
            let (app, projects, acked) = (Arc::clone(&app), projects.clone(), Arc::clone(&acked));
            tokio::spawn(run_client(app, projects, acked, seed ^ (n + 1).wrapping_mul(0x9E37)))
        })
        .collect();

    // The kill: after enough acknowledgements, then a random delay into the load.
    let load_started = Instant::now();
    let deadline = load_started + Duration::from_secs(30);
    while acked.load(Ordering::SeqCst) < MIN_ACKED_BEFORE_KILL {
        assert!(Instant::now() < deadline, "seed {seed}: the load acknowledged too little");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let delay = Rng::new(seed).below(MAX_KILL_DELAY_MS);
    tokio::time::sleep(Duration::from_millis(delay)).await;
    let status = app.server.kill_hard();
    assert!(!status.success(), "seed {seed}: SIGKILL ends the process ({status})");
    let killed_after_ms = load_started.elapsed().as_millis();

    let mut ledgers = Vec::new();
    for client in clients {
        ledgers.push(client.await.expect("a client ran without failing an assertion"));
    }
    let acknowledged = ledgers.iter().map(|l| l.acknowledged).sum();
    let in_flight = ledgers.iter().filter(|l| l.pending.is_some()).count();

    // Restart on the same file, as an operator would after a crash.
    let again = app.restarted(&ENV);
    let (tasks_checked, mut applied) = check_integrity_and_counts(&again, &ledgers, seed);
    for ledger in &ledgers {
        applied += usize::from(check_ledger(&again, ledger, &projects, seed).await);
    }
    // The recovered database takes writes again.
    let body = json!({"project_id": projects[0], "title": unique("After the crash")});
    again.create_task(&again.people.editor, &body).await.expect(201);
    Outcome { killed_after_ms, acknowledged, in_flight, applied, tasks_checked }
}

// --- the load -------------------------------------------------------------------------------

/// A task as its last acknowledged write left it.
#[derive(Debug, Clone)]
struct Known {
    id: String,
    title: String,
    version: u64,
}

/// A parent task and its subtasks, all in `project` (an index into the two projects).
#[derive(Debug, Clone)]
struct Tree {
    project: usize,
    tasks: Vec<Known>,
}

/// The request a client had sent when the server died: it may or may not have been applied.
#[derive(Debug, Clone)]
enum Pending {
    /// A create (a new parent, or a subtask of tree `.0`'s parent): the task may exist.
    Create,
    /// `PATCH` of task `.1` of tree `.0` to title `.2`.
    Update(usize, usize, String),
    /// A move of tree `.0` to project `.1`.
    Move(usize, usize),
}

/// Everything one client was told by the server, and what it had in flight at the end.
#[derive(Debug, Default)]
struct Ledger {
    trees: Vec<Tree>,
    acknowledged: usize,
    pending: Option<Pending>,
}

/// Writes until a request gets no response (the server is gone), recording every 2xx.
async fn run_client(
    app: Arc<TestApp>,
    projects: [String; 2],
    acked: Arc<AtomicUsize>,
    seed: u64,
) -> Ledger {
    let who = app.people.editor.clone();
    let mut rng = Rng::new(seed);
    let mut ledger = Ledger::default();
    loop {
        let roll = rng.below(100);
        let step = if ledger.trees.is_empty() || roll < 30 {
            create_tree(&app, &who, &projects, &mut rng, &mut ledger, &acked).await
        } else if roll < 75 {
            update_one(&app, &who, &mut rng, &mut ledger, &acked).await
        } else {
            move_one(&app, &who, &projects, &mut rng, &mut ledger, &acked).await
        };
        if step.is_err() {
            return ledger;
        }
    }
}

impl Ledger {
    /// Records that the pending request was answered with a 2xx (its effect is recorded by
    /// the caller).
    fn acknowledge(&mut self, acked: &AtomicUsize) {
        self.pending = None;
        self.acknowledged += 1;
        acked.fetch_add(1, Ordering::SeqCst);
    }
}

/// Sends `call`; a response must be `status` (any other answer is a failure of the test), no
/// response at all is `Err` (the server died with the request in flight).
async fn exchange(call: e2e::app::Call<'_>, status: u16) -> Result<Value, String> {
    let reply = call.try_send().await?;
    Ok(reply.expect(status))
}

/// A parent in a random project, then 2–3 subtasks; each create is one acknowledged write.
async fn create_tree(
    app: &TestApp,
    who: &Caller,
    projects: &[String; 2],
    rng: &mut Rng,
    ledger: &mut Ledger,
    acked: &AtomicUsize,
) -> Result<(), String> {
    let project = usize::from(rng.below(2) == 1);
    let subtasks = 2 + rng.below(2);
    let title = unique("Parent");
    let body = json!({"project_id": projects[project], "title": title});
    ledger.pending = Some(Pending::Create);
    let parent = exchange(app.call(Method::POST, "/api/v1/tasks").by(who).json(&body), 201).await?;
    let root = Known { id: id_of(&parent), title, version: 1 };
    ledger.trees.push(Tree { project, tasks: vec![root.clone()] });
    ledger.acknowledge(acked);
    for _ in 0..subtasks {
        let title = unique("Subtask");
        let body = json!({"project_id": projects[project], "title": title, "parent_id": root.id});
        ledger.pending = Some(Pending::Create);
        let created =
            exchange(app.call(Method::POST, "/api/v1/tasks").by(who).json(&body), 201).await?;
        assert_eq!(created["parent_id"], root.id.as_str(), "{created}");
        let tree = ledger.trees.last_mut().expect("the tree just pushed");
        tree.tasks.push(Known { id: id_of(&created), title, version: 1 });
        ledger.acknowledge(acked);
    }
    Ok(())
}

/// `PATCH` of one task of one of the client's trees to a new title.
async fn update_one(
    app: &TestApp,
    who: &Caller,
    rng: &mut Rng,
    ledger: &mut Ledger,
    acked: &AtomicUsize,
) -> Result<(), String> {
    let tree = index_below(rng, ledger.trees.len());
    let task = index_below(rng, ledger.trees[tree].tasks.len());
    let known = ledger.trees[tree].tasks[task].clone();
    let title = unique("Updated");
    ledger.pending = Some(Pending::Update(tree, task, title.clone()));
    let path = format!("/api/v1/tasks/{}", known.id);
    let call = app.call(Method::PATCH, path).by(who).json(&json!({"title": title}));
    let updated = exchange(call, 200).await?;
    assert_eq!(updated["title"], title.as_str(), "{updated}");
    assert_eq!(updated["version"], known.version + 1, "{updated}");
    ledger.trees[tree].tasks[task] = Known { title, version: known.version + 1, ..known };
    ledger.acknowledge(acked);
    Ok(())
}

/// Moves one of the client's trees (the parent, and with it its subtasks) to the other project.
async fn move_one(
    app: &TestApp,
    who: &Caller,
    projects: &[String; 2],
    rng: &mut Rng,
    ledger: &mut Ledger,
    acked: &AtomicUsize,
) -> Result<(), String> {
    let tree = index_below(rng, ledger.trees.len());
    let to = 1 - ledger.trees[tree].project;
    let root = ledger.trees[tree].tasks[0].clone();
    ledger.pending = Some(Pending::Move(tree, to));
    let path = format!("/api/v1/tasks/{}/move", root.id);
    let call = app.call(Method::POST, path).by(who).json(&json!({"project_id": projects[to]}));
    let moved = exchange(call, 200).await?;
    assert_eq!(moved["project_id"], projects[to].as_str(), "{moved}");
    assert_eq!(moved["version"], root.version + 1, "{moved}");
    let tree = &mut ledger.trees[tree];
    tree.project = to;
    for task in &mut tree.tasks {
        task.version += 1;
    }
    ledger.acknowledge(acked);
    Ok(())
}

// --- the checks after the restart -------------------------------------------------------------

/// SQLite's own checks on the file, no subtask in another project than its parent, and as
/// many tasks as were acknowledged (plus at most the creates in flight). Returns that count
/// and how many of the creates in flight were applied.
fn check_integrity_and_counts(app: &TestApp, ledgers: &[Ledger], seed: u64) -> (usize, usize) {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(app.server.database(), flags)
        .expect("the database opens read-only");
    let one = |sql: &str| -> String {
        conn.query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| match v {
                rusqlite::types::Value::Integer(n) => n.to_string(),
                rusqlite::types::Value::Text(t) => t,
                other => format!("{other:?}"),
            })
            .unwrap_or_else(|e| panic!("seed {seed}: {sql}: {e}"))
    };
    assert_eq!(one("PRAGMA integrity_check"), "ok", "seed {seed}");
    assert_eq!(one("SELECT count(*) FROM pragma_foreign_key_check"), "0", "seed {seed}");
    let split = "SELECT count(*) FROM tasks c JOIN tasks p ON p.id = c.parent_id \
                 WHERE c.project_id <> p.project_id";
    assert_eq!(one(split), "0", "seed {seed}: a subtask is in another project than its parent");
    let stored: usize = one("SELECT count(*) FROM tasks").parse().expect("a count");
    let known: usize = ledgers.iter().flat_map(|l| &l.trees).map(|t| t.tasks.len()).sum();
    let creates_in_flight =
        ledgers.iter().filter(|l| matches!(l.pending, Some(Pending::Create))).count();
    assert!(
        (known..=known + creates_in_flight).contains(&stored),
        "seed {seed}: {stored} tasks stored, {known} creates acknowledged, \
         {creates_in_flight} in flight"
    );
    (stored, stored - known)
}

/// Every task of every tree of `ledger`, read through the API, is as the acknowledged writes
/// left it — or, for the one request in flight, as that request would have left it. Returns
/// whether that request (an update or a move) was applied.
async fn check_ledger(app: &TestApp, ledger: &Ledger, projects: &[String; 2], seed: u64) -> bool {
    let who = &app.people.editor;
    let mut pending_applied = false;
    for (t, tree) in ledger.trees.iter().enumerate() {
        let replies = join_all(tree.tasks.iter().map(|k| app.get_task(who, &k.id))).await;
        let stored: Vec<Value> = replies.iter().map(|r| r.expect(200)).collect();
        let what = |i: usize| format!("seed {seed}: tree {t} task {i} {:?}", tree.tasks[i]);
        // A move in flight applies to the whole tree or to none of it.
        let moved_to = match ledger.pending {
            Some(Pending::Move(tree_of, to)) if tree_of == t => Some(to),
            _ => None,
        };
        let root_project = stored[0]["project_id"].as_str().expect("a project id");
        let applied = moved_to.is_some_and(|to| root_project == projects[to]);
        let project = if applied { 1 - tree.project } else { tree.project };
        pending_applied |= applied;
        for (i, (known, task)) in tree.tasks.iter().zip(&stored).enumerate() {
            assert_eq!(
                task["project_id"],
                projects[project].as_str(),
                "{}: every task of a tree is in one project",
                what(i)
            );
            let (mut version, mut title) = (known.version, known.title.clone());
            if applied {
                version += 1;
            }
            if let Some(Pending::Update(tree_of, task_of, new)) = &ledger.pending {
                let changed = task["title"] == new.as_str();
                if *tree_of == t && *task_of == i && changed {
                    pending_applied = true;
                    version += 1;
                    title.clone_from(new);
                }
            }
            assert_eq!(task["version"], version, "{}: {task}", what(i));
            assert_eq!(task["title"], title.as_str(), "{}: {task}", what(i));
            if i > 0 {
                assert_eq!(task["parent_id"], tree.tasks[0].id.as_str(), "{}", what(i));
            }
        }
    }
    pending_applied
}

// --- randomness -------------------------------------------------------------------------------

/// The seeds of this run: `E2E_CRASH_SEEDS` if set, else fresh ones from the clock.
fn seeds() -> Vec<u64> {
    if let Ok(list) = std::env::var("E2E_CRASH_SEEDS") {
        return list
            .split(',')
            .map(|s| s.trim().parse().expect("E2E_CRASH_SEEDS is a comma-separated list of u64"))
            .collect();
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_nanos();
    let mut rng = Rng::new(u64::try_from(now % u128::from(u64::MAX)).expect("fits"));
    (0..KILL_POINTS).map(|_| rng.next()).collect()
}

/// A uniform index below `len` (which is not 0).
fn index_below(rng: &mut Rng, len: usize) -> usize {
    let len = u64::try_from(len).expect("a small length");
    usize::try_from(rng.below(len)).expect("below a usize")
}

/// SplitMix64: tiny, seedable, good enough to pick requests and delays.
struct Rng(u64);

impl Rng {
    const fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}
