//! Test data, loaded through the fastest honest path: straight into the SQLite file, in one
//! transaction, **before** any server starts. The measured requests all go through HTTP.
//!
//! The schema is TaskForge's own: the file is created by `taskforge migrate` (the release
//! binary under test), so tables, indexes, triggers and the migration record are exactly what
//! the server expects. For speed the load drops the secondary indexes of `tasks` and
//! `task_labels` and the full-text insert trigger, inserts, and then re-creates every one of
//! them from the very SQL text SQLite stored for it (and rebuilds the full-text index), so the
//! finished file has the same schema, byte for byte, as one filled request by request.
//!
//! Contents (deterministic, from a fixed pseudo-random sequence): one editor `bench` who owns
//! and is a member of four projects; tasks spread over the projects round-robin with a status,
//! priority, due date (70 %) and zero to two labels drawn at random; titles and descriptions of
//! realistic length; and `burst00`, `burst01`, … — accounts that only log in (the login
//! burst). Every account has the same password, hashed once with TaskForge's own PBKDF2 adapter
//! at the iteration count the server is configured with (so no login needs a re-hash).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use taskforge_crypto::{Pbkdf2Config, Pbkdf2Hasher};
use taskforge_domain::ports::PasswordHasher as _;
use taskforge_domain::values::Password;
use uuid::Uuid;

/// The password of every seeded account.
pub const PASSWORD: &str = "benchmark passphrase 2026";
/// The user whose requests are measured.
pub const USER: &str = "bench";
/// How many projects the tasks are spread over.
const PROJECTS: usize = 4;
/// How many task ids the read-by-id scenario cycles through.
const READ_SAMPLE: usize = 1_000;
/// Bump when the generated contents change, so cached seeds are not reused.
const SEED_VERSION: u32 = 1;

const LABELS: [&str; 8] = ["backend", "frontend", "bug", "docs", "ops", "ux", "security", "perf"];
const WORDS: [&str; 16] = [
    "deploy",
    "review",
    "migrate",
    "refactor",
    "document",
    "test",
    "release",
    "audit",
    "design",
    "profile",
    "triage",
    "upgrade",
    "monitor",
    "archive",
    "translate",
    "benchmark",
];
const STATUSES: [&str; 3] = ["todo", "in_progress", "done"];

/// What the benchmark needs to know about a seeded file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Seeded {
    /// Tasks in the file.
    pub tasks: usize,
    /// The projects, the first being the one the listing scenarios filter on.
    pub projects: Vec<String>,
    /// Task ids the read scenarios cycle through (all visible to [`USER`]).
    pub read_ids: Vec<String>,
    /// Accounts for the login burst.
    pub burst_users: Vec<String>,
    /// Tasks of the first project with status `todo` (the listing filter).
    pub listed_matches: usize,
}

/// A small deterministic generator (xorshift64*): same data on every run and machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

/// A UUIDv7 for the instant `micros` with random bits from `rng` (ids sort by creation time).
fn uuid_v7(micros: i64, rng: &mut Rng) -> Uuid {
    let millis = u64::try_from(micros / 1000).unwrap_or(0);
    let random = rng.next().to_be_bytes();
    let random2 = rng.next().to_be_bytes();
    let mut bytes = [0_u8; 16];
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    bytes[6] = 0x70 | (random[0] & 0x0F);
    bytes[7] = random[1];
    bytes[8] = 0x80 | (random[2] & 0x3F);
    bytes[9..16].copy_from_slice(&random2[..7]);
    Uuid::from_bytes(bytes)
}

/// A seeded database file, taken from the cache in `cache_dir` when an identical one was made
/// before (same size, iterations, migrations and generator), else generated there. Returns the
/// cached file's path; callers copy it before letting a server write to it.
pub fn cached(
    taskforge: &Path,
    cache_dir: &Path,
    tasks: usize,
    burst_users: usize,
    iterations: u32,
) -> anyhow::Result<(PathBuf, Seeded)> {
    std::fs::create_dir_all(cache_dir)?;
    let migrations = migrations_fingerprint();
    let name = format!("seed-v{SEED_VERSION}-{tasks}-{burst_users}-{iterations}-{migrations:016x}");
    let db = cache_dir.join(format!("{name}.db"));
    let meta = cache_dir.join(format!("{name}.json"));
    if db.is_file()
        && meta.is_file()
        && let Ok(seeded) = serde_json::from_slice::<Seeded>(&std::fs::read(&meta)?)
    {
        eprintln!("  reusing the seeded database {}", db.display());
        return Ok((db, seeded));
    }
    let partial = cache_dir.join(format!("{name}.partial.db"));
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    let started = std::time::Instant::now();
    let seeded = generate(taskforge, &partial, tasks, burst_users, iterations)?;
    std::fs::rename(&partial, &db)?;
    std::fs::write(&meta, serde_json::to_vec_pretty(&seeded)?)?;
    eprintln!("  seeded {tasks} tasks in {:.1} s", started.elapsed().as_secs_f64());
    Ok((db, seeded))
}

/// A fingerprint of the migration files, so a schema change invalidates cached seeds.
fn migrations_fingerprint() -> u64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    // FNV-1a over names and contents.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in files {
        let mut bytes = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
            .into_bytes();
        bytes.extend(std::fs::read(&file).unwrap_or_default());
        for b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Copies a seeded file (with its WAL, if any) to `to`.
pub fn copy_db(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::copy(from, to)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(())
}

fn password_hash(iterations: u32) -> anyhow::Result<String> {
    let hasher = Pbkdf2Hasher::new(Pbkdf2Config::with_iterations(iterations))?;
    let password = Password::parse(PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let hash = runtime.block_on(hasher.hash(&password)).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(hash.as_str().to_owned())
}

fn generate(
    taskforge: &Path,
    path: &Path,
    tasks: usize,
    burst_users: usize,
    iterations: u32,
) -> anyhow::Result<Seeded> {
    let migrate = Command::new(taskforge)
        .arg("migrate")
        .env("TASKFORGE_DATABASE", path)
        .env("TASKFORGE_LOG", "json")
        .env("RUST_LOG", "warn")
        .output()
        .context("running taskforge migrate")?;
    if !migrate.status.success() {
        bail!("taskforge migrate failed: {}", String::from_utf8_lossy(&migrate.stderr));
    }
    let hash = password_hash(iterations)?;

    let mut conn = Connection::open(path)?;
    // A one-off load: no durability needed until the end, and a rollback journal (not the WAL)
    // so the file is written once. The file goes back to WAL before it is used.
    conn.execute_batch(
        "PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF; \
         PRAGMA cache_size = -524288; PRAGMA temp_store = MEMORY;",
    )?;
    let rebuilt: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN ('tasks', 'task_labels') \
             AND ((type = 'index') OR (type = 'trigger' AND name = 'tasks_fts_insert')) ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let dropped: Vec<(String, String)> = {
        let mut stmt = conn.prepare(
            "SELECT type, name FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN ('tasks', 'task_labels') \
             AND ((type = 'index') OR (type = 'trigger' AND name = 'tasks_fts_insert'))",
        )?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let base: i64 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z in microseconds
    let tx = conn.transaction()?;
    for (kind, name) in &dropped {
        tx.execute_batch(&format!("DROP {} \"{name}\"", kind.to_uppercase()))?;
    }

    let user = uuid_v7(base, &mut rng);
    let mut insert_user = tx.prepare(
        "INSERT INTO users (id, username, email, password_hash, role, created_at) \
         VALUES (?1, ?2, NULL, ?3, 'editor', ?4)",
    )?;
    insert_user.execute(params![user.as_bytes(), USER, hash, base])?;
    let mut burst = Vec::with_capacity(burst_users);
    for i in 0..burst_users {
        let name = format!("burst{i:02}");
        let at = base + 1 + i64::try_from(i)?;
        insert_user.execute(params![uuid_v7(at, &mut rng).as_bytes(), name, hash, at])?;
        burst.push(name);
    }
    drop(insert_user);

    let mut projects = Vec::with_capacity(PROJECTS);
    let mut project_ids = Vec::with_capacity(PROJECTS);
    for p in 0..PROJECTS {
        let id = uuid_v7(base + 1000 + i64::try_from(p)?, &mut rng);
        tx.execute(
            "INSERT INTO projects (id, name, description, owner_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.as_bytes(), format!("Benchmark project {p}"), "Seeded by taskforge-bench", user.as_bytes(), base],
        )?;
        tx.execute(
            "INSERT INTO project_members (project_id, user_id, added_at) VALUES (?1, ?2, ?3)",
            params![id.as_bytes(), user.as_bytes(), base],
        )?;
        projects.push(id.to_string());
        project_ids.push(id);
    }

    let mut read_ids = Vec::with_capacity(READ_SAMPLE);
    let stride = (tasks / READ_SAMPLE).max(1);
    let mut listed_matches = 0;
    {
        let mut insert_task = tx.prepare(
            "INSERT INTO tasks (id, project_id, title, description, status, priority, category_id, \
             assignee_id, due_date, parent_id, is_public, created_by, created_at, updated_at, version) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, NULL, 0, ?9, ?10, ?10, 1)",
        )?;
        let mut insert_label = tx.prepare(
            "INSERT OR IGNORE INTO task_labels (task_id, label, created_at, priority, due_key, title) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for i in 0..tasks {
            let created = base + 60_000_000 + i64::try_from(i)? * 1_000;
            let id = uuid_v7(created, &mut rng);
            let project = project_ids[i % PROJECTS];
            let status = STATUSES[rng.below(STATUSES.len())];
            let priority = i64::try_from(rng.below(4))? + 1;
            let due: Option<i64> =
                (rng.below(10) < 7).then(|| 20_450 + i64::try_from(rng.below(400)).unwrap_or(0));
            let title = format!(
                "{} the {} of module {} ({i})",
                WORDS[rng.below(WORDS.len())],
                WORDS[rng.below(WORDS.len())],
                rng.below(500)
            );
            let description = format!(
                "Seeded task {i}: {} and {} before the next release; see the notes of module {}.",
                WORDS[rng.below(WORDS.len())],
                WORDS[rng.below(WORDS.len())],
                rng.below(500)
            );
            let assignee = (rng.below(2) == 0).then_some(user.as_bytes());
            insert_task.execute(params![
                id.as_bytes(),
                project.as_bytes(),
                title,
                description,
                status,
                priority,
                assignee,
                due,
                user.as_bytes(),
                created
            ])?;
            for _ in 0..rng.below(3) {
                let label = LABELS[rng.below(LABELS.len())];
                insert_label.execute(params![
                    id.as_bytes(),
                    label,
                    created,
                    priority,
                    due.unwrap_or(2_147_483_647),
                    title
                ])?;
            }
            if i % stride == 0 && read_ids.len() < READ_SAMPLE {
                read_ids.push(id.to_string());
            }
            if i % PROJECTS == 0 && status == "todo" {
                listed_matches += 1;
            }
        }
    }
    for sql in &rebuilt {
        tx.execute_batch(sql)?;
    }
    tx.execute_batch("INSERT INTO tasks_fts (tasks_fts) VALUES ('rebuild')")?;
    tx.commit()?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        bail!("the seeded file did not switch back to WAL (still {mode})");
    }
    drop(conn);
    Ok(Seeded { tasks, projects, read_ids, burst_users: burst, listed_matches })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_version_7_and_sort_by_time() {
        let mut rng = Rng(1);
        let a = uuid_v7(1_767_225_600_000_000, &mut rng);
        let b = uuid_v7(1_767_225_600_001_000, &mut rng);
        assert_eq!(a.get_version_num(), 7);
        assert!(a < b);
    }
}
