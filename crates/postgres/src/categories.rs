//! The category repository.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use taskforge_domain::id::{ProjectId, TaskId, UserId};
use taskforge_domain::model::EntryDraft;
use taskforge_domain::ports::{CategoryRepository, Entity, RepositoryError};
use taskforge_domain::values::CategoryName;
use taskforge_domain::values::Timestamp;
use taskforge_domain::{Category, CategoryId};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::codec::{get, timestamp};
use crate::database::Inner;
use crate::error::{corrupt, map_err};
use crate::history::record;
use crate::retry::on_contention;
use crate::statements::{exec, exists, opt, rows};

/// [`CategoryRepository`] over PostgreSQL.
#[derive(Debug, Clone)]
pub(crate) struct PgCategories {
    db: Arc<Inner>,
}

impl PgCategories {
    pub(crate) const fn new(db: Arc<Inner>) -> Self {
        Self { db }
    }
}

fn err(e: tokio_postgres::Error) -> RepositoryError {
    map_err(Entity::Category, e)
}

fn category_from_row(row: &Row) -> Result<Category, RepositoryError> {
    let name: &str = get(row, 1)?;
    Ok(Category {
        id: CategoryId::from_uuid(get(row, 0)?),
        name: CategoryName::parse(name).map_err(|e| corrupt("category name", e))?,
        created_at: timestamp(row, 2)?,
    })
}

/// True when category `id` exists; inside a write, the row is locked against deletion
/// (`FOR KEY SHARE`) until the transaction ends.
pub(crate) async fn category_exists<C: GenericClient>(
    client: &C,
    id: CategoryId,
) -> Result<bool, RepositoryError> {
    exists(
        client,
        Entity::Category,
        "SELECT 1 FROM categories WHERE id = $1 FOR KEY SHARE",
        &[id.as_uuid()],
    )
    .await
}

#[async_trait]
impl CategoryRepository for PgCategories {
    async fn insert(&self, category: &Category) -> Result<(), RepositoryError> {
        let client = self.db.client().await?;
        // The id and the name key are both unique: either violation is a duplicate.
        exec(
            &client,
            Entity::Category,
            "INSERT INTO categories (id, name, name_key, created_at) VALUES ($1, $2, $3, $4)",
            &[
                category.id.as_uuid(),
                &category.name.as_str(),
                &category.name.unique_key(),
                &category.created_at.unix_micros(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn get(&self, id: CategoryId) -> Result<Option<Category>, RepositoryError> {
        let client = self.db.client().await?;
        opt(
            &client,
            Entity::Category,
            "SELECT id, name, created_at FROM categories WHERE id = $1",
            &[id.as_uuid()],
        )
        .await?
        .as_ref()
        .map(category_from_row)
        .transpose()
    }

    async fn names(
        &self,
        ids: &[CategoryId],
    ) -> Result<HashMap<CategoryId, CategoryName>, RepositoryError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let ids: Vec<Uuid> = ids.iter().map(|id| *id.as_uuid()).collect();
        let client = self.db.client().await?;
        let found = rows(
            &client,
            Entity::Category,
            "SELECT id, name FROM categories WHERE id = ANY($1)",
            &[&ids],
        )
        .await?;
        found
            .iter()
            .map(|r| {
                let name: &str = get(r, 1)?;
                let name = CategoryName::parse(name).map_err(|e| corrupt("category name", e))?;
                Ok((CategoryId::from_uuid(get(r, 0)?), name))
            })
            .collect()
    }

    async fn list(
        &self,
        after: Option<&CategoryName>,
        limit: usize,
    ) -> Result<Vec<Category>, RepositoryError> {
        let after = after.map(CategoryName::unique_key).unwrap_or_default();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.db.client().await?;
        let found = rows(
            &client,
            Entity::Category,
            "SELECT id, name, created_at FROM categories WHERE name_key > $1 \
             ORDER BY name_key LIMIT $2",
            &[&after, &limit],
        )
        .await?;
        found.iter().map(category_from_row).collect()
    }

    async fn update(&self, category: &Category) -> Result<(), RepositoryError> {
        let client = self.db.client().await?;
        let changed = exec(
            &client,
            Entity::Category,
            "UPDATE categories SET name = $1, name_key = $2 WHERE id = $3",
            &[&category.name.as_str(), &category.name.unique_key(), category.id.as_uuid()],
        )
        .await?;
        if changed == 0 {
            return Err(RepositoryError::NotFound(Entity::Category));
        }
        Ok(())
    }

    async fn delete(
        &self,
        id: CategoryId,
        actor: UserId,
        at: Timestamp,
    ) -> Result<(), RepositoryError> {
        on_contention(move || async move {
            let mut client = self.db.client().await?;
            let tx = client.transaction().await.map_err(err)?;
            // Locked first: a task write that would give a task this category waits for the
            // outcome, then finds it gone.
            if !exists(
                &tx,
                Entity::Category,
                "SELECT 1 FROM categories WHERE id = $1 FOR UPDATE",
                &[id.as_uuid()],
            )
            .await?
            {
                return Err(RepositoryError::NotFound(Entity::Category));
            }
            let found = rows(
                &tx,
                Entity::Task,
                "UPDATE tasks SET category_id = NULL, version = version + 1, updated_at = $1 \
                 WHERE category_id = $2 RETURNING id, project_id",
                &[&at.unix_micros(), id.as_uuid()],
            )
            .await?;
            let mut cleared = Vec::with_capacity(found.len());
            for row in &found {
                cleared.push((TaskId::from_uuid(get(row, 0)?), ProjectId::from_uuid(get(row, 1)?)));
            }
            cleared.sort_unstable();
            for (task, project) in cleared {
                record(&tx, &EntryDraft::category_cleared(task, project, id, actor, at)).await?;
            }
            exec(&tx, Entity::Category, "DELETE FROM categories WHERE id = $1", &[id.as_uuid()])
                .await?;
            tx.commit().await.map_err(err)
        })
        .await
    }
}
