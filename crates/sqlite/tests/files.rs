//! The files the adapter creates, and the ones it refuses to create: a database opened with
//! `create_if_missing(false)` must already exist and hold a TaskForge schema (nothing is
//! created or written otherwise), and every file the adapter creates — the database, its WAL
//! and shared-memory files, a backup — is readable and writable by its owner only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};

use taskforge_sqlite::{OpenError, SqliteConfig, SqliteDatabase};

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn opening_a_missing_file_without_create_is_refused_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.db");

    let err =
        SqliteDatabase::open(SqliteConfig::new(&path).create_if_missing(false)).await.unwrap_err();

    assert!(matches!(&err, OpenError::Missing { path: p } if *p == path), "{err:?}");
    assert!(err.to_string().contains("typo.db"), "{err}");
    assert!(names_in(dir.path()).is_empty(), "created: {:?}", names_in(dir.path()));
}

#[tokio::test]
async fn opening_an_empty_file_without_create_is_refused_and_leaves_it_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").unwrap();

    let err =
        SqliteDatabase::open(SqliteConfig::new(&path).create_if_missing(false)).await.unwrap_err();

    assert!(matches!(&err, OpenError::NoSchema { .. }), "{err:?}");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0, "nothing was written");
    assert_eq!(names_in(dir.path()), ["empty.db"], "no WAL or journal was left either");
}

#[tokio::test]
async fn an_existing_database_opens_without_create() {
    let t = support::TestDb::new().await;
    let path = t.path();

    let again = SqliteDatabase::open(SqliteConfig::new(&path).create_if_missing(false)).await;

    assert!(again.is_ok(), "{:?}", again.err());
}

#[tokio::test]
async fn a_file_that_is_no_database_is_still_reported_as_such_without_create() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    std::fs::write(&path, [0x5A_u8; 3 * 4096]).unwrap();

    let err =
        SqliteDatabase::open(SqliteConfig::new(&path).create_if_missing(false)).await.unwrap_err();

    assert!(matches!(&err, OpenError::NotADatabase { .. }), "{err:?}");
}

#[cfg(unix)]
#[tokio::test]
async fn a_new_database_and_its_wal_and_shm_files_are_private_to_the_owner() {
    let t = support::TestDb::new().await;
    let path = t.path();
    // A write, so that the WAL certainly holds something.
    let owner = support::user("owner", taskforge_domain::values::Role::Editor);
    t.repos.users.insert(&owner).await.unwrap();

    for file in [path.clone(), sibling(&path, "-wal"), sibling(&path, "-shm")] {
        assert!(file.exists(), "{} exists while the database is open", file.display());
        assert_eq!(mode(&file), 0o600, "{}: {:o}", file.display(), mode(&file));
    }
}

#[cfg(unix)]
#[tokio::test]
async fn an_existing_database_keeps_the_mode_its_operator_gave_it() {
    use std::os::unix::fs::PermissionsExt;
    let t = support::TestDb::new().await;
    let path = t.path();
    drop(t.repos);
    drop(t.db);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();

    let _db = SqliteDatabase::open(SqliteConfig::new(&path)).await.unwrap();

    assert_eq!(mode(&path), 0o640, "opening does not change an existing file's mode");
}

#[cfg(unix)]
#[tokio::test]
async fn a_backup_is_private_to_the_owner_and_never_replaces_a_file() {
    let t = support::TestDb::new().await;
    let copy = t.dir.path().join("copy.db");
    let taken = t.dir.path().join("taken.db");
    std::fs::write(&taken, b"someone else's file").unwrap();

    t.db.backup_to(&copy).await.unwrap();
    let refused = t.db.backup_to(&taken).await;

    assert_eq!(mode(&copy), 0o600, "{:o}", mode(&copy));
    assert!(refused.is_err(), "an existing file is never overwritten");
    assert_eq!(std::fs::read(&taken).unwrap(), b"someone else's file");
}
