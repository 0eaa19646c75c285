//! The user repository.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use taskforge_domain::ports::{Entity, RepositoryError, UserRepository};
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{EmailAddress, PasswordHash, Role, Username};
use taskforge_domain::{User, UserId};
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use crate::codec::{get, timestamp};
use crate::database::Inner;
use crate::error::{corrupt, map_err};
use crate::retry::on_contention;
use crate::statements::{exec, exec_raw, exists, opt, rows};

/// [`UserRepository`] over PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct PgUsers {
    db: Arc<Inner>,
}

impl PgUsers {
    pub(crate) const fn new(db: Arc<Inner>) -> Self {
        Self { db }
    }
}

fn err(e: tokio_postgres::Error) -> RepositoryError {
    map_err(Entity::User, e)
}

fn user_from_row(row: &Row) -> Result<User, RepositoryError> {
    let username: &str = get(row, 1)?;
    let email: Option<&str> = get(row, 2)?;
    let hash: &str = get(row, 3)?;
    let role: &str = get(row, 4)?;
    Ok(User {
        id: UserId::from_uuid(get(row, 0)?),
        username: Username::parse(username).map_err(|e| corrupt("username", e))?,
        email: email
            .map(|e| EmailAddress::parse(e).map_err(|e| corrupt("email", e)))
            .transpose()?,
        password_hash: PasswordHash::parse(hash).map_err(|e| corrupt("password hash", e))?,
        role: Role::parse(role).map_err(|e| corrupt("role", e))?,
        created_at: timestamp(row, 5)?,
    })
}

/// True when user `id` exists; inside a write, the row is locked against deletion
/// (`FOR KEY SHARE`) until the transaction ends, as a foreign key would.
pub(crate) async fn user_exists<C: GenericClient>(
    client: &C,
    id: UserId,
) -> Result<bool, RepositoryError> {
    exists(client, Entity::User, "SELECT 1 FROM users WHERE id = $1 FOR KEY SHARE", &[id.as_uuid()])
        .await
}

#[async_trait]
impl UserRepository for PgUsers {
    async fn insert(&self, user: &User) -> Result<(), RepositoryError> {
        let client = self.db.client().await?;
        // Both the id and the username are unique: either violation is a duplicate user.
        exec(
            &client,
            Entity::User,
            "INSERT INTO users (id, username, email, password_hash, role, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                user.id.as_uuid(),
                &user.username.as_str(),
                &user.email.as_ref().map(EmailAddress::as_str),
                &user.password_hash.as_str(),
                &user.role.as_str(),
                &user.created_at.unix_micros(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn get(&self, id: UserId) -> Result<Option<User>, RepositoryError> {
        let client = self.db.client().await?;
        opt(
            &client,
            Entity::User,
            "SELECT id, username, email, password_hash, role, \
             created_at FROM users WHERE id = $1",
            &[id.as_uuid()],
        )
        .await?
        .as_ref()
        .map(user_from_row)
        .transpose()
    }

    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, RepositoryError> {
        let client = self.db.client().await?;
        opt(
            &client,
            Entity::User,
            "SELECT id, username, email, password_hash, role, created_at \
             FROM users WHERE username = $1",
            &[&username.as_str()],
        )
        .await?
        .as_ref()
        .map(user_from_row)
        .transpose()
    }

    async fn usernames(
        &self,
        ids: &[UserId],
    ) -> Result<HashMap<UserId, Username>, RepositoryError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let ids: Vec<Uuid> = ids.iter().map(|id| *id.as_uuid()).collect();
        let client = self.db.client().await?;
        let found = rows(
            &client,
            Entity::User,
            "SELECT id, username FROM users WHERE id = ANY($1)",
            &[&ids],
        )
        .await?;
        found
            .iter()
            .map(|r| {
                let name: &str = get(r, 1)?;
                let username = Username::parse(name).map_err(|e| corrupt("username", e))?;
                Ok((UserId::from_uuid(get(r, 0)?), username))
            })
            .collect()
    }

    async fn list(
        &self,
        after: Option<&Username>,
        limit: usize,
    ) -> Result<Vec<User>, RepositoryError> {
        let after = after.map_or("", Username::as_str);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.db.client().await?;
        let found = rows(
            &client,
            Entity::User,
            "SELECT id, username, email, password_hash, role, created_at \
             FROM users WHERE username > $1 ORDER BY username LIMIT $2",
            &[&after, &limit],
        )
        .await?;
        found.iter().map(user_from_row).collect()
    }

    async fn count_with_role(&self, role: Role) -> Result<u64, RepositoryError> {
        let client = self.db.client().await?;
        let row = opt(
            &client,
            Entity::User,
            "SELECT count(*) FROM users WHERE role = $1",
            &[&role.as_str()],
        )
        .await?;
        let n: i64 = row.as_ref().map_or(Ok(0), |r| get(r, 0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn update(&self, user: &User) -> Result<(), RepositoryError> {
        let client = self.db.client().await?;
        update_user(&client, user).await
    }

    async fn delete(&self, id: UserId, at: Timestamp) -> Result<(), RepositoryError> {
        on_contention(move || async move {
            let mut client = self.db.client().await?;
            let tx = client.transaction().await.map_err(err)?;
            delete_user(&tx, id, at).await?;
            tx.commit().await.map_err(err)
        })
        .await
    }

    async fn update_keeping_another_admin(&self, user: &User) -> Result<(), RepositoryError> {
        on_contention(move || async move {
            let mut client = self.db.client().await?;
            let tx = client.transaction().await.map_err(err)?;
            ensure_another_admin(&tx, user.id).await?;
            update_user(&tx, user).await?;
            tx.commit().await.map_err(err)
        })
        .await
    }

    async fn delete_keeping_another_admin(
        &self,
        id: UserId,
        at: Timestamp,
    ) -> Result<(), RepositoryError> {
        on_contention(move || async move {
            let mut client = self.db.client().await?;
            let tx = client.transaction().await.map_err(err)?;
            ensure_another_admin(&tx, id).await?;
            delete_user(&tx, id, at).await?;
            tx.commit().await.map_err(err)
        })
        .await
    }
}

/// Fails unless an administrator other than `id` remains. Every administrator's row is locked
/// first (`FOR UPDATE`, in id order so two callers queue rather than deadlock): of two
/// administrators demoting each other at once, the second waits for the first, then re-reads
/// the rows — the first is no longer an administrator — and is refused.
async fn ensure_another_admin<C: GenericClient>(
    client: &C,
    id: UserId,
) -> Result<(), RepositoryError> {
    let admins = rows(
        client,
        Entity::User,
        "SELECT id FROM users WHERE role = $1 ORDER BY id FOR UPDATE",
        &[&Role::Admin.as_str()],
    )
    .await?;
    let mut another = false;
    for row in &admins {
        if UserId::from_uuid(get(row, 0)?) != id {
            another = true;
        }
    }
    if another { Ok(()) } else { Err(RepositoryError::LastAdmin) }
}

async fn update_user<C: GenericClient>(client: &C, user: &User) -> Result<(), RepositoryError> {
    let changed = exec(
        client,
        Entity::User,
        "UPDATE users SET username = $1, email = $2, password_hash = $3, role = $4 WHERE id = $5",
        &[
            &user.username.as_str(),
            &user.email.as_ref().map(EmailAddress::as_str),
            &user.password_hash.as_str(),
            &user.role.as_str(),
            user.id.as_uuid(),
        ],
    )
    .await?;
    if changed == 0 {
        return Err(RepositoryError::NotFound(Entity::User));
    }
    Ok(())
}

async fn delete_user<C: GenericClient>(
    client: &C,
    id: UserId,
    at: Timestamp,
) -> Result<(), RepositoryError> {
    // Locked first: a task write that would assign them waits for the outcome.
    if !exists(
        client,
        Entity::User,
        "SELECT 1 FROM users WHERE id = $1 FOR UPDATE",
        &[id.as_uuid()],
    )
    .await?
    {
        return Err(RepositoryError::NotFound(Entity::User));
    }
    if exists(
        client,
        Entity::User,
        "SELECT 1 FROM projects WHERE owner_id = $1 LIMIT 1",
        &[id.as_uuid()],
    )
    .await?
    {
        return Err(RepositoryError::InUse(Entity::User));
    }
    exec(
        client,
        Entity::Task,
        "UPDATE tasks SET assignee_id = NULL, version = version + 1, updated_at = $1 \
         WHERE assignee_id = $2",
        &[&at.unix_micros(), id.as_uuid()],
    )
    .await?;
    // A project given to them meanwhile makes the foreign key refuse: still in use.
    exec_raw(client, "DELETE FROM users WHERE id = $1", &[id.as_uuid()]).await.map_err(|e| {
        if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) {
            RepositoryError::InUse(Entity::User)
        } else {
            err(e)
        }
    })?;
    Ok(())
}
