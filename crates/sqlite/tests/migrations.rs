//! The migration rules (ADR 0009). A database from a newer build, an applied migration whose
//! text changed, and a file that is not a (sound) database each fail to open with a clear
//! error — never a panic, never a half-migrated file. Mixed versions (ADR 0023): a newer
//! build's expand-only migration lets this build open the database, a newer contract step does
//! not, and a version table from before kinds were recorded gets its column.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rusqlite::Connection;
use taskforge_sqlite::internals::{MIGRATIONS, Migration, migrate};
use taskforge_sqlite::{
    MigrationError, MigrationKind, NewerMigration, OpenError, SqliteConfig, SqliteDatabase,
};

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
        kind: MigrationKind::Expand,
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

/// This build's migrations and one more of `kind`, as the next release would have them.
fn one_ahead(kind: MigrationKind) -> Vec<Migration> {
    let next = Migration {
        version: i64::try_from(MIGRATIONS.len()).unwrap() + 1,
        name: "next_release.sql",
        sql: "ALTER TABLE tasks ADD COLUMN next_release TEXT;",
        reworded_from: &[],
        kind,
    };
    MIGRATIONS.iter().copied().chain([next]).collect()
}

#[tokio::test]
async fn a_newer_builds_expand_only_migration_lets_this_build_open_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let newer = one_ahead(MigrationKind::Expand);
    let mut conn = Connection::open(dir.path().join("migrations.db")).unwrap();
    assert_eq!(migrate(&mut conn, &newer).unwrap(), newer.len());
    drop(conn);

    let db = SqliteDatabase::open(config(&dir)).await.unwrap();
    let next = newer.last().unwrap();
    assert_eq!(
        db.newer_migrations(),
        [NewerMigration { version: next.version, name: next.name.to_owned() }]
    );
    drop(db);
    let kinds: Vec<(i64, Option<String>)> = Connection::open(dir.path().join("migrations.db"))
        .unwrap()
        .prepare("SELECT version, kind FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: Vec<(i64, Option<String>)> =
        newer.iter().map(|m| (m.version, Some(m.kind.as_str().to_owned()))).collect();
    assert_eq!(kinds, expected);
}

#[tokio::test]
async fn a_newer_builds_contract_migration_is_refused_naming_it_and_the_remedy() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("migrations.db")).unwrap();
    migrate(&mut conn, &one_ahead(MigrationKind::Contract)).unwrap();
    drop(conn);

    let err = SqliteDatabase::open(config(&dir)).await.unwrap_err();
    let known = i64::try_from(MIGRATIONS.len()).unwrap();
    assert!(
        matches!(
            &err,
            OpenError::Migration {
                source: MigrationError::NewerContract { version, name, known: k },
                ..
            } if *version == known + 1 && name == "next_release.sql" && *k == known
        ),
        "{err:?}"
    );
    let message = std::error::Error::source(&err).unwrap().to_string();
    assert!(
        message.contains("next_release.sql")
            && message.contains("contract step")
            && message.contains("restore the backup"),
        "{message}"
    );
}

#[test]
fn an_edited_known_migration_is_refused_even_beside_newer_expand_steps() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("edited.db")).unwrap();
    migrate(&mut conn, &one_ahead(MigrationKind::Expand)).unwrap();
    conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1", []).unwrap();
    let err = migrate(&mut conn, MIGRATIONS).unwrap_err();
    assert!(matches!(&err, MigrationError::Changed { version: 1, .. }), "{err:?}");
}

#[tokio::test]
async fn a_version_table_from_before_kinds_were_recorded_gets_the_column_and_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("migrations.db");
    // A database an earlier build migrated: the same rows, no `kind` column.
    let mut conn = Connection::open(&path).unwrap();
    migrate(&mut conn, MIGRATIONS).unwrap();
    conn.execute_batch("ALTER TABLE schema_migrations DROP COLUMN kind").unwrap();
    drop(conn);

    let db = SqliteDatabase::open(config(&dir)).await.unwrap();
    assert!(db.newer_migrations().is_empty());
    drop(db);
    let conn = Connection::open(&path).unwrap();
    let kinds: Vec<Option<String>> = conn
        .prepare("SELECT kind FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // Rows from before keep no kind; the earlier build's insert (no kind) still works.
    assert_eq!(kinds, vec![None; MIGRATIONS.len()]);
    conn.execute_batch(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (-1, 'probe', ''); \
         DELETE FROM schema_migrations WHERE version = -1;",
    )
    .unwrap();
}
