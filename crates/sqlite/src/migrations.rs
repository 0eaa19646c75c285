//! The embedded migration runner.
//!
//! **Why hand-written** rather than `rusqlite_migration` or `refinery`: the whole job is ~100
//! lines, and the rules TaskForge needs are exactly these — files come from the repository's
//! top-level `migrations/sqlite/` folder (`migrations/postgres/` holds the PostgreSQL dialect),
//! each runs in its own transaction, each is recorded with a checksum of its text, an applied
//! migration whose text changed is refused, and a database newer than this build is refused.
//! Owning them keeps every rule visible and tested here, with no extra crate that links its own
//! idea of `libsqlite3`.
//!
//! The checksum is FNV-1a (64-bit) of the file's bytes: it detects an accidental edit of a
//! released migration, which is its whole purpose; it is not a defence against an attacker who
//! can write the database file (they could rewrite the checksum too).
//!
//! A released migration's statements never change, but its comments may be reworded (ADR 0009):
//! the checksum of the text it replaced is then listed in [`Migration::reworded_from`], so
//! databases migrated with the earlier wording still open, and a unit test below pins each
//! migration's comment-free statements, so a "comment-only" edit that touched SQL fails it.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::error::MigrationError;

/// One numbered schema change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// Its number: 1, 2, … in order, never reused.
    pub version: i64,
    /// The file name, for messages.
    pub name: &'static str,
    /// The SQL.
    pub sql: &'static str,
    /// Checksums of earlier wordings of this file whose statements were the same and only the
    /// comments differed; a database that recorded one of them is up to date, not tampered with.
    pub reworded_from: &'static [&'static str],
}

/// Every migration of this build, in order. Append-only: add a file and a line, never edit.
pub static MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_initial.sql",
        sql: include_str!("../../../migrations/sqlite/0001_initial.sql"),
        // Comments reworded to cite the repository's own docs instead of an outside document.
        reworded_from: &["eebc3228249f4689"],
    },
    Migration {
        version: 2,
        name: "0002_reports.sql",
        sql: include_str!("../../../migrations/sqlite/0002_reports.sql"),
        // Comments reworded to cite the repository's own docs instead of an outside document.
        reworded_from: &["005310d2d201da77"],
    },
    Migration {
        version: 3,
        name: "0003_repair_trees_and_assignees.sql",
        sql: include_str!("../../../migrations/sqlite/0003_repair_trees_and_assignees.sql"),
        reworded_from: &[],
    },
    Migration {
        version: 4,
        name: "0004_project_top.sql",
        sql: include_str!("../../../migrations/sqlite/0004_project_top.sql"),
        reworded_from: &[],
    },
    Migration {
        version: 5,
        name: "0005_history.sql",
        sql: include_str!("../../../migrations/sqlite/0005_history.sql"),
        reworded_from: &[],
    },
];

impl Migration {
    /// Whether `recorded` is the checksum of this migration's text, now or in an earlier
    /// wording of its comments.
    fn accepts(&self, recorded: &str) -> bool {
        checksum(self.sql) == recorded || self.reworded_from.contains(&recorded)
    }
}

/// The checksum recorded for a migration's text: FNV-1a 64, as 16 hex digits.
#[must_use]
pub fn checksum(sql: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in sql.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Brings the database on `conn` up to date with `migrations`; returns how many were applied.
///
/// Each migration runs in its own `BEGIN IMMEDIATE` transaction together with its row in
/// `schema_migrations`, so a failure leaves the database at the previous version, and two
/// processes starting at once cannot both apply the same migration.
///
/// # Errors
/// [`MigrationError::NewerVersion`] when the database records a version this build does not
/// know, [`MigrationError::Changed`] when an applied migration's text differs, and
/// [`MigrationError::Failed`] / [`MigrationError::VersionTable`] for SQLite failures.
pub fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<usize, MigrationError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER NOT NULL PRIMARY KEY,
             name       TEXT    NOT NULL,
             checksum   TEXT    NOT NULL,
             applied_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER))
         ) STRICT",
    )
    .map_err(MigrationError::VersionTable)?;

    let known = migrations.iter().map(|m| m.version).max().unwrap_or(0);
    let mut applied = 0;
    for migration in migrations {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(MigrationError::VersionTable)?;
        // Checked inside the write transaction: another process may have migrated meanwhile.
        check_recorded(&tx, migrations, known)?;
        let recorded: Option<String> = tx
            .query_row(
                "SELECT checksum FROM schema_migrations WHERE version = ?",
                [migration.version],
                |row| row.get(0),
            )
            .optional()
            .map_err(MigrationError::VersionTable)?;
        if recorded.is_some() {
            continue;
        }
        let failed = |source| MigrationError::Failed {
            version: migration.version,
            name: migration.name.to_owned(),
            source,
        };
        tx.execute_batch(migration.sql).map_err(failed)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
            params![migration.version, migration.name, checksum(migration.sql)],
        )
        .map_err(failed)?;
        tx.commit().map_err(failed)?;
        applied += 1;
    }
    if migrations.is_empty() {
        check_recorded(conn, migrations, known)?;
    }
    Ok(applied)
}

/// Refuses versions newer than `known` and applied migrations whose text changed.
fn check_recorded(
    conn: &Connection,
    migrations: &[Migration],
    known: i64,
) -> Result<(), MigrationError> {
    let mut stmt = conn
        .prepare("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
        .map_err(MigrationError::VersionTable)?;
    let rows = stmt
        .query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get(2)?)))
        .map_err(MigrationError::VersionTable)?;
    for row in rows {
        let (version, name, recorded): (i64, String, String) =
            row.map_err(MigrationError::VersionTable)?;
        if version > known {
            return Err(MigrationError::NewerVersion { found: version, known });
        }
        match migrations.iter().find(|m| m.version == version) {
            Some(m) if !m.accepts(&recorded) => {
                return Err(MigrationError::Changed {
                    version,
                    name,
                    recorded,
                    embedded: checksum(m.sql),
                });
            }
            Some(_) => {}
            // A gap below the latest known version: this build never had such a migration.
            None => return Err(MigrationError::NewerVersion { found: version, known }),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_one_by_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i64::try_from(i).unwrap() + 1, "{}", m.name);
            assert!(m.name.starts_with(&format!("{:04}_", m.version)), "{}", m.name);
        }
    }

    #[test]
    fn the_checksum_changes_with_the_text() {
        assert_ne!(checksum("CREATE TABLE a (x)"), checksum("CREATE TABLE a (y)"));
        assert_eq!(checksum(""), "cbf29ce484222325");
    }

    /// The checksum of a migration's statements alone: `--` comments cut, whitespace collapsed.
    fn statements_checksum(sql: &str) -> String {
        let statements: Vec<&str> = sql
            .lines()
            .map(|line| line.split_once("--").map_or(line, |(code, _)| code))
            .flat_map(str::split_whitespace)
            .collect();
        checksum(&statements.join(" "))
    }

    /// Frozen when each migration was released: rewording comments keeps these, changing a
    /// statement does not (and then the migration must be a new file instead).
    const RELEASED_STATEMENTS: &[(&str, &str)] = &[
        ("0001_initial.sql", "97bfcaba95e1f9b4"),
        ("0002_reports.sql", "0b685be4be0ded78"),
        ("0003_repair_trees_and_assignees.sql", "7914ae53076fb375"),
        ("0004_project_top.sql", "2ef02df04619e904"),
        ("0005_history.sql", "440ba46daacdbae1"),
    ];

    #[test]
    fn released_migrations_keep_their_statements_whatever_their_comments_say() {
        assert_eq!(RELEASED_STATEMENTS.len(), MIGRATIONS.len(), "pin each new migration here");
        for (m, (name, pinned)) in MIGRATIONS.iter().zip(RELEASED_STATEMENTS) {
            assert_eq!(m.name, *name);
            assert_eq!(statements_checksum(m.sql), *pinned, "{name}: a released statement changed");
        }
    }

    #[test]
    fn a_database_migrated_with_an_earlier_wording_opens_and_a_changed_text_does_not() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, MIGRATIONS).unwrap();
        conn.execute(
            "UPDATE schema_migrations SET checksum = ? WHERE version = 1",
            [MIGRATIONS[0].reworded_from[0]],
        )
        .unwrap();
        assert_eq!(migrate(&mut conn, MIGRATIONS).unwrap(), 0);
        conn.execute(
            "UPDATE schema_migrations SET checksum = '0123456789abcdef' WHERE version = 1",
            [],
        )
        .unwrap();
        let err = migrate(&mut conn, MIGRATIONS).unwrap_err();
        assert!(matches!(err, MigrationError::Changed { version: 1, .. }), "{err:?}");
    }

    #[test]
    fn migrating_twice_applies_nothing_the_second_time() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn, MIGRATIONS).unwrap(), MIGRATIONS.len());
        assert_eq!(migrate(&mut conn, MIGRATIONS).unwrap(), 0);
    }

    #[test]
    fn a_failing_migration_leaves_nothing_behind() {
        static BROKEN: &[Migration] = &[Migration {
            version: 1,
            name: "0001_broken.sql",
            sql: "CREATE TABLE half (x); THIS IS NOT SQL;",
            reworded_from: &[],
        }];
        let mut conn = Connection::open_in_memory().unwrap();
        let err = migrate(&mut conn, BROKEN).unwrap_err();
        assert!(matches!(err, MigrationError::Failed { version: 1, .. }), "{err:?}");
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'half'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 0);
    }
}
