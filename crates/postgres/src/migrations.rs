//! The embedded migration runner for the PostgreSQL dialect (`migrations/postgres/`).
//!
//! The same rules as the SQLite runner (adr/0009-migrations-policy.md): numbered files,
//! each applied in its own transaction together with its row in `schema_migrations`, each
//! recorded with the FNV-1a 64 checksum of its text; an applied migration whose text changed,
//! or a version this build does not know, is refused.
//!
//! **Several instances starting at once** (adr/0017-migrations-per-dialect.md): the whole run
//! holds a session-level `pg_advisory_lock` on one dedicated connection, so a second process
//! waits for the first to finish and then finds nothing left to do. A session lock (rather
//! than a transaction-level one) lets each migration keep its own transaction; it is released
//! explicitly, and by the server if the process dies, since the connection closes with it.
//!
//! **Mixed versions during a rollout** (adr/0023-expand-contract-and-mixed-version-rollouts.md):
//! each migration declares its [`MigrationKind`], and `schema_migrations` records it. A build
//! that finds applied migrations it does not know starts when every one of them is recorded as
//! [`MigrationKind::Expand`] (returned in [`Migrated::newer`] for the caller to log), and
//! refuses with [`MigrationError::NewerContract`] when one is a contract step. A version table
//! from before the `kind` column gets it on first run; its rows keep no kind.

use tokio_postgres::Client;

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
    /// How many migrations this run applied (0 when another process did the work first).
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
    /// The SQL (several statements; run with the simple query protocol).
    pub sql: &'static str,
    /// Whether a build that does not know it may still run on a database it was applied to.
    /// Required (no default), so that no migration is added without deciding.
    pub kind: MigrationKind,
}

/// The migrations in `migrations/postgres/`, in order. Append-only: add a file and a line,
/// never edit; each declares its [`MigrationKind`] (ADR 0023).
const RELEASED: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_initial.sql",
        sql: include_str!("../../../migrations/postgres/0001_initial.sql"),
        kind: MigrationKind::Expand,
    },
    Migration {
        version: 2,
        name: "0002_change_notifications.sql",
        sql: include_str!("../../../migrations/postgres/0002_change_notifications.sql"),
        // Triggers that only send notifications, which older builds do not listen to.
        kind: MigrationKind::Expand,
    },
    Migration {
        version: 3,
        name: "0003_throttle_buckets.sql",
        sql: include_str!("../../../migrations/postgres/0003_throttle_buckets.sql"),
        // A new table and its index, which older builds never read.
        kind: MigrationKind::Expand,
    },
    Migration {
        version: 4,
        name: "0004_history.sql",
        sql: include_str!("../../../migrations/postgres/0004_history.sql"),
        // New tables and indexes; an older build writes no entries but reads nothing here.
        kind: MigrationKind::Expand,
    },
    Migration {
        version: 5,
        name: "0005_history_notifications.sql",
        sql: include_str!("../../../migrations/postgres/0005_history_notifications.sql"),
        // A trigger that only sends notifications, which older builds ignore.
        kind: MigrationKind::Expand,
    },
    Migration {
        version: 6,
        name: "0006_trash.sql",
        sql: include_str!("../../../migrations/postgres/0006_trash.sql"),
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

/// The advisory lock key every TaskForge migrator takes: the bytes of "TaskForg" as an i64.
/// Advisory locks are per database, so this only serialises migrators of the same database.
pub const LOCK_KEY: i64 = 0x5461_736b_466f_7267;

/// The checksum recorded for a migration's text: FNV-1a 64, as 16 hex digits (the same
/// function as the SQLite runner's, so a file's checksum reads the same in both dialects).
#[must_use]
pub fn checksum(sql: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in sql.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Brings the database of `client` up to date with `migrations`, under the advisory lock;
/// returns how many were applied (0 when another process did the work first).
/// [`migrate_reporting`] also returns the newer expand-only migrations it found.
///
/// # Errors
/// As [`migrate_reporting`].
pub async fn migrate(
    client: &mut Client,
    migrations: &[Migration],
) -> Result<usize, MigrationError> {
    migrate_reporting(client, migrations).await.map(|migrated| migrated.applied)
}

/// Brings the database of `client` up to date with `migrations`, under the advisory lock;
/// returns how many were applied and which applied migrations come from a newer build (all
/// expand-only, or this fails).
///
/// # Errors
/// [`MigrationError::NewerContract`], [`MigrationError::NewerVersion`],
/// [`MigrationError::Changed`], [`MigrationError::Failed`] or [`MigrationError::VersionTable`]
/// (lock or version table unusable).
pub async fn migrate_reporting(
    client: &mut Client,
    migrations: &[Migration],
) -> Result<Migrated, MigrationError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .map_err(MigrationError::VersionTable)?;
    let result = migrate_locked(client, migrations).await;
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY]).await;
    let migrated = result?;
    // The work is committed; a failed unlock only matters to this connection, which the
    // caller closes (and the server then releases the lock).
    drop(unlocked);
    Ok(migrated)
}

async fn migrate_locked(
    client: &mut Client,
    migrations: &[Migration],
) -> Result<Migrated, MigrationError> {
    // `ADD COLUMN IF NOT EXISTS` gives a version table from before kinds were recorded its
    // column (its rows keep none: builds no newer than this one wrote them). A nullable
    // column is itself an expand step: builds from before it keep using the table.
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    BIGINT NOT NULL PRIMARY KEY,
                 name       TEXT   NOT NULL,
                 checksum   TEXT   NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             );
             ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS kind TEXT
                 CHECK (kind IN ('expand', 'contract'));",
        )
        .await
        .map_err(MigrationError::VersionTable)?;
    let known = migrations.iter().map(|m| m.version).max().unwrap_or(0);
    let (recorded, newer) = check_recorded(client, migrations, known).await?;
    let mut applied = 0;
    for migration in migrations {
        if recorded.contains(&migration.version) {
            continue;
        }
        let failed = |source| MigrationError::Failed {
            version: migration.version,
            name: migration.name.to_owned(),
            source,
        };
        let tx = client.transaction().await.map_err(MigrationError::VersionTable)?;
        tx.batch_execute(migration.sql).await.map_err(failed)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum, kind) \
             VALUES ($1, $2, $3, $4)",
            &[
                &migration.version,
                &migration.name,
                &checksum(migration.sql),
                &migration.kind.as_str(),
            ],
        )
        .await
        .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
        applied += 1;
    }
    Ok(Migrated { applied, newer })
}

/// Refuses applied migrations whose text changed, unknown contract steps and unknown versions
/// without a kind; returns the known versions recorded and the unknown expand-only migrations.
async fn check_recorded(
    client: &Client,
    migrations: &[Migration],
    known: i64,
) -> Result<(Vec<i64>, Vec<NewerMigration>), MigrationError> {
    let rows = client
        .query("SELECT version, name, checksum, kind FROM schema_migrations ORDER BY version", &[])
        .await
        .map_err(MigrationError::VersionTable)?;
    let mut versions = Vec::with_capacity(rows.len());
    let mut newer = Vec::new();
    for row in rows {
        let version: i64 = row.try_get(0).map_err(MigrationError::VersionTable)?;
        let name: String = row.try_get(1).map_err(MigrationError::VersionTable)?;
        let recorded: String = row.try_get(2).map_err(MigrationError::VersionTable)?;
        let kind: Option<String> = row.try_get(3).map_err(MigrationError::VersionTable)?;
        match migrations.iter().find(|m| m.version == version) {
            Some(m) if checksum(m.sql) != recorded => {
                return Err(MigrationError::Changed {
                    version,
                    name,
                    recorded,
                    embedded: checksum(m.sql),
                });
            }
            Some(_) => versions.push(version),
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
    Ok((versions, newer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_one_by_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(Ok(m.version), i64::try_from(i).map(|i| i + 1), "{}", m.name);
            assert!(m.name.starts_with(&format!("{:04}_", m.version)), "{}", m.name);
        }
    }

    #[test]
    fn the_checksum_is_the_sqlite_runners() {
        assert_eq!(checksum(""), "cbf29ce484222325");
        assert_ne!(checksum("CREATE TABLE a (x)"), checksum("CREATE TABLE a (y)"));
    }
}
