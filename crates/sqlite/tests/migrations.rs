//! The migration rules (ADR 0009). A database from a newer build, an applied migration whose
//! text changed, and a file that is not a (sound) database each fail to open with a clear
//! error — never a panic, never a half-migrated file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rusqlite::Connection;
use taskforge_sqlite::internals::{MIGRATIONS, Migration, migrate};
use taskforge_sqlite::{MigrationError, OpenError, SqliteConfig, SqliteDatabase};

fn config(dir: &tempfile::TempDir) -> SqliteConfig {
    SqliteConfig::new(dir.path().join("migrations.db"))
}

#[tokio::test]
async fn a_new_database_records_every_migration_with_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteDatabase::open(config(&dir)).await.unwrap());
    let conn = Connection::open(dir.path().join("migrations.db")).unwrap();
    let recorded: Vec<(i64, String, String)> = conn
        .prepare("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: Vec<(i64, String, String)> = MIGRATIONS
        .iter()
        .map(|m| (m.version, m.name.to_owned(), taskforge_sqlite::internals::checksum(m.sql)))
        .collect();
    assert_eq!(recorded, expected);
    // Opening again applies nothing and still works.
    drop(SqliteDatabase::open(config(&dir)).await.unwrap());
}

#[tokio::test]
async fn a_database_with_a_newer_unknown_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteDatabase::open(config(&dir)).await.unwrap());
    Connection::open(dir.path().join("migrations.db"))
        .unwrap()
        .execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
            rusqlite::params![999, "0999_from_the_future.sql", "0123456789abcdef"],
        )
        .unwrap();

    let err = SqliteDatabase::open(config(&dir)).await.unwrap_err();
    assert!(
        matches!(
            &err,
            OpenError::Migration {
                source: MigrationError::NewerVersion { found: 999, known },
                ..
            } if MIGRATIONS.last().map(|m| m.version) == Some(*known)
        ),
        "{err:?}"
    );
    let message = format!("{err}: {}", std::error::Error::source(&err).unwrap());
    assert!(message.contains("999") && message.contains("newer"), "{message}");
}

#[test]
fn an_applied_migration_whose_text_changed_is_refused() {
    static EDITED: &[Migration] = &[Migration {
        version: 1,
        name: "0001_initial.sql",
        sql: concat!(
            include_str!("../../../migrations/sqlite/0001_initial.sql"),
            "\n-- an innocent edit\n"
        ),
        reworded_from: &[],
    }];
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("edited.db")).unwrap();
    migrate(&mut conn, MIGRATIONS).unwrap();

    let err = migrate(&mut conn, EDITED).unwrap_err();
    assert!(matches!(&err, MigrationError::Changed { version: 1, .. }), "{err:?}");
    assert!(err.to_string().contains("changed after it was applied"), "{err}");
}

#[tokio::test]
async fn opening_with_a_changed_recorded_checksum_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteDatabase::open(config(&dir)).await.unwrap());
    Connection::open(dir.path().join("migrations.db"))
        .unwrap()
        .execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1", [])
        .unwrap();
    let err = SqliteDatabase::open(config(&dir)).await.unwrap_err();
    assert!(
        matches!(&err, OpenError::Migration { source: MigrationError::Changed { .. }, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("migrations.db");
    std::fs::write(&path, "these are not the bytes you are looking for\n".repeat(200)).unwrap();
    let err = SqliteDatabase::open(config(&dir)).await.unwrap_err();
    assert!(matches!(&err, OpenError::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("not a TaskForge database"), "{err}");
    // Nothing was written over it.
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("these are not"));
}

#[tokio::test]
async fn a_database_with_a_corrupt_schema_page_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("migrations.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE filler (x); INSERT INTO filler VALUES (1);").unwrap();
    }
    // Keep SQLite's 100-byte header, scribble over the rest of page 1 (the schema).
    let mut bytes = std::fs::read(&path).unwrap();
    for b in bytes.iter_mut().take(4096).skip(100) {
        *b = 0xA5;
    }
    std::fs::write(&path, bytes).unwrap();
    let err = SqliteDatabase::open(config(&dir)).await.unwrap_err();
    assert!(matches!(&err, OpenError::NotADatabase { .. }), "{err:?}");
}

#[tokio::test]
async fn a_path_in_a_missing_directory_cannot_be_opened() {
    let dir = tempfile::tempdir().unwrap();
    let err = SqliteDatabase::open(SqliteConfig::new(dir.path().join("no/such/dir/x.db")))
        .await
        .unwrap_err();
    assert!(matches!(&err, OpenError::CannotOpen { .. }), "{err:?}");
}
