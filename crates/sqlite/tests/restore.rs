//! Restoring a backup over a database: only while no TaskForge process has it open, only a
//! backup that passes SQLite's checks and carries migrations this build knows, and in one
//! atomic swap that leaves the database untouched whenever it refuses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use support::{at_seconds, project, task, user};
use taskforge_domain::ports::TreeGuards;
use taskforge_domain::values::Role;
use taskforge_sqlite::{OpenError, RestoreError, SqliteConfig, SqliteDatabase};

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

fn count(path: &Path, table: &str) -> i64 {
    let conn = Connection::open(path).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

/// A database with one user, one project and `tasks` tasks at `dir/name`, closed again.
async fn database_with(dir: &Path, name: &str, tasks: i64) -> PathBuf {
    let path = dir.join(name);
    let db = SqliteDatabase::open(SqliteConfig::new(&path)).await.unwrap();
    let repos = db.repositories();
    let owner = user("owner", Role::Editor);
    repos.users.insert(&owner).await.unwrap();
    let p = project("Restored", owner.id);
    repos
        .projects
        .insert(&p, &taskforge_domain::model::EntryDraft::project_created(&p))
        .await
        .unwrap();
    for i in 0..tasks {
        let t = task(p.id, &format!("task {i}"), owner.id, at_seconds(i));
        repos
            .tasks
            .insert(&t, &TreeGuards::none(), &taskforge_testkit::fixtures::created(&t))
            .await
            .unwrap();
    }
    drop((repos, db));
    path
}

/// Makes a backup of a fresh database with `tasks` tasks (through `backup_to`, as
/// `taskforge backup` does) at `dir/backup.db`.
async fn backup_with(dir: &Path, tasks: i64) -> PathBuf {
    let source = database_with(dir, "source.db", tasks).await;
    let db = SqliteDatabase::open(SqliteConfig::new(&source)).await.unwrap();
    let backup = dir.join("backup.db");
    db.backup_to(&backup).await.unwrap();
    backup
}

#[tokio::test]
async fn a_restore_replaces_the_database_with_the_backup_and_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    let backup = backup_with(dir.path(), 3).await;
    let target = database_with(dir.path(), "taskforge.db", 10).await;

    let restored = SqliteDatabase::restore(&backup, &target).await.unwrap();

    assert_eq!(restored.migrations_applied, 0);
    assert!(restored.schema_version >= 4, "{restored:?}");
    assert_eq!(count(&target, "tasks"), 3);
    assert!(!sibling(&target, ".restoring").exists(), "the staged copy was renamed");
    assert!(backup.is_file(), "the backup is only read");
    for suffix in ["-wal", "-shm", "-journal"] {
        assert!(!sibling(&backup, suffix).exists(), "nothing left beside the backup: {suffix}");
    }
    let db = SqliteDatabase::open(SqliteConfig::new(&target).create_if_missing(false)).await;
    assert!(db.is_ok(), "{:?}", db.err());
}

#[tokio::test]
async fn a_restore_is_refused_while_the_database_is_open_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let backup = backup_with(dir.path(), 3).await;
    let target = database_with(dir.path(), "taskforge.db", 10).await;
    let open = SqliteDatabase::open(SqliteConfig::new(&target)).await.unwrap();

    let err = SqliteDatabase::restore(&backup, &target).await.unwrap_err();

    assert!(matches!(&err, RestoreError::InUse { .. }), "{err:?}");
    assert!(err.to_string().contains("taskforge.db"), "{err}");
    assert_eq!(count(&target, "tasks"), 10);
    drop(open);
}

#[tokio::test]
async fn a_database_cannot_be_opened_while_a_restore_holds_it() {
    // What a restore holds: an exclusive lock on the database file.
    let dir = tempfile::tempdir().unwrap();
    let target = database_with(dir.path(), "taskforge.db", 1).await;
    let held = std::fs::File::open(&target).unwrap();
    held.try_lock().unwrap();

    let err = SqliteDatabase::open(SqliteConfig::new(&target)).await.unwrap_err();

    assert!(matches!(&err, OpenError::Restoring { .. }), "{err:?}");
    drop(held);
    assert!(SqliteDatabase::open(SqliteConfig::new(&target)).await.is_ok());
}

#[tokio::test]
async fn a_damaged_backup_is_refused_and_the_database_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let backup = backup_with(dir.path(), 200).await;
    // Overwrite the middle of the file: pages of the tasks table and its indexes.
    let mut bytes = std::fs::read(&backup).unwrap();
    let page = 4096;
    let middle = bytes.len() / page / 2 * page;
    for byte in &mut bytes[middle + 8..middle + page] {
        *byte = 0x5a;
    }
    std::fs::write(&backup, &bytes).unwrap();
    let target = database_with(dir.path(), "taskforge.db", 10).await;

    let err = SqliteDatabase::restore(&backup, &target).await.unwrap_err();

    assert!(matches!(&err, RestoreError::Damaged { .. }), "{err:?}");
    assert_eq!(count(&target, "tasks"), 10);
    assert!(!sibling(&target, ".restoring").exists(), "the rejected copy is removed");
}

#[tokio::test]
async fn a_file_that_is_no_database_or_no_taskforge_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let target = database_with(dir.path(), "taskforge.db", 2).await;
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, "not a database at all\n".repeat(500)).unwrap();
    let foreign = dir.path().join("foreign.db");
    Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    let missing = dir.path().join("missing.db");

    let garbage = SqliteDatabase::restore(&garbage, &target).await.unwrap_err();
    let foreign = SqliteDatabase::restore(&foreign, &target).await.unwrap_err();
    let missing = SqliteDatabase::restore(&missing, &target).await.unwrap_err();

    assert!(matches!(&garbage, RestoreError::Damaged { .. }), "{garbage:?}");
    assert!(matches!(&foreign, RestoreError::NoSchema { .. }), "{foreign:?}");
    assert!(matches!(&missing, RestoreError::Unreadable { .. }), "{missing:?}");
    assert_eq!(count(&target, "tasks"), 2);
}

#[tokio::test]
async fn a_backup_with_a_schema_this_build_does_not_know_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let backup = backup_with(dir.path(), 1).await;
    Connection::open(&backup)
        .unwrap()
        .execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (99, 'x', 'y')",
            [],
        )
        .unwrap();
    let target = database_with(dir.path(), "taskforge.db", 2).await;

    let err = SqliteDatabase::restore(&backup, &target).await.unwrap_err();

    assert!(matches!(&err, RestoreError::Migration { .. }), "{err:?}");
    assert_eq!(count(&target, "tasks"), 2);
}

#[tokio::test]
async fn a_backup_with_an_edited_migration_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let backup = backup_with(dir.path(), 1).await;
    Connection::open(&backup)
        .unwrap()
        .execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1", [])
        .unwrap();
    let target = database_with(dir.path(), "taskforge.db", 2).await;

    let err = SqliteDatabase::restore(&backup, &target).await.unwrap_err();

    assert!(matches!(&err, RestoreError::Migration { .. }), "{err:?}");
}

#[tokio::test]
async fn a_backup_missing_later_migrations_is_migrated_forward() {
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("old.db");
    let mut conn = Connection::open(&backup).unwrap();
    let first = &taskforge_sqlite::internals::MIGRATIONS[..1];
    taskforge_sqlite::internals::migrate(&mut conn, first).unwrap();
    drop(conn);
    let target = database_with(dir.path(), "taskforge.db", 2).await;

    let restored = SqliteDatabase::restore(&backup, &target).await.unwrap();

    let known = taskforge_sqlite::internals::MIGRATIONS.len();
    assert_eq!(restored.migrations_applied, known - 1);
    assert_eq!(restored.schema_version, i64::try_from(known).unwrap());
    assert_eq!(count(&target, "tasks"), 0);
}

#[tokio::test]
async fn a_missing_database_is_not_created_by_a_restore() {
    let dir = tempfile::tempdir().unwrap();
    let backup = backup_with(dir.path(), 1).await;
    let target = dir.path().join("typo.db");

    let err = SqliteDatabase::restore(&backup, &target).await.unwrap_err();

    assert!(matches!(&err, RestoreError::Missing { .. }), "{err:?}");
    assert!(!target.exists());
}

#[tokio::test]
async fn the_old_databases_write_ahead_log_is_not_replayed_onto_the_restored_one() {
    // A server killed hard leaves its WAL (and the index) beside the database; SQLite would
    // apply those frames to whatever file bears the name at the next open.
    let dir = tempfile::tempdir().unwrap();
    let backup = backup_with(dir.path(), 3).await;
    let target = database_with(dir.path(), "taskforge.db", 10).await;
    let conn = Connection::open(&target).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
         DELETE FROM tasks; VACUUM;",
    )
    .unwrap();
    let wal = sibling(&target, "-wal");
    let kept = std::fs::read(&wal).unwrap();
    assert!(!kept.is_empty());
    drop(conn);
    std::fs::write(&wal, &kept).unwrap();

    SqliteDatabase::restore(&backup, &target).await.unwrap();

    assert!(!wal.exists(), "the old log is gone");
    let conn = Connection::open(&target).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    assert_eq!(count(&target, "tasks"), 3);
}

#[tokio::test]
async fn the_database_is_not_its_own_backup() {
    let dir = tempfile::tempdir().unwrap();
    let target = database_with(dir.path(), "taskforge.db", 1).await;

    let err = SqliteDatabase::restore(&target, &target).await.unwrap_err();

    assert!(matches!(&err, RestoreError::SameFile { .. }), "{err:?}");
}
