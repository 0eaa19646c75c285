use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, params};
use taskforge_domain::id::{ProjectId, TaskId, UserId};
use taskforge_domain::model::EntryDraft;
use taskforge_domain::ports::{CategoryRepository, Entity, RepositoryError};
use taskforge_domain::values::CategoryName;
use taskforge_domain::values::Timestamp;
use taskforge_domain::{Category, CategoryId};

use crate::codec::{bytes16, timestamp};
use crate::connections::Connections;
use crate::error::{corrupt, map_err};
use crate::history::record;
use crate::users::json_array;

/// One category by primary key.
pub const BY_ID_STATEMENT: &str = "SELECT id, name, created_at FROM categories WHERE id = ?";

/// The names of any number of categories, each looked up by primary key: a JSON array of hex
/// ids (a fixed text, so it is prepared once).
pub const NAMES_STATEMENT: &str = "SELECT c.id, c.name FROM json_each(?) j \
     CROSS JOIN categories c ON c.id = unhex(j.value)";

/// A page in name order ignoring case, after a name key (`''` for the first page, which sorts
/// before every name): a range read on the unique index of `name_key` that stops after the
/// page, at any depth.
pub const PAGE_STATEMENT: &str = "SELECT id, name, created_at FROM categories \
     WHERE name_key > ? ORDER BY name_key LIMIT ?";

/// [`CategoryRepository`] over SQLite.
#[derive(Debug, Clone)]
pub(crate) struct SqliteCategories {
    db: Arc<Connections>,
}

impl SqliteCategories {
    pub(crate) const fn new(db: Arc<Connections>) -> Self {
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
                let sql = BY_ID_STATEMENT;
                conn.prepare_cached(sql)
                    .and_then(|mut s| s.query_row([id.to_bytes()], category_from_row).optional())
                    .map_err(err)
            })
            .await
    }

    async fn names(
        &self,
        ids: &[CategoryId],
    ) -> Result<HashMap<CategoryId, CategoryName>, RepositoryError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let hex: Vec<String> = ids.iter().map(|id| id.as_uuid().simple().to_string()).collect();
        let json = json_array(&hex);
        self.db
            .read(move |conn| {
                let sql = NAMES_STATEMENT;
                conn.prepare_cached(sql)
                    .and_then(|mut s| {
                        s.query_map([json], |r| {
                            let name: String = r.get(1)?;
                            let name = CategoryName::parse(&name)
                                .map_err(|e| corrupt("category name", e))?;
                            Ok((CategoryId::from_bytes(bytes16(r, 0)?), name))
                        })?
                        .collect()
                    })
                    .map_err(err)
            })
            .await
    }

    async fn list(
        &self,
        after: Option<&CategoryName>,
        limit: usize,
    ) -> Result<Vec<Category>, RepositoryError> {
        let after = after.map(CategoryName::unique_key).unwrap_or_default();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.db
            .read(move |conn| {
                let sql = PAGE_STATEMENT;
                conn.prepare_cached(sql)
                    .and_then(|mut s| {
                        s.query_map(params![after, limit], category_from_row)?.collect()
                    })
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

    async fn delete(
        &self,
        id: CategoryId,
        actor: UserId,
        at: Timestamp,
    ) -> Result<(), RepositoryError> {
        self.db
            .write(move |conn| {
                if !category_exists(conn, id)? {
                    return Err(RepositoryError::NotFound(Entity::Category));
                }
                // Cleared explicitly rather than by ON DELETE SET NULL: each task also gets a
                // new version and updated_at, and an entry in its history, which a
                // foreign-key action cannot do.
                let mut cleared: Vec<(TaskId, ProjectId)> = conn
                    .prepare_cached(
                        "UPDATE tasks SET category_id = NULL, version = version + 1, \
                         updated_at = ? WHERE category_id = ? RETURNING id, project_id",
                    )
                    .and_then(|mut s| {
                        s.query_map(params![at.unix_micros(), id.to_bytes()], |r| {
                            Ok((
                                TaskId::from_bytes(bytes16(r, 0)?),
                                ProjectId::from_bytes(bytes16(r, 1)?),
                            ))
                        })?
                        .collect()
                    })
                    .map_err(|e| map_err(Entity::Task, e))?;
                cleared.sort_unstable();
                for (task, project) in cleared {
                    record(conn, &EntryDraft::category_cleared(task, project, id, actor, at))?;
                }
                conn.prepare_cached("DELETE FROM categories WHERE id = ?")
                    .and_then(|mut s| s.execute([id.to_bytes()]))
                    .map_err(err)?;
                Ok(())
            })
            .await
    }
}
