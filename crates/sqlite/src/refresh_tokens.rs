use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, params};
use taskforge_domain::ports::{
    Entity, RefreshTokenRecord, RefreshTokenRepository, RepositoryError, TokenDigest,
};
use taskforge_domain::values::Timestamp;
use taskforge_domain::{TokenFamilyId, UserId};

use crate::codec::{bytes16, opt_timestamp, timestamp};
use crate::connections::Connections;
use crate::error::{corrupt, map_err};
use crate::users::user_exists;

/// [`RefreshTokenRepository`] over SQLite.
#[derive(Debug, Clone)]
pub(crate) struct SqliteRefreshTokens {
    db: Arc<Connections>,
}

impl SqliteRefreshTokens {
    pub(crate) const fn new(db: Arc<Connections>) -> Self {
        Self { db }
    }
}

fn err(e: rusqlite::Error) -> RepositoryError {
    map_err(Entity::RefreshToken, e)
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn record_from_row(row: &Row<'_>) -> rusqlite::Result<RefreshTokenRecord> {
    let digest: Vec<u8> = row.get(0)?;
    Ok(RefreshTokenRecord {
        digest: TokenDigest(
            <[u8; 32]>::try_from(digest.as_slice())
                .map_err(|_| corrupt("token digest", "not 32 bytes"))?,
        ),
        user_id: UserId::from_bytes(bytes16(row, 1)?),
        family: TokenFamilyId::from_bytes(bytes16(row, 2)?),
        issued_at: timestamp(row, 3)?,
        expires_at: timestamp(row, 4)?,
        used_at: opt_timestamp(row, 5)?,
        revoked_at: opt_timestamp(row, 6)?,
    })
}

fn insert(conn: &rusqlite::Connection, r: &RefreshTokenRecord) -> Result<(), RepositoryError> {
    let exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE digest = ?)")
        .and_then(|mut s| s.query_row([r.digest.0], |row| row.get(0)))
        .map_err(err)?;
    if exists {
        return Err(RepositoryError::Duplicate(Entity::RefreshToken));
    }
    if !user_exists(conn, r.user_id)? {
        return Err(RepositoryError::MissingReference(Entity::User));
    }
    conn.prepare_cached(
        "INSERT INTO refresh_tokens \
         (digest, user_id, family, issued_at, expires_at, used_at, revoked_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .and_then(|mut s| {
        s.execute(params![
            r.digest.0,
            r.user_id.to_bytes(),
            r.family.to_bytes(),
            r.issued_at.unix_micros(),
            r.expires_at.unix_micros(),
            r.used_at.map(Timestamp::unix_micros),
            r.revoked_at.map(Timestamp::unix_micros),
        ])
    })
    .map_err(err)?;
    Ok(())
}

#[async_trait]
impl RefreshTokenRepository for SqliteRefreshTokens {
    async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), RepositoryError> {
        let record = record.clone();
        self.db.write(move |conn| insert(conn, &record)).await
    }

    async fn find(
        &self,
        digest: &TokenDigest,
    ) -> Result<Option<RefreshTokenRecord>, RepositoryError> {
        let digest = *digest;
        self.db
            .read(move |conn| {
                conn.prepare_cached(
                    "SELECT digest, user_id, family, issued_at, expires_at, used_at, revoked_at \
                     FROM refresh_tokens WHERE digest = ?",
                )
                .and_then(|mut s| s.query_row([digest.0], record_from_row).optional())
                .map_err(err)
            })
            .await
    }

    async fn rotate(
        &self,
        old: &TokenDigest,
        successor: &RefreshTokenRecord,
    ) -> Result<(), RepositoryError> {
        let old = *old;
        let successor = successor.clone();
        self.db
            .write(move |conn| {
                // The compare-and-set: only a token neither used nor revoked is marked used.
                let marked = conn
                    .prepare_cached(
                        "UPDATE refresh_tokens SET used_at = ? \
                         WHERE digest = ? AND used_at IS NULL AND revoked_at IS NULL",
                    )
                    .and_then(|mut s| s.execute(params![successor.issued_at.unix_micros(), old.0]))
                    .map_err(err)?;
                if marked == 0 {
                    let exists: bool = conn
                        .prepare_cached(
                            "SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE digest = ?)",
                        )
                        .and_then(|mut s| s.query_row([old.0], |row| row.get(0)))
                        .map_err(err)?;
                    return Err(if exists {
                        RepositoryError::TokenSpent
                    } else {
                        RepositoryError::NotFound(Entity::RefreshToken)
                    });
                }
                // A failure here rolls the mark back too (the write's savepoint).
                insert(conn, &successor)
            })
            .await
    }

    async fn revoke_family(
        &self,
        family: TokenFamilyId,
        at: Timestamp,
    ) -> Result<u64, RepositoryError> {
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "UPDATE refresh_tokens SET revoked_at = ? \
                     WHERE family = ? AND revoked_at IS NULL",
                )
                .and_then(|mut s| s.execute(params![at.unix_micros(), family.to_bytes()]))
                .map(count)
                .map_err(err)
            })
            .await
    }

    async fn revoke_all_for_user(
        &self,
        user: UserId,
        at: Timestamp,
    ) -> Result<u64, RepositoryError> {
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "UPDATE refresh_tokens SET revoked_at = ? \
                     WHERE user_id = ? AND revoked_at IS NULL",
                )
                .and_then(|mut s| s.execute(params![at.unix_micros(), user.to_bytes()]))
                .map(count)
                .map_err(err)
            })
            .await
    }

    async fn delete_expired(&self, before: Timestamp) -> Result<u64, RepositoryError> {
        self.db
            .write(move |conn| {
                conn.prepare_cached("DELETE FROM refresh_tokens WHERE expires_at < ?")
                    .and_then(|mut s| s.execute([before.unix_micros()]))
                    .map(count)
                    .map_err(err)
            })
            .await
    }
}
