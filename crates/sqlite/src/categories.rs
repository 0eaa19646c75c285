use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, params};
use taskforge_domain::clock::Timestamp;
use taskforge_domain::ports::{CategoryRepository, Entity, RepositoryError};
use taskforge_domain::values::CategoryName;
use taskforge_domain::{Category, CategoryId};

use crate::codec::{bytes16, timestamp};
use crate::database::Inner;
use crate::error::{corrupt, map_err};

/// [`CategoryRepository`] over SQLite.
#[derive(Debug, Clone)]
pub(crate) struct SqliteCategories {
    db: Arc<Inner>,
}

impl SqliteCategories {
    pub(crate) const fn new(db: Arc<Inner>) -> Self {
        Self { db }
    }
}

fn err(e: rusqlite::Error) -> RepositoryError {
    map_err(Entity::Category, e)
}

fn category_from_row(row: &Row<'_>) -> rusqlite::Result<Category> {
    let name: String = row.get(1)?;
    Ok(Category {
        id: CategoryId::from_bytes(bytes16(row, 0)?),
        name: CategoryName::parse(&name).map_err(|e| corrupt("category name", e))?,
        created_at: timestamp(row, 2)?,
    })
}

pub(crate) fn category_exists(
    conn: &rusqlite::Connection,
    id: CategoryId,
) -> Result<bool, RepositoryError> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM categories WHERE id = ?)")
        .and_then(|mut s| s.query_row([id.to_bytes()], |r| r.get(0)))
        .map_err(err)
}

#[async_trait]
impl CategoryRepository for SqliteCategories {
    async fn insert(&self, category: &Category) -> Result<(), RepositoryError> {
        let category = category.clone();
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO categories (id, name, name_key, created_at) VALUES (?, ?, ?, ?)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        category.id.to_bytes(),
                        category.name.as_str(),
                        category.name.unique_key(),
                        category.created_at.unix_micros(),
                    ])
                })
                .map_err(err)?;
                Ok(())
            })
            .await
    }

    async fn get(&self, id: CategoryId) -> Result<Option<Category>, RepositoryError> {
        self.db
            .read(move |conn| {
                conn.prepare_cached("SELECT id, name, created_at FROM categories WHERE id = ?")
                    .and_then(|mut s| s.query_row([id.to_bytes()], category_from_row).optional())
                    .map_err(err)
            })
            .await
    }

    async fn list(&self) -> Result<Vec<Category>, RepositoryError> {
        self.db
            .read(move |conn| {
                conn.prepare_cached("SELECT id, name, created_at FROM categories ORDER BY name_key")
                    .and_then(|mut s| s.query_map([], category_from_row)?.collect())
                    .map_err(err)
            })
            .await
    }

    async fn update(&self, category: &Category) -> Result<(), RepositoryError> {
        let category = category.clone();
        self.db
            .write(move |conn| {
                let changed = conn
                    .prepare_cached("UPDATE categories SET name = ?, name_key = ? WHERE id = ?")
                    .and_then(|mut s| {
                        s.execute(params![
                            category.name.as_str(),
                            category.name.unique_key(),
                            category.id.to_bytes(),
                        ])
                    })
                    .map_err(err)?;
                if changed == 0 {
                    return Err(RepositoryError::NotFound(Entity::Category));
                }
                Ok(())
            })
            .await
    }

    async fn delete(&self, id: CategoryId, at: Timestamp) -> Result<(), RepositoryError> {
        self.db
            .write(move |conn| {
                if !category_exists(conn, id)? {
                    return Err(RepositoryError::NotFound(Entity::Category));
                }
                // Cleared explicitly rather than by ON DELETE SET NULL: each task also gets a
                // new version and updated_at, which a foreign-key action cannot do.
                conn.prepare_cached(
                    "UPDATE tasks SET category_id = NULL, version = version + 1, updated_at = ? \
                     WHERE category_id = ?",
                )
                .and_then(|mut s| s.execute(params![at.unix_micros(), id.to_bytes()]))
                .map_err(|e| map_err(Entity::Task, e))?;
                conn.prepare_cached("DELETE FROM categories WHERE id = ?")
                    .and_then(|mut s| s.execute([id.to_bytes()]))
                    .map_err(err)?;
                Ok(())
            })
            .await
    }
}
