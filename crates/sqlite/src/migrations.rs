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
//!
//! **Mixed versions during a rollout** (adr/0023-expand-contract-and-mixed-version-rollouts.md):
//! each migration declares its [`MigrationKind`], and `schema_migrations` records it. A build
//! that finds applied migrations it does not know starts when every one of them is recorded as
//! [`MigrationKind::Expand`] (it only added what this build ignores; they are returned in
//! [`Migrated::newer`] for the caller to log), and refuses with
//! [`MigrationError::NewerContract`] when one is a contract step. A database whose
//! `schema_migrations` predates the `kind` column gets the column on first open; its rows keep
//! no kind (builds no newer than this one wrote them), and an unknown migration without a kind
//! is refused as before ([`MigrationError::NewerVersion`]).

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::error::MigrationError;

/// What a migration does to code that does not know it (ADR 0023).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationKind {
    /// Only adds what older code ignores (a nullable or defaulted column, a table, an index, a
    /// trigger older code does not notice): a build one release older keeps serving on it.
    Expand,
    /// Removes, renames, tightens or rewrites something: only builds that know it may run.
    Contract,
}

impl MigrationKind {
    /// The word recorded in `schema_migrations.kind`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Expand => "expand",
            Self::Contract => "contract",
        }
    }
}

/// An applied migration this build does not know, recorded as expand-only by a newer build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewerMigration {
    /// Its number.
    pub version: i64,
    /// Its file name, as the newer build recorded it.
    pub name: String,
}

/// What [`migrate_reporting`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Migrated {
    /// How many migrations this run applied.
    pub applied: usize,
    /// Applied expand-only migrations from a newer build (empty unless a rollout is under way).
    pub newer: Vec<NewerMigration>,
}

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
    /// Whether a build that does not know it may still run on a database it was applied to.
    /// Required (no default), so that no migration is added without deciding.
    pub kind: MigrationKind,
}

/// The migrations in `migrations/sqlite/`, in order. Append-only: add a file and a line, never
/// edit; each declares its [`MigrationKind`] (ADR 0023).
const RELEASED: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_initial.sql",
        sql: include_str!("../../../migrations/sqlite/0001_initial.sql"),
        // Comments reworded to cite the repository's own docs instead of an outside document.
        reworded_from: &["eebc3228249f4689"],
        kind: MigrationKind::Expand,
    },
    Migration {
        version: 2,
        name: "0002_reports.sql",
        sql: include_str!("../../../migrations/sqlite/0002_reports.sql"),
        // Comments reworded to cite the repository's own docs instead of an outside document.
        reworded_from: &["005310d2d201da77"],
        kind: MigrationKind::Expand,
    },
    Migration {
        version: 3,
        name: "0003_repair_trees_and_assignees.sql",
        sql: include_str!("../../../migrations/sqlite/0003_repair_trees_and_assignees.sql"),
        reworded_from: &[],
        // It rewrites rows (a repair), which is not an addition older code can ignore.
        kind: MigrationKind::Contract,
    },
    Migration {
        version: 4,
        name: "0004_project_top.sql",
        sql: include_str!("../../../migrations/sqlite/0004_project_top.sql"),
        reworded_from: &[],
        kind: MigrationKind::Expand,
    },
    Migration {
        version: 5,
        name: "0005_history.sql",
        sql: include_str!("../../../migrations/sqlite/0005_history.sql"),
        reworded_from: &[],
        // New tables and indexes; an older build writes no entries but reads nothing here.
        kind: MigrationKind::Expand,
    },
    Migration {
        version: 6,
        name: "0006_trash.sql",
        sql: include_str!("../../../migrations/sqlite/0006_trash.sql"),
        reworded_from: &[],
        // New tables and indexes; an older build deletes tasks outright and reads nothing here.
        kind: MigrationKind::Expand,
    },
];

/// Every migration of this build, in order: the released ones.
#[cfg(not(feature = "rollout-fixture"))]
pub static MIGRATIONS: &[Migration] = RELEASED;

/// Every migration of this build, in order: the released ones and the rollout fixture, one
/// expand step ahead of them (test-only builds, ADR 0023).
#[cfg(feature = "rollout-fixture")]
pub static MIGRATIONS: &[Migration] = &one_ahead::<{ RELEASED.len() + 1 }>(RELEASED);

/// The expand step a `rollout-fixture` build has beyond the released migrations: what a
/// release adds first in an expand/contract change, a nullable column and an index that the
/// released code never reads. Never in a shipped build.
#[cfg(feature = "rollout-fixture")]
const ROLLOUT_FIXTURE: Migration = Migration {
    version: 0,
    name: "rollout_fixture.sql",
    sql: "ALTER TABLE tasks ADD COLUMN rollout_fixture TEXT;\n\
          CREATE INDEX tasks_rollout_fixture ON tasks (rollout_fixture);\n",
    reworded_from: &[],
    kind: MigrationKind::Expand,
};

/// `released` followed by [`ROLLOUT_FIXTURE`] numbered `N`, the next version.
#[cfg(feature = "rollout-fixture")]
#[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)]
const fn one_ahead<const N: usize>(released: &[Migration]) -> [Migration; N] {
    let mut all = [ROLLOUT_FIXTURE; N];
    let mut i = 0;
    while i < released.len() {
        all[i] = released[i];
        i += 1;
    }
    all[N - 1].version = N as i64;
    all
}

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
/// [`migrate_reporting`] also returns the newer expand-only migrations it found.
///
/// # Errors
/// As [`migrate_reporting`].
pub fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<usize, MigrationError> {
    migrate_reporting(conn, migrations).map(|migrated| migrated.applied)
}

/// Brings the database on `conn` up to date with `migrations`; returns how many were applied
/// and which applied migrations come from a newer build (all expand-only, or this fails).
///
/// Each migration runs in its own `BEGIN IMMEDIATE` transaction together with its row in
/// `schema_migrations`, so a failure leaves the database at the previous version, and two
/// processes starting at once cannot both apply the same migration.
///
/// # Errors
/// [`MigrationError::NewerContract`] when the database records a contract step this build
/// does not know, [`MigrationError::NewerVersion`] when it records an unknown version without
/// a kind, [`MigrationError::Changed`] when an applied migration's text differs, and
/// [`MigrationError::Failed`] / [`MigrationError::VersionTable`] for SQLite failures.
pub fn migrate_reporting(
    conn: &mut Connection,
    migrations: &[Migration],
) -> Result<Migrated, MigrationError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER NOT NULL PRIMARY KEY,
             name       TEXT    NOT NULL,
             checksum   TEXT    NOT NULL,
             applied_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
             kind       TEXT    CHECK (kind IN ('expand', 'contract'))
         ) STRICT",
    )
    .map_err(MigrationError::VersionTable)?;
    add_kind_column(conn)?;

    let known = migrations.iter().map(|m| m.version).max().unwrap_or(0);
    let mut migrated = Migrated::default();
    for migration in migrations {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(MigrationError::VersionTable)?;
        // Checked inside the write transaction: another process may have migrated meanwhile.
        migrated.newer = check_recorded(&tx, migrations, known)?;
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
            "INSERT INTO schema_migrations (version, name, checksum, kind) VALUES (?, ?, ?, ?)",
            params![
                migration.version,
                migration.name,
                checksum(migration.sql),
                migration.kind.as_str()
            ],
        )
        .map_err(failed)?;
        tx.commit().map_err(failed)?;
        migrated.applied += 1;
    }
    if migrations.is_empty() {
        migrated.newer = check_recorded(conn, migrations, known)?;
    }
    Ok(migrated)
}

/// Gives a `schema_migrations` table created before kinds were recorded its `kind` column.
/// Its rows keep no kind: they were written by builds no newer than this one, which knows
/// them. Adding a nullable column is itself an expand step, so builds from before it keep
/// reading and writing the table.
fn add_kind_column(conn: &mut Connection) -> Result<(), MigrationError> {
    let has_kind = |conn: &Connection| -> rusqlite::Result<bool> {
        conn.query_row(
            "SELECT count(*) > 0 FROM pragma_table_info('schema_migrations') WHERE name = 'kind'",
            [],
            |row| row.get(0),
        )
    };
    if has_kind(conn).map_err(MigrationError::VersionTable)? {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(MigrationError::VersionTable)?;
    // Again under the write lock: another process may have added it meanwhile.
    if !has_kind(&tx).map_err(MigrationError::VersionTable)? {
        tx.execute_batch(
            "ALTER TABLE schema_migrations \
                 ADD COLUMN kind TEXT CHECK (kind IN ('expand', 'contract'))",
        )
        .map_err(MigrationError::VersionTable)?;
    }
    tx.commit().map_err(MigrationError::VersionTable)
}

/// Refuses applied migrations whose text changed, unknown contract steps and unknown versions
/// without a kind; returns the unknown expand-only ones (newer than `known`).
fn check_recorded(
    conn: &Connection,
    migrations: &[Migration],
    known: i64,
) -> Result<Vec<NewerMigration>, MigrationError> {
    let mut stmt = conn
        .prepare("SELECT version, name, checksum, kind FROM schema_migrations ORDER BY version")
        .map_err(MigrationError::VersionTable)?;
    let rows = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })
        .map_err(MigrationError::VersionTable)?;
    let mut newer = Vec::new();
    for row in rows {
        let (version, name, recorded, kind) = row.map_err(MigrationError::VersionTable)?;
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
            None if version > known => match kind.as_deref() {
                Some("expand") => newer.push(NewerMigration { version, name }),
                Some(_) => return Err(MigrationError::NewerContract { version, name, known }),
                // Recorded without a kind: by hand, or by a build that did not record kinds.
                None => return Err(MigrationError::NewerVersion { found: version, known }),
            },
            // A gap below the latest known version: this build never had such a migration.
            None => return Err(MigrationError::NewerVersion { found: version, known }),
        }
    }
    Ok(newer)
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
        ("0006_trash.sql", "99a662c61e147bd8"),
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
            kind: MigrationKind::Expand,
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
