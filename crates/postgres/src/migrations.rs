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

use tokio_postgres::Client;

use crate::error::MigrationError;

/// One numbered schema change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// Its number: 1, 2, … in order, never reused.
    pub version: i64,
    /// The file name, for messages.
    pub name: &'static str,
    /// The SQL (several statements; run with the simple query protocol).
    pub sql: &'static str,
}

/// Every migration of this build, in order. Append-only: add a file and a line, never edit.
pub static MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_initial.sql",
        sql: include_str!("../../../migrations/postgres/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "0002_change_notifications.sql",
        sql: include_str!("../../../migrations/postgres/0002_change_notifications.sql"),
    },
    Migration {
        version: 3,
        name: "0003_history.sql",
        sql: include_str!("../../../migrations/postgres/0003_history.sql"),
    },
    Migration {
        version: 4,
        name: "0004_history_notifications.sql",
        sql: include_str!("../../../migrations/postgres/0004_history_notifications.sql"),
    },
];

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
///
/// # Errors
/// [`MigrationError::NewerVersion`], [`MigrationError::Changed`], [`MigrationError::Failed`]
/// or [`MigrationError::VersionTable`] (lock or version table unusable).
pub async fn migrate(
    client: &mut Client,
    migrations: &[Migration],
) -> Result<usize, MigrationError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .map_err(MigrationError::VersionTable)?;
    let result = migrate_locked(client, migrations).await;
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY]).await;
    let applied = result?;
    // The work is committed; a failed unlock only matters to this connection, which the
    // caller closes (and the server then releases the lock).
    drop(unlocked);
    Ok(applied)
}

async fn migrate_locked(
    client: &mut Client,
    migrations: &[Migration],
) -> Result<usize, MigrationError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    BIGINT NOT NULL PRIMARY KEY,
                 name       TEXT   NOT NULL,
                 checksum   TEXT   NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .await
        .map_err(MigrationError::VersionTable)?;
    let known = migrations.iter().map(|m| m.version).max().unwrap_or(0);
    let recorded = check_recorded(client, migrations, known).await?;
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
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            &[&migration.version, &migration.name, &checksum(migration.sql)],
        )
        .await
        .map_err(failed)?;
        tx.commit().await.map_err(failed)?;
        applied += 1;
    }
    Ok(applied)
}

/// Refuses versions newer than `known` and applied migrations whose text changed; returns the
/// versions recorded.
async fn check_recorded(
    client: &Client,
    migrations: &[Migration],
    known: i64,
) -> Result<Vec<i64>, MigrationError> {
    let rows = client
        .query("SELECT version, name, checksum FROM schema_migrations ORDER BY version", &[])
        .await
        .map_err(MigrationError::VersionTable)?;
    let mut versions = Vec::with_capacity(rows.len());
    for row in rows {
        let version: i64 = row.try_get(0).map_err(MigrationError::VersionTable)?;
        let name: String = row.try_get(1).map_err(MigrationError::VersionTable)?;
        let recorded: String = row.try_get(2).map_err(MigrationError::VersionTable)?;
        if version > known {
            return Err(MigrationError::NewerVersion { found: version, known });
        }
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
            // A gap below the latest known version: this build never had such a migration.
            None => return Err(MigrationError::NewerVersion { found: version, known }),
        }
    }
    Ok(versions)
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
