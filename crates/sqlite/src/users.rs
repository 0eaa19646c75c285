use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};
use taskforge_domain::ports::{Entity, RepositoryError, UserRepository};
use taskforge_domain::values::Timestamp;
use taskforge_domain::values::{EmailAddress, PasswordHash, Role, Username};
use taskforge_domain::{User, UserId};

use crate::codec::{bytes16, timestamp};
use crate::connections::Connections;
use crate::error::{corrupt, map_err};

/// [`UserRepository`] over SQLite.
#[derive(Debug, Clone)]
pub(crate) struct SqliteUsers {
    db: Arc<Connections>,
}

impl SqliteUsers {
    pub(crate) const fn new(db: Arc<Connections>) -> Self {
        Self { db }
    }
}

fn err(e: rusqlite::Error) -> RepositoryError {
    map_err(Entity::User, e)
}

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    let username: String = row.get(1)?;
    let email: Option<String> = row.get(2)?;
    let hash: String = row.get(3)?;
    let role: String = row.get(4)?;
    Ok(User {
        id: UserId::from_bytes(bytes16(row, 0)?),
        username: Username::parse(&username).map_err(|e| corrupt("username", e))?,
        email: email
            .map(|e| EmailAddress::parse(&e).map_err(|e| corrupt("email", e)))
            .transpose()?,
        password_hash: PasswordHash::parse(&hash).map_err(|e| corrupt("password hash", e))?,
        role: Role::parse(&role).map_err(|e| corrupt("role", e))?,
        created_at: timestamp(row, 5)?,
    })
}

pub(crate) fn user_exists(conn: &Connection, id: UserId) -> Result<bool, RepositoryError> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)")
        .and_then(|mut s| s.query_row([id.to_bytes()], |r| r.get(0)))
        .map_err(err)
}

/// `["a1…", "b2…"]`: hex digits need no escaping.
pub(crate) fn json_array(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| ["\"", i, "\""].concat()).collect();
    ["[", &quoted.join(","), "]"].concat()
}

#[async_trait]
impl UserRepository for SqliteUsers {
    async fn insert(&self, user: &User) -> Result<(), RepositoryError> {
        let user = user.clone();
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO users (id, username, email, password_hash, role, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        user.id.to_bytes(),
                        user.username.as_str(),
                        user.email.as_ref().map(EmailAddress::as_str),
                        user.password_hash.as_str(),
                        user.role.as_str(),
                        user.created_at.unix_micros(),
                    ])
                })
                .map_err(err)?;
                Ok(())
            })
            .await
    }

    async fn get(&self, id: UserId) -> Result<Option<User>, RepositoryError> {
        self.db
            .read(move |conn| {
                conn.prepare_cached(
                    "SELECT id, username, email, password_hash, role, created_at \
                     FROM users WHERE id = ?",
                )
                .and_then(|mut s| s.query_row([id.to_bytes()], user_from_row).optional())
                .map_err(err)
            })
            .await
    }

    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, RepositoryError> {
        let username = username.as_str().to_owned();
        self.db
            .read(move |conn| {
                conn.prepare_cached(
                    "SELECT id, username, email, password_hash, role, created_at \
                     FROM users WHERE username = ?",
                )
                .and_then(|mut s| s.query_row([username], user_from_row).optional())
                .map_err(err)
            })
            .await
    }

    async fn usernames(
        &self,
        ids: &[UserId],
    ) -> Result<HashMap<UserId, Username>, RepositoryError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        // One statement for any number of ids: a JSON array of hex ids, each looked up by
        // primary key (a fixed statement text, so it is prepared once and cached).
        let hex: Vec<String> = ids.iter().map(|id| id.as_uuid().simple().to_string()).collect();
        let json = json_array(&hex);
        self.db
            .read(move |conn| {
                conn.prepare_cached(
                    "SELECT u.id, u.username FROM json_each(?) j \
                     CROSS JOIN users u ON u.id = unhex(j.value)",
                )
                .and_then(|mut s| {
                    s.query_map([json], |r| {
                        let name: String = r.get(1)?;
                        let username =
                            Username::parse(&name).map_err(|e| corrupt("username", e))?;
                        Ok((UserId::from_bytes(bytes16(r, 0)?), username))
                    })?
                    .collect()
                })
                .map_err(err)
            })
            .await
    }

    async fn list(
        &self,
        after: Option<&Username>,
        limit: usize,
    ) -> Result<Vec<User>, RepositoryError> {
        // Every username is at least 3 characters, so '' is before all of them.
        let after = after.map_or_else(String::new, |u| u.as_str().to_owned());
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.db
            .read(move |conn| {
                conn.prepare_cached(
                    "SELECT id, username, email, password_hash, role, created_at \
                     FROM users WHERE username > ? ORDER BY username LIMIT ?",
                )
                .and_then(|mut s| s.query_map(params![after, limit], user_from_row)?.collect())
                .map_err(err)
            })
            .await
    }

    async fn count_with_role(&self, role: Role) -> Result<u64, RepositoryError> {
        self.db
            .read(move |conn| {
                let n: i64 = conn
                    .prepare_cached("SELECT count(*) FROM users WHERE role = ?")
                    .and_then(|mut s| s.query_row([role.as_str()], |r| r.get(0)))
                    .map_err(err)?;
                Ok(u64::try_from(n).unwrap_or(0))
            })
            .await
    }

    async fn update(&self, user: &User) -> Result<(), RepositoryError> {
        let user = user.clone();
        self.db.write(move |conn| update_user(conn, &user)).await
    }

    async fn delete(&self, id: UserId, at: Timestamp) -> Result<(), RepositoryError> {
        self.db.write(move |conn| delete_user(conn, id, at)).await
    }

    async fn update_keeping_another_admin(&self, user: &User) -> Result<(), RepositoryError> {
        let user = user.clone();
        // The writer applies one write at a time, so the check and the write are atomic.
        self.db
            .write(move |conn| {
                ensure_another_admin(conn, user.id)?;
                update_user(conn, &user)
            })
            .await
    }

    async fn delete_keeping_another_admin(
        &self,
        id: UserId,
        at: Timestamp,
    ) -> Result<(), RepositoryError> {
        self.db
            .write(move |conn| {
                ensure_another_admin(conn, id)?;
                delete_user(conn, id, at)
            })
            .await
    }
}

/// The check of the `…_keeping_another_admin` writes, made inside the same write.
fn ensure_another_admin(conn: &Connection, id: UserId) -> Result<(), RepositoryError> {
    let another: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE role = ? AND id <> ?)")
        .and_then(|mut s| s.query_row(params![Role::Admin.as_str(), id.to_bytes()], |r| r.get(0)))
        .map_err(err)?;
    if another { Ok(()) } else { Err(RepositoryError::LastAdmin) }
}

fn update_user(conn: &Connection, user: &User) -> Result<(), RepositoryError> {
    let changed = conn
        .prepare_cached(
            "UPDATE users SET username = ?, email = ?, password_hash = ?, role = ? WHERE id = ?",
        )
        .and_then(|mut s| {
            s.execute(params![
                user.username.as_str(),
                user.email.as_ref().map(EmailAddress::as_str),
                user.password_hash.as_str(),
                user.role.as_str(),
                user.id.to_bytes(),
            ])
        })
        .map_err(err)?;
    if changed == 0 {
        return Err(RepositoryError::NotFound(Entity::User));
    }
    Ok(())
}

fn delete_user(conn: &Connection, id: UserId, at: Timestamp) -> Result<(), RepositoryError> {
    if !user_exists(conn, id)? {
        return Err(RepositoryError::NotFound(Entity::User));
    }
    let owns: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM projects WHERE owner_id = ?)")
        .and_then(|mut s| s.query_row([id.to_bytes()], |r| r.get(0)))
        .map_err(err)?;
    if owns {
        return Err(RepositoryError::InUse(Entity::User));
    }
    conn.prepare_cached(
        "UPDATE tasks SET assignee_id = NULL, version = version + 1, updated_at = ? \
         WHERE assignee_id = ?",
    )
    .and_then(|mut s| s.execute(params![at.unix_micros(), id.to_bytes()]))
    .map_err(err)?;
    // Memberships and refresh tokens go by ON DELETE CASCADE.
    conn.prepare_cached("DELETE FROM users WHERE id = ?")
        .and_then(|mut s| s.execute([id.to_bytes()]))
        .map_err(err)?;
    Ok(())
}
