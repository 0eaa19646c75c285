//! Disk and database faults against the real binary (`docs/operations.md`, "Storage faults").
//!
//! - A store that runs out of space, or whose file becomes read-only, while serving: writes
//!   answer 503 problem+json with `Retry-After` and nothing internal in it (no 500, no panic),
//!   reads keep answering, `/ready` says 503, and once the fault is gone writes succeed again
//!   without a restart.
//!
//!   How space runs out: a 2 MiB tmpfs mounted for the test and filled to the last byte
//!   (real `ENOSPC`, SQLite's `SQLITE_FULL`). Mounting needs root (or `CAP_SYS_ADMIN`); where
//!   `mount` is refused (an unprivileged CI), the test falls back to a file-size limit on the
//!   server process (`RLIMIT_FSIZE` at the WAL's current size through `prlimit`, allowed for
//!   one's own processes: a real `EFBIG`, SQLite's `SQLITE_IOERR`), and lifts it to recover.
//!   How the file becomes read-only: `chattr +i` on the database and its WAL, on a
//!   filesystem that then refuses writes even through open descriptors (ext4, xfs; checked on
//!   a scratch file first). Where that is not possible, the same file-size limit stands in.
//!   Each test prints which fault ran; `TASKFORGE_TEST_FAULT=fsize` forces the fallback.
//! - A damaged database file at start (garbage, overwritten header, scribbled schema page,
//!   cut short, cut inside its last page, an applied migration edited): `serve` and `migrate`
//!   exit with status 3 and one line naming the file, never a panic (101) or a backtrace.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e;

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use e2e::binary::{self, COMMAND_TIMEOUT};
use e2e::server::{Server, serve_command};
use e2e::{Caller, Reply, TestApp, id_of, task_body};
use reqwest::Method;
use serde_json::json;

/// The most writes a test sends while waiting for the store to refuse them.
const WRITES_UNTIL_FULL: usize = 200;

/// How the test takes the space away from the server.
#[derive(Debug)]
enum Fault {
    /// The database lives on a tiny tmpfs; a filler file takes every free byte.
    Tmpfs { filler: PathBuf },
    /// The server may not write files beyond a size (`RLIMIT_FSIZE`).
    FileSizeLimit { pid: u32, wal: PathBuf },
    /// The database file and its WAL are made immutable (`chattr +i`): even writes through
    /// the descriptors the server already holds fail (`EPERM`), as on a read-only disk.
    Immutable { files: Vec<PathBuf> },
}

/// The fault a test asks for; what it gets depends on what this machine allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    /// No space left.
    Full,
    /// A read-only database file.
    ReadOnly,
}

/// Unmounts the test's tmpfs when dropped (after the server using it is gone).
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Mounts a 2 MiB tmpfs on `at`, or says why not.
fn mount_tmpfs(at: &Path) -> Result<Mounted, String> {
    std::fs::create_dir(at).unwrap();
    let output = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs"])
        .arg(at)
        .output()
        .map_err(|e| format!("mount cannot be run: {e}"))?;
    if output.status.success() {
        Ok(Mounted(at.to_path_buf()))
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

/// `serve_command(database)` run through `sh` with `SIGXFSZ` ignored (an ignored signal stays
/// ignored across `exec`), so a write over the file-size limit fails with `EFBIG` instead of
/// killing the process; the shell writes its process id, which `exec` hands on to the server,
/// to `pid_file`. Same program, arguments and environment otherwise.
fn serve_ignoring_sigxfsz(database: &Path, pid_file: &Path) -> Command {
    let inner = serve_command(database);
    let mut command = Command::new("/bin/sh");
    command
        .arg("-c")
        .arg("echo $$ > \"$PID_FILE\"; trap '' XFSZ; exec \"$0\" \"$@\"")
        .arg(inner.get_program())
        .env("PID_FILE", pid_file);
    command.args(inner.get_args());
    for (name, value) in inner.get_envs() {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

impl Fault {
    /// Takes the space away.
    fn fill(&self) {
        match self {
            Self::Tmpfs { filler, .. } => {
                let mut file = std::fs::File::create(filler).unwrap();
                let block = vec![0xA5_u8; 4096];
                // Until the filesystem refuses: then not one more byte fits.
                let full = loop {
                    if let Err(e) = file.write_all(&block) {
                        break e;
                    }
                };
                assert_eq!(full.raw_os_error(), Some(28), "ENOSPC expected: {full}");
                let _ = file.sync_all();
            }
            Self::FileSizeLimit { pid, wal } => {
                let size = std::fs::metadata(wal).expect("the server has a WAL file").len();
                prlimit(*pid, &format!("--fsize={size}:"));
            }
            Self::Immutable { files } => {
                for file in files {
                    chattr("+i", file).unwrap();
                }
            }
        }
    }

    /// Gives the space back.
    fn free(&self) {
        match self {
            Self::Tmpfs { filler, .. } => std::fs::remove_file(filler).unwrap(),
            Self::FileSizeLimit { pid, .. } => prlimit(*pid, "--fsize=unlimited:"),
            Self::Immutable { files } => {
                for file in files {
                    chattr("-i", file).unwrap();
                }
            }
        }
    }
}

/// Lifts the immutable flag if a test left it (so the temporary directory can be removed).
struct Mutable(Vec<PathBuf>);

impl Drop for Mutable {
    fn drop(&mut self) {
        for file in &self.0 {
            let _ = chattr("-i", file);
        }
    }
}

fn chattr(flag: &str, file: &Path) -> Result<(), String> {
    let output = Command::new("chattr")
        .arg(flag)
        .arg(file)
        .output()
        .map_err(|e| format!("chattr cannot be run: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

/// Whether `chattr +i` in `dir` stops writes through a descriptor opened before it (ext4 and
/// xfs: yes; tmpfs accepts the flag but keeps writing, and without `CAP_LINUX_IMMUTABLE` it
/// is refused), tried on a scratch file.
fn immutable_stops_open_writers(dir: &Path) -> Result<(), String> {
    let scratch = dir.join("immutability-probe");
    let mut file = std::fs::File::create(&scratch).unwrap();
    chattr("+i", &scratch)?;
    let written = file.write_all(b"x").and_then(|()| file.sync_all());
    chattr("-i", &scratch)?;
    std::fs::remove_file(&scratch).unwrap();
    match written {
        Err(e) if e.raw_os_error() == Some(1) => Ok(()),
        Err(e) => Err(format!("a write failed otherwise: {e}")),
        Ok(()) => Err(String::from("the filesystem keeps writing to an immutable file")),
    }
}

fn prlimit(pid: u32, limit: &str) {
    let output = Command::new("prlimit")
        .args(["--pid", &pid.to_string(), limit])
        .output()
        .expect("prlimit (util-linux) can be run");
    assert!(
        output.status.success(),
        "prlimit {limit}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A server with one editor, on a database the returned fault can take away from it: the
/// fault `wanted` where this machine allows it, else a file-size limit (printed).
fn start_with_fault(dir: &Path, wanted: Wanted) -> (Server, Fault, Guards, String) {
    let forced_fallback = std::env::var("TASKFORGE_TEST_FAULT").is_ok_and(|v| v == "fsize");
    let mount_point = dir.join("tiny");
    let possible = if forced_fallback {
        Err(String::from("TASKFORGE_TEST_FAULT=fsize"))
    } else {
        match wanted {
            Wanted::Full => mount_tmpfs(&mount_point).map(Some),
            Wanted::ReadOnly => immutable_stops_open_writers(dir).map(|()| None),
        }
    };
    let mut guards = Guards { mounted: None, mutable: None };
    let database = match &possible {
        Ok(Some(_)) => mount_point.join("taskforge.db"),
        _ => dir.join("taskforge.db"),
    };
    e2e::app::migrate(&database);
    let editor = e2e::app::create_user(&database, "fault-editor", "editor");
    let wal = PathBuf::from(format!("{}-wal", database.display()));
    let (server, fault) = match possible {
        Ok(Some(mounted)) => {
            eprintln!("fault injection: a full 2 MiB tmpfs");
            guards.mounted = Some(mounted);
            let server = Server::start(&database, &[], None);
            (server, Fault::Tmpfs { filler: mount_point.join("fill") })
        }
        Ok(None) => {
            eprintln!("fault injection: the database and its WAL made immutable (chattr +i)");
            let server = Server::start(&database, &[], None);
            let files = vec![database.clone(), wal];
            guards.mutable = Some(Mutable(files.clone()));
            (server, Fault::Immutable { files })
        }
        Err(why) => {
            eprintln!(
                "fault injection: a file-size limit (RLIMIT_FSIZE), as {wanted:?} is not possible here: {why}"
            );
            let pid_file = dir.join("server.pid");
            let command = serve_ignoring_sigxfsz(&database, &pid_file);
            let server = Server::start_command(command, &database, None);
            let pid = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
            (server, Fault::FileSizeLimit { pid, wal })
        }
    };
    (server, fault, guards, editor)
}

/// What must be undone after the server is gone: the mount, the immutable flag.
struct Guards {
    mounted: Option<Mounted>,
    mutable: Option<Mutable>,
}

/// `POST /api/v1/tasks` as `who`, accepting a 503.
async fn try_create_task(app: &TestApp, who: &Caller, project: &str, n: usize) -> Reply {
    let body = task_body(project, &json!({"title": format!("fault task {n}")}));
    app.call(Method::POST, "/api/v1/tasks").by(who).json(&body).allow_server_error().send().await
}

async fn ready_status(app: &TestApp) -> u16 {
    app.call(Method::GET, "/ready").allow_server_error().send().await.status
}

#[tokio::test]
async fn a_full_disk_makes_writes_503_keeps_reads_and_recovers_when_space_returns() {
    writes_fail_as_503_and_recover(Wanted::Full).await;
}

#[tokio::test]
async fn a_database_file_made_read_only_makes_writes_503_keeps_reads_and_recovers() {
    writes_fail_as_503_and_recover(Wanted::ReadOnly).await;
}

/// The scenario both faults share: 503 problem+json while the fault lasts, reads and the
/// process unharmed, `/ready` 503, and writes again once it is gone, without a restart.
async fn writes_fail_as_503_and_recover(wanted: Wanted) {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let (server, fault, guards, editor_id) = start_with_fault(dir.path(), wanted);
    let app = TestApp::on(server);
    let editor =
        app.logged_in("fault-editor", &e2e::app::password_of("fault-editor"), editor_id).await;
    let project = id_of(&app.create_project(&editor, &json!({"name": "Faults"})).await.expect(201));
    let before = app.create_task(&editor, &task_body(&project, &json!({}))).await.expect(201);
    assert_eq!(ready_status(&app).await, 200);
    // Act: the fault begins.
    fault.fill();
    let mut refusal = None;
    for n in 0..WRITES_UNTIL_FULL {
        let reply = try_create_task(&app, &editor, &project, n).await;
        match reply.status {
            201 => {}
            503 => {
                eprintln!("{n} writes stored after the fault began, then 503");
                refusal = Some(reply);
                break;
            }
            other => panic!("a write under {fault:?} answered {other}: {}", reply.text()),
        }
    }
    // Assert: 503 problem+json, a hint when to retry, nothing internal.
    let refusal =
        refusal.unwrap_or_else(|| panic!("{WRITES_UNTIL_FULL} writes succeeded under {fault:?}"));
    let problem = refusal.json();
    assert_eq!(problem["status"], 503, "{problem}");
    assert!(refusal.header("content-type").is_some_and(|c| c.contains("problem+json")));
    assert!(refusal.header("retry-after").is_some_and(|s| s.parse::<u64>().is_ok_and(|s| s > 0)));
    let detail = problem["detail"].as_str().unwrap().to_lowercase();
    for internal in ["taskforge.db", "/", "sqlite", "sql", "insert", "disk", "full", "error code"] {
        assert!(!detail.contains(internal), "the detail leaks {internal:?}: {detail}");
    }
    // Reads still work, and the service says it is not ready.
    let read = app.get_task(&editor, &id_of(&before)).await.expect(200);
    assert_eq!(read, before);
    app.list_tasks(&editor, &format!("project_id={project}")).await.expect(200);
    assert_eq!(ready_status(&app).await, 503, "/ready while the fault lasts");
    let again = try_create_task(&app, &editor, &project, WRITES_UNTIL_FULL).await;
    assert_eq!(again.status, 503, "the fault still lasts: {}", again.text());

    // Act: the fault ends.
    fault.free();
    // Assert: the same process writes again, at once, and is ready.
    let created = try_create_task(&app, &editor, &project, WRITES_UNTIL_FULL + 1).await;
    let created = created.expect(201);
    assert_eq!(app.get_task(&editor, &id_of(&created)).await.expect(200), created);
    assert_eq!(ready_status(&app).await, 200, "/ready once the fault is gone");
    assert!(app.server.is_running());
    let log = app.server.log();
    assert!(!log.iter().any(|l| l.contains("panicked")), "no panic: {log:#?}");
    let internal_errors: Vec<&String> =
        log.iter().filter(|l| l.contains("\"status\":500")).collect();
    assert!(internal_errors.is_empty(), "no 500: {internal_errors:#?}");
    // The server goes first, then the mount or flag it used, then the directory.
    drop(app);
    drop(guards);
}

// --- damaged database files at start ------------------------------------------------------

/// A complete database (taken with `taskforge backup`, so its file holds every page) with
/// schema and one account, at `dir/name`.
fn healthy_database(dir: &Path, name: &str) -> PathBuf {
    let source = dir.join("source.db");
    if !source.exists() {
        e2e::app::migrate(&source);
        e2e::app::create_user(&source, "someone", "editor");
    }
    let copy = dir.join(name);
    let mut command = binary::command_on(&source);
    command.arg("backup").arg(&copy);
    let output = binary::run(command, None, COMMAND_TIMEOUT);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    copy
}

/// Overwrites `bytes.len()` bytes of `path` at `offset`.
fn scribble(path: &Path, offset: u64, bytes: &[u8]) {
    use std::io::{Seek, SeekFrom};
    let mut file = OpenOptions::new().write(true).open(path).unwrap();
    file.seek(SeekFrom::Start(offset)).unwrap();
    file.write_all(bytes).unwrap();
}

fn cut_to(path: &Path, length: u64) {
    OpenOptions::new().write(true).open(path).unwrap().set_len(length).unwrap();
}

/// Status 3, exactly one line naming the file, no panic.
#[track_caller]
fn assert_refused_as_damaged(output: &Output, database: &Path, what: &str) {
    let text = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{what}: status 3 expected; stderr: {text}");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{what}: one line expected, got: {text}");
    let name = database.file_name().unwrap().to_string_lossy();
    assert!(lines[0].contains(name.as_ref()), "{what}: the file is not named: {text}");
    assert!(!text.contains("panicked") && !text.contains("backtrace"), "{what}: {text}");
}

#[test]
fn serve_and_migrate_refuse_a_damaged_database_file_with_status_3_and_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let page = 4096_u64;
    let damaged: Vec<(&str, PathBuf)> = vec![
        ("garbage", {
            let path = dir.path().join("garbage.db");
            std::fs::write(&path, [0x5A_u8; 3 * 4096]).unwrap();
            path
        }),
        ("an overwritten header", {
            let path = healthy_database(dir.path(), "header.db");
            scribble(&path, 0, b"NOT SQLITE AT ALL");
            path
        }),
        ("a scribbled schema page", {
            let path = healthy_database(dir.path(), "schema.db");
            scribble(&path, 100, &[0xA5; 3000]);
            path
        }),
        ("a file cut to half", {
            let path = healthy_database(dir.path(), "half.db");
            let length = std::fs::metadata(&path).unwrap().len();
            cut_to(&path, (length / page / 2) * page);
            path
        }),
        ("a file cut inside its last page", {
            let path = healthy_database(dir.path(), "torn.db");
            let length = std::fs::metadata(&path).unwrap().len();
            cut_to(&path, length - 1000);
            path
        }),
        ("an applied migration that was edited", {
            let path = healthy_database(dir.path(), "edited.db");
            rusqlite::Connection::open(&path)
                .unwrap()
                .execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1", [])
                .unwrap();
            path
        }),
    ];
    for (what, database) in &damaged {
        let before = std::fs::read(database).unwrap();
        // serve
        let output = binary::run(serve_command(database), None, Duration::from_secs(15));
        assert_refused_as_damaged(&output, database, what);
        // migrate
        let mut migrate = binary::command_on(database);
        migrate.arg("migrate");
        let output = binary::run(migrate, None, COMMAND_TIMEOUT);
        assert_refused_as_damaged(&output, database, what);
        assert_eq!(std::fs::read(database).unwrap(), before, "{what}: the file was left as it was");
    }
}
