//! The refresh-token repository.

use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use taskforge_domain::ports::{
    Entity, RefreshTokenRecord, RefreshTokenRepository, RepositoryError, TokenDigest,
};
use taskforge_domain::values::Timestamp;
use taskforge_domain::{TokenFamilyId, UserId};
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;

use crate::codec::{get, opt_timestamp, timestamp};
use crate::database::Inner;
use crate::error::{corrupt, map_err};
use crate::retry::on_contention;
use crate::statements::{exec, exec_raw, exists, opt};

/// [`RefreshTokenRepository`] over PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct PgRefreshTokens {
    db: Arc<Inner>,
}

impl PgRefreshTokens {
    pub(crate) const fn new(db: Arc<Inner>) -> Self {
        Self { db }
    }
}

fn err(e: tokio_postgres::Error) -> RepositoryError {
    map_err(Entity::RefreshToken, e)
}

fn record_from_row(row: &Row) -> Result<RefreshTokenRecord, RepositoryError> {
    let digest: &[u8] = get(row, 0)?;
    Ok(RefreshTokenRecord {
        digest: TokenDigest(
            <[u8; 32]>::try_from(digest).map_err(|_| corrupt("token digest", "not 32 bytes"))?,
        ),
        user_id: UserId::from_uuid(get(row, 1)?),
        family: TokenFamilyId::from_uuid(get(row, 2)?),
        issued_at: timestamp(row, 3)?,
        expires_at: timestamp(row, 4)?,
        used_at: opt_timestamp(row, 5)?,
        revoked_at: opt_timestamp(row, 6)?,
    })
}

async fn insert<C: GenericClient>(
    client: &C,
    r: &RefreshTokenRecord,
) -> Result<(), RepositoryError> {
    exec_raw(
        client,
        "INSERT INTO refresh_tokens \
         (digest, user_id, family, issued_at, expires_at, used_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &r.digest.0.as_slice(),
            r.user_id.as_uuid(),
            r.family.as_uuid(),
            &r.issued_at.unix_micros(),
            &r.expires_at.unix_micros(),
            &r.used_at.map(Timestamp::unix_micros),
            &r.revoked_at.map(Timestamp::unix_micros),
        ],
    )
    .await
    .map_err(|e| {
        // The user is the only foreign key of the row.
        if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) {
            RepositoryError::MissingReference(Entity::User)
        } else {
            err(e)
        }
    })?;
    Ok(())
}

#[async_trait]
impl RefreshTokenRepository for PgRefreshTokens {
    async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), RepositoryError> {
        let client = self.db.client().await?;
        insert(&client, record).await
    }

    async fn find(
        &self,
        digest: &TokenDigest,
    ) -> Result<Option<RefreshTokenRecord>, RepositoryError> {
        let client = self.db.client().await?;
        opt(
            &client,
            Entity::RefreshToken,
            "SELECT digest, user_id, family, issued_at, expires_at, used_at, revoked_at \
             FROM refresh_tokens WHERE digest = $1",
            &[&digest.0.as_slice()],
        )
        .await?
        .as_ref()
        .map(record_from_row)
        .transpose()
    }

    async fn rotate(
        &self,
        old: &TokenDigest,
        successor: &RefreshTokenRecord,
    ) -> Result<(), RepositoryError> {
        on_contention(move || async move {
            let mut client = self.db.client().await?;
            let tx = client.transaction().await.map_err(err)?;
            // The compare-and-set: the update locks the row, so of two rotations of one token
            // (on any two instances) the second waits, re-checks the condition, and marks nothing.
            let marked = exec(
                &tx,
                Entity::RefreshToken,
                "UPDATE refresh_tokens SET used_at = $1 \
                 WHERE digest = $2 AND used_at IS NULL AND revoked_at IS NULL",
                &[&successor.issued_at.unix_micros(), &old.0.as_slice()],
            )
            .await?;
            if marked == 0 {
                let stored = exists(
                    &tx,
                    Entity::RefreshToken,
                    "SELECT 1 FROM refresh_tokens WHERE digest = $1",
                    &[&old.0.as_slice()],
                )
                .await?;
                return Err(if stored {
                    RepositoryError::TokenSpent
                } else {
                    RepositoryError::NotFound(Entity::RefreshToken)
                });
            }
            insert(&tx, successor).await?;
            tx.commit().await.map_err(err)
        })
        .await
    }

    async fn revoke_family(
        &self,
        family: TokenFamilyId,
        at: Timestamp,
    ) -> Result<u64, RepositoryError> {
        let client = self.db.client().await?;
        exec(
            &client,
            Entity::RefreshToken,
            "UPDATE refresh_tokens SET revoked_at = $1 WHERE family = $2 AND revoked_at IS NULL",
            &[&at.unix_micros(), family.as_uuid()],
        )
        .await
    }

    async fn revoke_all_for_user(
        &self,
        user: UserId,
        at: Timestamp,
    ) -> Result<u64, RepositoryError> {
        let client = self.db.client().await?;
        exec(
            &client,
            Entity::RefreshToken,
            "UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            &[&at.unix_micros(), user.as_uuid()],
        )
        .await
    }

    async fn delete_expired(&self, before: Timestamp) -> Result<u64, RepositoryError> {
        let client = self.db.client().await?;
        exec(
            &client,
            Entity::RefreshToken,
            "DELETE FROM refresh_tokens WHERE expires_at < $1",
            &[&before.unix_micros()],
        )
        .await
    }
}
