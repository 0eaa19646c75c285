//! Storage faults on the real adapter: a full database and a read-only one make
//! writes fail with [`RepositoryError::Unavailable`] (a 503 at the HTTP edge), never a panic
//! and never `Other` (a 500); reads keep working; the writer thread is not poisoned, so once
//! the fault is gone the next write succeeds without reopening anything. And a file cut short
//! is refused at open.
//!
//! The faults are real SQLite failures, injected on the writer's own connection through the
//! test-only `fault-injection` feature (`SqliteDatabase::on_writer_connection`):
//! `PRAGMA max_page_count` at the current page count makes any write that needs a new page
//! fail with `SQLITE_FULL`, exactly as a full disk does; `PRAGMA query_only` makes
//! `BEGIN IMMEDIATE` fail with `SQLITE_READONLY`, exactly as a read-only file does. A real
//! full filesystem (tmpfs) is exercised end to end by `tests/tests/e2e/faults.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;

use support::{TestDb, at_seconds, project, task, user};
use taskforge_domain::ports::{Repositories, RepositoryError, TreeGuards};
use taskforge_domain::values::Role;
use taskforge_domain::{ProjectId, TaskId, UserId};
use taskforge_sqlite::internals::{MIGRATIONS, migrate};
use taskforge_sqlite::{OpenError, SqliteConfig, SqliteDatabase};

/// The most writes a test makes while waiting for the database to fill up.
const FILL_LIMIT: usize = 20_000;

/// A database with one owner and one project, the parents of every task the tests write.
async fn seeded() -> (TestDb, ProjectId, UserId) {
    let t = TestDb::new().await;
    let owner = user("owner", Role::Editor);
    t.repos.users.insert(&owner).await.unwrap();
    let p = project("Faults", owner.id);
    t.repos
        .projects
        .insert(&p, &taskforge_domain::model::EntryDraft::project_created(&p))
        .await
        .unwrap();
    (t, p.id, owner.id)
}

/// Caps the writer's database file at its current size: the next write that needs one more
/// page fails with `SQLITE_FULL`.
async fn fill_to_current_size(db: &SqliteDatabase) -> i64 {
    db.on_writer_connection(|conn| {
        let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
        let cap: i64 =
            conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| r.get(0)).unwrap();
        assert_eq!(cap, pages, "max_page_count took the current page count");
        cap
    })
    .await
    .unwrap()
}

/// Lifts the cap again: the space is back.
async fn free_space(db: &SqliteDatabase) {
    db.on_writer_connection(|conn| {
        let cap: i64 =
            conn.query_row("PRAGMA max_page_count = 1073741823", [], |r| r.get(0)).unwrap();
        assert_eq!(cap, 1_073_741_823);
    })
    .await
    .unwrap();
}

async fn set_query_only(db: &SqliteDatabase, on: bool) {
    db.on_writer_connection(move |conn| conn.pragma_update(None, "query_only", on).unwrap())
        .await
        .unwrap();
}

async fn insert(
    repos: &Repositories,
    project: ProjectId,
    owner: UserId,
    n: usize,
) -> (TaskId, Result<(), RepositoryError>) {
    let tk = task(project, &format!("task {n} {}", "x".repeat(150)), owner, at_seconds(0));
    let id = tk.id;
    (
        id,
        repos
            .tasks
            .insert(&tk, &TreeGuards::none(), &taskforge_testkit::fixtures::created(&tk))
            .await
            .map(|_| ()),
    )
}

/// Writes tasks until one fails; returns how many were stored and the failure.
async fn write_until_failure(
    repos: &Repositories,
    project: ProjectId,
    owner: UserId,
) -> (usize, RepositoryError) {
    for n in 0..FILL_LIMIT {
        if let (_, Err(e)) = insert(repos, project, owner, n).await {
            return (n, e);
        }
    }
    panic!("{FILL_LIMIT} writes succeeded on a database capped at its size");
}

fn stored_tasks(t: &TestDb) -> i64 {
    t.raw().query_row("SELECT count(*) FROM tasks", [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn a_full_database_fails_writes_as_unavailable_keeps_reads_and_recovers_without_reopening() {
    // Arrange
    let (t, project_id, owner) = seeded().await;
    fill_to_current_size(&t.db).await;
    // Act
    let (stored, error) = write_until_failure(&t.repos, project_id, owner).await;
    // Assert: the failure is "try again later", and the store is still readable.
    assert!(matches!(error, RepositoryError::Unavailable(_)), "{error:?}");
    let chain = format!("{:?}", error);
    assert!(chain.contains("full"), "SQLite's SQLITE_FULL is the cause: {chain}");
    assert_eq!(stored_tasks(&t), i64::try_from(stored).unwrap(), "the failed write left nothing");
    assert!(t.repos.projects.get(project_id).await.unwrap().is_some(), "reads still work");
    let (_, again) = insert(&t.repos, project_id, owner, FILL_LIMIT).await;
    assert!(matches!(again, Err(RepositoryError::Unavailable(_))), "still full: {again:?}");
    // Act: the space comes back.
    free_space(&t.db).await;
    // Assert: the same writer thread and connection write again.
    let (id, after) = insert(&t.repos, project_id, owner, FILL_LIMIT + 1).await;
    after.expect("a write succeeds once space is back");
    assert!(t.repos.tasks.get(id).await.unwrap().is_some());
    assert_eq!(stored_tasks(&t), i64::try_from(stored + 1).unwrap());
    t.db.check_writable().await.expect("writable again");
    let stats = t.db.stats();
    assert!(stats.failed_writes >= 2, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_group_commit_on_a_full_database_every_acknowledged_write_is_stored_and_no_other() {
    // Arrange: 300 writes in flight at once, so the writer batches them, on a capped file.
    let (t, project_id, owner) = seeded().await;
    fill_to_current_size(&t.db).await;
    let mut writes = tokio::task::JoinSet::new();
    // Act
    for n in 0..300 {
        let repos = t.repos.clone();
        writes.spawn(async move { insert(&repos, project_id, owner, n).await });
    }
    let mut acknowledged = HashSet::new();
    let mut refused = Vec::new();
    while let Some(joined) = writes.join_next().await {
        match joined.expect("no write task panicked") {
            (id, Ok(())) => {
                acknowledged.insert(id);
            }
            (id, Err(e)) => refused.push((id, e)),
        }
    }
    // Assert: the cap was reached; every refusal is Unavailable; the acknowledged writes are
    // exactly the stored ones.
    assert!(!refused.is_empty(), "300 tasks of 150+ bytes fit in a capped file");
    for (_, e) in &refused {
        assert!(matches!(e, RepositoryError::Unavailable(_)), "{e:?}");
    }
    let conn = t.raw();
    let stored: HashSet<TaskId> = conn
        .prepare("SELECT id FROM tasks")
        .unwrap()
        .query_map([], |r| r.get::<_, [u8; 16]>(0))
        .unwrap()
        .map(|id| TaskId::from_bytes(id.unwrap()))
        .collect();
    assert_eq!(stored, acknowledged, "acknowledged = durable, refused = absent");
    // Act: space returns; Assert: the writer is not poisoned.
    free_space(&t.db).await;
    for (n, (_, _)) in refused.iter().enumerate().take(20) {
        insert(&t.repos, project_id, owner, 1000 + n).await.1.expect("writes succeed again");
    }
}

#[tokio::test]
async fn a_read_only_database_fails_writes_as_unavailable_reports_not_writable_and_recovers() {
    // Arrange
    let (t, project_id, owner) = seeded().await;
    t.db.check_writable().await.expect("a healthy database is writable");
    let before = t.db.stats();
    set_query_only(&t.db, true).await;
    // Act
    let (_, refused) = insert(&t.repos, project_id, owner, 1).await;
    // Assert: BEGIN IMMEDIATE itself fails; the caller hears "unavailable".
    let error = refused.expect_err("a read-only database refuses the write");
    assert!(matches!(error, RepositoryError::Unavailable(_)), "{error:?}");
    assert!(format!("{error:?}").contains("readonly"), "{error:?}");
    let not_writable = t.db.check_writable().await.expect_err("not writable while read-only");
    assert!(matches!(not_writable, RepositoryError::Unavailable(_)), "{not_writable:?}");
    assert!(t.repos.projects.get(project_id).await.unwrap().is_some(), "reads still work");
    assert_eq!(t.db.stats().failed_commits, before.failed_commits + 2, "write and probe");
    // Act: the file is writable again.
    set_query_only(&t.db, false).await;
    // Assert: the probe commits, and so do writes.
    t.db.check_writable().await.expect("writable once the fault is gone");
    let (id, stored) = insert(&t.repos, project_id, owner, 2).await;
    stored.expect("a write succeeds once the fault is gone");
    assert!(t.repos.tasks.get(id).await.unwrap().is_some());
    let versions: Vec<i64> = t
        .raw()
        .prepare("SELECT version FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(versions.iter().all(|v| *v > 0), "the probe left no row behind: {versions:?}");
}

#[tokio::test]
async fn a_failed_write_of_a_healthy_database_does_not_make_it_not_writable() {
    // Arrange: a duplicate is the caller's fault, not the store's.
    let (t, project_id, owner) = seeded().await;
    let tk = task(project_id, "once", owner, at_seconds(0));
    t.repos
        .tasks
        .insert(&tk, &TreeGuards::none(), &taskforge_testkit::fixtures::created(&tk))
        .await
        .unwrap();
    // Act
    let duplicate = t
        .repos
        .tasks
        .insert(&tk, &TreeGuards::none(), &taskforge_testkit::fixtures::created(&tk))
        .await;
    // Assert
    assert!(matches!(duplicate, Err(RepositoryError::Duplicate(_))), "{duplicate:?}");
    let commits = t.db.stats().commits;
    t.db.check_writable().await.expect("still writable");
    assert_eq!(t.db.stats().commits, commits, "no probe while healthy: readiness stays free");
}

#[tokio::test]
async fn a_database_file_cut_inside_a_page_is_refused_at_open() {
    // Arrange: a real, migrated database (rollback journal, so the file is complete once
    // the connection closes), then cut 1,000 bytes short.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.db");
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    migrate(&mut conn, MIGRATIONS).unwrap();
    drop(conn);
    let length = std::fs::metadata(&path).unwrap().len();
    assert!(length > 4096, "a migrated database of {length} bytes");
    std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(length - 1000).unwrap();
    // Act
    let err = SqliteDatabase::open(SqliteConfig::new(&path)).await.unwrap_err();
    // Assert
    assert!(matches!(&err, OpenError::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("cut.db"), "the message names the file: {err}");
}
